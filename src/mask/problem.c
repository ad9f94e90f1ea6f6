/* problem.c — the mask problem's storage and the few facts every stage asks of it.
 *
 * The coefficients are kept sparse, by row and by column (problem.h): at ImageNet size a
 * dense k × n matrix is 75 MB of mostly zeros that every consumer would walk. This file
 * does not build rows (encode.c and fullnet.c do); it sorts, checks and indexes them.
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
    p->cell = calloc(nn, sizeof *p->cell);
    /* empty rows: the lists hold one unused slot so no pointer is ever NULL */
    p->row_start = calloc(kk + 1, sizeof *p->row_start);
    p->col_start = calloc(nn + 1, sizeof *p->col_start);
    p->row_var = malloc(sizeof *p->row_var), p->col_row = malloc(sizeof *p->col_row);
    p->row_coef = malloc(sizeof *p->row_coef), p->col_coef = malloc(sizeof *p->col_coef);
    if (!p->neuron || !p->o || !p->t || !p->cell || !p->row_start || !p->col_start || !p->row_var ||
        !p->col_row || !p->row_coef || !p->col_coef) {
        smug_mask_problem_free(p);
        return NULL;
    }
    return p;
}

static void free_lists(smug_mask_problem *p)
{
    free(p->row_start), free(p->row_var), free(p->row_coef);
    free(p->col_start), free(p->col_row), free(p->col_coef);
}

void smug_mask_problem_free(smug_mask_problem *p)
{
    if (!p)
        return;
    free(p->neuron);
    free(p->o);
    free(p->t);
    free_lists(p);
    free(p->cell);
    smug_pl_free(p->pl);
    free(p);
}

typedef struct entry {
    int var;
    double coef;
} entry;

static int by_var(const void *x, const void *y)
{
    const entry *a = x, *b = y;
    return (a->var > b->var) - (a->var < b->var);
}

/* Sorts row entries [from, to) by variable when they are not in order already (the
 * encoder's rows are); scratch holds to − from entries. */
static void sort_row(int *var, double *coef, size_t from, size_t to, entry *scratch)
{
    size_t e = from + 1;
    while (e < to && var[e - 1] < var[e])
        e++;
    if (e >= to)
        return;
    for (e = from; e < to; e++)
        scratch[e - from] = (entry){var[e], coef[e]};
    qsort(scratch, to - from, sizeof *scratch, by_var);
    for (e = from; e < to; e++)
        var[e] = scratch[e - from].var, coef[e] = scratch[e - from].coef;
}

