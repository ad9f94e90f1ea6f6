/* forward.c — the forward pass over a batch (design §1: Net, x → logits, first-layer o).
 *
 * Each layer kind is one small function from its input rows to its output rows. Batching
 * matters more than anything else here: Integrated Gradients runs hundreds of scaled copies
 * of one input, and a single GEMM over all of them is what makes smug as fast as torch.
 */
#include "smug/forward.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/im2col.h"

static void dense_forward(const smug_layer *l, const float *x, int batch, float *y)
{
    /* Y[B x out] = X[B x in] · Wᵀ, then + b per row */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, l->n_out, l->n_in, 1.0f, x, l->n_in,
                l->weight, l->n_in, 0.0f, y, l->n_out);
    for (int b = 0; b < batch; b++)
        for (int o = 0; o < l->n_out; o++)
            y[(size_t)b * (size_t)l->n_out + (size_t)o] += l->bias[o];
}

static void add_bias(const float *restrict src, float bias, size_t n, float *restrict dst)
{
    for (size_t p = 0; p < n; p++)
        dst[p] = src[p] + bias;
}

/* Examples per im2col block: keeps the column matrix near 1 MiB so it stays in cache
 * between im2col and the GEMM that reads it (one block for the whole batch was 2x slower
 * on the CNN fixture: memory-bound). */
int smug_conv_block(const smug_layer *l)
{
    int co, ho, wo;
    smug_shape_chw(&l->out, &co, &ho, &wo);
    size_t per = (size_t)l->n_in * (size_t)l->win.kh * (size_t)l->win.kw * (size_t)ho * (size_t)wo;
    size_t block = ((size_t)1 << 18) / (per ? per : 1);
    return block < 1 ? 1 : block > 4096 ? 4096 : (int)block;
}

static int conv_forward(const smug_layer *l, const float *x, int batch, float *y, smug_error *err)
{
    int co, ho, wo;
    smug_shape_chw(&l->out, &co, &ho, &wo);
    size_t P = (size_t)ho * (size_t)wo, in_size = smug_shape_size(&l->in);
    size_t K = (size_t)l->n_in * (size_t)l->win.kh * (size_t)l->win.kw;
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
        smug_im2col(l, x + (size_t)b0 * in_size, nb, col);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, co, (int)cols, (int)K, 1.0f,
                    l->weight, (int)K, col, (int)cols, 0.0f, yt, (int)cols);
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

/* restrict: the trace never aliases a layer's input and output, and saying so lets the
 * compiler vectorise the loop */
static void relu_forward(const float *restrict x, size_t n, float *restrict y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* One window of a pooling layer, clipped to the input: rows [y0, y1), columns [x0, x1). */
static void pool_window(const smug_window *win, int oy, int ox, int h, int w, int *y0, int *y1,
                        int *x0, int *x1)
{
    int ys = oy * win->sh - win->pad_top, xs = ox * win->sw - win->pad_left;
    *y0 = ys < 0 ? 0 : ys;
    *y1 = ys + win->kh < h ? ys + win->kh : h;
    *x0 = xs < 0 ? 0 : xs;
    *x1 = xs + win->kw < w ? xs + win->kw : w;
}

/* Max or average over each window. Max records the winning input index for backward: the
 * first maximum in row-major order wins ties, and padding never wins. For averages
 * count_include_pad picks the divisor at borders. The window is clipped once per output,
 * so the inner loops carry no bounds tests. */
/* MaxPool 2x2, stride 2, no padding over one plane — the pooling of nearly every small CNN,
 * and a hot loop of IG on them: fixed taps let the compiler keep it branch-free. Same
 * first-maximum rule as the general path. */
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

static int is_plain_2x2(const smug_layer *l)
{
    const smug_window *w = &l->win;
    return l->kind == SMUG_LAYER_MAXPOOL && w->kh == 2 && w->kw == 2 && w->sh == 2 && w->sw == 2 &&
           !w->pad_top && !w->pad_left && !w->pad_bottom && !w->pad_right;
}

static void pool_forward(const smug_layer *l, const float *x, int batch, float *y, int *argmax)
{
    int c, h, w, co, ho, wo;
    smug_shape_chw(&l->in, &c, &h, &w);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    const smug_window *win = &l->win;
    size_t plane = (size_t)h * (size_t)w, out_plane = (size_t)ho * (size_t)wo;
    int is_max = l->kind == SMUG_LAYER_MAXPOOL;
    for (size_t bc = 0; bc < (size_t)batch * (size_t)c; bc++) {
        const float *xp = x + bc * plane;
        float *yp = y + bc * out_plane;
        int *ap = is_max ? argmax + bc * out_plane : NULL;
        size_t ch_base = (bc % (size_t)c) * plane; /* index of this plane within an example */
        if (is_plain_2x2(l)) {
            maxpool2x2_plane(xp, w, ho, wo, (int)ch_base, yp, ap);
            continue;
        }
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                int y0, y1, x0, x1;
                pool_window(win, oy, ox, h, w, &y0, &y1, &x0, &x1);
                size_t o = (size_t)oy * (size_t)wo + (size_t)ox;
                float best = -FLT_MAX, sum = 0.0f;
                int arg = -1;
                if (!is_max) {
                    for (int yy = y0; yy < y1; yy++)
                        for (int xx = x0; xx < x1; xx++)
                            sum += xp[(size_t)yy * (size_t)w + (size_t)xx];
                } else if (y1 > y0 && x1 > x0) {
                    /* branch-free: starting from the first element, a strictly larger value
                     * replaces it, so the first maximum in row-major order wins ties */
                    int at = y0 * w + x0;
                    best = xp[at];
                    for (int yy = y0; yy < y1; yy++)
                        for (int xx = x0; xx < x1; xx++) {
                            float v = xp[yy * w + xx];
                            int better = v > best;
                            best = better ? v : best;
                            at = better ? yy * w + xx : at;
                        }
                    arg = (int)ch_base + at;
                }
                int count = (y1 > y0 && x1 > x0) ? (y1 - y0) * (x1 - x0) : 0;
                if (is_max) {
                    yp[o] = arg < 0 ? 0.0f : best;
                    ap[o] = arg;
                } else {
                    int div = l->count_include_pad ? win->kh * win->kw : count;
                    yp[o] = div ? sum / (float)div : 0.0f;
                }
            }
    }
}

