/* onnx_ops.c — one function per ONNX operator of the layer chain kind, called by the graph
 * walk in onnx.c: Gemm, MatMul, Relu, Flatten, Reshape, Softmax, BatchNormalization,
 * Add/Sub/Mul/Div with a constant, Gather (embedding), Constant, Transpose.
 *
 * Each reads its node's attributes and constant inputs, checks them against the running
 * tensor's shape and appends layers (or records a constant). Anything outside what
 * forward.c computes exactly — a Flatten that changes the batch, training-mode batch norm —
 * is refused with the node's name rather than approximated. Windows are in
 * onnx_window_ops.c, operators joining several running tensors in onnx_graph_ops.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

static int set_output(loader *ld, smug_layer *l, int rank, int d0, int d1, int d2)
{
    smug_shape out = {rank, {d0, d1, d2}};
    return onnx_set_output(ld, l, &out);
}

/* A Dense layer with n_out x n_in weights taken from B (alpha-scaled, transposed unless
 * transB) and an optional bias C (beta-scaled, scalar or [n_out]). */
static int push_dense(loader *ld, const Onnx__NodeProto *n, const char *node, const konst *B,
                      int transB, float alpha, const konst *C, float beta)
{
    if (B->rank != 2)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: weight '%s' has rank %d, not 2",
                              n->op_type, B->name, B->rank);
    long K = (long)(transB ? B->dims[1] : B->dims[0]);
    long M = (long)(transB ? B->dims[0] : B->dims[1]);
    if (K != ld->cur.dims[0])
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node,
                              "%s: weight '%s' expects %ld inputs, the layer before gives %d",
                              n->op_type, B->name, K, ld->cur.dims[0]);
    if (C && C->count != 1 && (long)C->count != M)
        return onnx_fail_node(
            ld, C->rank == 2 && C->dims[1] == M ? SMUG_ERR_UNSUPPORTED : SMUG_ERR_FORMAT, node,
            "%s: bias '%s' has %zu values, not 1 or %ld (one per output)", n->op_type, C->name,
            C->count, M);
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_DENSE, node, n->op_type);
    if (!l || !(l->weight = onnx_alloc_floats(ld, (size_t)(M * K), 0)) ||
        !(l->bias = onnx_alloc_floats(ld, (size_t)M, 1)))
        return -1;
    l->n_in = (int)K;
    l->n_out = (int)M;
    if (transB) { /* B is [M x K]: the weight as stored */
        onnx_const_read(ld, B, 0, (size_t)(M * K), l->weight);
    } else { /* B is [K x M]: transposed one row of B at a time */
        float *row = onnx_alloc_floats(ld, (size_t)M, 0);
        if (!row)
            return -1;
        for (long k = 0; k < K; k++) {
            onnx_const_read(ld, B, (size_t)(k * M), (size_t)M, row);
            for (long o = 0; o < M; o++)
                l->weight[o * K + k] = row[o];
        }
        free(row);
    }
    for (long o = 0; alpha != 1.0f && o < M; o++)
        for (long k = 0; k < K; k++)
            l->weight[o * K + k] *= alpha;
    for (long o = 0; C && o < M; o++)
        l->bias[o] = beta * C->f[C->count == 1 ? 0 : o];
    return set_output(ld, l, 1, (int)M, 0, 0);
}

int op_gemm(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (onnx_need_rank(ld, node, "Gemm", 1, 1) < 0)
        return -1;
    if (onnx_attr_int(n, "transA", 0))
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Gemm with transA=1");
    if (strcmp(n->input[0], ld->cur_name) != 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "Gemm whose first input is a constant");
    const konst *B = onnx_const_input_raw(ld, n, 1, node, 1);
    if (!B)
        return -1;
    const konst *C = NULL;
    if (n->n_input > 2 && n->input[2][0] && !(C = onnx_const_input(ld, n, 2, node, 1)))
        return -1;
    return push_dense(ld, n, node, B, (int)onnx_attr_int(n, "transB", 0),
                      onnx_attr_float(n, "alpha", 1.0f), C, onnx_attr_float(n, "beta", 1.0f));
}

