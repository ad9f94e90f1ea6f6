/* onnx_window_ops.c — the ONNX operators that slide a window: Conv, MaxPool, AveragePool,
 * and the global poolings (GlobalAveragePool, GlobalMaxPool, ReduceMax over the plane).
 *
 * Kernels are 1-D or 2-D over a (C, L) or (C, H, W) tensor; strides, explicit or SAME pads,
 * dilations, ceil_mode and groups are read here and become a smug_window the forward pass
 * follows exactly. Anything else (3-D kernels, an Indices output) is refused by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

/* Pads for auto_pad SAME_UPPER / SAME_LOWER along one axis: the output is ceil(in / s). */
static void same_pads(int in, int s, int eff_k, int lower, int *pa, int *pb)
{
    int out = (in + s - 1) / s;
    int total = (out - 1) * s + eff_k - in;
    total = total < 0 ? 0 : total;
    *pa = lower ? total - total / 2 : total / 2;
    *pb = total - *pa;
}

static int bad_window(const smug_window *w)
{
    const int v[] = {w->kh, w->kw, w->sh, w->sw, w->dh, w->dw};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (v[i] < 1 || v[i] > MAX_DIM)
            return 1;
    const int p[] = {w->pad_top, w->pad_left, w->pad_bottom, w->pad_right};
    for (size_t i = 0; i < sizeof p / sizeof *p; i++)
        if (p[i] < 0 || p[i] > MAX_DIM)
            return 1;
    return 0;
}

/* Strides, dilations and pads (ONNX order: all begins, then all ends) of a 1-D or 2-D
 * window op with kernel kh x kw, applied to the running tensor's (h, w). */
static int read_window(loader *ld, const Onnx__NodeProto *n, const char *node, int spatial, int kh,
                       int kw, smug_window *w)
{
    long v[8];
    const char *op = n->op_type;
    int nk = onnx_attr_ints(n, "kernel_shape", v, 8);
    if (nk >= 0 &&
        (nk != spatial || v[0] != (spatial == 2 ? kh : kw) || (spatial == 2 && v[1] != kw)))
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: kernel_shape disagrees", op);
    memset(w, 0, sizeof *w);
    w->kh = kh, w->kw = kw;
    w->sh = w->sw = w->dh = w->dw = 1;
    const char *names[] = {"strides", "dilations"};
    int *dst[2][2] = {{&w->sh, &w->sw}, {&w->dh, &w->dw}};
    for (int a = 0; a < 2; a++) {
        int ns = onnx_attr_ints(n, names[a], v, 8);
        if (ns >= 0 && ns != spatial)
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: %d %s for %d dimensions", op, ns,
                                  names[a], spatial);
        if (ns > 0) {
            *dst[a][0] = spatial == 2 ? (int)(v[0] < 0 || v[0] > MAX_DIM ? 0 : v[0]) : 1;
            *dst[a][1] = (int)(v[spatial - 1] < 0 || v[spatial - 1] > MAX_DIM ? 0 : v[spatial - 1]);
        }
    }
    int np = onnx_attr_ints(n, "pads", v, 8);
    if (np >= 0 && np != 2 * spatial)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: %d pads for %d dimensions", op, np,
                              spatial);
    for (int i = 0; i < np && i < 8; i++)
        if (v[i] < 0 || v[i] > MAX_DIM)
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: bad pad %ld", op, v[i]);
    if (np > 0 && spatial == 2) {
        w->pad_top = (int)v[0], w->pad_left = (int)v[1];
        w->pad_bottom = (int)v[2], w->pad_right = (int)v[3];
    } else if (np > 0) {
        w->pad_left = (int)v[0], w->pad_right = (int)v[1];
    }
    if (bad_window(w))
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: bad kernel, stride, dilation or pad",
                              op);
    const Onnx__AttributeProto *ap = onnx_attr(n, "auto_pad");
    if (!ap || !ap->has_s || ap->s.len == 0 || onnx_attr_is(n, "auto_pad", "NOTSET"))
        return 0;
    if (onnx_attr_is(n, "auto_pad", "VALID")) {
        w->pad_top = w->pad_left = w->pad_bottom = w->pad_right = 0;
        return 0;
    }
    int lower = onnx_attr_is(n, "auto_pad", "SAME_LOWER");
    if (!lower && !onnx_attr_is(n, "auto_pad", "SAME_UPPER"))
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s with auto_pad %.*s", op,
                              (int)ap->s.len, (const char *)ap->s.data);
    int c, h, wd;
    smug_shape_chw(&ld->cur, &c, &h, &wd);
    if (spatial == 2)
        same_pads(h, w->sh, (kh - 1) * w->dh + 1, lower, &w->pad_top, &w->pad_bottom);
    same_pads(wd, w->sw, (kw - 1) * w->dw + 1, lower, &w->pad_left, &w->pad_right);
    return 0;
}

