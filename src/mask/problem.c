/* problem.c — the mask problem's storage and the few facts every stage asks of it.
 *
 * "Does this mask satisfy the rows" is decided exactly: the problem is its doubles taken as
 * exact rationals (certify.h), and a mask is a claim (an upper bound) like any other. A
 * double sum decides when it is clear of t_j by more than its worst rounding error; the
 * rare borderline row is summed exactly with GMP.
 */
#include "smug/problem.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/certify.h"

smug_mask_problem *smug_mask_problem_new(int k, int n)
{
    smug_mask_problem *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->k = k;
    p->n = n;
    size_t kk = k > 0 ? (size_t)k : 1, nn = n > 0 ? (size_t)n : 1;
    p->neuron = calloc(kk, sizeof *p->neuron);
    p->o = calloc(kk, sizeof *p->o);
    p->t = calloc(kk, sizeof *p->t);
    p->a = calloc(kk * nn, sizeof *p->a);
    p->cell = calloc(nn, sizeof *p->cell);
    if (!p->neuron || !p->o || !p->t || !p->a || !p->cell) {
        smug_mask_problem_free(p);
        return NULL;
    }
    return p;
}

void smug_mask_problem_free(smug_mask_problem *p)
{
    if (!p)
        return;
    free(p->neuron);
    free(p->o);
    free(p->t);
    free(p->a);
    free(p->cell);
    smug_pl_free(p->pl);
    free(p);
}

void smug_pl_free(smug_pl_net *pl)
{
    if (!pl)
        return;
    free(pl->node), free(pl->start), free(pl->ref), free(pl->coef);
    free(pl->logit_ref), free(pl->logit_s), free(pl->logit_c);
    free(pl);
}

void smug_pl_eval(const smug_pl_net *pl, const double *m, double *out_v, double *out_logits)
{
    for (int i = 0; i < pl->n_nodes; i++) {
        const smug_pl_node *nd = &pl->node[i];
        int max = nd->kind == SMUG_PL_MAX, have = max && nd->with_const;
        double v = nd->bias;
        for (int t = pl->start[i]; t < pl->start[i + 1]; t++) {
            int r = pl->ref[t];
            double x = pl->coef[t] * (r >= 0 ? out_v[r] : m[-1 - r]);
            if (!max)
                v += x;
            else if (!have || x > v)
                v = x, have = 1;
        }
        out_v[i] = nd->kind == SMUG_PL_RELU && v < 0.0 ? 0.0 : v;
    }
    for (int c = 0; out_logits && c < pl->n_logits; c++)
        out_logits[c] = pl->logit_c[c] +
                        (pl->logit_ref[c] >= 0 ? pl->logit_s[c] * out_v[pl->logit_ref[c]] : 0.0);
}

double smug_mask_problem_row_sum(const smug_mask_problem *p, int j, const uint8_t *m)
{
    const double *row = p->a + (size_t)j * (size_t)p->n;
    double s = 0.0;
    for (int i = 0; i < p->n; i++)
        if (m[i])
            s += row[i];
    return s;
}

int smug_mask_problem_satisfied(const smug_mask_problem *p, const uint8_t *m)
{
    for (int j = 0; j < p->k; j++) {
        const double *row = p->a + (size_t)j * (size_t)p->n;
        double s = 0.0, mag = fabs(p->t[j]);
        int terms = 1;
        for (int i = 0; i < p->n; i++)
            if (m[i])
                s += row[i], mag += fabs(row[i]), terms++;
        /* recursive summation errs by at most (terms + 1)·ε·Σ|x| (Higham 4.3), doubled */
        double slack = s - p->t[j], bound = 2.0 * (terms + 1) * DBL_EPSILON * mag;
        if (slack > bound)
            continue;
        if (slack < -bound || smug_certify_row_sign(p, j, m) <= 0)
            return 0;
    }
    return !p->pl || smug_pl_margin(p, m) >= p->pl->delta * (1.0 - 1e-6);
}

double smug_pl_margin(const smug_mask_problem *p, const uint8_t *m)
{
    const smug_pl_net *pl = p->pl;
    double *mv = malloc(((size_t)p->n + 1) * sizeof *mv);
    double *v = malloc(((size_t)pl->n_nodes + 1) * sizeof *v);
    double *lg = malloc(((size_t)pl->n_logits + 1) * sizeof *lg);
    double margin = -INFINITY; /* out of memory: no claim */
    if (mv && v && lg) {
        for (int i = 0; i < p->n; i++)
            mv[i] = m[i] ? 1.0 : 0.0;
        smug_pl_eval(pl, mv, v, lg);
        margin = INFINITY;
        for (int c = 0; c < pl->n_logits; c++)
            if (c != pl->target && lg[pl->target] - lg[c] < margin)
                margin = lg[pl->target] - lg[c];
    }
    free(mv), free(v), free(lg);
    return margin;
}

int smug_mask_count(const uint8_t *m, int n)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += m[i] != 0;
    return c;
}

void smug_mask_problem_cells(const smug_mask_problem *p, const uint8_t *m, uint8_t *out_cells)
{
    memset(out_cells, 0, (size_t)p->grid.n_cells);
    for (int i = 0; i < p->n; i++)
        out_cells[p->cell[i]] = m[i] ? 1 : 0;
}

const char *smug_mask_var_name(const smug_mask_problem *p, int i, char *buf, size_t n)
{
    int cell = p->cell[i];
    snprintf(buf, n, "m_%d_%d", cell / p->grid.cols, cell % p->grid.cols);
    return buf;
}
