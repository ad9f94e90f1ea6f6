/* keepclass.h — masks whose forward pass keeps the predicted class (issue 16, run/keepclass.c).
 *
 * SMUG constrains first-layer neurons only, so a verified mask can still change what the whole
 * network predicts (the default run's mask turns an ankle boot into a sandal). "Keeps the class"
 * means: the model, run on the input with every dropped cell at the verification baseline
 * (0 in the model's input space, verify.h), predicts the same class as on the whole input.
 *
 * --keep-class searches for such a mask: the usual pipeline at k = top_k, 2k, 4k, … up to every
 * qualifying first-layer neuron (select.h), at gamma; then, at keep_class_gamma when it is above
 * gamma, the k below the one that kept the class (every k when none did: a higher γ only grows
 * a mask of the same k). The smallest mask that keeps the class wins (ties: the earlier
 * attempt); when none does, the first attempt (the plain run's) is reported with kept = 0.
 * Each attempt has the full solver timeout.
 */
#ifndef SMUG_KEEPCLASS_H
#define SMUG_KEEPCLASS_H

#include "smug/pipeline.h"

enum { SMUG_KEEP_MAX_ATTEMPTS = 64 };

typedef struct smug_keep_attempt {
    int k; /* neurons constrained (may be fewer than asked: all that qualify) */
    double gamma;
    int mask_size;   /* -1 when the attempt failed */
    int status;      /* smug_solve_status, or -1 when the attempt failed */
    int predicted;   /* the masked input's class, -1 when failed */
    int keeps_class; /* predicted == the unmasked prediction */
} smug_keep_attempt;

typedef struct smug_keep_result {
    smug_keep_attempt attempt[SMUG_KEEP_MAX_ATTEMPTS];
    int n_attempts;
    int chosen; /* index of the reported attempt */
    int kept;   /* some attempt kept the class (then chosen is the smallest that did) */
} smug_keep_result;

/* 1 when the verified mask m keeps e's predicted class. */
static inline int smug_keeps_class(const smug_explanation *e, const smug_mask_result *m)
{
    return m->verdict.masked_predicted == e->predicted;
}

/* The --keep-class search for one input. e comes from smug_pipeline_neurons; on success its
 * neurons are replaced by the reported attempt's (so a report lists the constrained ones),
 * *out is that attempt's mask result (the caller's: smug_mask_result_clear, also after a
 * failure) and *out_params is params with top_k and gamma set to the values used. The first
 * attempt fails as smug_pipeline_mask does; a later attempt's solver failure is recorded
 * (mask_size -1) and the search goes on. confirm (or NULL) re-decides the first attempt's
 * solver leaves as smug_pipeline_mask's does; later attempts go without it. */
int smug_keep_class_search(const smug_net *net, const float *x, const smug_params *params,
                           smug_explanation *e, const smug_solver *solver,
                           const smug_solver *confirm, smug_mask_result *out,
                           smug_params *out_params, smug_keep_result *keep, smug_error *err);

#endif
