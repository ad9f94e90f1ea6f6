/* test_verify.c — the forward-pass check of a mask (src/mask/verify.c) against values
 * computed here:
 *  - the slack of every row, o_j(mask) − γ·o_j, from testutil's float64 layer loops on z
 *    (itself from the preprocessing layers in float64) with the dropped cells' positions
 *    zeroed;
 *  - the prediction and the target's probability on the masked input from smug_net_logits
 *    on a model input rebuilt so that the preprocessing maps every dropped position to 0
 *    (0 through fashion_fc's Flatten, −shift/scale through fashion_cnn's Sub/Div).
 * Masks: the greedy incumbent (must pass, min_slack > 0), the incumbent without a cell some
 * row needs (must fail, naming a failing neuron), every cell (must pass with slack
 * (1 − γ)·o_j), no cell at all. The text model (test_text) is checked through token ids
 * instead: a dropped token becomes the padding id, whose embedding row is zero. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/bounds.h"
#include "smug/encode.h"
#include "smug/forward.h"
#include "smug/input.h"
#include "smug/params.h"
#include "smug/pipeline.h"
#include "smug/verify.h"
#include "testutil.h"

#define TOL_REL 1e-4 /* float32 forward vs float64, relative to 1 + Σ_c |a_jc| */

typedef struct vcase {
    const char *name;
    smug_net *net;
    float *x;
    smug_explanation ex;
    smug_mask_problem *p;
    smug_bounds b;
    double *z; /* the first layer's input, float64 */
    double *o; /* [size(first.out)] unmasked pre-activations, float64 */
    double tol;
} vcase;

static void case_load(vcase *c, const char *model, const char *image, int k, int window,
                      double gamma)
{
    memset(c, 0, sizeof *c);
    c->name = image;
    c->net = tu_load_model(model);
    assert_non_null(c->net);
    smug_error err = SMUG_ERROR_INIT;
    if (smug_input_load(tu_path(image), &c->net->input, 0.0, 1.0, &c->x, &err) != 0)
        fail_msg("%s: %s", image, err.msg);
    smug_params prm;
    smug_params_defaults(&prm);
    prm.top_k = k;
    prm.window = window;
    prm.gamma = gamma;
    prm.steps = 32;
    if (smug_pipeline_neurons(c->net, c->x, &prm, &c->ex, &err) != 0)
        fail_msg("pipeline: %s", err.msg);
    if (smug_encode(c->net, c->x, c->ex.neurons, c->ex.n_neurons, gamma, window, &c->p, &err) != 0)
        fail_msg("encode: %s", err.msg);
    if (smug_bounds_compute(c->p, &c->b, &err) != 0)
        fail_msg("bounds: %s", err.msg);

    const smug_net *net = c->net;
    size_t n_x = smug_shape_size(&net->input);
    size_t n_z = smug_shape_size(&net->layers[net->first].in);
    c->z = malloc(n_z * sizeof *c->z);
    c->o = malloc(smug_net_first_size(net) * sizeof *c->o);
    double *xd = malloc(n_x * sizeof *xd);
    assert_true(c->z && c->o && xd);
    for (size_t i = 0; i < n_x; i++)
        xd[i] = c->x[i];
    if (net->first > 0)
        assert_int_equal(tu_forward_f64(net, 0, net->first, xd, c->z), 0);
    else
        memcpy(c->z, xd, n_z * sizeof *xd);
    assert_int_equal(tu_forward_f64(net, net->first, net->first + 1, c->z, c->o), 0);
    free(xd);

    double worst = 0.0;
    for (int j = 0; j < c->p->k; j++) {
        double s = 0.0;
        for (int i = 0; i < c->p->n; i++)
            s += fabs(smug_mask_problem_coef(c->p, j, i));
        worst = s > worst ? s : worst;
    }
    c->tol = TOL_REL * (1.0 + worst);
}

static void case_free(vcase *c)
{
    smug_bounds_clear(&c->b);
    smug_mask_problem_free(c->p);
    smug_explanation_clear(&c->ex);
    free(c->z);
    free(c->o);
    free(c->x);
    smug_net_free(c->net);
}

/* slack[k]: o_j(mask) − γ·o_j of every row in float64, the dropped cells' positions of z
 * set to 0. */
