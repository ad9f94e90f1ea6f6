/* tensor_ops.c — forward and backward of the graph-joining and pointwise layers
 * (tensor_ops.h): what residual networks, Inception and MobileNet need beyond convolutions
 * and pooling.
 *
 * Broadcasting is per example (the batch is never broadcast) over shapes of equal rank,
 * padded to three axes so one triple loop covers every case; equal shapes, the residual
 * connection, take a flat loop. Gradients of a broadcast input sum over the axes it was
 * repeated along.
 */
#include "smug/tensor_ops.h"

#include <math.h>
#include <string.h>

#include "smug/parallel.h"

/* A shape as three axes (leading 1s) with element strides; stride 0 where the input is
 * broadcast against the output. */
typedef struct axes3 {
    size_t d[3], st[3];
} axes3;

static axes3 broadcast_axes(const smug_shape *in, const smug_shape *out)
{
    axes3 a;
    int pad = 3 - out->rank;
    size_t st = 1;
    for (int i = 2; i >= 0; i--) {
        int k = i - pad;
        size_t din = k >= 0 ? (size_t)in->dims[k] : 1, dout = k >= 0 ? (size_t)out->dims[k] : 1;
        a.d[i] = dout;
        a.st[i] = din == 1 && dout != 1 ? 0 : st;
        st *= din;
    }
    return a;
}

static float binary_value(smug_layer_kind k, float a, float b)
{
    switch (k) {
    case SMUG_LAYER_ADD: return a + b;
    case SMUG_LAYER_SUB: return a - b;
    case SMUG_LAYER_MUL: return a * b;
    default: return a / b;
    }
}

/* ∂(a op b)/∂a (j = 0) or ∂/∂b (j = 1). */
static float binary_partial(smug_layer_kind k, int j, float a, float b)
{
    switch (k) {
    case SMUG_LAYER_ADD: return 1.0f;
    case SMUG_LAYER_SUB: return j ? -1.0f : 1.0f;
    case SMUG_LAYER_MUL: return j ? a : b;
    default: return j ? -a / (b * b) : 1.0f / b;
    }
}

/* Equal shapes (the residual connection, the hot case): one flat loop per kind, so the
 * compiler vectorises it. Same arithmetic as binary_value / binary_partial. */
static void binary_flat(smug_layer_kind k, const float *restrict a, const float *restrict b,
                        size_t n, float *restrict out)
{
    switch (k) {
    case SMUG_LAYER_ADD:
        SMUG_PAR_SIMD(n)
        for (size_t e = 0; e < n; e++)
            out[e] = a[e] + b[e];
        return;
    case SMUG_LAYER_SUB:
        SMUG_PAR_SIMD(n)
        for (size_t e = 0; e < n; e++)
            out[e] = a[e] - b[e];
        return;
    case SMUG_LAYER_MUL:
        SMUG_PAR_SIMD(n)
        for (size_t e = 0; e < n; e++)
            out[e] = a[e] * b[e];
        return;
    default:
        SMUG_PAR_SIMD(n)
        for (size_t e = 0; e < n; e++)
            out[e] = a[e] / b[e];
        return;
    }
}

static void binary_flat_grad(smug_layer_kind k, int j, const float *restrict a,
                             const float *restrict b, const float *restrict g, size_t n,
                             float *restrict out)
{
    if (k == SMUG_LAYER_ADD || (k == SMUG_LAYER_SUB && j == 0)) { /* g · 1 */
        memcpy(out, g, n * sizeof *out);
        return;
    }
    switch (k) {
    case SMUG_LAYER_SUB:
        SMUG_PAR_SIMD(n)
        for (size_t e = 0; e < n; e++)
            out[e] = g[e] * -1.0f;
        return;
    case SMUG_LAYER_MUL: {
        const float *restrict other = j ? a : b;
        SMUG_PAR_SIMD(n)
        for (size_t e = 0; e < n; e++)
            out[e] = g[e] * other[e];
        return;
    }
    default:
        if (j == 0) {
            SMUG_PAR_SIMD(n)
            for (size_t e = 0; e < n; e++)
                out[e] = g[e] * (1.0f / b[e]);
        } else {
            SMUG_PAR_SIMD(n)
            for (size_t e = 0; e < n; e++)
                out[e] = g[e] * (-a[e] / (b[e] * b[e]));
        }
        return;
    }
}

