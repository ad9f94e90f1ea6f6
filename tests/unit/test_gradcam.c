/* test_gradcam.c — Grad-CAM (src/explain/gradcam.c) on fashion_cnn.
 *
 * The oracle shares no code with src/: the feature maps A come from tu_forward_f64 (plain
 * loops in double); each channel weight α_k = mean_ij ∂F/∂A_kij is obtained as a central
 * finite difference of F along the all-ones direction of channel k,
 * (F(A + ε·1_k) − F(A − ε·1_k)) / (2ε·h'w'), which needs no backward pass at all (shifting
 * a whole channel keeps every MaxPool winner inside that channel); the map is then resized
 * with the half-pixel rule written out here. Also: the default layer is the last Conv, a
 * dense-only model is refused by name, and bad layers or classes are usage errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/forward.h"
#include "smug/gradcam.h"
#include "smug/input.h"
#include "testutil.h"

#define SIDE 28
#define NPIX (SIDE * SIDE)

typedef struct fixture {
    smug_net *net;
    float *x;
    int predicted;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    smug_error err = SMUG_ERROR_INIT;
    if (!f || !(f->net = tu_load_model("models/fashion_cnn.onnx")))
        return -1;
    if (smug_input_load(tu_path("data/fashion/0006_coat.png"), &f->net->input, 0.0, 1.0, &f->x,
                        &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    float logits[10];
    if (smug_net_logits(f->net, f->x, 1, logits, &err) != 0)
        return -1;
    f->predicted = smug_argmax(logits, 10);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f) {
        smug_net_free(f->net);
        free(f->x);
        free(f);
    }
    return 0;
}

/* F (logit or softmax probability of c) of layers [from, end) at a. */
static double score_from(const smug_net *net, int from, const double *a, int c, int prob)
{
    double logits[10], sum = 0.0;
    assert_int_equal(tu_forward_f64(net, from, net->n_layers, a, logits), 0);
    if (!prob)
        return logits[c];
    for (int k = 0; k < 10; k++)
        sum += exp(logits[k]);
    return exp(logits[c]) / sum;
}

/* The Grad-CAM map of the block whose output is layer `feature`'s, in double. */
static void oracle(const fixture *f, int feature, int c, int prob, double *out)
{
    const smug_net *net = f->net;
    int ch, fh, fw;
    smug_shape_chw(&net->layers[feature].out, &ch, &fh, &fw);
    size_t n = smug_shape_size(&net->layers[feature].out), plane = (size_t)fh * (size_t)fw;
    double *in = malloc(NPIX * sizeof *in), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    double *cam = calloc(plane, sizeof *cam);
    assert_non_null(in && a && b && cam);
    for (int p = 0; p < NPIX; p++)
        in[p] = f->x[p];
    assert_int_equal(tu_forward_f64(net, 0, feature + 1, in, a), 0);
    const double eps = 1e-4;
    for (int k = 0; k < ch; k++) {
        memcpy(b, a, n * sizeof *b);
        for (size_t p = 0; p < plane; p++)
            b[k * plane + p] += eps;
        double up = score_from(net, feature + 1, b, c, prob);
        for (size_t p = 0; p < plane; p++)
            b[k * plane + p] -= 2 * eps;
        double down = score_from(net, feature + 1, b, c, prob);
        double alpha = (up - down) / (2 * eps) / (double)plane;
        for (size_t p = 0; p < plane; p++)
            cam[p] += alpha * a[k * plane + p];
    }
    for (size_t p = 0; p < plane; p++)
        cam[p] = fmax(cam[p], 0.0);
    for (int oy = 0; oy < SIDE; oy++)
        for (int ox = 0; ox < SIDE; ox++) {
            double sy = fmax(0.0, (oy + 0.5) * fh / SIDE - 0.5);
            double sx = fmax(0.0, (ox + 0.5) * fw / SIDE - 0.5);
            int y0 = (int)sy, x0 = (int)sx;
            int y1 = y0 + 1 < fh ? y0 + 1 : fh - 1, x1 = x0 + 1 < fw ? x0 + 1 : fw - 1;
            double ty = sy - y0, tx = sx - x0;
            out[oy * SIDE + ox] =
                (1 - ty) * ((1 - tx) * cam[y0 * fw + x0] + tx * cam[y0 * fw + x1]) +
                ty * ((1 - tx) * cam[y1 * fw + x0] + tx * cam[y1 * fw + x1]);
        }
    free(in), free(a), free(b), free(cam);
}

