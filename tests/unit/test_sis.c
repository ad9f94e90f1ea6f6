/* test_sis.c — Sufficient Input Subsets (src/explain/sis.c).
 *
 * A linear two-class model whose SIS can be worked out by hand fixes the algorithm (order
 * of removal, shortest suffix, map, classification count). On the Fashion-MNIST fixtures
 * with coarse grids the property is checked independently: masked inputs are built
 * here from the grid rule and classified by tu_forward_f64 in double; the subset keeps the
 * target's probability >= τ and removing any single kept cell drops it below τ. An input
 * already below τ gives found = 0 and empty outputs.
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
#include "smug/grid.h"
#include "smug/input.h"
#include "smug/sis.h"
#include "testutil.h"

#define SIDE 28
#define NPIX (SIDE * SIDE)

static double sigmoid(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

/* logit_0 = 3·x0 + 2·x1 + 0.5·x2 + 0.1·x3, logit_1 = 0, x = 1: f(S) = σ(Σ_{i∈S} w_i).
 * Backward selection removes 3, 2, 1, 0 (f after: σ(5.5), σ(5), σ(3), σ(0)); with τ = 0.99
 * (σ⁻¹ = 4.595) the shortest suffix is {0, 1} (σ(5) = 0.9933; {0} alone gives σ(3) = 0.953),
 * and neither of its cells can go. Classifications: 1 (all) + 4+3+2+1 (selection). */
static void test_linear_model_by_hand(void **state)
{
    (void)state;
    float w[8] = {3.0f, 2.0f, 0.5f, 0.1f, 0, 0, 0, 0}, b[2] = {0, 0};
    smug_layer dense;
    memset(&dense, 0, sizeof dense);
    dense.kind = SMUG_LAYER_DENSE;
    dense.in = (smug_shape){1, {4, 0, 0}};
    dense.out = (smug_shape){1, {2, 0, 0}};
    dense.n_in = 4, dense.n_out = 2, dense.weight = w, dense.bias = b;
    smug_net *net = tu_net_from_layers(&dense, 1);
    assert_non_null(net);
    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_grid_init(&g, &net->input, 1, &err), 0);
    assert_int_equal(g.n_cells, 4);
    const float x[4] = {1, 1, 1, 1};
    smug_sis_opts o = {0, 0.99, 0.0f};
    uint8_t mask[4];
    float map[4];
    smug_sis_result r;
    assert_int_equal(smug_sis(net, x, &g, &o, mask, map, &r, &err), 0);
    assert_int_equal(r.found, 1);
    assert_int_equal(mask[0], 1);
    assert_int_equal(mask[1], 1);
    assert_int_equal(mask[2], 0);
    assert_int_equal(mask[3], 0);
    assert_int_equal(r.n_kept, 2);
    tu_assert_close(r.confidence, sigmoid(5.0), 1e-6);
    tu_assert_close(r.confidence_full, sigmoid(5.6), 1e-6);
    assert_int_equal(r.n_evals, 11);
    /* removed at step r of 4 scores (r+1)/4, +1 in the SIS */
    tu_assert_close(map[3], 0.25, 1e-7);
    tu_assert_close(map[2], 0.5, 1e-7);
    tu_assert_close(map[1], 1.75, 1e-7);
    tu_assert_close(map[0], 2.0, 1e-7);
    smug_net_free(net);
}

/* The same model with bias 10 on class 0: the all-masked input already has f = σ(10) >= τ,
 * so the SIS is empty (sis.h), which is found, not an error. */
