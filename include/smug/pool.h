/* pool.h — MaxPool and AveragePool over (C, H, W) or (C, L), forward and input gradient.
 *
 * Windows follow smug_window: strides, asymmetric pads, dilations; with ceil_mode the last
 * window may hang over the end (the loader sized the output). MaxPool records, per output,
 * the winning input index within the example (the first maximum in row-major window order;
 * padding never wins; -1 when a window sees only padding, whose output is 0), and its
 * gradient goes there. AveragePool divides by the taps inside the input, or with
 * count_include_pad by the taps inside the padded input (PyTorch's rule at a ceil_mode edge).
 *
 * Units: x [batch x size(in)], y [batch x size(out)], argmax [batch x size(out)].
 */
#ifndef SMUG_POOL_H
#define SMUG_POOL_H

#include "smug/net.h"

void smug_pool_forward(const smug_layer *l, const float *x, int batch, float *y, int *argmax);

/* gin (overwritten) from g; MaxPool uses the argmax of its forward pass. */
void smug_pool_backward(const smug_layer *l, const float *g, const int *argmax, int batch,
                        float *gin);

#endif
