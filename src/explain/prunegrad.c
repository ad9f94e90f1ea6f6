/* prunegrad.c — PruneGrad (prunegrad.h): Taylor-importance pruning of hidden layers from the
 * output towards the input, then the input gradient of the pruned network.
 *
 * The network is run in segments between the hidden layers (each begins at a cut, so
 * smug_forward/smug_backward run it as they are); a pruned layer's output is multiplied by
 * its 0/1 mask between segments, in the forward pass and again in the backward pass. It
 * never edits the network's weights and does not prune inside residual blocks.
 */
#include "smug/prunegrad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/backward.h"
#include "smug/forward.h"

typedef struct ranked {
    float imp;
    int idx;
} ranked;

static int by_importance(const void *a, const void *b)
{
    const ranked *p = a, *q = b;
    if (p->imp != q->imp)
        return p->imp > q->imp ? -1 : 1;
    return p->idx - q->idx;
}

int smug_prunegrad_keep(const float *importance, size_t n, double keep, uint8_t *out_keep)
{
    ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < n; i++)
        r[i] = (ranked){importance[i], (int)i};
    qsort(r, n, sizeof *r, by_importance);
    size_t k = (size_t)ceil(keep * (double)n - 1e-9);
    k = k > n ? n : k;
    memset(out_keep, 0, n);
    for (size_t i = 0; i < k; i++)
        out_keep[r[i].idx] = 1;
    free(r);
    return (int)k;
}

/* The hidden layers: first_out, then every ReLU r with r + 1 a cut (and not the last). */
static int hidden_layers(const smug_net *net, int *out)
{
    int n = 0;
    out[n++] = net->first_out;
    for (int r = net->first_out + 1; r + 1 < net->n_layers; r++)
        if (net->layers[r].kind == SMUG_LAYER_RELU && smug_net_is_cut(net, r + 1))
            out[n++] = r;
    return n;
}

typedef struct state {
    const smug_net *net;
    int *hid;       /* [nh] layer indices */
    int nh;         /* hidden layers */
    size_t *size;   /* [nh] neurons of each */
    float **act;    /* [nh] activations on x, upstream masks applied */
    uint8_t **mask; /* [nh], all 1 until pruned */
    float *seed;    /* [n_classes] */
} state;

static int seg_from(const state *s, int i) /* first layer of segment i (0 … nh) */
{
    return i == 0 ? 0 : s->hid[i - 1] + 1;
}

static int seg_to(const state *s, int i)
{
    return i == s->nh ? s->net->n_layers : s->hid[i] + 1;
}

static void apply_mask(float *v, const uint8_t *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!m[i])
            v[i] = 0.0f;
}

/* Forward through every segment with the masks: act[i] (masked) for each hidden layer, the
 * seed dF/dlogits; traces[i] kept for the backward pass. */
static int forward(state *s, const float *x, smug_trace *traces, int target, int prob,
                   smug_error *err)
{
    const float *in = x;
    for (int i = 0; i <= s->nh; i++) {
        if (smug_forward(s->net, seg_from(s, i), seg_to(s, i), in, 1, &traces[i], err) < 0)
            return -1;
        const float *out = smug_trace_output(&traces[i]);
        if (i == s->nh) {
            smug_logit_seed(out, 1, s->net->n_classes, target, prob, s->seed);
            break;
        }
        memcpy(s->act[i], out, s->size[i] * sizeof(float));
        apply_mask(s->act[i], s->mask[i], s->size[i]);
        in = s->act[i];
    }
    return 0;
}

/* Backward from the output down to hidden layer `stop` (nh: none, -1: to the input);
 * returns in g dF/d(output of hidden layer stop) before its mask (or dF/dx). g and tmp hold
 * the largest layer. */
static int backward_to(state *s, smug_trace *traces, int stop, float *g, float *tmp,
                       smug_error *err)
{
    memcpy(g, s->seed, (size_t)s->net->n_classes * sizeof *g);
    for (int i = s->nh; i > stop; i--) {
        if (smug_backward(&traces[i], g, tmp, err) < 0)
            return -1;
        size_t n = i > 0 ? s->size[i - 1] : smug_shape_size(&s->net->input);
        memcpy(g, tmp, n * sizeof *g);
        if (i - 1 > stop && i > 0)
            apply_mask(g, s->mask[i - 1], n); /* pruned outputs pass no gradient */
    }
    return 0;
}

static void free_traces(smug_trace *t, int n)
{
    for (int i = 0; i < n; i++)
        smug_trace_clear(&t[i]);
}

