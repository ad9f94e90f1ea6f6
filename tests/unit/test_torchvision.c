/* test_torchvision.c — real torchvision architectures as ONNX graphs (issue #11): the
 * reduced resnet18, googlenet and mobilenet_v2 of tests/data/torchvision/ (written by
 * tools/torchvision_fixtures.py with seeded random weights) against float64 torch
 * references computed on the torch modules themselves, not on the ONNX graph.
 *
 * What must hold: the graphs load with the stem conv as the first layer (BatchNorm folded,
 * the in-graph ImageNet normalisation in front of it); logits and the first layer's
 * pre-activation equal torch's; first-layer and input Integrated Gradients and the input
 * gradient agree with torch's element by element (relative L2; float32 through 20-60
 * layers against float64) and are complete; Grad-CAM finds a block end that is a cut of the
 * graph; the PNG the references were made from loads to the same input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/backward.h"
#include "smug/forward.h"
#include "smug/gradcam.h"
#include "smug/ig.h"
#include "smug/input.h"
#include "smug/onnx.h"
#include "testutil.h"

static const char *const names[] = {"resnet18_mini_0", "googlenet_mini_0", "mobilenet_v2_mini_0"};
/* does a Relu follow the stem conv (so smug's h = relu(o))? mobilenet_v2's is a ReLU6 */
static const int relu_after_first[] = {1, 1, 0};
#define N_MODELS (sizeof names / sizeof *names)

/* float32 over a deep graph against float64: relative L2 of whole vectors. Gradients at one
 * point agree to ~1e-6 everywhere. Integrated Gradients sums 50 of them, and on the random
 * mobilenet_v2 the path passes close to ReLU6 kinks: gradient norms of ~300 along the path
 * for an attribution sum of 5.5; at 2 of the 50 points (alpha 0.15 and 0.27) a kink that
 * float32 rounding (and the folded BatchNorm's rounded weights) moves across the point
 * changes that point's gradient by 10 % (measured against torch float64 point by point).
 * Those two points give mobilenet_v2's IG its 2.4e-2 relative error; torch's own float32
 * IG is 1.2e-3 off its float64 one. resnet18 and googlenet are within 1e-6 with the
 * machine's threads, 3e-5 with OpenBLAS on one thread (summation order moves a kink). */
#define TOL_LOGITS_REL 1e-4
static const double tol_ig_rel[] = {1e-3, 1e-3, 5e-2};

static tu_ref *load(size_t i, smug_net **out_net)
{
    tu_ref *r = tu_ref_load(names[i]);
    assert_non_null(r);
    *out_net = tu_load_model(r->model);
    assert_non_null(*out_net);
    return r;
}

static void expect_close(const char *name, const char *what, const float *got, const float *want,
                         size_t n, double tol)
{
    double rel = tu_rel_l2(got, want, n);
    printf("  %-20s %-12s rel L2 %.2e (max |ref| %.3g)\n", name, what, rel, tu_max_abs(want, n));
    if (!(rel <= tol))
        fail_msg("%s %s: relative L2 error %.3g > %.3g", name, what, rel, tol);
}

static double l1(const float *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += fabs((double)v[i]);
    return s;
}

static void test_structure(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_MODELS; i++) {
        smug_net *net;
        tu_ref *r = load(i, &net);
        assert_int_equal(net->input.rank, 3);
        assert_int_equal(net->input.dims[0], 3);
        /* (x - mean) / std folded into one Affine, then the stem conv, BN folded into it */
        assert_int_equal(net->layers[0].kind, SMUG_LAYER_AFFINE);
        assert_int_equal(net->first, 1);
        assert_int_equal(net->layers[1].kind, SMUG_LAYER_CONV);
        assert_int_equal(net->first_out, relu_after_first[i] ? 2 : 1);
        assert_int_equal(smug_net_first_size(net), r->first_layer.n);
        assert_int_equal(net->n_classes, 10);
        int joins = 0;
        for (int l = 0; l < net->n_layers; l++)
            joins += net->layers[l].n_src > 1;
        assert_true(joins > 0); /* a graph, not a chain: Add or Concat */
        smug_net_free(net);
        tu_ref_free(r);
    }
}

static void test_logits_and_first_layer(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_MODELS; i++) {
        smug_net *net;
        tu_ref *r = load(i, &net);
        float logits[10], *first = malloc(r->first_layer.n * sizeof *first);
        assert_non_null(first);
        smug_error err = SMUG_ERROR_INIT;
        if (smug_net_eval(net, r->input.v, logits, first, &err) != 0)
            fail_msg("%s: %s", r->name, err.msg);
        expect_close(r->name, "logits", logits, r->logits.v, 10, TOL_LOGITS_REL);
        expect_close(r->name, "first layer", first, r->first_layer.v, r->first_layer.n,
                     TOL_LOGITS_REL);
        assert_int_equal(smug_argmax(logits, 10), r->predicted);
        /* a batch of two gives each example what it gives alone */
        size_t n = r->input.n;
        float *two = malloc(2 * n * sizeof *two), out2[20];
        assert_non_null(two);
        memcpy(two, r->input.v, n * sizeof *two);
        for (size_t k = 0; k < n; k++)
            two[n + k] = 0.5f * r->input.v[k];
        assert_int_equal(smug_net_logits(net, two, 2, out2, &err), 0);
        assert_true(tu_max_abs_diff(out2, logits, 10, NULL) <= 1e-4 * tu_max_abs(logits, 10));
        free(two);
        free(first);
        smug_net_free(net);
        tu_ref_free(r);
    }
}

