/* net.h — a feed-forward network as a DAG of layers over tensors (float32, row-major).
 *
 * The ONNX reader (onnx.h) builds this from a model file. Each layer reads one or more
 * tensors, each the output of an earlier layer or the model input (src), and writes one
 * tensor. layers[] is in topological order, so running the layers in index order runs the
 * graph; a chain (each layer reading the previous one) is the common case. Constant folding
 * has already happened: batch norm and constant scale/shift right after a Dense or Conv are
 * merged into it, Identity and Dropout are gone, so every layer is one of the kinds below.
 *
 * Shapes exclude the batch dimension (shape.h). Activations for a batch are stored
 * [batch][size] with each example in ONNX memory order (NCHW).
 *
 * "The first layer" is the first Dense or Conv layer: smug's neurons are its outputs. Layers
 * before it (an in-graph input normalisation, an embedding lookup) are preprocessing. The
 * loader guarantees that layers [0, first_out] form a chain and that every layer after
 * first_out reads only tensors produced at or after it, so the network from first_out on is
 * a function of the first-layer activations alone (first-layer IG cuts there). The first
 * layer itself always has group 1 and no dilation (a grouped or dilated first Conv is
 * expanded into an equivalent dense kernel with zeros at load time).
 *
 * Ownership: a smug_net owns every array reachable from it; smug_net_free releases all.
 */
#ifndef SMUG_NET_H
#define SMUG_NET_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/shape.h"
#include "smug/strbuf.h"

typedef enum {
    SMUG_LAYER_DENSE,         /* y = W x + b, W [n_out x n_in] */
    SMUG_LAYER_CONV,          /* y = W * x + b, W [c_out x (c_in/group*kh*kw)], zero padding */
    SMUG_LAYER_RELU,          /* y = max(x, 0) */
    SMUG_LAYER_MAXPOOL,       /* padding never wins the max */
    SMUG_LAYER_AVGPOOL,       /* count_include_pad decides the divisor at borders */
    SMUG_LAYER_GLOBALAVGPOOL, /* (C,H,W) -> (C,1,1) */
    SMUG_LAYER_RESHAPE,       /* Flatten / Reshape: data unchanged, shape changes */
    SMUG_LAYER_AFFINE,        /* y = x * scale + shift, per element (broadcast already expanded) */
    SMUG_LAYER_EMBED,         /* token ids (L) -> rows of a table (L, D), or (D, L) when
                                 channels_first (a following Transpose folded in) */
    SMUG_LAYER_ADD,           /* y = a + b of two tensors, numpy broadcasting (equal ranks) */
    SMUG_LAYER_SUB,           /* y = a - b */
    SMUG_LAYER_MUL,           /* y = a * b */
    SMUG_LAYER_DIV,           /* y = a / b */
    SMUG_LAYER_CONCAT,        /* inputs joined along per-example axis `axis` */
    SMUG_LAYER_CLIP,          /* y = min(max(x, lo), hi) (ReLU6: lo 0, hi 6) */
    SMUG_LAYER_SIGMOID,       /* y = 1 / (1 + exp(-x)) */
    SMUG_LAYER_PAD,           /* y[o] = x[index[o]], or `value` where index[o] < 0 */
    SMUG_LAYER_SOFTMAX,       /* softmax over groups of `axis` elements (see below) */
    SMUG_LAYER_REDUCEMEAN     /* mean over the per-example axes set in `axes` (bit a = axis a);
                                 out keeps them as 1s */
} smug_layer_kind;

typedef struct smug_window {
    int kh, kw; /* kernel */
    int sh, sw; /* strides */
    int pad_top, pad_left, pad_bottom, pad_right;
    int dh, dw; /* dilations; 0 means 1 (smug_window_dil) */
} smug_window;

