/* onnx_internal.h — shared between the ONNX reader's files (not part of the public API):
 * onnx.c (protobuf, graph walk), onnx_const.c (initializers and constants), onnx_ops.c and
 * onnx_graph_ops.c (one function per ONNX operator), onnx_finish.c (folding, pruning, the
 * first layer).
 */
#ifndef SMUG_ONNX_INTERNAL_H
#define SMUG_ONNX_INTERNAL_H

#include <stdint.h>

#include "onnx.pb-c.h"
#include "smug/net.h"

#define MAX_DIM   (1 << 24)
#define MAX_ELEMS ((size_t)1 << 28)

/* A constant tensor: an initializer or a Constant node's value. Its data stays where the
 * reader found it (raw, little-endian, possibly unaligned: in the model file's mapping or
 * the unpacked protobuf) until an operator asks for it: small constants are decoded into
 * f / i64 on first use (onnx_const_input), weights are copied straight into their layer
 * (onnx_const_read), so a large model is never held twice. */
typedef struct konst {
    const char *name;
    int is_float; /* else int64 */
    int rank;
    int64_t dims[8];
    size_t count;
    const unsigned char *raw; /* count * (4 or 8) bytes, NULL when count is 0 */
    float *f;                 /* decoded on demand, owned */
    int64_t *i64;             /* decoded on demand, owned */
} konst;

/* A running (non-constant) tensor of the graph: its ONNX name and the layer that writes it
 * (-1 = the model input). Identity and Dropout add a second name for the same producer. */
typedef struct onnx_value {
    const char *name;
    int layer;
} onnx_value;

/* Where an initializer's raw_data lies in the original file bytes (onnx_wire.c). */
typedef struct onnx_raw {
    const unsigned char *data; /* NULL: the tensor has no raw_data field */
    size_t len;
} onnx_raw;

typedef struct loader {
    const char *path;
    long opset;
    konst *k;
    int n_k, cap_k;
    onnx_value *v;
    int n_v, cap_v;
    smug_net *net;
    int cap_layers;
    /* The node being read: its first running input (shape, producer, name), which is what
     * onnx_push_layer connects a new layer to; every push moves it to the new layer, so an
     * operator that appends two layers chains them. */
    smug_shape cur;
    int cur_src;
    const char *cur_name;
    int run_idx[16]; /* input slots of the node that are running tensors */
    int n_run;
    int any_graph;       /* smug_onnx_load_graph: no explainability checks */
    const onnx_raw *raw; /* per initializer, when the model was unpacked without raw_data */
    size_t n_raw;
    void (*drop_pages)(const void *p, size_t len, void *ctx); /* after a weight copy */
    void *drop_ctx;
    smug_error *err;
} loader;

/* ---- constants (onnx_const.c) ---- */
const konst *onnx_find_const(const loader *ld, const char *name);
/* Records t as a constant called `name` (its data is referenced, not copied). raw, when not
 * NULL, says where t's raw_data is (it was stripped before unpacking). */
int onnx_add_const(loader *ld, const Onnx__TensorProto *t, const char *name, const onnx_raw *raw);
/* A second name for an existing constant (Identity of an initializer). */
int onnx_alias_const(loader *ld, const konst *k, const char *name);
/* Decodes k's values into k->f or k->i64 (once). */
int onnx_const_decode(loader *ld, const konst *k);
/* Copies values [first, first + count) of float constant k into dst (any alignment). */
void onnx_const_read(const loader *ld, const konst *k, size_t first, size_t count, float *dst);
void onnx_consts_free(loader *ld);
const char *onnx_dtype_name(int t);

/* ---- the wire format (onnx_wire.c) ---- */
/* A copy of the model bytes without any initializer's raw_data (malloc'ed *out) and where
 * each initializer's raw_data was (*out_raw[*out_n], in initializer order, pointing into
 * data). -1 when the bytes are not what it expects: unpack them the ordinary way then. */
int onnx_strip_raw(const unsigned char *data, size_t len, unsigned char **out, size_t *out_len,
                   onnx_raw **out_raw, size_t *out_n);

/* ---- running tensors and layers (onnx.c) ---- */
/* Producer of running tensor `name`: 0 and *out_layer, or -1 when it is not one. */
int onnx_find_value(const loader *ld, const char *name, int *out_layer);
int onnx_bind_value(loader *ld, const char *name, int layer);
const smug_shape *onnx_layer_shape(const loader *ld, int layer);
const Onnx__AttributeProto *onnx_attr(const Onnx__NodeProto *n, const char *name);
long onnx_attr_int(const Onnx__NodeProto *n, const char *name, long dflt);
float onnx_attr_float(const Onnx__NodeProto *n, const char *name, float dflt);
/* Copies an INTS attribute into out[cap]; returns its length, or -1 when absent. */
int onnx_attr_ints(const Onnx__NodeProto *n, const char *name, long *out, int cap);
/* 1 when the STRING attribute `name` equals s. */
int onnx_attr_is(const Onnx__NodeProto *n, const char *name, const char *s);
/* Appends a layer reading the node's running tensor (ld->cur_src) with in = out = its
 * shape, and makes it the running tensor; NULL on failure. */
smug_layer *onnx_push_layer(loader *ld, smug_layer_kind kind, const char *name, const char *op);
/* Sets l's inputs to the producers of the node's running inputs, in input order. */
int onnx_set_sources(loader *ld, const Onnx__NodeProto *n, smug_layer *l);
/* Fails with "node '<node>': <message>"; returns -1. */
int onnx_fail_node(loader *ld, smug_error_code code, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Input i of n as a decoded constant, or NULL with an error naming the node. */
const konst *onnx_const_input(loader *ld, const Onnx__NodeProto *n, size_t i, const char *node,
                              int want_float);
/* The same without decoding (weights: read them with onnx_const_read). */
const konst *onnx_const_input_raw(loader *ld, const Onnx__NodeProto *n, size_t i, const char *node,
                                  int want_float);
/* Merges layer `gone` into `into` after its maths was folded in: appends "+<gone's op>"
 * to into->op and frees gone's arrays. -1 (labels unchanged) when out of memory. */
int onnx_absorb_layer(smug_layer *into, smug_layer *gone);
/* 1 if every dim is positive and the element count is at most MAX_ELEMS. */
int onnx_shape_ok(const smug_shape *s);
/* Fails unless the running tensor's rank is in [lo, hi]. */
int onnx_need_rank(loader *ld, const char *node, const char *op, int lo, int hi);
/* Sets l->out (and the running shape) and checks its size. */
int onnx_set_output(loader *ld, smug_layer *l, const smug_shape *out);
float *onnx_alloc_floats(loader *ld, size_t n, int zero);

/* Reduced axes of ReduceMax / ReduceMean (attribute or constant input), non-negative
 * against the full rank (batch = 0), into ax[8]; returns how many or -1. *out_all: none
 * were given, so every axis (batch included) is reduced. */
int onnx_reduce_axes(loader *ld, const Onnx__NodeProto *n, const char *node, long *ax,
                     int *out_all);

/* ---- after the walk (onnx_finish.c) ---- */
/* Prunes what the output does not need, folds affine layers, picks the first layer. */
int onnx_finish(loader *ld, int output_layer);

/* Operators (onnx_ops.c, onnx_graph_ops.c): each reads node n and appends layers or
 * constants. */
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
int op_binary(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_concat(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_clip(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_sigmoid(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_pad(loader *ld, const Onnx__NodeProto *n, const char *node);
int op_reduce_mean(loader *ld, const Onnx__NodeProto *n, const char *node);

#endif
