/* score.c — SMUG_base and SMUG saliency maps (score.h; design §1, §11).
 *
 * The last stage of the data flow: the chosen neurons' IG is spread over their receptive
 * fields (net.c says which input positions a neuron sees) and, for SMUG, multiplied by the
 * solver's cell mask (grid.c says which pixels a cell holds). Positions are folded onto the
 * pixel plane, so a neuron that sees a pixel in three channels still counts once there.
 * Drawing the maps is io/image.c's business, not this file's.
 */
#include "smug/score.h"

#include <stdlib.h>

void smug_score_dims(const smug_net *net, int *out_h, int *out_w)
{
    int c;
    smug_shape_chw(&net->input, &c, out_h, out_w);
}

const char *smug_score_rule_name(smug_score_rule rule)
{
    return rule == SMUG_SCORE_MAX ? "max" : "sum";
}

static int check_neurons(const smug_net *net, const int *neurons, int k, smug_error *err)
{
    size_t n_first = smug_net_first_size(net);
    if (k < 0)
        return smug_fail(err, SMUG_ERR_USAGE, "saliency: neuron count must be >= 0: got %d", k);
    for (int i = 0; i < k; i++)
        if (neurons[i] < 0 || (size_t)neurons[i] >= n_first)
            return smug_fail(err, SMUG_ERR_USAGE,
                             "saliency: neuron %d out of range [0, %zu) of layer %s", neurons[i],
                             n_first, net->layers[net->first].name);
    return 0;
}

/* Receptive fields are model-input positions when every layer before the first keeps
 * positions (Affine, Reshape) or is the embedding lookup (smug_net_receptive_field maps
 * embedding values back to their tokens). */
static int check_positions(const smug_net *net, smug_error *err)
{
    const smug_layer *f = &net->layers[net->first];
    if (net->input_is_tokens ? net->layers[0].kind == SMUG_LAYER_EMBED
                             : smug_shape_size(&f->in) == smug_shape_size(&net->input))
        return 0;
    return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                     "saliency: first layer %s does not read the model input position for "
                     "position (token model)",
                     f->name);
}

/* Adds one neuron's attribution to every pixel its receptive field covers. stamp[p] holds
 * the last neuron (by position t in the list) that touched p, so a pixel seen in several
 * channels counts once. */
static void spread_neuron(float *map, int *stamp, size_t plane, const size_t *pos, size_t n, int t,
                          float v, smug_score_rule rule)
{
    for (size_t i = 0; i < n; i++) {
        size_t p = pos[i] % plane;
        if (stamp[p] == t)
            continue;
        if (rule == SMUG_SCORE_MAX)
            map[p] = stamp[p] < 0 || v > map[p] ? v : map[p];
        else
            map[p] += v;
        stamp[p] = t;
    }
}

int smug_score_base(const smug_net *net, const int *neurons, int k, const float *ig,
                    smug_score_rule rule, float *out_map, smug_error *err)
{
    if (check_neurons(net, neurons, k, err) < 0 || check_positions(net, err) < 0)
        return -1;
    int h, w;
    smug_score_dims(net, &h, &w);
    size_t plane = (size_t)h * (size_t)w;
    size_t cap = smug_shape_size(&net->layers[net->first].in); /* no field is larger */
    size_t *pos = malloc(cap * sizeof *pos);
    int *stamp = malloc(plane * sizeof *stamp);
    if (!pos || !stamp) {
        free(pos);
        free(stamp);
        return smug_fail(err, SMUG_ERR_NOMEM, "saliency: out of memory for a %zu-pixel map", plane);
    }
    for (size_t p = 0; p < plane; p++) {
        out_map[p] = 0.0f;
        stamp[p] = -1; /* uncovered pixels keep 0 under both rules */
    }
    for (int t = 0; t < k; t++) {
        size_t n = smug_net_receptive_field(net, (size_t)neurons[t], pos, cap);
        spread_neuron(out_map, stamp, plane, pos, n < cap ? n : cap, t, ig[neurons[t]], rule);
    }
    free(pos);
    free(stamp);
    return 0;
}

void smug_score_mask_pixels(const smug_grid *g, const uint8_t *mask, uint8_t *out_keep)
{
    size_t plane = (size_t)g->h * (size_t)g->w;
    for (size_t p = 0; p < plane; p++)
        out_keep[p] = mask[smug_grid_cell_of(g, p)] != 0;
}

void smug_score_masked(const smug_grid *g, const uint8_t *mask, const float *base, float *out_map)
{
    size_t plane = (size_t)g->h * (size_t)g->w;
    for (size_t p = 0; p < plane; p++)
        out_map[p] = mask[smug_grid_cell_of(g, p)] ? base[p] : 0.0f;
}
