/* test_fullnet.c — the full-net encoding (src/mask/fullnet.c) against the float32 forward
 * pass, which shares no code with it:
 *  - interval propagation: for random real masks m ∈ [0, 1]^cells and random 0/1 masks, the
 *    first layer's input z with each position scaled by its cell's m runs through
 *    smug_forward from the first layer on; every activation of every layer must lie within
 *    the bounds smug_fullnet_intervals gives (up to float32 rounding);
 *  - the encoding's meaning: smug_pl_eval of the attached network at a 0/1 mask must give
 *    the logits of that forward pass;
 *  - refusals: a layer it cannot encode (Clip) is named, and a margin the unmasked input
 *    itself misses is a usage error that says so;
 *  - the problem keeps its rows and gains every cell with a nonzero input as a variable.
 * Fixtures: fashion_fc, fashion_deep, fashion_cnn (normalisation, BatchNorm folded, MaxPool),
 * and tests/data/onnx's avgpool_gap (AveragePool, GlobalAveragePool, Reshape), conv_group2
 * (a grouped Conv after the first layer) and graph_ops (a Clip). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/encode.h"
#include "smug/forward.h"
#include "smug/fullnet.h"
#include "smug/grid.h"
#include "smug/input.h"
#include "smug/problem.h"
#include "testutil.h"

#define N_MASKS 40

static float *load_image(const smug_net *net, const char *image)
{
    float *x = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_input_load(tu_path(image), &net->input, 0.0, 1.0, &x, &err) != 0)
        fail_msg("%s: %s", image, err.msg);
    return x;
}

/* z with every position scaled by its cell's value in m (cells of a window×window grid). */
static void masked_z(const smug_net *net, const smug_grid *g, const float *z, const double *m,
                     float *out)
{
    size_t n = smug_shape_size(&net->layers[net->first].in);
    for (size_t p = 0; p < n; p++)
        out[p] = (float)((double)z[p] * m[smug_grid_cell_of(g, smug_net_input_pos(net, p))]);
}

static void check_intervals(const char *model, const char *image, int window)
{
    smug_net *net = tu_load_model(model);
    assert_non_null(net);
    float *x = load_image(net, image);
    smug_error err = SMUG_ERROR_INIT;
    double *lo, *hi;
    if (smug_fullnet_intervals(net, x, window, &lo, &hi, &err) != 0)
        fail_msg("%s: %s", model, err.msg);
    smug_grid g;
    assert_int_equal(smug_grid_init(&g, &net->input, window, &err), 0);
    size_t n_in = smug_shape_size(&net->layers[net->first].in);
    float *z = malloc(n_in * sizeof *z), *zm = malloc(n_in * sizeof *zm);
    double *m = malloc((size_t)g.n_cells * sizeof *m);
    assert_int_equal(smug_encode_first_input(net, x, z, &err), 0);
    tu_rng rng = {12345};
    long checked = 0, unstable = 0;
    for (int s = 0; s < N_MASKS; s++) {
        for (int c = 0; c < g.n_cells; c++) /* half real masks, half 0/1 ones */
            m[c] = s % 2 ? tu_rng_unit(&rng) : (double)(tu_rng_below(&rng, 2));
        if (s == 0)
            for (int c = 0; c < g.n_cells; c++)
                m[c] = 1.0;
        masked_z(net, &g, z, m, zm);
        smug_trace t;
        if (smug_forward(net, net->first, net->n_layers, zm, 1, &t, &err) != 0)
            fail_msg("%s: %s", model, err.msg);
        size_t at = 0;
        for (int i = net->first; i < net->n_layers; i++) {
            const float *a = t.acts[i - net->first + 1];
            size_t n = smug_shape_size(&net->layers[i].out);
            for (size_t o = 0; o < n; o++, at++) {
                double tol = 1e-4 * (1.0 + fabs(lo[at]) + fabs(hi[at]));
                if (!((double)a[o] >= lo[at] - tol && (double)a[o] <= hi[at] + tol))
                    fail_msg("%s: mask %d: layer %d '%s' element %zu = %.9g outside [%.9g, %.9g]",
                             model, s, i, net->layers[i].name, o, (double)a[o], lo[at], hi[at]);
                checked++;
                unstable += s == 0 && lo[at] < 0.0 && hi[at] > 0.0;
            }
        }
        smug_trace_clear(&t);
    }
    assert_true(checked > 0);
    (void)unstable;
    free(z), free(zm), free(m), free(lo), free(hi), free(x);
    smug_net_free(net);
}

static void test_intervals_fc(void **state)
{
    (void)state;
    check_intervals("models/fashion_fc.onnx", "data/fashion/0000_ankle_boot.png", 4);
    check_intervals("models/fashion_fc.onnx", "data/fashion/0004_shirt.png", 1);
}

static void test_intervals_deep(void **state)
{
    (void)state;
    check_intervals("models/fashion_deep.onnx", "data/fashion/0001_pullover.png", 7);
}

static void test_intervals_cnn(void **state)
{
    (void)state;
    check_intervals("models/fashion_cnn.onnx", "data/fashion/0000_ankle_boot.png", 4);
    check_intervals("models/fashion_cnn.onnx", "data/fashion/0002_trouser.png", 14);
}

static void test_intervals_pools_groups(void **state)
{
    (void)state;
    check_intervals("tests/data/onnx/avgpool_gap.onnx", "data/fashion/0006_coat.png", 4);
    check_intervals("tests/data/onnx/conv_group2.onnx", "data/fashion/0008_sandal.png", 7);
}

