/* im2col.c — unrolling convolution windows into GEMM columns and back (see im2col.h).
 *
 * Both directions walk the same index map, so the forward pass and the input gradient
 * (conv.c) agree on padding, strides and dilations by construction. A grouped convolution
 * unrolls one group's input channels at a time.
 */
#include "smug/im2col.h"

#include <string.h>

typedef struct conv_geom {
    int c, h, w, ho, wo;
    int c0, nc; /* the group's input channels */
} conv_geom;

void smug_valid_cols(const smug_window *win, int kx, int w, int wo, int *lo, int *hi)
{
    kx *= smug_window_dil(win, 1);
    int first = win->pad_left - kx; /* smallest ox·sw that lands at x >= 0 */
    *lo = first <= 0 ? 0 : (first + win->sw - 1) / win->sw;
    int last = w - 1 + win->pad_left - kx; /* largest ox·sw that lands at x < w */
    *hi = last < 0 ? 0 : last / win->sw + 1;
    *hi = *hi < wo ? *hi : wo;
    *lo = *lo < *hi ? *lo : *hi;
}

static conv_geom geom(const smug_layer *l, int group)
{
    conv_geom g;
    int co;
    smug_shape_chw(&l->in, &g.c, &g.h, &g.w);
    smug_shape_chw(&l->out, &co, &g.ho, &g.wo);
    g.nc = g.c / (l->group > 1 ? l->group : 1);
    g.c0 = group * g.nc;
    return g;
}

void smug_im2col_group(const smug_layer *l, int group, const float *x, int batch, float *col)
{
    conv_geom g = geom(l, group);
    const smug_window *win = &l->win;
    size_t P = (size_t)g.ho * (size_t)g.wo, cols = (size_t)batch * P;
    size_t in_size = (size_t)g.c * (size_t)g.h * (size_t)g.w;
    int dh = smug_window_dil(win, 0), dw = smug_window_dil(win, 1);
    for (int c = 0; c < g.nc; c++)
        for (int ky = 0; ky < win->kh; ky++)
            for (int kx = 0; kx < win->kw; kx++) {
                float *row =
                    col + ((size_t)(c * win->kh + ky) * (size_t)win->kw + (size_t)kx) * cols;
                for (int b = 0; b < batch; b++) {
                    const float *xc =
                        x + (size_t)b * in_size + (size_t)(g.c0 + c) * (size_t)g.h * (size_t)g.w;
                    float *dst = row + (size_t)b * P;
                    for (int oy = 0; oy < g.ho; oy++) {
                        int y = oy * win->sh - win->pad_top + ky * dh;
                        float *d = dst + (size_t)oy * (size_t)g.wo;
                        if (y < 0 || y >= g.h) {
                            memset(d, 0, (size_t)g.wo * sizeof *d);
                            continue;
                        }
                        const float *xr = xc + (size_t)y * (size_t)g.w;
                        int off = kx * dw - win->pad_left; /* xr[ox·sw + off] stays in the row */
                        int lo, hi;
                        smug_valid_cols(win, kx, g.w, g.wo, &lo, &hi);
                        for (int ox = 0; ox < lo; ox++)
                            d[ox] = 0.0f;
                        if (win->sw == 1) /* the common case: a contiguous run */
                            memcpy(d + lo, xr + lo + off, (size_t)(hi - lo) * sizeof *d);
                        else
                            for (int ox = lo; ox < hi; ox++)
                                d[ox] = xr[ox * win->sw + off];
                        for (int ox = hi; ox < g.wo; ox++)
                            d[ox] = 0.0f;
                    }
                }
            }
}

void smug_col2im_group(const smug_layer *l, int group, const float *dcol, int batch, float *grad_x)
{
    conv_geom g = geom(l, group);
    const smug_window *win = &l->win;
    size_t P = (size_t)g.ho * (size_t)g.wo, cols = (size_t)batch * P;
    size_t in_size = (size_t)g.c * (size_t)g.h * (size_t)g.w;
    int dh = smug_window_dil(win, 0), dw = smug_window_dil(win, 1);
    for (int c = 0; c < g.nc; c++)
        for (int ky = 0; ky < win->kh; ky++)
            for (int kx = 0; kx < win->kw; kx++) {
                const float *row =
                    dcol + ((size_t)(c * win->kh + ky) * (size_t)win->kw + (size_t)kx) * cols;
                for (int b = 0; b < batch; b++) {
                    float *gc = grad_x + (size_t)b * in_size +
                                (size_t)(g.c0 + c) * (size_t)g.h * (size_t)g.w;
                    const float *src = row + (size_t)b * P;
                    for (int oy = 0; oy < g.ho; oy++) {
                        int y = oy * win->sh - win->pad_top + ky * dh;
                        if (y < 0 || y >= g.h)
                            continue;
                        const float *s = src + (size_t)oy * (size_t)g.wo;
                        float *gr = gc + (size_t)y * (size_t)g.w;
                        int off = kx * dw - win->pad_left;
                        int lo, hi;
                        smug_valid_cols(win, kx, g.w, g.wo, &lo, &hi);
                        if (win->sw == 1) /* unit stride lets the compiler vectorise */
                            for (int ox = lo; ox < hi; ox++)
                                gr[ox + off] += s[ox];
                        else
                            for (int ox = lo; ox < hi; ox++)
                                gr[ox * win->sw + off] += s[ox];
                    }
                }
            }
}

void smug_im2col(const smug_layer *l, const float *x, int batch, float *col)
{
    smug_im2col_group(l, 0, x, batch, col);
}

void smug_col2im(const smug_layer *l, const float *dcol, int batch, float *grad_x)
{
    smug_col2im_group(l, 0, dcol, batch, grad_x);
}
