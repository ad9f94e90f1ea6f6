/* net.c — the layer chain: shapes, names, the `inspect` summary, receptive fields.
 *
 * The loader (onnx.c) builds a smug_net; forward.c and backward.c run it. This file holds
 * what all of them share and what a user sees of a model before explaining with it.
 */
#include "smug/net.h"

#include <stdio.h>
#include <stdlib.h>

void smug_net_free(smug_net *net)
{
    if (!net)
        return;
    for (int i = 0; i < net->n_layers; i++) {
        smug_layer *l = &net->layers[i];
        free(l->name);
        free(l->op);
        free(l->weight);
        free(l->bias);
        free(l->scale);
        free(l->shift);
    }
    free(net->layers);
    free(net->path);
    free(net->input_name);
    free(net->producer);
    free(net);
}

size_t smug_shape_size(const smug_shape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= (size_t)s->dims[i];
    return n;
}

void smug_shape_chw(const smug_shape *s, int *c, int *h, int *w)
{
    *c = s->rank >= 2 ? s->dims[0] : 1;
    *h = s->rank == 3 ? s->dims[1] : 1;
    *w = s->rank >= 1 ? s->dims[s->rank - 1] : 1;
}

const char *smug_shape_str(const smug_shape *s, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? "x%d" : "%d", s->dims[i]);
    if (s->rank == 0)
        snprintf(buf, n, "scalar");
    return buf;
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
    }
    return "?";
}

size_t smug_net_first_size(const smug_net *net)
{
    return smug_shape_size(&net->layers[net->first].out);
}

static void describe_layer(const smug_layer *l, smug_strbuf *out)
{
    char in[64], o[64];
    smug_strbuf_addf(out, "%-18s %-28s %12s -> %-12s", smug_layer_kind_name(l->kind), l->name,
                     smug_shape_str(&l->in, in, sizeof in), smug_shape_str(&l->out, o, sizeof o));
    const smug_window *w = &l->win;
    if (l->kind == SMUG_LAYER_CONV || l->kind == SMUG_LAYER_MAXPOOL ||
        l->kind == SMUG_LAYER_AVGPOOL)
        smug_strbuf_addf(out, " kernel %dx%d stride %dx%d pads %d,%d,%d,%d", w->kh, w->kw, w->sh,
                         w->sw, w->pad_top, w->pad_left, w->pad_bottom, w->pad_right);
    if (l->kind == SMUG_LAYER_EMBED)
        smug_strbuf_addf(out, " vocabulary %d, dimension %d%s", l->n_in, l->n_out,
                         l->channels_first ? ", channels first" : "");
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
    smug_strbuf_addf(out, "layers:\n");
    for (int i = 0; i < net->n_layers; i++) {
        smug_strbuf_addf(out, "  %2d %s ", i, i == net->first ? "*" : " ");
        describe_layer(&net->layers[i], out);
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
