/* onnx.h — read an ONNX model file into a smug_net (a DAG of layers: net.h).
 *
 * Supported (the README has the table): Gemm, MatMul (+Add), Conv (1-D/2-D, groups,
 * depthwise, dilations, explicit or SAME pads), Relu, Clip, Sigmoid, MaxPool and AveragePool
 * (ceil_mode, dilations, count_include_pad), GlobalAveragePool, GlobalMaxPool, ReduceMean,
 * ReduceMax (spatial), Flatten, Reshape (constant shape), Pad (constant, edge, reflect),
 * Softmax, Identity (also of initializers), Dropout (inference), BatchNormalization,
 * Add/Sub/Mul/Div with a constant or between two tensors (broadcasting), Concat, Gather
 * (embedding lookup as the first node), Transpose (after the embedding), Constant. Weights
 * are float32, from raw_data or float_data. Batch norm and constant scale/shift right after
 * a Dense or Conv read by nothing else are folded into it; a final Softmax over the classes
 * is dropped (smug explains the logits).
 *
 * Errors (one line, prefixed with the path): unsupported operator or attribute (names the
 * node and operator), malformed or truncated protobuf, initializer size mismatch, a graph
 * whose output does not depend on the input through one first layer (net.h).
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

/* Loads any graph of supported operators only to run it (ONNX's operator conformance tests):
 * without the checks that make a net explainable. There is no first layer (first = first_out
 * = -1), the output may have any rank (n_classes = its size per example) and a final Softmax
 * stays a layer. Only smug_forward, smug_backward, smug_net_describe and smug_net_free apply
 * to the result. Errors as smug_onnx_load_buffer. */
int smug_onnx_load_graph(const unsigned char *data, size_t len, const char *name,
                         smug_net **out_net, smug_error *err);

#endif