static void check_against_oracle(fixture *f, int layer, int feature, int c, int prob)
{
    smug_gradcam_opts o = {c, layer, prob};
    float map[NPIX];
    double want[NPIX];
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_gradcam(f->net, f->x, &o, map, &err), 0);
    oracle(f, feature, c, prob, want);
    double scale = 0.0;
    int positive = 0;
    for (int p = 0; p < NPIX; p++) {
        assert_true(map[p] >= 0.0f);
        scale = fmax(scale, want[p]);
        positive += map[p] > 0.0f;
    }
    assert_true(scale > 0.0); /* a case where the map says something */
    assert_true(positive > 0 && positive < NPIX);
    for (int p = 0; p < NPIX; p++)
        if (fabs(map[p] - want[p]) > 1e-3 * scale)
            fail_msg("layer %d class %d prob %d pixel %d: got %.6g, want %.6g (max %.3g)", layer, c,
                     prob, p, (double)map[p], want[p], scale);
}

/* Default: the last Conv (#3, Conv+BatchNormalization) and the ReLU after it (#4). */
static void test_default_layer_is_last_conv(void **state)
{
    fixture *f = *state;
    int layer = 0, feature = 0;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_gradcam_layer(f->net, -1, &layer, &feature, &err), 0);
    assert_int_equal(layer, 3);
    assert_int_equal(feature, 4);
    check_against_oracle(f, -1, 4, f->predicted, 0);
}

/* Another class than the predicted one, and the softmax probability as F. */
static void test_other_class_and_probability(void **state)
{
    fixture *f = *state;
    check_against_oracle(f, 3, 4, (f->predicted + 2) % 10, 0);
    check_against_oracle(f, -1, 4, f->predicted, 1);
}

/* The first Conv (stride 2, 8×14×14 after its ReLU #2). */
static void test_first_conv_layer(void **state)
{
    fixture *f = *state;
    check_against_oracle(f, 1, 2, f->predicted, 0);
}

/* testutil's 1-D conv (2, 10) -> (5, 5) is the whole network, so A are the logits and
 * ∂F/∂A = e_c: α is 1/5 on c's channel k = c / 5 and 0 elsewhere, the map is ReLU(A_k)/5
 * resized from 1×5 to 1×10 — here worked out by hand for the half-pixel rule: output o reads
 * s = (o + ½)/2 − ½, i.e. position 0 → A_k[0]; odd o = 2i+1 → ¾A_k[i] + ¼A_k[i+1];
 * even o = 2i (i ≥ 1) → ¼A_k[i−1] + ¾A_k[i]; 9 → A_k[4]. */
static void test_conv_as_last_layer(void **state)
{
    (void)state;
    smug_net *net = tu_synthetic_net(1);
    assert_non_null(net);
    float x[20], map[10];
    for (int i = 0; i < 20; i++)
        x[i] = (float)sin(i * 0.9) + 0.2f;
    float a[25];
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_net_logits(net, x, 1, a, &err), 0);
    for (int c = 0; c < 25; c++) {
        smug_gradcam_opts o = {c, -1, 0};
        assert_int_equal(smug_gradcam(net, x, &o, map, &err), 0);
        double cam[5], want[10];
        for (int i = 0; i < 5; i++)
            cam[i] = fmax(0.0, a[(c / 5) * 5 + i] / 5.0);
        want[0] = cam[0], want[9] = cam[4];
        for (int i = 0; i < 4; i++) {
            want[2 * i + 1] = 0.75 * cam[i] + 0.25 * cam[i + 1];
            want[2 * i + 2] = 0.25 * cam[i] + 0.75 * cam[i + 1];
        }
        for (int p = 0; p < 10; p++)
            tu_assert_close(map[p], want[p], 1e-6);
    }
    smug_net_free(net);
}

static void test_dense_model_is_unsupported(void **state)
{
    (void)state;
    smug_net *fc = tu_load_model("models/fashion_fc.onnx");
    assert_non_null(fc);
    float x[NPIX] = {0}, map[NPIX];
    smug_gradcam_opts o = SMUG_GRADCAM_OPTS_INIT;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_gradcam(fc, x, &o, map, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "fashion_fc.onnx has no Conv layer"));
    smug_net_free(fc);
}

static void test_usage_errors(void **state)
{
    fixture *f = *state;
    float map[NPIX];
    smug_error err = SMUG_ERROR_INIT;
    smug_gradcam_opts relu = {0, 2, 0}, past = {0, 10, 0}, cls = {10, -1, 0};
    assert_int_equal(smug_gradcam(f->net, f->x, &relu, map, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_true(tu_has_prefix(err.msg, "Grad-CAM: layer 2 is not a Conv layer of "));
    assert_int_equal(smug_gradcam(f->net, f->x, &past, map, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_int_equal(smug_gradcam(f->net, f->x, &cls, map, &err), -1);
    assert_string_equal(err.msg, "Grad-CAM: target class 10 is not in [0, 10)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_default_layer_is_last_conv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_class_and_probability, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_conv_layer, setup, teardown),
        cmocka_unit_test(test_conv_as_last_layer),
        cmocka_unit_test(test_dense_model_is_unsupported),
        cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