typedef struct smug_layer {
    smug_layer_kind kind;
    char *name; /* ONNX node name, or "<op>_<index>" when the node had none */
    char *op;   /* the ONNX operator(s) it came from, e.g. "Conv+BatchNormalization" */
    int *src;   /* [n_src] the tensors it reads: index of the producing layer, -1 = the
                   model input. src[0]'s shape is `in`. */
    int n_src;
    smug_shape in, out;
    int n_in, n_out;       /* dense: features; conv: channels; embed: vocab, dim */
    float *weight;         /* dense, conv, embed (see kinds); NULL otherwise */
    float *bias;           /* dense, conv: [n_out] */
    float *scale;          /* affine: [size(in)] */
    float *shift;          /* affine: [size(in)] */
    smug_window win;       /* conv, maxpool, avgpool */
    int group;             /* conv: channel groups (0 means 1); c_in/group channels per filter */
    int count_include_pad; /* avgpool */
    int channels_first;    /* embed: output (D, L), each embedding dimension a channel over
                              the L positions (what a 1-D Conv reads); else (L, D) */
    int axis;              /* concat: per-example axis; softmax: the example is seen as
                              [outer][n][inner] with n = dims[axis] and inner the product of
                              the dims after it, or inner = 1 when n_in == 1 (opset < 13:
                              everything from axis on is one group) */
    int axes;              /* reducemean: bit mask of reduced per-example axes */
    float lo, hi;          /* clip bounds */
    float value;           /* pad: the constant of constant-mode padding */
    int *index;            /* pad: [size(out)] source element per output element, or -1 */
} smug_layer;

typedef struct smug_net {
    smug_layer *layers;
    int n_layers;
    smug_shape input;    /* per-example shape of the model input */
    int input_is_tokens; /* the model takes integer token ids (first layer is an embedding) */
    int first;           /* index of the first Dense/Conv layer */
    int first_out;       /* layer whose output holds the first-layer neurons' activations:
                            the ReLU right after `first`, or `first` itself */
    int has_softmax;     /* the ONNX graph ends in Softmax; smug's logits are its input */
    int n_classes;       /* size of the last layer's output */
    char *path;          /* the file it was loaded from */
    char *input_name;    /* ONNX graph input name */
    char *producer;      /* ONNX producer_name/version, may be "" */
    long opset;          /* default-domain opset version */
} smug_net;

/* Frees everything a net owns, then the net itself. NULL is fine. */
void smug_net_free(smug_net *net);

/* Frees the arrays one layer owns (name, op, src, weights, index) and zeroes them. */
void smug_layer_clear(smug_layer *l);

/* Dilation of a window along rows (axis 0) or columns (axis 1): at least 1. */
static inline int smug_window_dil(const smug_window *w, int axis)
{
    int d = axis == 0 ? w->dh : w->dw;
    return d > 1 ? d : 1;
}

/* Human name of a layer kind: "Dense", "Conv", … */
const char *smug_layer_kind_name(smug_layer_kind kind);

/* Shape of input j of layer l (the model input for src -1). */
const smug_shape *smug_net_src_shape(const smug_net *net, const smug_layer *l, int j);

/* 1 when the network from layer i on is a function of one tensor, the output of layer i-1
 * (the model input when i is 0): layer i reads it as its first input and no layer at or after
 * i reads anything produced before i-1. Always 1 for i = 0 and i = n_layers (nothing left).
 * smug_forward / smug_grad_from start at such cuts. */
int smug_net_is_cut(const smug_net *net, int i);

/* Size of the first-layer neuron vector (output of layer `first`). */
size_t smug_net_first_size(const smug_net *net);

/* Appends the `smug inspect` summary: one line per layer (its inputs when it is not the
 * previous layer alone), shapes, the first layer marked. */
void smug_net_describe(const smug_net *net, smug_strbuf *out);

/* Receptive field of first-layer neuron `j` (index into the first layer's output, NCHW) in
 * the model input: writes up to `cap` input indices (ONNX memory order) into out_idx and
 * returns how many there are (may exceed cap: then call again with more room). Padding
 * positions are left out. Dense neurons see every input element. For a token model the
 * indices are token positions (each once, ascending), not embedding values. */
size_t smug_net_receptive_field(const smug_net *net, size_t j, size_t *out_idx, size_t cap);

/* The same in the first layer's input (ONNX order): for a token model, embedding values
 * rather than token positions; otherwise identical to smug_net_receptive_field. */
size_t smug_net_receptive_field_values(const smug_net *net, size_t j, size_t *out_idx, size_t cap);

/* The model-input position that first-layer input value p (ONNX order) comes from: p
 * itself when the first layer reads the (reshaped) model input; for a token model, the
 * token position whose embedding holds p ((L, D): p / D; channels_first (D, L): p % L).
 * Masks act on model-input positions, so this is how a mask reaches the first layer. */
size_t smug_net_input_pos(const smug_net *net, size_t p);

/* The mask cell size to use: `window` when it is >= 1; 0 means "auto" (params.def): 1 (one
 * token a cell, as SMUG's text experiments) for a token model, 4 otherwise. */
int smug_net_window(const smug_net *net, int window);

/* Rows of the embedding table (the vocabulary size) of a token model, or -1. */
int smug_net_vocab_size(const smug_net *net);

#endif
