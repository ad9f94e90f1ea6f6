/* test_lsc.c — the LSC metric and its boxes (src/eval/lsc.c) on the Fashion-MNIST fixtures.
 *
 * The oracle is written here independently of src/: a crop is resized in double with the
 * half-pixel rule of resize.h, classified by tu_forward_f64 (plain loops in double), and
 * LSC = log(max(0.05, a)) − log softmax_c. The bullets: MaxBox's LSC is −log c(x);
 * a hand-made map whose best box is known yields that box; OptBox is never worse than any
 * box it enumerates (here checked against every one of a 4×4 grid's 100 boxes).
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
#include "smug/input.h"
#include "smug/lsc.h"
#include "testutil.h"

#define SIDE 28
#define NPIX (SIDE * SIDE)

typedef struct fixture {
    smug_net *net;
    float *x;
    int predicted;
} fixture;

static int setup_model(void **state, const char *model, const char *image)
{
    fixture *f = calloc(1, sizeof *f);
    smug_error err = SMUG_ERROR_INIT;
    if (!f || !(f->net = tu_load_model(model)))
        return -1;
    if (smug_input_load(tu_path(image), &f->net->input, 0.0, 1.0, &f->x, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    float logits[10];
    if (smug_net_logits(f->net, f->x, 1, logits, &err) != 0)
        return -1;
    f->predicted = smug_argmax(logits, f->net->n_classes);
    *state = f;
    return 0;
}

static int setup_cnn(void **state)
{
    return setup_model(state, "models/fashion_cnn.onnx", "data/fashion/0001_pullover.png");
}

static int setup_fc(void **state)
{
    return setup_model(state, "models/fashion_fc.onnx", "data/fashion/0000_ankle_boot.png");
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

/* ---- the oracle ---------------------------------------------------------------------- */

/* Half-pixel bilinear sample of the crop [y0,y1)x[x0,x1) at output (oy, ox), in double. */
static double sample(const float *x, const smug_box *b, int oy, int ox)
{
    int ch = b->y1 - b->y0, cw = b->x1 - b->x0;
    double sy = fmax(0.0, (oy + 0.5) * ch / SIDE - 0.5),
           sx = fmax(0.0, (ox + 0.5) * cw / SIDE - 0.5);
    int iy = (int)sy, ix = (int)sx;
    int jy = iy + 1 < ch ? iy + 1 : ch - 1, jx = ix + 1 < cw ? ix + 1 : cw - 1;
    double fy = sy - iy, fx = sx - ix;
#define PX(r, c) ((double)x[(b->y0 + (r)) * SIDE + b->x0 + (c)])
    return (1 - fy) * ((1 - fx) * PX(iy, ix) + fx * PX(iy, jx)) +
           fy * ((1 - fx) * PX(jy, ix) + fx * PX(jy, jx));
#undef PX
}

/* LSC of box b for class c, all in double. */
static double oracle_lsc(const smug_net *net, const float *x, int c, const smug_box *b)
{
    double in[NPIX], logits[10];
    for (int y = 0; y < SIDE; y++)
        for (int xx = 0; xx < SIDE; xx++)
            in[y * SIDE + xx] = sample(x, b, y, xx);
    assert_int_equal(tu_forward_f64(net, 0, net->n_layers, in, logits), 0);
    double mx = logits[0], sum = 0.0;
    for (int k = 1; k < 10; k++)
        mx = fmax(mx, logits[k]);
    for (int k = 0; k < 10; k++)
        sum += exp(logits[k] - mx);
    double area = (double)((b->y1 - b->y0) * (b->x1 - b->x0)) / NPIX;
    return log(fmax(0.05, area)) - (logits[c] - mx - log(sum));
}

static void assert_box(const smug_box *got, int y0, int x0, int y1, int x1)
{
    if (got->y0 != y0 || got->x0 != x0 || got->y1 != y1 || got->x1 != x1)
        fail_msg("box [%d,%d)x[%d,%d), want [%d,%d)x[%d,%d)", got->y0, got->y1, got->x0, got->x1,
                 y0, y1, x0, x1);
}

