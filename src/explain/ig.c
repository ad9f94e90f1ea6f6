/* ig.c — Integrated Gradients over a slice of the network, all path points batched.
 *
 * The path points are rows of one batch, so a 300-step IG is a handful of GEMMs per layer
 * rather than 300 forward/backward passes. Gradients are summed in double to keep the
 * completeness check meaningful at 1e-4 relative. See ig.h for the formula.
 *
 * The layers from the attributed point up to the first nonlinearity (a Conv after the
 * first layer's ReLU; the input normalisation and first layer itself for input IG) form an
 * affine map A. Along the straight path, A(b + α(x − b)) = A(b) + α(A(x) − A(b)), so the
 * batch starts after A from two evaluations; and A's Jacobian J is constant, so
 * Σ_i Jᵀ g_i = Jᵀ Σ_i g_i: the summed gradient goes back through A once. This removes the
 * two largest batched GEMMs of a CNN explanation and gives the same IG up to rounding.
 * A path from 0 (first-layer IG) also passes unchanged through positively homogeneous
 * layers, P(αv) = αP(v) for α > 0, whose Jacobian is the same at every α > 0: the MaxPool
 * after a ResNet's or Inception's stem (same argmax, same values: rounding is monotone)
 * runs once at h instead of on every path point, its 112x112 input never batched.
 */
#include "smug/ig.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smug/backward.h"
#include "smug/bigbuf.h"
#include "smug/forward.h"
#include "smug/interrupt.h"
#include "smug/parallel.h"

/* The default memory budget (opts.budget 0): an eighth of physical memory, at least 64 MiB
 * and at most 128 MiB. More buys little: resnet18's 200-step first-layer IG at 224x224
 * took 8.7 s with 64 and 128 MiB on one thread (9.7 s with 32), 5.7 s with 128 and 5.6 s
 * with 256 MiB on two, while the process peak grows from 260 to 360 and 520 MB; with 1 GiB
 * it was slower (page faults on fresh buffers). Torch peaks at 540 MB on the same IG. */
/* Beyond this many path points a batch gains nothing: on the 28x28 CNN fixture a 300-point
 * IG took 1.6 ms warm in batches of 64 and 2.0 ms in one batch of 300, and a fresh process
 * 39 ms against 89 ms (page faults on the larger buffers). At 224x224 the budget allows
 * about 5-13 points anyway. */
#define IG_MAX_CHUNK 64

static size_t default_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    size_t phys = pages > 0 && page > 0 ? (size_t)pages * (size_t)page : (size_t)2 << 30;
    size_t b = phys / 8, lo = (size_t)64 << 20, hi = (size_t)128 << 20;
    return b < lo ? lo : b > hi ? hi : b;
}

/* 1 when layer l maps 0 to 0 (no bias, no shift). */
static int keeps_zero(const smug_layer *l)
{
    const float *v = l->kind == SMUG_LAYER_AFFINE ? l->shift : l->bias;
    size_t n = l->kind == SMUG_LAYER_AFFINE ? smug_shape_size(&l->in) : (size_t)l->n_out;
    if (l->kind != SMUG_LAYER_AFFINE && l->kind != SMUG_LAYER_DENSE && l->kind != SMUG_LAYER_CONV)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (v[i] != 0.0f)
            return 0;
    return 1;
}

/* End of the prefix of layers [from, end) that keep the path straight with a Jacobian that
 * does not change along it (see the top of this file): affine layers always; ReLU and
 * MaxPool while the path still starts at 0 (`zero`: the baseline is all zeros and every
 * layer so far maps 0 to 0). In a graph the prefix also ends where the rest of the network
 * stops being a function of one tensor (smug_net_is_cut). */
static int linear_prefix_end(const smug_net *net, int from, int zero)
{
    int l = from;
    for (; l < net->n_layers; l++) {
        smug_layer_kind k = net->layers[l].kind;
        int affine = k == SMUG_LAYER_DENSE || k == SMUG_LAYER_CONV || k == SMUG_LAYER_AFFINE ||
                     k == SMUG_LAYER_RESHAPE || k == SMUG_LAYER_AVGPOOL ||
                     k == SMUG_LAYER_GLOBALAVGPOOL;
        int homogeneous = k == SMUG_LAYER_RELU || k == SMUG_LAYER_MAXPOOL;
        if (!affine && !(homogeneous && zero))
            break;
        if (!smug_net_is_cut(net, l + 1))
            break;
        zero = zero && keeps_zero(&net->layers[l]);
    }
    return l;
}

