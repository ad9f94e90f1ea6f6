/* rowindex.c — the sparsity pattern of a mask problem, as two index lists (rowindex.h).
 *
 * The problem already keeps its coefficients by row and by column (problem.h); this copies
 * the column pattern and filters each row's positive cells. It stores indices only, never
 * coefficients, so every number the callers use still comes from the problem and every
 * exact check (certify.c) sees the same doubles.
 */
#include "smug/rowindex.h"

#include <stdlib.h>
#include <string.h>

int smug_row_index_build(const smug_mask_problem *p, smug_row_index *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = (size_t)(p->n > 0 ? p->n : 0), k = (size_t)(p->k > 0 ? p->k : 0);
    out->col_start = malloc((n + 1) * sizeof *out->col_start);
    out->pos_start = calloc(k + 1, sizeof *out->pos_start);
    out->col_row = malloc((p->col_start[n] + 1) * sizeof *out->col_row);
    if (!out->col_start || !out->pos_start || !out->col_row)
        goto nomem;
    memcpy(out->col_start, p->col_start, (n + 1) * sizeof *out->col_start);
    memcpy(out->col_row, p->col_row, p->col_start[n] * sizeof *out->col_row);
    for (size_t j = 0; j < k; j++)
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
            out->pos_start[j + 1] += p->row_coef[e] > 0.0;
    for (size_t j = 0; j < k; j++)
        out->pos_start[j + 1] += out->pos_start[j];
    out->pos_cell = malloc((out->pos_start[k] + 1) * sizeof *out->pos_cell);
    if (!out->pos_cell)
        goto nomem;
    for (size_t j = 0, at = 0; j < k; j++) /* rows keep increasing variable order */
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
            if (p->row_coef[e] > 0.0)
                out->pos_cell[at++] = p->row_var[e];
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
