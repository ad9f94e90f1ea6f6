/* test_encode.c — the mask problem's rows (src/mask/encode.c) against routes that do not
 * use it:
 *  - the coefficients a_jc: the first layer alone, copied with a zero bias, run in float64
 *    by testutil's independent loops on z restricted to cell c;
 *  - the masked pre-activation: z with the dropped cells' positions zeroed, then the real
 *    float32 forward pass (smug_forward) over the first layer, must equal
 *    b_j + Σ_c a_jc m_c for random masks;
 *  - o_j, b_j and t_j = γ·o_j − b_j + 1e-5·Σ_c |a_jc| from that same float64 layer;
 *  - which neurons get rows (o_j > 0 only, in the given order), which cells are variables
 *    (a nonzero coefficient in some row), and for convolutions that a row's cells lie in the
 *    neuron's receptive field, computed here from the kernel geometry.
 * Fixtures: fashion_fc and fashion_cnn on data/fashion images with the neurons the pipeline
 * chooses, plus testutil's synthetic single-layer nets (asymmetric-padded 3-channel conv,
 * 1-D conv over (C, L), dense over a flat vector), and the text model models/debian_text.onnx
 * whose cells are tokens (test_text: coefficients from forward passes with tokens zeroed). */
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
#include "smug/grid.h"
#include "smug/input.h"
#include "smug/params.h"
#include "smug/pipeline.h"
#include "smug/problem.h"
#include "testutil.h"

#define MARGIN     1e-5 /* δ_j = MARGIN · Σ_c |a_jc| (problem.h) */
#define N_MASKS    24   /* random masks per problem */
#define TOL_DOUBLE 1e-9 /* double vs double, different summation order (relative to Σ|a|) */
#define TOL_FLOAT  1e-4 /* double rows vs the float32 forward pass (relative to 1 + Σ|a|) */

/* ---- fixtures ----------------------------------------------------------------------- */

typedef struct tcase {
    smug_net *net;
    float *x;
    smug_explanation ex;
} tcase;

/* Loads a model and an image and runs the pipeline's neuron selection (top_k neurons). */
static void case_load(tcase *c, const char *model, const char *image, int top_k)
{
    memset(c, 0, sizeof *c);
    c->net = tu_load_model(model);
    assert_non_null(c->net);
    smug_error err = SMUG_ERROR_INIT;
    if (smug_input_load(tu_path(image), &c->net->input, 0.0, 1.0, &c->x, &err) != 0)
        fail_msg("%s: %s", image, err.msg);
    smug_params prm;
    smug_params_defaults(&prm);
    prm.top_k = top_k;
    prm.window = 2;
    prm.gamma = 0.5;
    prm.steps = 32; /* which neurons IG ranks first does not matter to these checks */
    if (smug_pipeline_neurons(c->net, c->x, &prm, &c->ex, &err) != 0)
        fail_msg("%s on %s: %s", model, image, err.msg);
    assert_true(c->ex.n_neurons > 0);
}

static void case_free(tcase *c)
{
    smug_explanation_clear(&c->ex);
    free(c->x);
    smug_net_free(c->net);
}

/* ---- independent routes ------------------------------------------------------------- */

/* The first layer alone with its bias set to zero: run in float64 on z restricted to one
 * cell it gives that cell's coefficients of every neuron. */
static smug_net *linear_part(const smug_net *net)
{
    smug_net *lin = tu_net_from_layers(&net->layers[net->first], 1);
    assert_non_null(lin);
    smug_layer *l = &lin->layers[0];
    memset(l->bias, 0, (size_t)l->n_out * sizeof *l->bias);
    return lin;
}

/* out[size(first.out)]: the first layer in float64 on a float input. */
static void first_f64(const smug_net *net, const float *z, double *out)
{
    size_t n = smug_shape_size(&net->layers[net->first].in);
    double *zd = malloc(n * sizeof *zd);
    assert_non_null(zd);
    for (size_t i = 0; i < n; i++)
        zd[i] = z[i];
    assert_int_equal(tu_forward_f64(net, net->first, net->first + 1, zd, out), 0);
    free(zd);
}

