/* test_forward.c — the forward pass (src/nn/forward.c, im2col.c) against the float64 torch
 * references and against naive per-layer loops written here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/backward.h"
#include "smug/forward.h"
#include "smug/im2col.h"
#include "testutil.h"

/* Logits and first-layer pre-activations: the reference is float64 and smug float32 with
 * sums of up to 784 products; |values| stay below ~30, so float32 rounding contributes
 * ~1e-5 at most. 1e-4 absolute leaves headroom but still catches any real error (a wrong
 * bias, a transposed weight or a padding slip moves values by 1e-2 or more). */
#define TOL_FORWARD 1e-4

static void test_logits_and_first_layer_vs_ref(void **state)
{
    (void)state;
    for (size_t i = 0; i < tu_n_ref_names; i++) {
        smug_net *net;
        tu_ref *r = tu_ref_with_model(i, &net);
        assert_int_equal(r->first_layer.n, smug_net_first_size(net));
        float logits[10], *first = malloc(r->first_layer.n * sizeof *first);
        assert_non_null(first);
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_net_eval(net, r->input.v, logits, first, &err), 0);
        size_t at_l, at_f;
        double dl = tu_max_abs_diff(logits, r->logits.v, 10, &at_l);
        double df = tu_max_abs_diff(first, r->first_layer.v, r->first_layer.n, &at_f);
        printf("  %-22s max|logits-ref| %.2e  max|first-ref| %.2e\n", r->name, dl, df);
        if (dl > TOL_FORWARD)
            fail_msg("%s: logit %zu is %.7g, reference %.7g", r->name, at_l, (double)logits[at_l],
                     (double)r->logits.v[at_l]);
        if (df > TOL_FORWARD)
            fail_msg("%s: first-layer value %zu is %.7g, reference %.7g", r->name, at_f,
                     (double)first[at_f], (double)r->first_layer.v[at_f]);
        assert_int_equal(smug_argmax(logits, 10), r->predicted);
        /* the tests' own double-precision forward pass (the finite-difference oracle of
         * test_backward.c) agrees with torch's float64 to the reference's 9 digits */
        double in64[784], l64[10];
        assert_int_equal(r->input.n, 784);
        for (int k = 0; k < 784; k++)
            in64[k] = r->input.v[k];
        assert_int_equal(tu_forward_f64(net, 0, net->n_layers, in64, l64), 0);
        for (int k = 0; k < 10; k++)
            tu_assert_close(l64[k], r->logits.v[k], 1e-6 * (1.0 + fabs(l64[k])));
        /* either output may be NULL */
        float again[10];
        assert_int_equal(smug_net_eval(net, r->input.v, again, NULL, &err), 0);
        assert_memory_equal(again, logits, sizeof again);
        assert_int_equal(smug_net_eval(net, r->input.v, NULL, NULL, &err), 0);
        free(first);
        smug_net_free(net);
        tu_ref_free(r);
    }
}

/* A batch of 3 must give what 3 single calls give (the GEMMs change shape with the batch,
 * so allow float32 reassociation noise but nothing more). */
static void test_batch_equals_singles(void **state)
{
    (void)state;
    const char *models[] = {"fashion_fc", "fashion_deep", "fashion_cnn"};
    for (size_t m = 0; m < 3; m++) {
        tu_ref *r[3];
        float x[3 * 784];
        for (int b = 0; b < 3; b++) {
            char name[64];
            snprintf(name, sizeof name, "%s_%d", models[m], b);
            r[b] = tu_ref_load(name);
            assert_non_null(r[b]);
            memcpy(x + b * 784, r[b]->input.v, 784 * sizeof(float));
        }
        smug_net *net = tu_load_model(r[0]->model);
        assert_non_null(net);
        smug_error err = SMUG_ERROR_INIT;
        float batched[30], single[10];
        assert_int_equal(smug_net_logits(net, x, 3, batched, &err), 0);
        for (int b = 0; b < 3; b++) {
            assert_int_equal(smug_net_logits(net, x + b * 784, 1, single, &err), 0);
            double d = tu_max_abs_diff(batched + b * 10, single, 10, NULL);
            if (d > 1e-5)
                fail_msg("%s: example %d of the batch differs from the single call by %.3g",
                         models[m], b, d);
            /* and the three images really differ */
            if (b > 0)
                assert_true(tu_max_abs_diff(batched + b * 10, batched, 10, NULL) > 1e-2);
        }
        smug_net_free(net);
        for (int b = 0; b < 3; b++)
            tu_ref_free(r[b]);
    }
}