static void gap_forward(const smug_layer *l, const float *x, int batch, float *y)
{
    int c, h, w;
    smug_shape_chw(&l->in, &c, &h, &w);
    size_t hw = (size_t)h * (size_t)w;
    for (int b = 0; b < batch; b++)
        for (int ch = 0; ch < c; ch++) {
            const float *p = x + ((size_t)b * (size_t)c + (size_t)ch) * hw;
            double s = 0.0;
            for (size_t i = 0; i < hw; i++)
                s += p[i];
            y[(size_t)b * (size_t)c + (size_t)ch] = (float)(s / (double)hw);
        }
}

static int embed_forward(const smug_layer *l, const float *x, int batch, float *y, smug_error *err)
{
    int len = l->in.dims[0], dim = l->n_out;
    for (int b = 0; b < batch; b++)
        for (int t = 0; t < len; t++) {
            float id = x[(size_t)b * (size_t)len + (size_t)t];
            if (!(id >= 0.0f && id < (float)l->n_in) || id != floorf(id))
                return smug_fail(err, SMUG_ERR_FORMAT,
                                 "token id %g at position %d is not in [0, %d)", (double)id, t,
                                 l->n_in);
            const float *row = l->weight + (size_t)id * (size_t)dim;
            float *yb = y + (size_t)b * (size_t)len * (size_t)dim;
            if (!l->channels_first) {
                memcpy(yb + (size_t)t * (size_t)dim, row, (size_t)dim * sizeof *y);
                continue;
            }
            for (int d = 0; d < dim; d++) /* (D, L): dimension d of every token is a row */
                yb[(size_t)d * (size_t)len + (size_t)t] = row[d];
        }
    return 0;
}

static int layer_forward(const smug_layer *l, const float *x, int batch, float *y, int *argmax,
                         smug_error *err)
{
    size_t n = (size_t)batch * smug_shape_size(&l->in);
    switch (l->kind) {
    case SMUG_LAYER_DENSE: dense_forward(l, x, batch, y); return 0;
    case SMUG_LAYER_CONV: return conv_forward(l, x, batch, y, err);
    case SMUG_LAYER_RELU: relu_forward(x, n, y); return 0;
    case SMUG_LAYER_MAXPOOL:
    case SMUG_LAYER_AVGPOOL: pool_forward(l, x, batch, y, argmax); return 0;
    case SMUG_LAYER_GLOBALAVGPOOL: gap_forward(l, x, batch, y); return 0;
    case SMUG_LAYER_RESHAPE: memcpy(y, x, n * sizeof *y); return 0;
    case SMUG_LAYER_AFFINE: {
        size_t size = smug_shape_size(&l->in);
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] * l->scale[i % size] + l->shift[i % size];
        return 0;
    }
    case SMUG_LAYER_EMBED: return embed_forward(l, x, batch, y, err);
    }
    return smug_fail(err, SMUG_ERR_INTERNAL, "layer '%s': unknown kind", l->name);
}

