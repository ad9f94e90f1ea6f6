/* onnx_ops.c — one function per supported ONNX operator, called by the graph walk in onnx.c.
 *
 * Each reads its node's attributes and constant inputs, checks them against the running
 * tensor's shape and appends layers (or records a constant). Anything outside what
 * forward.c computes exactly — dilation, groups, ceil-mode pooling, training-mode batch
 * norm — is refused with the node's name rather than approximated.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

static int set_output(loader *ld, smug_layer *l, int rank, int d0, int d1, int d2)
{
    l->out.rank = rank;
    l->out.dims[0] = d0;
    l->out.dims[1] = d1;
    l->out.dims[2] = d2;
    ld->cur = l->out;
    if (!onnx_shape_ok(&l->out))
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, l->name, "output tensor too large");
    return 0;
}

static float *alloc_floats(loader *ld, size_t n, int zero)
{
    float *p = zero ? calloc(n ? n : 1, sizeof *p) : malloc((n ? n : 1) * sizeof *p);
    return smug_check_alloc(p, ld->err) < 0 ? NULL : p;
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
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: bias '%s' has %zu values, not %ld",
                              n->op_type, C->name, C->count, M);
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_DENSE, node, n->op_type);
    if (!l || !(l->weight = alloc_floats(ld, (size_t)(M * K), 0)) ||
        !(l->bias = alloc_floats(ld, (size_t)M, 1)))
        return -1;
    l->n_in = (int)K;
    l->n_out = (int)M;
    for (long o = 0; o < M; o++) {
        for (long k = 0; k < K; k++)
            l->weight[o * K + k] = alpha * (transB ? B->f[o * K + k] : B->f[k * M + o]);
        if (C)
            l->bias[o] = beta * C->f[C->count == 1 ? 0 : o];
    }
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
    const konst *B = onnx_const_input(ld, n, 1, node, 1);
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
    const konst *B = onnx_const_input(ld, n, 1, node, 1);
    return B ? push_dense(ld, n, node, B, 0, 1.0f, NULL, 0.0f) : -1;
}

/* Reads kernel, strides and pads (ONNX order: all begins, then all ends) for a 1-D or 2-D
 * window op and checks the attributes smug does not implement. */
static int read_window(loader *ld, const Onnx__NodeProto *n, const char *node, int spatial, int kh,
                       int kw, smug_window *w)
{
    long v[8];
    const Onnx__AttributeProto *ap = onnx_attr(n, "auto_pad");
    if (ap && ap->has_s && ap->s.len && !(ap->s.len == 6 && memcmp(ap->s.data, "NOTSET", 6) == 0) &&
        !(ap->s.len == 5 && memcmp(ap->s.data, "VALID", 5) == 0))
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s with auto_pad %.*s", n->op_type,
                              (int)ap->s.len, (const char *)ap->s.data);
    int nd = onnx_attr_ints(n, "dilations", v, 8);
    for (int i = 0; i < nd && i < 8; i++)
        if (v[i] != 1)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                  "%s with dilation %ld is not supported (dilation 1 only)",
                                  n->op_type, v[i]);
    if (onnx_attr_int(n, "ceil_mode", 0))
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s with ceil_mode=1", n->op_type);
    int nk = onnx_attr_ints(n, "kernel_shape", v, 8);
    if (nk >= 0 &&
        (nk != spatial || v[0] != (spatial == 2 ? kh : kw) || (spatial == 2 && v[1] != kw)))
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: kernel_shape disagrees", n->op_type);
    w->kh = kh;
    w->kw = kw;
    w->sh = w->sw = 1;
    int ns = onnx_attr_ints(n, "strides", v, 8);
    if (ns >= 0 && ns != spatial)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: %d strides for %d dimensions",
                              n->op_type, ns, spatial);
    if (ns > 0) {
        w->sh = spatial == 2 ? (int)v[0] : 1;
        w->sw = (int)v[spatial - 1];
    }
    int np = onnx_attr_ints(n, "pads", v, 8);
    if (np >= 0 && np != 2 * spatial)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: %d pads for %d dimensions",
                              n->op_type, np, spatial);
    if (np > 0 && spatial == 2) {
        w->pad_top = (int)v[0], w->pad_left = (int)v[1];
        w->pad_bottom = (int)v[2], w->pad_right = (int)v[3];
    } else if (np > 0) {
        w->pad_left = (int)v[0], w->pad_right = (int)v[1];
    }
    if (w->sh < 1 || w->sw < 1 || w->kh < 1 || w->kw < 1 || w->pad_top < 0 || w->pad_left < 0 ||
        w->pad_bottom < 0 || w->pad_right < 0 || w->sh > MAX_DIM || w->sw > MAX_DIM ||
        w->pad_top > MAX_DIM || w->pad_left > MAX_DIM || w->pad_bottom > MAX_DIM ||
        w->pad_right > MAX_DIM || w->kh > MAX_DIM || w->kw > MAX_DIM)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: bad kernel, stride or pad",
                              n->op_type);
    return 0;
}

