/* onnx.h — read an ONNX model file into a smug_net.
 *
 * Supported: chains of Gemm, MatMul (+Add), Conv (1-D/2-D, group 1, dilation 1), Relu,
 * MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape (constant shape), Softmax (last
 * node only), Identity, Dropout (inference), BatchNormalization, Add/Sub/Mul/Div with a
 * constant, Gather (embedding lookup as the first node), Constant. Weights are float32, from
 * raw_data or float_data. Batch norm and constant scale/shift right after a Dense or Conv
 * are folded into it.
 *
 * Errors (one line, prefixed with the path): unsupported operator or attribute (names the
 * node and operator), malformed or truncated protobuf, initializer size mismatch, graph that
 * is not a chain.
 */
#ifndef SMUG_ONNX_H
#define SMUG_ONNX_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/net.h"

/* Loads `path`. On success *out_net is the caller's (smug_net_free). */
int smug_onnx_load(const char *path, smug_net **out_net, smug_error *err);

/* Same from memory; `name` is used in messages and as net->path. */
int smug_onnx_load_buffer(const unsigned char *data, size_t len, const char *name,
                          smug_net **out_net, smug_error *err);

#endif
