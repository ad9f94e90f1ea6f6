/* prunegrad.h — PruneGrad attribution (explain/prunegrad.c; Khakzar et al., "Explaining
 * Neural Networks via Perturbing Important Learned Features", issue #16).
 *
 * The method: (1) prune the hidden neurons that matter little for the target output F (the
 * target's logit, or its softmax probability with prob = 1), then (2) take the local input
 * perturbation that increases F most in the pruned network; the attribution is that
 * perturbation. What smug implements, exactly:
 *  - Hidden layers: the first layer's neurons (the output of net->first_out) and the output
 *    of every later ReLU after which the network is a cut (net.h: smug_net_is_cut), except
 *    one feeding the output directly. A ReLU inside a residual block (not a cut) is not
 *    pruned.
 *  - Importance of neuron i of hidden layer L: the first-order Taylor estimate of F's change
 *    when the neuron is removed, |a_i · ∂F/∂a_i| (a: its activation on x), with ∂F/∂a taken
 *    in the network already pruned at the layers after L. Layers are pruned one by one
 *    from the output towards the input.
 *  - Pruning keeps, in each hidden layer, the ceil(keep · n) neurons of largest importance
 *    (equal importance: lower index first) and sets the others' outputs to 0.
 *  - Perturbation: the gradient ∂F/∂x of the pruned network at x (a forward pass with the
 *    pruned outputs held at 0, then backward): to first order, the direction of the small
 *    L2 perturbation that increases F most. out_grad is that gradient.
 * Not implemented: the paper's other perturbation solvers; pruning of non-cut layers.
 *
 * First-layer neurons (for `--select prunegrad`): out_first_importance gets the signed
 * Taylor term a_j · ∂F/∂a_j of every first-layer neuron (in the network pruned after the
 * first layer) and out_first_kept whether it survived pruning.
 * Errors: UNSUPPORTED for token models (ids have no gradient), NOMEM, forward failures.
 * Ownership: outputs are the caller's arrays.
 */
#ifndef SMUG_PRUNEGRAD_H
#define SMUG_PRUNEGRAD_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/net.h"

typedef struct smug_prunegrad_opts {
    int target;  /* class */
    int prob;    /* 0: F is the logit; 1: its softmax probability */
    double keep; /* fraction of each hidden layer's neurons kept, in (0, 1] */
} smug_prunegrad_opts;

#define SMUG_PRUNEGRAD_OPTS_INIT                                                                   \
    {                                                                                              \
        0, 0, 0.5                                                                                  \
    }

/* x: [size(net->input)]. out_grad: [size(net->input)]. out_first_importance,
 * out_first_kept: [smug_net_first_size(net)] or NULL. out_layers (may be NULL): how many
 * hidden layers were pruned. */
int smug_prunegrad(const smug_net *net, const float *x, const smug_prunegrad_opts *o,
                   float *out_grad, float *out_first_importance, uint8_t *out_first_kept,
                   int *out_layers, smug_error *err);

/* The pruning rule alone: keep[n] = 1 for the ceil(keep · n) largest importance[n]
 * (ties: lower index). Returns how many are kept, -1 when out of memory. */
int smug_prunegrad_keep(const float *importance, size_t n, double keep, uint8_t *out_keep);

#endif
