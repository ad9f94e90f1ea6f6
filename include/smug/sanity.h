/* sanity.h — the model-parameter randomisation sanity check (eval/sanity.c; Adebayo et al.
 * 2018, "Sanity Checks for Saliency Maps"; issue #16).
 *
 * Cascading randomisation: step s = 1 … P re-initialises the s parameterised layers (Dense,
 * Conv) nearest the output, weights and biases, with seeded Gaussian values whose standard
 * deviation is that of the layer's own weights (biases: of its own biases). A method whose
 * map stays similar to the original map (Spearman rank correlation near 1) while the model
 * is destroyed does not explain the model. The copy shares everything else with the
 * original network (no smug_net_free on it: smug_sanity_net_free).
 */
#ifndef SMUG_SANITY_H
#define SMUG_SANITY_H

#include <stddef.h>
#include <stdint.h>

#include "smug/error.h"
#include "smug/net.h"

/* Spearman's rank correlation of a[n] and b[n] (ties get their mean rank); NaN when either
 * is constant or n < 2. */
double smug_spearman(const float *a, const float *b, size_t n);

/* Parameterised layers (Dense, Conv) of net. */
int smug_sanity_layers(const smug_net *net);

/* *out: net with its `n_top` parameterised layers nearest the output randomised (seed
 * picks the values; the same seed gives the same network). Errors: USAGE (n_top out of
 * [1, smug_sanity_layers]), NOMEM. */
int smug_sanity_net(const smug_net *net, int n_top, uint64_t seed, smug_net **out, smug_error *err);

void smug_sanity_net_free(smug_net *net);

#endif
