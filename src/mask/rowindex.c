/* rowindex.c — the sparsity pattern of a mask problem, as two index lists (rowindex.h).
 *
 * Two passes over the dense coefficients: count, then fill. It stores indices only, never
 * coefficients, so every number the callers use still comes from p->a and every exact
 * check (certify.c) sees the same doubles.
 */
#include "smug/rowindex.h"

#include <stdlib.h>
#include <string.h>

static double coef(const smug_mask_problem *p, int j, int i)
{
    return p->a[(size_t)j * (size_t)p->n + (size_t)i];
}

int smug_row_index_build(const smug_mask_problem *p, smug_row_index *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = (size_t)(p->n > 0 ? p->n : 0), k = (size_t)(p->k > 0 ? p->k : 0);
    out->col_start = calloc(n + 1, sizeof *out->col_start);
    out->pos_start = calloc(k + 1, sizeof *out->pos_start);
    if (!out->col_start || !out->pos_start)
        goto nomem;
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i < n; i++) {
            double a = coef(p, (int)j, (int)i);
            out->col_start[i + 1] += a != 0.0;
            out->pos_start[j + 1] += a > 0.0;
        }
    for (size_t i = 0; i < n; i++)
        out->col_start[i + 1] += out->col_start[i];
    for (size_t j = 0; j < k; j++)
        out->pos_start[j + 1] += out->pos_start[j];
    out->col_row = malloc((out->col_start[n] + 1) * sizeof *out->col_row);
    out->pos_cell = malloc((out->pos_start[k] + 1) * sizeof *out->pos_cell);
    size_t *fill = calloc(n + 1, sizeof *fill);
    if (!out->col_row || !out->pos_cell || !fill) {
        free(fill);
        goto nomem;
    }
    for (size_t j = 0; j < k; j++) { /* rows in order: each cell's list comes out sorted */
        size_t at = out->pos_start[j];
        for (size_t i = 0; i < n; i++) {
            double a = coef(p, (int)j, (int)i);
            if (a != 0.0)
                out->col_row[out->col_start[i] + fill[i]++] = (int)j;
            if (a > 0.0)
                out->pos_cell[at++] = (int)i;
        }
    }
    free(fill);
    return 0;
nomem:
    smug_row_index_free(out);
    return smug_fail(err, SMUG_ERR_NOMEM, "row index: out of memory");
}

void smug_row_index_free(smug_row_index *ix)
{
    free(ix->col_start), free(ix->col_row), free(ix->pos_start), free(ix->pos_cell);
    memset(ix, 0, sizeof *ix);
}