static void slacks(const vcase *c, const uint8_t *cells, double *slack)
{
    const smug_net *net = c->net;
    const smug_grid *g = &c->p->grid;
    size_t n_z = smug_shape_size(&net->layers[net->first].in);
    double *zm = malloc(n_z * sizeof *zm), *om = malloc(smug_net_first_size(net) * sizeof *om);
    size_t cap = smug_grid_max_cell_size(g);
    size_t *pos = malloc(cap * sizeof *pos);
    assert_true(zm && om && pos);
    memcpy(zm, c->z, n_z * sizeof *zm);
    for (int cell = 0; cell < g->n_cells; cell++) {
        if (cells[cell])
            continue;
        size_t m = smug_grid_cell_positions(g, cell, pos, cap);
        for (size_t i = 0; i < m; i++)
            zm[pos[i]] = 0.0;
    }
    assert_int_equal(tu_forward_f64(net, net->first, net->first + 1, zm, om), 0);
    for (int j = 0; j < c->p->k; j++) {
        int id = c->p->neuron[j];
        slack[j] = om[id] - c->p->gamma * c->o[id];
    }
    free(zm), free(om), free(pos);
}

/* The model input whose preprocessing gives z with the dropped cells at 0: the input
 * itself where kept; 0 under a Flatten/Reshape; −shift/scale under an elementwise Affine. */
static float *masked_model_input(const vcase *c, const uint8_t *cells)
{
    const smug_net *net = c->net;
    size_t n = smug_shape_size(&net->input);
    float *xm = malloc(n * sizeof *xm);
    assert_non_null(xm);
    memcpy(xm, c->x, n * sizeof *xm);
    const smug_layer *affine = NULL;
    for (int i = 0; i < net->first; i++) {
        const smug_layer *l = &net->layers[i];
        if (l->kind == SMUG_LAYER_AFFINE) {
            assert_null(affine); /* one Sub/Div: enough for the fixtures */
            affine = l;
        } else {
            assert_int_equal(l->kind, SMUG_LAYER_RESHAPE);
        }
    }
    for (size_t p = 0; p < n; p++)
        if (!cells[smug_grid_cell_of(&c->p->grid, p)])
            xm[p] = affine ? -affine->shift[p] / affine->scale[p] : 0.0f;
    return xm;
}

/* Runs smug_verify_mask on cells and checks every field against the independent values.
 * Returns the verdict. */
static smug_verdict check_verdict(const vcase *c, const uint8_t *cells, int target)
{
    const smug_mask_problem *p = c->p;
    smug_verdict v;
    memset(&v, 0x5A, sizeof v);
    smug_error err = SMUG_ERROR_INIT;
    if (smug_verify_mask(c->net, c->x, p, cells, target, &v, &err) != 0)
        fail_msg("verify: %s", err.msg);

    double *slack = malloc((size_t)p->k * sizeof *slack);
    assert_non_null(slack);
    slacks(c, cells, slack);
    double min = slack[0];
    int first_bad = -1, clear = 1;
    for (int j = 0; j < p->k; j++) {
        min = slack[j] < min ? slack[j] : min;
        if (slack[j] <= 0.0 && first_bad < 0)
            first_bad = j;
        clear &= fabs(slack[j]) > c->tol;
    }
    tu_assert_close(v.min_slack, min, c->tol);
    if (clear) {
        assert_int_equal(v.ok, first_bad < 0);
        assert_int_equal(v.failed_neuron, first_bad < 0 ? -1 : p->neuron[first_bad]);
    } else if (!v.ok) { /* some slack is near 0: the named neuron must be near failing */
        int row = -1;
        for (int j = 0; j < p->k; j++)
            if (p->neuron[j] == v.failed_neuron)
                row = j;
        assert_true(row >= 0);
        assert_true(slack[row] <= c->tol);
    }
    assert_true(v.ok ? v.failed_neuron == -1 && v.min_slack > 0.0
                     : v.failed_neuron >= 0 && v.min_slack <= 0.0);

    /* the whole network on the masked input */
    float *xm = masked_model_input(c, cells);
    int nc = c->net->n_classes;
    float *logits = malloc((size_t)nc * sizeof *logits), *prob = malloc((size_t)nc * sizeof *prob);
    assert_true(logits && prob);
    assert_int_equal(smug_net_logits(c->net, xm, 1, logits, &err), 0);
    smug_softmax(logits, nc, prob);
    int best = 0, second = -1;
    for (int i = 1; i < nc; i++)
        if (logits[i] > logits[best])
            second = best, best = i;
        else if (second < 0 || logits[i] > logits[second])
            second = i;
    if (logits[best] - logits[second] > 1e-4f) /* no near tie */
        assert_int_equal(v.masked_predicted, best);
    tu_assert_close(v.masked_confidence, prob[target], 1e-5);
    free(xm), free(logits), free(prob), free(slack);
    return v;
}