/* ---- single boxes -------------------------------------------------------------------- */

/* MaxBox: a = 1, so LSC = −log c(x), with c(x) from the f64 forward pass of the unresized
 * image. */
static void test_maxbox_is_minus_log_confidence(void **state)
{
    fixture *f = *state;
    smug_error err = SMUG_ERROR_INIT;
    smug_lsc_result r;
    assert_int_equal(smug_lsc_maxbox(f->net, f->x, f->predicted, &r, &err), 0);
    double in[NPIX], logits[10], sum = 0.0;
    for (int p = 0; p < NPIX; p++)
        in[p] = f->x[p];
    assert_int_equal(tu_forward_f64(f->net, 0, f->net->n_layers, in, logits), 0);
    for (int k = 0; k < 10; k++)
        sum += exp(logits[k]);
    double c_full = exp(logits[f->predicted]) / sum;
    tu_assert_close(r.lsc, -log(c_full), 1e-5);
    tu_assert_close(r.confidence, c_full, 1e-6);
    tu_assert_close(r.area, 1.0, 0.0);
    assert_box(&r.box, 0, 0, SIDE, SIDE);
    assert_int_equal(r.n_boxes, 1);
}

/* Boxes of several shapes and positions against the oracle (which also checks the crop
 * and resize end to end); the smallest has a < 0.05, so the area clip is exercised too. */
static void test_box_matches_oracle(void **state)
{
    fixture *f = *state;
    const smug_box boxes[] = {{0, 0, 14, 14}, {5, 3, 27, 20}, {10, 10, 14, 15}, {0, 7, 28, 21}};
    for (size_t i = 0; i < sizeof boxes / sizeof *boxes; i++) {
        smug_error err = SMUG_ERROR_INIT;
        smug_lsc_result r;
        assert_int_equal(smug_lsc_box(f->net, f->x, f->predicted, &boxes[i], &r, &err), 0);
        tu_assert_close(r.lsc, oracle_lsc(f->net, f->x, f->predicted, &boxes[i]), 1e-4);
        tu_assert_close(r.lsc, smug_lsc_value(r.area, log(r.confidence)), 1e-9);
    }
    smug_lsc_result r;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_lsc_box(f->net, f->x, f->predicted, &boxes[2], &r, &err), 0);
    tu_assert_close(r.area, 20.0 / NPIX, 1e-12);
    tu_assert_close(r.lsc, log(0.05) - log(r.confidence), 1e-9);
}

/* CenterBox on 28×28: sides round(28/√2) = 20 at offset 4 — 400/784 of the image. */
static void test_centerbox_geometry(void **state)
{
    fixture *f = *state;
    smug_error err = SMUG_ERROR_INIT;
    smug_lsc_result r;
    assert_int_equal(smug_lsc_centerbox(f->net, f->x, f->predicted, &r, &err), 0);
    assert_box(&r.box, 4, 4, 24, 24);
    tu_assert_close(r.area, 400.0 / NPIX, 1e-12);
    tu_assert_close(r.lsc, oracle_lsc(f->net, f->x, f->predicted, &r.box), 1e-4);
}

/* ---- OptBox -------------------------------------------------------------------------- */

/* A 4×4 grid on 28 pixels has lines at 0, 7, 14, 21, 28 and (4·5/2)² = 100 boxes: OptBox is
 * no worse than any of them, equals the best, and its box is one of them. */
