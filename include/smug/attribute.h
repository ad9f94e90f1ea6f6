/* attribute.h — attributions `smug attribute` computes through run/ (run/attribute.c), so the
 * command needs no explain/ header of its own for them.
 */
#ifndef SMUG_ATTRIBUTE_H
#define SMUG_ATTRIBUTE_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/net.h"
#include "smug/params.h"

/* PruneGrad (prunegrad.h, keep = p->prune_keep, F as p->ig_output) for class `target`:
 * out_attr gets, with first_layer 0, the pruned network's input gradient [size(net->input)];
 * with first_layer 1, each first-layer neuron's signed activation × gradient, 0 when pruned
 * [smug_net_first_size(net)]. out_kept [smug_net_first_size(net)]: 1 = survived pruning.
 * *out_layers: hidden layers pruned. Errors as smug_prunegrad. */
int smug_attribute_prunegrad(const smug_net *net, const float *x, const smug_params *p, int target,
                             int first_layer, float *out_attr, uint8_t *out_kept, int *out_layers,
                             smug_error *err);

#endif
