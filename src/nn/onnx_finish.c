/* onnx_finish.c — from the layers the graph walk appended to the net smug explains.
 *
 * In order: a final Softmax over the class vector is dropped (smug's logits are its input);
 * layers the output does not depend on are pruned; constant scale/shift (batch norm, bias
 * adds, an input normalisation's Sub and Div) is folded into the Dense, Conv or Affine
 * before it when nothing else reads that layer; the first layer is found and the cut after
 * it checked (net.h); a grouped or dilated first Conv is expanded to a plain one. Nothing
 * here reads the ONNX file.
 */
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

/* How many reads of layer p the live layers (and the graph output) make. */
static int consumers(const smug_net *net, const char *live, int p, int out)
{
    int c = p == out;
    for (int j = p + 1; j < net->n_layers; j++)
        for (int s = 0; live[j] && s < net->layers[j].n_src; s++)
            c += net->layers[j].src[s] == p;
    return c;
}

/* Every read of layer `from` now reads layer `to`. */
static void redirect(smug_net *net, int from, int to, int *out)
{
    for (int j = from + 1; j < net->n_layers; j++)
        for (int s = 0; s < net->layers[j].n_src; s++)
            if (net->layers[j].src[s] == from)
                net->layers[j].src[s] = to;
    if (*out == from)
        *out = to;
}

static int affine_per_channel(const smug_layer *a, int channels, size_t inner)
{
    for (int c = 0; c < channels; c++)
        for (size_t i = 1; i < inner; i++) {
            size_t base = (size_t)c * inner;
            if (a->scale[base + i] != a->scale[base] || a->shift[base + i] != a->shift[base])
                return 0;
        }
    return 1;
}

/* s⊙(Wx + b) + t = (diag(s) W) x + (s⊙b + t); for Conv this needs s, t constant per
 * channel, which batch norm and bias adds are. Returns 1 when folded. */
static int fold_into_linear(smug_layer *p, smug_layer *a)
{
    size_t inner = smug_shape_size(&p->out) / (size_t)p->n_out;
    if (!affine_per_channel(a, p->n_out, inner))
        return 0;
    int group = p->group > 1 ? p->group : 1;
    size_t row = p->kind == SMUG_LAYER_DENSE
                     ? (size_t)p->n_in
                     : (size_t)(p->n_in / group) * (size_t)p->win.kh * (size_t)p->win.kw;
    for (int o = 0; o < p->n_out; o++) {
        float s = a->scale[(size_t)o * inner], t = a->shift[(size_t)o * inner];
        for (size_t k = 0; k < row; k++)
            p->weight[(size_t)o * row + k] *= s;
        p->bias[o] = p->bias[o] * s + t;
    }
    onnx_absorb_layer(p, a); /* on failure only the op label stays shorter */
    return 1;
}

/* (x·s1 + t1)·s2 + t2: a normalisation's Sub and Div become one layer. */
static void fold_into_affine(smug_layer *p, smug_layer *a)
{
    size_t size = smug_shape_size(&p->in);
    for (size_t i = 0; i < size; i++) {
        p->scale[i] *= a->scale[i];
        p->shift[i] = p->shift[i] * a->scale[i] + a->shift[i];
    }
    onnx_absorb_layer(p, a);
}

static void fold_affines(smug_net *net, char *live, int *out)
{
    for (int i = 0; i < net->n_layers; i++) {
        smug_layer *a = &net->layers[i];
        if (!live[i] || a->kind != SMUG_LAYER_AFFINE || a->src[0] < 0)
            continue;
        int p = a->src[0];
        smug_layer *pl = &net->layers[p];
        if (consumers(net, live, p, *out) != 1)
            continue;
        int folded = 0;
        if (pl->kind == SMUG_LAYER_DENSE || pl->kind == SMUG_LAYER_CONV)
            folded = fold_into_linear(pl, a);
        else if (pl->kind == SMUG_LAYER_AFFINE)
            fold_into_affine(pl, a), folded = 1;
        if (folded) {
            live[i] = 0;
            redirect(net, i, p, out);
        }
    }
}

/* Drops the layers that are not live, renumbering sources and the output. */
static void compact(smug_net *net, const char *live, int *map, int *out)
{
    int n = 0;
    for (int i = 0; i < net->n_layers; i++) {
        if (!live[i]) {
            smug_layer_clear(&net->layers[i]);
            map[i] = -1;
            continue;
        }
        map[i] = n;
        if (n != i)
            net->layers[n] = net->layers[i];
        smug_layer *l = &net->layers[n++];
        for (int s = 0; s < l->n_src; s++)
            l->src[s] = l->src[s] < 0 ? l->src[s] : map[l->src[s]];
    }
    net->n_layers = n;
    *out = map[*out];
}

/* A first Conv with groups or dilation as an equivalent dense one (zeros between the taps
 * and outside each group's channels), so that the mask code sees W [c_out x c_in·kh·kw]. */