/* Variable mask → cell mask, written out here. */
static void cells_of(const smug_mask_problem *p, const uint8_t *m, uint8_t *cells)
{
    memset(cells, 0, (size_t)p->grid.n_cells);
    for (int i = 0; i < p->n; i++)
        if (m[i])
            cells[p->cell[i]] = 1;
}

static void run_case(const char *model, const char *image, int k, int window, double gamma)
{
    vcase c;
    case_load(&c, model, image, k, window, gamma);
    const smug_mask_problem *p = c.p;
    int nc = p->grid.n_cells, target = c.ex.target, other = (c.ex.target + 1) % 10;
    uint8_t *cells = malloc((size_t)nc), *m = malloc((size_t)p->n);
    uint8_t *cells2 = malloc((size_t)nc);
    assert_true(cells && m && cells2);

    /* the incumbent passes, with positive slack */
    cells_of(p, c.b.incumbent, cells);
    smug_mask_problem_cells(p, c.b.incumbent, cells2);
    assert_memory_equal(cells, cells2, (size_t)nc);
    smug_verdict v = check_verdict(&c, cells, target);
    assert_int_equal(v.ok, 1);
    assert_int_equal(v.failed_neuron, -1);
    assert_true(v.min_slack > 0.0);
    check_verdict(&c, cells, other);

    /* without the cell whose loss hurts a row most: the problem and the network agree */
    int worst_cell = -1;
    double worst = 0.0;
    double *slack = malloc((size_t)p->k * sizeof *slack);
    assert_non_null(slack);
    for (int i = 0; i < p->n; i++) {
        if (!c.b.incumbent[i])
            continue;
        memcpy(m, c.b.incumbent, (size_t)p->n);
        m[i] = 0;
        if (smug_mask_problem_satisfied(p, m))
            continue;
        cells_of(p, m, cells);
        slacks(&c, cells, slack);
        for (int j = 0; j < p->k; j++)
            if (slack[j] < worst)
                worst = slack[j], worst_cell = i;
    }
    assert_true(worst_cell >= 0 && worst < -c.tol);
    memcpy(m, c.b.incumbent, (size_t)p->n);
    m[worst_cell] = 0;
    cells_of(p, m, cells);
    v = check_verdict(&c, cells, target);
    assert_int_equal(v.ok, 0);
    assert_true(v.failed_neuron >= 0);
    assert_true(v.min_slack < 0.0);
    tu_assert_close(v.min_slack, worst, c.tol);

    /* every cell kept: the unmasked network, slack (1 − γ)·min o_j */
    memset(cells, 1, (size_t)nc);
    v = check_verdict(&c, cells, target);
    assert_int_equal(v.ok, 1);
    double want = INFINITY;
    for (int j = 0; j < p->k; j++)
        want = fmin(want, (1.0 - gamma) * c.o[p->neuron[j]]);
    tu_assert_close(v.min_slack, want, c.tol);
    assert_int_equal(v.masked_predicted, c.ex.predicted);
    tu_assert_close(v.masked_confidence, c.ex.confidence, 1e-5);

    /* nothing kept: every dropped position of z is 0 */
    memset(cells, 0, (size_t)nc);
    check_verdict(&c, cells, other);

    print_message("%s %s k %d window %d: incumbent %d cells, min slack %.4g; without cell %d: "
                  "slack %.4g\n",
                  strrchr(model, '/') + 1, strrchr(image, '/') + 1, k, window, c.b.upper,
                  check_verdict(&c, (cells_of(p, c.b.incumbent, cells), cells), target).min_slack,
                  p->cell[worst_cell], worst);
    free(cells), free(cells2), free(m), free(slack);
    case_free(&c);
}

static void test_fc(void **state)
{
    (void)state;
    run_case("models/fashion_fc.onnx", "data/fashion/0000_ankle_boot.png", 8, 2, 0.5);
    run_case("models/fashion_fc.onnx", "data/fashion/0013_dress.png", 4, 1, 0.8);
}

static void test_cnn(void **state)
{
    (void)state;
    run_case("models/fashion_cnn.onnx", "data/fashion/0004_shirt.png", 8, 2, 0.5);
    run_case("models/fashion_cnn.onnx", "data/fashion/0018_bag.png", 8, 1, 0.9);
}

