/* pool.c — MaxPool and AveragePool forward and backward (pool.h).
 *
 * The common windows (dilation 1) are clipped to the input once per output, so the inner
 * loops carry no bounds tests; MaxPool 2x2 stride 2, the pooling of nearly every small CNN,
 * has its own branch-free loop. Dilated windows take a general per-tap path. Both
 * directions share the window arithmetic, so backward is the exact adjoint of forward.
 */
#include "smug/pool.h"

#include <float.h>
#include <string.h>

typedef struct pool_geom {
    int c, h, w, ho, wo;
    int dh, dw;
} pool_geom;

static pool_geom geom(const smug_layer *l)
{
    pool_geom g;
    int co;
    smug_shape_chw(&l->in, &g.c, &g.h, &g.w);
    smug_shape_chw(&l->out, &co, &g.ho, &g.wo);
    g.dh = smug_window_dil(&l->win, 0);
    g.dw = smug_window_dil(&l->win, 1);
    return g;
}

/* Taps of a window starting at s (k taps, d apart) that land in [lo, hi). */
static int taps_in(int s, int k, int d, int lo, int hi)
{
    int n = 0;
    for (int t = 0; t < k; t++)
        n += s + t * d >= lo && s + t * d < hi;
    return n;
}

/* The divisor of one AveragePool window starting at (ys, xs). */
static int avg_divisor(const smug_layer *l, const pool_geom *g, int ys, int xs)
{
    const smug_window *k = &l->win;
    if (l->count_include_pad)
        return taps_in(ys, k->kh, g->dh, -k->pad_top, g->h + k->pad_bottom) *
               taps_in(xs, k->kw, g->dw, -k->pad_left, g->w + k->pad_right);
    return taps_in(ys, k->kh, g->dh, 0, g->h) * taps_in(xs, k->kw, g->dw, 0, g->w);
}

/* MaxPool 2x2, stride 2, no padding over one plane: fixed taps let the compiler keep it
 * branch-free. Same first-maximum rule as the general path. */
static void maxpool2x2_plane(const float *restrict xp, int w, int ho, int wo, int base,
                             float *restrict yp, int *restrict ap)
{
    for (int oy = 0; oy < ho; oy++) {
        const float *r0 = xp + (size_t)(2 * oy) * (size_t)w, *r1 = r0 + w;
        for (int ox = 0; ox < wo; ox++) {
            int c0 = 2 * ox;
            float best = r0[c0];
            int at = 2 * oy * w + c0;
            float v = r0[c0 + 1];
            at = v > best ? at + 1 : at;
            best = v > best ? v : best;
            v = r1[c0];
            at = v > best ? (2 * oy + 1) * w + c0 : at;
            best = v > best ? v : best;
            v = r1[c0 + 1];
            at = v > best ? (2 * oy + 1) * w + c0 + 1 : at;
            best = v > best ? v : best;
            yp[(size_t)oy * (size_t)wo + (size_t)ox] = best;
            ap[(size_t)oy * (size_t)wo + (size_t)ox] = base + at;
        }
    }
}

static int is_plain_2x2(const smug_layer *l, const pool_geom *g)
{
    const smug_window *w = &l->win;
    return l->kind == SMUG_LAYER_MAXPOOL && w->kh == 2 && w->kw == 2 && w->sh == 2 && w->sw == 2 &&
           !w->pad_top && !w->pad_left && !w->pad_bottom && !w->pad_right && g->dh == 1 &&
           g->dw == 1 && g->ho * 2 <= g->h && g->wo * 2 <= g->w;
}