/* The first layer in float32 (smug_forward) on z with every position of a cell whose
 * cells[c] is 0 set to zero: out [size(first.out)]. */
static void masked_forward(const smug_net *net, const smug_grid *g, const float *z,
                           const uint8_t *cells, float *out)
{
    size_t n = smug_shape_size(&net->layers[net->first].in);
    float *zm = malloc(n * sizeof *zm);
    size_t cap = smug_grid_max_cell_size(g);
    size_t *pos = malloc(cap * sizeof *pos);
    assert_true(zm && pos);
    memcpy(zm, z, n * sizeof *zm);
    for (int c = 0; c < g->n_cells; c++) {
        if (cells[c])
            continue;
        size_t m = smug_grid_cell_positions(g, c, pos, cap);
        assert_true(m <= cap);
        for (size_t i = 0; i < m; i++)
            zm[pos[i]] = 0.0f;
    }
    smug_trace t;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_forward(net, net->first, net->first + 1, zm, 1, &t, &err) != 0)
        fail_msg("forward: %s", err.msg);
    memcpy(out, smug_trace_output(&t), smug_net_first_size(net) * sizeof *out);
    smug_trace_clear(&t);
    free(zm);
    free(pos);
}

/* Receptive-field cells of first-layer neuron j from the kernel geometry: in_rf[n_cells]. */
static void rf_cells(const smug_net *net, const smug_grid *g, size_t j, uint8_t *in_rf)
{
    const smug_layer *l = &net->layers[net->first];
    memset(in_rf, 0, (size_t)g->n_cells);
    if (l->kind == SMUG_LAYER_DENSE) {
        memset(in_rf, 1, (size_t)g->n_cells);
        return;
    }
    int co, ho, wo;
    smug_shape_chw(&l->out, &co, &ho, &wo);
    int pos = (int)(j % ((size_t)ho * (size_t)wo)), oy = pos / wo, ox = pos % wo;
    for (int ky = 0; ky < l->win.kh; ky++)
        for (int kx = 0; kx < l->win.kw; kx++) {
            int y = oy * l->win.sh - l->win.pad_top + ky;
            int x = ox * l->win.sw - l->win.pad_left + kx;
            if (y >= 0 && y < g->h && x >= 0 && x < g->w)
                in_rf[(y / g->win) * g->cols + x / g->win] = 1;
        }
}

/* ---- the check ---------------------------------------------------------------------- */

/* Encodes neurons[k] of net on x and checks everything the header promises. Returns the
 * number of rows (for callers that want to know rows were dropped). */
