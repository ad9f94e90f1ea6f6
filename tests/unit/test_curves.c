/* test_curves.c — deletion and insertion curves (src/eval/curves.c).
 *
 * The AUC is checked against areas computed by hand; the cell ranking against a hand-made
 * map with a tie; the curves on the dense Fashion-MNIST fixture against an oracle written
 * here: the input with the first t ranked cells set to the baseline (or restored), built pixel
 * by pixel from the block rule of grid.h and classified by tu_forward_f64 in double.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/curves.h"
#include "smug/forward.h"
#include "smug/input.h"
#include "testutil.h"

static void test_auc_by_hand(void **state)
{
    (void)state;
    const double x[] = {0.0, 0.5, 1.0}, down[] = {1.0, 0.5, 0.0}, flat[] = {0.3, 0.3, 0.3};
    assert_true(fabs(smug_curve_auc(x, down, 3) - 0.5) < 1e-12);
    assert_true(fabs(smug_curve_auc(x, flat, 3) - 0.3) < 1e-12);
    /* uneven steps: trapezoids 0.25·(1+1)/2 + 0.75·(1+0)/2 = 0.625 */
    const double xu[] = {0.0, 0.25, 1.0}, yu[] = {1.0, 1.0, 0.0};
    assert_true(fabs(smug_curve_auc(xu, yu, 3) - 0.625) < 1e-12);
    assert_true(smug_curve_auc(x, down, 1) == 0.0);
}

static void test_order_by_cell_sum(void **state)
{
    (void)state;
    smug_shape s = {3, {1, 4, 4}};
    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_grid_init(&g, &s, 2, &err), 0); /* 4 cells of 2×2 */
    /* cell sums: cell 0 = 1, cell 1 = 5, cell 2 = 5 (tie with 1: lower index first), cell 3 = -2 */
    const float map[16] = {1, 0, 5, 0, 0, 0, 0, 0, 2, 3, -1, -1, 0, 0, 0, 0};
    int order[4];
    assert_int_equal(smug_curve_order(&g, map, order, &err), 0);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 0);
    assert_int_equal(order[3], 3);
    assert_int_equal(smug_curve_points(&g, 100), 5);
    assert_int_equal(smug_curve_points(&g, 2), 3);
}

/* Softmax probability of `target` from the oracle forward pass. */
static double oracle_prob(const smug_net *net, const double *x, int target)
{
    double logits[16];
    assert_int_equal(tu_forward_f64(net, 0, net->n_layers, x, logits), 0);
    double mx = logits[0], sum = 0.0;
    for (int c = 1; c < net->n_classes; c++)
        mx = fmax(mx, logits[c]);
    for (int c = 0; c < net->n_classes; c++)
        sum += exp(logits[c] - mx);
    return exp(logits[target] - mx) / sum;
}

static void test_curves_match_oracle(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_fc.onnx");
    assert_non_null(net);
    smug_error err = SMUG_ERROR_INIT;
    float *x = NULL;
    assert_int_equal(smug_input_load(tu_path("data/fashion/0000_ankle_boot.png"), &net->input, 0.0,
                                     1.0, &x, &err),
                     0);
    smug_grid g;
    assert_int_equal(smug_grid_init(&g, &net->input, 7, &err), 0); /* 4×4 cells of 7×7 */
    int order[16];
    for (int c = 0; c < 16; c++)
        order[c] = (c * 5) % 16; /* any permutation */
    const float base = 0.25f;
    const int steps = 5; /* fewer steps than cells: t = 0, 3, 6, 10, 13, 16 */
    int n = smug_curve_points(&g, steps);
    assert_int_equal(n, 6);
    double frac[6], del[6], ins[6];
    assert_int_equal(smug_curves(net, x, 9, &g, order, steps, base, frac, del, ins, &err), 0);
    static const int t_want[6] = {0, 3, 6, 10, 13, 16};
    double xd[784], xi[784];
    for (int i = 0; i < n; i++) {
        assert_true(fabs(frac[i] - t_want[i] / 16.0) < 1e-12);
        uint8_t changed[16] = {0};
        for (int k = 0; k < t_want[i]; k++)
            changed[order[k]] = 1;
        for (int y = 0; y < 28; y++)
            for (int q = 0; q < 28; q++) {
                int cell = (y / 7) * 4 + q / 7, p = y * 28 + q;
                xd[p] = changed[cell] ? base : x[p];
                xi[p] = changed[cell] ? x[p] : base;
            }
        assert_true(fabs(del[i] - oracle_prob(net, xd, 9)) < 1e-4);
        assert_true(fabs(ins[i] - oracle_prob(net, xi, 9)) < 1e-4);
    }
    assert_true(del[0] > 0.5);                 /* the ankle boot is predicted with p = 0.6 */
    assert_true(fabs(del[0] - ins[5]) < 1e-6); /* both are the whole input */
    assert_true(fabs(del[5] - ins[0]) < 1e-6); /* both are the pure baseline */
    free(x);
    smug_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auc_by_hand),
        cmocka_unit_test(test_order_by_cell_sum),
        cmocka_unit_test(test_curves_match_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
