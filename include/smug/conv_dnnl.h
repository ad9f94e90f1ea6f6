/* conv_dnnl.h — one convolution layer through oneDNN (Debian's libdnnl, the library
 * PyTorch's CPU convolutions use): forward and input gradient in the blocked memory
 * formats its JIT kernels want, with reorders from and to smug's NCHW at the edges.
 *
 * A smug_dnnl_conv is made once per layer and reused: the weights are reordered into the
 * kernel's layout once, and the primitives are made for one batch size at a time (made
 * again when the batch changes; oneDNN caches the compiled kernels). conv.h decides when
 * this route is taken; nothing else calls it.
 *
 * Units: x [batch x size(l->in)], y [batch x size(l->out)], float32, NCHW per example.
 * Scratch: the caller passes `scratch` of smug_dnnl_conv_scratch_bytes(c, batch) bytes
 * (the blocked copies of input and output), aligned to 64 bytes; it may be shared by
 * every layer of a pass. Ownership: the conv borrows l (keep the net alive); free with
 * smug_dnnl_conv_free. Errors: UNSUPPORTED when oneDNN has no implementation for the
 * shape, NOMEM, INTERNAL for any other oneDNN status, each naming the layer.
 */
#ifndef SMUG_CONV_DNNL_H
#define SMUG_CONV_DNNL_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/net.h"

typedef struct smug_dnnl_conv smug_dnnl_conv;

/* Prepares layer l (kind CONV) for batches of `batch` examples. winograd: use oneDNN's
 * Winograd F(4x4, 3x3) kernels where they apply (3x3, stride 1, no dilation or groups), the
 * direct ones elsewhere; 0: direct only. */
int smug_dnnl_conv_init(const smug_layer *l, int batch, int winograd, smug_dnnl_conv **out,
                        smug_error *err);

/* Bytes of scratch a call with `batch` examples needs (0 when no reorder is needed). */
size_t smug_dnnl_conv_scratch_bytes(smug_dnnl_conv *c, int batch, smug_error *err);

/* y = conv(x) + bias. */
int smug_dnnl_conv_forward(smug_dnnl_conv *c, const float *x, int batch, float *y, void *scratch,
                           smug_error *err);

/* gin = the input gradient for output gradient g (overwrites gin). */
int smug_dnnl_conv_backward(smug_dnnl_conv *c, const float *g, int batch, float *gin, void *scratch,
                            smug_error *err);

/* The implementations oneDNN chose, e.g. "jit:avx512_core / jit:avx512_core" (bench). */
const char *smug_dnnl_conv_impl(const smug_dnnl_conv *c);

void smug_dnnl_conv_free(smug_dnnl_conv *c);

#endif
