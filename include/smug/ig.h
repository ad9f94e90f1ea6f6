/* ig.h — Integrated Gradients (Sundararajan et al. 2017), batched over the path.
 *
 * IG_j = (x_j − b_j) · (1/m) Σ_{i<m} ∂F/∂x_j (b + α_i (x − b)),  α_i = (i + ½)/m
 * (the midpoint rule: exact for piecewise-linear F as m grows, and error O(1/m²) on smooth
 * stretches). Completeness: Σ_j IG_j ≈ F(x) − F(b); smug_ig_check reports both sides.
 *
 * Two uses (design §1):
 *  - first layer: x is the first layer's post-activation output h (the ReLU after the first
 *    Dense/Conv, or its pre-activation when no ReLU follows), b = 0, F = the rest of the
 *    network. These attributions pick SMUG's neurons.
 *  - input: x is the model input, b a constant baseline (0 by default), F the whole network:
 *    the IG baseline method.
 *  - tokens (a model whose first layer is an embedding; token ids have no gradient): x is the
 *    embedding output E[ids], b = 0 (the zero embedding, which is the pad row of a table
 *    trained with padding_idx), F the layers after the embedding; each token position's
 *    attribution is the sum over its embedding dimensions, the usual IG for text
 *    (Sundararajan et al. 2017, §6.3).
 * F is the target class's logit, or its softmax probability when opts.prob is set (as the
 * original SMUG code did).
 */
#ifndef SMUG_IG_H
#define SMUG_IG_H

#include "smug/error.h"
#include "smug/net.h"

typedef struct smug_ig_opts {
    int steps;       /* m >= 1 */
    int target;      /* class index */
    int prob;        /* 1: attribute the softmax probability instead of the logit */
    float baseline;  /* input IG: every baseline element (first-layer IG always uses 0) */
    int chunk;       /* path points per batched pass; 0: as many as `budget` holds */
    size_t budget;   /* bytes of working memory for the batched passes; 0: the default, an
                        eighth of physical memory, 64 to 128 MiB (params.def ig_memory) */
    double deadline; /* absolute CLOCK_MONOTONIC seconds (smug_process_now's clock), 0: none.
                        A batch (after the first) starts only when the mean batch time so
                        far says it ends by then; else the path stops and IG is the midpoint sum
                        over the points done (check.steps_done says how many): the batches
                        then take every nb-th point, so a cut IG is a coarser sum over the
                        whole path, not the first stretch of it */
} smug_ig_opts;

#define SMUG_IG_OPTS_INIT                                                                          \
    {                                                                                              \
        300, 0, 0, 0.0f, 0, 0, 0.0                                                                 \
    }

typedef struct smug_ig_check {
    double sum;     /* Σ attributions */
    double f_x;     /* F at the explained point */
    double f_base;  /* F at the baseline */
    int steps_done; /* path points summed: opts.steps, fewer when the deadline cut it */
} smug_ig_check;

/* IG w.r.t. the first-layer neurons. out_attr: [size of first layer output];
 * out_act (optional): the post-activation values h it attributed. */
int smug_ig_first(const smug_net *net, const float *x, const smug_ig_opts *opts, float *out_attr,
                  float *out_act, smug_ig_check *out_check, smug_error *err);

/* IG w.r.t. the model input. out_attr: [size of net->input]. */
int smug_ig_input(const smug_net *net, const float *x, const smug_ig_opts *opts, float *out_attr,
                  smug_ig_check *out_check, smug_error *err);

/* IG w.r.t. the embedding output, summed per token position. ids: the model input (token
 * ids as floats); out_attr: [size of net->input], one value per position (0 where the
 * embedding row is zero, e.g. padding). out_check compares Σ out_attr with F(E[ids]) − F(0).
 * UNSUPPORTED when the model does not start with an embedding. */
int smug_ig_tokens(const smug_net *net, const float *ids, const smug_ig_opts *opts, float *out_attr,
                   smug_ig_check *out_check, smug_error *err);

#endif
