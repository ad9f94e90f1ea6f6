/* test_backward.c — input gradients (src/nn/backward.c): against the float64 torch
 * references, against finite differences of smug's own forward pass, and layer by layer
 * against the forward pass (⟨J v, u⟩ = ⟨v, Jᵀ u⟩). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/backward.h"
#include "smug/forward.h"
#include "smug/im2col.h"
#include "testutil.h"

static int is_cnn_like(const smug_net *net)
{
    for (int i = 0; i < net->n_layers; i++)
        if (net->layers[i].kind == SMUG_LAYER_MAXPOOL)
            return 1;
    return 0;
}

/* ---- against the references --------------------------------------------------------- */

/* Models without MaxPool (all but fashion_cnn): no ties anywhere; the gradient is a
 * product of float32 matrices and 0/1 ReLU masks. Observed: max abs error <= 2.4e-7 (|g| up
 * to 1.7), relative L2 error <= 1.4e-7. Required: 1e-5 absolute and 1e-5 relative L2
 * (avgpool_gap's gradients are ~4e-3, where only the relative bound says something).
 * fashion_cnn: an exact float64 MaxPool tie at x (the flat background makes many) can
 * become a float32 near-tie broken the other way (OpenBLAS rounds identical GEMM columns
 * differently by position), as can a genuine near-tie (gap < 1e-5); each moves a few
 * gradient entries by O(0.1). None was observed at x itself (the single-example pass;
 * they do show up along IG's path, see test_ig.c), but the check must not depend on the
 * BLAS build: relative L2 error < 1e-3 and at most 2 % of entries outside
 * 1e-4 + 1e-3·|ref|. */
#define TOL_GRAD_ABS         1e-5
#define TOL_GRAD_REL_L2      1e-5
#define TOL_CNN_REL_L2       1e-3
#define TOL_CNN_OUTSIDE_FRAC 0.02

static void test_grad_input_vs_ref(void **state)
{
    (void)state;
    for (size_t i = 0; i < tu_n_ref_names; i++) {
        smug_net *net;
        tu_ref *r = tu_ref_with_model(i, &net);
        size_t n = r->grad_input.n;
        float *g = malloc(n * sizeof *g), value = 0.0f;
        assert_non_null(g);
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_grad_input(net, r->input.v, r->target, 0, g, &value, &err), 0);
        tu_assert_close(value, r->logits.v[r->target], 1e-4);
        size_t at;
        double dmax = tu_max_abs_diff(g, r->grad_input.v, n, &at);
        double rel = tu_rel_l2(g, r->grad_input.v, n);
        size_t outside = tu_count_outside(g, r->grad_input.v, n, 1e-4, 1e-3);
        printf("  %-22s grad_input: max abs diff %.2e (|ref| max %.2e), rel L2 %.2e, "
               "%zu/%zu outside 1e-4+1e-3|ref|\n",
               r->name, dmax, tu_max_abs(r->grad_input.v, n), rel, outside, n);
        if (rel > (is_cnn_like(net) ? TOL_CNN_REL_L2 : TOL_GRAD_REL_L2))
            fail_msg("%s: relative L2 error of the input gradient %.3g", r->name, rel);
        if (is_cnn_like(net)) {
            if ((double)outside > TOL_CNN_OUTSIDE_FRAC * (double)n)
                fail_msg("%s: %zu of %zu gradient entries disagree", r->name, outside, n);
        } else if (dmax > TOL_GRAD_ABS) {
            fail_msg("%s: grad[%zu] = %.7g, reference %.7g", r->name, at, (double)g[at],
                     (double)r->grad_input.v[at]);
        }
        free(g);
        smug_net_free(net);
        tu_ref_free(r);
    }
}

/* ---- finite differences ------------------------------------------------------------- */

/* F for the target: the logit, or the softmax probability computed here in double. */
static double score64(const double *logits, int n, int c, int prob)
{
    if (!prob)
        return logits[c];
    double mx = logits[0], z = 0.0;
    for (int k = 1; k < n; k++)
        mx = logits[k] > mx ? logits[k] : mx;
    for (int k = 0; k < n; k++)
        z += exp(logits[k] - mx);
    return exp(logits[c] - mx) / z;
}