static void test_ig_and_gradients(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_MODELS; i++) {
        smug_net *net;
        tu_ref *r = load(i, &net);
        smug_ig_opts o = SMUG_IG_OPTS_INIT;
        o.steps = r->steps;
        o.target = r->target;
        smug_ig_check c;
        smug_error err = SMUG_ERROR_INIT;
        size_t nf = r->ig_first.n, ni = r->input.n;
        float *attr = malloc(nf * sizeof *attr), *act = malloc(nf * sizeof *act);
        float *ain = malloc(ni * sizeof *ain), *grad = malloc(ni * sizeof *grad);
        assert_true(attr && act && ain && grad);
        if (smug_ig_first(net, r->input.v, &o, attr, act, &c, &err) != 0)
            fail_msg("%s: %s", r->name, err.msg);
        expect_close(r->name, "ig_first", attr, r->ig_first.v, nf, tol_ig_rel[i]);
        tu_assert_close(c.sum, r->ig_first_sum, tol_ig_rel[i] * l1(r->ig_first.v, nf));
        tu_assert_close(c.f_x - c.f_base, r->ig_first_delta,
                        1e-4 * (1.0 + fabs(r->ig_first_delta)));
        if (smug_ig_input(net, r->input.v, &o, ain, &c, &err) != 0)
            fail_msg("%s: %s", r->name, err.msg);
        expect_close(r->name, "ig_input", ain, r->ig_input.v, ni, tol_ig_rel[i]);
        tu_assert_close(c.sum, r->ig_input_sum, tol_ig_rel[i] * l1(r->ig_input.v, ni));
        tu_assert_close(c.f_x - c.f_base, r->ig_input_delta,
                        1e-4 * (1.0 + fabs(r->ig_input_delta)));
        if (smug_grad_input(net, r->input.v, r->target, 0, grad, NULL, &err) != 0)
            fail_msg("%s: %s", r->name, err.msg);
        expect_close(r->name, "grad_input", grad, r->grad_input.v, ni, 1e-5);
        free(attr), free(act), free(ain), free(grad);
        smug_net_free(net);
        tu_ref_free(r);
    }
}

/* Grad-CAM's default block ends where the rest of the network reads only its output: the
 * ReLU after resnet's last residual Add, googlenet's last Concat. */
static void test_gradcam_block(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_MODELS; i++) {
        smug_net *net;
        tu_ref *r = load(i, &net);
        int layer, feature;
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_gradcam_layer(net, -1, &layer, &feature, &err), 0);
        assert_true(feature >= layer);
        assert_true(smug_net_is_cut(net, feature + 1));
        if (i == 0)
            assert_int_equal(net->layers[feature].kind, SMUG_LAYER_RELU);
        if (i == 1)
            assert_int_equal(net->layers[feature].kind, SMUG_LAYER_CONCAT);
        float *map = malloc(64 * 64 * sizeof *map);
        assert_non_null(map);
        smug_gradcam_opts go = SMUG_GRADCAM_OPTS_INIT;
        go.target = r->target;
        if (smug_gradcam(net, r->input.v, &go, map, &err) != 0)
            fail_msg("%s: %s", r->name, err.msg);
        double s = 0;
        for (int p = 0; p < 64 * 64; p++) {
            assert_true(map[p] >= 0.0f);
            s += map[p];
        }
        assert_true(isfinite(s));
        free(map);
        smug_net_free(net);
        tu_ref_free(r);
    }
}

/* The RGB PNG decodes to exactly the reference input (uint8 / 255, NCHW). */
static void test_png_input(void **state)
{
    (void)state;
    smug_net *net;
    tu_ref *r = load(0, &net);
    float *x = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_input_load(tu_path("tests/data/torchvision/0000_synth.png"), &net->input, 0.0, 1.0, &x,
                        &err) != 0)
        fail_msg("%s", err.msg);
    assert_true(tu_max_abs_diff(x, r->input.v, r->input.n, NULL) <= 1e-7);
    free(x);
    smug_net_free(net);
    tu_ref_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),        cmocka_unit_test(test_logits_and_first_layer),
        cmocka_unit_test(test_ig_and_gradients), cmocka_unit_test(test_gradcam_block),
        cmocka_unit_test(test_png_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
