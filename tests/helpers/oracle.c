/* oracle.c — the float64 reference forward pass of the tests (testutil.h: tu_forward_f64).
 *
 * Direct loops over output coordinates, written independently of src/nn (no im2col, no
 * BLAS, no index tricks), for every layer kind a smug_net can hold, over the layer graph
 * (each layer reads its src tensors). Slow and obviously right is the point: it is what
 * forward.c is compared with and what finite differences are taken of.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void f64_conv(const smug_layer *l, const double *x, double *y)
{
    int ci, h, w, co, ho, wo;
    smug_shape_chw(&l->in, &ci, &h, &w);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    const smug_window *k = &l->win;
    int g = l->group > 1 ? l->group : 1, cig = ci / g, cog = co / g;
    int dh = k->dh > 1 ? k->dh : 1, dw = k->dw > 1 ? k->dw : 1;
    for (int o = 0; o < co; o++)
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                double s = l->bias[o];
                for (int c = 0; c < cig; c++)
                    for (int ky = 0; ky < k->kh; ky++)
                        for (int kx = 0; kx < k->kw; kx++) {
                            int iy = oy * k->sh - k->pad_top + ky * dh;
                            int ix = ox * k->sw - k->pad_left + kx * dw;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                continue;
                            int cin = o / cog * cig + c;
                            s += (double)l->weight[((o * cig + c) * k->kh + ky) * k->kw + kx] *
                                 x[(cin * h + iy) * w + ix];
                        }
                y[(o * ho + oy) * wo + ox] = s;
            }
}

static void f64_pool(const smug_layer *l, const double *x, double *y)
{
    int c, h, w, co, ho, wo;
    smug_shape_chw(&l->in, &c, &h, &w);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    const smug_window *k = &l->win;
    int dh = k->dh > 1 ? k->dh : 1, dw = k->dw > 1 ? k->dw : 1;
    for (int ch = 0; ch < c; ch++)
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                double best = -INFINITY, sum = 0.0;
                int n = 0, padded = 0, any = 0;
                for (int ky = 0; ky < k->kh; ky++)
                    for (int kx = 0; kx < k->kw; kx++) {
                        int iy = oy * k->sh - k->pad_top + ky * dh;
                        int ix = ox * k->sw - k->pad_left + kx * dw;
                        /* inside the padded input: counted with count_include_pad */
                        padded += iy < h + k->pad_bottom && ix < w + k->pad_right;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            continue;
                        double v = x[(ch * h + iy) * w + ix];
                        best = !any || v > best ? v : best;
                        any = 1;
                        sum += v;
                        n++;
                    }
                double div = l->count_include_pad ? padded : n;
                y[(ch * ho + oy) * wo + ox] =
                    l->kind == SMUG_LAYER_MAXPOOL ? (any ? best : 0.0) : (div ? sum / div : 0.0);
            }
}

/* Coordinates of flat index e in shape s (rank <= 3). */
static void coords(const smug_shape *s, size_t e, int *c)
{
    for (int a = s->rank - 1; a >= 0; a--) {
        c[a] = (int)(e % (size_t)s->dims[a]);
        e /= (size_t)s->dims[a];
    }
}

static size_t flat(const smug_shape *s, const int *c)
{
    size_t e = 0;
    for (int a = 0; a < s->rank; a++)
        e = e * (size_t)s->dims[a] + (size_t)c[a];
    return e;
}

static void f64_binary(const smug_layer *l, const smug_shape *sa, const smug_shape *sb,
                       const double *a, const double *b, double *y)
{
    size_t n = smug_shape_size(&l->out);
    for (size_t e = 0; e < n; e++) {
        int c[SMUG_MAX_RANK], ca[SMUG_MAX_RANK], cb[SMUG_MAX_RANK];
        coords(&l->out, e, c);
        for (int i = 0; i < l->out.rank; i++) {
            ca[i] = sa->dims[i] == 1 ? 0 : c[i];
            cb[i] = sb->dims[i] == 1 ? 0 : c[i];
        }
        double u = a[flat(sa, ca)], v = b[flat(sb, cb)];
        y[e] = l->kind == SMUG_LAYER_ADD   ? u + v
               : l->kind == SMUG_LAYER_SUB ? u - v
               : l->kind == SMUG_LAYER_MUL ? u * v
                                           : u / v;
    }
}

static void f64_concat(const smug_layer *l, const smug_shape *const *s, const double *const *in,
                       double *y)
{
    size_t n = smug_shape_size(&l->out);
    for (size_t e = 0; e < n; e++) {
        int c[SMUG_MAX_RANK], j = 0;
        coords(&l->out, e, c);
        while (c[l->axis] >= s[j]->dims[l->axis])
            c[l->axis] -= s[j++]->dims[l->axis];
        y[e] = in[j][flat(s[j], c)];
    }
}

