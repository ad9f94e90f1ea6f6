/* fullnet.c — the network after the mask as a piecewise-linear program (fullnet.h, #16).
 *
 * Layer by layer from the first Dense/Conv, every activation becomes an element s·v + c of
 * one node v of problem.h's smug_pl_net (or a constant): affine layers (BatchNorm's scale
 * and shift, Reshape) only rewrite s and c, Dense/Conv/Add/AveragePool make an affine node,
 * an unstable ReLU a RELU node, a MaxPool window with more than one possible winner a MAX
 * node. Interval bounds are propagated as the nodes are made (fullnet_node.c, the builder
 * this file shares through fullnet_internal.h), so stable ReLUs and MaxPool candidates that
 * can never win cost nothing in the solver. It writes no SMT-LIB (smt/ does that from the pl
 * net) and decides nothing about solving.
 */
#include "smug/fullnet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fullnet_internal.h"
#include "smug/encode.h"

/* The (input index, weight) pairs of output o of a Dense or Conv layer. */
typedef void (*tap_fn)(void *ctx, size_t in, double w);

static void for_taps(const smug_layer *l, size_t o, tap_fn fn, void *ctx)
{
    if (l->kind == SMUG_LAYER_DENSE) {
        const float *w = l->weight + o * (size_t)l->n_in;
        for (int p = 0; p < l->n_in; p++)
            fn(ctx, (size_t)p, (double)w[p]);
        return;
    }
    int ci, h, wd, co, ho, wo;
    smug_shape_chw(&l->in, &ci, &h, &wd);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    const smug_window *k = &l->win;
    int groups = l->group > 1 ? l->group : 1, cpg = ci / groups;
    int dh = smug_window_dil(k, 0), dw = smug_window_dil(k, 1);
    size_t plane = (size_t)ho * (size_t)wo;
    int ch = (int)(o / plane), oy = (int)(o % plane) / wo, ox = (int)(o % plane) % wo;
    int g = ch / (co / groups);
    for (int cl = 0; cl < cpg; cl++)
        for (int ky = 0; ky < k->kh; ky++) {
            int y = oy * k->sh - k->pad_top + ky * dh;
            if (y < 0 || y >= h)
                continue;
            for (int kx = 0; kx < k->kw; kx++) {
                int x = ox * k->sw - k->pad_left + kx * dw;
                if (x < 0 || x >= wd)
                    continue;
                size_t c = (size_t)(g * cpg + cl);
                size_t in = (c * (size_t)h + (size_t)y) * (size_t)wd + (size_t)x;
                size_t wi =
                    ((((size_t)ch * (size_t)cpg + (size_t)cl) * (size_t)k->kh + (size_t)ky) *
                     (size_t)k->kw) +
                    (size_t)kx;
                fn(ctx, in, (double)l->weight[wi]);
            }
        }
}

static size_t bias_index(const smug_layer *l, size_t o)
{
    return o / (smug_shape_size(&l->out) / (size_t)l->n_out);
}

/* First layer: taps of z_p · m_var(p), summed per variable into acc (touched listed). */
typedef struct first_ctx {
    const float *z;
    const int *var_of; /* [n_in] variable of input p, −1 when none */
    double *acc;
    int *touched, n_touched;
} first_ctx;

static void first_tap(void *ctx, size_t in, double w)
{
    first_ctx *f = ctx;
    int v = f->var_of[in];
    if (v < 0 || f->z[in] == 0.0f)
        return;
    if (f->acc[v] == 0.0)
        f->touched[f->n_touched++] = v;
    f->acc[v] += w * (double)f->z[in];
}

typedef struct later_ctx {
    builder *b;
    const elem *in;
} later_ctx;

static void later_tap(void *ctx, size_t in, double w)
{
    later_ctx *c = ctx;
    fn_add_elem(c->b, c->in[in], w);
}