static int check_problem(const smug_net *net, const float *x, const int *neurons, int k,
                         double gamma, int window, unsigned long long seed)
{
    const smug_layer *l = &net->layers[net->first];
    size_t n_in = smug_shape_size(&l->in), n_out = smug_shape_size(&l->out);
    smug_error err = SMUG_ERROR_INIT;

    /* z: the preprocessing layers in float64 */
    float *z = malloc(n_in * sizeof *z);
    assert_non_null(z);
    assert_int_equal(smug_encode_first_input(net, x, z, &err), 0);
    if (net->first > 0) {
        double *xd = malloc(smug_shape_size(&net->input) * sizeof *xd);
        double *zd = malloc(n_in * sizeof *zd);
        assert_true(xd && zd);
        for (size_t i = 0; i < smug_shape_size(&net->input); i++)
            xd[i] = x[i];
        assert_int_equal(tu_forward_f64(net, 0, net->first, xd, zd), 0);
        for (size_t i = 0; i < n_in; i++)
            tu_assert_close(z[i], zd[i], 1e-6 * (1.0 + fabs(zd[i])));
        free(xd);
        free(zd);
    } else {
        assert_memory_equal(z, x, n_in * sizeof *z);
    }

    smug_mask_problem *p = NULL;
    if (smug_encode(net, x, neurons, k, gamma, window, &p, &err) != 0)
        fail_msg("encode (window %d, k %d): %s", window, k, err.msg);
    assert_non_null(p);

    smug_grid g;
    assert_int_equal(smug_grid_init(&g, &net->input, window, &err), 0);
    assert_memory_equal(&p->grid, &g, sizeof g);
    assert_true(p->gamma == gamma);
    int nc = g.n_cells;

    /* o_j and b_j in float64; the rows kept are the positive ones, in order */
    double *o_ref = malloc(n_out * sizeof *o_ref), *b_ref = malloc(n_out * sizeof *b_ref);
    float *zero_in = calloc(n_in, sizeof *zero_in);
    assert_true(o_ref && b_ref && zero_in);
    first_f64(net, z, o_ref);
    first_f64(net, zero_in, b_ref); /* the layer on a zero input is its bias */
    int want_k = 0;
    for (int j = 0; j < k; j++)
        if (o_ref[neurons[j]] > 0.0) {
            assert_true(want_k < p->k);
            assert_int_equal(p->neuron[want_k], neurons[j]);
            want_k++;
        }
    assert_int_equal(p->k, want_k);

    /* a_ref[r][c] for every cell, from the zero-bias layer on z restricted to c */
    smug_net *lin = linear_part(net);
    double *a_ref = calloc((size_t)p->k * (size_t)nc, sizeof *a_ref);
    double *zc = malloc(n_in * sizeof *zc), *out = malloc(n_out * sizeof *out);
    size_t cap = smug_grid_max_cell_size(&g);
    size_t *pos = malloc(cap * sizeof *pos);
    assert_true(a_ref && zc && out && pos);
    for (int c = 0; c < nc; c++) {
        memset(zc, 0, n_in * sizeof *zc);
        size_t m = smug_grid_cell_positions(&g, c, pos, cap);
        for (size_t i = 0; i < m; i++)
            zc[pos[i]] = z[pos[i]];
        assert_int_equal(tu_forward_f64(lin, 0, 1, zc, out), 0);
        for (int r = 0; r < p->k; r++)
            a_ref[(size_t)r * (size_t)nc + (size_t)c] = out[p->neuron[r]];
    }

    /* variables: exactly the cells with a nonzero coefficient in some row, each once */
    uint8_t *is_var = calloc((size_t)nc, 1);
    assert_non_null(is_var);
    int want_n = 0;
    for (int c = 0; c < nc; c++) {
        int nz = 0;
        for (int r = 0; r < p->k; r++)
            nz |= a_ref[(size_t)r * (size_t)nc + (size_t)c] != 0.0;
        want_n += nz;
        is_var[c] = (uint8_t)nz;
    }
    assert_int_equal(p->n, want_n);
    for (int i = 0; i < p->n; i++) {
        assert_in_range(p->cell[i], 0, nc - 1);
        if (is_var[p->cell[i]] != 1)
            fail_msg("variable %d is cell %d: %s", i, p->cell[i],
                     is_var[p->cell[i]] ? "listed twice" : "zero in every row");
        is_var[p->cell[i]] = 2;
    }

    /* coefficients, o_j, t_j, receptive fields */
    uint8_t *in_rf = malloc((size_t)nc);
    assert_non_null(in_rf);
    double *abs_sum = calloc((size_t)p->k, sizeof *abs_sum);
    assert_non_null(abs_sum);
    for (int r = 0; r < p->k; r++) {
        const double *ar = a_ref + (size_t)r * (size_t)nc;
        int id = p->neuron[r];
        for (int c = 0; c < nc; c++)
            abs_sum[r] += fabs(ar[c]);
        double tol = TOL_DOUBLE * (1.0 + abs_sum[r]);
        rf_cells(net, &g, (size_t)id, in_rf);
        for (int i = 0; i < p->n; i++) {
            double a = smug_mask_problem_coef(p, r, i);
            tu_assert_close(a, ar[p->cell[i]], tol);
            if (a != 0.0 && !in_rf[p->cell[i]])
                fail_msg("neuron %d: cell %d outside its receptive field has coefficient %g", id,
                         p->cell[i], a);
        }
        tu_assert_close(p->o[r], o_ref[id], tol);
        /* the unmasked pre-activation is the bias plus every coefficient */
        double all = b_ref[id];
        for (int c = 0; c < nc; c++)
            all += ar[c];
        tu_assert_close(p->o[r], all, tol);
        double t_want = gamma * o_ref[id] - b_ref[id] + MARGIN * abs_sum[r];
        tu_assert_close(p->t[r], t_want, tol);
    }

    /* random masks: the float32 forward pass on the masked z vs b_j + Σ a_jc m_c */
    uint8_t *cells = malloc((size_t)nc), *m = malloc((size_t)(p->n > 0 ? p->n : 1));
    float *pre = malloc(n_out * sizeof *pre);
    assert_true(cells && m && pre);
    tu_rng rng = {seed};
    for (int trial = 0; trial <= N_MASKS; trial++) {
        double keep = trial == 0 ? 1.0 : tu_rng_unit(&rng);
        for (int c = 0; c < nc; c++)
            cells[c] = trial == 0 || tu_rng_unit(&rng) < keep;
        for (int i = 0; i < p->n; i++)
            m[i] = cells[p->cell[i]];
        masked_forward(net, &g, z, cells, pre);
        for (int r = 0; r < p->k; r++) {
            int id = p->neuron[r];
            double tol = TOL_FLOAT * (1.0 + abs_sum[r]);
            double rows = b_ref[id];
            for (int i = 0; i < p->n; i++)
                rows += m[i] ? smug_mask_problem_coef(p, r, i) : 0.0;
            tu_assert_close(pre[id], rows, tol);
            tu_assert_close(pre[id], b_ref[id] + smug_mask_problem_row_sum(p, r, m), tol);
            if (trial == 0)
                tu_assert_close(pre[id], p->o[r], tol);
        }
    }

    int rows = p->k;
    free(cells), free(m), free(pre), free(in_rf), free(abs_sum), free(is_var);
    free(a_ref), free(zc), free(out), free(pos), free(o_ref), free(b_ref), free(zero_in);
    free(z);
    smug_net_free(lin);
    smug_mask_problem_free(p);
    return rows;
}

