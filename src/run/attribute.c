/* attribute.c — PruneGrad for `smug attribute` (attribute.h): the input gradient of the pruned
 * network, or the first-layer importances it pruned by. The other attributions the command
 * prints still run in cli/ (tests/deps/layers_debt.txt).
 */
#include "smug/attribute.h"

#include <stdlib.h>
#include <string.h>

#include "smug/prunegrad.h"

int smug_attribute_prunegrad(const smug_net *net, const float *x, const smug_params *p, int target,
                             int first_layer, float *out_attr, uint8_t *out_kept, int *out_layers,
                             smug_error *err)
{
    size_t n_first = smug_net_first_size(net), n_in = smug_shape_size(&net->input);
    float *g = malloc(n_in * sizeof *g), *imp = malloc((n_first ? n_first : 1) * sizeof *imp);
    smug_prunegrad_opts o = {target, p->ig_output == 1, p->prune_keep};
    int rc = g && imp ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_prunegrad(net, x, &o, g, imp, out_kept, out_layers, err);
    for (size_t j = 0; rc == 0 && j < n_first; j++)
        imp[j] = out_kept[j] ? imp[j] : 0.0f;
    if (rc == 0)
        memcpy(out_attr, first_layer ? imp : g, (first_layer ? n_first : n_in) * sizeof *g);
    free(g), free(imp);
    return rc;
}