/* One output of one plane: the maximum (and its index) or the sum over the window. */
static void pool_one(const smug_layer *l, const pool_geom *g, const float *xp, int oy, int ox,
                     float *out_v, int *out_arg)
{
    const smug_window *k = &l->win;
    int ys = oy * k->sh - k->pad_top, xs = ox * k->sw - k->pad_left;
    int is_max = l->kind == SMUG_LAYER_MAXPOOL;
    float best = -FLT_MAX, sum = 0.0f;
    int arg = -1;
    for (int ky = 0; ky < k->kh; ky++) {
        int y = ys + ky * g->dh;
        if (y < 0 || y >= g->h)
            continue;
        if (g->dw == 1) { /* a contiguous run of the row, clipped once */
            int x0 = xs < 0 ? 0 : xs, x1 = xs + k->kw < g->w ? xs + k->kw : g->w;
            const float *r = xp + (size_t)y * (size_t)g->w;
            for (int x = x0; x < x1; x++) {
                /* branch-free: a strictly larger value replaces the best, so the first
                 * maximum in row-major order wins ties */
                int better = r[x] > best || arg < 0;
                best = better ? r[x] : best;
                arg = better ? y * g->w + x : arg;
                sum += r[x];
            }
            continue;
        }
        for (int kx = 0; kx < k->kw; kx++) {
            int x = xs + kx * g->dw;
            if (x < 0 || x >= g->w)
                continue;
            float v = xp[(size_t)y * (size_t)g->w + (size_t)x];
            if (v > best || arg < 0)
                best = v, arg = y * g->w + x;
            sum += v;
        }
    }
    if (is_max) {
        *out_v = arg < 0 ? 0.0f : best;
        *out_arg = arg;
    } else {
        int div = avg_divisor(l, g, ys, xs);
        *out_v = div ? sum / (float)div : 0.0f;
    }
}

void smug_pool_forward(const smug_layer *l, const float *x, int batch, float *y, int *argmax)
{
    pool_geom g = geom(l);
    size_t plane = (size_t)g.h * (size_t)g.w, out_plane = (size_t)g.ho * (size_t)g.wo;
    int is_max = l->kind == SMUG_LAYER_MAXPOOL, plain = is_plain_2x2(l, &g);
    for (size_t bc = 0; bc < (size_t)batch * (size_t)g.c; bc++) {
        const float *xp = x + bc * plane;
        float *yp = y + bc * out_plane;
        int *ap = is_max ? argmax + bc * out_plane : NULL;
        int ch_base = (int)((bc % (size_t)g.c) * plane); /* this plane within an example */
        if (plain) {
            maxpool2x2_plane(xp, g.w, g.ho, g.wo, ch_base, yp, ap);
            continue;
        }
        for (int oy = 0; oy < g.ho; oy++)
            for (int ox = 0; ox < g.wo; ox++) {
                size_t o = (size_t)oy * (size_t)g.wo + (size_t)ox;
                int arg = -1;
                pool_one(l, &g, xp, oy, ox, &yp[o], &arg);
                if (is_max)
                    ap[o] = arg < 0 ? -1 : ch_base + arg;
            }
    }
}

static void avgpool_backward(const smug_layer *l, const float *gout, int batch, float *gin)
{
    pool_geom g = geom(l);
    const smug_window *k = &l->win;
    size_t plane = (size_t)g.h * (size_t)g.w, out_plane = (size_t)g.ho * (size_t)g.wo;
    for (size_t bc = 0; bc < (size_t)batch * (size_t)g.c; bc++) {
        float *gp = gin + bc * plane;
        const float *op = gout + bc * out_plane;
        for (int oy = 0; oy < g.ho; oy++)
            for (int ox = 0; ox < g.wo; ox++) {
                int ys = oy * k->sh - k->pad_top, xs = ox * k->sw - k->pad_left;
                int div = avg_divisor(l, &g, ys, xs);
                float share = div ? op[(size_t)oy * (size_t)g.wo + (size_t)ox] / (float)div : 0.0f;
                for (int ky = 0; ky < k->kh; ky++) {
                    int y = ys + ky * g.dh;
                    if (y < 0 || y >= g.h)
                        continue;
                    for (int kx = 0; kx < k->kw; kx++) {
                        int x = xs + kx * g.dw;
                        if (x >= 0 && x < g.w)
                            gp[(size_t)y * (size_t)g.w + (size_t)x] += share;
                    }
                }
            }
    }
}

void smug_pool_backward(const smug_layer *l, const float *g, const int *argmax, int batch,
                        float *gin)
{
    size_t in_size = smug_shape_size(&l->in), out_size = smug_shape_size(&l->out);
    memset(gin, 0, (size_t)batch * in_size * sizeof *gin);
    if (l->kind == SMUG_LAYER_AVGPOOL) {
        avgpool_backward(l, g, batch, gin);
        return;
    }
    for (int b = 0; b < batch; b++)
        for (size_t o = 0; o < out_size; o++) {
            int a = argmax[(size_t)b * out_size + o];
            if (a >= 0)
                gin[(size_t)b * in_size + (size_t)a] += g[(size_t)b * out_size + o];
        }
}
