/* test_score.c — SMUG_base and SMUG saliency maps (src/explain/score.c).
 *
 * Expected maps are computed here from the conv geometry alone (each output covers the
 * kernel-sized rectangle at out·stride − pad, clipped to the image), not from
 * smug_net_receptive_field, so the two derivations check each other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/grid.h"
#include "smug/net.h"
#include "smug/score.h"
#include "testutil.h"

#define N_CNN_FIRST (8 * 14 * 14)

/* ---- an independent oracle -------------------------------------------------------- */

/* Expected map of a conv first layer: for every chosen neuron, its pixel rectangle. */
static void oracle_conv(const smug_layer *f, const int *neurons, int k, const float *ig,
                        int use_max, double *out)
{
    int ci, hi, wi, co, ho, wo;
    smug_shape_chw(&f->in, &ci, &hi, &wi);
    smug_shape_chw(&f->out, &co, &ho, &wo);
    char *covered = calloc((size_t)hi * (size_t)wi, 1);
    assert_non_null(covered);
    for (int p = 0; p < hi * wi; p++)
        out[p] = 0.0;
    for (int t = 0; t < k; t++) {
        int pos = neurons[t] % (ho * wo), oy = pos / wo, ox = pos % wo;
        int y0 = oy * f->win.sh - f->win.pad_top, x0 = ox * f->win.sw - f->win.pad_left;
        for (int y = y0; y < y0 + f->win.kh; y++)
            for (int x = x0; x < x0 + f->win.kw; x++) {
                if (y < 0 || y >= hi || x < 0 || x >= wi)
                    continue;
                double v = ig[neurons[t]], *o = &out[y * wi + x];
                if (!use_max)
                    *o += v;
                else if (!covered[y * wi + x] || v > *o)
                    *o = v;
                covered[y * wi + x] = 1;
            }
    }
    free(covered);
}

static void assert_map_equals(const float *got, const double *want, size_t n)
{
    for (size_t p = 0; p < n; p++)
        if (fabs((double)got[p] - want[p]) > 1e-5 * (1.0 + fabs(want[p])))
            fail_msg("pixel %zu: got %.9g, want %.9g", p, (double)got[p], want[p]);
}

/* ---- fashion_cnn: Conv 1->8, 3x3, stride 2, pad 1, 28x28 -> 14x14 -------------------- */

/* neuron id of channel c, output (oy, ox) */
static int cnn_id(int c, int oy, int ox)
{
    return c * 196 + oy * 14 + ox;
}

typedef struct cnn_case {
    smug_net *net;
    float ig[N_CNN_FIRST];
    int neurons[5];
    int k;
} cnn_case;

static int setup_cnn(void **state)
{
    cnn_case *c = calloc(1, sizeof *c);
    if (!c || !(c->net = tu_load_model("models/fashion_cnn.onnx")))
        return -1;
    for (int i = 0; i < N_CNN_FIRST; i++)
        c->ig[i] = 100.0f; /* never read: only chosen neurons count */
    int ids[5] = {cnn_id(0, 0, 0), cnn_id(3, 0, 0), cnn_id(1, 1, 1), cnn_id(5, 6, 7),
                  cnn_id(7, 13, 13)};
    float vals[5] = {0.5f, 0.25f, 2.0f, 1.0f, -0.75f};
    for (int i = 0; i < 5; i++) {
        c->neurons[i] = ids[i];
        c->ig[ids[i]] = vals[i];
    }
    c->k = 5;
    *state = c;
    return 0;
}

static int teardown_cnn(void **state)
{
    cnn_case *c = *state;
    smug_net_free(c->net);
    free(c);
    return 0;
}

static void test_cnn_geometry_is_as_documented(void **state)
{
    cnn_case *c = *state;
    const smug_layer *f = &c->net->layers[c->net->first];
    assert_int_equal(f->kind, SMUG_LAYER_CONV);
    assert_int_equal(f->win.kh, 3);
    assert_int_equal(f->win.sh, 2);
    assert_int_equal(f->win.pad_top, 1);
    assert_int_equal(smug_net_first_size(c->net), N_CNN_FIRST);
    int h, w;
    smug_score_dims(c->net, &h, &w);
    assert_int_equal(h, 28);
    assert_int_equal(w, 28);
}

