/* encode.h — network, input, chosen neurons and grid → the mask problem (design §2).
 *
 * One pass over each chosen neuron's receptive field computes its row a_j· (Dense: all of
 * the first layer's input; Conv: kernel window, all input channels, honouring padding and
 * stride). Neurons whose unmasked pre-activation is not positive get no row.
 */
#ifndef SMUG_ENCODE_H
#define SMUG_ENCODE_H

#include "smug/error.h"
#include "smug/net.h"
#include "smug/problem.h"

/* x: model input [size(net->input)]; neurons[k]: first-layer neuron ids; window: cell side
 * (0: smug_net_window's default for the model).
 * *out is the caller's (smug_mask_problem_free). Fails when no chosen neuron has a positive
 * pre-activation.
 *
 * Token models (x: token ids as floats): the grid lies over the L token positions, so a
 * cell is `window` consecutive tokens (window 1: one token, as SMUG's text experiments) with
 * all their embedding dimensions; a masked token's embedding becomes zeros. Padding
 * positions are cells too, but the padding row of an embedding trained with padding_idx is
 * zero (as in models/debian_text.onnx), so their coefficients are 0 and, like any cell no
 * row touches, they are not variables. */
int smug_encode(const smug_net *net, const float *x, const int *neurons, int k, double gamma,
                int window, smug_mask_problem **out, smug_error *err);

/* The first layer's input z for x (the model input after the preprocessing layers):
 * out_z [size(layers[first].in)]. */
int smug_encode_first_input(const smug_net *net, const float *x, float *out_z, smug_error *err);

#endif
