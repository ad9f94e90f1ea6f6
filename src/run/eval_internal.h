/* eval_internal.h — what the one evaluation driver (evaluate.c) and the two kinds of input
 * it evaluates (eval_image.c: pixels, LSC; eval_text.c: token ids, kept words) share: the
 * state of one input and the table of callbacks that is all a kind adds. Not a public
 * header (smug/evaluate.h is).
 *
 * A new method is a name in evaluate.c's table and a case in each kind's method callback
 * that it applies to; a new metric of a kind is that kind's alone.
 */
#ifndef SMUG_EVAL_INTERNAL_H
#define SMUG_EVAL_INTERNAL_H

#include "smug/evaluate.h"
#include "smug/pipeline.h"

typedef struct eval_state eval_state;

typedef struct eval_kind {
    /* Checks the settings against the model and allocates the kind's buffers (v->x, v->p,
     * v->out->text are set); runs before the shared classification. */
    int (*setup)(eval_state *v, const uint8_t *on, smug_error *err);
    /* Method m into v->out->r[m] (ran set, its numbers NaN, kept/score allocated for text). */
    int (*method)(eval_state *v, int m, smug_error *err);
    /* After every method (the images' randomisation check); may be NULL. */
    int (*after)(eval_state *v, smug_error *err);
    /* Frees what setup and the methods left in v (not v->e: the driver's). */
    void (*clear)(eval_state *v);
} eval_kind;

extern const eval_kind smug_eval_image_kind, smug_eval_text_kind;

struct eval_state {
    const smug_net *net;
    const float *x;
    smug_params p; /* window resolved to the model's */
    const smug_solver *solver;
    smug_eval_input *out;
    float *logits;      /* [n_classes] on the full input (the driver's) */
    smug_explanation e; /* SMUG's neurons, once computed (eval_need_neurons) */
    int have_e;
    double seconds_neurons;
    /* text (eval_text.c) */
    int len;
    uint8_t *seen;         /* [len] id != pad_id */
    float *tmp;            /* [len] a masked copy of x */
    uint8_t *cells;        /* [grid cells] */
    smug_mask_problem *pb; /* the chosen neurons' rows, for SMUG_base and verification */
    double seconds_encode;
};

/* The forward pass, first-layer IG and top-k neurons SMUG and SMUG_base share, computed on
 * first use; v->seconds_neurons is their time. */
int eval_need_neurons(eval_state *v, smug_error *err);

/* SMUG's mask on this input (smug_pipeline_mask_or_note, each method with the whole timeout):
 * 0 with *out filled (the caller's: smug_mask_result_clear) and r->seconds set, the shared
 * neurons included; 1 when the solver gave none (r->note says why); -1 on an error. */
int eval_smug_mask(eval_state *v, smug_eval_result *r, smug_mask_result *out, smug_error *err);

#endif
