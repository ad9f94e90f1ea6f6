/* net.c — the layer graph: names, cuts, the `inspect` summary, receptive fields.
 *
 * The loader (onnx.c) builds a smug_net; forward.c and backward.c run it. This file holds
 * what all of them share and what a user sees of a model before explaining with it.
 */
#include "smug/net.h"

#include <stdio.h>
#include <stdlib.h>

void smug_layer_clear(smug_layer *l)
{
    free(l->name);
    free(l->op);
    free(l->src);
    free(l->weight);
    free(l->bias);
    free(l->scale);
    free(l->shift);
    free(l->index);
    l->name = l->op = NULL;
    l->src = NULL;
    l->weight = l->bias = l->scale = l->shift = NULL;
    l->index = NULL;
}

void smug_net_free(smug_net *net)
{
    if (!net)
        return;
    for (int i = 0; i < net->n_layers; i++)
        smug_layer_clear(&net->layers[i]);
    free(net->layers);
    free(net->path);
    free(net->input_name);
    free(net->producer);
    free(net);
}

const char *smug_layer_kind_name(smug_layer_kind kind)
{
    switch (kind) {
    case SMUG_LAYER_DENSE: return "Dense";
    case SMUG_LAYER_CONV: return "Conv";
    case SMUG_LAYER_RELU: return "Relu";
    case SMUG_LAYER_MAXPOOL: return "MaxPool";
    case SMUG_LAYER_AVGPOOL: return "AveragePool";
    case SMUG_LAYER_GLOBALAVGPOOL: return "GlobalAveragePool";
    case SMUG_LAYER_RESHAPE: return "Reshape";
    case SMUG_LAYER_AFFINE: return "Affine";
    case SMUG_LAYER_EMBED: return "Embedding";
    case SMUG_LAYER_ADD: return "Add";
    case SMUG_LAYER_SUB: return "Sub";
    case SMUG_LAYER_MUL: return "Mul";
    case SMUG_LAYER_DIV: return "Div";
    case SMUG_LAYER_CONCAT: return "Concat";
    case SMUG_LAYER_CLIP: return "Clip";
    case SMUG_LAYER_SIGMOID: return "Sigmoid";
    case SMUG_LAYER_PAD: return "Pad";
    case SMUG_LAYER_SOFTMAX: return "Softmax";
    case SMUG_LAYER_REDUCEMEAN: return "ReduceMean";
    }
    return "?";
}

const smug_shape *smug_net_src_shape(const smug_net *net, const smug_layer *l, int j)
{
    int s = l->src[j];
    return s < 0 ? &net->input : &net->layers[s].out;
}

int smug_net_is_cut(const smug_net *net, int i)
{
    if (i <= 0 || i >= net->n_layers)
        return 1;
    if (net->layers[i].n_src < 1 || net->layers[i].src[0] != i - 1)
        return 0;
    for (int k = i; k < net->n_layers; k++)
        for (int j = 0; j < net->layers[k].n_src; j++)
            if (net->layers[k].src[j] < i - 1)
                return 0;
    return 1;
}

size_t smug_net_first_size(const smug_net *net)
{
    return smug_shape_size(&net->layers[net->first].out);
}

/* " <- 3, 5" when a layer reads anything but the previous layer's output alone. */
static void describe_src(const smug_layer *l, int i, smug_strbuf *out)
{
    if (l->n_src == 1 && l->src[0] == i - 1)
        return;
    smug_strbuf_addf(out, " <-");
    for (int j = 0; j < l->n_src; j++) {
        if (l->src[j] < 0)
            smug_strbuf_addf(out, "%s input", j ? "," : "");
        else
            smug_strbuf_addf(out, "%s %d", j ? "," : "", l->src[j]);
    }
}

static void describe_layer(const smug_layer *l, int i, smug_strbuf *out)
{
    char in[64], o[64];
    smug_strbuf_addf(out, "%-18s %-28s %12s -> %-12s", smug_layer_kind_name(l->kind), l->name,
                     smug_shape_str(&l->in, in, sizeof in), smug_shape_str(&l->out, o, sizeof o));
    const smug_window *w = &l->win;
    if (l->kind == SMUG_LAYER_CONV || l->kind == SMUG_LAYER_MAXPOOL ||
        l->kind == SMUG_LAYER_AVGPOOL) {
        smug_strbuf_addf(out, " kernel %dx%d stride %dx%d pads %d,%d,%d,%d", w->kh, w->kw, w->sh,
                         w->sw, w->pad_top, w->pad_left, w->pad_bottom, w->pad_right);
        if (smug_window_dil(w, 0) > 1 || smug_window_dil(w, 1) > 1)
            smug_strbuf_addf(out, " dilation %dx%d", smug_window_dil(w, 0), smug_window_dil(w, 1));
    }
    if (l->kind == SMUG_LAYER_CONV && l->group > 1)
        smug_strbuf_addf(out, " group %d", l->group);
    if (l->kind == SMUG_LAYER_CLIP)
        smug_strbuf_addf(out, " [%g, %g]", (double)l->lo, (double)l->hi);
    if (l->kind == SMUG_LAYER_EMBED)
        smug_strbuf_addf(out, " vocabulary %d, dimension %d%s", l->n_in, l->n_out,
                         l->channels_first ? ", channels first" : "");
    describe_src(l, i, out);
    smug_strbuf_addf(out, "  [%s]\n", l->op);
}

