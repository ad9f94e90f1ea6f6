/* test_sanity.c — Spearman's rank correlation and the randomised network copies
 * (src/eval/sanity.c): correlations worked out by hand, and a copy that randomises exactly
 * the layers asked for, reproducibly, leaving the original untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/forward.h"
#include "smug/sanity.h"
#include "testutil.h"

static void test_spearman_by_hand(void **state)
{
    (void)state;
    const float a[] = {1, 2, 3, 4, 5}, up[] = {10, 20, 30, 40, 500}, down[] = {5, 4, 3, 2, 1};
    assert_true(fabs(smug_spearman(a, up, 5) - 1.0) < 1e-12);
    assert_true(fabs(smug_spearman(a, down, 5) + 1.0) < 1e-12);
    /* ranks (1, 2, 3, 4) vs (2, 1, 4, 3): d² sum 4, rho = 1 − 6·4/(4·15) = 0.6 */
    const float b[] = {1, 2, 3, 4}, c[] = {2, 1, 4, 3};
    assert_true(fabs(smug_spearman(b, c, 4) - 0.6) < 1e-12);
    /* ties: (1, 1, 2) has ranks (1.5, 1.5, 3); with (1, 2, 3): Pearson of the ranks is
     * 1.5 / sqrt(1.5 · 2) = sqrt(3)/2 */
    const float t[] = {1, 1, 2}, u[] = {1, 2, 3};
    assert_true(fabs(smug_spearman(t, u, 3) - sqrt(3.0) / 2.0) < 1e-12);
    const float k[] = {7, 7, 7};
    assert_true(isnan(smug_spearman(k, u, 3)));
}

static void test_random_copies(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_cnn.onnx");
    assert_non_null(net);
    int p = smug_sanity_layers(net);
    assert_true(p >= 2);
    int last = -1, before = -1; /* the two parameterised layers nearest the output */
    for (int i = net->n_layers - 1; i >= 0 && before < 0; i--)
        if (net->layers[i].kind == SMUG_LAYER_DENSE || net->layers[i].kind == SMUG_LAYER_CONV)
            last < 0 ? (void)(last = i) : (void)(before = i);
    smug_error err = SMUG_ERROR_INIT;
    smug_net *r1 = NULL, *r1b = NULL, *r2 = NULL;
    assert_int_equal(smug_sanity_net(net, 1, 42, &r1, &err), 0);
    assert_int_equal(smug_sanity_net(net, 1, 42, &r1b, &err), 0);
    assert_int_equal(smug_sanity_net(net, 2, 42, &r2, &err), 0);
    size_t nw = (size_t)net->layers[last].n_in * (size_t)net->layers[last].n_out;
    assert_true(net->layers[last].kind == SMUG_LAYER_DENSE);
    assert_true(r1->layers[last].weight != net->layers[last].weight);
    assert_memory_equal(r1->layers[last].weight, r1b->layers[last].weight, nw * sizeof(float));
    assert_true(tu_max_abs_diff(r1->layers[last].weight, net->layers[last].weight, nw, NULL) >
                1e-3);
    assert_ptr_equal(r1->layers[before].weight, net->layers[before].weight); /* not asked */
    assert_true(r2->layers[before].weight != net->layers[before].weight);
    /* the randomised copy runs, and gives other logits than the original */
    float x[784], lo[10], lr[10];
    for (int i = 0; i < 784; i++)
        x[i] = (float)(i % 28) / 28.0f;
    assert_int_equal(smug_net_logits(net, x, 1, lo, &err), 0);
    assert_int_equal(smug_net_logits(r2, x, 1, lr, &err), 0);
    assert_true(tu_max_abs_diff(lo, lr, 10, NULL) > 1e-3);
    smug_sanity_net_free(r1b);
    assert_int_equal(smug_sanity_net(net, 0, 1, &r1b, &err) < 0 ? 0 : 1, 0);
    assert_null(r1b);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    smug_sanity_net_free(r1);
    smug_sanity_net_free(r2);
    smug_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spearman_by_hand),
        cmocka_unit_test(test_random_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