/* ---- naive layers (tu_forward_f64: direct loops in double, no BLAS) ------------------ */

/* Runs the whole net on a batch of 2 and checks every layer's output against the naive
 * layer applied to that layer's recorded input, for both examples (so im2col's batch
 * layout is exercised too). Returns the largest relative deviation seen. */
static double check_net_naive(const smug_net *net, const char *model, const float *x0,
                              const float *x1)
{
    size_t n_in = smug_shape_size(&net->input);
    float *x = malloc(2 * n_in * sizeof *x);
    assert_non_null(x);
    memcpy(x, x0, n_in * sizeof *x);
    memcpy(x + n_in, x1, n_in * sizeof *x);
    smug_trace t;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_forward(net, 0, net->n_layers, x, 2, &t, &err), 0);
    double worst = 0.0;
    for (int i = 0; i < net->n_layers; i++) {
        const smug_layer *l = &net->layers[i];
        size_t li = smug_shape_size(&l->in), lo = smug_shape_size(&l->out);
        double *y = malloc(lo * sizeof *y), *xi = malloc(li * sizeof *xi);
        assert_non_null(y);
        assert_non_null(xi);
        for (int b = 0; b < 2; b++) {
            for (size_t k = 0; k < li; k++)
                xi[k] = t.acts[i][(size_t)b * li + k];
            assert_int_equal(tu_forward_f64(net, i, i + 1, xi, y), 0);
            const float *got = t.acts[i + 1] + (size_t)b * lo;
            double scale = 0.0;
            for (size_t k = 0; k < lo; k++)
                scale = fabs(y[k]) > scale ? fabs(y[k]) : scale;
            for (size_t k = 0; k < lo; k++) {
                /* float32 accumulation of <= 784 terms: relative 1e-5 of the layer's range */
                double d = fabs((double)got[k] - y[k]) / (scale > 1.0 ? scale : 1.0);
                worst = d > worst ? d : worst;
                if (d > 1e-5)
                    fail_msg("%s layer %d (%s) example %d: output %zu is %.7g, naive %.7g", model,
                             i, l->op, b, k, (double)got[k], y[k]);
            }
        }
        free(y);
        free(xi);
    }
    smug_trace_clear(&t);
    free(x);
    return worst;
}

static double check_layers_naive(const char *model, const float *x0, const float *x1)
{
    smug_net *net = tu_load_model(model);
    assert_non_null(net);
    double w = check_net_naive(net, model, x0, x1);
    smug_net_free(net);
    return w;
}

/* Layer configurations the fixtures lack (tu_synthetic_net), on random inputs of both
 * signs: asymmetric pads and strides, 1-D conv, padded AveragePool in both
 * count_include_pad modes, overlapping padded MaxPool. */
static void test_synthetic_layers_vs_naive(void **state)
{
    (void)state;
    tu_rng rng = {31337};
    for (int k = 0; k < TU_N_SYNTHETIC; k++) {
        smug_net *net = tu_synthetic_net(k);
        assert_non_null(net);
        size_t n = smug_shape_size(&net->input);
        float *x = malloc(2 * n * sizeof *x);
        assert_non_null(x);
        for (size_t i = 0; i < 2 * n; i++)
            x[i] = (float)(4.0 * tu_rng_unit(&rng) - 2.0);
        char name[64];
        snprintf(name, sizeof name, "synthetic %d (%s)", k, net->layers[0].op);
        double w = check_net_naive(net, name, x, x + n);
        printf("  %-36s worst deviation from naive %.2e\n", name, w);
        free(x);
        smug_net_free(net);
    }
}