int smug_mask_problem_set_rows(smug_mask_problem *p, const size_t *start, const int *var,
                               const double *coef, smug_error *err)
{
    size_t k = p->k > 0 ? (size_t)p->k : 0, n = p->n > 0 ? (size_t)p->n : 0, nnz = 0, widest = 0;
    for (size_t j = 0; j < k; j++) {
        size_t kept = 0;
        for (size_t e = start[j]; e < start[j + 1]; e++) {
            if (var[e] < 0 || (size_t)var[e] >= n)
                return smug_fail(err, SMUG_ERR_INTERNAL,
                                 "mask problem: row %zu: variable %d "
                                 "outside [0, %zu)",
                                 j, var[e], n);
            if (!isfinite(coef[e]))
                return smug_fail(err, SMUG_ERR_INTERNAL,
                                 "mask problem: row %zu: coefficient of variable %d is not finite",
                                 j, var[e]);
            kept += coef[e] != 0.0;
        }
        nnz += kept;
        widest = kept > widest ? kept : widest;
    }
    smug_mask_problem q = {0};
    q.row_start = calloc(k + 1, sizeof *q.row_start);
    q.row_var = malloc((nnz + 1) * sizeof *q.row_var);
    q.row_coef = malloc((nnz + 1) * sizeof *q.row_coef);
    q.col_start = calloc(n + 1, sizeof *q.col_start);
    q.col_row = malloc((nnz + 1) * sizeof *q.col_row);
    q.col_coef = malloc((nnz + 1) * sizeof *q.col_coef);
    entry *scratch = malloc((widest + 1) * sizeof *scratch);
    if (!q.row_start || !q.row_var || !q.row_coef || !q.col_start || !q.col_row || !q.col_coef ||
        !scratch) {
        free_lists(&q), free(scratch);
        return smug_fail(err, SMUG_ERR_NOMEM, "mask problem: out of memory");
    }
    size_t at = 0;
    for (size_t j = 0; j < k; j++) {
        q.row_start[j] = at;
        for (size_t e = start[j]; e < start[j + 1]; e++)
            if (coef[e] != 0.0)
                q.row_var[at] = var[e], q.row_coef[at] = coef[e], at++;
        sort_row(q.row_var, q.row_coef, q.row_start[j], at, scratch);
        for (size_t e = q.row_start[j] + 1; e < at; e++)
            if (q.row_var[e] == q.row_var[e - 1]) {
                int v = q.row_var[e];
                free_lists(&q), free(scratch);
                return smug_fail(err, SMUG_ERR_INTERNAL,
                                 "mask problem: row %zu: variable %d appears twice", j, v);
            }
    }
    q.row_start[k] = at;
    free(scratch);
    /* the columns, rows in increasing order: count, prefix, fill */
    for (size_t e = 0; e < nnz; e++)
        q.col_start[(size_t)q.row_var[e] + 1]++;
    for (size_t i = 0; i < n; i++)
        q.col_start[i + 1] += q.col_start[i];
    size_t *fill = malloc((n + 1) * sizeof *fill);
    if (!fill) {
        free_lists(&q);
        return smug_fail(err, SMUG_ERR_NOMEM, "mask problem: out of memory");
    }
    memcpy(fill, q.col_start, (n + 1) * sizeof *fill);
    for (size_t j = 0; j < k; j++)
        for (size_t e = q.row_start[j]; e < q.row_start[j + 1]; e++) {
            size_t c = fill[q.row_var[e]]++;
            q.col_row[c] = (int)j, q.col_coef[c] = q.row_coef[e];
        }
    free(fill);
    free_lists(p);
    p->nnz = nnz;
    p->row_start = q.row_start, p->row_var = q.row_var, p->row_coef = q.row_coef;
    p->col_start = q.col_start, p->col_row = q.col_row, p->col_coef = q.col_coef;
    return 0;
}

int smug_mask_problem_set_dense(smug_mask_problem *p, const double *a, smug_error *err)
{
    size_t k = p->k > 0 ? (size_t)p->k : 0, n = p->n > 0 ? (size_t)p->n : 0, nz = 0;
    for (size_t x = 0; x < k * n; x++)
        nz += a[x] != 0.0;
    size_t *start = malloc((k + 1) * sizeof *start);
    int *var = malloc((nz + 1) * sizeof *var);
    double *coef = malloc((nz + 1) * sizeof *coef);
    int rc =
        start && var && coef ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "mask problem: out of memory");
    size_t at = 0;
    for (size_t j = 0; rc == 0 && j < k; j++) {
        start[j] = at;
        for (size_t i = 0; i < n; i++)
            if (a[j * n + i] != 0.0)
                var[at] = (int)i, coef[at] = a[j * n + i], at++;
    }
    if (rc == 0) {
        start[k] = at;
        rc = smug_mask_problem_set_rows(p, start, var, coef, err);
    }
    free(start), free(var), free(coef);
    return rc;
}

double smug_mask_problem_coef(const smug_mask_problem *p, int j, int i)
{
    size_t lo = p->row_start[j], hi = p->row_start[j + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->row_var[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->row_start[j + 1] && p->row_var[lo] == i ? p->row_coef[lo] : 0.0;
}

size_t smug_mask_problem_bytes(const smug_mask_problem *p)
{
    size_t k = p->k > 0 ? (size_t)p->k : 1, n = p->n > 0 ? (size_t)p->n : 1;
    size_t per_row = sizeof *p->neuron + sizeof *p->o + sizeof *p->t + sizeof *p->row_start;
    size_t per_nz = 2 * (sizeof *p->row_var + sizeof *p->row_coef);
    return sizeof *p + k * per_row + (n + 1) * sizeof *p->col_start + n * sizeof *p->cell +
           (p->nnz + 1) * per_nz;
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
    double s = 0.0;
    for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
        if (m[p->row_var[e]])
            s += p->row_coef[e];
    return s;
}

int smug_mask_problem_satisfied(const smug_mask_problem *p, const uint8_t *m)
{
    for (int j = 0; j < p->k; j++) {
        double s = 0.0, mag = fabs(p->t[j]);
        int terms = 1;
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
            if (m[p->row_var[e]])
                s += p->row_coef[e], mag += fabs(p->row_coef[e]), terms++;
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
