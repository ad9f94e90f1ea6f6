/* conv.c — convolution forward and input gradient (conv.h): the route every Conv takes.
 *
 * A prepared layer runs through oneDNN (conv_dnnl.c) unless told otherwise or oneDNN
 * declines it. The GEMM route unrolls a block of examples with im2col and multiplies by the
 * weights in one GEMM per group; the gradient is the transposed GEMM followed by col2im.
 * Depthwise convolutions (MobileNet) on that route run as direct loops over kernel taps, each
 * a contiguous multiply-add along an output row. Weight gradients are never computed: smug
 * attributes, it does not train.
 */
#include "smug/conv.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/conv_dnnl.h"
#include "smug/im2col.h"

struct smug_conv {
    const smug_layer *l;
    int max_batch;
    smug_dnnl_conv *dnnl; /* NULL: the GEMM route */
    size_t scratch;       /* bytes */
    char what[200];
};

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
static int conv_block(const smug_layer *l)
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

/* Floats of im2col scratch for `batch` examples: the column matrix and the output (or
 * gradient) in [co][b·P + p] order. */
static size_t gemm_scratch_floats(const smug_layer *l, int batch)
{
    if (is_depthwise(l))
        return 0;
    int co, ho, wo, block = conv_block(l);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    block = block < batch ? block : batch;
    size_t P = (size_t)ho * (size_t)wo;
    return (group_k(l) + (size_t)co) * (size_t)block * P;
}

static void gemm_forward(const smug_layer *l, const float *x, int batch, float *y, float *scratch)
{
    int co, ho, wo;
    smug_shape_chw(&l->out, &co, &ho, &wo);
    size_t P = (size_t)ho * (size_t)wo, in_size = smug_shape_size(&l->in);
    if (is_depthwise(l)) {
        for (size_t bc = 0; bc < (size_t)batch * (size_t)co; bc++)
            for (size_t p = 0; p < P; p++)
                y[bc * P + p] = l->bias[bc % (size_t)co];
        depthwise(l, x, y, batch, 0);
        return;
    }
    int G = groups(l), cog = co / G;
    size_t K = group_k(l);
    int block = conv_block(l);
    block = block < batch ? block : batch;
    float *col = scratch, *yt = scratch + K * (size_t)block * P;
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
}

static void gemm_backward(const smug_layer *l, const float *g, int batch, float *gin,
                          float *scratch)
{
    int co, ho, wo;
    smug_shape_chw(&l->out, &co, &ho, &wo);
    size_t P = (size_t)ho * (size_t)wo, in_size = smug_shape_size(&l->in);
    memset(gin, 0, (size_t)batch * in_size * sizeof *gin);
    if (is_depthwise(l)) {
        depthwise(l, g, gin, batch, 1);
        return;
    }
    int G = groups(l), cog = co / G;
    size_t K = group_k(l);
    int block = conv_block(l);
    block = block < batch ? block : batch;
    float *dcol = scratch, *gt = scratch + K * (size_t)block * P;
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
}

int smug_conv_init(const smug_layer *l, int max_batch, smug_conv_route route, smug_conv **out,
                   smug_error *err)
{
    *out = NULL;
    if (l->kind != SMUG_LAYER_CONV || max_batch < 1)
        return smug_fail(err, SMUG_ERR_INTERNAL, "layer '%s': not a conv, or batch %d", l->name,
                         max_batch);
    smug_conv *c = calloc(1, sizeof *c);
    if (!c)
        return smug_fail(err, SMUG_ERR_NOMEM, "conv '%s': out of memory", l->name);
    c->l = l;
    c->max_batch = max_batch;
    /* Winograd only on wide layers by default: on narrow ones its transforms cost what it
     * saves, and it rounds identical input patches differently by their position in its
     * 4x4 tiles, so exact MaxPool ties (flat backgrounds) break unlike the direct kernels
     * and torch; the 28x28 fixture CNN's 8->16 conv before its MaxPool showed it.
     * Nor on small maps (resnet18's 7x7 layer4): its 4x4 tiles waste a third of a 7x7 map,
     * it was no faster there, and its transformed 512x512 weights (6x6 per filter, forward
     * and backward) took 226 MB, the process's peak above torch's. */
    int wide = l->n_in >= SMUG_CONV_WINOGRAD_MIN_CHANNELS &&
               l->n_out >= SMUG_CONV_WINOGRAD_MIN_CHANNELS && l->out.rank == 3 &&
               l->out.dims[1] >= SMUG_CONV_WINOGRAD_MIN_SIDE &&
               l->out.dims[2] >= SMUG_CONV_WINOGRAD_MIN_SIDE;
    int winograd = route == SMUG_CONV_WINOGRAD || (route == SMUG_CONV_AUTO && wide);
    if (route != SMUG_CONV_GEMM && smug_dnnl_conv_init(l, max_batch, winograd, &c->dnnl, err) < 0) {
        if (route != SMUG_CONV_AUTO || err->code != SMUG_ERR_UNSUPPORTED) {
            free(c);
            return -1;
        }
        smug_error_clear(err); /* oneDNN declined the shape: the GEMM route takes it */
    }
    if (c->dnnl) {
        c->scratch = smug_dnnl_conv_scratch_bytes(c->dnnl, max_batch, err);
        if (c->scratch == (size_t)-1) {
            smug_conv_free(c);
            return -1;
        }
        snprintf(c->what, sizeof c->what, "oneDNN %s", smug_dnnl_conv_impl(c->dnnl));
    } else {
        c->scratch = gemm_scratch_floats(l, max_batch) * sizeof(float);
        snprintf(c->what, sizeof c->what, "%s",
                 is_depthwise(l) ? "direct loops" : "im2col+OpenBLAS");
    }
    *out = c;
    return 0;
}

size_t smug_conv_scratch_bytes(const smug_conv *c)
{
    return c->scratch;
}

static int check_batch(const smug_conv *c, int batch, smug_error *err)
{
    if (batch < 1 || batch > c->max_batch)
        return smug_fail(err, SMUG_ERR_INTERNAL, "conv '%s': batch %d, prepared for %d", c->l->name,
                         batch, c->max_batch);
    return 0;
}

int smug_conv_forward(smug_conv *c, const float *x, int batch, float *y, void *scratch,
                      smug_error *err)
{
    if (check_batch(c, batch, err) < 0)
        return -1;
    if (c->dnnl)
        return smug_dnnl_conv_forward(c->dnnl, x, batch, y, scratch, err);
    gemm_forward(c->l, x, batch, y, scratch);
    return 0;
}

int smug_conv_backward(smug_conv *c, const float *g, int batch, float *gin, void *scratch,
                       smug_error *err)
{
    if (check_batch(c, batch, err) < 0)
        return -1;
    if (c->dnnl)
        return smug_dnnl_conv_backward(c->dnnl, g, batch, gin, scratch, err);
    gemm_backward(c->l, g, batch, gin, scratch);
    return 0;
}

const char *smug_conv_describe(const smug_conv *c)
{
    return c->what;
}

void smug_conv_free(smug_conv *c)
{
    if (!c)
        return;
    smug_dnnl_conv_free(c->dnnl);
    free(c);
}