static double score(const float *logits, int n, int c, int prob)
{
    double l[64];
    assert_true(n <= 64);
    for (int k = 0; k < n; k++)
        l[k] = logits[k];
    return score64(l, n, c, prob);
}

typedef struct fd_stats {
    int n;           /* coordinates tried */
    int smooth;      /* no kink within ±h: left and right differences agree */
    int bad;         /* the gradient disagrees with the differences */
    double worst;    /* largest |central − g| over smooth coordinates */
    double num, den; /* Σ (central − g)², Σ central² over smooth coordinates */
} fd_stats;

/* Compares smug_grad_input with finite differences of smug_net_logits on `n_coords`
 * coordinates, all evaluated in one batch.
 *
 * For prob = 0, F is piecewise linear (ReLU, MaxPool): the central difference equals the
 * gradient exactly unless [x − h, x + h] crosses a kink. With one kink at distance d < h
 * on one side, one of the one-sided differences is the gradient and the other is off by
 * Δ·(h − d)/h, so central − g = ±(right − left)/2. Hence the check, for every coordinate:
 *     |central − g| <= |right − left|/2 + noise + rel·|central|
 * which is tight where there is no kink (right ≈ left) and still bounds the error where
 * there is one. `noise` is the float32 evaluation noise of F divided by 2h: F ≈ 10 is
 * computed to ~1e-6, i.e. ~1e-4 for h = 1e-2. A coordinate counts as kink-free ("smooth")
 * when |right − left| <= 4·noise (the one-sided differences carry twice the noise); the
 * callers require enough of those for the check to be meaningful. For prob = 1 the softmax
 * curvature adds an O(h) difference between the one-sided differences and O(h²) to the
 * central one: `rel` absorbs it. */
static fd_stats fd_check(const smug_net *net, const float *x, int target, int prob,
                         const size_t *coords, int n_coords, double h, double noise, double rel)
{
    size_t n_in = smug_shape_size(&net->input);
    int nc = net->n_classes, batch = 2 * n_coords + 1;
    float *g = malloc(n_in * sizeof *g);
    float *xs = malloc((size_t)batch * n_in * sizeof *xs);
    float *lg = malloc((size_t)batch * (size_t)nc * sizeof *lg);
    assert_non_null(g);
    assert_non_null(xs);
    assert_non_null(lg);
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_grad_input(net, x, target, prob, g, NULL, &err), 0);
    for (int b = 0; b < batch; b++)
        memcpy(xs + (size_t)b * n_in, x, n_in * sizeof *xs);
    for (int k = 0; k < n_coords; k++) {
        xs[(size_t)(2 * k + 1) * n_in + coords[k]] += (float)h;
        xs[(size_t)(2 * k + 2) * n_in + coords[k]] -= (float)h;
    }
    assert_int_equal(smug_net_logits(net, xs, batch, lg, &err), 0);
    fd_stats st = {0};
    double f0 = score(lg, nc, target, prob);
    for (int k = 0; k < n_coords; k++) {
        size_t p = coords[k];
        /* the perturbation actually applied, after float32 rounding */
        double hp = (double)xs[(size_t)(2 * k + 1) * n_in + p] - x[p];
        double hm = (double)x[p] - xs[(size_t)(2 * k + 2) * n_in + p];
        double fp = score(lg + (size_t)(2 * k + 1) * (size_t)nc, nc, target, prob);
        double fm = score(lg + (size_t)(2 * k + 2) * (size_t)nc, nc, target, prob);
        double right = (fp - f0) / hp, left = (f0 - fm) / hm, central = (fp - fm) / (hp + hm);
        double d = fabs(central - (double)g[p]), kink = fabs(right - left);
        st.n++;
        if (d > kink / 2 + noise + rel * fabs(central)) {
            st.bad++;
            printf("    coordinate %zu: gradient %.7g, central difference %.7g (left %.7g, "
                   "right %.7g)\n",
                   p, (double)g[p], central, left, right);
        }
        if (kink > 4.0 * noise + 2.0 * rel * fabs(central))
            continue;
        st.smooth++;
        st.worst = d > st.worst ? d : st.worst;
        st.num += d * d;
        st.den += central * central;
    }
    free(g);
    free(xs);
    free(lg);
    return st;
}