/* MaxPool: padding never wins, even when every real input is negative. */
static void test_maxpool_padding_never_wins(void **state)
{
    (void)state;
    smug_net *net = tu_synthetic_net(4);
    assert_non_null(net);
    assert_int_equal(net->layers[0].kind, SMUG_LAYER_MAXPOOL);
    float x[2 * 7 * 7], y[2 * 4 * 4];
    for (int i = 0; i < 2 * 7 * 7; i++)
        x[i] = -1.0f - (float)i;
    smug_trace t;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_forward(net, 0, 1, x, 1, &t, &err), 0);
    memcpy(y, smug_trace_output(&t), sizeof y);
    /* window (c, oy, ox) covers rows 2oy-1..2oy+1, cols 2ox-1..2ox+1 clipped: its max is its
     * top-left valid element (values decrease in row-major order) */
    for (int c = 0; c < 2; c++)
        for (int oy = 0; oy < 4; oy++)
            for (int ox = 0; ox < 4; ox++) {
                int iy = oy * 2 - 1 < 0 ? 0 : oy * 2 - 1, ix = ox * 2 - 1 < 0 ? 0 : ox * 2 - 1;
                float want = x[(c * 7 + iy) * 7 + ix];
                assert_true(y[(c * 4 + oy) * 4 + ox] == want);
                assert_int_equal(t.argmax[0][(c * 4 + oy) * 4 + ox], (c * 7 + iy) * 7 + ix);
            }
    smug_trace_clear(&t);
    smug_net_free(net);
}

static void test_layers_vs_naive(void **state)
{
    (void)state;
    tu_ref *a = tu_ref_load("fashion_cnn_0"), *b = tu_ref_load("fashion_cnn_1");
    assert_non_null(a);
    assert_non_null(b);
    const char *models[] = {"models/fashion_cnn.onnx", "tests/data/onnx/avgpool_gap.onnx",
                            "models/fashion_deep.onnx", "tests/data/onnx/matmul_add.onnx"};
    for (size_t m = 0; m < sizeof models / sizeof *models; m++) {
        double w = check_layers_naive(models[m], a->input.v, b->input.v);
        printf("  %-36s worst per-layer deviation from naive %.2e (of layer range)\n", models[m],
               w);
    }
    tu_ref_free(a);
    tu_ref_free(b);
}

/* im2col + GEMM on fashion_cnn's first conv with random inputs of both signs (the real
 * images are mostly background) against the naive direct convolution (tu_forward_f64), for
 * a batch of 5 so the column layout of several examples is exercised. */
static void test_first_conv_random_inputs(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_cnn.onnx");
    assert_non_null(net);
    int f = net->first;
    const smug_layer *l = &net->layers[f];
    assert_int_equal(l->kind, SMUG_LAYER_CONV);
    enum { B = 5 };
    size_t n_in = smug_shape_size(&l->in), n_out = smug_shape_size(&l->out);
    float *x = malloc(B * n_in * sizeof *x);
    double *y = malloc(n_out * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    tu_rng rng = {99};
    for (size_t i = 0; i < B * n_in; i++)
        x[i] = (float)(4.0 * tu_rng_unit(&rng) - 2.0);
    smug_trace t;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_forward(net, f, f + 1, x, B, &t, &err), 0);
    const float *got = smug_trace_output(&t);
    double *xd = malloc(n_in * sizeof *xd);
    assert_non_null(xd);
    for (int b = 0; b < B; b++) {
        for (size_t k = 0; k < n_in; k++)
            xd[k] = x[(size_t)b * n_in + k];
        assert_int_equal(tu_forward_f64(net, f, f + 1, xd, y), 0);
        for (size_t k = 0; k < n_out; k++)
            tu_assert_close(got[(size_t)b * n_out + k], y[k], 1e-5 * (1.0 + fabs(y[k])));
    }
    smug_trace_clear(&t);
    free(xd);

    /* the column matrix itself: col[k][b·P + p] is the tap k input at position p */
    int c, h, w, co, ho, wo;
    smug_shape_chw(&l->in, &c, &h, &w);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    size_t P = (size_t)ho * (size_t)wo, K = (size_t)c * 9;
    float *col = malloc(K * B * P * sizeof *col);
    assert_non_null(col);
    smug_im2col(l, x, B, col);
    for (int b = 0; b < B; b++)
        for (size_t k = 0; k < K; k++)
            for (size_t p = 0; p < P; p++) {
                int ch = (int)(k / 9), ky = (int)(k % 9) / 3, kx = (int)(k % 3);
                int iy = (int)(p / (size_t)wo) * 2 - 1 + ky,
                    ix = (int)(p % (size_t)wo) * 2 - 1 + kx;
                float want = iy < 0 || iy >= h || ix < 0 || ix >= w
                                 ? 0.0f
                                 : x[(size_t)b * n_in + (size_t)((ch * h + iy) * w + ix)];
                assert_true(col[k * B * P + (size_t)b * P + p] == want);
            }
    free(col);
    free(x);
    free(y);
    smug_net_free(net);
}