/* Size of the tensor entering layer l (the logits when l is past the last layer). */
static size_t size_before(const smug_net *net, int l)
{
    return l < net->n_layers ? smug_shape_size(&net->layers[l].in) : (size_t)net->n_classes;
}

/* The path points i0, i0 + stride, … (rows of them) between p0 and p1 as rows of pts. */
static void path_points(const float *restrict p1, const float *restrict p0, size_t n,
                        const smug_ig_opts *o, int i0, int stride, int rows, float *restrict pts)
{
    SMUG_PAR_BLOCKS(rows, n)
    for (int r = 0; r < rows; r++) {
        float alpha = ((float)(i0 + r * stride) + 0.5f) / (float)o->steps;
        float *restrict row = pts + (size_t)r * n;
        for (size_t j = 0; j < n; j++)
            row[j] = p0[j] + alpha * (p1[j] - p0[j]);
    }
}

static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* gsum[j] += Σ_r grad[r][j], in double, rows in order (so the result does not depend on
 * the thread count): threads take slices of j. */
static void add_rows(const float *restrict grad, int rows, size_t n, double *restrict gsum)
{
    enum { SLICE = 4096 };
    size_t slices = (n + SLICE - 1) / SLICE;
    SMUG_PAR_BLOCKS(slices, (size_t)rows * SLICE)
    for (size_t s = 0; s < slices; s++) {
        size_t j0 = s * SLICE, j1 = j0 + SLICE < n ? j0 + SLICE : n;
        for (int r = 0; r < rows; r++) {
            const float *restrict g = grad + (size_t)r * n;
            for (size_t j = j0; j < j1; j++)
                gsum[j] += g[j];
        }
    }
}

/* Path points per batch: as many as the budget holds, at most IG_MAX_CHUNK (opts.chunk
 * overrides both), then evened out so the last batch is not a sliver. */
static int chunk_size(const smug_net *net, int from, size_t n, const smug_ig_opts *o)
{
    size_t per_row = 2 * n + 2 * (size_t)net->n_classes;
    if (from < net->n_layers)
        per_row += smug_trace_floats_per_example(net, from, net->n_layers);
    size_t budget = o->budget ? o->budget : default_budget();
    size_t fit = budget / (per_row * sizeof(float));
    fit = fit < IG_MAX_CHUNK ? fit : IG_MAX_CHUNK;
    int chunk = o->chunk > 0 ? o->chunk : fit > (size_t)o->steps ? o->steps : (int)fit;
    if (o->deadline > 0.0 && o->chunk <= 0 && chunk > (o->steps + 3) / 4)
        chunk = (o->steps + 3) / 4; /* at least four batches: a deadline can cut between them */
    chunk = chunk < 1 ? 1 : chunk > o->steps ? o->steps : chunk;
    int batches = (o->steps + chunk - 1) / chunk;
    return (o->steps + batches - 1) / batches;
}

/* The completeness check's F(x) and F(b): the rest of the network at the path's two ends,
 * through the trace the path points took (no second set of layers prepared). pts: room for
 * two points. */
static int endpoint_scores(const smug_net *net, smug_trace *t, int from, const float *p1,
                           const float *p0, size_t n, const smug_ig_opts *o, smug_ig_check *chk,
                           float *pts, smug_error *err)
{
    const float *ends[2] = {p1, p0};
    double *out[2] = {&chk->f_x, &chk->f_base};
    for (int e = 0; e < 2; e++) {
        const float *logits = ends[e];
        if (from < net->n_layers) { /* one point per run: the trace may hold just one */
            memcpy(pts, ends[e], n * sizeof *pts);
            if (smug_trace_run(t, pts, 1, err) < 0)
                return -1;
            logits = smug_trace_output(t);
        }
        *out[e] = smug_class_score(logits, net->n_classes, o->target, o->prob);
    }
    return 0;
}

/* Sums the gradient at every path point between p0 and p1, which enter layer `from`
 * (size n): out_gsum[n] = Σ_i ∂F/∂p (p0 + α_i (p1 − p0)); *out_done points. One trace, one
 * set of buffers, reused by every batch of points. With a deadline, batch b takes the
 * points b, b + nb, b + 2nb, … so that the batches done by the deadline spread over the
 * whole path (ig.h). */
