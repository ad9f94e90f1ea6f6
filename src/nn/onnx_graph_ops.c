/* onnx_graph_ops.c — the ONNX operators that make a graph more than a chain, and the
 * elementwise functions that came with the networks using them: Add/Sub/Mul/Div of two
 * running tensors (residual connections, squeeze-excitation), Concat (Inception), Clip
 * (ReLU6), Sigmoid, Pad, ReduceMean.
 *
 * Like onnx_ops.c, each function checks its node against the shapes of its inputs and
 * appends a layer; nothing is computed here. Shapes are per example: an axis attribute is
 * counted with the batch as axis 0, which no operator may touch.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

static const smug_shape *run_shape(const loader *ld, const Onnx__NodeProto *n, int j)
{
    int layer = -1;
    onnx_find_value(ld, n->input[ld->run_idx[j]], &layer);
    return onnx_layer_shape(ld, layer);
}

/* Per-example axis of an ONNX axis attribute (negative counts from the end), or -1 when it
 * is the batch axis or out of range. */
static int example_axis(long axis, int rank)
{
    int full = rank + 1;
    axis = axis < 0 ? axis + full : axis;
    return axis >= 1 && axis < full ? (int)axis - 1 : -1;
}

int op_binary(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    const char *op = n->op_type;
    const smug_shape *a = run_shape(ld, n, 0), *b = run_shape(ld, n, 1);
    char sa[64], sb[64];
    smug_shape out = *a;
    int ok = a->rank == b->rank;
    for (int i = 0; ok && i < a->rank; i++) {
        ok = a->dims[i] == b->dims[i] || a->dims[i] == 1 || b->dims[i] == 1;
        out.dims[i] = a->dims[i] > b->dims[i] ? a->dims[i] : b->dims[i];
    }
    if (!ok)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "%s of tensors shaped %s and %s: they must have equal ranks and "
                              "broadcast",
                              op, smug_shape_str(a, sa, sizeof sa),
                              smug_shape_str(b, sb, sizeof sb));
    smug_layer_kind kind = strcmp(op, "Add") == 0   ? SMUG_LAYER_ADD
                           : strcmp(op, "Sub") == 0 ? SMUG_LAYER_SUB
                           : strcmp(op, "Mul") == 0 ? SMUG_LAYER_MUL
                                                    : SMUG_LAYER_DIV;
    smug_layer *l = onnx_push_layer(ld, kind, node, op);
    if (!l || onnx_set_sources(ld, n, l) < 0)
        return -1;
    return onnx_set_output(ld, l, &out);
}

int op_concat(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    for (size_t i = 0; i < n->n_input; i++)
        if (n->input[i][0] && onnx_find_const(ld, n->input[i]))
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                  "Concat of a constant ('%s') and running tensors", n->input[i]);
    const Onnx__AttributeProto *at = onnx_attr(n, "axis");
    int axis = at && at->has_i ? example_axis((long)at->i, ld->cur.rank) : -1;
    if (axis < 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "Concat needs an axis other than the batch axis");
    smug_shape out = ld->cur;
    long total = 0;
    for (int j = 0; j < ld->n_run; j++) {
        const smug_shape *s = run_shape(ld, n, j);
        int ok = s->rank == out.rank;
        for (int i = 0; ok && i < s->rank; i++)
            ok = i == axis || s->dims[i] == out.dims[i];
        if (!ok) {
            char sa[64], sb[64];
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Concat of %s and %s along axis %d",
                                  smug_shape_str(&out, sa, 64), smug_shape_str(s, sb, sizeof sb),
                                  axis + 1);
        }
        total += s->dims[axis];
    }
    if (total > MAX_DIM)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Concat output too large");
    out.dims[axis] = (int)total;
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_CONCAT, node, n->op_type);
    if (!l || onnx_set_sources(ld, n, l) < 0)
        return -1;
    l->axis = axis;
    return onnx_set_output(ld, l, &out);
}

/* A Clip bound: the attribute (opset < 11) or the optional scalar constant input i. */
static int clip_bound(loader *ld, const Onnx__NodeProto *n, const char *node, size_t i,
                      const char *attr, float dflt, float *out)
{
    *out = ld->opset < 11 ? onnx_attr_float(n, attr, dflt) : dflt;
    if (i >= n->n_input || !n->input[i][0])
        return 0;
    const konst *k = onnx_const_input(ld, n, i, node, 1);
    if (!k)
        return -1;
    if (k->count != 1)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Clip: '%s' is not a scalar", k->name);
    *out = k->f[0];
    return 0;
}

int op_clip(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    float lo, hi;
    if (strcmp(n->input[0], ld->cur_name) != 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Clip with a non-constant bound");
    if (clip_bound(ld, n, node, 1, "min", -FLT_MAX, &lo) < 0 ||
        clip_bound(ld, n, node, 2, "max", FLT_MAX, &hi) < 0)
        return -1;
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_CLIP, node, n->op_type);
    if (!l)
        return -1;
    l->lo = lo;
    l->hi = hi;
    return 0;
}

int op_sigmoid(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    return onnx_push_layer(ld, SMUG_LAYER_SIGMOID, node, n->op_type) ? 0 : -1;
}

/* The source coordinate of output coordinate o along an axis of n elements padded by b in
 * front, or -1 for the constant. */
static int pad_source(int o, int b, int n, int mode)
{
    int i = o - b;
    if (i >= 0 && i < n)
        return i;
    if (mode == 0)
        return -1;
    if (mode == 1) /* edge */
        return i < 0 ? 0 : n - 1;
    while (i < 0 || i >= n) /* reflect, without repeating the edge */
        i = i < 0 ? -i : 2 * (n - 1) - i;
    return i;
}