int op_matmul(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (onnx_need_rank(ld, node, "MatMul", 1, 1) < 0)
        return -1;
    if (strcmp(n->input[0], ld->cur_name) != 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "MatMul whose first input is a constant");
    const konst *B = onnx_const_input_raw(ld, n, 1, node, 1);
    return B ? push_dense(ld, n, node, B, 0, 1.0f, NULL, 0.0f) : -1;
}

int op_relu(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    return onnx_push_layer(ld, SMUG_LAYER_RELU, node, n->op_type) ? 0 : -1;
}

int op_flatten(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    long given = onnx_attr_int(n, "axis", 1);
    long axis = given < 0 ? given + ld->cur.rank + 1 : given;
    if (axis != 1)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "Flatten with axis %ld (1 only: the batch stays apart)", given);
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_RESHAPE, node, n->op_type);
    if (!l)
        return -1;
    return set_output(ld, l, 1, (int)smug_shape_size(&ld->cur), 0, 0);
}

int op_reshape(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    const konst *s = onnx_const_input(ld, n, 1, node, 0);
    if (!s)
        return -1;
    if (s->is_float || s->rank != 1 || s->count < 2 || s->count > SMUG_MAX_RANK + 1)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "Reshape to '%s': need an int64 shape [batch, 1 to 3 dims]", s->name);
    if (s->i64[0] != 1 && s->i64[0] != -1 && s->i64[0] != 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Reshape changes the batch size");
    smug_shape out = {(int)s->count - 1, {0}};
    size_t known = 1, size = smug_shape_size(&ld->cur);
    int infer = -1;
    for (int i = 0; i < out.rank; i++) {
        int64_t d = s->i64[i + 1];
        if (d == 0 && i < ld->cur.rank)
            d = ld->cur.dims[i];
        if (d == -1 && infer < 0 && s->i64[0] != -1) {
            infer = i;
            continue;
        }
        if (d < 1 || d > MAX_DIM)
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Reshape: bad dimension %lld",
                                  (long long)d);
        out.dims[i] = (int)d;
        known *= (size_t)d;
    }
    if (infer >= 0 && known && size % known == 0)
        out.dims[infer] = (int)(size / known), known = size;
    if (known != size && s->i64[0] == -1) /* the batch axis is inferred: data crosses it */
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "Reshape of %zu values per example to %zu: it changes the batch",
                              size, known);
    if (known != size)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Reshape of %zu values to %zu", size,
                              known);
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_RESHAPE, node, n->op_type);
    if (!l)
        return -1;
    return set_output(ld, l, out.rank, out.dims[0], out.dims[1], out.dims[2]);
}

/* Softmax becomes a layer; onnx_finish drops a final one over the class vector (smug's
 * logits are its input). Opset 13 normalises along one axis; earlier opsets over everything
 * from `axis` on (the input coerced to 2-D), recorded as n_in = 1. */
int op_softmax(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    int full = ld->cur.rank + 1;
    long axis = onnx_attr_int(n, "axis", ld->opset < 13 ? 1 : -1);
    axis = axis < 0 ? axis + full : axis;
    if (axis < 1 || axis >= full)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "Softmax over axis %ld of a rank-%d tensor (the batch axis is 0)",
                              onnx_attr_int(n, "axis", 0), full);
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_SOFTMAX, node, n->op_type);
    if (!l)
        return -1;
    l->axis = (int)axis - 1;
    l->n_in = ld->opset < 13 ? 1 : 0;
    return 0;
}

int op_passthrough(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    (void)ld, (void)n, (void)node;
    return 0;
}

