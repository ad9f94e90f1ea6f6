/* sparsity.c — the fraction of the image a mask keeps (sparsity.h).
 *
 * A cell mask is measured in pixels through the grid's own geometry (grid.h), so a clipped
 * edge cell counts for what it covers, the same rule score.c uses to draw the mask.
 */
#include "smug/sparsity.h"

double smug_sparsity(const uint8_t *keep, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += keep[i] != 0;
    return n ? (double)kept / (double)n : 0.0;
}

double smug_sparsity_cells(const smug_grid *g, const uint8_t *mask)
{
    long kept = 0;
    for (int cell = 0; cell < g->n_cells; cell++) {
        if (!mask[cell])
            continue;
        int r = cell / g->cols, q = cell % g->cols;
        int y1 = (r + 1) * g->win < g->h ? (r + 1) * g->win : g->h;
        int x1 = (q + 1) * g->win < g->w ? (q + 1) * g->win : g->w;
        kept += (long)(y1 - r * g->win) * (long)(x1 - q * g->win);
    }
    long all = (long)g->h * (long)g->w;
    return all ? (double)kept / (double)all : 0.0;
}