static int expand_first_conv(loader *ld, smug_layer *l)
{
    int g = l->group > 1 ? l->group : 1, dh = smug_window_dil(&l->win, 0),
        dw = smug_window_dil(&l->win, 1);
    if (g == 1 && dh == 1 && dw == 1)
        return 0;
    int kh = l->win.kh, kw = l->win.kw, ekh = (kh - 1) * dh + 1, ekw = (kw - 1) * dw + 1;
    int cig = l->n_in / g, cog = l->n_out / g;
    float *w = onnx_alloc_floats(ld, (size_t)l->n_out * (size_t)l->n_in * (size_t)(ekh * ekw), 1);
    if (!w)
        return -1;
    for (int o = 0; o < l->n_out; o++)
        for (int c = 0; c < cig; c++)
            for (int y = 0; y < kh; y++)
                for (int x = 0; x < kw; x++) {
                    size_t ci = (size_t)(o / cog * cig + c);
                    w[(((size_t)o * (size_t)l->n_in + ci) * (size_t)ekh + (size_t)(y * dh)) *
                          (size_t)ekw +
                      (size_t)(x * dw)] =
                        l->weight[(((size_t)o * (size_t)cig + (size_t)c) * (size_t)kh + (size_t)y) *
                                      (size_t)kw +
                                  (size_t)x];
                }
    free(l->weight);
    l->weight = w;
    l->group = 1;
    l->win.kh = ekh, l->win.kw = ekw;
    l->win.dh = l->win.dw = 1;
    return 0;
}

/* The first Dense/Conv, preceded only by preprocessing in a chain; first_out; the cut. */
static int find_first(loader *ld)
{
    smug_net *net = ld->net;
    net->first = -1;
    for (int i = 0; i < net->n_layers && net->first < 0; i++) {
        const smug_layer *l = &net->layers[i];
        if (l->n_src != 1 || l->src[0] != i - 1)
            return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                             "layer '%s' (%s) before the first Dense/Conv layer does not read "
                             "the layer before it: the input path up to the first layer must "
                             "be a chain",
                             l->name, l->op);
        if (l->kind == SMUG_LAYER_DENSE || l->kind == SMUG_LAYER_CONV)
            net->first = i;
        else if (l->kind != SMUG_LAYER_AFFINE && l->kind != SMUG_LAYER_RESHAPE &&
                 l->kind != SMUG_LAYER_EMBED)
            return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                             "layer '%s' (%s) comes before the first Dense/Conv layer; only "
                             "preprocessing may",
                             l->name, l->op);
    }
    if (net->first < 0)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "no Gemm, MatMul or Conv layer: nothing to explain through");
    int f = net->first, next = f + 1;
    net->first_out = f;
    if (next < net->n_layers && net->layers[next].kind == SMUG_LAYER_RELU &&
        net->layers[next].src[0] == f && smug_net_is_cut(net, next + 1))
        net->first_out = next;
    for (int i = net->first_out + 1; i < net->n_layers; i++)
        for (int j = 0; j < net->layers[i].n_src; j++) {
            int s = net->layers[i].src[j];
            if (s >= net->first_out)
                continue;
            return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                             "layer '%s' reads %s%s%s, from before the first layer's "
                             "activations ('%s'); smug needs every path from the input to "
                             "the output to pass through them",
                             net->layers[i].name, s < 0 ? "the model input" : "'",
                             s < 0 ? "" : net->layers[s].name, s < 0 ? "" : "'",
                             net->layers[net->first_out].name);
        }
    return net->layers[f].kind == SMUG_LAYER_CONV ? expand_first_conv(ld, &net->layers[f]) : 0;
}

int onnx_finish(loader *ld, int out)
{
    smug_net *net = ld->net;
    const smug_layer *o = &net->layers[out];
    if (o->kind == SMUG_LAYER_SOFTMAX && o->out.rank == 1 && !ld->any_graph) {
        net->has_softmax = 1;
        out = o->src[0];
        if (out < 0)
            return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                             "the graph is a Softmax of its input: nothing to explain");
    }
    char *live = calloc((size_t)net->n_layers + 1, 1);
    int *map = malloc(((size_t)net->n_layers + 1) * sizeof *map);
    if (!live || !map) {
        free(live), free(map);
        return smug_check_alloc(NULL, ld->err);
    }
    live[out] = 1;
    for (int i = out; i >= 0; i--)
        for (int s = 0; live[i] && s < net->layers[i].n_src; s++)
            if (net->layers[i].src[s] >= 0)
                live[net->layers[i].src[s]] = 1;
    fold_affines(net, live, &out);
    compact(net, live, map, &out);
    free(live);
    free(map);
    if (out != net->n_layers - 1)
        return smug_fail(ld->err, SMUG_ERR_INTERNAL, "the output layer is not the last one");
    if (ld->any_graph) {
        net->first = net->first_out = -1;
        net->n_classes = (int)smug_shape_size(&net->layers[out].out);
        return 0;
    }
    if (find_first(ld) < 0)
        return -1;
    const smug_layer *last = &net->layers[net->n_layers - 1];
    if (last->out.rank != 1)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "the output must be a vector of class scores, not a tensor of rank %d",
                         last->out.rank);
    net->n_classes = last->out.dims[0];
    return 0;
}