static int path_gradient_sum(const smug_net *net, int from, const float *p1, const float *p0,
                             size_t n, const smug_ig_opts *o, double *out_gsum, int *out_done,
                             smug_ig_check *chk, smug_error *err)
{
    int chunk = chunk_size(net, from, n, o), nc = net->n_classes;
    int nb = (o->steps + chunk - 1) / chunk;
    float *pts = smug_big_alloc((size_t)chunk * n * sizeof *pts);
    float *grad = smug_big_alloc((size_t)chunk * n * sizeof *grad);
    float *seed = malloc((size_t)chunk * (size_t)nc * sizeof *seed);
    smug_trace t = {0};
    int rc = pts && grad && seed ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "IG: out of memory");
    if (rc == 0 && from < net->n_layers)
        rc = smug_trace_init(net, from, net->n_layers, chunk, &t, err);
    *out_done = 0;
    double t0 = monotonic_now();
    for (int b = 0; rc == 0 && b < nb; b++) {
        /* at least one batch: an IG of some points beats none; after it, a batch starts only
         * when the batches so far say it ends by the deadline, since one batch at 224x224 is
         * seconds and the phases after IG need what is left */
        double now = monotonic_now(), per_batch = b > 0 ? (now - t0) / b : 0.0;
        if (b > 0 && o->deadline > 0.0 && (now + per_batch > o->deadline || smug_interrupted()))
            break;
        int i0 = o->deadline > 0.0 ? b : b * chunk, stride = o->deadline > 0.0 ? nb : 1;
        int rows = (o->steps - i0 + stride - 1) / stride;
        rows = rows < chunk ? rows : chunk;
        path_points(p1, p0, n, o, i0, stride, rows, pts);
        if (from == net->n_layers) { /* the points are logits already */
            smug_logit_seed(pts, rows, nc, o->target, o->prob, grad);
        } else {
            rc = smug_trace_run(&t, pts, rows, err);
            if (rc == 0) {
                smug_logit_seed(smug_trace_output(&t), rows, nc, o->target, o->prob, seed);
                rc = smug_backward(&t, seed, grad, err);
            }
        }
        if (rc == 0)
            add_rows(grad, rows, n, out_gsum), *out_done += rows;
    }
    if (rc == 0 && chk)
        rc = endpoint_scores(net, &t, from, p1, p0, n, o, chk, pts, err);
    smug_trace_clear(&t);
    free(pts), free(grad), free(seed);
    return rc;
}

/* Runs the affine layers [from, to) on the rows x and base: out_p1, out_p0. */
static int affine_endpoints(const smug_net *net, int from, int to, const float *x,
                            const float *base, size_t n, float *out_p1, float *out_p0,
                            smug_error *err)
{
    size_t m = size_before(net, to);
    float *both = malloc(2 * n * sizeof *both);
    if (!both)
        return smug_fail(err, SMUG_ERR_NOMEM, "IG: out of memory");
    memcpy(both, x, n * sizeof *both);
    memcpy(both + n, base, n * sizeof *both);
    smug_trace t;
    int rc = smug_forward(net, from, to, both, 2, &t, err);
    if (rc == 0) {
        memcpy(out_p1, smug_trace_output(&t), m * sizeof *out_p1);
        memcpy(out_p0, smug_trace_output(&t) + m, m * sizeof *out_p0);
    }
    smug_trace_clear(&t);
    free(both);
    return rc;
}

/* Jᵀ g for the prefix [from, to): the gradient g at layer `to` back to layer `from` (out_g,
 * size n). The Jacobian is the same all along the path, so the trace of x serves every
 * point. */
static int affine_backward(const smug_net *net, int from, int to, const float *x, const float *g,
                           float *out_g, smug_error *err)
{
    smug_trace t;
    int rc = smug_forward(net, from, to, x, 1, &t, err);
    if (rc == 0)
        rc = smug_backward(&t, g, out_g, err);
    smug_trace_clear(&t);
    return rc;
}

