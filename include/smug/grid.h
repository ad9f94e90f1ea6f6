/* grid.h — mask cells ↔ model-input positions (design §2; core/grid.c).
 *
 * A cell is what one mask variable switches: a win×win block of pixels across all channels
 * (win = 1: one pixel, all channels), or one token of a sequence input. Input positions are
 * flat indices in ONNX memory order (c·H·W + y·W + x). Cells are numbered row-major over the
 * block grid: cell = r·cols + q covers rows [r·win, min(H, (r+1)·win)) and columns
 * [q·win, min(W, (q+1)·win)); edge blocks may be smaller.
 *
 * Shapes: rank 3 (C, H, W) is an image; rank 2 (C, L) is a sequence of L positions with C
 * features each, so a cell is (1 × win) positions; rank 1 (N) is N positions of one channel.
 */
#ifndef SMUG_GRID_H
#define SMUG_GRID_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/shape.h"

typedef struct smug_grid {
    int c, h, w;    /* input viewed as channels × rows × columns */
    int win;        /* block side */
    int rows, cols; /* blocks down and across */
    int n_cells;    /* rows · cols */
} smug_grid;

/* Lays a win×win grid over `input` (a model input shape). Fails (USAGE) when win < 1 or
 * larger than the input. */
int smug_grid_init(smug_grid *g, const smug_shape *input, int win, smug_error *err);

/* The cell holding flat input position idx. */
int smug_grid_cell_of(const smug_grid *g, size_t idx);

/* Input positions of cell `cell`, all channels: writes up to cap indices, returns the
 * total count (call again with more room if it exceeds cap). */
size_t smug_grid_cell_positions(const smug_grid *g, int cell, size_t *out_idx, size_t cap);

/* Largest number of positions any cell has (c · win · win, clipped to the input). */
size_t smug_grid_max_cell_size(const smug_grid *g);

#endif