static void first_layer(builder *b, const smug_net *net, first_ctx *f, elem *out)
{
    const smug_layer *l = &net->layers[net->first];
    size_t n = smug_shape_size(&l->out);
    for (size_t o = 0; o < n && !b->nomem; o++) {
        f->n_touched = 0;
        for_taps(l, o, first_tap, f);
        fn_begin(b, SMUG_PL_AFFINE, net->first, (double)l->bias[bias_index(l, o)]);
        for (int t = 0; t < f->n_touched; t++) {
            int v = f->touched[t];
            fn_add(b, -1 - v, f->acc[v]);
            f->acc[v] = 0.0;
        }
        out[o] = fn_end_affine(b, 0);
    }
}

static int taps_in(int s, int k, int d, int lo, int hi)
{
    int n = 0;
    for (int t = 0; t < k; t++)
        n += s + t * d >= lo && s + t * d < hi;
    return n;
}

/* MaxPool, AveragePool (the divisor as pool.c counts it) and GlobalAveragePool. */
static void pool_layer(builder *b, int li, const smug_layer *l, const elem *in, elem *out)
{
    int c, h, w, co, ho, wo;
    smug_shape_chw(&l->in, &c, &h, &w);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    smug_window k = l->win;
    if (l->kind == SMUG_LAYER_GLOBALAVGPOOL) {
        memset(&k, 0, sizeof k);
        k.kh = h, k.kw = w, k.sh = k.sw = 1;
    }
    int dh = smug_window_dil(&k, 0), dw = smug_window_dil(&k, 1);
    elem cand[64];
    for (int ch = 0; ch < co && !b->nomem; ch++)
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                int ys = oy * k.sh - k.pad_top, xs = ox * k.sw - k.pad_left, n = 0;
                size_t o = ((size_t)ch * (size_t)ho + (size_t)oy) * (size_t)wo + (size_t)ox;
                if (l->kind != SMUG_LAYER_MAXPOOL) {
                    int div = l->count_include_pad && l->kind == SMUG_LAYER_AVGPOOL
                                  ? taps_in(ys, k.kh, dh, -k.pad_top, h + k.pad_bottom) *
                                        taps_in(xs, k.kw, dw, -k.pad_left, w + k.pad_right)
                                  : taps_in(ys, k.kh, dh, 0, h) * taps_in(xs, k.kw, dw, 0, w);
                    fn_begin(b, SMUG_PL_AFFINE, li, 0.0);
                    for (int ky = 0; div && ky < k.kh; ky++)
                        for (int kx = 0; kx < k.kw; kx++) {
                            int y = ys + ky * dh, x = xs + kx * dw;
                            if (y >= 0 && y < h && x >= 0 && x < w)
                                fn_add_elem(b,
                                            in[((size_t)ch * (size_t)h + (size_t)y) * (size_t)w +
                                               (size_t)x],
                                            1.0 / div);
                        }
                    out[o] = fn_end_affine(b, 0);
                    continue;
                }
                for (int ky = 0; ky < k.kh; ky++)
                    for (int kx = 0; kx < k.kw; kx++) {
                        int y = ys + ky * dh, x = xs + kx * dw;
                        if (y >= 0 && y < h && x >= 0 && x < w && n < 64)
                            cand[n++] =
                                in[((size_t)ch * (size_t)h + (size_t)y) * (size_t)w + (size_t)x];
                    }
                out[o] = fn_max_of(b, li, cand, n);
            }
}

static int refuse(const smug_layer *l, smug_error *err)
{
    return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                     "full-net encoding: layer '%s' (operator %s) cannot be encoded (it "
                     "encodes Conv, Gemm/MatMul, Relu, MaxPool, AveragePool, "
                     "GlobalAveragePool, Flatten/Reshape, folded BatchNormalization, Add, Sub)",
                     l->name, l->op);
}