/* Output size of a window op along one axis, or -1 when the window does not fit. With
 * ceil_mode the last window may hang over the end, but (as in PyTorch) it must start inside
 * the input or its leading padding. */
static int window_out(int in, int k, int s, int d, int pa, int pb, int ceil_mode)
{
    long span = (long)in + pa + pb - ((long)(k - 1) * d + 1);
    if (span < 0)
        return -1;
    long out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    if (ceil_mode && (out - 1) * s >= (long)in + pa)
        out--;
    return out > MAX_DIM ? -1 : (int)out;
}

static int windowed_output(loader *ld, const char *node, const char *op, smug_layer *l,
                           int channels, int ceil_mode)
{
    int c, h, w;
    smug_shape_chw(&l->in, &c, &h, &w);
    const smug_window *k = &l->win;
    int ho = window_out(h, k->kh, k->sh, k->dh, k->pad_top, k->pad_bottom, ceil_mode);
    int wo = window_out(w, k->kw, k->sw, k->dw, k->pad_left, k->pad_right, ceil_mode);
    if (ho < 1 || wo < 1)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: window larger than its input", op);
    smug_shape out = {l->in.rank, {channels, l->in.rank == 3 ? ho : wo, wo}};
    return onnx_set_output(ld, l, &out);
}

int op_conv(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (onnx_need_rank(ld, node, "Conv", 2, 3) < 0)
        return -1;
    const konst *W = onnx_const_input_raw(ld, n, 1, node, 1);
    if (!W)
        return -1;
    long group = onnx_attr_int(n, "group", 1);
    int ci = ld->cur.dims[0], spatial = ld->cur.rank - 1;
    if (group < 1 || ci % group != 0)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node,
                              "Conv: group %ld does not divide %d "
                              "input channels",
                              group, ci);
    if (W->rank != spatial + 2 || W->dims[1] != ci / group || W->dims[0] % group != 0 ||
        W->dims[0] < 1)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node,
                              "Conv weight '%s' does not match %d input channels in %ld groups",
                              W->name, ci, group);
    int co = (int)W->dims[0];
    int kh = spatial == 2 ? (int)W->dims[2] : 1, kw = (int)W->dims[W->rank - 1];
    const konst *B = NULL;
    if (n->n_input > 2 && n->input[2][0] && !(B = onnx_const_input(ld, n, 2, node, 1)))
        return -1;
    if (B && (long)B->count != co)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Conv bias '%s' has %zu values, not %d",
                              B->name, B->count, co);
    smug_window win;
    if (read_window(ld, n, node, spatial, kh, kw, &win) < 0)
        return -1;
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_CONV, node, "Conv");
    if (!l || !(l->weight = onnx_alloc_floats(ld, W->count, 0)) ||
        !(l->bias = onnx_alloc_floats(ld, (size_t)co, 1)))
        return -1;
    onnx_const_read(ld, W, 0, W->count, l->weight);
    if (B)
        memcpy(l->bias, B->f, (size_t)co * sizeof(float));
    l->win = win;
    l->group = (int)group;
    l->n_in = ci;
    l->n_out = co;
    return windowed_output(ld, node, "Conv", l, co, 0);
}

