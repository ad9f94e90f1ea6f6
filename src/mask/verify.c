/* verify.c — every reported mask passes a forward pass (verify.h).
 *
 * This is the check that makes a solver's answer trustworthy: the encoding, the decimal
 * printing, the solver and the output parser could each be wrong, but a mask that keeps
 * every chosen neuron above γ·o_j in float32 forward arithmetic is what the user was
 * promised, whoever found it.
 */
#include "smug/verify.h"

#include <stdlib.h>
#include <string.h>

#include "smug/encode.h"
#include "smug/forward.h"

/* z with every position of a dropped cell set to 0 (masking happens after preprocessing;
 * for a token model z is the embedding output, so a dropped token's embedding is zeros). */
static void mask_input(const smug_net *net, const smug_grid *g, const uint8_t *cells, float *z,
                       size_t n)
{
    for (size_t p = 0; p < n; p++)
        if (!cells[smug_grid_cell_of(g, smug_net_input_pos(net, p))])
            z[p] = 0.0f;
}

/* Runs layers [first, end) on z: the first layer's output and the logits. */
static int run_from_first(const smug_net *net, const float *z, float *first_out, float *logits,
                          smug_error *err)
{
    smug_trace t;
    int rc = smug_forward(net, net->first, net->n_layers, z, 1, &t, err);
    if (rc == 0) {
        memcpy(first_out, t.acts[1], smug_net_first_size(net) * sizeof *first_out);
        memcpy(logits, smug_trace_output(&t), (size_t)net->n_classes * sizeof *logits);
    }
    smug_trace_clear(&t);
    return rc;
}

int smug_verify_mask(const smug_net *net, const float *x, const smug_mask_problem *p,
                     const uint8_t *cells, int target, smug_verdict *out, smug_error *err)
{
    size_t n = smug_shape_size(&net->layers[net->first].in), nf = smug_net_first_size(net);
    float *z = malloc(n * sizeof *z), *zm = malloc(n * sizeof *zm);
    float *o = malloc(nf * sizeof *o), *om = malloc(nf * sizeof *om);
    float *logits = malloc((size_t)net->n_classes * sizeof *logits);
    int rc = z && zm && o && om && logits ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_encode_first_input(net, x, z, err);
    if (rc == 0) {
        memcpy(zm, z, n * sizeof *z);
        mask_input(net, &p->grid, cells, zm, n);
        rc = run_from_first(net, z, o, logits, err);
    }
    if (rc == 0)
        rc = run_from_first(net, zm, om, logits, err);
    if (rc == 0) {
        out->ok = 1;
        out->failed_neuron = -1;
        out->min_slack = 0.0;
        for (int j = 0; j < p->k; j++) {
            int id = p->neuron[j];
            double slack = (double)om[id] - p->gamma * (double)o[id];
            if (j == 0 || slack < out->min_slack)
                out->min_slack = slack;
            if (!(slack > 0.0) && out->ok)
                out->ok = 0, out->failed_neuron = id;
        }
        out->masked_predicted = smug_argmax(logits, net->n_classes);
        out->masked_confidence = smug_class_score(logits, net->n_classes, target, 1);
    }
    free(z), free(zm), free(o), free(om), free(logits);
    return rc;
}
