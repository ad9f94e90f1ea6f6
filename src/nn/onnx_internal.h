/* onnx_internal.h — shared between onnx.c (protobuf, graph walk) and onnx_ops.c (one
 * function per ONNX operator). Not part of the public API.
 */
#ifndef SMUG_ONNX_INTERNAL_H
#define SMUG_ONNX_INTERNAL_H

#include <stdint.h>

#include "onnx.pb-c.h"
#include "smug/net.h"

#define MAX_DIM   (1 << 24)
#define MAX_ELEMS ((size_t)1 << 28)

typedef struct konst {
    const char *name;
    int is_float; /* else int64 */
    int rank;
    int64_t dims[8];
    size_t count;
    float *f;
    int64_t *i64;
} konst;

typedef struct loader {
    const char *path;
    long opset;
    konst *k;
    int n_k, cap_k;
    smug_net *net;
    int cap_layers;
    smug_shape cur;       /* per-example shape of the running tensor */
    const char *cur_name; /* its ONNX name */
    int done;             /* a Softmax ended the chain */
    smug_error *err;
} loader;

const konst *onnx_find_const(const loader *ld, const char *name);
/* Decodes t into a new constant called `name` (a Constant node's output). */
int onnx_add_const(loader *ld, const Onnx__TensorProto *t, const char *name);
const Onnx__AttributeProto *onnx_attr(const Onnx__NodeProto *n, const char *name);
long onnx_attr_int(const Onnx__NodeProto *n, const char *name, long dflt);
float onnx_attr_float(const Onnx__NodeProto *n, const char *name, float dflt);
/* Copies an INTS attribute into out[cap]; returns its length, or -1 when absent. */
int onnx_attr_ints(const Onnx__NodeProto *n, const char *name, long *out, int cap);
/* Appends a layer with in = out = the running shape; NULL on allocation failure. */
smug_layer *onnx_push_layer(loader *ld, smug_layer_kind kind, const char *name, const char *op);
/* Fails with "node '<node>': <message>"; returns -1. */
int onnx_fail_node(loader *ld, smug_error_code code, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Input i of n as a constant, or NULL with an error naming the node. */
const konst *onnx_const_input(loader *ld, const Onnx__NodeProto *n, size_t i, const char *node,
                              int want_float);
/* Merges layer `gone` into `into` after its maths was folded in: appends "+<gone's op>"
 * to into->op and frees gone's arrays. -1 (labels unchanged) when out of memory. */
int onnx_absorb_layer(smug_layer *into, smug_layer *gone);
/* 1 if every dim is positive and the element count is at most MAX_ELEMS. */
int onnx_shape_ok(const smug_shape *s);
/* Fails unless the running tensor's rank is in [lo, hi]. */
int onnx_need_rank(loader *ld, const char *node, const char *op, int lo, int hi);

/* Operators (onnx_ops.c): each reads node n and appends layers or constants. */
int op_gemm(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_matmul(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_conv(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_relu(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_pool(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_global_avgpool(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_flatten(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_reshape(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_softmax(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_passthrough(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_batchnorm(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_elementwise(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_gather(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_constant(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_transpose(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_global_maxpool(loader *ld, const Onnx__NodeProto *n, const char *node);

#endif