static void f64_softmax(const smug_layer *l, const double *x, double *y)
{
    size_t n = smug_shape_size(&l->in), inner = 1, len = (size_t)l->in.dims[l->axis];
    for (int a = l->axis + 1; a < l->in.rank; a++)
        inner *= (size_t)l->in.dims[a];
    if (l->n_in == 1)
        len *= inner, inner = 1;
    for (size_t base = 0; base < n; base++) {
        if ((base / inner) % len != 0) /* one pass per group, from its first element */
            continue;
        double mx = -INFINITY, sum = 0.0;
        for (size_t k = 0; k < len; k++)
            mx = fmax(mx, x[base + k * inner]);
        for (size_t k = 0; k < len; k++)
            sum += exp(x[base + k * inner] - mx);
        for (size_t k = 0; k < len; k++)
            y[base + k * inner] = exp(x[base + k * inner] - mx) / sum;
    }
}

static void f64_reduce_mean(const smug_layer *l, const double *x, double *y)
{
    size_t n = smug_shape_size(&l->in), m = smug_shape_size(&l->out);
    for (size_t o = 0; o < m; o++)
        y[o] = 0.0;
    for (size_t e = 0; e < n; e++) {
        int c[SMUG_MAX_RANK];
        coords(&l->in, e, c);
        for (int a = 0; a < l->in.rank; a++)
            if (l->axes & (1 << a))
                c[a] = 0;
        y[flat(&l->out, c)] += x[e] * (double)m / (double)n;
    }
}

static int f64_layer(const smug_layer *l, const smug_shape *const *s, const double *const *in,
                     double *y)
{
    const double *x = in[0];
    size_t n_in = smug_shape_size(&l->in), n_out = smug_shape_size(&l->out);
    switch (l->kind) {
    case SMUG_LAYER_DENSE:
        for (int o = 0; o < l->n_out; o++) {
            double sum = l->bias[o];
            for (int i = 0; i < l->n_in; i++)
                sum += (double)l->weight[(size_t)o * (size_t)l->n_in + (size_t)i] * x[i];
            y[o] = sum;
        }
        return 0;
    case SMUG_LAYER_CONV: f64_conv(l, x, y); return 0;
    case SMUG_LAYER_RELU:
        for (size_t i = 0; i < n_in; i++)
            y[i] = x[i] > 0 ? x[i] : 0.0;
        return 0;
    case SMUG_LAYER_MAXPOOL:
    case SMUG_LAYER_AVGPOOL: f64_pool(l, x, y); return 0;
    case SMUG_LAYER_GLOBALAVGPOOL: {
        size_t c = (size_t)l->in.dims[0], hw = n_in / c;
        for (size_t ch = 0; ch < c; ch++) {
            double sum = 0;
            for (size_t i = 0; i < hw; i++)
                sum += x[ch * hw + i];
            y[ch] = sum / (double)hw;
        }
        return 0;
    }
    case SMUG_LAYER_RESHAPE: memcpy(y, x, n_in * sizeof *y); return 0;
    case SMUG_LAYER_AFFINE:
        for (size_t i = 0; i < n_in; i++)
            y[i] = x[i] * l->scale[i] + l->shift[i];
        return 0;
    case SMUG_LAYER_EMBED: return -1;
    case SMUG_LAYER_ADD:
    case SMUG_LAYER_SUB:
    case SMUG_LAYER_MUL:
    case SMUG_LAYER_DIV: f64_binary(l, s[0], s[1], in[0], in[1], y); return 0;
    case SMUG_LAYER_CONCAT: f64_concat(l, s, in, y); return 0;
    case SMUG_LAYER_CLIP:
        for (size_t i = 0; i < n_in; i++)
            y[i] = fmin(fmax(x[i], (double)l->lo), (double)l->hi);
        return 0;
    case SMUG_LAYER_SIGMOID:
        for (size_t i = 0; i < n_in; i++)
            y[i] = 1.0 / (1.0 + exp(-x[i]));
        return 0;
    case SMUG_LAYER_PAD:
        for (size_t o = 0; o < n_out; o++)
            y[o] = l->index[o] < 0 ? (double)l->value : x[l->index[o]];
        return 0;
    case SMUG_LAYER_SOFTMAX: f64_softmax(l, x, y); return 0;
    case SMUG_LAYER_REDUCEMEAN: f64_reduce_mean(l, x, y); return 0;
    }
    return -1;
}

int tu_forward_f64(const smug_net *net, int from, int to, const double *x, double *out)
{
    int n = to - from, rc = 0;
    double **vals = calloc((size_t)n, sizeof *vals);
    if (!vals)
        return -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        const smug_layer *l = &net->layers[from + i];
        const smug_shape *shapes[64];
        const double *ins[64];
        if (l->n_src > 64)
            rc = -1;
        for (int j = 0; rc == 0 && j < l->n_src; j++) {
            int s = l->src[j];
            if (s != from - 1 && (s < from || s >= from + i)) {
                rc = -1; /* reads a tensor the range does not have */
                break;
            }
            shapes[j] = smug_net_src_shape(net, l, j);
            ins[j] = s == from - 1 ? x : vals[s - from];
        }
        vals[i] = malloc(smug_shape_size(&l->out) * sizeof **vals);
        if (rc == 0 && !vals[i])
            rc = -1;
        if (rc == 0)
            rc = f64_layer(l, shapes, ins, vals[i]);
    }
    if (rc == 0)
        memcpy(out, vals[n - 1], smug_shape_size(&net->layers[to - 1].out) * sizeof *out);
    for (int i = 0; i < n; i++)
        free(vals[i]);
    free(vals);
    return rc;
}
