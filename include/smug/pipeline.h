/* pipeline.h — one input through smug's stages (design §1, run/pipeline.c).
 *
 * forward pass → IG w.r.t. the first-layer neurons → top-k selection (smug_pipeline_neurons)
 * → encode → bounds → solve → verify → saliency (smug_pipeline_mask). This is the one place
 * where the stages meet; they pass plain values (neuron ids, the mask problem, a cell mask).
 */
#ifndef SMUG_PIPELINE_H
#define SMUG_PIPELINE_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/ig.h"
#include "smug/net.h"
#include "smug/params.h"
#include "smug/bounds.h"
#include "smug/problem.h"
#include "smug/registry.h"
#include "smug/strategy.h"
#include "smug/verify.h"

typedef struct smug_explanation {
    int predicted;    /* argmax of the logits */
    int target;       /* the class explained */
    float confidence; /* softmax probability of the target */
    float *logits;    /* [n_classes] */
    size_t n_first;   /* first-layer neurons */
    float *first_pre; /* [n_first] pre-activations o_j */
    float *ig_first;  /* [n_first] IG of each neuron */
    int *neurons;     /* chosen neurons, by decreasing IG */
    int n_neurons;
    smug_ig_check check; /* completeness of ig_first */
    double seconds_ig;
    double deadline; /* the input's one deadline (smug_now clock): smug_pipeline_neurons sets
                        its start + timeout and every later stage stops by it; 0: the mask
                        stages start their own (eval, where several methods share e) */
} smug_explanation;

/* Runs the model stages on x (model-input space). *out is the caller's: free its arrays
 * with smug_explanation_clear, also after a failure. */
int smug_pipeline_neurons(const smug_net *net, const float *x, const smug_params *params,
                          smug_explanation *out, smug_error *err);

void smug_explanation_clear(smug_explanation *e);

/* The class to explain: `requested` (the target parameter) or, when it is -1, the argmax of
 * logits. A class outside the model's output is a usage error. */
int smug_pipeline_target(const smug_net *net, const float *logits, int requested, int *out_target,
                         smug_error *err);

typedef struct smug_mask_result {
    smug_mask_problem *problem; /* rows and variables (owned) */
    smug_bounds bounds;
    smug_solve_result solve;
    smug_verdict verdict;
    uint8_t *cells;  /* [grid.n_cells] the final mask (1 = kept) */
    float *base_map; /* [h·w] SMUG_base saliency (IG of covering neurons) */
    float *saliency; /* [h·w] base_map × mask: the SMUG map */
    int map_h, map_w;
    double seconds_encode, seconds_solve, seconds_verify;
    /* --net-encoding full (problem->pl set): class_proved is 1 when the mask keeps the target
     * by the margin in the encoding (smug re-evaluates it in double: class_margin, the
     * target logit minus the largest other) and the float32 forward pass agrees; otherwise
     * class_note says which of the two failed. Never set for the first-layer encoding. */
    int class_proved;
    double class_margin;
    char class_note[320];
    char note[512]; /* the stages before the solver that the deadline or numerical trouble
                       cut ("IG: 40 of 200 path points by the deadline", bounds.h's note);
                       report.json's note starts with it */
} smug_mask_result;

/* The mask stages for one input whose neurons e already chose. Solver misbehaviour is
 * reported in out->solve (status, note); a mask that fails the forward-pass verification,
 * or a confirming solver (confirm, NULL for none: strategy.h) that disagrees, is an error
 * (SMUG_ERR_SOLVER naming the neuron or both solvers). *out is the caller's
 * (smug_mask_result_clear), also after a failure. */
int smug_pipeline_mask(const smug_net *net, const float *x, const smug_params *params,
                       const smug_explanation *e, const smug_solver *solver,
                       const smug_solver *confirm, smug_mask_result *out, smug_error *err);

void smug_mask_result_clear(smug_mask_result *r);
/* smug_pipeline_mask (no confirming solver) for callers that go on to the next input
 * (eval): a solver failure
 * (SMUG_ERR_SOLVER: a misbehaving solver; SMUG_ERR_CHECK: a mask failing the forward check) is
 * written to note[n], *out is freed and 1 returned; any other failure (a setting or resource
 * problem every input would hit) returns -1 with err set; 0 on success. */
int smug_pipeline_mask_or_note(const smug_net *net, const float *x, const smug_params *params,
                               const smug_explanation *e, const smug_solver *solver,
                               smug_mask_result *out, char *note, size_t n, smug_error *err);
/* The stages of smug_pipeline_mask one by one, for callers that solve elsewhere (bundle.h):
 * smug_pipeline_problem fills out->problem and out->bounds (encode, bounds, a short GLPK
 * incumbent search; with --net-encoding full, the whole network attached (fullnet.h) and
 * the all-cells incumbent instead, as the row-only facts do not hold there) by `deadline`
 * (smug_now clock; 0: none, the GLPK search then takes a share of params->timeout); the
 * caller fills out->solve (mask over variables, size, status…); smug_pipeline_finish expands
 * it to cells, verifies it by a forward pass (an error naming the neuron when it fails) and
 * computes the saliency maps. */
int smug_pipeline_problem(const smug_net *net, const float *x, const smug_params *params,
                          const int *neurons, int k, double deadline, smug_mask_result *out,
                          smug_error *err);
int smug_pipeline_finish(const smug_net *net, const float *x, const smug_params *params,
                         const smug_explanation *e, const char *solver_name, smug_mask_result *out,
                         smug_error *err);

/* Seconds on a monotonic clock, for stage timings: smug_process_now, the clock of solver
 * deadlines, under the name the run stages use. */
double smug_now(void);

#endif
