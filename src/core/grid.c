/* grid.c — the cell map of grid.h: which input positions one mask variable controls.
 *
 * The mask problem, the verifier, the saliency map and the pictures all go through these
 * three functions, so a cell means the same thing everywhere.
 */
#include "smug/grid.h"

int smug_grid_init(smug_grid *g, const smug_shape *input, int win, smug_error *err)
{
    smug_shape_chw(input, &g->c, &g->h, &g->w);
    if (input->rank == 1) { /* a flat vector: one channel */
        g->c = 1;
        g->h = 1;
        g->w = input->dims[0];
    }
    if (win < 1 || (win > g->h && win > g->w))
        return smug_fail(err, SMUG_ERR_USAGE, "window must be in [1, %d]: got %d",
                         g->h > g->w ? g->h : g->w, win);
    g->win = win;
    g->rows = (g->h + win - 1) / win;
    g->cols = (g->w + win - 1) / win;
    g->n_cells = g->rows * g->cols;
    return 0;
}

int smug_grid_cell_of(const smug_grid *g, size_t idx)
{
    size_t plane = (size_t)g->h * (size_t)g->w, in_plane = idx % plane;
    int y = (int)(in_plane / (size_t)g->w), x = (int)(in_plane % (size_t)g->w);
    return (y / g->win) * g->cols + x / g->win;
}

size_t smug_grid_cell_positions(const smug_grid *g, int cell, size_t *out_idx, size_t cap)
{
    int r = cell / g->cols, q = cell % g->cols;
    int y0 = r * g->win, x0 = q * g->win;
    int y1 = y0 + g->win < g->h ? y0 + g->win : g->h;
    int x1 = x0 + g->win < g->w ? x0 + g->win : g->w;
    size_t n = 0;
    for (int ch = 0; ch < g->c; ch++)
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++, n++)
                if (n < cap)
                    out_idx[n] = ((size_t)ch * (size_t)g->h + (size_t)y) * (size_t)g->w + (size_t)x;
    return n;
}

size_t smug_grid_max_cell_size(const smug_grid *g)
{
    int bh = g->win < g->h ? g->win : g->h, bw = g->win < g->w ? g->win : g->w;
    return (size_t)g->c * (size_t)bh * (size_t)bw;
}
