/* backward.c — input gradients through the layer chain (design §1: gradients for IG).
 *
 * Only gradients with respect to activations are computed, never weight gradients: smug
 * attributes, it does not train. Dense and Conv back-propagate with one GEMM per batch, the
 * transpose of their forward GEMM; pooling uses what forward.c recorded in the trace.
 */
#include "smug/backward.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "smug/im2col.h"

static int conv_backward(const smug_layer *l, const float *g, int batch, float *gin,
                         smug_error *err)
{
    int co, ho, wo;
    smug_shape_chw(&l->out, &co, &ho, &wo);
    size_t P = (size_t)ho * (size_t)wo, in_size = smug_shape_size(&l->in);
    size_t K = (size_t)l->n_in * (size_t)l->win.kh * (size_t)l->win.kw;
    int block = smug_conv_block(l);
    block = block < batch ? block : batch;
    float *gt = malloc((size_t)co * (size_t)block * P * sizeof *gt);
    float *dcol = malloc(K * (size_t)block * P * sizeof *dcol);
    if (!gt || !dcol) {
        free(gt), free(dcol);
        return smug_fail(err, SMUG_ERR_NOMEM, "conv '%s': out of memory", l->name);
    }
    memset(gin, 0, (size_t)batch * in_size * sizeof *gin);
    for (int b0 = 0; b0 < batch; b0 += block) {
        int nb = batch - b0 < block ? batch - b0 : block;
        size_t cols = (size_t)nb * P;
        for (int b = 0; b < nb; b++)
            for (int c = 0; c < co; c++)
                memcpy(gt + (size_t)c * cols + (size_t)b * P,
                       g + ((size_t)(b0 + b) * (size_t)co + (size_t)c) * P, P * sizeof *gt);
        /* dcol[K x nbP] = Wᵀ[K x co] · G[co x nbP] */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)cols, co, 1.0f, l->weight,
                    (int)K, gt, (int)cols, 0.0f, dcol, (int)cols);
        smug_col2im(l, dcol, nb, gin + (size_t)b0 * in_size);
    }
    free(gt);
    free(dcol);
    return 0;
}

static void avgpool_backward(const smug_layer *l, const float *g, int batch, float *gin)
{
    int c, h, w, co, ho, wo;
    smug_shape_chw(&l->in, &c, &h, &w);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    const smug_window *win = &l->win;
    size_t in_size = (size_t)c * (size_t)h * (size_t)w,
           out_size = (size_t)c * (size_t)ho * (size_t)wo;
    memset(gin, 0, (size_t)batch * in_size * sizeof *gin);
    for (int b = 0; b < batch; b++)
        for (int ch = 0; ch < c; ch++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++) {
                    int count = 0;
                    for (int pass = 0; pass < 2; pass++) {
                        /* pass 0 counts the valid taps, pass 1 distributes the gradient */
                        float share = 0.0f;
                        if (pass == 1) {
                            int div = l->count_include_pad ? win->kh * win->kw : count;
                            size_t o =
                                ((size_t)ch * (size_t)ho + (size_t)oy) * (size_t)wo + (size_t)ox;
                            share = div ? g[(size_t)b * out_size + o] / (float)div : 0.0f;
                        }
                        for (int ky = 0; ky < win->kh; ky++)
                            for (int kx = 0; kx < win->kw; kx++) {
                                int yy = oy * win->sh - win->pad_top + ky;
                                int xx = ox * win->sw - win->pad_left + kx;
                                if (yy < 0 || yy >= h || xx < 0 || xx >= w)
                                    continue;
                                if (pass == 0)
                                    count++;
                                else
                                    gin[(size_t)b * in_size +
                                        ((size_t)ch * (size_t)h + (size_t)yy) * (size_t)w +
                                        (size_t)xx] += share;
                            }
                    }
                }
}

/* restrict: gradient buffers never alias the trace, and saying so lets it vectorise */
static void relu_backward(const float *restrict x, const float *restrict g, size_t n,
                          float *restrict gin)
{
    for (size_t k = 0; k < n; k++) {
        float gk = g[k]; /* loaded unconditionally so the select vectorises */
        gin[k] = x[k] > 0.0f ? gk : 0.0f;
    }
}

