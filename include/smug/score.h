/* score.h — saliency maps from chosen first-layer neurons (design §1, §11; explain/score.c).
 *
 * A map is one float per input PIXEL: [H·W] row-major (index y·W + x), channels combined,
 * because a conv neuron's receptive field spans every input channel. H and W come from the
 * model input viewed as (C, H, W): rank 3 (C, H, W); rank 2 (C, L) is H = 1, W = L; rank 1
 * (N) is H = 1, W = N. Values are in the units of the IG attributions (the target's logit or
 * probability, see ig.h).
 *
 *  - SMUG_base (no solver): score(p) = Σ ig[j] over the chosen neurons j whose receptive
 *    field covers p (SMUG_SCORE_SUM, the paper's formula, the default), or the largest of
 *    those ig[j] (SMUG_SCORE_MAX, as the original code did). Pixels no chosen neuron covers
 *    score 0, so the map's support is the union of the receptive fields.
 *  - SMUG: the SMUG_base map times the solver's binary mask over grid cells (grid.h).
 *
 * Ownership: every function writes into caller-owned arrays of the sizes stated; nothing
 * here allocates memory that outlives the call.
 */
#ifndef SMUG_SCORE_H
#define SMUG_SCORE_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/grid.h"
#include "smug/net.h"

/* In the order of params.def's `score` enum ("sum|max"), so its index casts directly. */
typedef enum {
    SMUG_SCORE_SUM, /* Σ of the covering neurons' IG (the paper; default) */
    SMUG_SCORE_MAX  /* max of the covering neurons' IG (the original code) */
} smug_score_rule;

/* The map's rows and columns for `net`'s input (see above). */
void smug_score_dims(const smug_net *net, int *out_h, int *out_w);

/* The SMUG_base map. neurons: k distinct indices into the first layer's output (NCHW, as
 * select.h returns them); ig: [smug_net_first_size(net)] attributions indexed by neuron,
 * of which only ig[neurons[i]] is read. out_map: [H·W] (smug_score_dims), overwritten.
 * Cost: one pass over each chosen neuron's receptive field. Fails (USAGE) on a neuron index
 * out of range or k < 0, (UNSUPPORTED) when the first layer does not read the model input
 * position for position (an embedding lookup in between), (NOMEM) on allocation failure. */
int smug_score_base(const smug_net *net, const int *neurons, int k, const float *ig,
                    smug_score_rule rule, float *out_map, smug_error *err);

/* Expands a cell mask (mask[g->n_cells], nonzero = kept) into a per-pixel mask
 * out_keep[g->h · g->w] of 0/1. */
void smug_score_mask_pixels(const smug_grid *g, const uint8_t *mask, uint8_t *out_keep);

/* The SMUG map: out_map[p] = base[p] where p's cell is kept (mask nonzero), else 0.
 * base, out_map: [g->h · g->w]; out_map may be base (in place). The grid must have been
 * laid over the same input the base map was computed for. */
void smug_score_masked(const smug_grid *g, const uint8_t *mask, const float *base, float *out_map);

/* "sum" / "max". */
const char *smug_score_rule_name(smug_score_rule rule);

#endif
