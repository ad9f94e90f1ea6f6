/* component.c — independent parts of a mask problem and their sub-problems (component.h).
 *
 * Union-find over the cells, one union per binding row; then, for a given partition (the
 * components, or the parts a proof names), one pass over the rows that sends each to the
 * part holding all its live cells. The coefficients are read through the problem's sparse
 * rows only (row_nonzeros, fill_part), in row order, so a sub-problem's rows keep p's order
 * and sums. This file decides nothing about bounds
 * or proofs: strategy.c solves the parts, proof.c checks them.
 */
#include "smug/component.h"

#include <stdlib.h>
#include <string.h>

/* The nonzero coefficients of row j into cells[]/vals[] (each [n]); returns their count. */
static int row_nonzeros(const smug_mask_problem *p, int j, int *cells, double *vals)
{
    int m = 0;
    for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
        cells[m] = p->row_var[e], vals[m] = p->row_coef[e], m++;
    return m;
}

static int live(const uint8_t *zero, int i)
{
    return !zero || !zero[i];
}

/* Some mask breaks the row: its negative coefficients on live cells reach down to t. */
static int binding(const smug_mask_problem *p, const uint8_t *zero, const int *cells,
                   const double *vals, int m, int j)
{
    double neg = 0.0;
    for (int u = 0; u < m; u++)
        if (vals[u] < 0.0 && live(zero, cells[u]))
            neg += vals[u];
    return !(neg > p->t[j]);
}

int smug_component_row_binding(const smug_mask_problem *p, const uint8_t *zero, int j)
{
    int *cells = malloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *cells);
    double *vals = malloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *vals);
    int b = cells && vals ? binding(p, zero, cells, vals, row_nonzeros(p, j, cells, vals), j) : 1;
    free(cells), free(vals);
    return b;
}