static void report(const char *what, const fd_stats *st)
{
    printf("  %-34s %3d coords, %3d kink-free, %d disagree, worst %.2e, rel L2 %.2e\n", what, st->n,
           st->smooth, st->bad, st->worst, st->den > 0 ? sqrt(st->num / st->den) : 0.0);
}

static void test_grad_finite_differences_dense(void **state)
{
    (void)state;
    /* all 784 input coordinates, h = 1e-2: every one must be kink-free or agree; kinks may
     * exclude at most 10 % (otherwise the check would be vacuous) */
    const char *refs[] = {"fashion_fc_0",   "fashion_fc_1", "fashion_deep_0",
                          "fashion_deep_2", "matmul_add_0", "identity_dropout_0"};
    size_t coords[784];
    for (size_t p = 0; p < 784; p++)
        coords[p] = p;
    for (size_t i = 0; i < sizeof refs / sizeof *refs; i++) {
        tu_ref *r = tu_ref_load(refs[i]);
        assert_non_null(r);
        smug_net *net = tu_load_model(r->model);
        assert_non_null(net);
        fd_stats st = fd_check(net, r->input.v, r->target, 0, coords, 784, 1e-2, 2e-4, 1e-3);
        report(r->name, &st);
        assert_int_equal(st.bad, 0);
        assert_true(st.smooth >= st.n * 9 / 10);
        smug_net_free(net);
        tu_ref_free(r);
    }
}

/* The same comparison against a double-precision evaluation of F (tu_forward_f64, direct
 * loops checked against torch in test_forward.c). Its rounding noise is ~1e-15, so the
 * step can be tiny (h = 1e-5) and the differences higher order:
 *     one-sided   F'(x±) = ±(−3F(x) + 4F(x ± h) − F(x ± 2h)) / 2h        (error O(h²))
 *     central     F'(x)  = (8(F(x+h) − F(x−h)) − (F(x+2h) − F(x−2h))) / 12h  (O(h⁴))
 * so even for the curved prob = 1 score the one-sided derivatives agree to ~1e-10 unless
 * a kink lies within ±2h. That is rare, except where x sits exactly on one, which the
 * flat image background causes for fashion_cnn: neighbouring pixels with equal values
 * make MaxPool windows tie exactly. Those coordinates (one-sided derivatives differing by
 * more than atol) are not compared; on all others ("smooth") the float32 gradient must
 * match to atol + 1e-4·|central|, atol = 1e-5·max|g| (smug's gradient is accurate to
 * ~1e-7 relative; observed worst 2e-7). The callers require enough smooth coordinates for
 * the check to mean something. */