/* ---- tests -------------------------------------------------------------------------- */

static const char *const images[] = {"data/fashion/0000_ankle_boot.png",
                                     "data/fashion/0004_shirt.png", "data/fashion/0018_bag.png"};

static void run_model(const char *model, const int *windows, size_t n_windows)
{
    for (size_t i = 0; i < sizeof images / sizeof *images; i++) {
        tcase c;
        case_load(&c, model, images[i], 8);
        for (size_t w = 0; w < n_windows; w++) {
            double gamma = w % 2 ? 0.9 : 0.5;
            int rows = check_problem(c.net, c.x, c.ex.neurons, c.ex.n_neurons, gamma, windows[w],
                                     1000 * i + w + 1);
            /* the pipeline only picks positively activated neurons: every one gets a row */
            assert_int_equal(rows, c.ex.n_neurons);
        }
        case_free(&c);
    }
}

static void test_fc(void **state)
{
    (void)state;
    const int windows[] = {1, 2, 3, 4, 28};
    run_model("models/fashion_fc.onnx", windows, sizeof windows / sizeof *windows);
}

static void test_cnn(void **state)
{
    (void)state;
    const int windows[] = {1, 2, 3, 4, 5};
    run_model("models/fashion_cnn.onnx", windows, sizeof windows / sizeof *windows);
}