static void test_optbox_is_the_best_grid_box(void **state)
{
    fixture *f = *state;
    smug_error err = SMUG_ERROR_INIT;
    smug_lsc_result opt;
    assert_int_equal(smug_lsc_optbox(f->net, f->x, f->predicted, 4, &opt, &err), 0);
    assert_int_equal(opt.n_boxes, 100);
    double best = INFINITY;
    int n = 0, found = 0;
    for (int a = 0; a < 4; a++)
        for (int b = a + 1; b <= 4; b++)
            for (int p = 0; p < 4; p++)
                for (int q = p + 1; q <= 4; q++, n++) {
                    smug_box box = {7 * a, 7 * p, 7 * b, 7 * q};
                    smug_lsc_result r;
                    assert_int_equal(smug_lsc_box(f->net, f->x, f->predicted, &box, &r, &err), 0);
                    if (opt.lsc > r.lsc + 1e-6)
                        fail_msg("OptBox %.9g is worse than box [%d,%d)x[%d,%d): %.9g", opt.lsc,
                                 box.y0, box.y1, box.x0, box.x1, r.lsc);
                    best = fmin(best, r.lsc);
                    found |= memcmp(&box, &opt.box, sizeof box) == 0;
                }
    assert_int_equal(n, 100);
    assert_true(found);
    tu_assert_close(opt.lsc, best, 1e-6);
}

/* The default 10×10 grid: 3025 boxes in batches; MaxBox is one of them, so OptBox can only
 * be better; every box corner lies on a grid line ⌊k·28/10⌋. */
static void test_optbox_ten_by_ten(void **state)
{
    fixture *f = *state;
    smug_error err = SMUG_ERROR_INIT;
    smug_lsc_result opt, max;
    assert_int_equal(smug_lsc_optbox(f->net, f->x, f->predicted, 10, &opt, &err), 0);
    assert_int_equal(smug_lsc_maxbox(f->net, f->x, f->predicted, &max, &err), 0);
    assert_int_equal(opt.n_boxes, 3025);
    assert_true(opt.lsc <= max.lsc + 1e-6);
    int on_grid[4] = {0, 0, 0, 0}, corner[4] = {opt.box.y0, opt.box.x0, opt.box.y1, opt.box.x1};
    for (int k = 0; k <= 10; k++)
        for (int i = 0; i < 4; i++)
            on_grid[i] |= corner[i] == k * SIDE / 10;
    assert_true(on_grid[0] && on_grid[1] && on_grid[2] && on_grid[3]);
    tu_assert_close(opt.lsc, oracle_lsc(f->net, f->x, f->predicted, &opt.box), 1e-4);
}

/* ---- saliency maps ------------------------------------------------------------------- */

/* Three nested rectangles scored 1 < 2 < 3 and negative noise elsewhere: the sweep can only
 * cut at 1, 2 or 3, so exactly these three boxes are candidates; the oracle says which is
 * best, and the map must give that box, its threshold and its LSC. */
static void test_map_with_known_best_box(void **state)
{
    fixture *f = *state;
    const smug_box rect[3] = {{2, 1, 26, 27}, {6, 5, 22, 21}, {11, 9, 17, 19}};
    float map[NPIX];
    for (int p = 0; p < NPIX; p++)
        map[p] = -0.01f * (float)(p % 7);
    for (int k = 0; k < 3; k++)
        for (int y = rect[k].y0; y < rect[k].y1; y++)
            for (int x = rect[k].x0; x < rect[k].x1; x++)
                map[y * SIDE + x] = (float)(k + 1);
    int best = 0;
    double lsc[3];
    for (int k = 0; k < 3; k++) {
        lsc[k] = oracle_lsc(f->net, f->x, f->predicted, &rect[k]);
        best = lsc[k] < lsc[best] ? k : best;
    }
    smug_lsc_map_opts o = SMUG_LSC_MAP_OPTS_INIT;
    smug_lsc_result r;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_lsc_map(f->net, f->x, f->predicted, map, &o, &r, &err), 0);
    assert_int_equal(r.n_boxes, 3);
    assert_box(&r.box, rect[best].y0, rect[best].x0, rect[best].y1, rect[best].x1);
    tu_assert_close(r.threshold, best + 1, 0.0);
    tu_assert_close(r.lsc, lsc[best], 1e-4);
}

