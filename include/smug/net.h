/* net.h — a feed-forward network as a chain of layers (float32, row-major).
 *
 * smug explains chains: each layer consumes the previous layer's output. The ONNX reader
 * (onnx.h) builds this from a model file; constant folding has already happened (batch norm
 * and constant scale/shift after a Dense or Conv are merged into it), so every layer here is
 * one of the kinds below.
 *
 * Shapes exclude the batch dimension. Rank 1 is a feature vector (n); rank 2 is a sequence
 * (C, L) treated as (C, 1, L); rank 3 is an image (C, H, W). Activations for a batch are
 * stored [batch][size] with each example in ONNX memory order (NCHW).
 *
 * "The first layer" is the first Dense or Conv layer: smug's neurons are its outputs. Layers
 * before it (an in-graph input normalisation, an embedding lookup) are preprocessing.
 *
 * Ownership: a smug_net owns every array reachable from it; smug_net_free releases all.
 */
#ifndef SMUG_NET_H
#define SMUG_NET_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/strbuf.h"

#define SMUG_MAX_RANK 3

typedef struct smug_shape {
    int rank;
    int dims[SMUG_MAX_RANK];
} smug_shape;

typedef enum {
    SMUG_LAYER_DENSE,         /* y = W x + b, W [n_out x n_in] */
    SMUG_LAYER_CONV,          /* y = W * x + b, W [c_out x (c_in*kh*kw)], zero padding */
    SMUG_LAYER_RELU,          /* y = max(x, 0) */
    SMUG_LAYER_MAXPOOL,       /* padding never wins the max */
    SMUG_LAYER_AVGPOOL,       /* count_include_pad decides the divisor at borders */
    SMUG_LAYER_GLOBALAVGPOOL, /* (C,H,W) -> (C,1,1) */
    SMUG_LAYER_RESHAPE,       /* Flatten / Reshape: data unchanged, shape changes */
    SMUG_LAYER_AFFINE,        /* y = x * scale + shift, per element (broadcast already expanded) */
    SMUG_LAYER_EMBED          /* token ids (L) -> rows of a table (L, D), or (D, L) when
                                 channels_first (a following Transpose folded in) */
} smug_layer_kind;

typedef struct smug_window {
    int kh, kw; /* kernel */
    int sh, sw; /* strides */
    int pad_top, pad_left, pad_bottom, pad_right;
} smug_window;

typedef struct smug_layer {
    smug_layer_kind kind;
    char *name; /* ONNX node name, or "<op>_<index>" when the node had none */
    char *op;   /* the ONNX operator(s) it came from, e.g. "Conv+BatchNormalization" */
    smug_shape in, out;
    int n_in, n_out;       /* dense: features; conv: channels; embed: vocab, dim */
    float *weight;         /* dense, conv, embed (see kinds); NULL otherwise */
    float *bias;           /* dense, conv: [n_out] */
    float *scale;          /* affine: [size(in)] */
    float *shift;          /* affine: [size(in)] */
    smug_window win;       /* conv, maxpool, avgpool */
    int count_include_pad; /* avgpool */
    int channels_first;    /* embed: output (D, L), each embedding dimension a channel over
                              the L positions (what a 1-D Conv reads); else (L, D) */
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

/* Number of elements of a shape (product of dims; 1 for rank 0). */
size_t smug_shape_size(const smug_shape *s);

/* View a rank-2 or rank-3 shape as (c, h, w): rank 2 (C, L) is (C, 1, L). */
void smug_shape_chw(const smug_shape *s, int *c, int *h, int *w);

/* "1x28x28"-style text into buf. */
const char *smug_shape_str(const smug_shape *s, char *buf, size_t n);

/* Human name of a layer kind: "Dense", "Conv", … */
const char *smug_layer_kind_name(smug_layer_kind kind);

/* Size of the first-layer neuron vector (output of layer `first`). */
size_t smug_net_first_size(const smug_net *net);

/* Appends the `smug inspect` summary: one line per layer, shapes, the first layer. */
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
