/* conv.c — convolution forward and input gradient (conv.h): the route every Conv takes.
 *
 * General convolutions unroll a block of examples with im2col and multiply by the weights
 * in one GEMM per group; the gradient is the transposed GEMM followed by col2im. Depthwise
 * convolutions (MobileNet) run as direct loops over kernel taps, each a contiguous
 * multiply-add along an output row. Weight gradients are never computed: smug attributes,
 * it does not train.
 */
#include "smug/conv.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "smug/im2col.h"

static int groups(const smug_layer *l)
{
    return l->group > 1 ? l->group : 1;
}

/* Rows of one group's column matrix: its input channels times the kernel taps. */
static size_t group_k(const smug_layer *l)
{
    return (size_t)(l->n_in / groups(l)) * (size_t)l->win.kh * (size_t)l->win.kw;
}

/* Examples per im2col block: keeps the column matrix near 1 MiB so it stays in cache
 * between im2col and the GEMM that reads it (one block for the whole batch was 2x slower
 * on the CNN fixture: memory-bound). */
int smug_conv_block(const smug_layer *l)
{
    int co, ho, wo;
    smug_shape_chw(&l->out, &co, &ho, &wo);
    size_t per = group_k(l) * (size_t)ho * (size_t)wo;
    size_t block = ((size_t)1 << 18) / (per ? per : 1);
    return block < 1 ? 1 : block > 4096 ? 4096 : (int)block;
}

static int is_depthwise(const smug_layer *l)
{
    return groups(l) > 1 && l->n_in == groups(l);
}

size_t smug_conv_scratch_floats(const smug_layer *l)
{
    if (is_depthwise(l))
        return 0;
    return smug_shape_size(&l->out) / (size_t)l->n_out * group_k(l) * 2;
}

/* Depthwise: output channel o reads input channel o / (c_out / c_in) only. dir 0 adds
 * w·x into y (forward), dir 1 adds w·g into gin (backward); same index walk both ways. */
static void depthwise(const smug_layer *l, const float *in, float *out, int batch, int dir)
{
    int c, h, w, co, ho, wo;
    smug_shape_chw(&l->in, &c, &h, &w);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    const smug_window *k = &l->win;
    int mult = co / c, dh = smug_window_dil(k, 0), dw = smug_window_dil(k, 1);
    size_t plane = (size_t)h * (size_t)w, oplane = (size_t)ho * (size_t)wo;
    for (int b = 0; b < batch; b++)
        for (int o = 0; o < co; o++) {
            size_t xi = ((size_t)b * (size_t)c + (size_t)(o / mult)) * plane;
            size_t yi = ((size_t)b * (size_t)co + (size_t)o) * oplane;
            const float *wt = l->weight + (size_t)o * (size_t)k->kh * (size_t)k->kw;
            for (int ky = 0; ky < k->kh; ky++)
                for (int kx = 0; kx < k->kw; kx++) {
                    float wv = wt[ky * k->kw + kx];
                    int lo, hi, off = kx * dw - k->pad_left;
                    smug_valid_cols(k, kx, w, wo, &lo, &hi);
                    for (int oy = 0; oy < ho; oy++) {
                        int y = oy * k->sh - k->pad_top + ky * dh;
                        if (y < 0 || y >= h)
                            continue;
                        size_t xr = xi + (size_t)y * (size_t)w, yr = yi + (size_t)oy * (size_t)wo;
                        if (dir == 0)
                            for (int ox = lo; ox < hi; ox++)
                                out[yr + (size_t)ox] += wv * in[xr + (size_t)(ox * k->sw + off)];
                        else
                            for (int ox = lo; ox < hi; ox++)
                                out[xr + (size_t)(ox * k->sw + off)] += wv * in[yr + (size_t)ox];
                    }
                }
        }
}

static void add_bias(const float *restrict src, float bias, size_t n, float *restrict dst)
{
    for (size_t p = 0; p < n; p++)
        dst[p] = src[p] + bias;
}