static void binary(const smug_layer *l, const smug_shape *const *shapes, const float *const *ins,
                   const float *g, int j, int batch, float *out)
{
    size_t sa = smug_shape_size(shapes[0]), sb = smug_shape_size(shapes[1]);
    size_t so = smug_shape_size(&l->out);
    smug_layer_kind k = l->kind;
    if (sa == so && sb == so) { /* no broadcasting: the residual connection */
        if (g)
            binary_flat_grad(k, j, ins[0], ins[1], g, (size_t)batch * so, out);
        else
            binary_flat(k, ins[0], ins[1], (size_t)batch * so, out);
        return;
    }
    axes3 A = broadcast_axes(shapes[0], &l->out), B = broadcast_axes(shapes[1], &l->out);
    if (g)
        memset(out, 0, (size_t)batch * (j ? sb : sa) * sizeof *out);
    for (int n = 0; n < batch; n++) {
        const float *a = ins[0] + (size_t)n * sa, *b = ins[1] + (size_t)n * sb;
        size_t o = (size_t)n * so;
        for (size_t i0 = 0; i0 < A.d[0]; i0++)
            for (size_t i1 = 0; i1 < A.d[1]; i1++)
                for (size_t i2 = 0; i2 < A.d[2]; i2++, o++) {
                    size_t ia = i0 * A.st[0] + i1 * A.st[1] + i2 * A.st[2];
                    size_t ib = i0 * B.st[0] + i1 * B.st[1] + i2 * B.st[2];
                    if (!g)
                        out[o] = binary_value(k, a[ia], b[ib]);
                    else if (j == 0)
                        out[(size_t)n * sa + ia] += g[o] * binary_partial(k, 0, a[ia], b[ib]);
                    else
                        out[(size_t)n * sb + ib] += g[o] * binary_partial(k, 1, a[ia], b[ib]);
                }
    }
}

/* Elements before and after the concatenation axis. */
static void outer_inner(const smug_shape *s, int axis, size_t *outer, size_t *inner)
{
    *outer = *inner = 1;
    for (int i = 0; i < s->rank; i++) {
        if (i < axis)
            *outer *= (size_t)s->dims[i];
        if (i > axis)
            *inner *= (size_t)s->dims[i];
    }
}

/* Copies input j's slices into y (dir 0) or y's slices back into gin (dir 1). */
static void concat_piece(const smug_layer *l, const smug_shape *const *shapes, int j, int batch,
                         const float *src, float *dst, int dir)
{
    size_t outer, inner, off = 0;
    outer_inner(&l->out, l->axis, &outer, &inner);
    for (int i = 0; i < j; i++)
        off += (size_t)shapes[i]->dims[l->axis] * inner;
    size_t piece = (size_t)shapes[j]->dims[l->axis] * inner,
           row = (size_t)l->out.dims[l->axis] * inner;
    size_t in_size = smug_shape_size(shapes[j]), out_size = smug_shape_size(&l->out);
    for (int n = 0; n < batch; n++)
        for (size_t o = 0; o < outer; o++) {
            float *yo = (dir ? (float *)src : dst) + (size_t)n * out_size + o * row + off;
            float *xo = (dir ? dst : (float *)src) + (size_t)n * in_size + o * piece;
            if (dir)
                memcpy(xo, yo, piece * sizeof *xo);
            else
                memcpy(yo, xo, piece * sizeof *yo);
        }
}

/* Softmax groups: [outer][n][inner] per example (net.h). */
static void softmax_geom(const smug_layer *l, size_t *outer, size_t *n, size_t *inner)
{
    outer_inner(&l->in, l->axis, outer, inner);
    *n = (size_t)l->in.dims[l->axis];
    if (l->n_in == 1) /* opset < 13: everything from the axis on is one group */
        *n *= *inner, *inner = 1;
}

static void softmax(const smug_layer *l, const float *x, const float *y, const float *g, int batch,
                    float *out)
{
    size_t outer, n, inner;
    softmax_geom(l, &outer, &n, &inner);
    for (size_t grp = 0; grp < (size_t)batch * outer; grp++)
        for (size_t i = 0; i < inner; i++) {
            size_t base = grp * n * inner + i;
            if (g) { /* gin = y ⊙ (g − Σ g⊙y) */
                double dot = 0.0;
                for (size_t k = 0; k < n; k++)
                    dot += (double)g[base + k * inner] * y[base + k * inner];
                for (size_t k = 0; k < n; k++)
                    out[base + k * inner] =
                        y[base + k * inner] * (float)((double)g[base + k * inner] - dot);
                continue;
            }
            float mx = x[base];
            for (size_t k = 1; k < n; k++)
                mx = x[base + k * inner] > mx ? x[base + k * inner] : mx;
            double sum = 0.0;
            for (size_t k = 0; k < n; k++)
                sum += exp((double)(x[base + k * inner] - mx));
            for (size_t k = 0; k < n; k++)
                out[base + k * inner] = (float)(exp((double)(x[base + k * inner] - mx)) / sum);
        }
}

/* Index in the reduced output of input element e (reduced axes set to 0). */
static size_t reduced_index(const smug_layer *l, size_t e)
{
    size_t idx = 0, stride = 1;
    for (int a = l->in.rank - 1; a >= 0; a--) {
        size_t c = e % (size_t)l->in.dims[a];
        e /= (size_t)l->in.dims[a];
        if (!(l->axes & (1 << a)))
            idx += c * stride;
        stride *= (size_t)l->out.dims[a];
    }
    return idx;
}