/* One layer after the first: out[size(l->out)] from the outputs of its sources. */
static int later_layer(builder *b, const smug_net *net, int li, elem **acts, smug_error *err)
{
    const smug_layer *l = &net->layers[li];
    elem *out = acts[li];
    const elem *in = acts[l->src[0]];
    size_t n = smug_shape_size(&l->out);
    switch (l->kind) {
    case SMUG_LAYER_DENSE:
    case SMUG_LAYER_CONV:
        for (size_t o = 0; o < n && !b->nomem; o++) {
            later_ctx c = {b, in};
            fn_begin(b, SMUG_PL_AFFINE, li, (double)l->bias[bias_index(l, o)]);
            for_taps(l, o, later_tap, &c);
            out[o] = fn_end_affine(b, 0);
        }
        return 0;
    case SMUG_LAYER_RELU:
        for (size_t o = 0; o < n && !b->nomem; o++) {
            double lo, hi;
            fn_range_of(b, in[o], &lo, &hi);
            if (in[o].ref < 0)
                out[o] = fn_constant(in[o].c > 0.0 ? in[o].c : 0.0);
            else if (lo >= 0.0)
                out[o] = in[o];
            else if (hi <= 0.0)
                out[o] = fn_constant(0.0);
            else {
                fn_begin(b, SMUG_PL_RELU, li, 0.0);
                fn_add_elem(b, in[o], 1.0);
                out[o] = fn_end_relu(b);
            }
        }
        return 0;
    case SMUG_LAYER_MAXPOOL:
    case SMUG_LAYER_AVGPOOL:
    case SMUG_LAYER_GLOBALAVGPOOL:
        if (l->win.kh * l->win.kw > 64 && l->kind == SMUG_LAYER_MAXPOOL)
            return refuse(l, err);
        pool_layer(b, li, l, in, out);
        return 0;
    case SMUG_LAYER_RESHAPE: memcpy(out, in, n * sizeof *out); return 0;
    case SMUG_LAYER_AFFINE:
        for (size_t o = 0; o < n; o++) {
            double sc = (double)l->scale[o], sh = (double)l->shift[o];
            out[o] = in[o].ref < 0 || sc == 0.0
                         ? fn_constant(in[o].c * sc + sh)
                         : (elem){in[o].ref, in[o].s * sc, in[o].c * sc + sh};
        }
        return 0;
    case SMUG_LAYER_ADD:
    case SMUG_LAYER_SUB: {
        if (l->n_src != 2 || smug_shape_size(smug_net_src_shape(net, l, 1)) != n ||
            smug_shape_size(&l->in) != n)
            return refuse(l, err);
        const elem *in2 = acts[l->src[1]];
        for (size_t o = 0; o < n && !b->nomem; o++) {
            fn_begin(b, SMUG_PL_AFFINE, li, 0.0);
            fn_add_elem(b, in[o], 1.0);
            fn_add_elem(b, in2[o], l->kind == SMUG_LAYER_ADD ? 1.0 : -1.0);
            out[o] = fn_end_affine(b, 0);
        }
        return 0;
    }
    default: return refuse(l, err);
    }
}

/* The pl net of layers [first, n_layers) for first-layer input z, input p being variable
 * var_of[p] (−1: none). out_acts (NULL: not wanted) receives every layer's elements
 * (acts[i] NULL before the first layer), freed by the caller with free_acts. */
static void free_acts(elem **acts, int n)
{
    for (int i = 0; acts && i < n; i++)
        free(acts[i]);
    free(acts);
}