static fd_stats fd_check_f64(const smug_net *net, const float *x, int target, int prob,
                             size_t stride)
{
    size_t n_in = smug_shape_size(&net->input);
    int nc = net->n_classes;
    float *g = malloc(n_in * sizeof *g);
    double *xd = malloc(n_in * sizeof *xd), *lg = malloc((size_t)nc * sizeof *lg);
    assert_true(g && xd && lg);
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_grad_input(net, x, target, prob, g, NULL, &err), 0);
    double gmax = tu_max_abs(g, n_in);
    assert_true(gmax > 0.0);
    const double atol = 1e-5 * gmax, rtol = 1e-4, h = 1e-5;
    for (size_t p = 0; p < n_in; p++)
        xd[p] = x[p];
    fd_stats st = {0};
    assert_int_equal(tu_forward_f64(net, 0, net->n_layers, xd, lg), 0);
    double f0 = score64(lg, nc, target, prob);
    for (size_t p = 0; p < n_in; p += stride) {
        static const double steps[4] = {1, -1, 2, -2};
        double f[4];
        for (int s = 0; s < 4; s++) {
            xd[p] = (double)x[p] + steps[s] * h;
            assert_int_equal(tu_forward_f64(net, 0, net->n_layers, xd, lg), 0);
            f[s] = score64(lg, nc, target, prob);
        }
        xd[p] = x[p];
        double right = (-3 * f0 + 4 * f[0] - f[2]) / (2 * h);
        double left = (3 * f0 - 4 * f[1] + f[3]) / (2 * h);
        double central = (8 * (f[0] - f[1]) - (f[2] - f[3])) / (12 * h);
        st.n++;
        if (fabs(right - left) > atol)
            continue;
        st.smooth++;
        double d = fabs(central - (double)g[p]);
        st.worst = d > st.worst ? d : st.worst;
        st.num += d * d;
        st.den += central * central;
        if (d > atol + rtol * fabs(central)) {
            st.bad++;
            printf("    coordinate %zu: gradient %.7g, central difference %.7g (left %.7g, "
                   "right %.7g)\n",
                   p, (double)g[p], central, left, right);
        }
    }
    free(g), free(xd), free(lg);
    return st;
}

/* Every how many input coordinates fd_check_f64 checks, to keep the run time (4 double
 * forward passes per coordinate) to a few seconds in a Debug + ASan build: every one for
 * small dense models, every 3rd for fashion_deep, every 5th for the conv models (still 157
 * coordinates spread over the whole image). */
static size_t fd_stride(const smug_net *net)
{
    const smug_layer *f = &net->layers[net->first];
    if (f->kind == SMUG_LAYER_CONV)
        return 5;
    return f->n_out >= 64 ? 3 : 1;
}

static int is_conv(const smug_net *net)
{
    return net->layers[net->first].kind == SMUG_LAYER_CONV;
}

static void test_grad_finite_differences_f64(void **state)
{
    (void)state;
    for (size_t i = 0; i < tu_n_ref_names; i++) {
        smug_net *net;
        tu_ref *r = tu_ref_with_model(i, &net);
        fd_stats st = fd_check_f64(net, r->input.v, r->target, 0, fd_stride(net));
        char what[96];
        snprintf(what, sizeof what, "%s (f64)", r->name);
        report(what, &st);
        assert_int_equal(st.bad, 0);
        /* dense models: hardly any kink within ±2e-5; fashion_cnn: about half of the
         * pixels sit on MaxPool ties (observed 50-90 % smooth), so ask for a third */
        assert_true(st.smooth >= (is_conv(net) ? st.n / 3 : st.n * 9 / 10));
        smug_net_free(net);
        tu_ref_free(r);
    }
}

static void test_grad_prob_finite_differences(void **state)
{
    (void)state;
    /* F = softmax probability p_c (seed p_c(e_c − p)), for the predicted class and for the
     * runner-up, where p_c(1 − p_c) is not small and the gradient is meaningful. */
    const char *refs[] = {"fashion_fc_0", "fashion_deep_0", "fashion_cnn_0", "avgpool_gap_0"};
    for (size_t i = 0; i < sizeof refs / sizeof *refs; i++) {
        tu_ref *r = tu_ref_load(refs[i]);
        assert_non_null(r);
        smug_net *net = tu_load_model(r->model);
        assert_non_null(net);
        int second = -1;
        for (int c = 0; c < 10; c++)
            if (c != r->predicted && (second < 0 || r->logits.v[c] > r->logits.v[second]))
                second = c;
        const int targets[] = {r->predicted, second};
        int conv = is_conv(net);
        for (int t = 0; t < 2; t++) {
            float g[784], value;
            smug_error err = SMUG_ERROR_INIT;
            assert_int_equal(smug_grad_input(net, r->input.v, targets[t], 1, g, &value, &err), 0);
            tu_assert_close(value, score(r->logits.v, 10, targets[t], 1), 1e-5);
            fd_stats st = fd_check_f64(net, r->input.v, targets[t], 1, fd_stride(net));
            char what[96];
            snprintf(what, sizeof what, "%s prob, class %d", r->name, targets[t]);
            report(what, &st);
            assert_int_equal(st.bad, 0);
            assert_true(st.smooth >= (conv ? st.n / 3 : st.n * 9 / 10));
            /* and it is the logit gradients mixed by the seed p_c(e_c − p) */
            static float gl[10][784];
            float p[10];
            smug_softmax(r->logits.v, 10, p);
            for (int c = 0; c < 10; c++)
                assert_int_equal(smug_grad_input(net, r->input.v, c, 0, gl[c], NULL, &err), 0);
            int c0 = targets[t];
            double gmax = tu_max_abs(g, 784);
            for (int j = 0; j < 784; j++) {
                double want = 0.0;
                for (int c = 0; c < 10; c++)
                    want += (double)p[c0] * ((c == c0) - (double)p[c]) * gl[c][j];
                tu_assert_close(g[j], want, 1e-5 * gmax + 1e-4 * fabs(want));
            }
        }
        smug_net_free(net);
        tu_ref_free(r);
    }
}