static void test_cnn_sum_at_known_pixels(void **state)
{
    cnn_case *c = *state;
    smug_error err = SMUG_ERROR_INIT;
    float map[784];
    assert_int_equal(smug_score_base(c->net, c->neurons, c->k, c->ig, SMUG_SCORE_SUM, map, &err),
                     0);
    /* (0,0): only output (0,0) of each channel: channels 0 and 3 */
    tu_assert_close(map[0 * 28 + 0], 0.75, 1e-6);
    /* (1,1): outputs (0..1, 0..1): (0,0) in ch 0, 3 and (1,1) in ch 1 */
    tu_assert_close(map[1 * 28 + 1], 2.75, 1e-6);
    /* (2,2): even pixels only see output (1,1) */
    tu_assert_close(map[2 * 28 + 2], 2.0, 1e-6);
    tu_assert_close(map[3 * 28 + 3], 2.0, 1e-6);
    /* output (6,7) covers rows 11..13, columns 13..15 */
    tu_assert_close(map[11 * 28 + 13], 1.0, 1e-6);
    tu_assert_close(map[13 * 28 + 15], 1.0, 1e-6);
    tu_assert_close(map[14 * 28 + 15], 0.0, 0.0);
    tu_assert_close(map[10 * 28 + 13], 0.0, 0.0);
    /* the corner output (13,13) covers rows/columns 25..27 (27 is its padding's edge) */
    tu_assert_close(map[27 * 28 + 27], -0.75, 1e-6);
    tu_assert_close(map[25 * 28 + 25], -0.75, 1e-6);
    tu_assert_close(map[24 * 28 + 25], 0.0, 0.0);
    tu_assert_close(map[5 * 28 + 5], 0.0, 0.0); /* covered by no chosen neuron */
    double want[784];
    oracle_conv(&c->net->layers[c->net->first], c->neurons, c->k, c->ig, 0, want);
    assert_map_equals(map, want, 784);
}

static void test_cnn_max_differs_from_sum(void **state)
{
    cnn_case *c = *state;
    smug_error err = SMUG_ERROR_INIT;
    float map[784];
    assert_int_equal(smug_score_base(c->net, c->neurons, c->k, c->ig, SMUG_SCORE_MAX, map, &err),
                     0);
    tu_assert_close(map[0], 0.5, 1e-6);             /* max(0.5, 0.25), not 0.75 */
    tu_assert_close(map[1 * 28 + 1], 2.0, 1e-6);    /* max(0.5, 0.25, 2.0) */
    tu_assert_close(map[2 * 28 + 2], 2.0, 1e-6);    /* one neuron: sum = max */
    tu_assert_close(map[27 * 28 + 27], -0.75, 0.0); /* a lone negative stays negative */
    tu_assert_close(map[5 * 28 + 5], 0.0, 0.0);
    double want[784];
    oracle_conv(&c->net->layers[c->net->first], c->neurons, c->k, c->ig, 1, want);
    assert_map_equals(map, want, 784);
}

static void test_cnn_no_neurons_is_all_zero(void **state)
{
    cnn_case *c = *state;
    smug_error err = SMUG_ERROR_INIT;
    float map[784];
    memset(map, 0xff, sizeof map);
    assert_int_equal(smug_score_base(c->net, c->neurons, 0, c->ig, SMUG_SCORE_MAX, map, &err), 0);
    for (int p = 0; p < 784; p++)
        assert_true(map[p] == 0.0f);
}

static void test_cnn_bad_neuron_is_a_usage_error(void **state)
{
    cnn_case *c = *state;
    smug_error err = SMUG_ERROR_INIT;
    float map[784];
    int bad[2] = {3, N_CNN_FIRST};
    assert_int_equal(smug_score_base(c->net, bad, 2, c->ig, SMUG_SCORE_SUM, map, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "neuron 1568 out of range [0, 1568)"));
    int neg = -1;
    assert_int_equal(smug_score_base(c->net, &neg, 1, c->ig, SMUG_SCORE_SUM, map, &err), -1);
    assert_int_equal(smug_score_base(c->net, &neg, -2, c->ig, SMUG_SCORE_SUM, map, &err), -1);
    assert_non_null(strstr(err.msg, "got -2"));
}

