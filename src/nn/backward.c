/* backward.c — input gradients through the layer graph (design §1: gradients for IG).
 *
 * Only gradients with respect to activations are computed, never weight gradients: smug
 * attributes, it does not train. Layers are visited in reverse index order; a tensor read
 * by several layers (a residual connection) sums their gradients, and each tensor's
 * gradient is freed once its producer has passed it on, so a chain holds two at a time.
 * Dense and Conv back-propagate with the transpose of their forward GEMM; pooling uses what
 * the forward pass recorded in the trace.
 */
#include "smug/backward.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "smug/conv.h"
#include "smug/pool.h"
#include "smug/tensor_ops.h"

#include "smug/parallel.h"

/* restrict: gradient buffers never alias the trace, and saying so lets it vectorise */
static void relu_backward(const float *restrict x, const float *restrict g, size_t n,
                          float *restrict gin)
{
    SMUG_PAR_SIMD(n)
    for (size_t k = 0; k < n; k++) {
        float gk = g[k]; /* loaded unconditionally so the select vectorises */
        gin[k] = x[k] > 0.0f ? gk : 0.0f;
    }
}

/* Gradient with respect to input j of layer from+i (written to gin) from the gradient g of
 * its output. */
static int layer_backward(smug_trace *t, int i, const float *g, int j, float *gin, smug_error *err)
{
    const smug_layer *l = &t->net->layers[t->from + i];
    const float *x = smug_trace_input(t, l, 0);
    int batch = t->batch;
    size_t in_size = smug_shape_size(&l->in), out_size = smug_shape_size(&l->out);
    size_t n = (size_t)batch * in_size;
    switch (l->kind) {
    case SMUG_LAYER_DENSE: /* dX[B x in] = dY[B x out] · W[out x in] */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, l->n_in, l->n_out, 1.0f, g,
                    l->n_out, l->weight, l->n_in, 0.0f, gin, l->n_in);
        return 0;
    case SMUG_LAYER_CONV: return smug_conv_backward(t->convs[i], g, batch, gin, t->scratch, err);
    case SMUG_LAYER_RELU: relu_backward(x, g, n, gin); return 0;
    case SMUG_LAYER_MAXPOOL:
    case SMUG_LAYER_AVGPOOL: smug_pool_backward(l, g, t->argmax[i], batch, gin); return 0;
    case SMUG_LAYER_GLOBALAVGPOOL: {
        size_t hw = in_size / out_size, planes = (size_t)batch * out_size;
        SMUG_PAR_BLOCKS(planes, hw)
        for (size_t p = 0; p < planes; p++)
            for (size_t k = 0; k < hw; k++)
                gin[p * hw + k] = g[p] / (float)hw;
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
    case SMUG_LAYER_ADD:
    case SMUG_LAYER_SUB:
    case SMUG_LAYER_MUL:
    case SMUG_LAYER_DIV:
    case SMUG_LAYER_CONCAT:
    case SMUG_LAYER_CLIP:
    case SMUG_LAYER_SIGMOID:
    case SMUG_LAYER_PAD:
    case SMUG_LAYER_SOFTMAX:
    case SMUG_LAYER_REDUCEMEAN: {
        const smug_shape *shapes[SMUG_TRACE_MAX_SRC];
        const float *ins[SMUG_TRACE_MAX_SRC];
        for (int k = 0; k < l->n_src; k++) {
            shapes[k] = smug_net_src_shape(t->net, l, k);
            ins[k] = smug_trace_input(t, l, k);
        }
        smug_tensor_backward(l, shapes, ins, t->acts[i + 1], g, j, batch, gin);
        return 0;
    }
    }
    return smug_fail(err, SMUG_ERR_INTERNAL, "layer '%s': unknown kind", l->name);
}

/* Slot in the gradient table of the tensor layer src writes: 0 for the trace input, i+1
 * for the output of layer from+i. */
static int grad_slot(const smug_trace *t, int src)
{
    return src == t->from - 1 ? 0 : src - t->from + 1;
}

static size_t slot_size(const smug_trace *t, int slot)
{
    const smug_net *net = t->net;
    const smug_shape *s = slot ? &net->layers[t->from + slot - 1].out
                               : (t->from ? &net->layers[t->from - 1].out : &net->input);
    return (size_t)t->batch * smug_shape_size(s);
}

static void add_into(float *restrict acc, const float *restrict more, size_t n)
{
    SMUG_PAR_SIMD(n)
    for (size_t k = 0; k < n; k++)
        acc[k] += more[k];
}

/* Runs layer from+i backward into the gradients of its inputs: the first contribution to a
 * tensor is written in place, later ones (a tensor read twice, or by several layers) are
 * computed into a spare buffer and added. Buffers come from the trace's pool, so a second
 * run allocates nothing. */
static int backward_one(smug_trace *t, int i, float **grads, float *out0, smug_error *err)
{
    const smug_layer *l = &t->net->layers[t->from + i];
    for (int j = 0; j < l->n_src; j++) {
        int slot = grad_slot(t, l->src[j]);
        size_t n = slot_size(t, slot);
        if (grads[slot]) {
            float *extra = smug_trace_take(t, n, err);
            int rc = extra ? layer_backward(t, i, grads[i + 1], j, extra, err) : -1;
            if (rc == 0)
                add_into(grads[slot], extra, n);
            smug_trace_give(t, extra);
            if (rc < 0)
                return -1;
            continue;
        }
        /* the trace input's gradient is the caller's: written there directly */
        grads[slot] = slot == 0 ? out0 : smug_trace_take(t, n, err);
        if (!grads[slot])
            return -1;
        if (layer_backward(t, i, grads[i + 1], j, grads[slot], err) < 0)
            return -1;
    }
    return 0;
}

int smug_backward(smug_trace *t, const float *grad_out, float *out_grad_in, smug_error *err)
{
    int n = t->to - t->from;
    float **grads = calloc((size_t)n + 1, sizeof *grads);
    if (!grads)
        return smug_fail(err, SMUG_ERR_NOMEM, "backward pass: out of memory");
    /* the output gradient is read, never written: borrowed like the trace's input */
    grads[n] = (float *)grad_out;
    int rc = 0;
    /* reverse topological order: a layer's output gradient is complete when it is reached;
     * a layer nothing downstream read has none and is skipped */
    for (int i = n - 1; i >= 0 && rc == 0; i--) {
        if (grads[i + 1])
            rc = backward_one(t, i, grads, out_grad_in, err);
        if (i + 1 < n)
            smug_trace_give(t, grads[i + 1]);
        grads[i + 1] = NULL;
    }
    if (rc == 0 && !grads[0]) /* nothing reads the trace's input */
        memset(out_grad_in, 0, slot_size(t, 0) * sizeof **grads);
    for (int s = 1; s < n; s++)
        smug_trace_give(t, grads[s]);
    free(grads);
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
    smug_trace_clear(&t);
    free(seed);
    return rc;
}

int smug_grad_input(const smug_net *net, const float *x, int target, int prob, float *out_grad,
                    float *out_value, smug_error *err)
{
    return smug_grad_from(net, 0, x, target, prob, out_grad, out_value, err);
}
