/* sis.h — Sufficient Input Subsets (Carter et al. 2019), an evaluation baseline
 * (explain/sis.c; issue #5).
 *
 * An SIS is a small set of cells that, with every other cell masked, keeps the model's
 * confidence in the target class at or above a threshold τ. Cells are those of a smug_grid
 * (grid.h: win×win blocks across all channels), the same cells SMUG's masks use; a masked
 * cell's positions are set to `baseline` in model-input space (0 by default, as SMUG's
 * masks do; for a token model that value is a token id). f(S) is the softmax probability of
 * the target with only S kept.
 *
 * The algorithm, as in Carter et al.:
 *  1. if f(all) < τ there is no SIS: found = 0, the mask and the map are all zero, and the
 *     call still succeeds (the caller reports "no SIS", it is not an error);
 *  2. backward selection: starting from all cells, repeatedly remove the cell whose removal
 *     leaves f highest (ties: the lowest cell index), until no cell is left; every step's
 *     candidates are classified as one batch (n(n+1)/2 classifications for n cells);
 *  3. the SIS is the shortest suffix of the removal order (the last-removed cells) with
 *     f >= τ; the f values of step 2 already answer this, so it costs nothing extra.
 * The result is 1-minimal without further work: if S_k (the last k removed) is the shortest
 * suffix reaching τ, then S_{k−1} = S_k minus the cell backward selection removed from it,
 * chosen because it left the highest f of all single removals from S_k; f(S_{k−1}) < τ, so
 * removing any single cell of S_k drops f below τ.
 * Deviations, documented choices:
 *  - only one SIS is returned, not the whole SIS collection (the paper repeats 1–3 on the
 *    input with the SIS masked out, for further disjoint subsets);
 *  - suffixes are tried from length 0: when even the all-masked input reaches τ the SIS is
 *    empty (found = 1, n_kept = 0), where the paper would return one cell.
 *
 * Saliency map (for LSC and pictures), per pixel [H·W] as score.h lays maps out: a cell
 * removed at step r of n (r = 0 first) scores (r + 1)/n, and cells in the SIS score 1 more,
 * so the SIS outranks every other cell and, inside and outside it, cells that backward
 * selection kept longer score higher. All-zero when found = 0.
 *
 * Errors: USAGE (threshold not in (0, 1], target out of range, a grid laid over another
 * input shape), NOMEM, and whatever the forward pass reports.
 * Ownership: out_mask and out_map are the caller's; nothing returned needs freeing.
 */
#ifndef SMUG_SIS_H
#define SMUG_SIS_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/grid.h"
#include "smug/net.h"

typedef struct smug_sis_opts {
    int target;       /* class index */
    double threshold; /* τ in (0, 1]: the softmax probability to keep */
    float baseline;   /* value of a masked position, in model-input space */
} smug_sis_opts;

#define SMUG_SIS_OPTS_INIT                                                                         \
    {                                                                                              \
        0, 0.9, 0.0f                                                                               \
    }

typedef struct smug_sis_result {
    int found;              /* 1: an SIS was found; 0: f(all) < τ, nothing to explain */
    int n_kept;             /* cells in the SIS */
    double confidence;      /* f(SIS) (>= τ when found) */
    double confidence_full; /* f(all cells): the unmasked input */
    long n_evals;           /* classifications spent */
} smug_sis_result;

/* x: the model input, size(net->input); g: a grid laid over net->input. out_mask
 * [g->n_cells]: 1 = in the SIS; out_map [g->h · g->w] (may be NULL). */
int smug_sis(const smug_net *net, const float *x, const smug_grid *g, const smug_sis_opts *opts,
             uint8_t *out_mask, float *out_map, smug_sis_result *out, smug_error *err);

#endif
