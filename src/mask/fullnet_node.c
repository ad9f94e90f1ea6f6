/* fullnet_node.c — the nodes of the full-net encoding and their interval bounds
 * (fullnet_internal.h): fullnet.c walks the network's layers and calls these to make each
 * activation a node, a constant or s·v + c of an earlier node.
 *
 * Interval bounds are propagated as nodes are closed, so a ReLU whose input never changes
 * sign costs no case split and a MaxPool candidate that can never win is dropped. It knows
 * nothing of layers, masks or solvers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fullnet_internal.h"

#define WIDEN 1e-9 /* relative widening of every bound, far above double rounding */
elem fn_constant(double c)
{
    elem e = {-1, 0.0, c};
    return e;
}

void fn_range_of(const builder *b, elem e, double *lo, double *hi)
{
    if (e.ref < 0) {
        *lo = *hi = e.c;
        return;
    }
    const smug_pl_node *nd = &b->pl->node[e.ref];
    double a = e.s * nd->lo + e.c, z = e.s * nd->hi + e.c;
    double w = WIDEN * (fabs(a) + fabs(z)) + 1e-300;
    *lo = (a < z ? a : z) - w;
    *hi = (a < z ? z : a) + w;
}

int fn_reserve(builder *b, int nodes, int terms)
{
    smug_pl_net *pl = b->pl;
    if (pl->n_nodes + nodes + 1 > b->cap_nodes) {
        int cap = 2 * (pl->n_nodes + nodes + 1) + 64;
        smug_pl_node *nd = realloc(pl->node, (size_t)cap * sizeof *nd);
        if (nd)
            pl->node = nd;
        int *st = realloc(pl->start, ((size_t)cap + 1) * sizeof *st);
        if (st)
            pl->start = st;
        if (!nd || !st)
            return b->nomem = 1, -1;
        b->cap_nodes = cap;
    }
    if (pl->n_terms + terms > b->cap_terms) {
        int cap = 2 * (pl->n_terms + terms) + 256;
        int *r = realloc(pl->ref, (size_t)cap * sizeof *r);
        if (r)
            pl->ref = r;
        double *c = realloc(pl->coef, (size_t)cap * sizeof *c);
        if (c)
            pl->coef = c;
        if (!r || !c)
            return b->nomem = 1, -1;
        b->cap_terms = cap;
    }
    return 0;
}