/* Token models: the verifier zeroes a dropped token's embedding. The direct route here
 * never builds z: it replaces every dropped token's id by the padding id, whose embedding
 * row is zero in models/debian_text.onnx, and runs the whole float32 network from token
 * ids (smug_net_eval). Slacks, pass/fail, the masked prediction and its confidence must
 * agree, for the greedy incumbent (must pass), the incumbent without one needed token
 * (must fail), every token, no token and random masks. */
static smug_verdict text_direct(const smug_net *net, const tu_text_ref *r,
                                const smug_mask_problem *p, const uint8_t *cells, const float *o,
                                int target)
{
    float ids[64], om[4096], logits[6];
    for (int t = 0; t < 64; t++)
        ids[t] = cells[smug_grid_cell_of(&p->grid, (size_t)t)] ? r->tokens.v[t] : 0.0f;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_net_eval(net, ids, logits, om, &err), 0);
    smug_verdict v = {1, -1, 0.0, smug_argmax(logits, 6), 0.0f};
    v.masked_confidence = smug_class_score(logits, 6, target, 1);
    for (int j = 0; j < p->k; j++) {
        int id = p->neuron[j];
        double slack = (double)om[id] - p->gamma * (double)o[id];
        v.min_slack = j == 0 || slack < v.min_slack ? slack : v.min_slack;
        if (!(slack > 0.0) && v.ok)
            v.ok = 0, v.failed_neuron = id;
    }
    return v;
}

static void test_text(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/debian_text.onnx");
    assert_non_null(net);
    assert_int_equal(smug_net_first_size(net), 4096);
    for (int d = 0; d < net->layers[0].n_out; d++)
        assert_true(net->layers[0].weight[d] == 0.0f); /* padding row */
    for (int i = 0; i < TU_N_TEXT_REFS; i++) {
        tu_text_ref *r = tu_text_ref_load(i);
        smug_params prm;
        smug_params_defaults(&prm);
        prm.top_k = 16;
        prm.steps = 32;
        smug_explanation ex;
        smug_mask_problem *p = NULL;
        smug_bounds b;
        smug_error err = SMUG_ERROR_INIT;
        float o[4096];
        assert_int_equal(smug_pipeline_neurons(net, r->tokens.v, &prm, &ex, &err), 0);
        assert_int_equal(smug_encode(net, r->tokens.v, ex.neurons, ex.n_neurons, 0.5, 1, &p, &err),
                         0);
        assert_int_equal(smug_bounds_compute(p, &b, &err), 0);
        assert_int_equal(smug_net_eval(net, r->tokens.v, NULL, o, &err), 0);
        uint8_t cells[64], m[64];
        tu_rng rng = {77 + (unsigned long long)i};
        for (int trial = 0; trial < 24; trial++) {
            if (trial == 0 || trial == 1) { /* the incumbent, then without a needed cell */
                memcpy(m, b.incumbent, (size_t)p->n);
                for (int v = 0; trial == 1 && v < p->n; v++)
                    if (m[v]) {
                        m[v] = 0;
                        if (!smug_mask_problem_satisfied(p, m))
                            break;
                        m[v] = 1;
                    }
                smug_mask_problem_cells(p, m, cells);
            } else {
                double keep = trial == 2 ? 1.0 : trial == 3 ? 0.0 : tu_rng_unit(&rng);
                for (int c = 0; c < 64; c++)
                    cells[c] = trial == 2 || tu_rng_unit(&rng) < keep;
            }
            smug_verdict got, want = text_direct(net, r, p, cells, o, ex.target);
            assert_int_equal(smug_verify_mask(net, r->tokens.v, p, cells, ex.target, &got, &err),
                             0);
            assert_int_equal(got.ok, want.ok);
            assert_int_equal(got.failed_neuron, want.failed_neuron);
            tu_assert_close(got.min_slack, want.min_slack, 1e-5);
            assert_int_equal(got.masked_predicted, want.masked_predicted);
            tu_assert_close(got.masked_confidence, want.masked_confidence, 1e-6);
            if (trial == 0 || trial == 2)
                assert_true(got.ok && got.min_slack > 0.0);
            if (trial == 1)
                assert_false(got.ok);
        }
        printf("debian_text_%d: %d rows, %d variables, greedy mask %d of %d tokens\n", i, p->k,
               p->n, b.upper, r->n_tokens);
        smug_bounds_clear(&b);
        smug_mask_problem_free(p);
        smug_explanation_clear(&ex);
        tu_text_ref_free(r);
    }
    smug_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fc),
        cmocka_unit_test(test_cnn),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