static int layer_backward(const smug_trace *t, int i, const float *g, float *gin, smug_error *err)
{
    const smug_layer *l = &t->net->layers[t->from + i];
    const float *x = t->acts[i];
    int batch = t->batch;
    size_t in_size = smug_shape_size(&l->in), out_size = smug_shape_size(&l->out);
    size_t n = (size_t)batch * in_size;
    switch (l->kind) {
    case SMUG_LAYER_DENSE: /* dX[B x in] = dY[B x out] · W[out x in] */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, l->n_in, l->n_out, 1.0f, g,
                    l->n_out, l->weight, l->n_in, 0.0f, gin, l->n_in);
        return 0;
    case SMUG_LAYER_CONV: return conv_backward(l, g, batch, gin, err);
    case SMUG_LAYER_RELU: relu_backward(x, g, n, gin); return 0;
    case SMUG_LAYER_MAXPOOL:
        memset(gin, 0, n * sizeof *gin);
        for (int b = 0; b < batch; b++)
            for (size_t o = 0; o < out_size; o++) {
                int a = t->argmax[i][(size_t)b * out_size + o];
                if (a >= 0)
                    gin[(size_t)b * in_size + (size_t)a] += g[(size_t)b * out_size + o];
            }
        return 0;
    case SMUG_LAYER_AVGPOOL: avgpool_backward(l, g, batch, gin); return 0;
    case SMUG_LAYER_GLOBALAVGPOOL: {
        size_t hw = in_size / out_size;
        for (size_t k = 0; k < n; k++)
            gin[k] = g[k / hw] / (float)hw;
        return 0;
    }
    case SMUG_LAYER_RESHAPE: memcpy(gin, g, n * sizeof *gin); return 0;
    case SMUG_LAYER_AFFINE:
        for (size_t k = 0; k < n; k++)
            gin[k] = g[k] * l->scale[k % in_size];
        return 0;
    case SMUG_LAYER_EMBED:
        return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                         "no gradient through the embedding '%s' (token ids are discrete)",
                         l->name);
    }
    return smug_fail(err, SMUG_ERR_INTERNAL, "layer '%s': unknown kind", l->name);
}

int smug_backward(const smug_trace *t, const float *grad_out, float *out_grad_in, smug_error *err)
{
    int n = t->to - t->from;
    size_t biggest = 0;
    for (int i = 0; i < n; i++) {
        size_t s = smug_shape_size(&t->net->layers[t->from + i].in);
        biggest = s > biggest ? s : biggest;
    }
    size_t out_n = smug_shape_size(&t->net->layers[t->to - 1].out);
    biggest = out_n > biggest ? out_n : biggest;
    float *a = malloc((size_t)t->batch * biggest * sizeof *a);
    float *b = malloc((size_t)t->batch * biggest * sizeof *b);
    if (!a || !b) {
        free(a), free(b);
        return smug_fail(err, SMUG_ERR_NOMEM, "backward pass: out of memory");
    }
    memcpy(a, grad_out, (size_t)t->batch * out_n * sizeof *a);
    int rc = 0;
    for (int i = n - 1; i >= 0 && rc == 0; i--) {
        rc = layer_backward(t, i, a, b, err);
        float *tmp = a;
        a = b, b = tmp;
    }
    if (rc == 0)
        memcpy(out_grad_in, a,
               (size_t)t->batch * smug_shape_size(&t->net->layers[t->from].in) * sizeof *a);
    free(a);
    free(b);
    return rc;
}

void smug_logit_seed(const float *logits, int batch, int n, int c, int prob, float *out_seed)
{
    for (int b = 0; b < batch; b++) {
        float *s = out_seed + (size_t)b * (size_t)n;
        memset(s, 0, (size_t)n * sizeof *s);
        if (!prob) {
            s[c] = 1.0f;
            continue;
        }
        smug_softmax(logits + (size_t)b * (size_t)n, n, s);
        float pc = s[c];
        for (int k = 0; k < n; k++)
            s[k] = pc * ((k == c ? 1.0f : 0.0f) - s[k]);
    }
}

int smug_grad_from(const smug_net *net, int from, const float *x, int target, int prob,
                   float *out_grad, float *out_value, smug_error *err)
{
    smug_trace t = {0};
    float *seed = malloc((size_t)net->n_classes * sizeof *seed);
    int rc = seed ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_forward(net, from, net->n_layers, x, 1, &t, err);
    if (rc == 0) {
        const float *logits = smug_trace_output(&t);
        smug_logit_seed(logits, 1, net->n_classes, target, prob, seed);
        rc = smug_backward(&t, seed, out_grad, err);
        if (out_value)
            *out_value = smug_class_score(logits, net->n_classes, target, prob);
    }
    smug_trace_free(&t);
    free(seed);
    return rc;
}

int smug_grad_input(const smug_net *net, const float *x, int target, int prob, float *out_grad,
                    float *out_value, smug_error *err)
{
    return smug_grad_from(net, 0, x, target, prob, out_grad, out_value, err);
}