void smug_trace_free(smug_trace *t)
{
    if (!t || !t->acts)
        return;
    int n = t->to - t->from;
    for (int i = 1; i <= n; i++) /* acts[0] is the caller's input */
        free(t->acts[i]);
    for (int i = 0; i < n; i++)
        free(t->argmax[i]);
    free(t->acts);
    free(t->argmax);
    t->acts = NULL;
    t->argmax = NULL;
}

const float *smug_trace_output(const smug_trace *t)
{
    return t->acts[t->to - t->from];
}

int smug_forward(const smug_net *net, int from, int to, const float *x, int batch,
                 smug_trace *out_trace, smug_error *err)
{
    smug_trace *t = out_trace;
    memset(t, 0, sizeof *t);
    t->net = net;
    t->from = from;
    t->to = to;
    t->batch = batch;
    if (from < 0 || to > net->n_layers || from >= to || batch < 1)
        return smug_fail(err, SMUG_ERR_INTERNAL, "bad layer range [%d, %d)", from, to);
    int n = to - from;
    t->acts = calloc((size_t)n + 1, sizeof *t->acts);
    t->argmax = calloc((size_t)n, sizeof *t->argmax);
    if (!t->acts || !t->argmax) {
        free(t->acts), free(t->argmax);
        t->acts = NULL, t->argmax = NULL;
        return smug_fail(err, SMUG_ERR_NOMEM, "forward pass: out of memory");
    }
    /* the input is borrowed, not copied: at IG batch sizes a copy is a full pass over
     * the largest tensor of the whole computation */
    t->acts[0] = (float *)x;
    for (int i = 0; i < n; i++) {
        const smug_layer *l = &net->layers[from + i];
        size_t out_n = (size_t)batch * smug_shape_size(&l->out);
        t->acts[i + 1] = malloc(out_n * sizeof(float));
        if (l->kind == SMUG_LAYER_MAXPOOL)
            t->argmax[i] = malloc(out_n * sizeof(int));
        if (!t->acts[i + 1] || (l->kind == SMUG_LAYER_MAXPOOL && !t->argmax[i]))
            return smug_fail(err, SMUG_ERR_NOMEM, "forward pass: out of memory");
        if (layer_forward(l, t->acts[i], batch, t->acts[i + 1], t->argmax[i], err) < 0)
            return smug_error_prefix(err, "layer '%s'", l->name);
    }
    return 0;
}

int smug_net_logits(const smug_net *net, const float *x, int batch, float *out_logits,
                    smug_error *err)
{
    smug_trace t;
    int rc = smug_forward(net, 0, net->n_layers, x, batch, &t, err);
    if (rc == 0)
        memcpy(out_logits, smug_trace_output(&t),
               (size_t)batch * (size_t)net->n_classes * sizeof(float));
    smug_trace_free(&t);
    return rc;
}

int smug_net_eval(const smug_net *net, const float *x, float *out_logits, float *out_first,
                  smug_error *err)
{
    smug_trace t;
    int rc = smug_forward(net, 0, net->n_layers, x, 1, &t, err);
    if (rc == 0 && out_logits)
        memcpy(out_logits, smug_trace_output(&t), (size_t)net->n_classes * sizeof(float));
    if (rc == 0 && out_first)
        memcpy(out_first, t.acts[net->first + 1], smug_net_first_size(net) * sizeof(float));
    smug_trace_free(&t);
    return rc;
}

int smug_net_first_activations(const smug_net *net, const float *x, float *out_h, smug_error *err)
{
    smug_trace t;
    int rc = smug_forward(net, 0, net->first_out + 1, x, 1, &t, err);
    if (rc == 0)
        memcpy(out_h, smug_trace_output(&t), smug_net_first_size(net) * sizeof *out_h);
    smug_trace_free(&t);
    return rc;
}

void smug_softmax(const float *logits, int n, float *out)
{
    float mx = logits[smug_argmax(logits, n)];
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += exp((double)(logits[i] - mx));
    for (int i = 0; i < n; i++)
        out[i] = (float)(exp((double)(logits[i] - mx)) / sum);
}

int smug_argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

float smug_class_score(const float *logits, int n, int c, int prob)
{
    if (!prob)
        return logits[c];
    float mx = logits[smug_argmax(logits, n)];
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += exp((double)(logits[i] - mx));
    return (float)(exp((double)(logits[c] - mx)) / sum);
}
