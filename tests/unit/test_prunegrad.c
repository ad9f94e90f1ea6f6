/* test_prunegrad.c — PruneGrad (src/explain/prunegrad.c) against a network small enough to
 * prune by hand, and its pruning rule; on the fixtures: keep = 1 is the plain gradient.
 *
 * The hand net: x (2) → Dense I → ReLU → Dense [[1, 1], [1, -1]] + [0, 3] → ReLU →
 * Dense [[1, 0.5], [0, 0]] → logits, at x = (1, 2), target 0 (logit), keep 0.5 (one neuron of
 * two per layer). Worked out on paper:
 *  - a1 = (1, 2), a2 = (3, 2), F = 3 + 0.5·2 = 4.
 *  - the last hidden layer first: dF/da2 = (1, 0.5), |a2·g| = (3, 1): neuron 1 is pruned;
 *  - then the first: in the net pruned after it F = relu(a1_0 + a1_1), dF/da1 = (1, 1),
 *    signed importance a1·g = (1, 2): neuron 0 is pruned, neuron 1 kept;
 *  - the pruned net at x: a1 = (0, 2), a2 = relu((2, 1)) pruned to (2, 0), and
 *    dF/dx = (0, 1) — the unpruned gradient is (1.5, 0.5).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/backward.h"
#include "smug/input.h"
#include "smug/prunegrad.h"
#include "testutil.h"

static void shape1(smug_shape *s, int n)
{
    s->rank = 1;
    s->dims[0] = n;
}

static smug_net *hand_net(void)
{
    static float w1[] = {1, 0, 0, 1}, b1[] = {0, 0};
    static float w2[] = {1, 1, 1, -1}, b2[] = {0, 3};
    static float w3[] = {1, 0.5f, 0, 0}, b3[] = {0, 0};
    smug_layer l[5];
    memset(l, 0, sizeof l);
    float *w[] = {w1, w2, w3}, *b[] = {b1, b2, b3};
    for (int i = 0; i < 5; i++) {
        shape1(&l[i].in, 2);
        shape1(&l[i].out, 2);
        l[i].kind = i % 2 ? SMUG_LAYER_RELU : SMUG_LAYER_DENSE;
        if (i % 2 == 0) {
            l[i].n_in = l[i].n_out = 2;
            l[i].weight = w[i / 2];
            l[i].bias = b[i / 2];
        }
    }
    smug_net *net = tu_net_from_layers(l, 5);
    if (net)
        net->first_out = 1; /* the ReLU after the first Dense, as the loader sets it */
    return net;
}

static void test_keep_rule(void **state)
{
    (void)state;
    const float imp[] = {3, 1, 1, 0};
    uint8_t keep[4];
    assert_int_equal(smug_prunegrad_keep(imp, 4, 0.5, keep), 2);
    assert_memory_equal(keep, ((uint8_t[]){1, 1, 0, 0}), 4);     /* tie 1 vs 2: lower index */
    assert_int_equal(smug_prunegrad_keep(imp, 4, 0.3, keep), 2); /* ceil(1.2) */
    assert_int_equal(smug_prunegrad_keep(imp, 4, 1.0, keep), 4);
    assert_memory_equal(keep, ((uint8_t[]){1, 1, 1, 1}), 4);
}

static void test_hand_net(void **state)
{
    (void)state;
    smug_net *net = hand_net();
    assert_non_null(net);
    const float x[] = {1, 2};
    float g[2], imp[2];
    uint8_t kept[2];
    int layers = 0;
    smug_error err = SMUG_ERROR_INIT;
    smug_prunegrad_opts o = SMUG_PRUNEGRAD_OPTS_INIT;
    o.target = 0;
    o.keep = 0.5;
    assert_int_equal(smug_prunegrad(net, x, &o, g, imp, kept, &layers, &err), 0);
    assert_int_equal(layers, 2);
    assert_true(fabsf(g[0] - 0.0f) < 1e-6f && fabsf(g[1] - 1.0f) < 1e-6f);
    assert_true(fabsf(imp[0] - 1.0f) < 1e-6f && fabsf(imp[1] - 2.0f) < 1e-6f);
    assert_int_equal(kept[0], 0);
    assert_int_equal(kept[1], 1);
    /* keep = 1 prunes nothing: the plain gradient (1.5, 0.5) */
    o.keep = 1.0;
    assert_int_equal(smug_prunegrad(net, x, &o, g, imp, kept, &layers, &err), 0);
    assert_true(fabsf(g[0] - 1.5f) < 1e-6f && fabsf(g[1] - 0.5f) < 1e-6f);
    assert_int_equal(kept[0] + kept[1], 2);
    o.keep = 0.0;
    assert_int_equal(smug_prunegrad(net, x, &o, g, NULL, NULL, NULL, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    smug_net_free(net);
}

/* On both fixtures keep = 1 is smug_grad_input exactly, and keep 0.25 keeps a quarter of the
 * first layer (rounded up) and changes the gradient. */
static void test_fixtures(void **state)
{
    (void)state;
    const char *models[] = {"models/fashion_fc.onnx", "models/fashion_cnn.onnx"};
    for (int m = 0; m < 2; m++) {
        smug_net *net = tu_load_model(models[m]);
        assert_non_null(net);
        smug_error err = SMUG_ERROR_INIT;
        float *x = NULL;
        assert_int_equal(smug_input_load(tu_path("data/fashion/0001_pullover.png"), &net->input,
                                         0.0, 1.0, &x, &err),
                         0);
        size_t n = smug_shape_size(&net->input), nf = smug_net_first_size(net);
        float *g = malloc(n * sizeof *g), *ref = malloc(n * sizeof *ref);
        uint8_t *kept = malloc(nf);
        smug_prunegrad_opts o = SMUG_PRUNEGRAD_OPTS_INIT;
        o.target = 2;
        o.keep = 1.0;
        assert_int_equal(smug_prunegrad(net, x, &o, g, NULL, kept, NULL, &err), 0);
        assert_int_equal(smug_grad_input(net, x, 2, 0, ref, NULL, &err), 0);
        assert_true(tu_max_abs_diff(g, ref, n, NULL) < 1e-5);
        o.keep = 0.25;
        assert_int_equal(smug_prunegrad(net, x, &o, g, NULL, kept, NULL, &err), 0);
        size_t k = 0;
        for (size_t j = 0; j < nf; j++)
            k += kept[j];
        assert_int_equal(k, (size_t)ceil(0.25 * (double)nf));
        assert_true(tu_max_abs_diff(g, ref, n, NULL) > 1e-4);
        free(g), free(ref), free(kept), free(x);
        smug_net_free(net);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_rule),
        cmocka_unit_test(test_hand_net),
        cmocka_unit_test(test_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