int smug_conv_forward(const smug_layer *l, const float *x, int batch, float *y, smug_error *err)
{
    int co, ho, wo;
    smug_shape_chw(&l->out, &co, &ho, &wo);
    size_t P = (size_t)ho * (size_t)wo, in_size = smug_shape_size(&l->in);
    if (is_depthwise(l)) {
        for (size_t bc = 0; bc < (size_t)batch * (size_t)co; bc++)
            for (size_t p = 0; p < P; p++)
                y[bc * P + p] = l->bias[bc % (size_t)co];
        depthwise(l, x, y, batch, 0);
        return 0;
    }
    int G = groups(l), cog = co / G;
    size_t K = group_k(l);
    int block = smug_conv_block(l);
    block = block < batch ? block : batch;
    float *col = malloc(K * (size_t)block * P * sizeof *col);
    float *yt = malloc((size_t)co * (size_t)block * P * sizeof *yt);
    if (!col || !yt) {
        free(col);
        free(yt);
        return smug_fail(err, SMUG_ERR_NOMEM, "conv '%s': out of memory", l->name);
    }
    for (int b0 = 0; b0 < batch; b0 += block) {
        int nb = batch - b0 < block ? batch - b0 : block;
        size_t cols = (size_t)nb * P;
        for (int g = 0; g < G; g++) {
            smug_im2col_group(l, g, x + (size_t)b0 * in_size, nb, col);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cog, (int)cols, (int)K, 1.0f,
                        l->weight + (size_t)g * (size_t)cog * K, (int)K, col, (int)cols, 0.0f,
                        yt + (size_t)g * (size_t)cog * cols, (int)cols);
        }
        /* yt is [co][b·P + p]; the output wants [b][co][p] */
        for (int b = 0; b < nb; b++)
            for (int c = 0; c < co; c++)
                add_bias(yt + (size_t)c * cols + (size_t)b * P, l->bias[c], P,
                         y + ((size_t)(b0 + b) * (size_t)co + (size_t)c) * P);
    }
    free(col);
    free(yt);
    return 0;
}

int smug_conv_backward(const smug_layer *l, const float *g, int batch, float *gin, smug_error *err)
{
    int co, ho, wo;
    smug_shape_chw(&l->out, &co, &ho, &wo);
    size_t P = (size_t)ho * (size_t)wo, in_size = smug_shape_size(&l->in);
    memset(gin, 0, (size_t)batch * in_size * sizeof *gin);
    if (is_depthwise(l)) {
        depthwise(l, g, gin, batch, 1);
        return 0;
    }
    int G = groups(l), cog = co / G;
    size_t K = group_k(l);
    int block = smug_conv_block(l);
    block = block < batch ? block : batch;
    float *gt = malloc((size_t)co * (size_t)block * P * sizeof *gt);
    float *dcol = malloc(K * (size_t)block * P * sizeof *dcol);
    if (!gt || !dcol) {
        free(gt), free(dcol);
        return smug_fail(err, SMUG_ERR_NOMEM, "conv '%s': out of memory", l->name);
    }
    for (int b0 = 0; b0 < batch; b0 += block) {
        int nb = batch - b0 < block ? batch - b0 : block;
        size_t cols = (size_t)nb * P;
        for (int b = 0; b < nb; b++)
            for (int c = 0; c < co; c++)
                memcpy(gt + (size_t)c * cols + (size_t)b * P,
                       g + ((size_t)(b0 + b) * (size_t)co + (size_t)c) * P, P * sizeof *gt);
        for (int gr = 0; gr < G; gr++) {
            /* dcol[K x nbP] = W_gᵀ[K x cog] · G_g[cog x nbP] */
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)cols, cog, 1.0f,
                        l->weight + (size_t)gr * (size_t)cog * K, (int)K,
                        gt + (size_t)gr * (size_t)cog * cols, (int)cols, 0.0f, dcol, (int)cols);
            smug_col2im_group(l, gr, dcol, nb, gin + (size_t)b0 * in_size);
        }
    }
    free(gt);
    free(dcol);
    return 0;
}