/* Neurons with o_j ≤ 0 get no row; the others keep their order. */
static void test_nonpositive_neurons(void **state)
{
    (void)state;
    const char *models[] = {"models/fashion_fc.onnx", "models/fashion_cnn.onnx"};
    for (size_t mi = 0; mi < 2; mi++) {
        tcase c;
        case_load(&c, models[mi], images[1], 4);
        int list[16], k = 0, neg = 0;
        for (size_t j = 0; j < c.ex.n_first && neg < 4; j++)
            if (c.ex.first_pre[j] < -1e-3f) {
                list[k++] = (int)j;
                if (neg < c.ex.n_neurons)
                    list[k++] = c.ex.neurons[neg];
                neg++;
            }
        assert_int_equal(neg, 4);
        int rows = check_problem(c.net, c.x, list, k, 0.5, 2, 77 + mi);
        assert_int_equal(rows, c.ex.n_neurons < 4 ? c.ex.n_neurons : 4);

        /* only non-positive neurons: a usage error, no problem */
        int only_neg[4], n_neg = 0;
        for (int j = 0; j < k; j++)
            if (c.ex.first_pre[list[j]] < 0.0f)
                only_neg[n_neg++] = list[j];
        smug_mask_problem *p = (smug_mask_problem *)1;
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_encode(c.net, c.x, only_neg, n_neg, 0.5, 2, &p, &err), -1);
        assert_null(p);
        assert_int_equal(err.code, SMUG_ERR_USAGE);
        assert_non_null(strstr(err.msg, "positive"));

        /* a neuron id outside the first layer, and a window larger than the image */
        int bad = (int)c.ex.n_first;
        assert_int_equal(smug_encode(c.net, c.x, &bad, 1, 0.5, 2, &p, &err), -1);
        assert_null(p);
        assert_int_equal(smug_encode(c.net, c.x, c.ex.neurons, 1, 0.5, 29, &p, &err), -1);
        assert_null(p);
        assert_int_equal(err.code, SMUG_ERR_USAGE);
        case_free(&c);
    }
}

/* Layer configurations the fixture models lack: a 3-channel conv with asymmetric padding
 * and strides (k 0), a 1-D conv over a (C, L) sequence (k 1), a dense layer over a flat
 * vector (k 7). Random inputs with some exact zeros, every neuron with o_j > 0. */
static void test_synthetic(void **state)
{
    (void)state;
    const int which[] = {0, 1, 7};
    for (size_t s = 0; s < sizeof which / sizeof *which; s++) {
        smug_net *net = tu_synthetic_net(which[s]);
        assert_non_null(net);
        size_t n_in = smug_shape_size(&net->input), n_out = smug_net_first_size(net);
        float *x = malloc(n_in * sizeof *x);
        int *all = malloc(n_out * sizeof *all);
        assert_true(x && all);
        tu_rng rng = {101 + (unsigned long long)s};
        int checked = 0;
        for (int trial = 0; trial < 6; trial++) {
            for (size_t i = 0; i < n_in; i++)
                x[i] = tu_rng_unit(&rng) < 0.2 ? 0.0f : (float)(tu_rng_unit(&rng) * 2.0 - 0.5);
            for (size_t j = 0; j < n_out; j++)
                all[j] = (int)j;
            int max_win = net->input.dims[net->input.rank - 1];
            for (int win = 1; win <= max_win; win++) {
                /* neurons at or below zero are skipped by smug_encode (checked inside) */
                smug_mask_problem *p = NULL;
                smug_error err = SMUG_ERROR_INIT;
                if (smug_encode(net, x, all, (int)n_out, 0.5, win, &p, &err) != 0) {
                    assert_int_equal(err.code, SMUG_ERR_USAGE); /* no positive neuron */
                    continue;
                }
                smug_mask_problem_free(p);
                check_problem(net, x, all, (int)n_out, 0.25 * (trial % 4), win,
                              (unsigned long long)(trial * 100 + win));
                checked++;
            }
        }
        assert_true(checked >= 6);
        free(x);
        free(all);
        smug_net_free(net);
    }
}

/* ---- token models ------------------------------------------------------------------ */

/* The first layer in float64 on the embedding output z with the tokens of every cell whose
 * keep[c] is 0 zeroed (all D dimensions): out [size(first.out)]. */