static void test_empty_sis(void **state)
{
    (void)state;
    float w[8] = {3.0f, 2.0f, 0.5f, 0.1f, 0, 0, 0, 0}, b[2] = {10.0f, 0};
    smug_layer dense;
    memset(&dense, 0, sizeof dense);
    dense.kind = SMUG_LAYER_DENSE;
    dense.in = (smug_shape){1, {4, 0, 0}};
    dense.out = (smug_shape){1, {2, 0, 0}};
    dense.n_in = 4, dense.n_out = 2, dense.weight = w, dense.bias = b;
    smug_net *net = tu_net_from_layers(&dense, 1);
    assert_non_null(net);
    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_grid_init(&g, &net->input, 1, &err), 0);
    const float x[4] = {1, 1, 1, 1};
    smug_sis_opts o = {0, 0.99, 0.0f};
    uint8_t mask[4];
    float map[4];
    smug_sis_result r;
    assert_int_equal(smug_sis(net, x, &g, &o, mask, map, &r, &err), 0);
    assert_int_equal(r.found, 1);
    assert_int_equal(r.n_kept, 0);
    tu_assert_close(r.confidence, sigmoid(10.0), 1e-6);
    for (int c = 0; c < 4; c++) {
        assert_int_equal(mask[c], 0);
        assert_true(map[c] > 0.0f && map[c] <= 1.0f);
    }
    smug_net_free(net);
}

/* ---- the fixtures: the property, checked independently -------------------------- */

/* Target probability in double with only the cells in keep (win×win blocks of the 28×28
 * image, row-major) and the rest at 0. */
static double prob_kept(const smug_net *net, const float *x, int win, const uint8_t *keep,
                        int target)
{
    int cols = (SIDE + win - 1) / win;
    double in[NPIX], logits[10], sum = 0.0;
    for (int y = 0; y < SIDE; y++)
        for (int xx = 0; xx < SIDE; xx++)
            in[y * SIDE + xx] = keep[(y / win) * cols + xx / win] ? x[y * SIDE + xx] : 0.0;
    assert_int_equal(tu_forward_f64(net, 0, net->n_layers, in, logits), 0);
    for (int k = 0; k < 10; k++)
        sum += exp(logits[k]);
    return exp(logits[target]) / sum;
}

