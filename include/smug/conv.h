/* conv.h — convolution forward and input gradient, the one place that decides how.
 *
 * Today: im2col + one OpenBLAS GEMM per block of examples and group (im2col.h), and direct
 * loops for depthwise convolutions (one input channel per group), where a GEMM of one row
 * would be all overhead. Another route (oneDNN, a Winograd kernel) replaces these two
 * functions and nothing else.
 *
 * Units: x [batch x size(l->in)], y [batch x size(l->out)], row-major, NCHW per example.
 * Errors: NOMEM (scratch buffers), naming the layer.
 */
#ifndef SMUG_CONV_H
#define SMUG_CONV_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/net.h"

/* y = conv(x) + bias for every example. */
int smug_conv_forward(const smug_layer *l, const float *x, int batch, float *y, smug_error *err);

/* gin = ∂(Σ g·y)/∂x: the input gradient for output gradient g (overwrites gin). */
int smug_conv_backward(const smug_layer *l, const float *g, int batch, float *gin, smug_error *err);

/* How many examples one im2col block unrolls (forward and backward). */
int smug_conv_block(const smug_layer *l);

/* Scratch floats per example the conv needs beyond its input and output (IG sizes its
 * batches with it). */
size_t smug_conv_scratch_floats(const smug_layer *l);

#endif