int op_pool(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    int is_max = strcmp(n->op_type, "MaxPool") == 0;
    if (onnx_need_rank(ld, node, n->op_type, 2, 3) < 0)
        return -1;
    if (is_max && n->n_output > 1 && n->output[1][0])
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "MaxPool with an Indices output");
    if (is_max && onnx_attr_int(n, "storage_order", 0) != 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "MaxPool with storage_order 1");
    int spatial = ld->cur.rank - 1;
    long k[8];
    if (onnx_attr_ints(n, "kernel_shape", k, 8) != spatial)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s needs a %d-D kernel_shape",
                              n->op_type, spatial);
    if (k[0] < 1 || k[0] > MAX_DIM || k[spatial - 1] < 1 || k[spatial - 1] > MAX_DIM)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: bad kernel_shape", n->op_type);
    smug_window win;
    int kh = spatial == 2 ? (int)k[0] : 1, kw = (int)k[spatial - 1];
    if (read_window(ld, n, node, spatial, kh, kw, &win) < 0)
        return -1;
    smug_layer *l =
        onnx_push_layer(ld, is_max ? SMUG_LAYER_MAXPOOL : SMUG_LAYER_AVGPOOL, node, n->op_type);
    if (!l)
        return -1;
    l->win = win;
    l->count_include_pad = (int)onnx_attr_int(n, "count_include_pad", 0);
    return windowed_output(ld, node, n->op_type, l, ld->cur.dims[0],
                           onnx_attr_int(n, "ceil_mode", 0) != 0);
}

int op_global_avgpool(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (onnx_need_rank(ld, node, n->op_type, 2, 3) < 0)
        return -1;
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_GLOBALAVGPOOL, node, n->op_type);
    if (!l)
        return -1;
    smug_shape out = {ld->cur.rank, {ld->cur.dims[0], 1, 1}};
    return onnx_set_output(ld, l, &out);
}

/* The reduced axes of a ReduceMax / ReduceMean: the `axes` attribute (opset < 18; < 13 for
 * ReduceMean's input form) or a constant second input. Writes them, made non-negative against
 * rank+1 (the batch axis is 0), into ax; returns how many, or -1. *out_all is set when no axes
 * are given, which reduces every axis, batch included. */
int onnx_reduce_axes(loader *ld, const Onnx__NodeProto *n, const char *node, long *ax, int *out_all)
{
    int full = ld->cur.rank + 1, na = onnx_attr_ints(n, "axes", ax, 8);
    if (na < 0 && n->n_input > 1 && n->input[1][0]) {
        const konst *k = onnx_const_input(ld, n, 1, node, 0);
        if (!k)
            return -1;
        if (k->is_float || k->rank > 1 || k->count > 8)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s: bad axes '%s'", n->op_type,
                                  k->name);
        na = (int)k->count;
        for (int i = 0; i < na; i++)
            ax[i] = (long)k->i64[i];
    }
    *out_all = na <= 0;
    if (na > 8)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s over %d axes", n->op_type, na);
    for (int i = 0; i < na; i++) {
        ax[i] = ax[i] < 0 ? ax[i] + full : ax[i];
        if (ax[i] < 0 || ax[i] >= full)
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: axis out of range", n->op_type);
    }
    return na < 0 ? 0 : na;
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
        int all, na = onnx_reduce_axes(ld, n, node, ax, &all);
        if (na < 0)
            return -1;
        if (all)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                  "ReduceMax over every axis (batch included)");
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
    l->win.sh = l->win.sw = l->win.dh = l->win.dw = 1;
    smug_shape out = {ld->cur.rank, {c, 1, 1}};
    if (onnx_set_output(ld, l, &out) < 0)
        return -1;
    if (keep)
        return 0;
    l = onnx_push_layer(ld, SMUG_LAYER_RESHAPE, node, n->op_type);
    smug_shape vec = {1, {c, 0, 0}};
    return l ? onnx_set_output(ld, l, &vec) : -1;
}
