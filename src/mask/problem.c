/* problem.c — the mask problem's storage and the few facts every stage asks of it.
 *
 * Rows are evaluated in double: the coefficients come from float32 weights and inputs, and
 * double sums make "does this mask satisfy the rows" exact enough that the margin δ_j in
 * problem.h, not rounding, decides borderline masks.
 */
#include "smug/problem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    free(p);
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
    for (int j = 0; j < p->k; j++)
        if (!(smug_mask_problem_row_sum(p, j, m) > p->t[j]))
            return 0;
    return 1;
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
