/* forward.c — the forward pass over a batch (design §1: Net, x → logits, first-layer o).
 *
 * Layers run in index order (topological: net.h), each reading its inputs from the trace
 * and writing its own output there; the kinds are small functions here or in conv.c,
 * pool.c and tensor_ops.c. Batching
 * matters more than anything else here: Integrated Gradients runs hundreds of scaled copies
 * of one input, and a single GEMM over all of them is what makes smug as fast as torch.
 */
#include "smug/forward.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "smug/bigbuf.h"
#include "smug/conv.h"
#include "smug/pool.h"
#include "smug/tensor_ops.h"

#include "smug/parallel.h"

static void dense_forward(const smug_layer *l, const float *x, int batch, float *y)
{
    /* Y[B x out] = X[B x in] · Wᵀ, then + b per row */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, l->n_out, l->n_in, 1.0f, x, l->n_in,
                l->weight, l->n_in, 0.0f, y, l->n_out);
    for (int b = 0; b < batch; b++)
        for (int o = 0; o < l->n_out; o++)
            y[(size_t)b * (size_t)l->n_out + (size_t)o] += l->bias[o];
}

/* restrict: the trace never aliases a layer's input and output, and saying so lets the
 * compiler vectorise the loop */
static void relu_forward(const float *restrict x, size_t n, float *restrict y)
{
    SMUG_PAR_SIMD(n)
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static void gap_forward(const smug_layer *l, const float *x, int batch, float *y)
{
    int c, h, w;
    smug_shape_chw(&l->in, &c, &h, &w);
    size_t hw = (size_t)h * (size_t)w, planes = (size_t)batch * (size_t)c;
    SMUG_PAR_BLOCKS(planes, hw)
    for (size_t bc = 0; bc < planes; bc++) {
        const float *p = x + bc * hw;
        double s = 0.0;
        for (size_t i = 0; i < hw; i++)
            s += p[i];
        y[bc] = (float)(s / (double)hw);
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

/* Where input j of layer l lives in the trace: the trace's input x when l reads the
 * tensor before `from`, else the output of a layer the trace ran. */
const float *smug_trace_input(const smug_trace *t, const smug_layer *l, int j)
{
    int s = l->src[j];
    return s == t->from - 1 ? t->acts[0] : t->acts[s - t->from + 1];
}

static int layer_forward(const smug_trace *t, int i, smug_error *err)
{
    const smug_layer *l = &t->net->layers[t->from + i];
    const float *x = smug_trace_input(t, l, 0);
    float *y = t->acts[i + 1];
    int batch = t->batch;
    size_t n = (size_t)batch * smug_shape_size(&l->in);
    switch (l->kind) {
    case SMUG_LAYER_DENSE: dense_forward(l, x, batch, y); return 0;
    case SMUG_LAYER_CONV: return smug_conv_forward(t->convs[i], x, batch, y, t->scratch, err);
    case SMUG_LAYER_RELU: relu_forward(x, n, y); return 0;
    case SMUG_LAYER_MAXPOOL:
    case SMUG_LAYER_AVGPOOL: smug_pool_forward(l, x, batch, y, t->argmax[i]); return 0;
    case SMUG_LAYER_GLOBALAVGPOOL: gap_forward(l, x, batch, y); return 0;
    case SMUG_LAYER_RESHAPE: memcpy(y, x, n * sizeof *y); return 0;
    case SMUG_LAYER_AFFINE: {
        size_t size = smug_shape_size(&l->in);
        for (size_t k = 0; k < n; k++)
            y[k] = x[k] * l->scale[k % size] + l->shift[k % size];
        return 0;
    }
    case SMUG_LAYER_EMBED: return embed_forward(l, x, batch, y, err);
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
        if (l->n_src > SMUG_TRACE_MAX_SRC)
            return smug_fail(err, SMUG_ERR_UNSUPPORTED, "layer '%s' reads more than %d tensors",
                             l->name, SMUG_TRACE_MAX_SRC);
        for (int j = 0; j < l->n_src; j++) {
            shapes[j] = smug_net_src_shape(t->net, l, j);
            ins[j] = smug_trace_input(t, l, j);
        }
        smug_tensor_forward(l, shapes, ins, batch, y);
        return 0;
    }
    }
    return smug_fail(err, SMUG_ERR_INTERNAL, "layer '%s': unknown kind", l->name);
}

/* A buffer of the trace's pool (smug_trace_take). */
struct smug_trace_buf {
    float *p;
    size_t cap; /* floats */
    int used;
};

void smug_trace_clear(smug_trace *t)
{
    if (!t)
        return;
    int n = t->to - t->from;
    for (int i = 1; t->acts && i <= n; i++) /* acts[0] is the caller's input */
        free(t->acts[i]);
    for (int i = 0; t->argmax && i < n; i++)
        free(t->argmax[i]);
    for (int i = 0; t->convs && i < n; i++)
        smug_conv_free(t->convs[i]);
    for (int i = 0; i < t->n_bufs; i++)
        free(t->bufs[i].p);
    free(t->acts);
    free(t->argmax);
    free(t->convs);
    free(t->scratch);
    free(t->bufs);
    t->acts = NULL;
    t->argmax = NULL;
    t->convs = NULL;
    t->scratch = NULL;
    t->bufs = NULL;
    t->n_bufs = 0;
}

float *smug_trace_take(smug_trace *t, size_t n, smug_error *err)
{
    int best = -1;
    for (int i = 0; i < t->n_bufs; i++)
        if (!t->bufs[i].used && t->bufs[i].cap >= n &&
            (best < 0 || t->bufs[i].cap < t->bufs[best].cap))
            best = i;
    if (best < 0) {
        struct smug_trace_buf *b = realloc(t->bufs, ((size_t)t->n_bufs + 1) * sizeof *b);
        if (!b) {
            smug_fail(err, SMUG_ERR_NOMEM, "trace: out of memory");
            return NULL;
        }
        t->bufs = b;
        best = t->n_bufs;
        b[best].p = smug_big_alloc(n * sizeof(float));
        b[best].cap = n;
        if (!b[best].p) {
            smug_fail(err, SMUG_ERR_NOMEM, "trace: out of memory (%zu floats)", n);
            return NULL;
        }
        t->n_bufs++;
    }
    t->bufs[best].used = 1;
    return t->bufs[best].p;
}

void smug_trace_give(smug_trace *t, const float *p)
{
    for (int i = 0; p && i < t->n_bufs; i++)
        if (t->bufs[i].p == p)
            t->bufs[i].used = 0;
}

const float *smug_trace_output(const smug_trace *t)
{
    return t->acts[t->to - t->from];
}

/* Layers [from, to) may read only the tensor before `from` (the trace's input, which layer
 * `from` itself must read) and each other's outputs. */
static int check_range(const smug_net *net, int from, int to, smug_error *err)
{
    if (from < 0 || to > net->n_layers || from >= to)
        return smug_fail(err, SMUG_ERR_INTERNAL, "bad layer range [%d, %d)", from, to);
    if (net->layers[from].n_src < 1 || net->layers[from].src[0] != from - 1)
        return smug_fail(err, SMUG_ERR_INTERNAL,
                         "layer %d ('%s') does not read the tensor before it: no pass starts "
                         "there",
                         from, net->layers[from].name);
    for (int i = from; i < to; i++)
        for (int j = 0; j < net->layers[i].n_src; j++)
            if (net->layers[i].src[j] < from - 1)
                return smug_fail(err, SMUG_ERR_INTERNAL,
                                 "layer '%s' reads a tensor from before layer %d: layers [%d, %d) "
                                 "are not a function of one tensor",
                                 net->layers[i].name, from, from, to);
    return 0;
}

int smug_trace_init(const smug_net *net, int from, int to, int max_batch, smug_trace *out_trace,
                    smug_error *err)
{
    smug_trace *t = out_trace;
    memset(t, 0, sizeof *t);
    t->net = net;
    t->from = from;
    t->to = to;
    t->max_batch = max_batch;
    if (max_batch < 1)
        return smug_fail(err, SMUG_ERR_INTERNAL, "batch of %d examples", max_batch);
    if (check_range(net, from, to, err) < 0)
        return -1;
    int n = to - from;
    t->acts = calloc((size_t)n + 1, sizeof *t->acts);
    t->argmax = calloc((size_t)n, sizeof *t->argmax);
    t->convs = calloc((size_t)n, sizeof *t->convs);
    if (!t->acts || !t->argmax || !t->convs)
        return smug_fail(err, SMUG_ERR_NOMEM, "forward pass: out of memory");
    for (int i = 0; i < n; i++) {
        const smug_layer *l = &net->layers[from + i];
        size_t out_n = (size_t)max_batch * smug_shape_size(&l->out);
        t->acts[i + 1] = smug_big_alloc(out_n * sizeof(float));
        if (l->kind == SMUG_LAYER_MAXPOOL)
            t->argmax[i] = smug_big_alloc(out_n * sizeof(int));
        if (!t->acts[i + 1] || (l->kind == SMUG_LAYER_MAXPOOL && !t->argmax[i]))
            return smug_fail(err, SMUG_ERR_NOMEM, "forward pass: out of memory");
        if (l->kind != SMUG_LAYER_CONV)
            continue;
        if (smug_conv_init(l, max_batch, SMUG_CONV_AUTO, &t->convs[i], err) < 0)
            return smug_error_prefix(err, "layer '%s'", l->name);
        size_t s = smug_conv_scratch_bytes(t->convs[i]);
        t->scratch_bytes = s > t->scratch_bytes ? s : t->scratch_bytes;
    }
    if (t->scratch_bytes) {
        t->scratch = smug_big_alloc(t->scratch_bytes);
        if (!t->scratch)
            return smug_fail(err, SMUG_ERR_NOMEM, "forward pass: out of memory");
    }
    return 0;
}

int smug_trace_run(smug_trace *t, const float *x, int batch, smug_error *err)
{
    if (batch < 1 || batch > t->max_batch)
        return smug_fail(err, SMUG_ERR_INTERNAL, "batch of %d examples (prepared for %d)", batch,
                         t->max_batch);
    t->batch = batch;
    /* the input is borrowed, not copied: at IG batch sizes a copy is a full pass over
     * the largest tensor of the whole computation */
    t->acts[0] = (float *)x;
    for (int i = 0; i < t->to - t->from; i++)
        if (layer_forward(t, i, err) < 0)
            return smug_error_prefix(err, "layer '%s'", t->net->layers[t->from + i].name);
    return 0;
}

int smug_forward(const smug_net *net, int from, int to, const float *x, int batch,
                 smug_trace *out_trace, smug_error *err)
{
    if (smug_trace_init(net, from, to, batch, out_trace, err) < 0)
        return -1;
    return smug_trace_run(out_trace, x, batch, err);
}

size_t smug_trace_floats_per_example(const smug_net *net, int from, int to)
{
    size_t n = 0, biggest = smug_shape_size(&net->layers[from].in), conv = 0;
    for (int i = from; i < to; i++) {
        const smug_layer *l = &net->layers[i];
        size_t out = smug_shape_size(&l->out);
        n += out * (l->kind == SMUG_LAYER_MAXPOOL ? 2 : 1); /* activation (+ argmax) */
        biggest = out > biggest ? out : biggest;
        if (l->kind == SMUG_LAYER_CONV) { /* the kernel-format copies, channels padded */
            size_t in = smug_shape_size(&l->in) / (size_t)l->n_in * (size_t)(l->n_in + 15);
            size_t o = out / (size_t)l->n_out * (size_t)(l->n_out + 15);
            conv = in + o > conv ? in + o : conv;
        }
    }
    /* backward holds a tensor's gradient, its producer's and one being summed */
    return n + 3 * biggest + conv;
}

int smug_net_logits(const smug_net *net, const float *x, int batch, float *out_logits,
                    smug_error *err)
{
    smug_trace t;
    int rc = smug_forward(net, 0, net->n_layers, x, batch, &t, err);
    if (rc == 0)
        memcpy(out_logits, smug_trace_output(&t),
               (size_t)batch * (size_t)net->n_classes * sizeof(float));
    smug_trace_clear(&t);
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
    smug_trace_clear(&t);
    return rc;
}

int smug_net_first_activations(const smug_net *net, const float *x, float *out_h, smug_error *err)
{
    smug_trace t;
    int rc = smug_forward(net, 0, net->first_out + 1, x, 1, &t, err);
    if (rc == 0)
        memcpy(out_h, smug_trace_output(&t), smug_net_first_size(net) * sizeof *out_h);
    smug_trace_clear(&t);
    return rc;
}

void smug_set_threads(int n)
{
    openblas_set_num_threads(1);
    if (n > 0)
        omp_set_num_threads(n);
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
