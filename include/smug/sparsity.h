/* sparsity.h — how much of the image an explanation keeps (eval/sparsity.c, issue #5).
 *
 * Sparsity is the fraction of the image's pixels a boolean mask covers, in [0, 1]: a mask
 * that keeps 78 of 784 pixels has sparsity 0.0995. Lower means a more concise explanation.
 * Pixels, not cells, are counted, so masks on grids of different windows (whose edge cells
 * may be smaller) compare fairly. Nothing here allocates.
 */
#ifndef SMUG_SPARSITY_H
#define SMUG_SPARSITY_H

#include <stddef.h>
#include <stdint.h>

#include "smug/grid.h"

/* Fraction of the n entries of keep that are nonzero (0 when n is 0). */
double smug_sparsity(const uint8_t *keep, size_t n);

/* The same for a cell mask (mask[g->n_cells], nonzero = kept): kept cells' pixels over the
 * g->h · g->w pixels of the image. */
double smug_sparsity_cells(const smug_grid *g, const uint8_t *mask);

#endif
