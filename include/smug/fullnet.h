/* fullnet.h — the whole network as constraints over the mask (issue #16, mask/fullnet.c).
 *
 * The first-layer encoding (encode.h) constrains k first-layer neurons only, so a valid mask
 * may change the predicted class. The full-net encoding, as in the original SMUG code, puts
 * the whole network in the solver: every masked input value is m_c · z_p, every neuron's
 * pre-activation an affine expression of the previous layer, every ReLU a case split (ite)
 * unless interval propagation over m ∈ [0, 1]^n proves it always on or always off, every
 * MaxPool output the maximum of its window, and the target logit at least delta above every
 * other logit. The first-layer rows stay, so a mask means what it means with the first-layer
 * encoding, and also "keeps the class, proved" (for the network with the exact weights smug
 * holds, in exact arithmetic: delta is the room left for float32 rounding).
 *
 * Layers after the first that it encodes: Dense (Gemm/MatMul), Conv (any group, stride,
 * padding, dilation), ReLU, MaxPool, AveragePool, GlobalAveragePool, Flatten/Reshape, the
 * per-element scale and shift of a folded BatchNormalization (Affine), and Add/Sub of two
 * tensors of one shape. Any other layer is refused with a one-line error naming it.
 * Bounds: interval arithmetic in double, each widened by 1e-9 of the magnitudes summed, so
 * that a rounding error cannot make an unstable ReLU look stable.
 */
#ifndef SMUG_FULLNET_H
#define SMUG_FULLNET_H

#include "smug/error.h"
#include "smug/net.h"
#include "smug/problem.h"

/* Attaches the network to *p (from smug_encode on the same net and x): *p is replaced by a
 * problem with the same rows whose variables are every cell with a nonzero first-layer
 * input value (a cell no chosen neuron sees still moves the logits), and whose pl holds the
 * network (problem.h). target: the class that must stay on top; delta > 0 its margin.
 * Fails with UNSUPPORTED naming the first layer it cannot encode, and with USAGE when the
 * unmasked input itself does not have the target delta above every other class (then no
 * mask can keep it). The old *p is freed on success and left alone on failure. */
int smug_fullnet_attach(const smug_net *net, const float *x, int target, double delta,
                        smug_mask_problem **p, smug_error *err);

/* Interval bounds of every activation from the first layer on, over every real mask
 * m ∈ [0, 1]^cells of a window×window grid (window 0: smug_net_window's default): out_lo and
 * out_hi receive arrays laid out as the outputs of layers first, first+1, …, n_layers−1
 * one after another (each smug_shape_size(out) values). The caller frees both with free().
 * For tests and for seeing where the ReLUs are unstable. */
int smug_fullnet_intervals(const smug_net *net, const float *x, int window, double **out_lo,
                           double **out_hi, smug_error *err);

/* Counts of the encoding, for the console and the bench: nodes, ReLU case splits, max nodes. */
void smug_fullnet_counts(const smug_pl_net *pl, int *out_nodes, int *out_relu, int *out_max);

#endif
