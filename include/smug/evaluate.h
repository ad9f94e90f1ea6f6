/* evaluate.h — every explanation method of `smug eval` on one input: an image scored by
 * LSC (issue #5) or a token sequence scored by what the model still believes from the kept
 * words (issue #6). One driver (run/evaluate.c) runs both; what differs between the two
 * kinds of input (which methods apply, how a method's result is measured) lives in
 * run/eval_image.c and run/eval_text.c behind one table of callbacks (eval_internal.h).
 *
 * Methods (the order of the table's columns and of smug_eval_method):
 *  - smug       SMUG: the solver's minimal mask × the SMUG_base map (pipeline.h);
 *  - smug_base  SMUG_base: the same neurons, every cell some chosen neuron sees
 *               (strategy `base`): the map of score.h, no solver;
 *  - ig         Integrated Gradients w.r.t. the input (ig.h), summed over channels;
 *  - grad       plain gradient: |∂F/∂x| of the target, largest over channels (Simonyan
 *               et al. 2014);
 *  - gradcam    Grad-CAM on the conv layer params.gradcam_layer (gradcam.h); conv models only;
 *  - sis        Sufficient Input Subsets on the params.window grid, τ = params.sis_threshold;
 *  - prunegrad  PruneGrad (prunegrad.h, keep = params.prune_keep): the pruned network's input
 *               gradient, largest magnitude over channels (as grad);
 *  - centerbox, maxbox, optbox  boxes without a map (lsc.h); optbox on a params.optbox_grid
 *               grid is a lower bound on LSC for boxes of that grid, not an explanation.
 * F is the target's logit or probability as params.ig_output says; the target is the
 * predicted class (or params.target).
 *
 * Images. LSC (lsc.h): map methods by smug_lsc_map with params.lsc_levels levels, boxes by
 * their own function. Sparsity, the fraction of the image's pixels the explanation keeps:
 * smug and smug_base their cell mask (the solver's mask; every cell a chosen neuron sees),
 * sis its subset, and methods without a mask (ig, grad, gradcam and the boxes) the area of
 * their LSC box — what LSC kept of the image. has_mask tells which one a number is.
 *
 * Text (a token model: net->input_is_tokens). LSC and its boxes measure crops of an image; a
 * text has no crop, so only smug, smug_base, ig and sis apply, and differently:
 *  - smug       the solver's minimal word mask, one word a cell;
 *  - smug_base  every word some chosen neuron sees (no solver);
 *  - ig         Integrated Gradients w.r.t. the embedding output against the zero embedding,
 *               summed per token (smug_ig_tokens); its kept words are the top-K by score,
 *               K = the number smug kept on this input (ties: the earlier word). Needs smug
 *               on the same input: without a smug mask ig is not ok;
 *  - sis        Sufficient Input Subsets over token cells, a removed token replaced by pad_id.
 * A removed word is always replaced by pad_id, whose embedding row must be zero (checked:
 * UNSUPPORTED otherwise). Metrics (seen words: the positions whose id is not pad_id):
 * sparsity = kept words / seen words; conf_kept = softmax probability of the target with
 * every other position set to pad_id; conf_removed = the same with the kept words set to
 * pad_id; verified = 1 when the kept words alone keep every chosen first-layer neuron above
 * gamma times its value (verify.h). Only window 1 (0 = auto) is accepted: USAGE otherwise.
 *
 * Seconds: wall time of the method's own work (for smug and smug_base including the IG and
 * neuron selection they share), not of its measurement.
 *
 * A method that fails on this input (a solver whose mask fails verification, a target
 * without any SIS, ig on text without a smug mask, …) is data: ok = 0, note says why, its
 * numbers NaN; the call still succeeds.
 * Errors (-1): USAGE/UNSUPPORTED for settings no input can satisfy (gradcam on a dense model,
 * a bad grid, an image method on text), NOMEM, and forward/backward failures; the message
 * names the method.
 * Ownership: *out is the caller's; free its arrays with smug_eval_input_clear, also after a
 * failure.
 */
#ifndef SMUG_EVALUATE_H
#define SMUG_EVALUATE_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/lsc.h"
#include "smug/net.h"
#include "smug/params.h"
#include "smug/registry.h"