static void test_logit_seed(void **state)
{
    (void)state;
    const float logits[2][4] = {{1.0f, 2.0f, 0.5f, -1.0f}, {0.0f, 0.0f, 3.0f, 0.0f}};
    float seed[2][4];
    smug_logit_seed(&logits[0][0], 2, 4, 2, 0, &seed[0][0]);
    for (int b = 0; b < 2; b++)
        for (int k = 0; k < 4; k++)
            assert_true(seed[b][k] == (k == 2 ? 1.0f : 0.0f));
    smug_logit_seed(&logits[0][0], 2, 4, 2, 1, &seed[0][0]);
    for (int b = 0; b < 2; b++) {
        double z = 0.0, p[4], sum = 0.0;
        for (int k = 0; k < 4; k++)
            z += exp((double)logits[b][k]);
        for (int k = 0; k < 4; k++)
            p[k] = exp((double)logits[b][k]) / z;
        for (int k = 0; k < 4; k++) {
            tu_assert_close(seed[b][k], p[2] * ((k == 2) - p[k]), 1e-7);
            sum += seed[b][k];
        }
        tu_assert_close(sum, 0.0, 1e-7); /* softmax is shift invariant */
    }
}

/* ---- layer by layer ----------------------------------------------------------------- */

/* An input for layer l on which it is linear within ±eps (eps·|v| <= 1e-2): ReLU inputs
 * stay at least 0.1 away from 0; MaxPool inputs are a shuffled grid of values 0.1 apart, so
 * every window (overlapping or not) has a clear winner. */
static void layer_input(const smug_layer *l, tu_rng *rng, float *x)
{
    size_t n = smug_shape_size(&l->in);
    for (size_t i = 0; i < n; i++) {
        double u = tu_rng_unit(rng);
        x[i] = (float)(l->kind == SMUG_LAYER_RELU ? (u < 0.5 ? -0.1 - u : u - 0.4) : 2.0 * u - 1.0);
    }
    if (l->kind != SMUG_LAYER_MAXPOOL)
        return;
    for (size_t i = 0; i < n; i++)
        x[i] = 0.1f * (float)i - 0.05f * (float)n;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = tu_rng_below(rng, i + 1);
        float t = x[i];
        x[i] = x[j], x[j] = t;
    }
}

/* For each layer of `net`: a trace of [x1, x2], a trace of [x1 + eps v1, x2 + eps v2],
 * and backward of [u1, u2]: ⟨(L(x + eps v) − L(x))/eps, u⟩ must equal ⟨v, Lᵀu⟩ for both
 * examples (this also checks the batch layout of every backward kernel). */