static void test_softmax_argmax_score(void **state)
{
    (void)state;
    const float l[] = {1.0f, 3.0f, -2.0f, 3.0f, 0.5f};
    assert_int_equal(smug_argmax(l, 5), 1); /* tie: lowest index */
    float p[5];
    smug_softmax(l, 5, p);
    double z = 0.0;
    for (int i = 0; i < 5; i++)
        z += exp((double)l[i]);
    double s = 0.0;
    for (int i = 0; i < 5; i++) {
        tu_assert_close(p[i], exp((double)l[i]) / z, 1e-7);
        s += p[i];
    }
    tu_assert_close(s, 1.0, 1e-6);
    tu_assert_close(smug_class_score(l, 5, 2, 1), exp(-2.0) / z, 1e-8);
    assert_true(smug_class_score(l, 5, 2, 0) == -2.0f);
    /* large logits do not overflow */
    const float big[] = {1000.0f, 999.0f, -1000.0f};
    smug_softmax(big, 3, p);
    tu_assert_close(p[0], 1.0 / (1.0 + exp(-1.0)), 1e-6);
    tu_assert_close(p[2], 0.0, 1e-30);
    /* in place */
    float inplace[] = {0.0f, 0.0f};
    smug_softmax(inplace, 2, inplace);
    tu_assert_close(inplace[0], 0.5, 1e-7);
    tu_assert_close(inplace[1], 0.5, 1e-7);
}

static void test_forward_bad_range(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_fc.onnx");
    assert_non_null(net);
    float x[784] = {0};
    smug_trace t;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_forward(net, 2, 2, x, 1, &t, &err), -1);
    smug_trace_clear(&t);
    assert_int_equal(smug_forward(net, 0, net->n_layers + 1, x, 1, &t, &err), -1);
    smug_trace_clear(&t);
    assert_int_equal(smug_forward(net, 0, 1, x, 0, &t, &err), -1);
    smug_trace_clear(&t);
    /* a partial range produces that layer's output */
    assert_int_equal(smug_forward(net, 0, net->first + 1, x, 1, &t, &err), 0);
    const float *y = smug_trace_output(&t);
    for (int o = 0; o < 32; o++)
        tu_assert_close(y[o], net->layers[net->first].bias[o], 1e-7); /* x = 0: the bias */
    smug_trace_clear(&t);
    smug_net_free(net);
}

/* A trace made once and run again and again (what IG does, smug_trace_init): batches of
 * different sizes in any order, forward and backward, give what a fresh trace gives, and
 * running the first input again gives bit for bit the first answer (nothing stale left in
 * the reused activation, gradient and scratch buffers). fashion_cnn has MaxPool, the
 * reduced resnet18 residual connections (gradients summed in pooled buffers). */
static void run_both(smug_trace *t, const float *x, const float *g, int batch, float *out,
                     float *gin)
{
    smug_error err = SMUG_ERROR_INIT;
    if (smug_trace_run(t, x, batch, &err) != 0 || smug_backward(t, g, gin, &err) != 0)
        fail_msg("%s", err.msg);
    memcpy(out, smug_trace_output(t), (size_t)batch * (size_t)t->net->n_classes * sizeof *out);
}