typedef enum {
    SMUG_EVAL_SMUG,
    SMUG_EVAL_SMUG_BASE,
    SMUG_EVAL_IG,
    SMUG_EVAL_GRAD,
    SMUG_EVAL_GRADCAM,
    SMUG_EVAL_SIS,
    SMUG_EVAL_PRUNEGRAD,
    SMUG_EVAL_CENTERBOX,
    SMUG_EVAL_MAXBOX,
    SMUG_EVAL_OPTBOX,
    SMUG_EVAL_N_METHODS
} smug_eval_method;

/* "smug", "smug_base", … ; "?" out of range. */
const char *smug_eval_method_name(int m);

/* The method named `name`, or -1. */
int smug_eval_method_find(const char *name);

/* 1 for methods with a saliency map (not the boxes). */
int smug_eval_method_has_map(int m);

/* 1 for the methods that run on text (smug, smug_base, ig, sis). */
int smug_eval_method_text(int m);

/* Parses a comma-separated list ("smug,ig,optbox"; "all" = every method) into
 * out_on[SMUG_EVAL_N_METHODS]. USAGE on an unknown or repeated name, or an empty list. */
int smug_eval_methods_parse(const char *list, uint8_t *out_on, smug_error *err);

/* The text methods from --methods: list NULL means all four; a list naming an image-only
 * method, or ig without smug, is USAGE. out_on[SMUG_EVAL_N_METHODS]. */
int smug_eval_methods_parse_text(const char *list, uint8_t *out_on, smug_error *err);

#define SMUG_EVAL_MAX_RHO 32 /* randomisation steps reported (the top layers first) */

typedef struct smug_eval_result {
    int ran;         /* the method was asked for */
    int ok;          /* it produced an explanation and its measurements */
    char note[200];  /* why not ok, or a remark (solver status, "no SIS") */
    double sparsity; /* images: fraction of the pixels kept; text: kept / seen words; NaN
                        when !ok */
    double seconds;
    /* images */
    float *map;          /* [h·w] saliency map, NULL for the boxes (owned) */
    int has_mask;        /* sparsity is a mask's; 0: the LSC box's area */
    smug_lsc_result lsc; /* lsc.lsc is NaN when !ok */
    /* map methods that are ok: deletion and insertion curves (curves.h) over the
     * params.window grid, params.curve_steps steps, cells set to params.baseline; NaN AUCs
     * and curve_n 0 for the boxes and failed methods. The arrays are owned. */
    double auc_del, auc_ins;
    int curve_n;
    double *curve_frac, *curve_del, *curve_ins; /* [curve_n] */
    /* params.sanity: rho[s] = Spearman correlation of the map with the map of the same
     * method on the model with its s + 1 parameterised layers nearest the output
     * randomised (sanity.h); NaN where the method failed there. n_rho 0: not run. */
    int n_rho;
    double rho[SMUG_EVAL_MAX_RHO];
    /* text */
    uint8_t *kept; /* [len] 1 = position kept (seen positions only) (owned) */
    float *score;  /* [len] the method's word scores, for highlighting (owned) */
    int n_kept;
    double conf_kept, conf_removed; /* NaN when !ok */
    int verified;
} smug_eval_result;

typedef struct smug_eval_input {
    int text; /* a token model: the text fields are filled, the image ones are not */
    int predicted, target;
    double confidence; /* softmax probability of the target on the full input */
    int h, w;          /* images: map size (score.h's view of the input) */
    int len, n_seen;   /* text: positions the model reads; of them not padding */
    int n_neurons;     /* text: chosen neurons (top_k) */
    smug_eval_result r[SMUG_EVAL_N_METHODS];
} smug_eval_input;

/* Callback before each method starts (progress lines); may be NULL. */
typedef void (*smug_eval_progress)(void *arg, int method);

/* Runs the methods on[] on x (model-input space, size(net->input): pixels, or token ids of a
 * token model), in method order, progress (if not NULL) before each. solver: used by smug
 * only (may be NULL when smug is off). */
int smug_evaluate(const smug_net *net, const float *x, const smug_params *params,
                  const smug_solver *solver, const uint8_t *on, smug_eval_progress progress,
                  void *progress_arg, smug_eval_input *out, smug_error *err);

void smug_eval_input_clear(smug_eval_input *e);

#endif