static void text_first_masked(const smug_net *net, const smug_grid *g, const float *z,
                              const uint8_t *keep, double *out)
{
    size_t n = smug_shape_size(&net->layers[net->first].in);
    double *zd = malloc(n * sizeof *zd);
    assert_non_null(zd);
    for (size_t p = 0; p < n; p++)
        zd[p] = keep[smug_grid_cell_of(g, smug_net_input_pos(net, p))] ? (double)z[p] : 0.0;
    assert_int_equal(tu_forward_f64(net, net->first, net->first + 1, zd, out), 0);
    free(zd);
}

/* The text model: cells are tokens (window 1) or token pairs (window 2). The first-layer
 * pre-activation is affine in the per-cell keep switches, o_j(m) = b_j + Σ_c a_jc m_c, so
 * a_jc = o_j(all kept) − o_j(all kept but c), each side a float64 forward pass; encode's
 * rows must equal that, padding positions must not be variables, and random masks must
 * land on b_j + Σ a_jc m_c exactly (float64) and within float32 rounding (smug_forward). */
static void check_text_problem(const smug_net *net, const tu_text_ref *r, const int *neurons, int k,
                               double gamma, int window, unsigned long long seed)
{
    smug_error err = SMUG_ERROR_INIT;
    size_t n_z = smug_shape_size(&net->layers[net->first].in), nf = smug_net_first_size(net);
    int L = r->max_len, D = net->layers[0].n_out;
    float *z = malloc(n_z * sizeof *z);
    assert_non_null(z);
    assert_int_equal(smug_encode_first_input(net, r->tokens.v, z, &err), 0);
    for (int t = 0; t < L; t++) /* z is (D, L): the embedding rows of the tokens, transposed */
        for (int d = 0; d < D; d++)
            assert_true(z[(size_t)d * (size_t)L + (size_t)t] ==
                        net->layers[0].weight[(size_t)r->tokens.v[t] * (size_t)D + (size_t)d]);
    smug_mask_problem *p = NULL;
    if (smug_encode(net, r->tokens.v, neurons, k, gamma, window, &p, &err) != 0)
        fail_msg("encode: %s", err.msg);
    smug_grid g = p->grid;
    assert_true(p->k > 0 && p->n > 0 && p->n <= r->n_tokens);
    printf("text, %d tokens, window %d: %d rows, %d variables\n", r->n_tokens, window, p->k, p->n);
    assert_int_equal(g.w, L);
    assert_int_equal(g.h, 1);
    assert_int_equal(g.n_cells, (L + window - 1) / window);
    int nc = g.n_cells;
    uint8_t *keep = malloc((size_t)nc);
    double *o_all = malloc(nf * sizeof *o_all), *o_c = malloc(nf * sizeof *o_c);
    double *b = malloc(nf * sizeof *b), *a_ref = calloc((size_t)p->k * (size_t)nc, sizeof *a_ref);
    assert_true(keep && o_all && o_c && b && a_ref);
    memset(keep, 1, (size_t)nc);
    text_first_masked(net, &g, z, keep, o_all);
    memset(keep, 0, (size_t)nc);
    text_first_masked(net, &g, z, keep, b);
    for (int c = 0; c < nc; c++) {
        memset(keep, 1, (size_t)nc);
        keep[c] = 0;
        text_first_masked(net, &g, z, keep, o_c);
        for (int j = 0; j < p->k; j++)
            a_ref[(size_t)j * (size_t)nc + (size_t)c] = o_all[p->neuron[j]] - o_c[p->neuron[j]];
    }
    /* variables: cells with a coefficient, none made of padding only */
    int want_n = 0;
    for (int c = 0; c < nc; c++) {
        int nz = 0;
        for (int j = 0; j < p->k; j++)
            nz |= fabs(a_ref[(size_t)j * (size_t)nc + (size_t)c]) > 1e-12;
        want_n += nz;
    }
    assert_int_equal(p->n, want_n);
    for (int i = 0; i < p->n; i++)
        if (p->cell[i] * window >= r->n_tokens)
            fail_msg("variable %d is cell %d: padding only (%d tokens)", i, p->cell[i],
                     r->n_tokens);
    for (int j = 0; j < p->k; j++) {
        int id = p->neuron[j];
        const double *ar = a_ref + (size_t)j * (size_t)nc;
        double abs_sum = 0.0, sum = 0.0;
        for (int c = 0; c < nc; c++)
            abs_sum += fabs(ar[c]), sum += ar[c];
        double tol = TOL_DOUBLE * (1.0 + abs_sum);
        for (int i = 0; i < p->n; i++)
            tu_assert_close(smug_mask_problem_coef(p, j, i), ar[p->cell[i]], tol);
        tu_assert_close(p->o[j], o_all[id], tol);
        tu_assert_close(b[id] + sum, o_all[id], tol); /* affine: all coefficients + bias */
        tu_assert_close(p->t[j], gamma * o_all[id] - b[id] + MARGIN * abs_sum, tol);
    }
    /* random masks */
    tu_rng rng = {seed};
    uint8_t *m = malloc((size_t)p->n + 1);
    float *zm = malloc(n_z * sizeof *zm), *pre = malloc(nf * sizeof *pre);
    assert_true(m && zm && pre);
    for (int trial = 0; trial < N_MASKS; trial++) {
        double frac = tu_rng_unit(&rng);
        for (int c = 0; c < nc; c++)
            keep[c] = tu_rng_unit(&rng) < frac;
        for (int i = 0; i < p->n; i++)
            m[i] = keep[p->cell[i]];
        text_first_masked(net, &g, z, keep, o_c);
        for (size_t q = 0; q < n_z; q++)
            zm[q] = keep[smug_grid_cell_of(&g, smug_net_input_pos(net, q))] ? z[q] : 0.0f;
        smug_trace t;
        assert_int_equal(smug_forward(net, net->first, net->first + 1, zm, 1, &t, &err), 0);
        memcpy(pre, smug_trace_output(&t), nf * sizeof *pre);
        smug_trace_clear(&t);
        for (int j = 0; j < p->k; j++) {
            int id = p->neuron[j];
            double rows = b[id] + smug_mask_problem_row_sum(p, j, m);
            tu_assert_close(o_c[id], rows, 1e-9 * (1.0 + fabs(rows)));
            tu_assert_close(pre[id], rows, TOL_FLOAT * (1.0 + fabs(rows)));
        }
    }
    free(m), free(zm), free(pre), free(keep), free(o_all), free(o_c), free(b), free(a_ref);
    free(z);
    smug_mask_problem_free(p);
}

