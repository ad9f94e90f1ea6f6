/* backward.h — gradients through a recorded forward pass (reverse-mode chain rule).
 *
 * Given dF/d(output) for each example of a smug_trace, computes dF/d(input) of the trace's
 * input (the tensor before its first layer). Layers are visited in reverse order; where a
 * tensor feeds several layers (a residual connection) their gradients add up. Used for
 * Integrated Gradients w.r.t. the first-layer neurons (trace starts after the first layer)
 * and w.r.t. the model input (trace starts at layer 0). ReLU's derivative at exactly 0 is
 * taken as 0, as torch does; Clip's is 0 at its bounds, as torch's ReLU6.
 */
#ifndef SMUG_BACKWARD_H
#define SMUG_BACKWARD_H

#include "smug/error.h"
#include "smug/forward.h"

/* grad_out: [batch x size(output of layer to-1)]; out_grad_in: [batch x size(input of layer
 * from)], caller-allocated. Fails (UNSUPPORTED) through an embedding: token ids have no
 * gradient. */
int smug_backward(smug_trace *t, const float *grad_out, float *out_grad_in, smug_error *err);

/* Seeds dF/dlogits for target class c on each row of logits [batch x n]: with prob = 0
 * F is the logit (seed e_c); with prob = 1 F is the softmax probability p_c
 * (seed p_c(e_c − p)). */
void smug_logit_seed(const float *logits, int batch, int n, int c, int prob, float *out_seed);

/* Plain gradient dF/dx of target c at one input x: out_grad [size(input)]; out_value gets
 * F(x) (may be NULL). */
int smug_grad_input(const smug_net *net, const float *x, int target, int prob, float *out_grad,
                    float *out_value, smug_error *err);

/* The same for the network from layer `from` on, at x = the input of that layer (e.g. the
 * first-layer activations with from = net->first_out + 1). */
int smug_grad_from(const smug_net *net, int from, const float *x, int target, int prob,
                   float *out_grad, float *out_value, smug_error *err);

#endif
