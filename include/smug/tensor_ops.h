/* tensor_ops.h — forward and input gradient of the layers that are neither linear maps nor
 * windows: Add/Sub/Mul/Div of two tensors with broadcasting, Concat, Clip, Sigmoid, Pad,
 * Softmax and ReduceMean (net.h describes each kind).
 *
 * Every function works on a batch: a tensor is [batch x size(shape)], each example in ONNX
 * order. `ins` and `shapes` are the layer's inputs in src order. Backward functions overwrite
 * `gin`, the gradient with respect to input j, from g, the gradient of the output `y`.
 */
#ifndef SMUG_TENSOR_OPS_H
#define SMUG_TENSOR_OPS_H

#include "smug/net.h"

void smug_tensor_forward(const smug_layer *l, const smug_shape *const *shapes,
                         const float *const *ins, int batch, float *y);

void smug_tensor_backward(const smug_layer *l, const smug_shape *const *shapes,
                          const float *const *ins, const float *y, const float *g, int j, int batch,
                          float *gin);

#endif