static int find(int *up, int i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

int smug_components_find(const smug_mask_problem *p, const uint8_t *zero, smug_components *out,
                         smug_error *err)
{
    memset(out, 0, sizeof *out);
    size_t nn = (size_t)(p->n > 0 ? p->n : 1);
    int *up = malloc(nn * sizeof *up), *cells = malloc(nn * sizeof *cells);
    double *vals = malloc(nn * sizeof *vals);
    out->of = malloc(nn * sizeof *out->of);
    out->cells = malloc(nn * sizeof *out->cells);
    out->start = malloc((nn + 1) * sizeof *out->start);
    if (!up || !cells || !vals || !out->of || !out->cells || !out->start) {
        free(up), free(cells), free(vals);
        smug_components_clear(out);
        return smug_fail(err, SMUG_ERR_NOMEM, "components: out of memory");
    }
    for (int i = 0; i < p->n; i++)
        up[i] = i;
    for (int j = 0; j < p->k; j++) {
        int m = row_nonzeros(p, j, cells, vals), first = -1;
        if (!binding(p, zero, cells, vals, m, j))
            continue;
        for (int u = 0; u < m; u++) {
            if (!live(zero, cells[u]))
                continue;
            if (first < 0)
                first = cells[u];
            else
                up[find(up, cells[u])] = find(up, first);
        }
    }
    /* number the components by their smallest variable: of[root] gets the number first */
    for (int i = 0; i < p->n; i++)
        out->of[i] = -1;
    int *count = cells; /* reused: count[c] */
    for (int i = 0; i < p->n; i++) {
        if (!live(zero, i))
            continue;
        int r = find(up, i);
        if (out->of[r] < 0)
            count[out->n] = 0, out->of[r] = out->n++;
        out->of[i] = out->of[r];
        count[out->of[i]]++;
    }
    out->start[0] = 0;
    for (int c = 0; c < out->n; c++)
        out->start[c + 1] = out->start[c] + count[c], count[c] = out->start[c];
    for (int i = 0; i < p->n; i++)
        if (out->of[i] >= 0)
            out->cells[count[out->of[i]]++] = i;
    free(up), free(cells), free(vals);
    return 0;
}

void smug_components_clear(smug_components *c)
{
    free(c->of), free(c->start), free(c->cells);
    memset(c, 0, sizeof *c);
}

/* Gives part c (problem q, var_of mapping p's variables into it) the rows j of p with
 * row_of[j] == c, each restricted to the cells of part c, in p's row order. */
static int fill_part(const smug_mask_problem *p, const int *row_of, const int *part_of,
                     const int *var_of, int c, smug_mask_problem *q, smug_error *err)
{
    size_t nnz = 0;
    for (int j = 0; j < p->k; j++)
        for (size_t e = p->row_start[j]; row_of[j] == c && e < p->row_start[j + 1]; e++)
            nnz += part_of[p->row_var[e]] == c;
    size_t *start = malloc(((size_t)q->k + 1) * sizeof *start);
    int *var = malloc((nnz ? nnz : 1) * sizeof *var);
    double *coef = malloc((nnz ? nnz : 1) * sizeof *coef);
    if (!start || !var || !coef) {
        free(start), free(var), free(coef);
        return smug_fail(err, SMUG_ERR_NOMEM, "components: out of memory");
    }
    int at = 0;
    size_t used = 0;
    start[0] = 0;
    for (int j = 0; j < p->k; j++) {
        if (row_of[j] != c)
            continue;
        q->neuron[at] = p->neuron[j], q->o[at] = p->o[j], q->t[at] = p->t[j];
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
            if (part_of[p->row_var[e]] == c)
                var[used] = var_of[p->row_var[e]], coef[used++] = p->row_coef[e];
        start[++at] = used;
    }
    int rc = smug_mask_problem_set_rows(q, start, var, coef, err);
    free(start), free(var), free(coef);
    return rc;
}

/* The part of row j (all its live nonzero cells in one part), or -1. */
static int row_part(const uint8_t *zero, const int *part_of, const int *cells, int m)
{
    int c = -1;
    for (int u = 0; u < m; u++) {
        if (!live(zero, cells[u]))
            continue;
        if (part_of[cells[u]] < 0 || (c >= 0 && part_of[cells[u]] != c))
            return -1;
        c = part_of[cells[u]];
    }
    return c;
}

static int fill(const smug_mask_problem *p, const uint8_t *zero, int n_parts, const int *start,
                const int *cells_of, const int *part_of, smug_mask_problem **out, int *row_of,
                smug_error *err)
{
    size_t nn = (size_t)(p->n > 0 ? p->n : 1);
    int *cells = malloc(nn * sizeof *cells), *rows = calloc((size_t)n_parts + 1, sizeof *rows);
    int *var_of = malloc(nn * sizeof *var_of);
    double *vals = malloc(nn * sizeof *vals);
    int rc = cells && rows && var_of && vals ? 0 : -1;
    for (int j = 0; rc == 0 && j < p->k; j++) {
        int m = row_nonzeros(p, j, cells, vals);
        row_of[j] = binding(p, zero, cells, vals, m, j) ? row_part(zero, part_of, cells, m) : -1;
        if (row_of[j] >= 0)
            rows[row_of[j]]++;
    }
    for (int c = 0; rc == 0 && c < n_parts; c++) {
        out[c] = smug_mask_problem_new(rows[c], start[c + 1] - start[c]);
        if (!out[c]) {
            rc = -1;
            break;
        }
        out[c]->gamma = p->gamma, out[c]->grid = p->grid;
        for (int v = 0; v < out[c]->n; v++)
            out[c]->cell[v] = p->cell[cells_of[start[c] + v]];
    }
    for (int i = 0; rc == 0 && i < p->n; i++)
        var_of[i] = part_of[i] >= 0 ? 0 : -1;
    for (int c = 0; rc == 0 && c < n_parts; c++)
        for (int v = start[c]; v < start[c + 1]; v++)
            var_of[cells_of[v]] = v - start[c];
    int fail = rc;
    for (int c = 0; rc == 0 && c < n_parts; c++)
        rc = fill_part(p, row_of, part_of, var_of, c, out[c], err);
    free(cells), free(rows), free(var_of), free(vals);
    return fail < 0 ? smug_fail(err, SMUG_ERR_NOMEM, "components: out of memory") : rc;
}

int smug_component_problems(const smug_mask_problem *p, const uint8_t *zero, int n_parts,
                            const int *start, const int *cells, smug_mask_problem **out,
                            smug_error *err)
{
    for (int c = 0; c < n_parts; c++)
        out[c] = NULL;
    if (p->pl)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "components: the whole-network encoding has no independent parts");
    size_t nn = (size_t)(p->n > 0 ? p->n : 1);
    int *part_of = malloc(nn * sizeof *part_of);
    int *row_of = malloc((size_t)(p->k > 0 ? p->k : 1) * sizeof *row_of);
    if (!part_of || !row_of) {
        free(part_of), free(row_of);
        return smug_fail(err, SMUG_ERR_NOMEM, "components: out of memory");
    }
    for (int i = 0; i < p->n; i++)
        part_of[i] = -1;
    int rc = start[0] == 0
                 ? 0
                 : smug_fail(err, SMUG_ERR_FORMAT, "components: part 0 starts at %d", start[0]);
    for (int c = 0; rc == 0 && c < n_parts; c++) {
        if (start[c + 1] < start[c]) {
            rc = smug_fail(err, SMUG_ERR_FORMAT, "components: part %d has a negative size", c);
            break;
        }
        for (int v = start[c]; rc == 0 && v < start[c + 1]; v++) {
            int i = cells[v];
            if (i < 0 || i >= p->n || (v > start[c] && i <= cells[v - 1]))
                rc = smug_fail(err, SMUG_ERR_FORMAT,
                               "components: part %d: cell %d out of range or out of order", c, i);
            else if (part_of[i] >= 0)
                rc = smug_fail(err, SMUG_ERR_FORMAT, "components: cell %d is in parts %d and %d", i,
                               part_of[i], c);
            else
                part_of[i] = c;
        }
    }
    if (rc == 0)
        rc = fill(p, zero, n_parts, start, cells, part_of, out, row_of, err);
    if (rc < 0)
        for (int c = 0; c < n_parts; c++)
            smug_mask_problem_free(out[c]), out[c] = NULL;
    free(part_of), free(row_of);
    return rc;
}