static smug_layer *push_affine(loader *ld, const char *node, const char *op)
{
    size_t size = smug_shape_size(&ld->cur);
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_AFFINE, node, op);
    if (!l || !(l->scale = onnx_alloc_floats(ld, size, 0)) ||
        !(l->shift = onnx_alloc_floats(ld, size, 1)))
        return NULL;
    for (size_t i = 0; i < size; i++)
        l->scale[i] = 1.0f;
    return l;
}

int op_batchnorm(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (onnx_attr_int(n, "training_mode", 0) || (n->n_output > 1 && n->output[1][0]))
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "BatchNormalization in training mode");
    const konst *p[4];
    for (int i = 0; i < 4; i++)
        if (!(p[i] = onnx_const_input(ld, n, (size_t)i + 1, node, 1)))
            return -1;
    int channels = ld->cur.dims[0];
    for (int i = 0; i < 4; i++)
        if ((long)p[i]->count != channels)
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node,
                                  "BatchNormalization: '%s' has %zu values for %d channels",
                                  p[i]->name, p[i]->count, channels);
    float eps = onnx_attr_float(n, "epsilon", 1e-5f);
    smug_layer *l = push_affine(ld, node, n->op_type);
    if (!l)
        return -1;
    size_t inner = smug_shape_size(&ld->cur) / (size_t)channels;
    for (int c = 0; c < channels; c++) {
        double s = p[0]->f[c] / sqrt((double)p[3]->f[c] + eps);
        double t = p[1]->f[c] - p[2]->f[c] * s;
        for (size_t i = 0; i < inner; i++) {
            l->scale[(size_t)c * inner + i] = (float)s;
            l->shift[(size_t)c * inner + i] = (float)t;
        }
    }
    return 0;
}

/* Expands constant k, broadcast numpy-style against [1, running shape], into one value per
 * element of the running tensor. */
static int broadcast_const(loader *ld, const char *node, const konst *k, float *out)
{
    const smug_shape *s = &ld->cur;
    int full = s->rank + 1;
    if (k->rank > full)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "constant '%s' has more dimensions than the tensor", k->name);
    size_t stride[SMUG_MAX_RANK] = {0};
    size_t st = 1;
    for (int a = k->rank - 1; a >= 0; a--) {
        int axis = a + full - k->rank; /* 0 is the batch axis */
        long d = (long)k->dims[a];
        int want = axis == 0 ? 1 : s->dims[axis - 1];
        if (d != 1 && d != want)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                  "constant '%s' does not broadcast to the tensor", k->name);
        if (axis > 0)
            stride[axis - 1] = d == 1 ? 0 : st;
        st *= (size_t)d;
    }
    size_t size = smug_shape_size(s);
    for (size_t e = 0; e < size; e++) {
        size_t rest = e, idx = 0;
        for (int a = s->rank - 1; a >= 0; a--) {
            idx += (rest % (size_t)s->dims[a]) * stride[a];
            rest /= (size_t)s->dims[a];
        }
        out[e] = k->f[idx];
    }
    return 0;
}

int op_elementwise(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    const char *op = n->op_type;
    if (n->n_input != 2)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s needs two inputs", op);
    if (ld->n_run == 2)
        return op_binary(ld, n, node);
    int cur_first = strcmp(n->input[0], ld->cur_name) == 0;
    const konst *k = onnx_const_input(ld, n, cur_first ? 1 : 0, node, 1);
    if (!k)
        return -1;
    size_t size = smug_shape_size(&ld->cur);
    float *v = onnx_alloc_floats(ld, size, 0);
    if (!v || broadcast_const(ld, node, k, v) < 0) {
        free(v);
        return -1;
    }
    int rc = 0;
    smug_layer *l = push_affine(ld, node, op);
    for (size_t i = 0; l && i < size && rc == 0; i++) {
        if (strcmp(op, "Add") == 0)
            l->shift[i] = v[i];
        else if (strcmp(op, "Sub") == 0)
            l->scale[i] = cur_first ? 1.0f : -1.0f, l->shift[i] = cur_first ? -v[i] : v[i];
        else if (strcmp(op, "Mul") == 0)
            l->scale[i] = v[i];
        else if (!cur_first || v[i] == 0.0f)
            rc = onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                "Div of a constant by the tensor, or by zero, is not supported");
        else
            l->scale[i] = 1.0f / v[i];
    }
    free(v);
    return !l || rc < 0 ? -1 : 0;
}

