/* conv.h — convolution forward and input gradient, the one place that decides how.
 *
 * Two routes (README, "Speed" has the measurements that chose between them):
 *  - oneDNN (conv_dnnl.h): JIT kernels in blocked memory formats, reorders at the edges.
 *    About twice as fast as the GEMM route on every layer kind of resnet18, googlenet and
 *    mobilenet_v2 (3x3, 1x1, strided, depthwise), so it is the default; 3x3 stride-1
 *    layers with at least SMUG_CONV_WINOGRAD_MIN_CHANNELS channels in and out and maps of
 *    at least SMUG_CONV_WINOGRAD_MIN_SIDE a side (most of
 *    resnet18's and googlenet's work) take its Winograd F(4x4, 3x3) kernels, twice as
 *    fast again, agreeing with the direct ones to ~5e-6 (but breaking exact MaxPool ties
 *    by tile position, hence not on narrow layers, where it gains little anyway).
 *  - im2col + one OpenBLAS GEMM per block of examples and group (im2col.h), with direct
 *    loops for depthwise convolutions; taken when oneDNN has no implementation for a layer,
 *    and kept as the reference the tests compare oneDNN with.
 *
 * A smug_conv is one layer prepared for repeated batches (weights in the kernel's layout,
 * primitives made once): a smug_trace (forward.h) holds one per Conv layer.
 *
 * Units: x [batch x size(l->in)], y [batch x size(l->out)], row-major, NCHW per example.
 * Scratch: each call takes `scratch` of smug_conv_scratch_bytes(c) bytes, 64-byte
 * aligned, enough for any batch up to the one given at init; it may be shared between the
 * layers of a pass. Ownership: a smug_conv borrows l (keep the net alive); free it with
 * smug_conv_free. Errors: NOMEM, INTERNAL (oneDNN), naming the layer.
 */
#ifndef SMUG_CONV_H
#define SMUG_CONV_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/net.h"

#define SMUG_CONV_WINOGRAD_MIN_CHANNELS 64 /* in and out */
#define SMUG_CONV_WINOGRAD_MIN_SIDE     14 /* output height and width */

typedef enum {
    SMUG_CONV_AUTO,    /* oneDNN (Winograd on wide 3x3 stride-1 layers), or the GEMM
                          route where oneDNN declines the layer */
    SMUG_CONV_GEMM,    /* im2col + OpenBLAS (depthwise: direct loops) */
    SMUG_CONV_DNNL,    /* oneDNN's direct kernels only: UNSUPPORTED where it declines */
    SMUG_CONV_WINOGRAD /* oneDNN, Winograd where it applies and direct elsewhere */
} smug_conv_route;

typedef struct smug_conv smug_conv;

/* Prepares conv layer l for batches of up to max_batch examples. */
int smug_conv_init(const smug_layer *l, int max_batch, smug_conv_route route, smug_conv **out,
                   smug_error *err);

/* Scratch bytes every call needs (batch <= max_batch). */
size_t smug_conv_scratch_bytes(const smug_conv *c);

/* y = conv(x) + bias for every example. */
int smug_conv_forward(smug_conv *c, const float *x, int batch, float *y, void *scratch,
                      smug_error *err);

/* gin = ∂(Σ g·y)/∂x: the input gradient for output gradient g (overwrites gin). */
int smug_conv_backward(smug_conv *c, const float *g, int batch, float *gin, void *scratch,
                       smug_error *err);

/* What runs the layer: "oneDNN <implementation>" or "im2col+OpenBLAS" / "direct loops". */
const char *smug_conv_describe(const smug_conv *c);

void smug_conv_free(smug_conv *c);

#endif