/* Output size of a window op along one axis, or -1 when the window does not fit. */
static int window_out(int in, int k, int s, int pa, int pb)
{
    long span = (long)in + pa + pb - k;
    return span < 0 ? -1 : (int)(span / s + 1);
}

static int windowed_output(loader *ld, const char *node, const char *op, smug_layer *l,
                           int channels)
{
    int c, h, w;
    smug_shape_chw(&l->in, &c, &h, &w);
    int ho = window_out(h, l->win.kh, l->win.sh, l->win.pad_top, l->win.pad_bottom);
    int wo = window_out(w, l->win.kw, l->win.sw, l->win.pad_left, l->win.pad_right);
    if (ho < 1 || wo < 1)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: window larger than its input", op);
    if (l->in.rank == 3)
        return set_output(ld, l, 3, channels, ho, wo);
    return set_output(ld, l, 2, channels, wo, 0);
}

int op_conv(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (onnx_need_rank(ld, node, "Conv", 2, 3) < 0)
        return -1;
    long group = onnx_attr_int(n, "group", 1);
    if (group != 1)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "Conv with group %ld is not supported (group 1 only)", group);
    const konst *W = onnx_const_input(ld, n, 1, node, 1);
    if (!W)
        return -1;
    int spatial = ld->cur.rank - 1;
    if (W->rank != spatial + 2 || W->dims[1] != ld->cur.dims[0])
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node,
                              "Conv weight '%s' does not match %d input channels", W->name,
                              ld->cur.dims[0]);
    int co = (int)W->dims[0];
    int kh = spatial == 2 ? (int)W->dims[2] : 1, kw = (int)W->dims[W->rank - 1];
    const konst *B = NULL;
    if (n->n_input > 2 && n->input[2][0] && !(B = onnx_const_input(ld, n, 2, node, 1)))
        return -1;
    if (B && (long)B->count != co)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Conv bias '%s' has %zu values, not %d",
                              B->name, B->count, co);
    smug_window win = {0};
    if (read_window(ld, n, node, spatial, kh, kw, &win) < 0)
        return -1;
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_CONV, node, "Conv");
    if (!l || !(l->weight = alloc_floats(ld, W->count, 0)) ||
        !(l->bias = alloc_floats(ld, (size_t)co, 1)))
        return -1;
    memcpy(l->weight, W->f, W->count * sizeof(float));
    if (B)
        memcpy(l->bias, B->f, (size_t)co * sizeof(float));
    l->win = win;
    l->n_in = ld->cur.dims[0];
    l->n_out = co;
    return windowed_output(ld, node, "Conv", l, co);
}

int op_relu(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    return onnx_push_layer(ld, SMUG_LAYER_RELU, node, n->op_type) ? 0 : -1;
}

int op_pool(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    int is_max = strcmp(n->op_type, "MaxPool") == 0;
    if (onnx_need_rank(ld, node, n->op_type, 2, 3) < 0)
        return -1;
    if (is_max && n->n_output > 1 && n->output[1][0])
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "MaxPool with an Indices output");
    int spatial = ld->cur.rank - 1;
    long k[8];
    if (onnx_attr_ints(n, "kernel_shape", k, 8) != spatial)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s needs a %d-D kernel_shape", n->op_type,
                              spatial);
    if (k[0] < 1 || k[0] > MAX_DIM || k[spatial - 1] < 1 || k[spatial - 1] > MAX_DIM)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: bad kernel_shape", n->op_type);
    smug_window win = {0};
    int kh = spatial == 2 ? (int)k[0] : 1, kw = (int)k[spatial - 1];
    if (read_window(ld, n, node, spatial, kh, kw, &win) < 0)
        return -1;
    smug_layer *l =
        onnx_push_layer(ld, is_max ? SMUG_LAYER_MAXPOOL : SMUG_LAYER_AVGPOOL, node, n->op_type);
    if (!l)
        return -1;
    l->win = win;
    l->count_include_pad = (int)onnx_attr_int(n, "count_include_pad", 0);
    return windowed_output(ld, node, n->op_type, l, ld->cur.dims[0]);
}

int op_global_avgpool(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (onnx_need_rank(ld, node, n->op_type, 2, 3) < 0)
        return -1;
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_GLOBALAVGPOOL, node, n->op_type);
    if (!l)
        return -1;
    return set_output(ld, l, ld->cur.rank, ld->cur.dims[0], 1, 1);
}

int op_flatten(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    long axis = onnx_attr_int(n, "axis", 1);
    if (axis != 1)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Flatten with axis %ld (1 only)",
                              axis);
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
    if (known != size)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Reshape of %zu values to %zu", size,
                              known);
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_RESHAPE, node, n->op_type);
    if (!l)
        return -1;
    return set_output(ld, l, out.rank, out.dims[0], out.dims[1], out.dims[2]);
}

