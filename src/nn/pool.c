/* pool.c — MaxPool and AveragePool forward and backward (pool.h).
 *
 * Forward runs tap by tap over whole output rows (each tap's valid output columns computed
 * once, so the inner loops carry no bounds tests and vectorise); MaxPool 2x2 stride 2, the
 * pooling of nearly every small CNN, has its own branch-free loop. Both directions share
 * the window arithmetic, so backward is the exact adjoint of forward. Planes (forward,
 * average backward) and examples (max backward, whose windows overlap) are split across
 * OpenMP threads (parallel.h).
 */
#include "smug/pool.h"

#include <float.h>
#include <string.h>

#include "smug/im2col.h"
#include "smug/parallel.h"

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

/* One plane, tap by tap: for each tap (ky, kx) in row-major window order, every output whose
 * window has that tap inside the input compares it with its best so far (max) or adds it
 * (avg). Each output sees its taps in the same order as a loop over its own window would, so
 * the first maximum wins ties and sums round the same; but the inner loop runs along an
 * output row, which vectorises. ch_base: the plane's offset within its example. */
static void pool_plane(const smug_layer *l, const pool_geom *g, const float *restrict xp,
                       int ch_base, float *restrict yp, int *restrict ap)
{
    const smug_window *k = &l->win;
    size_t P = (size_t)g->ho * (size_t)g->wo;
    int is_max = l->kind == SMUG_LAYER_MAXPOOL, sw = k->sw;
    for (size_t p = 0; p < P; p++)
        yp[p] = 0.0f;
    for (size_t p = 0; is_max && p < P; p++)
        ap[p] = -1;
    for (int ky = 0; ky < k->kh; ky++)
        for (int kx = 0; kx < k->kw; kx++) {
            int lo, hi, off = kx * g->dw - k->pad_left;
            smug_valid_cols(k, kx, g->w, g->wo, &lo, &hi);
            for (int oy = 0; oy < g->ho; oy++) {
                int y = oy * k->sh - k->pad_top + ky * g->dh;
                if (y < 0 || y >= g->h)
                    continue;
                const float *r = xp + (size_t)y * (size_t)g->w;
                float *yr = yp + (size_t)oy * (size_t)g->wo;
                if (!is_max) {
                    for (int ox = lo; ox < hi; ox++)
                        yr[ox] += r[ox * sw + off];
                    continue;
                }
                int *ar = ap + (size_t)oy * (size_t)g->wo, at = ch_base + y * g->w + off;
                for (int ox = lo; ox < hi; ox++) {
                    /* branch-free: the first tap inside the input is taken, later ones
                     * only when strictly larger */
                    float v = r[ox * sw + off];
                    int better = v > yr[ox] || ar[ox] < 0;
                    yr[ox] = better ? v : yr[ox];
                    ar[ox] = better ? at + ox * sw : ar[ox];
                }
            }
        }
    if (is_max) /* a window over padding only has output 0 and no argmax (ap stays -1) */
        return;
    for (int oy = 0; oy < g->ho; oy++)
        for (int ox = 0; ox < g->wo; ox++) {
            int div = avg_divisor(l, g, oy * k->sh - k->pad_top, ox * k->sw - k->pad_left);
            float *v = &yp[(size_t)oy * (size_t)g->wo + (size_t)ox];
            *v = div ? *v / (float)div : 0.0f;
        }
}

void smug_pool_forward(const smug_layer *l, const float *x, int batch, float *y, int *argmax)
{
    pool_geom g = geom(l);
    size_t plane = (size_t)g.h * (size_t)g.w, out_plane = (size_t)g.ho * (size_t)g.wo;
    int is_max = l->kind == SMUG_LAYER_MAXPOOL, plain = is_plain_2x2(l, &g);
    size_t planes = (size_t)batch * (size_t)g.c;
    SMUG_PAR_BLOCKS(planes, plane)
    for (size_t bc = 0; bc < planes; bc++) {
        const float *xp = x + bc * plane;
        float *yp = y + bc * out_plane;
        int *ap = is_max ? argmax + bc * out_plane : NULL;
        int ch_base = (int)((bc % (size_t)g.c) * plane); /* this plane within an example */
        if (plain)
            maxpool2x2_plane(xp, g.w, g.ho, g.wo, ch_base, yp, ap);
        else
            pool_plane(l, &g, xp, ch_base, yp, ap);
    }
}

static void avgpool_backward(const smug_layer *l, const float *gout, int batch, float *gin)
{
    pool_geom g = geom(l);
    const smug_window *k = &l->win;
    size_t plane = (size_t)g.h * (size_t)g.w, out_plane = (size_t)g.ho * (size_t)g.wo;
    size_t planes = (size_t)batch * (size_t)g.c;
    SMUG_PAR_BLOCKS(planes, plane)
    for (size_t bc = 0; bc < planes; bc++) {
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
    SMUG_PAR_BLOCKS(batch, in_size)
    for (int b = 0; b < batch; b++) {
        const int *am = argmax + (size_t)b * out_size;
        const float *gb = g + (size_t)b * out_size;
        float *gi = gin + (size_t)b * in_size;
        for (size_t o = 0; o < out_size; o++)
            if (am[o] >= 0)
                gi[am[o]] += gb[o];
    }
}