/* One forward and backward with the current masks; g = dF/d(act of layer stop). */
static int pass(state *s, const float *x, const smug_prunegrad_opts *o, int stop, float *g,
                float *tmp, smug_error *err)
{
    smug_trace *tr = calloc((size_t)s->nh + 1, sizeof *tr);
    if (!tr)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int rc = forward(s, x, tr, o->target, o->prob, err);
    if (rc == 0)
        rc = backward_to(s, tr, stop, g, tmp, err);
    free_traces(tr, s->nh + 1);
    free(tr);
    return rc;
}

static int prune_all(state *s, const float *x, const smug_prunegrad_opts *o, float *g, float *tmp,
                     float *imp, float *out_first_importance, smug_error *err)
{
    for (int L = s->nh - 1; L >= 0; L--) {
        if (pass(s, x, o, L, g, tmp, err) < 0)
            return -1;
        for (size_t i = 0; i < s->size[L]; i++)
            imp[i] = s->act[L][i] * g[i];
        if (L == 0 && out_first_importance)
            memcpy(out_first_importance, imp, s->size[0] * sizeof *imp);
        for (size_t i = 0; i < s->size[L]; i++)
            imp[i] = fabsf(imp[i]);
        if (smug_prunegrad_keep(imp, s->size[L], o->keep, s->mask[L]) < 0)
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    return 0;
}

static void state_free(state *s)
{
    for (int i = 0; i < s->nh; i++) {
        if (s->act)
            free(s->act[i]);
        if (s->mask)
            free(s->mask[i]);
    }
    free(s->hid), free(s->size), free(s->act), free(s->mask), free(s->seed);
}

static int state_init(state *s, const smug_net *net, size_t *out_max, smug_error *err)
{
    memset(s, 0, sizeof *s);
    s->net = net;
    s->hid = malloc((size_t)net->n_layers * sizeof *s->hid);
    s->seed = malloc((size_t)net->n_classes * sizeof *s->seed);
    if (!s->hid || !s->seed)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    s->nh = hidden_layers(net, s->hid);
    s->size = calloc((size_t)s->nh, sizeof *s->size);
    s->act = calloc((size_t)s->nh, sizeof *s->act);
    s->mask = calloc((size_t)s->nh, sizeof *s->mask);
    if (!s->size || !s->act || !s->mask)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    size_t max = smug_shape_size(&net->input);
    max = max > (size_t)net->n_classes ? max : (size_t)net->n_classes;
    for (int i = 0; i < s->nh; i++) {
        s->size[i] = smug_shape_size(&net->layers[s->hid[i]].out);
        s->act[i] = malloc(s->size[i] * sizeof(float));
        s->mask[i] = malloc(s->size[i]);
        if (!s->act[i] || !s->mask[i])
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        memset(s->mask[i], 1, s->size[i]);
        max = s->size[i] > max ? s->size[i] : max;
    }
    *out_max = max;
    return 0;
}

int smug_prunegrad(const smug_net *net, const float *x, const smug_prunegrad_opts *o,
                   float *out_grad, float *out_first_importance, uint8_t *out_first_kept,
                   int *out_layers, smug_error *err)
{
    if (net->input_is_tokens)
        return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                         "prunegrad: %s takes token ids, which have no gradient", net->path);
    if (!(o->keep > 0.0 && o->keep <= 1.0))
        return smug_fail(err, SMUG_ERR_USAGE, "prunegrad: keep must be in (0, 1]: got %g", o->keep);
    if (net->first_out + 1 >= net->n_layers)
        return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                         "prunegrad: %s has no layer after its first one to prune", net->path);
    state s;
    size_t max = 0;
    float *g = NULL, *tmp = NULL, *imp = NULL;
    int rc = state_init(&s, net, &max, err);
    if (rc == 0) {
        g = malloc(max * sizeof *g), tmp = malloc(max * sizeof *tmp);
        imp = malloc(max * sizeof *imp);
        if (!g || !tmp || !imp)
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    if (rc == 0)
        rc = prune_all(&s, x, o, g, tmp, imp, out_first_importance, err);
    if (rc == 0)
        rc = pass(&s, x, o, -1, g, tmp, err);
    if (rc == 0) {
        memcpy(out_grad, g, smug_shape_size(&net->input) * sizeof *g);
        if (out_first_kept)
            memcpy(out_first_kept, s.mask[0], s.size[0]);
        if (out_layers)
            *out_layers = s.nh;
    }
    free(g), free(tmp), free(imp);
    state_free(&s);
    return rc;
}