static int build(const smug_net *net, const float *z, const int *var_of, int n_vars,
                 smug_pl_net **out_pl, elem ***out_acts, smug_error *err)
{
    builder b = {calloc(1, sizeof(smug_pl_net)), 0, 0, 0};
    elem **acts = calloc((size_t)net->n_layers, sizeof *acts);
    first_ctx f = {z, var_of, calloc(n_vars > 0 ? (size_t)n_vars : 1, sizeof(double)),
                   malloc((n_vars > 0 ? (size_t)n_vars : 1) * sizeof(int)), 0};
    int rc = b.pl && acts && f.acc && f.touched && fn_reserve(&b, 1, 1) == 0
                 ? 0
                 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        b.pl->start[0] = 0;
    for (int i = net->first; rc == 0 && i < net->n_layers; i++) {
        acts[i] = malloc(smug_shape_size(&net->layers[i].out) * sizeof **acts + 1);
        if (!acts[i]) {
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
            break;
        }
        if (i == net->first)
            first_layer(&b, net, &f, acts[i]);
        else
            rc = later_layer(&b, net, i, acts, err);
        if (rc == 0 && b.nomem)
            rc = smug_fail(err, SMUG_ERR_NOMEM, "full-net encoding: out of memory at layer '%s'",
                           net->layers[i].name);
    }
    smug_pl_net *pl = b.pl;
    const elem *lg = rc == 0 ? acts[net->n_layers - 1] : NULL;
    if (rc == 0) {
        int nl = (int)smug_shape_size(&net->layers[net->n_layers - 1].out);
        pl->n_logits = nl;
        pl->logit_ref = malloc((size_t)nl * sizeof *pl->logit_ref);
        pl->logit_s = malloc((size_t)nl * sizeof *pl->logit_s);
        pl->logit_c = malloc((size_t)nl * sizeof *pl->logit_c);
        if (!pl->logit_ref || !pl->logit_s || !pl->logit_c)
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        for (int c = 0; rc == 0 && c < nl; c++)
            pl->logit_ref[c] = lg[c].ref, pl->logit_s[c] = lg[c].s, pl->logit_c[c] = lg[c].c;
    }
    free(f.acc), free(f.touched);
    if (rc < 0 || !out_acts)
        free_acts(acts, net->n_layers);
    else
        *out_acts = acts;
    if (rc < 0) {
        smug_pl_free(pl);
        return -1;
    }
    *out_pl = pl;
    return 0;
}

/* var_of[p] for every first-layer input: the variable of its cell (cell_var[cell]). */
static int *input_vars(const smug_net *net, const smug_grid *g, const int *cell_var)
{
    size_t n_in = smug_shape_size(&net->layers[net->first].in);
    int *v = malloc(n_in * sizeof *v + 1);
    for (size_t p = 0; v && p < n_in; p++)
        v[p] = cell_var[smug_grid_cell_of(g, smug_net_input_pos(net, p))];
    return v;
}

/* Every cell with a nonzero first-layer input value, or already a variable of p. */
static smug_mask_problem *widen(const smug_net *net, const smug_mask_problem *p, const float *z,
                                int **out_cell_var)
{
    size_t n_in = smug_shape_size(&net->layers[net->first].in);
    int nc = p->grid.n_cells, n = 0;
    int *cell_var = malloc((size_t)nc * sizeof *cell_var);
    if (!cell_var)
        return NULL;
    for (int c = 0; c < nc; c++)
        cell_var[c] = -1;
    for (int i = 0; i < p->n; i++)
        cell_var[p->cell[i]] = 0;
    for (size_t q = 0; q < n_in; q++)
        if (z[q] != 0.0f)
            cell_var[smug_grid_cell_of(&p->grid, smug_net_input_pos(net, q))] = 0;
    for (int c = 0; c < nc; c++)
        if (cell_var[c] >= 0)
            cell_var[c] = n++;
    smug_mask_problem *w = smug_mask_problem_new(p->k, n);
    if (!w) {
        free(cell_var);
        return NULL;
    }
    for (int c = 0; c < nc; c++)
        if (cell_var[c] >= 0)
            w->cell[cell_var[c]] = c;
    for (int j = 0; j < p->k; j++)
        w->neuron[j] = p->neuron[j], w->o[j] = p->o[j], w->t[j] = p->t[j];
    /* the same rows over the wider variable set (set_rows keeps each in variable order) */
    int *var = malloc((p->nnz + 1) * sizeof *var);
    smug_error err = SMUG_ERROR_INIT;
    for (size_t e = 0; var && e < p->nnz; e++)
        var[e] = cell_var[p->cell[p->row_var[e]]];
    if (!var || smug_mask_problem_set_rows(w, p->row_start, var, p->row_coef, &err) < 0) {
        free(var), free(cell_var), smug_mask_problem_free(w);
        return NULL; /* out of memory: the rows were valid in p */
    }
    free(var);
    w->gamma = p->gamma, w->grid = p->grid;
    *out_cell_var = cell_var;
    return w;
}