/* The attached network evaluated at 0/1 masks gives the forward pass's logits. */
static void check_eval(const char *model, const char *image, int window)
{
    smug_net *net = tu_load_model(model);
    assert_non_null(net);
    float *x = load_image(net, image);
    smug_error err = SMUG_ERROR_INIT;
    int neuron = 0;
    smug_mask_problem *p = NULL;
    /* the first neuron with a positive pre-activation gives the problem its one row */
    for (; neuron < (int)smug_net_first_size(net); neuron++) {
        err = (smug_error)SMUG_ERROR_INIT;
        if (smug_encode(net, x, &neuron, 1, 0.0, window, &p, &err) == 0)
            break;
    }
    assert_non_null(p);
    int rows = p->k;
    smug_trace t;
    assert_int_equal(smug_forward(net, 0, net->n_layers, x, 1, &t, &err), 0);
    const float *lg0 = smug_trace_output(&t);
    int target = 0;
    for (int c = 1; c < net->n_classes; c++)
        target = lg0[c] > lg0[target] ? c : target;
    smug_trace_clear(&t);
    if (smug_fullnet_attach(net, x, target, 1e-6, &p, &err) != 0)
        fail_msg("%s: %s", model, err.msg);
    assert_int_equal(p->k, rows);
    assert_non_null(p->pl);
    assert_int_equal(p->pl->n_logits, net->n_classes);
    smug_grid g = p->grid;
    size_t n_in = smug_shape_size(&net->layers[net->first].in);
    float *z = malloc(n_in * sizeof *z), *zm = malloc(n_in * sizeof *zm);
    assert_int_equal(smug_encode_first_input(net, x, z, &err), 0);
    /* every cell with a nonzero input is a variable */
    uint8_t *is_var = calloc((size_t)g.n_cells, 1);
    for (int i = 0; i < p->n; i++)
        is_var[p->cell[i]] = 1;
    for (size_t q = 0; q < n_in; q++)
        if (z[q] != 0.0f)
            assert_true(is_var[smug_grid_cell_of(&g, smug_net_input_pos(net, q))]);
    double *mc = calloc((size_t)g.n_cells, sizeof *mc), *mv = malloc((size_t)p->n * sizeof *mv);
    double *v = malloc((size_t)p->pl->n_nodes * sizeof *v + 1);
    double *lg = malloc((size_t)net->n_classes * sizeof *lg);
    tu_rng rng = {777};
    for (int s = 0; s < N_MASKS / 2; s++) {
        memset(mc, 0, (size_t)g.n_cells * sizeof *mc);
        for (int i = 0; i < p->n; i++)
            mv[i] = mc[p->cell[i]] = s == 0 ? 1.0 : (double)tu_rng_below(&rng, 2);
        smug_pl_eval(p->pl, mv, v, lg);
        masked_z(net, &g, z, mc, zm);
        assert_int_equal(smug_forward(net, net->first, net->n_layers, zm, 1, &t, &err), 0);
        const float *f = smug_trace_output(&t);
        for (int c = 0; c < net->n_classes; c++)
            if (fabs(lg[c] - (double)f[c]) > 1e-3 * (1.0 + fabs((double)f[c])))
                fail_msg("%s: mask %d: logit %d: encoding %.9g, forward pass %.9g", model, s, c,
                         lg[c], (double)f[c]);
        smug_trace_clear(&t);
    }
    free(z), free(zm), free(is_var), free(mc), free(mv), free(v), free(lg), free(x);
    smug_mask_problem_free(p);
    smug_net_free(net);
}

static void test_eval_matches_forward(void **state)
{
    (void)state;
    check_eval("models/fashion_fc.onnx", "data/fashion/0000_ankle_boot.png", 4);
    check_eval("models/fashion_cnn.onnx", "data/fashion/0003_trouser.png", 4);
    check_eval("models/fashion_deep.onnx", "data/fashion/0005_trouser.png", 2);
    check_eval("tests/data/onnx/avgpool_gap.onnx", "data/fashion/0007_shirt.png", 7);
}

static void test_refusals(void **state)
{
    (void)state;
    smug_error err = SMUG_ERROR_INIT;
    double *lo, *hi;
    smug_net *net = tu_load_model("tests/data/onnx/graph_ops.onnx");
    assert_non_null(net);
    float *x = load_image(net, "data/fashion/0000_ankle_boot.png");
    assert_int_equal(smug_fullnet_intervals(net, x, 4, &lo, &hi, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "layer 'relu6' (operator Clip) cannot be encoded"));
    free(x);
    smug_net_free(net);

    net = tu_load_model("models/fashion_fc.onnx");
    x = load_image(net, "data/fashion/0000_ankle_boot.png");
    int neuron = 0;
    smug_mask_problem *p = NULL;
    for (; neuron < 32; neuron++) {
        err = (smug_error)SMUG_ERROR_INIT;
        if (smug_encode(net, x, &neuron, 1, 0.0, 4, &p, &err) == 0)
            break;
    }
    assert_non_null(p);
    err = (smug_error)SMUG_ERROR_INIT;
    assert_int_equal(smug_fullnet_attach(net, x, 9, 1e6, &p, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "less than the margin"));
    assert_null(p->pl); /* left alone on failure */
    err = (smug_error)SMUG_ERROR_INIT;
    assert_int_equal(smug_fullnet_attach(net, x, 0, 0.01, &p, &err), -1); /* not the class */
    assert_non_null(strstr(err.msg, "no mask can keep it"));
    smug_mask_problem_free(p);
    free(x);
    smug_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intervals_fc),         cmocka_unit_test(test_intervals_deep),
        cmocka_unit_test(test_intervals_cnn),        cmocka_unit_test(test_intervals_pools_groups),
        cmocka_unit_test(test_eval_matches_forward), cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