static void check_net_adjoints(const smug_net *net, const char *model)
{
    tu_rng rng = {4242};
    for (int i = 0; i < net->n_layers; i++) {
        const smug_layer *l = &net->layers[i];
        size_t ni = smug_shape_size(&l->in), no = smug_shape_size(&l->out);
        float *x = malloc(2 * ni * sizeof *x), *xv = malloc(2 * ni * sizeof *xv);
        float *v = malloc(2 * ni * sizeof *v), *u = malloc(2 * no * sizeof *u);
        float *g = malloc(2 * ni * sizeof *g);
        assert_true(x && xv && v && u && g);
        layer_input(l, &rng, x);
        layer_input(l, &rng, x + ni);
        const double eps = 1e-2;
        for (size_t k = 0; k < 2 * ni; k++) {
            v[k] = (float)(2.0 * tu_rng_unit(&rng) - 1.0);
            xv[k] = x[k] + (float)eps * v[k];
            v[k] = (xv[k] - x[k]) / (float)eps; /* the step actually taken */
        }
        for (size_t k = 0; k < 2 * no; k++)
            u[k] = (float)(2.0 * tu_rng_unit(&rng) - 1.0);
        smug_trace t0, t1;
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_forward(net, i, i + 1, x, 2, &t0, &err), 0);
        assert_int_equal(smug_forward(net, i, i + 1, xv, 2, &t1, &err), 0);
        assert_int_equal(smug_backward(&t0, u, g, &err), 0);
        const float *y0 = smug_trace_output(&t0), *y1 = smug_trace_output(&t1);
        for (int b = 0; b < 2; b++) {
            double lhs = 0.0, rhs = 0.0, mag = 0.0;
            for (size_t k = 0; k < no; k++) {
                double jv = ((double)y1[b * no + k] - y0[b * no + k]) / eps;
                lhs += jv * u[b * no + k];
                mag += fabs(jv * u[b * no + k]);
            }
            for (size_t k = 0; k < ni; k++)
                rhs += (double)v[b * ni + k] * g[b * ni + k];
            /* float32 outputs of size ~1 differ by ~eps: ~1e-7/1e-2 relative noise each */
            if (!(fabs(lhs - rhs) <= 1e-3 * (1.0 + mag)))
                fail_msg("%s layer %d (%s), example %d: <Jv,u> = %.7g but <v,J'u> = %.7g", model, i,
                         l->op, b, lhs, rhs);
        }
        smug_trace_clear(&t0);
        smug_trace_clear(&t1);
        free(x), free(xv), free(v), free(u), free(g);
    }
}

static void check_layer_adjoints(const char *model)
{
    smug_net *net = tu_load_model(model);
    assert_non_null(net);
    check_net_adjoints(net, model);
    smug_net_free(net);
}

static void test_layer_adjoints(void **state)
{
    (void)state;
    check_layer_adjoints("models/fashion_cnn.onnx");
    check_layer_adjoints("tests/data/onnx/avgpool_gap.onnx");
    check_layer_adjoints("models/fashion_deep.onnx");
    /* configurations the fixtures lack: asymmetric pads, 1-D conv, padded AveragePool in
     * both count_include_pad modes, overlapping padded MaxPool */
    for (int k = 0; k < TU_N_SYNTHETIC; k++) {
        smug_net *net = tu_synthetic_net(k);
        assert_non_null(net);
        char name[64];
        snprintf(name, sizeof name, "synthetic %d", k);
        check_net_adjoints(net, name);
        smug_net_free(net);
    }
}

/* Conventions the reference relies on: ReLU'(0) = 0, and MaxPool sends the gradient of a
 * tied window to its first maximum in row-major order (padding skipped). */