static void check_sis(const char *model, const char *image, int win, double tau)
{
    smug_net *net = tu_load_model(model);
    assert_non_null(net);
    float *x = NULL, logits[10];
    smug_error err = SMUG_ERROR_INIT;
    if (smug_input_load(tu_path(image), &net->input, 0.0, 1.0, &x, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(smug_net_logits(net, x, 1, logits, &err), 0);
    smug_grid g;
    assert_int_equal(smug_grid_init(&g, &net->input, win, &err), 0);
    smug_sis_opts o = {smug_argmax(logits, 10), tau, 0.0f};
    uint8_t *mask = malloc((size_t)g.n_cells), *probe = malloc((size_t)g.n_cells);
    float map[NPIX];
    smug_sis_result r;
    assert_non_null(mask && probe);
    assert_int_equal(smug_sis(net, x, &g, &o, mask, map, &r, &err), 0);
    assert_int_equal(r.found, 1);
    int kept = 0;
    for (int c = 0; c < g.n_cells; c++)
        kept += mask[c];
    assert_int_equal(kept, r.n_kept);
    assert_true(r.n_kept >= 1 && r.n_kept < g.n_cells); /* a case with something to prove */
    double f = prob_kept(net, x, win, mask, o.target);
    if (!(f >= tau - 1e-6))
        fail_msg("%s: the SIS keeps only %.9g < tau %.9g", model, f, tau);
    tu_assert_close(r.confidence, f, 1e-5);
    for (int c = 0; c < g.n_cells; c++) {
        if (!mask[c])
            continue;
        memcpy(probe, mask, (size_t)g.n_cells);
        probe[c] = 0;
        double fc = prob_kept(net, x, win, probe, o.target);
        if (!(fc < tau + 1e-6))
            fail_msg("%s: cell %d can be removed from the SIS (f = %.9g >= %.9g)", model, c, fc,
                     tau);
    }
    /* the map: SIS cells above 1, every other cell in (0, 1] */
    for (int p = 0; p < NPIX; p++) {
        int c = smug_grid_cell_of(&g, (size_t)p);
        assert_true(mask[c] ? map[p] > 1.0f : map[p] > 0.0f && map[p] <= 1.0f);
    }
    free(mask);
    free(probe);
    free(x);
    smug_net_free(net);
}

/* window 7: 16 cells of 7×7 */
static void test_fc_window_7(void **state)
{
    (void)state;
    check_sis("models/fashion_fc.onnx", "data/fashion/0001_pullover.png", 7, 0.9);
}

static void test_cnn_window_7(void **state)
{
    (void)state;
    check_sis("models/fashion_cnn.onnx", "data/fashion/0002_trouser.png", 7, 0.9);
}

/* window 4: 49 cells, 1225 classifications of backward selection */
static void test_cnn_window_4(void **state)
{
    (void)state;
    check_sis("models/fashion_cnn.onnx", "data/fashion/0009_sneaker.png", 4, 0.99);
}

/* A class the model gives almost no probability: f(all) < τ, so no SIS; a clear "not
 * found" with empty outputs and one classification, not an error. */
static void test_below_threshold_is_not_found(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_fc.onnx");
    float *x = NULL, logits[10];
    smug_error err = SMUG_ERROR_INIT;
    assert_non_null(net);
    assert_int_equal(smug_input_load(tu_path("data/fashion/0000_ankle_boot.png"), &net->input, 0.0,
                                     1.0, &x, &err),
                     0);
    assert_int_equal(smug_net_logits(net, x, 1, logits, &err), 0);
    int pred = smug_argmax(logits, 10), other = (pred + 5) % 10;
    smug_grid g;
    assert_int_equal(smug_grid_init(&g, &net->input, 7, &err), 0);
    smug_sis_opts o = {other, 0.5, 0.0f};
    uint8_t mask[16];
    float map[NPIX];
    memset(mask, 7, sizeof mask);
    for (int p = 0; p < NPIX; p++)
        map[p] = 3.0f;
    smug_sis_result r;
    assert_int_equal(smug_sis(net, x, &g, &o, mask, map, &r, &err), 0);
    assert_int_equal(r.found, 0);
    assert_int_equal(r.n_kept, 0);
    assert_int_equal(r.n_evals, 1);
    assert_true(r.confidence_full < 0.5);
    for (int c = 0; c < 16; c++)
        assert_int_equal(mask[c], 0);
    for (int p = 0; p < NPIX; p++)
        assert_true(map[p] == 0.0f);
    free(x);
    smug_net_free(net);
}

static void test_usage_errors(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_fc.onnx");
    assert_non_null(net);
    float x[NPIX] = {0};
    smug_grid g, other;
    smug_error err = SMUG_ERROR_INIT;
    smug_shape small = {3, {1, 10, 10}};
    assert_int_equal(smug_grid_init(&g, &net->input, 7, &err), 0);
    assert_int_equal(smug_grid_init(&other, &small, 2, &err), 0);
    uint8_t mask[64];
    smug_sis_result r;
    smug_sis_opts zero = {0, 0.0, 0.0f}, big = {0, 1.5, 0.0f}, nan = {0, NAN, 0.0f},
                  cls = {10, 0.5, 0.0f}, ok = SMUG_SIS_OPTS_INIT;
    assert_int_equal(smug_sis(net, x, &g, &zero, mask, NULL, &r, &err), -1);
    assert_string_equal(err.msg, "SIS: threshold must be in (0, 1]: got 0");
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_int_equal(smug_sis(net, x, &g, &big, mask, NULL, &r, &err), -1);
    assert_int_equal(smug_sis(net, x, &g, &nan, mask, NULL, &r, &err), -1);
    assert_int_equal(smug_sis(net, x, &g, &cls, mask, NULL, &r, &err), -1);
    assert_string_equal(err.msg, "SIS: target class 10 is not in [0, 10)");
    assert_int_equal(smug_sis(net, x, &other, &ok, mask, NULL, &r, &err), -1);
    assert_string_equal(err.msg, "SIS: the grid (1x10x10) is not over this model's input");
    smug_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_model_by_hand),
        cmocka_unit_test(test_empty_sis),
        cmocka_unit_test(test_fc_window_7),
        cmocka_unit_test(test_cnn_window_7),
        cmocka_unit_test(test_cnn_window_4),
        cmocka_unit_test(test_below_threshold_is_not_found),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