static void test_trace_reuse(void **state)
{
    (void)state;
    const char *models[] = {"models/fashion_cnn.onnx", "tests/data/torchvision/resnet18_mini.onnx"};
    for (size_t m = 0; m < 2; m++) {
        smug_net *net = tu_load_model(models[m]);
        assert_non_null(net);
        size_t n = smug_shape_size(&net->input), nc = (size_t)net->n_classes;
        tu_rng rng = {31 + m};
        float *x = malloc(3 * n * sizeof *x), *g = malloc(3 * nc * sizeof *g);
        float *gin[3], out[3][3 * 16];
        for (int k = 0; k < 3; k++)
            gin[k] = malloc(3 * n * sizeof **gin);
        for (size_t i = 0; i < 3 * n; i++)
            x[i] = (float)tu_rng_unit(&rng);
        for (size_t i = 0; i < 3 * nc; i++)
            g[i] = (float)(tu_rng_unit(&rng) - 0.5);
        assert_true(nc <= 16);
        smug_trace t;
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_trace_init(net, 0, net->n_layers, 3, &t, &err), 0);
        run_both(&t, x, g, 3, out[0], gin[0]);
        run_both(&t, x + n, g + nc, 2, out[1], gin[1]); /* a smaller batch, other inputs */
        run_both(&t, x, g, 3, out[2], gin[2]);          /* the first one again */
        assert_memory_equal(out[0], out[2], 3 * nc * sizeof(float));
        assert_memory_equal(gin[0], gin[2], 3 * n * sizeof(float));
        assert_int_equal(smug_trace_run(&t, x, 4, &err), -1); /* beyond the prepared batch */
        assert_int_equal(err.code, SMUG_ERR_INTERNAL);
        smug_trace_clear(&t);
        /* the batch of 2 against a fresh trace */
        smug_trace f;
        assert_int_equal(smug_forward(net, 0, net->n_layers, x + n, 2, &f, &err), 0);
        assert_int_equal(smug_backward(&f, g + nc, gin[2], &err), 0);
        assert_true(tu_max_abs_diff(smug_trace_output(&f), out[1], 2 * nc, NULL) <=
                    1e-6 * (1.0 + tu_max_abs(out[1], 2 * nc)));
        assert_true(tu_max_abs_diff(gin[2], gin[1], 2 * n, NULL) <=
                    1e-6 * (1.0 + tu_max_abs(gin[1], 2 * n)));
        smug_trace_clear(&f);
        for (int k = 0; k < 3; k++)
            free(gin[k]);
        free(x), free(g);
        smug_net_free(net);
    }
}

/* The text fixture against torch float64 (tools/train_text.py): token ids in, embedding,
 * 1-D Conv over 32 channels x 3 taps, ReLU, max over the 64 positions, Dense. */
static void test_text_logits_vs_ref(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/debian_text.onnx");
    assert_non_null(net);
    float logits[6];
    float *first = malloc(smug_net_first_size(net) * sizeof *first);
    assert_non_null(first);
    for (int i = 0; i < TU_N_TEXT_REFS; i++) {
        tu_text_ref *r = tu_text_ref_load(i);
        assert_int_equal(r->tokens.n, smug_shape_size(&net->input));
        assert_int_equal(r->first_layer.n, smug_net_first_size(net));
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_net_eval(net, r->tokens.v, logits, first, &err), 0);
        double dl = tu_max_abs_diff(logits, r->logits.v, 6, NULL);
        double df = tu_max_abs_diff(first, r->first_layer.v, r->first_layer.n, NULL);
        printf("debian_text_%d: |logits - ref| = %.2e, |first - ref| = %.2e\n", i, dl, df);
        assert_true(dl <= TOL_FORWARD);
        assert_true(df <= TOL_FORWARD);
        assert_int_equal(smug_argmax(logits, 6), r->predicted);
        tu_text_ref_free(r);
    }
    /* a token id outside the vocabulary is an error naming it, not a wild read */
    float bad[64] = {0};
    bad[5] = 3002.0f;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_net_eval(net, bad, logits, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "token id 3002 at position 5"));
    free(first);
    smug_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logits_and_first_layer_vs_ref),
        cmocka_unit_test(test_batch_equals_singles),
        cmocka_unit_test(test_layers_vs_naive),
        cmocka_unit_test(test_synthetic_layers_vs_naive),
        cmocka_unit_test(test_maxpool_padding_never_wins),
        cmocka_unit_test(test_first_conv_random_inputs),
        cmocka_unit_test(test_softmax_argmax_score),
        cmocka_unit_test(test_forward_bad_range),
        cmocka_unit_test(test_trace_reuse),
        cmocka_unit_test(test_text_logits_vs_ref),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
