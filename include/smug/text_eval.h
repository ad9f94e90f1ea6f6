/* text_eval.h — the text methods of `smug eval` on one token sequence, scored by what the
 * model still believes from the kept words (run/text_eval.c, issue #6; cmd_eval.c drives it).
 *
 * LSC and its boxes measure crops of an image; a text has no crop, so for a token model the
 * methods are scored differently (and the image methods grad, gradcam and the boxes do not
 * apply). Methods (smug_eval_method numbering, so names and --methods parsing are shared):
 *  - smug       the solver's minimal word mask (pipeline.h), one word a cell;
 *  - smug_base  every word some chosen neuron sees (no solver);
 *  - ig         Integrated Gradients w.r.t. the embedding output against the zero embedding,
 *               summed per token (smug_ig_tokens); it scores every word and keeps none, so
 *               its kept words are the top-K by score, K = the number smug kept on this
 *               input (the same budget makes the two comparable; ties: the earlier word).
 *               Needs smug on the same input: without a smug mask ig is not ok;
 *  - sis        Sufficient Input Subsets (sis.h) over token cells, a removed token replaced
 *               by pad_id, τ = params.sis_threshold.
 * A removed word is always replaced by pad_id, whose embedding row must be zero (checked:
 * UNSUPPORTED otherwise), so "removed" means the same to every method, to the solver's
 * encoding and to the forward-pass verification.
 *
 * Metrics per method (seen words: the positions whose id is not pad_id):
 *  - sparsity      = kept words / seen words, in (0, 1] for a non-empty explanation;
 *  - conf_kept     = softmax probability of the target with every other position set to
 *                    pad_id (the kept words alone);
 *  - conf_removed  = the same with the kept words set to pad_id (the text without them);
 *    a good explanation has high conf_kept and low conf_removed;
 *  - verified      = 1 when the kept words alone keep every chosen first-layer neuron above
 *                    gamma times its value (verify.h), the property smug's mask guarantees;
 *  - seconds       = wall time of the method's own work (smug and smug_base include their
 *                    shared IG and neuron selection; the metrics above are not counted).
 * Only window 1 (one word a cell; 0 = auto) is accepted: USAGE otherwise.
 *
 * A method that fails on this input (a solver without a verified mask, no SIS because the
 * full text is below τ, ig without a smug mask) is data: ok = 0, note says why, numbers NaN.
 * Errors (-1): USAGE/UNSUPPORTED for settings no input satisfies, NOMEM, forward failures.
 * Ownership: *out is the caller's; smug_text_eval_input_clear releases its arrays (also
 * after a failure).
 */
#ifndef SMUG_TEXT_EVAL_H
#define SMUG_TEXT_EVAL_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/evaluate.h"
#include "smug/net.h"
#include "smug/params.h"
#include "smug/registry.h"

/* 1 for the methods that run on text (smug, smug_base, ig, sis). */
int smug_text_method_ok(int m);

/* The text methods from --methods: list NULL means all four; a list naming an image-only
 * method, or ig without smug, is USAGE. out_on[SMUG_EVAL_N_METHODS]. */
int smug_text_methods_parse(const char *list, uint8_t *out_on, smug_error *err);

typedef struct smug_text_eval_result {
    int ran, ok;
    char note[200];
    uint8_t *kept; /* [len] 1 = position kept (seen positions only) (owned) */
    float *score;  /* [len] the method's word scores, for highlighting (owned) */
    int n_kept;
    double sparsity, conf_kept, conf_removed; /* NaN when !ok */
    int verified;
    double seconds;
} smug_text_eval_result;

typedef struct smug_text_eval_input {
    int predicted, target;
    double confidence; /* softmax probability of the target on the whole text */
    int len, n_seen;   /* positions the model reads; of them not padding */
    int n_neurons;     /* chosen neurons (top_k) */
    smug_text_eval_result r[SMUG_EVAL_N_METHODS];
} smug_text_eval_input;

/* Runs the methods on[] on the token ids x (size(net->input)). solver: for smug only. */
int smug_evaluate_text(const smug_net *net, const float *x, const smug_params *params,
                       const smug_solver *solver, const uint8_t *on, smug_eval_progress progress,
                       void *progress_arg, smug_text_eval_input *out, smug_error *err);

void smug_text_eval_input_clear(smug_text_eval_input *e);

#endif