/* ---- dense: every neuron sees every pixel -------------------------------------------- */

static void test_dense_map_is_constant(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_fc.onnx");
    assert_non_null(net);
    float ig[32];
    for (int i = 0; i < 32; i++)
        ig[i] = (float)(i - 10) / 8.0f;
    int neurons[4] = {31, 0, 12, 20}; /* ig 2.625, -1.25, 0.25, 1.25 */
    float map[784];
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_score_base(net, neurons, 4, ig, SMUG_SCORE_SUM, map, &err), 0);
    for (int p = 0; p < 784; p++)
        tu_assert_close(map[p], 2.625 - 1.25 + 0.25 + 1.25, 1e-6);
    assert_int_equal(smug_score_base(net, neurons, 4, ig, SMUG_SCORE_MAX, map, &err), 0);
    for (int p = 0; p < 784; p++)
        tu_assert_close(map[p], 2.625, 0.0);
    smug_net_free(net);
}

/* ---- several input channels and other shapes (synthetic nets) ------------------------ */

/* Every neuron of synthetic net k, ig = 1 + id/10: the oracle's maps under both rules. */
static void check_all_neurons(int k)
{
    smug_net *net = tu_synthetic_net(k);
    assert_non_null(net);
    size_t n = smug_net_first_size(net);
    int h, w;
    smug_score_dims(net, &h, &w);
    int *ids = malloc(n * sizeof *ids);
    float *ig = malloc(n * sizeof *ig), *map = malloc((size_t)(h * w) * sizeof *map);
    double *want = malloc((size_t)(h * w) * sizeof *want);
    assert_true(ids && ig && map && want);
    for (size_t i = 0; i < n; i++)
        ids[i] = (int)(n - 1 - i), ig[i] = 1.0f + (float)i / 10.0f;
    smug_error err = SMUG_ERROR_INIT;
    for (int rule = 0; rule < 2; rule++) {
        assert_int_equal(smug_score_base(net, ids, (int)n, ig, (smug_score_rule)rule, map, &err),
                         0);
        oracle_conv(&net->layers[net->first], ids, (int)n, ig, rule, want);
        assert_map_equals(map, want, (size_t)(h * w));
    }
    free(ids), free(ig), free(map), free(want);
    smug_net_free(net);
}

/* 3 input channels, asymmetric pads and strides: a pixel seen in all channels counts once */
static void test_multichannel_counts_each_pixel_once(void **state)
{
    (void)state;
    check_all_neurons(0);
}

/* 1-D conv over (C, L): the map is 1 x L */
static void test_sequence_map_is_one_row(void **state)
{
    (void)state;
    smug_net *net = tu_synthetic_net(1);
    assert_non_null(net);
    int h, w;
    smug_score_dims(net, &h, &w);
    assert_int_equal(h, 1);
    assert_int_equal(w, 10);
    smug_net_free(net);
    check_all_neurons(1);
}

/* ImageNet-sized: Conv 3->64, 7x7, stride 2, pad 3 on 224x224, k = 3000 */
static void test_imagenet_sized(void **state)
{
    (void)state;
    smug_layer l;
    memset(&l, 0, sizeof l);
    l.kind = SMUG_LAYER_CONV;
    l.in = (smug_shape){3, {3, 224, 224}};
    l.out = (smug_shape){3, {64, 112, 112}};
    l.n_in = 3, l.n_out = 64;
    l.win = (smug_window){7, 7, 2, 2, 3, 3, 3, 3, 1, 1};
    l.weight = calloc(64 * 3 * 49, sizeof(float));
    l.bias = calloc(64, sizeof(float));
    assert_true(l.weight && l.bias);
    smug_net *net = tu_net_from_layers(&l, 1);
    free(l.weight), free(l.bias);
    assert_non_null(net);
    size_t n = smug_net_first_size(net);
    enum { K = 3000, P = 224 * 224 };
    static int ids[K];
    static float map[P];
    static double want[P];
    float *ig = malloc(n * sizeof *ig);
    assert_non_null(ig);
    tu_rng rng = {42};
    for (size_t i = 0; i < n; i++)
        ig[i] = (float)tu_rng_unit(&rng);
    for (int t = 0; t < K; t++) /* distinct: 1000003 is coprime with n = 2^14 · 49 */
        ids[t] = (int)(((size_t)t * 1000003u) % n);
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_score_base(net, ids, K, ig, SMUG_SCORE_SUM, map, &err), 0);
    oracle_conv(&net->layers[0], ids, K, ig, 0, want);
    assert_map_equals(map, want, P);
    free(ig);
    smug_net_free(net);
}