static void test_relu_and_maxpool_conventions(void **state)
{
    (void)state;
    smug_layer relu;
    memset(&relu, 0, sizeof relu);
    relu.kind = SMUG_LAYER_RELU;
    relu.in = (smug_shape){1, {6, 0, 0}};
    relu.out = relu.in;
    smug_net *rn = tu_net_from_layers(&relu, 1);
    assert_non_null(rn);
    const float x[6] = {0.0f, -0.0f, 1e-30f, -1e-30f, 2.0f, 0.0f};
    const float up[6] = {1, 1, 1, 1, 1, 1};
    float g[6];
    smug_trace t;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_forward(rn, 0, 1, x, 1, &t, &err), 0);
    assert_int_equal(smug_backward(&t, up, g, &err), 0);
    const float want[6] = {0, 0, 1, 0, 1, 0};
    assert_memory_equal(g, want, sizeof want);
    smug_trace_clear(&t);
    smug_net_free(rn);

    /* overlapping 3x3/stride 2/pad 1 MaxPool on a constant image: every window ties */
    smug_net *mp = tu_synthetic_net(4);
    assert_non_null(mp);
    float cx[2 * 49], gout[2 * 16], gin[2 * 49];
    for (int i = 0; i < 2 * 49; i++)
        cx[i] = 0.5f;
    for (int i = 0; i < 2 * 16; i++)
        gout[i] = (float)(i + 1);
    assert_int_equal(smug_forward(mp, 0, 1, cx, 1, &t, &err), 0);
    assert_int_equal(smug_backward(&t, gout, gin, &err), 0);
    float wantg[2 * 49] = {0};
    for (int c = 0; c < 2; c++)
        for (int oy = 0; oy < 4; oy++)
            for (int ox = 0; ox < 4; ox++) {
                int iy = oy * 2 - 1 < 0 ? 0 : oy * 2 - 1, ix = ox * 2 - 1 < 0 ? 0 : ox * 2 - 1;
                wantg[(c * 7 + iy) * 7 + ix] += gout[(c * 4 + oy) * 4 + ox];
            }
    for (int i = 0; i < 2 * 49; i++)
        tu_assert_close(gin[i], wantg[i], 0.0);
    smug_trace_clear(&t);
    smug_net_free(mp);
}

/* col2im is the exact transpose of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩. */
static void test_col2im_is_adjoint(void **state)
{
    (void)state;
    const char *models[] = {"models/fashion_cnn.onnx", "tests/data/onnx/avgpool_gap.onnx"};
    tu_rng rng = {5};
    for (size_t m = 0; m < 2; m++) {
        smug_net *net = tu_load_model(models[m]);
        assert_non_null(net);
        for (int i = 0; i < net->n_layers; i++) {
            const smug_layer *l = &net->layers[i];
            if (l->kind != SMUG_LAYER_CONV)
                continue;
            enum { B = 3 };
            int c, h, w, co, ho, wo;
            smug_shape_chw(&l->in, &c, &h, &w);
            smug_shape_chw(&l->out, &co, &ho, &wo);
            size_t ni = (size_t)c * (size_t)h * (size_t)w;
            size_t nc =
                (size_t)c * (size_t)l->win.kh * (size_t)l->win.kw * B * (size_t)ho * (size_t)wo;
            float *x = malloc(B * ni * sizeof *x), *gx = calloc(B * ni, sizeof *gx);
            float *col = malloc(nc * sizeof *col), *dc = malloc(nc * sizeof *dc);
            assert_true(x && gx && col && dc);
            for (size_t k = 0; k < B * ni; k++)
                x[k] = (float)(2.0 * tu_rng_unit(&rng) - 1.0);
            for (size_t k = 0; k < nc; k++)
                dc[k] = (float)(2.0 * tu_rng_unit(&rng) - 1.0);
            smug_im2col(l, x, B, col);
            smug_col2im(l, dc, B, gx);
            double a = 0.0, b = 0.0, mag = 0.0;
            for (size_t k = 0; k < nc; k++)
                a += (double)col[k] * dc[k], mag += fabs((double)col[k] * dc[k]);
            for (size_t k = 0; k < B * ni; k++)
                b += (double)x[k] * gx[k];
            tu_assert_close(a, b, 1e-5 * mag);
            free(x), free(gx), free(col), free(dc);
        }
        smug_net_free(net);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_input_vs_ref),
        cmocka_unit_test(test_grad_finite_differences_dense),
        cmocka_unit_test(test_grad_finite_differences_f64),
        cmocka_unit_test(test_grad_prob_finite_differences),
        cmocka_unit_test(test_logit_seed),
        cmocka_unit_test(test_layer_adjoints),
        cmocka_unit_test(test_relu_and_maxpool_conventions),
        cmocka_unit_test(test_col2im_is_adjoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