int smug_fullnet_attach(const smug_net *net, const float *x, int target, double delta,
                        smug_mask_problem **p, smug_error *err)
{
    size_t n_in = smug_shape_size(&net->layers[net->first].in);
    float *z = malloc(n_in * sizeof *z);
    int *cell_var = NULL, *var_of = NULL;
    smug_mask_problem *w = NULL;
    int rc = z ? smug_encode_first_input(net, x, z, err)
               : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0 &&
        !((w = widen(net, *p, z, &cell_var)) && (var_of = input_vars(net, &w->grid, cell_var))))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = build(net, z, var_of, w->n, &w->pl, NULL, err);
    if (rc == 0 && (target < 0 || target >= w->pl->n_logits))
        rc = smug_fail(err, SMUG_ERR_USAGE, "full-net encoding: class %d is not an output", target);
    if (rc == 0) {
        w->pl->target = target, w->pl->delta = delta;
        /* the all-kept mask is smug's first incumbent: it must keep the class itself */
        double *m = malloc(((size_t)w->n + 1) * sizeof *m);
        double *v = malloc(((size_t)w->pl->n_nodes + 1) * sizeof *v);
        double *lg = malloc((size_t)w->pl->n_logits * sizeof *lg);
        if (!m || !v || !lg)
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        for (int i = 0; rc == 0 && i < w->n; i++)
            m[i] = 1.0;
        if (rc == 0)
            smug_pl_eval(w->pl, m, v, lg);
        for (int c = 0; rc == 0 && c < w->pl->n_logits; c++)
            if (c != target && lg[target] - lg[c] < delta)
                rc = smug_fail(err, SMUG_ERR_USAGE,
                               "full-net encoding: the unmasked input puts class %d only %.6g "
                               "above class %d, less than the margin %g (--margin): no mask "
                               "can keep it",
                               target, lg[target] - lg[c], c, delta);
        free(m), free(v), free(lg);
    }
    free(z), free(cell_var), free(var_of);
    if (rc < 0) {
        smug_mask_problem_free(w);
        return -1;
    }
    smug_mask_problem_free(*p);
    *p = w;
    return 0;
}

int smug_fullnet_intervals(const smug_net *net, const float *x, int window, double **out_lo,
                           double **out_hi, smug_error *err)
{
    *out_lo = *out_hi = NULL;
    size_t n_in = smug_shape_size(&net->layers[net->first].in), total = 0;
    for (int i = net->first; i < net->n_layers; i++)
        total += smug_shape_size(&net->layers[i].out);
    smug_mask_problem *p = smug_mask_problem_new(0, 0);
    float *z = malloc(n_in * sizeof *z);
    int *cell_var = NULL, *var_of = NULL;
    smug_mask_problem *w = NULL;
    elem **acts = NULL;
    int rc = p && z ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_grid_init(&p->grid, &net->input, smug_net_window(net, window), err);
    if (rc == 0)
        rc = smug_encode_first_input(net, x, z, err);
    if (rc == 0 &&
        !((w = widen(net, p, z, &cell_var)) && (var_of = input_vars(net, &w->grid, cell_var))))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = build(net, z, var_of, w->n, &w->pl, &acts, err);
    double *lo = NULL, *hi = NULL;
    if (rc == 0 &&
        !((lo = malloc(total * sizeof *lo + 1)) && (hi = malloc(total * sizeof *hi + 1))))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    builder b = {rc == 0 ? w->pl : NULL, 0, 0, 0};
    for (int i = net->first, at = 0; rc == 0 && i < net->n_layers; i++)
        for (size_t o = 0; o < smug_shape_size(&net->layers[i].out); o++, at++)
            fn_range_of(&b, acts[i][o], &lo[at], &hi[at]);
    if (rc == 0)
        *out_lo = lo, *out_hi = hi;
    else
        free(lo), free(hi);
    free_acts(acts, net->n_layers);
    smug_mask_problem_free(p), smug_mask_problem_free(w);
    free(z), free(cell_var), free(var_of);
    return rc;
}

void smug_fullnet_counts(const smug_pl_net *pl, int *out_nodes, int *out_relu, int *out_max)
{
    *out_nodes = pl->n_nodes, *out_relu = 0, *out_max = 0;
    for (int i = 0; i < pl->n_nodes; i++) {
        *out_relu += pl->node[i].kind == SMUG_PL_RELU;
        *out_max += pl->node[i].kind == SMUG_PL_MAX;
    }
}