/* A smooth map with a level per quantile: the sweep's boxes are recomputed here from the
 * rule of lsc.h (t_i = v_⌊i·P/levels⌋ of the sorted positive values, tightest box around
 * map >= t_i), and the result must be the best of them and cut at its own threshold. */
static int cmp_float(const void *a, const void *b)
{
    float u = *(const float *)a, v = *(const float *)b;
    return (u > v) - (u < v);
}

static void test_map_sweep_follows_the_documented_rule(void **state)
{
    fixture *f = *state;
    const int levels = 12;
    float map[NPIX], pos[NPIX];
    int n_pos = 0;
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            float v = 1.0f - (float)(fabs(y - 17.0) / 12.0 + fabs(x - 9.0) / 20.0);
            map[y * SIDE + x] = v;
            if (v > 0.0f)
                pos[n_pos++] = v;
        }
    qsort(pos, (size_t)n_pos, sizeof *pos, cmp_float);
    double best = INFINITY;
    smug_error err = SMUG_ERROR_INIT;
    for (int i = 0; i < levels; i++) {
        float t = pos[i * n_pos / levels];
        smug_box b = {SIDE, SIDE, 0, 0};
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < SIDE; x++)
                if (map[y * SIDE + x] >= t) {
                    b.y0 = y < b.y0 ? y : b.y0, b.x0 = x < b.x0 ? x : b.x0;
                    b.y1 = y >= b.y1 ? y + 1 : b.y1, b.x1 = x >= b.x1 ? x + 1 : b.x1;
                }
        smug_lsc_result r;
        assert_int_equal(smug_lsc_box(f->net, f->x, f->predicted, &b, &r, &err), 0);
        best = fmin(best, r.lsc);
    }
    smug_lsc_map_opts o = {levels};
    smug_lsc_result r;
    assert_int_equal(smug_lsc_map(f->net, f->x, f->predicted, map, &o, &r, &err), 0);
    tu_assert_close(r.lsc, best, 1e-6);
    assert_true(r.n_boxes >= 2 && r.n_boxes <= levels);
    /* the reported box is the tightest box around map >= threshold */
    smug_box b = {SIDE, SIDE, 0, 0};
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++)
            if (map[y * SIDE + x] >= (float)r.threshold) {
                b.y0 = y < b.y0 ? y : b.y0, b.x0 = x < b.x0 ? x : b.x0;
                b.y1 = y >= b.y1 ? y + 1 : b.y1, b.x1 = x >= b.x1 ? x + 1 : b.x1;
            }
    assert_box(&r.box, b.y0, b.x0, b.y1, b.x1);
}

/* No positive score (zeros, negatives, a NaN): nothing is salient, so the map's LSC is
 * MaxBox's, with threshold 0. */
static void test_map_without_positive_value_is_maxbox(void **state)
{
    fixture *f = *state;
    float map[NPIX];
    for (int p = 0; p < NPIX; p++)
        map[p] = p % 3 == 0 ? 0.0f : -1.0f;
    map[5] = NAN;
    smug_lsc_map_opts o = SMUG_LSC_MAP_OPTS_INIT;
    smug_lsc_result r, max;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_lsc_map(f->net, f->x, f->predicted, map, &o, &r, &err), 0);
    assert_int_equal(smug_lsc_maxbox(f->net, f->x, f->predicted, &max, &err), 0);
    assert_box(&r.box, 0, 0, SIDE, SIDE);
    tu_assert_close(r.lsc, max.lsc, 0.0);
    tu_assert_close(r.threshold, 0.0, 0.0);
}

/* ---- a sequence input ------------------------------------------------------------------ */

/* testutil's 1-D conv over (C, L) = (2, 10), its 25 outputs read as classes: the image is
 * one row, so CenterBox is the centred half [2, 7) and a 4-cell OptBox has 4·5/2 = 10 boxes,
 * all one row high; every box still matches the f64 oracle's box LSC via smug_lsc_box. */
