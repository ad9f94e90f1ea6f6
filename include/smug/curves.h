/* curves.h — deletion and insertion curves of a saliency map (eval/curves.c, issue #16).
 *
 * The map's cells (a params.window grid, grid.h) are ranked by the map's sum over each cell's
 * pixels, largest first (equal sums: lower cell index first). Deletion starts from the whole
 * input and sets the ranked cells, a few at a time, to the baseline value (every channel of
 * the cell); insertion starts from the input at the baseline everywhere and restores them in
 * the same order. After each step the model's softmax probability of the target is recorded:
 * points i = 0 … S at t_i = round(i · n_cells / S) cells changed (S = min(steps, n_cells)), so
 * point 0 is the whole input (deletion) or the pure baseline (insertion) and point S the
 * reverse. AUC is the trapezoid area under p over the fraction t/n_cells in [0, 1]: a
 * faithful map has a low deletion AUC and a high insertion AUC (Petsiuk et al. 2018, as
 * Quantus and the PruneGrad paper use them).
 *
 * Baseline: the value the caller chooses in the model's input space (smug eval uses
 * params.baseline, the input-level IG baseline; 0 by default).
 * Ownership: out arrays are the caller's. Errors: NOMEM, forward failures.
 */
#ifndef SMUG_CURVES_H
#define SMUG_CURVES_H

#include "smug/error.h"
#include "smug/grid.h"
#include "smug/net.h"

/* Trapezoid area under y over x (n points, x ascending); 0 when n < 2. */
double smug_curve_auc(const double *x, const double *y, int n);

/* Cells of g ranked by map[h·w] (h, w = g->h, g->w): out_order[g->n_cells]. */
int smug_curve_order(const smug_grid *g, const float *map, int *out_order, smug_error *err);

/* Number of points a curve over g with `steps` has: min(steps, n_cells) + 1. */
int smug_curve_points(const smug_grid *g, int steps);

/* Both curves for x (model-input space, size g->c·g->h·g->w) in the order `order`:
 * out_frac, out_del and out_ins each [smug_curve_points(g, steps)]. */
int smug_curves(const smug_net *net, const float *x, int target, const smug_grid *g,
                const int *order, int steps, float baseline, double *out_frac, double *out_del,
                double *out_ins, smug_error *err);

#endif
