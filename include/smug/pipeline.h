/* pipeline.h — one input through smug's stages (design §1, run/pipeline.c).
 *
 * Today the stages are: forward pass → IG w.r.t. the first-layer neurons → top-k
 * selection. The mask stages (encode → bounds → solve → verify → score) plug in here as
 * they land; this is the one place where the stages meet.
 */
#ifndef SMUG_PIPELINE_H
#define SMUG_PIPELINE_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/ig.h"
#include "smug/net.h"
#include "smug/params.h"

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
} smug_explanation;

/* Runs the model stages on x (model-input space). *out is the caller's: free its arrays
 * with smug_explanation_free, also after a failure. */
int smug_pipeline_neurons(const smug_net *net, const float *x, const smug_params *params,
                          smug_explanation *out, smug_error *err);

void smug_explanation_free(smug_explanation *e);

/* The class to explain: `requested` (the target parameter) or, when it is -1, the argmax of
 * logits. A class outside the model's output is a usage error. */
int smug_pipeline_target(const smug_net *net, const float *logits, int requested, int *out_target,
                         smug_error *err);

/* Seconds on a monotonic clock, for stage timings. */
double smug_now(void);

#endif