/* Opens node n_nodes; its terms follow until end_*. */
void fn_begin(builder *b, smug_pl_kind kind, int layer, double bias)
{
    if (fn_reserve(b, 1, 0) < 0)
        return;
    smug_pl_node *nd = &b->pl->node[b->pl->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind, nd->layer = layer, nd->bias = bias;
    b->pl->start[b->pl->n_nodes] = b->pl->n_terms;
}

void fn_add(builder *b, int ref, double coef)
{
    if (coef == 0.0 || b->nomem || fn_reserve(b, 0, 1) < 0)
        return;
    b->pl->ref[b->pl->n_terms] = ref;
    b->pl->coef[b->pl->n_terms++] = coef;
}

/* w · e into the open node. */
void fn_add_elem(builder *b, elem e, double w)
{
    if (b->nomem)
        return;
    b->pl->node[b->pl->n_nodes].bias += w * e.c;
    if (e.ref >= 0)
        fn_add(b, e.ref, w * e.s);
}

/* Range of the open node's bias + Σ terms (a variable term ranges over [0, coef]). */
static void open_range(const builder *b, double *lo, double *hi, int *terms)
{
    const smug_pl_net *pl = b->pl;
    const smug_pl_node *nd = &pl->node[pl->n_nodes];
    double l = nd->bias, h = nd->bias, mag = fabs(nd->bias);
    for (int t = pl->start[pl->n_nodes]; t < pl->n_terms; t++) {
        double a, z, c = pl->coef[t];
        if (pl->ref[t] >= 0)
            a = c * pl->node[pl->ref[t]].lo, z = c * pl->node[pl->ref[t]].hi;
        else
            a = 0.0, z = c;
        l += a < z ? a : z;
        h += a < z ? z : a;
        mag += fabs(a) + fabs(z);
    }
    *lo = l - (WIDEN * mag + 1e-300);
    *hi = h + (WIDEN * mag + 1e-300);
    *terms = pl->n_terms - pl->start[pl->n_nodes];
}

/* Closes the open node as an affine one; folds it away when it is a constant or s·v + c of
 * one node (force: keep it, so that it can be a MAX candidate). */
elem fn_end_affine(builder *b, int force)
{
    smug_pl_net *pl = b->pl;
    if (b->nomem)
        return fn_constant(0.0);
    smug_pl_node *nd = &pl->node[pl->n_nodes];
    int t0 = pl->start[pl->n_nodes], terms;
    double lo, hi;
    open_range(b, &lo, &hi, &terms);
    if (terms == 0 || (!force && terms == 1 && pl->ref[t0] >= 0)) {
        elem e = terms == 0 ? fn_constant(nd->bias) : (elem){pl->ref[t0], pl->coef[t0], nd->bias};
        pl->n_terms = t0;
        return e;
    }
    nd->kind = SMUG_PL_AFFINE, nd->lo = lo, nd->hi = hi;
    pl->start[++pl->n_nodes] = pl->n_terms;
    return (elem){pl->n_nodes - 1, 1.0, 0.0};
}

/* Closes the open node as max(0, ·): a constant, the argument itself, or a case split. */
elem fn_end_relu(builder *b)
{
    smug_pl_net *pl = b->pl;
    if (b->nomem)
        return fn_constant(0.0);
    double lo, hi;
    int terms;
    open_range(b, &lo, &hi, &terms);
    if (terms == 0) {
        double v = pl->node[pl->n_nodes].bias;
        pl->n_terms = pl->start[pl->n_nodes];
        return fn_constant(v > 0.0 ? v : 0.0);
    }
    if (hi <= 0.0) { /* always off */
        pl->n_terms = pl->start[pl->n_nodes];
        return fn_constant(0.0);
    }
    if (lo >= 0.0) /* always on */
        return fn_end_affine(b, 0);
    smug_pl_node *nd = &pl->node[pl->n_nodes];
    nd->kind = SMUG_PL_RELU, nd->lo = 0.0, nd->hi = hi, nd->pre_lo = lo;
    pl->start[++pl->n_nodes] = pl->n_terms;
    return (elem){pl->n_nodes - 1, 1.0, 0.0};
}

/* MaxPool window → the max of the candidates that can win. */
elem fn_max_of(builder *b, int layer, const elem *cand, int n)
{
    double maxlo = -INFINITY, lo, hi;
    for (int i = 0; i < n; i++) {
        fn_range_of(b, cand[i], &lo, &hi);
        maxlo = lo > maxlo ? lo : maxlo;
    }
    int nodes = 0, have_const = 0, last = -1;
    double cmax = -INFINITY;
    elem keep[64];
    for (int i = 0; i < n; i++) {
        fn_range_of(b, cand[i], &lo, &hi);
        if (hi < maxlo)
            continue; /* never the maximum */
        if (cand[i].ref < 0) {
            have_const = 1, cmax = cand[i].c > cmax ? cand[i].c : cmax;
        } else if (nodes < 64) {
            keep[nodes++] = cand[i], last = i;
        }
    }
    if (nodes == 0)
        return fn_constant(have_const ? cmax : 0.0);
    if (nodes == 1 && !have_const)
        return cand[last];
    for (int i = 0; i < nodes; i++) /* a candidate must be a node itself */
        if (keep[i].s != 1.0 || keep[i].c != 0.0) {
            fn_begin(b, SMUG_PL_AFFINE, layer, 0.0);
            fn_add_elem(b, keep[i], 1.0);
            keep[i] = fn_end_affine(b, 1);
        }
    fn_begin(b, SMUG_PL_MAX, layer, have_const ? cmax : 0.0);
    if (b->nomem)
        return fn_constant(0.0);
    smug_pl_net *pl = b->pl;
    double l = have_const ? cmax : -INFINITY, h = l;
    for (int i = 0; i < nodes; i++) {
        fn_add(b, keep[i].ref, 1.0);
        const smug_pl_node *c = &pl->node[keep[i].ref];
        l = c->lo > l ? c->lo : l;
        h = c->hi > h ? c->hi : h;
    }
    if (b->nomem)
        return fn_constant(0.0);
    smug_pl_node *nd = &pl->node[pl->n_nodes];
    nd->with_const = have_const, nd->lo = l, nd->hi = h;
    pl->start[++pl->n_nodes] = pl->n_terms;
    return (elem){pl->n_nodes - 1, 1.0, 0.0};
}