static void test_sequence_input(void **state)
{
    (void)state;
    smug_net *net = tu_synthetic_net(1);
    assert_non_null(net);
    float x[20];
    for (int i = 0; i < 20; i++)
        x[i] = (float)cos(i * 1.3);
    smug_lsc_result r, b;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_lsc_centerbox(net, x, 7, &r, &err), 0);
    assert_box(&r.box, 0, 2, 1, 7);
    tu_assert_close(r.area, 0.5, 1e-12);
    assert_int_equal(smug_lsc_optbox(net, x, 7, 4, &r, &err), 0);
    assert_int_equal(r.n_boxes, 10);
    assert_true(r.box.y0 == 0 && r.box.y1 == 1);
    const int lines[5] = {0, 2, 5, 7, 10};
    for (int p = 0; p < 4; p++)
        for (int q = p + 1; q <= 4; q++) {
            smug_box box = {0, lines[p], 1, lines[q]};
            assert_int_equal(smug_lsc_box(net, x, 7, &box, &b, &err), 0);
            assert_true(r.lsc <= b.lsc + 1e-6);
        }
    assert_int_equal(smug_lsc_optbox(net, x, 7, 11, &r, &err), -1);
    assert_string_equal(err.msg, "OptBox: grid size must be in [1, 10]: got 11");
    smug_net_free(net);
}

/* ---- errors -------------------------------------------------------------------------- */

static void test_usage_errors(void **state)
{
    fixture *f = *state;
    smug_error err = SMUG_ERROR_INIT;
    smug_lsc_result r;
    smug_box outside = {0, 0, 29, 10}, empty = {4, 4, 4, 9};
    assert_int_equal(smug_lsc_box(f->net, f->x, f->predicted, &outside, &r, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "outside the 28x28 image"));
    assert_int_equal(smug_lsc_box(f->net, f->x, f->predicted, &empty, &r, &err), -1);
    assert_int_equal(smug_lsc_maxbox(f->net, f->x, 10, &r, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "target class 10"));
    assert_int_equal(smug_lsc_optbox(f->net, f->x, f->predicted, 0, &r, &err), -1);
    assert_int_equal(smug_lsc_optbox(f->net, f->x, f->predicted, 29, &r, &err), -1);
    assert_string_equal(err.msg, "OptBox: grid size must be in [1, 28]: got 29");
    float map[NPIX] = {0};
    smug_lsc_map_opts o = {0};
    assert_int_equal(smug_lsc_map(f->net, f->x, f->predicted, map, &o, &r, &err), -1);
    assert_string_equal(err.msg, "LSC: threshold levels must be >= 1: got 0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_maxbox_is_minus_log_confidence, setup_cnn, teardown),
        cmocka_unit_test_setup_teardown(test_maxbox_is_minus_log_confidence, setup_fc, teardown),
        cmocka_unit_test_setup_teardown(test_box_matches_oracle, setup_cnn, teardown),
        cmocka_unit_test_setup_teardown(test_box_matches_oracle, setup_fc, teardown),
        cmocka_unit_test_setup_teardown(test_centerbox_geometry, setup_fc, teardown),
        cmocka_unit_test_setup_teardown(test_optbox_is_the_best_grid_box, setup_cnn, teardown),
        cmocka_unit_test_setup_teardown(test_optbox_ten_by_ten, setup_cnn, teardown),
        cmocka_unit_test_setup_teardown(test_map_with_known_best_box, setup_cnn, teardown),
        cmocka_unit_test_setup_teardown(test_map_with_known_best_box, setup_fc, teardown),
        cmocka_unit_test_setup_teardown(test_map_sweep_follows_the_documented_rule, setup_cnn,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_map_without_positive_value_is_maxbox, setup_fc,
                                        teardown),
        cmocka_unit_test(test_sequence_input),
        cmocka_unit_test_setup_teardown(test_usage_errors, setup_fc, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