int op_softmax(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (onnx_need_rank(ld, node, "Softmax", 1, 1) < 0)
        return -1;
    long axis = onnx_attr_int(n, "axis", ld->opset < 13 ? 1 : -1);
    if (axis != 1 && axis != -1)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Softmax over axis %ld", axis);
    ld->done = 1;
    ld->net->has_softmax = 1;
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
    if (!l || !(l->scale = alloc_floats(ld, size, 0)) || !(l->shift = alloc_floats(ld, size, 1)))
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
    int cur_first = strcmp(n->input[0], ld->cur_name) == 0;
    if (cur_first && strcmp(n->input[1], ld->cur_name) == 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s of a tensor with itself", op);
    const konst *k = onnx_const_input(ld, n, cur_first ? 1 : 0, node, 1);
    if (!k)
        return -1;
    size_t size = smug_shape_size(&ld->cur);
    float *v = alloc_floats(ld, size, 0);
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
                                "Div by the tensor or by zero is not supported");
        else
            l->scale[i] = 1.0f / v[i];
    }
    free(v);
    if (!l || rc < 0)
        return -1;
    smug_net *net = ld->net;
    if (net->n_layers >= 2 && net->layers[net->n_layers - 2].kind == SMUG_LAYER_AFFINE) {
        /* (x·s1 + t1)·s2 + t2: merge a normalisation's Sub and Div into one layer */
        smug_layer *p = &net->layers[net->n_layers - 2];
        for (size_t i = 0; i < size; i++) {
            p->scale[i] *= l->scale[i];
            p->shift[i] = p->shift[i] * l->scale[i] + l->shift[i];
        }
        net->n_layers--;
        if (onnx_absorb_layer(p, l) < 0)
            return smug_check_alloc(NULL, ld->err);
    }
    return 0;
}

int op_gather(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (!ld->net->input_is_tokens || ld->net->n_layers != 0 || n->n_input != 2 ||
        strcmp(n->input[1], ld->cur_name) != 0)
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
    if (!l || !(l->weight = alloc_floats(ld, t->count, 0)))
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
        return onnx_add_const(ld, a->t, n->output[0]);
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
        return onnx_add_const(ld, &t, n->output[0]);
    }
    if ((a = onnx_attr(n, "value_floats")) != NULL) {
        dim = (int64_t)a->n_floats;
        t.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
        t.n_float_data = a->n_floats;
        t.float_data = a->floats;
        return onnx_add_const(ld, &t, n->output[0]);
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
    smug_layer *e = net->n_layers ? &net->layers[net->n_layers - 1] : NULL;
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
    return set_output(ld, e, 2, e->out.dims[1], e->out.dims[0], 0);
}

/* The reduced axes of a ReduceMax: the `axes` attribute (opset < 18) or a constant second
 * input (opset 18). Writes them, made non-negative against rank+1 (the batch axis is 0),
 * into ax; returns how many, or -1. Missing axes reduce everything, batch included. */
static int reduce_axes(loader *ld, const Onnx__NodeProto *n, const char *node, long *ax)
{
    int full = ld->cur.rank + 1, na = onnx_attr_ints(n, "axes", ax, 8);
    if (na < 0 && n->n_input > 1 && n->input[1][0]) {
        const konst *k = onnx_const_input(ld, n, 1, node, 0);
        if (!k)
            return -1;
        if (k->is_float || k->rank > 1 || k->count > 8)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "ReduceMax: bad axes '%s'",
                                  k->name);
        na = (int)k->count;
        for (int i = 0; i < na; i++)
            ax[i] = (long)k->i64[i];
    }
    if (na < 0 || na > 8)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "ReduceMax over every axis (batch included)");
    for (int i = 0; i < na; i++)
        ax[i] = ax[i] < 0 ? ax[i] + full : ax[i];
    return na;
}

/* Global max pooling: ReduceMax over every spatial axis (as torch.amax(x, dim=2) exports
 * it) or GlobalMaxPool. It becomes a MaxPool whose window is the whole plane, so forward
 * and backward (the gradient goes to the first maximal position) are MaxPool's; with
 * keepdims = 0 a Reshape drops the unit axes, giving the channel vector. */
int op_global_maxpool(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    int is_reduce = strcmp(n->op_type, "ReduceMax") == 0;
    if (onnx_need_rank(ld, node, n->op_type, 2, 3) < 0)
        return -1;
    int spatial = ld->cur.rank - 1, keep = 1;
    if (is_reduce) {
        long ax[8];
        int na = reduce_axes(ld, n, node, ax);
        if (na < 0)
            return -1;
        int ok = na == spatial;
        for (int i = 0; i < na && ok; i++)
            ok = ax[i] == i + 2 || (na == 2 && ax[i] == 3 - i);
        if (!ok)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                  "ReduceMax must reduce exactly the %d spatial axes (global max "
                                  "pooling)",
                                  spatial);
        keep = (int)onnx_attr_int(n, "keepdims", 1);
    }
    int c, h, w;
    smug_shape_chw(&ld->cur, &c, &h, &w);
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_MAXPOOL, node, n->op_type);
    if (!l)
        return -1;
    l->win.kh = h, l->win.kw = w;
    l->win.sh = l->win.sw = 1;
    if (set_output(ld, l, ld->cur.rank, c, 1, 1) < 0)
        return -1;
    if (keep)
        return 0;
    l = onnx_push_layer(ld, SMUG_LAYER_RESHAPE, node, n->op_type);
    return l ? set_output(ld, l, 1, c, 0, 0) : -1;
}