/* The pads of a Pad node: attribute (opset < 11) or constant input, 2 x (rank + 1) values. */
static int read_pads(loader *ld, const Onnx__NodeProto *n, const char *node, long *pads, int want)
{
    int np;
    if (ld->opset < 11) {
        np = onnx_attr_ints(n, "pads", pads, 8);
    } else {
        if (n->n_input > 3 && n->input[3][0])
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Pad with an axes input");
        const konst *k = onnx_const_input(ld, n, 1, node, 0);
        if (!k)
            return -1;
        if (k->is_float || k->count > 8)
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Pad: bad pads '%s'", k->name);
        np = (int)k->count;
        for (int i = 0; i < np; i++)
            pads[i] = (long)k->i64[i];
    }
    if (np != want)
        return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Pad: %d pads for a rank-%d tensor", np,
                              want / 2);
    return 0;
}

static int pad_mode(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    if (!onnx_attr(n, "mode") || onnx_attr_is(n, "mode", "constant"))
        return 0;
    if (onnx_attr_is(n, "mode", "edge"))
        return 1;
    if (onnx_attr_is(n, "mode", "reflect"))
        return 2;
    return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Pad with an unknown mode");
}

/* Fills l->index: for each output element, the input element it copies or -1. */
static void pad_index(smug_layer *l, const long *b, int mode)
{
    const smug_shape *in = &l->in, *out = &l->out;
    size_t size = smug_shape_size(out);
    for (size_t e = 0; e < size; e++) {
        size_t rest = e, src = 0, stride = 1;
        int inside = 1;
        for (int a = out->rank - 1; a >= 0; a--) {
            int o = (int)(rest % (size_t)out->dims[a]);
            rest /= (size_t)out->dims[a];
            int i = pad_source(o, (int)b[a], in->dims[a], mode);
            inside &= i >= 0;
            src += (size_t)(i < 0 ? 0 : i) * stride;
            stride *= (size_t)in->dims[a];
        }
        l->index[e] = inside ? (int)src : -1;
    }
}

int op_pad(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    int r = ld->cur.rank, full = r + 1;
    long pads[8];
    int mode = pad_mode(ld, n, node);
    if (mode < 0 || read_pads(ld, n, node, pads, 2 * full) < 0)
        return -1;
    float value = ld->opset < 11 ? onnx_attr_float(n, "value", 0.0f) : 0.0f;
    if (ld->opset >= 11 && n->n_input > 2 && n->input[2][0]) {
        const konst *k = onnx_const_input(ld, n, 2, node, 1);
        if (!k)
            return -1;
        if (k->count != 1)
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "Pad: value '%s' is not a scalar",
                                  k->name);
        value = k->f[0];
    }
    if (pads[0] != 0 || pads[full] != 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "Pad of the batch axis");
    smug_shape out = ld->cur;
    long begin[SMUG_MAX_RANK] = {0};
    for (int a = 0; a < r; a++) {
        long b = pads[a + 1], e = pads[a + 1 + full], d = ld->cur.dims[a];
        if (b < -d || e < -d || b > MAX_DIM || e > MAX_DIM || d + b + e < 1 ||
            (mode == 2 && (b >= d || e >= d)))
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                  "Pad of %ld and %ld around %ld elements%s", b, e, d,
                                  mode == 2 ? " (reflect needs pads smaller than the axis)" : "");
        out.dims[a] = (int)(d + b + e);
        begin[a] = b;
    }
    smug_layer *l = onnx_push_layer(ld, SMUG_LAYER_PAD, node, n->op_type);
    if (!l || onnx_set_output(ld, l, &out) < 0)
        return -1;
    l->index = malloc(smug_shape_size(&out) * sizeof *l->index);
    if (smug_check_alloc(l->index, ld->err) < 0)
        return -1;
    l->value = value;
    pad_index(l, begin, mode);
    return 0;
}

/* ReduceMean over per-example axes: a GlobalAveragePool when they are exactly the spatial
 * ones, else a ReduceMean layer; keepdims = 0 adds a Reshape dropping the reduced axes. */
int op_reduce_mean(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    long ax[8];
    int all, na = onnx_reduce_axes(ld, n, node, ax, &all);
    if (na < 0)
        return -1;
    if (all && onnx_attr_int(n, "noop_with_empty_axes", 0))
        return 0;
    int r = ld->cur.rank, mask = 0;
    for (int i = 0; i < na; i++)
        mask |= ax[i] == 0 ? 1 << 8 : 1 << (ax[i] - 1);
    if (all || (mask & (1 << 8)))
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "ReduceMean over the batch axis");
    smug_shape out = ld->cur, squeezed = {0, {0}};
    for (int a = 0; a < r; a++) {
        if (mask & (1 << a))
            out.dims[a] = 1;
        else
            squeezed.dims[squeezed.rank++] = ld->cur.dims[a];
    }
    int keep = (int)onnx_attr_int(n, "keepdims", 1);
    if (!keep && squeezed.rank == 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                              "ReduceMean to one number per example without keepdims");
    int spatial = r >= 2 && mask == ((1 << r) - 2);
    smug_layer *l = onnx_push_layer(ld, spatial ? SMUG_LAYER_GLOBALAVGPOOL : SMUG_LAYER_REDUCEMEAN,
                                    node, n->op_type);
    if (!l || onnx_set_output(ld, l, &out) < 0)
        return -1;
    l->axes = mask;
    if (keep)
        return 0;
    l = onnx_push_layer(ld, SMUG_LAYER_RESHAPE, node, n->op_type);
    return l ? onnx_set_output(ld, l, &squeezed) : -1;
}