static void test_text(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/debian_text.onnx");
    assert_non_null(net);
    for (int i = 0; i < TU_N_TEXT_REFS; i++) {
        tu_text_ref *r = tu_text_ref_load(i);
        smug_params prm;
        smug_params_defaults(&prm);
        prm.top_k = 24;
        prm.window = 1;
        prm.gamma = 0.5;
        prm.steps = 32;
        smug_explanation ex;
        smug_error err = SMUG_ERROR_INIT;
        if (smug_pipeline_neurons(net, r->tokens.v, &prm, &ex, &err) != 0)
            fail_msg("debian_text_%d: %s", i, err.msg);
        assert_int_equal(ex.target, r->predicted);
        for (int w = 1; w <= 2; w++)
            check_text_problem(net, r, ex.neurons, ex.n_neurons, w == 1 ? 0.5 : 0.9, w,
                               100 * (unsigned long long)i + (unsigned long long)w);
        /* a neuron on a padding position far from the text sees only zero embeddings: its
         * pre-activation is its bias, and no cell can change it */
        int far = 64 * 0 + 63;
        if (r->n_tokens < 60) {
            smug_mask_problem *p = NULL;
            if (smug_encode(net, r->tokens.v, &far, 1, 0.5, 1, &p, &err) == 0) {
                assert_int_equal(p->n, 0);
                smug_mask_problem_free(p);
            } else {
                assert_non_null(strstr(err.msg, "positive pre-activation"));
            }
        }
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
        cmocka_unit_test(test_nonpositive_neurons),
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