void smug_net_describe(const smug_net *net, smug_strbuf *out)
{
    char buf[64];
    smug_strbuf_addf(out, "model:    %s\n", net->path);
    smug_strbuf_addf(out, "producer: %s, opset %ld\n", net->producer[0] ? net->producer : "?",
                     net->opset);
    smug_strbuf_addf(out, "input:    %s %s%s\n", net->input_name,
                     smug_shape_str(&net->input, buf, sizeof buf),
                     net->input_is_tokens ? " (token ids)" : " (float32)");
    smug_strbuf_addf(out, "output:   %d classes (%s)\n", net->n_classes,
                     net->has_softmax ? "logits = input of the final Softmax" : "logits");
    int chain = 1;
    for (int i = 0; i < net->n_layers && chain; i++)
        chain = net->layers[i].n_src == 1 && net->layers[i].src[0] == i - 1;
    smug_strbuf_addf(out, "layers:%s\n",
                     chain ? ""
                           : "   (a graph: \"<- i, j\" names the layers a layer reads when it "
                             "is not the one above)");
    for (int i = 0; i < net->n_layers; i++) {
        smug_strbuf_addf(out, "  %2d %s ", i, i == net->first ? "*" : " ");
        describe_layer(&net->layers[i], i, out);
    }
    if (net->first < 0) {
        smug_strbuf_addf(out, "first layer: none (loaded only to run the graph)\n");
        return;
    }
    const smug_layer *f = &net->layers[net->first];
    smug_strbuf_addf(out,
                     "first layer: #%d %s '%s', %zu neurons (%s)%s; smug explains through it\n",
                     net->first, smug_layer_kind_name(f->kind), f->name, smug_net_first_size(net),
                     smug_shape_str(&f->out, buf, sizeof buf),
                     net->first_out != net->first ? " followed by Relu" : "");
}

size_t smug_net_input_pos(const smug_net *net, size_t p)
{
    const smug_layer *e = &net->layers[0];
    if (!net->input_is_tokens || e->kind != SMUG_LAYER_EMBED)
        return p;
    size_t len = (size_t)e->in.dims[0];
    return e->channels_first ? p % len : p / (size_t)e->n_out;
}

int smug_net_window(const smug_net *net, int window)
{
    return window >= 1 ? window : net->input_is_tokens ? 1 : 4;
}

int smug_net_vocab_size(const smug_net *net)
{
    if (!net->input_is_tokens || net->n_layers < 1 || net->layers[0].kind != SMUG_LAYER_EMBED)
        return -1;
    return net->layers[0].n_in;
}

/* Token models: the receptive field in embedding values, mapped to token positions, each
 * once (a window covers every embedding dimension of its tokens). */
static size_t token_field(const smug_net *net, size_t j, size_t *out_idx, size_t cap)
{
    size_t len = smug_shape_size(&net->input), n = 0;
    size_t n_val = smug_shape_size(&net->layers[net->first].in);
    size_t *val = malloc(n_val * sizeof *val);
    unsigned char *seen = calloc(len, 1);
    if (val && seen) {
        size_t m = smug_net_receptive_field_values(net, j, val, n_val);
        for (size_t i = 0; i < m; i++)
            seen[smug_net_input_pos(net, val[i])] = 1;
        for (size_t t = 0; t < len; t++)
            if (seen[t] && n++ < cap)
                out_idx[n - 1] = t;
    }
    free(val);
    free(seen);
    return n;
}

size_t smug_net_receptive_field(const smug_net *net, size_t j, size_t *out_idx, size_t cap)
{
    if (net->input_is_tokens && net->layers[0].kind == SMUG_LAYER_EMBED)
        return token_field(net, j, out_idx, cap);
    return smug_net_receptive_field_values(net, j, out_idx, cap);
}

size_t smug_net_receptive_field_values(const smug_net *net, size_t j, size_t *out_idx, size_t cap)
{
    const smug_layer *f = &net->layers[net->first];
    size_t n_in = smug_shape_size(&f->in);
    if (f->kind == SMUG_LAYER_DENSE) {
        for (size_t p = 0; p < n_in && p < cap; p++)
            out_idx[p] = p;
        return n_in;
    }
    int ci, hi, wi, co, ho, wo;
    smug_shape_chw(&f->in, &ci, &hi, &wi);
    smug_shape_chw(&f->out, &co, &ho, &wo);
    size_t pos = j % ((size_t)ho * (size_t)wo);
    int oy = (int)(pos / (size_t)wo), ox = (int)(pos % (size_t)wo);
    const smug_window *w = &f->win;
    size_t n = 0;
    for (int c = 0; c < ci; c++)
        for (int ky = 0; ky < w->kh; ky++)
            for (int kx = 0; kx < w->kw; kx++) {
                int y = oy * w->sh - w->pad_top + ky, x = ox * w->sw - w->pad_left + kx;
                if (y < 0 || y >= hi || x < 0 || x >= wi)
                    continue;
                if (n < cap)
                    out_idx[n] = ((size_t)c * (size_t)hi + (size_t)y) * (size_t)wi + (size_t)x;
                n++;
            }
    return n;
}