static void reduce_mean(const smug_layer *l, const float *x, const float *g, int batch, float *out)
{
    size_t si = smug_shape_size(&l->in), so = smug_shape_size(&l->out);
    float inv = (float)((double)so / (double)si);
    if (!g)
        memset(out, 0, (size_t)batch * so * sizeof *out);
    for (int n = 0; n < batch; n++)
        for (size_t e = 0; e < si; e++) {
            size_t o = (size_t)n * so + reduced_index(l, e);
            if (g)
                out[(size_t)n * si + e] = g[o] * inv;
            else
                out[o] += x[(size_t)n * si + e];
        }
    for (size_t o = 0; !g && o < (size_t)batch * so; o++)
        out[o] *= inv;
}

/* The bounds are locals and the pointers restrict: otherwise every element reloads lo and
 * hi (they might alias the output) and the loop neither vectorises nor avoids branches,
 * which made Clip 40 % of mobilenet_v2's IG. */
static void clip_forward(const float *restrict x, float lo, float hi, size_t n, float *restrict y)
{
    SMUG_PAR_SIMD(n)
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] < lo ? lo : x[i] > hi ? hi : x[i];
}

/* as torch's ReLU6 (hardtanh), and Relu'(0) = 0: the gradient passes where lo < x < hi */
static void clip_backward(const float *restrict x, const float *restrict g, float lo, float hi,
                          size_t n, float *restrict gin)
{
    SMUG_PAR_SIMD(n)
    for (size_t i = 0; i < n; i++) {
        float gi = g[i]; /* loaded unconditionally so the select vectorises */
        gin[i] = x[i] > lo && x[i] < hi ? gi : 0.0f;
    }
}

void smug_tensor_forward(const smug_layer *l, const smug_shape *const *shapes,
                         const float *const *ins, int batch, float *y)
{
    const float *x = ins[0];
    size_t n = (size_t)batch * smug_shape_size(&l->in), so = smug_shape_size(&l->out);
    switch (l->kind) {
    case SMUG_LAYER_ADD:
    case SMUG_LAYER_SUB:
    case SMUG_LAYER_MUL:
    case SMUG_LAYER_DIV: binary(l, shapes, ins, NULL, 0, batch, y); return;
    case SMUG_LAYER_CONCAT:
        for (int j = 0; j < l->n_src; j++)
            concat_piece(l, shapes, j, batch, ins[j], y, 0);
        return;
    case SMUG_LAYER_CLIP: clip_forward(x, l->lo, l->hi, n, y); return;
    case SMUG_LAYER_SIGMOID:
        for (size_t i = 0; i < n; i++)
            y[i] = (float)(1.0 / (1.0 + exp(-(double)x[i])));
        return;
    case SMUG_LAYER_PAD:
        for (int b = 0; b < batch; b++)
            for (size_t o = 0; o < so; o++) {
                int s = l->index[o];
                y[(size_t)b * so + o] =
                    s < 0 ? l->value : x[(size_t)b * smug_shape_size(&l->in) + (size_t)s];
            }
        return;
    case SMUG_LAYER_SOFTMAX: softmax(l, x, NULL, NULL, batch, y); return;
    case SMUG_LAYER_REDUCEMEAN: reduce_mean(l, x, NULL, batch, y); return;
    default: return;
    }
}

void smug_tensor_backward(const smug_layer *l, const smug_shape *const *shapes,
                          const float *const *ins, const float *y, const float *g, int j, int batch,
                          float *gin)
{
    const float *x = ins[0];
    size_t si = smug_shape_size(&l->in), n = (size_t)batch * si, so = smug_shape_size(&l->out);
    switch (l->kind) {
    case SMUG_LAYER_ADD:
    case SMUG_LAYER_SUB:
    case SMUG_LAYER_MUL:
    case SMUG_LAYER_DIV: binary(l, shapes, ins, g, j, batch, gin); return;
    case SMUG_LAYER_CONCAT: concat_piece(l, shapes, j, batch, g, gin, 1); return;
    case SMUG_LAYER_CLIP: clip_backward(x, g, l->lo, l->hi, n, gin); return;
    case SMUG_LAYER_SIGMOID:
        for (size_t i = 0; i < n; i++)
            gin[i] = g[i] * y[i] * (1.0f - y[i]);
        return;
    case SMUG_LAYER_PAD:
        memset(gin, 0, n * sizeof *gin);
        for (int b = 0; b < batch; b++)
            for (size_t o = 0; o < so; o++)
                if (l->index[o] >= 0)
                    gin[(size_t)b * si + (size_t)l->index[o]] += g[(size_t)b * so + o];
        return;
    case SMUG_LAYER_SOFTMAX: softmax(l, x, y, g, batch, gin); return;
    case SMUG_LAYER_REDUCEMEAN: reduce_mean(l, x, g, batch, gin); return;
    default: return;
    }
}