int op_gather(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (!ld->net->input_is_tokens || ld->net->n_layers != 0 || ld->cur_src != -1 ||
        n->n_input != 2 || strcmp(n->input[1], ld->cur_name) != 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "Gather is supported only as an embedding lookup of the token "
                              "input");
    if (onnx_attr_int(n, "axis", 0) != 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Gather on axis != 0");
    if (onnx_need_rank(ld, node, "Gather", 1, 1) < 0)
        return -1;
    const konst *t = onnx_const_input(ld, n, 0, node, 1);
    if (!t)
        return -1;
    if (t->rank != 2)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "embedding '%s' is not a matrix", t->name);
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_EMBED, node, n->op_type);
    if (!l || !(l->weight = onnx_alloc_floats(ld, t->count, 0)))
        return -1;
    memcpy(l->weight, t->f, t->count * sizeof(float));
    l->n_in = (int)t->dims[0];
    l->n_out = (int)t->dims[1];
    return set_output(ld, l, 2, ld->cur.dims[0], l->n_out, 0);
}

int op_constant(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (n->n_output < 1 || !n->output[0][0])
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Constant without output");
    const Onnx__AttributeProto *a = onnx_attr(n, "value");
    if (a && a->t)
        return onnx_add_const(ld, a->t, n->output[0], NULL);
    Onnx__TensorProto t;
    onnx__tensor_proto__init(&t);
    int64_t dim;
    t.n_dims = 1;
    t.dims = &dim;
    t.has_data_type = 1;
    if ((a = onnx_attr(n, "value_ints")) != NULL) {
        dim = (int64_t)a->n_ints;
        t.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
        t.n_int64_data = a->n_ints;
        t.int64_data = a->ints;
        return onnx_add_const(ld, &t, n->output[0], NULL);
    }
    if ((a = onnx_attr(n, "value_floats")) != NULL) {
        dim = (int64_t)a->n_floats;
        t.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
        t.n_float_data = a->n_floats;
        t.float_data = a->floats;
        return onnx_add_const(ld, &t, n->output[0], NULL);
    }
    return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                          "Constant without a tensor, value_ints or value_floats");
}

/* Transpose: only the (L, D) → (D, L) swap right after the embedding lookup, which PyTorch
 * emits before a Conv1d (`emb(x).transpose(1, 2)`). It is folded into the embedding, whose
 * lookup then writes channels-first: no data moves twice and the first layer's input is
 * exactly what the Conv reads. */
int op_transpose(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    long perm[8];
    int np = onnx_attr_ints(n, "perm", perm, 8);
    smug_net *net = ld->net;
    smug_layer *e = ld->cur_src >= 0 && ld->cur_src == net->n_layers - 1
                        ? &net->layers[net->n_layers - 1]
                        : NULL;
    if (!e || e->kind != SMUG_LAYER_EMBED || e->channels_first || ld->cur.rank != 2 || np != 3 ||
        perm[0] != 0 || perm[1] != 2 || perm[2] != 1)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "Transpose is supported only as perm [0,2,1] right after the "
                              "embedding lookup (Gather)");
    e->channels_first = 1;
    char *op = malloc(strlen(e->op) + sizeof "+Transpose");
    if (smug_check_alloc(op, ld->err) < 0)
        return -1;
    sprintf(op, "%s+Transpose", e->op);
    free(e->op);
    e->op = op;
    /* the lookup's own output no longer exists as it was: a later reader of it is refused */
    if (onnx_bind_value(ld, ld->cur_name, -2) < 0)
        return -1;
    return set_output(ld, e, 2, e->out.dims[1], e->out.dims[0], 0);
}
