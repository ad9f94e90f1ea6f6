/* rowindex.h — which cells each row touches and which rows each cell touches (mask/rowindex.c).
 *
 * A conv neuron sees a small patch, so at ImageNet size (3136 cells, k 3000) a row has a
 * handful of nonzero coefficients: greedy, dominance and the per-row bounds (bounds.c) walk
 * these lists instead of every row × cell pair. The col list is the problem's own column
 * pattern (problem.h), copied; pos filters its rows. Both are in increasing index order,
 * so a walk over them visits rows and cells in the order a dense loop would (the incumbent
 * and the dominance pairs come out exactly as from the dense loops).
 *
 *   col: for cell i, rows col_row[col_start[i] .. col_start[i+1]) with a_ji ≠ 0
 *   pos: for row j, cells pos_cell[pos_start[j] .. pos_start[j+1]) with a_ji > 0
 *
 * Ownership: smug_row_index_build fills *out (smug_row_index_free); it copies what it needs
 * from p. NOMEM only.
 */
#ifndef SMUG_ROWINDEX_H
#define SMUG_ROWINDEX_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/problem.h"

typedef struct smug_row_index {
    size_t *col_start; /* [n + 1] */
    int *col_row;      /* [nonzeros] */
    size_t *pos_start; /* [k + 1] */
    int *pos_cell;     /* [positive coefficients] */
} smug_row_index;

int smug_row_index_build(const smug_mask_problem *p, smug_row_index *out, smug_error *err);
void smug_row_index_free(smug_row_index *ix);

#endif
