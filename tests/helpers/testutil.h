/* testutil.h — shared helpers of smug's unit tests: fixture paths, reference values,
 * array comparisons.
 *
 * Reference files (tests/data/ref/<name>.json, see its README.md) are computed in float64 by
 * torch from the ONNX graphs themselves; they are read here into float32 arrays, which keeps
 * 7 of their 9 significant digits: far below every tolerance the tests use.
 */
#ifndef SMUG_TESTUTIL_H
#define SMUG_TESTUTIL_H

#include <stddef.h>

#include "smug/net.h"
#include "smug/problem.h"

/* Fails the current cmocka test unless |a - b| <= tol (all as double). Needs <cmocka.h> and
 * <math.h> where used. */
#define tu_assert_close(a, b, tol)                                                                 \
    do {                                                                                           \
        double tu_a_ = (double)(a), tu_b_ = (double)(b), tu_t_ = (double)(tol);                    \
        if (!(fabs(tu_a_ - tu_b_) <= tu_t_))                                                       \
            fail_msg("%s = %.9g and %s = %.9g differ by %.3g > %.3g", #a, tu_a_, #b, tu_b_,        \
                     fabs(tu_a_ - tu_b_), tu_t_);                                                  \
    } while (0)

/* Every reference file, so a test can loop over all of them. */
extern const char *const tu_ref_names[];
extern const size_t tu_n_ref_names;

typedef struct tu_array {
    float *v;
    size_t n;
} tu_array;

typedef struct tu_ref {
    char name[64];   /* e.g. "fashion_cnn_0" */
    char model[512]; /* absolute path of the ONNX file */
    int predicted, target, steps;
    tu_array input;       /* [784], NCHW */
    tu_array logits;      /* [10], pre-softmax */
    tu_array first_layer; /* pre-activation of the first Dense/Conv layer, NCHW */
    tu_array ig_first, ig_input, grad_input;
    double ig_first_sum, ig_first_delta, ig_input_sum, ig_input_delta;
} tu_ref;

/* A text-model reference (tests/data/ref/debian_text_<i>.json, written by
 * tools/train_text.py): torch float64 values for one held-out text. */
#define TU_N_TEXT_REFS 4
typedef struct tu_text_ref {
    char model[512], vocab[512], text[512]; /* absolute paths */
    int max_len, n_tokens, predicted;
    tu_array tokens;      /* [max_len] token ids as floats, padded with 0 */
    tu_array logits;      /* [6] */
    tu_array first_layer; /* Conv pre-activation [channels x positions] */
} tu_text_ref;

/* Loads debian_text_<i>.json; fails the running test on any problem. */
tu_text_ref *tu_text_ref_load(int i);
void tu_text_ref_free(tu_text_ref *r);

/* SMUG_SOURCE_DIR "/" rel into a static ring of buffers (valid for the next 8 calls). */
const char *tu_path(const char *rel);

/* Loads tests/data/ref/<name>.json; NULL (after printing why) on any problem. */
tu_ref *tu_ref_load(const char *name);
void tu_ref_free(tu_ref *r);

/* Loads an ONNX model given its path relative to the source dir; NULL (after printing the
 * error) on failure. */
smug_net *tu_load_model(const char *rel);

/* Loads ref tu_ref_names[i] and the model it describes; fails the running test when either
 * does not load. Free with tu_ref_free and smug_net_free. */
tu_ref *tu_ref_with_model(size_t i, smug_net **out_net);

/* Layers [from, to) of `net` on ONE example, in double precision, by direct loops written
 * independently of src/nn (no im2col, no BLAS; helpers/oracle.c), following the graph.
 * x: size(layers[from].in) values, the output of layer from-1; out: size(layers[to-1].out).
 * MaxPool takes the first maximum in row-major window order; padding never wins. Returns 0,
 * or -1 for a layer kind it does not know (embedding) or a layer reading from before x. */
int tu_forward_f64(const smug_net *net, int from, int to, const double *x, double *out);

/* A net made of copies of the given layers (weights, bias, scale, shift deep-copied with
 * the sizes their kind implies; name and op set to "<kind>_<i>"), for layer
 * configurations no fixture model has. input = layers[0].in, first = the first Dense/Conv
 * (or 0), first_out = first, n_classes = size of the last output. smug_net_free frees it. */
smug_net *tu_net_from_layers(const smug_layer *layers, int n);

/* Single-layer nets with random weights (fixed seed) for layer configurations the fixture
 * models lack: k = 0 .. TU_N_SYNTHETIC-1 (a conv with asymmetric pads and strides, a 1-D
 * conv, AveragePool with padding in both count_include_pad modes, an overlapping padded
 * MaxPool, GlobalAveragePool, Affine, Dense). NULL on allocation failure. */
#define TU_N_SYNTHETIC 8
smug_net *tu_synthetic_net(int k);

/* max_i |a_i - b_i|; *at (may be NULL) gets the index of that maximum. */
double tu_max_abs_diff(const float *a, const float *b, size_t n, size_t *at);

/* ||a - b||_2 / ||b||_2 (or ||a - b||_2 when b is all zero). */
double tu_rel_l2(const float *a, const float *b, size_t n);

/* A visible skip (issue #15.6): records that a part of this program could not run here
 * (printing why), then cmocka's skip(). Needs <cmocka.h> where used. */
#define tu_skip(...)                                                                               \
    do {                                                                                           \
        tu_note_skip(__VA_ARGS__);                                                                 \
        skip();                                                                                    \
    } while (0)
void tu_note_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The program's exit status from cmocka_run_group_tests' result: that count when a test
 * failed, else 77 (ctest's SKIP_RETURN_CODE) when tu_skip ran, so ctest and CI show
 * "Skipped" instead of a silent pass, else 0. */
int tu_exit_status(int failed);

/* Number of i with |a_i - b_i| > atol + rtol·|b_i|. */
size_t tu_count_outside(const float *a, const float *b, size_t n, double atol, double rtol);

/* max_i |b_i| */
double tu_max_abs(const float *b, size_t n);

/* 1 when `s` starts with `prefix`. */
int tu_has_prefix(const char *s, const char *prefix);

/* A k-row, n-variable mask problem over a 1 x n grid, variable i = cell i, gamma 0.5,
 * neuron 100 + j and o_j 1 on every row; coefficients and thresholds 0 for the test to set.
 * Fails the current test when out of memory. Free with smug_mask_problem_free. */
smug_mask_problem *tu_tiny_problem(int k, int n);
/* The same with a [k x n] (row-major) and t [k] copied in. */
smug_mask_problem *tu_problem_from(int k, int n, const double *a, const double *t);

/* Sets p's rows from a dense row-major k × n matrix (smug_mask_problem_set_dense); fails
 * the current test on error. */
void tu_set_dense(smug_mask_problem *p, const double *a);

/* p's coefficients as a dense row-major k × n matrix (the caller frees). */
double *tu_dense(const smug_mask_problem *p);

/* Sets a_ji = v, or row j to row[n], rebuilding the sparse rows (tests build small
 * problems one coefficient at a time; the library never does). */
void tu_set_coef(smug_mask_problem *p, int j, int i, double v);
void tu_set_row(smug_mask_problem *p, int j, const double *row);

/* A small deterministic PRNG (xorshift64*), so failures reproduce. */
typedef struct tu_rng {
    unsigned long long s;
} tu_rng;
unsigned long long tu_rng_next(tu_rng *r);
/* uniform in [0, n) */
size_t tu_rng_below(tu_rng *r, size_t n);
/* uniform in [0, 1) */
double tu_rng_unit(tu_rng *r);

#endif
