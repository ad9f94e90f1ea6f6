/* forward.h — run a network (or a slice of its layers) on a batch, with OpenBLAS.
 *
 * Layers run in index order (the graph's topological order, net.h). Dense layers are one
 * cblas_sgemm per batch; Conv layers go through conv.h (im2col + GEMM, direct loops for
 * depthwise). A forward pass keeps every layer's output in a smug_trace so backward.h can
 * run the chain rule without recomputing.
 *
 * Units: inputs in the model's own input space (after any PNG scaling, before the model's
 * in-graph normalisation), float32, [batch x size] row-major, each row in ONNX order (NCHW).
 * Token models take token ids stored as floats.
 */
#ifndef SMUG_FORWARD_H
#define SMUG_FORWARD_H

#include "smug/error.h"
#include "smug/net.h"

/* Most inputs a layer run through a trace may have (a Concat of Inception's four branches
 * needs 4; DenseNet-style concatenations more). */
#define SMUG_TRACE_MAX_SRC 64

struct smug_conv;

typedef struct smug_trace {
    const smug_net *net;
    int from, to; /* layers [from, to) were run */
    int batch;
    float **acts; /* acts[0]: the trace's input x, the output of layer from-1 (the model
                     input when from is 0); acts[i+1], i = 0..to-from-1: the output of layer
                     from+i, so acts[to-from] is the output. Each [batch x size]. In a chain
                     acts[i] is the input of layer from+i. acts[0] is the caller's x,
                     borrowed: keep x alive and unchanged while the trace is used. */
    int **argmax; /* argmax[i]: for a MaxPool layer from+i, the winning input index (within
                     an example) of every output element; NULL for other layers */
    /* The rest is the trace's own working set, kept between runs (smug_trace_init):
     * buffers sized for max_batch examples, the prepared Conv layers, the scratch they
     * share, and the buffers backward.c borrows (smug_trace_take). */
    int max_batch;
    struct smug_conv **convs; /* [to-from]: NULL where the layer is not a Conv */
    void *scratch;            /* 64-byte aligned, scratch_bytes */
    size_t scratch_bytes;
    struct smug_trace_buf *bufs; /* [n_bufs] */
    int n_bufs;
} smug_trace;

/* Prepares layers [from, to) of net for inputs of up to max_batch examples: every
 * activation buffer, the Conv layers (conv.h) and their scratch are made once, so that
 * smug_trace_run can be called again and again without allocating (Integrated Gradients
 * runs one chunk of path points after another). The same range rules as smug_forward.
 * Free with smug_trace_clear (also after a failure). */
int smug_trace_init(const smug_net *net, int from, int to, int max_batch, smug_trace *out_trace,
                    smug_error *err);

/* Runs a prepared trace on x [batch x size(layers[from].in)], 1 <= batch <= max_batch. */
int smug_trace_run(smug_trace *t, const float *x, int batch, smug_error *err);

/* Runs layers [from, to) of net on x [batch x size(layers[from].in)], the output of layer
 * from-1 (smug_trace_init for `batch`, then smug_trace_run). Every layer in the range must
 * read only x or outputs of the range, and layer `from` must read x (fails INTERNAL
 * otherwise; smug_net_is_cut says where a pass to the output may start). The trace is the
 * caller's: free it with smug_trace_clear (also safe after a failure). */
int smug_forward(const smug_net *net, int from, int to, const float *x, int batch,
                 smug_trace *out_trace, smug_error *err);

/* A buffer of at least n floats owned by the trace, kept for later runs: the smallest
 * free one that fits, or a new one. Give it back with smug_trace_give. */
float *smug_trace_take(smug_trace *t, size_t n, smug_error *err);
void smug_trace_give(smug_trace *t, const float *p);

/* Floats of memory a trace over [from, to) holds per example (activations, argmax,
 * gradients and scratch, estimated): what IG divides its memory budget by. */
size_t smug_trace_floats_per_example(const smug_net *net, int from, int to);

/* Output of the last layer run: [batch x size(layers[to-1].out)]. Owned by the trace. */
const float *smug_trace_output(const smug_trace *t);

/* Input j of layer l (a layer of the trace's range) as recorded in the trace. */
const float *smug_trace_input(const smug_trace *t, const smug_layer *l, int j);

/* Frees what the trace holds (not *t, which is the caller's) and leaves it empty; NULL is
 * fine. A _clear, not a _free: the struct itself lives on the caller's stack. */
void smug_trace_clear(smug_trace *t);

/* Whole network on one or more inputs: out_logits [batch x n_classes] (pre-softmax). */
int smug_net_logits(const smug_net *net, const float *x, int batch, float *out_logits,
                    smug_error *err);

/* One input: logits [n_classes] and the first layer's pre-activation
 * [size(layers[first].out)]; either output may be NULL. */
int smug_net_eval(const smug_net *net, const float *x, float *out_logits, float *out_first,
                  smug_error *err);

/* One input's first-layer neuron activations h (the output of layer first_out: post-ReLU
 * when a ReLU follows the first layer): out_h [size(layers[first].out)]. */
int smug_net_first_activations(const smug_net *net, const float *x, float *out_h, smug_error *err);

/* n threads for OpenMP (oneDNN's convolutions, smug's own parallel loops; 0 keeps OpenMP's
 * default, all cores), and one for OpenBLAS (Dense layers, the GEMM route): an idle
 * OpenBLAS worker spins for a while after each call and took a core from the OpenMP threads
 * (mobilenet_v2's 200-step IG on 2 threads: 6.5 s with 2 OpenBLAS threads, 4.1 s with 1),
 * and no network smug explains spends much in its Dense layers. Process-wide by nature:
 * call once at start-up, and with 1 before forking workers (a child cannot use its
 * parent's OpenMP pool). */
void smug_set_threads(int n);

/* Softmax of n logits into out (may alias). */
void smug_softmax(const float *logits, int n, float *out);

/* The explained score of class c: its logit (prob = 0) or its softmax probability. */
float smug_class_score(const float *logits, int n, int c, int prob);

/* Index of the largest of n values; the lowest index wins ties. */
int smug_argmax(const float *v, int n);

#endif