/* ---- the SMUG map: base × cell mask ------------------------------------------------- */

static void test_masked_map_keeps_only_kept_cells(void **state)
{
    cnn_case *c = *state;
    smug_error err = SMUG_ERROR_INIT;
    float base[784], masked[784];
    for (int rule = 0; rule < 2; rule++) {
        assert_int_equal(
            smug_score_base(c->net, c->neurons, c->k, c->ig, (smug_score_rule)rule, base, &err), 0);
        for (int win = 1; win <= 5; win += 2) { /* 3 and 5 leave smaller edge blocks */
            smug_grid g;
            assert_int_equal(smug_grid_init(&g, &c->net->input, win, &err), 0);
            uint8_t mask[784], keep[784];
            for (int cell = 0; cell < g.n_cells; cell++)
                mask[cell] = (uint8_t)((cell * 7 + win) % 3 == 0 ? (cell % 2 ? 1 : 9) : 0);
            smug_score_mask_pixels(&g, mask, keep);
            smug_score_masked(&g, mask, base, masked);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) {
                    int p = y * 28 + x, kept = mask[(y / win) * g.cols + x / win] != 0;
                    assert_int_equal(keep[p], kept);
                    assert_true(masked[p] == (kept ? base[p] : 0.0f));
                }
            smug_score_masked(&g, mask, base, base); /* in place */
            assert_memory_equal(base, masked, sizeof base);
            assert_int_equal(
                smug_score_base(c->net, c->neurons, c->k, c->ig, (smug_score_rule)rule, base, &err),
                0);
        }
    }
}

static void test_all_kept_and_none_kept(void **state)
{
    cnn_case *c = *state;
    smug_error err = SMUG_ERROR_INIT;
    float base[784], masked[784];
    assert_int_equal(smug_score_base(c->net, c->neurons, c->k, c->ig, SMUG_SCORE_SUM, base, &err),
                     0);
    smug_grid g;
    assert_int_equal(smug_grid_init(&g, &c->net->input, 4, &err), 0);
    assert_int_equal(g.n_cells, 49);
    uint8_t mask[49];
    memset(mask, 1, sizeof mask);
    smug_score_masked(&g, mask, base, masked);
    assert_memory_equal(base, masked, sizeof base);
    memset(mask, 0, sizeof mask);
    smug_score_masked(&g, mask, base, masked);
    for (int p = 0; p < 784; p++)
        assert_true(masked[p] == 0.0f);
}

static void test_rule_names(void **state)
{
    (void)state;
    assert_string_equal(smug_score_rule_name(SMUG_SCORE_SUM), "sum");
    assert_string_equal(smug_score_rule_name(SMUG_SCORE_MAX), "max");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cnn_geometry_is_as_documented, setup_cnn,
                                        teardown_cnn),
        cmocka_unit_test_setup_teardown(test_cnn_sum_at_known_pixels, setup_cnn, teardown_cnn),
        cmocka_unit_test_setup_teardown(test_cnn_max_differs_from_sum, setup_cnn, teardown_cnn),
        cmocka_unit_test_setup_teardown(test_cnn_no_neurons_is_all_zero, setup_cnn, teardown_cnn),
        cmocka_unit_test_setup_teardown(test_cnn_bad_neuron_is_a_usage_error, setup_cnn,
                                        teardown_cnn),
        cmocka_unit_test(test_dense_map_is_constant),
        cmocka_unit_test(test_multichannel_counts_each_pixel_once),
        cmocka_unit_test(test_sequence_map_is_one_row),
        cmocka_unit_test(test_imagenet_sized),
        cmocka_unit_test_setup_teardown(test_masked_map_keeps_only_kept_cells, setup_cnn,
                                        teardown_cnn),
        cmocka_unit_test_setup_teardown(test_all_kept_and_none_kept, setup_cnn, teardown_cnn),
        cmocka_unit_test(test_rule_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