/* IG of F = layers [from, end) at x against base; both of size n. */
static int ig_run(const smug_net *net, int from, const float *x, const float *base, size_t n,
                  const smug_ig_opts *o, float *out_attr, smug_ig_check *chk, smug_error *err)
{
    if (o->steps < 1)
        return smug_fail(err, SMUG_ERR_USAGE, "steps must be at least 1: got %d", o->steps);
    if (o->target < 0 || o->target >= net->n_classes)
        return smug_fail(err, SMUG_ERR_USAGE, "target class %d is not in [0, %d)", o->target,
                         net->n_classes);
    int zero = 1;
    for (size_t j = 0; j < n; j++)
        zero = zero && base[j] == 0.0f;
    int lin = linear_prefix_end(net, from, zero);
    size_t m = size_before(net, lin);
    float *p1 = malloc(m * sizeof *p1), *p0 = malloc(m * sizeof *p0);
    float *g = malloc((m > n ? m : n) * sizeof *g), *gx = malloc(n * sizeof *gx);
    double *gsum = calloc(m, sizeof *gsum);
    int rc = p1 && p0 && g && gx && gsum ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "IG: out of memory");
    if (rc == 0 && lin > from) {
        rc = affine_endpoints(net, from, lin, x, base, n, p1, p0, err);
    } else if (rc == 0) {
        memcpy(p1, x, n * sizeof *p1);
        memcpy(p0, base, n * sizeof *p0);
    }
    int done = o->steps;
    if (rc == 0)
        rc = path_gradient_sum(net, lin, p1, p0, m, o, gsum, &done, chk, err);
    for (size_t j = 0; rc == 0 && j < m; j++)
        g[j] = (float)gsum[j];
    if (rc == 0 && lin > from)
        rc = affine_backward(net, from, lin, x, g, gx, err);
    else if (rc == 0)
        memcpy(gx, g, n * sizeof *gx);
    double sum = 0.0;
    for (size_t j = 0; rc == 0 && j < n; j++) {
        double a = (double)(x[j] - base[j]) * gx[j] / done;
        out_attr[j] = (float)a;
        sum += a;
    }
    free(p1), free(p0), free(g), free(gx), free(gsum);
    if (rc == 0 && chk)
        chk->sum = sum, chk->steps_done = done;
    return rc;
}

int smug_ig_first(const smug_net *net, const float *x, const smug_ig_opts *opts, float *out_attr,
                  float *out_act, smug_ig_check *out_check, smug_error *err)
{
    int from = net->first_out + 1;
    if (from >= net->n_layers)
        return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                         "the first layer is also the output layer: no neurons between input and "
                         "output to attribute to");
    size_t n = smug_net_first_size(net);
    float *h = malloc(n * sizeof *h), *zero = calloc(n, sizeof *zero);
    int rc = h && zero ? smug_net_first_activations(net, x, h, err)
                       : smug_fail(err, SMUG_ERR_NOMEM, "IG: out of memory");
    if (rc == 0 && out_act)
        memcpy(out_act, h, n * sizeof *h);
    if (rc == 0)
        rc = ig_run(net, from, h, zero, n, opts, out_attr, out_check, err);
    free(h);
    free(zero);
    return rc;
}

int smug_ig_input(const smug_net *net, const float *x, const smug_ig_opts *opts, float *out_attr,
                  smug_ig_check *out_check, smug_error *err)
{
    if (net->input_is_tokens)
        return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                         "input-level IG on token ids: attribute the first layer instead");
    size_t n = smug_shape_size(&net->input);
    float *base = malloc(n * sizeof *base);
    if (!base)
        return smug_fail(err, SMUG_ERR_NOMEM, "IG: out of memory");
    for (size_t j = 0; j < n; j++)
        base[j] = opts->baseline;
    int rc = ig_run(net, 0, x, base, n, opts, out_attr, out_check, err);
    free(base);
    return rc;
}

/* Sums attributions over the embedding dimensions of each position: (D, L) when the table's
 * output is channels first, else (L, D). */
static void sum_per_position(const smug_layer *embed, const float *a, size_t n, size_t len,
                             float *out)
{
    size_t dim = n / len;
    double *acc = calloc(len, sizeof *acc);
    for (size_t p = 0; acc && p < n; p++)
        acc[embed->channels_first ? p % len : p / dim] += a[p];
    for (size_t i = 0; i < len; i++)
        out[i] = acc ? (float)acc[i] : 0.0f;
    free(acc);
}

int smug_ig_tokens(const smug_net *net, const float *ids, const smug_ig_opts *opts, float *out_attr,
                   smug_ig_check *out_check, smug_error *err)
{
    if (!net->input_is_tokens || net->n_layers < 2 || net->layers[0].kind != SMUG_LAYER_EMBED)
        return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                         "token IG needs a model that starts with an embedding");
    size_t len = smug_shape_size(&net->input), n = smug_shape_size(&net->layers[0].out);
    float *emb = malloc(n * sizeof *emb), *zero = calloc(n, sizeof *zero);
    float *attr = malloc(n * sizeof *attr);
    smug_trace t = {0};
    int rc = emb && zero && attr ? smug_forward(net, 0, 1, ids, 1, &t, err)
                                 : smug_fail(err, SMUG_ERR_NOMEM, "IG: out of memory");
    if (rc == 0)
        memcpy(emb, smug_trace_output(&t), n * sizeof *emb);
    smug_trace_clear(&t);
    if (rc == 0)
        rc = ig_run(net, 1, emb, zero, n, opts, attr, out_check, err);
    if (rc == 0)
        sum_per_position(&net->layers[0], attr, n, len, out_attr);
    free(emb), free(zero), free(attr);
    return rc;
}
