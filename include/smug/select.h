/* select.h — which first-layer neurons SMUG constrains (design §1, explain/select.c).
 *
 * Candidates are neurons with a positive pre-activation (only those can be kept "above
 * γ·o_j" by a mask) and a positive IG attribution (they push the target up). Among them
 * the k largest attributions win; equal attributions go to the lower index, so the choice
 * is reproducible.
 */
#ifndef SMUG_SELECT_H
#define SMUG_SELECT_H

#include <stddef.h>

/* pre, ig: [n]. Writes up to k indices to out_idx, by decreasing IG; returns how many
 * (fewer than k when fewer neurons qualify, -1 when out of memory). */
int smug_select_topk(const float *pre, const float *ig, size_t n, int k, int *out_idx);

#endif
