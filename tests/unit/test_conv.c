/* test_conv.c — both convolution routes (conv.h: oneDNN and im2col + OpenBLAS) against the
 * float64 oracle (helpers/oracle.c), forward and input gradient, on the layer shapes the
 * fixture networks have and a few they do not: odd channel counts (oneDNN pads its channel
 * blocks of 16), asymmetric pads, strides, dilation, groups, depthwise with and without a
 * channel multiplier, 1-D; Winograd where oneDNN takes it. Also the prepared layer's
 * contract: batches up to the prepared size in any order, an error beyond it.
 *
 * The gradient oracle: a conv is affine in x, so column p of its Jacobian is f(e_p) − f(0),
 * and the input gradient for output gradient g is Σ_o g_o (f(e_p) − f(0))_o, each f one
 * float64 forward pass of the oracle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smug/conv.h"
#include "testutil.h"

typedef struct conv_case {
    const char *what;
    int rank, c, h, w; /* input (C, H, W), or (C, L) with rank 2 */
    int co, ho, wo;
    smug_window win;
    int group;
} conv_case;

/* smug_window: kh, kw, sh, sw, pad top, left, bottom, right, dh, dw */
static const conv_case cases[] = {
    {"3x3 s1 p1, 5->7 channels", 3, 5, 9, 8, 7, 9, 8, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, 1},
    {"3x3 s1 p1, 16->32 (Winograd's shape)",
     3,
     16,
     6,
     6,
     32,
     6,
     6,
     {3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
     1},
    {"3x3 s1 p1, 1->16 (a grayscale stem)",
     3,
     1,
     8,
     8,
     16,
     8,
     8,
     {3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
     1},
    {"3x3 s1 p0, 16->16", 3, 16, 8, 7, 16, 6, 5, {3, 3, 1, 1, 0, 0, 0, 0, 1, 1}, 1},
    {"3x3 s2, asymmetric pads, 16->20", 3, 16, 11, 10, 20, 5, 5, {3, 3, 2, 2, 1, 0, 0, 1, 1, 1}, 1},
    {"1x1 s2, 32->24", 3, 32, 7, 7, 24, 4, 4, {1, 1, 2, 2, 0, 0, 0, 0, 1, 1}, 1},
    {"7x7 s2 p3 (a stem), 3->16", 3, 3, 16, 16, 16, 8, 8, {7, 7, 2, 2, 3, 3, 3, 3, 1, 1}, 1},
    {"3x3 dilation 2, 4->6", 3, 4, 9, 9, 6, 9, 9, {3, 3, 1, 1, 2, 2, 2, 2, 2, 2}, 1},
    {"2x3 stride (2,1), 3->4", 3, 3, 6, 5, 4, 3, 5, {2, 3, 2, 1, 0, 2, 1, 0, 1, 1}, 1},
    {"grouped 3x3, 2 groups, 6->4", 3, 6, 7, 7, 4, 7, 7, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, 2},
    {"depthwise 3x3 s1, 24", 3, 24, 8, 8, 24, 8, 8, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, 24},
    {"depthwise 3x3 s2, 20", 3, 20, 9, 9, 20, 5, 5, {3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, 20},
    {"depthwise x2 multiplier, 4->8", 3, 4, 6, 6, 8, 6, 6, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, 4},
    {"1-D, 2->5, kernel 3 s2 p1", 2, 2, 10, 0, 5, 5, 0, {1, 3, 1, 2, 0, 1, 0, 1, 1, 1}, 1},
};
#define N_CASES (sizeof cases / sizeof *cases)
#define BATCH   3

static void set_shape(smug_shape *s, int rank, int c, int h, int w)
{
    memset(s, 0, sizeof *s);
    s->rank = rank;
    s->dims[0] = c;
    s->dims[1] = h;
    s->dims[2] = w;
}

/* A one-layer net for case k with seeded random weights and bias. */
static smug_net *case_net(const conv_case *k, unsigned long long seed)
{
    tu_rng rng = {seed};
    smug_layer l;
    memset(&l, 0, sizeof l);
    l.kind = SMUG_LAYER_CONV;
    set_shape(&l.in, k->rank, k->c, k->h, k->w);
    set_shape(&l.out, k->rank, k->co, k->ho, k->wo);
    l.n_in = k->c, l.n_out = k->co;
    l.win = k->win;
    l.group = k->group;
    size_t nw = (size_t)k->co * (size_t)(k->c / k->group) * (size_t)k->win.kh * (size_t)k->win.kw;
    float *w = malloc(nw * sizeof *w), *b = malloc((size_t)k->co * sizeof *b);
    for (size_t i = 0; i < nw; i++)
        w[i] = (float)(tu_rng_unit(&rng) - 0.5);
    for (int i = 0; i < k->co; i++)
        b[i] = (float)(tu_rng_unit(&rng) - 0.5);
    l.weight = w, l.bias = b;
    smug_net *net = tu_net_from_layers(&l, 1);
    free(w), free(b);
    return net;
}

/* Float64 forward and input gradient of the oracle for `batch` examples. */
static void oracle(const smug_net *net, const float *x, const float *g, int batch, double *y,
                   double *gin)
{
    const smug_layer *l = &net->layers[0];
    size_t n = smug_shape_size(&l->in), m = smug_shape_size(&l->out);
    double *xd = calloc(n, sizeof *xd), *f0 = malloc(m * sizeof *f0), *fp = malloc(m * sizeof *fp);
    assert_int_equal(tu_forward_f64(net, 0, 1, xd, f0), 0); /* f(0) = bias */
    for (int b = 0; b < batch; b++) {
        for (size_t p = 0; p < n; p++)
            xd[p] = x[(size_t)b * n + p];
        assert_int_equal(tu_forward_f64(net, 0, 1, xd, y + (size_t)b * m), 0);
    }
    for (size_t p = 0; p < n; p++) {
        memset(xd, 0, n * sizeof *xd);
        xd[p] = 1.0;
        assert_int_equal(tu_forward_f64(net, 0, 1, xd, fp), 0);
        for (int b = 0; b < batch; b++) {
            double s = 0;
            for (size_t o = 0; o < m; o++)
                s += (double)g[(size_t)b * m + o] * (fp[o] - f0[o]);
            gin[(size_t)b * n + p] = s;
        }
    }
    free(xd), free(f0), free(fp);
}

/* max |got − want| relative to max |want| */
static double rel_err(const float *got, const double *want, size_t n)
{
    double d = 0, mx = 0;
    for (size_t i = 0; i < n; i++) {
        double e = got[i] - want[i];
        d = e < 0 ? (-e > d ? -e : d) : (e > d ? e : d);
        mx = want[i] < 0 ? (-want[i] > mx ? -want[i] : mx) : (want[i] > mx ? want[i] : mx);
    }
    return d / (mx > 0 ? mx : 1.0);
}

static void check_route(smug_conv_route route, const char *route_name)
{
    for (size_t k = 0; k < N_CASES; k++) {
        smug_net *net = case_net(&cases[k], 1000 + k);
        assert_non_null(net);
        const smug_layer *l = &net->layers[0];
        size_t n = smug_shape_size(&l->in), m = smug_shape_size(&l->out);
        tu_rng rng = {77 + k};
        float *x = malloc(BATCH * n * sizeof *x), *g = malloc(BATCH * m * sizeof *g);
        float *y = malloc(BATCH * m * sizeof *y), *gin = malloc(BATCH * n * sizeof *gin);
        double *yr = malloc(BATCH * m * sizeof *yr), *gr = malloc(BATCH * n * sizeof *gr);
        for (size_t i = 0; i < BATCH * n; i++)
            x[i] = (float)(tu_rng_unit(&rng) * 2.0 - 1.0);
        for (size_t i = 0; i < BATCH * m; i++)
            g[i] = (float)(tu_rng_unit(&rng) * 2.0 - 1.0);
        oracle(net, x, g, BATCH, yr, gr);
        smug_error err = SMUG_ERROR_INIT;
        smug_conv *c;
        if (smug_conv_init(l, BATCH, route, &c, &err) != 0)
            fail_msg("%s %s: %s", route_name, cases[k].what, err.msg);
        void *scratch = aligned_alloc(64, (smug_conv_scratch_bytes(c) + 64) / 64 * 64);
        /* every batch size up to the prepared one, in any order: the primitives follow */
        const int batches[] = {BATCH, 1, 2, BATCH};
        for (size_t bi = 0; bi < sizeof batches / sizeof *batches; bi++) {
            int nb = batches[bi];
            assert_int_equal(smug_conv_forward(c, x, nb, y, scratch, &err), 0);
            assert_int_equal(smug_conv_backward(c, g, nb, gin, scratch, &err), 0);
            double ef = rel_err(y, yr, (size_t)nb * m), eb = rel_err(gin, gr, (size_t)nb * n);
            if (ef > 1e-5 || eb > 1e-5)
                fail_msg("%s %s, batch %d: forward error %.3g, gradient error %.3g (%s)",
                         route_name, cases[k].what, nb, ef, eb, smug_conv_describe(c));
        }
        assert_int_equal(smug_conv_forward(c, x, BATCH + 1, y, scratch, &err), -1);
        assert_int_equal(err.code, SMUG_ERR_INTERNAL);
        assert_non_null(strstr(err.msg, "prepared for 3"));
        smug_conv_free(c);
        free(scratch), free(x), free(g), free(y), free(gin), free(yr), free(gr);
        smug_net_free(net);
    }
}

static void test_gemm_route(void **state)
{
    (void)state;
    check_route(SMUG_CONV_GEMM, "im2col");
}

static void test_dnnl_route(void **state)
{
    (void)state;
    check_route(SMUG_CONV_DNNL, "oneDNN");
}

static void test_winograd_route(void **state)
{
    (void)state;
    check_route(SMUG_CONV_WINOGRAD, "oneDNN Winograd");
}

/* The default route is oneDNN, and says so (bench/bench_conv prints it). */
static void test_auto_is_dnnl(void **state)
{
    (void)state;
    smug_net *net = case_net(&cases[0], 5);
    smug_conv *c;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_conv_init(&net->layers[0], 4, SMUG_CONV_AUTO, &c, &err), 0);
    assert_true(tu_has_prefix(smug_conv_describe(c), "oneDNN "));
    smug_conv_free(c);
    /* 3x3 stride 1, 64 channels, 14x14 map: Winograd; 16->32, or stride 2, the direct
     * kernels */
    static const conv_case wide = {
        "3x3 s1 p1, 64->64", 3, 64, 14, 14, 64, 14, 14, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, 1};
    smug_net *wnet = case_net(&wide, 6), *snet = case_net(&cases[4], 7);
    smug_net *nnet = case_net(&cases[1], 8);
    assert_int_equal(smug_conv_init(&nnet->layers[0], 4, SMUG_CONV_AUTO, &c, &err), 0);
    assert_null(strstr(smug_conv_describe(c), "wino"));
    smug_conv_free(c);
    smug_net_free(nnet);
    assert_int_equal(smug_conv_init(&wnet->layers[0], 4, SMUG_CONV_AUTO, &c, &err), 0);
    assert_non_null(strstr(smug_conv_describe(c), "wino"));
    smug_conv_free(c);
    assert_int_equal(smug_conv_init(&snet->layers[0], 4, SMUG_CONV_AUTO, &c, &err), 0);
    assert_true(tu_has_prefix(smug_conv_describe(c), "oneDNN "));
    assert_null(strstr(smug_conv_describe(c), "wino"));
    smug_conv_free(c);
    smug_net_free(wnet);
    smug_net_free(snet);
    assert_int_equal(smug_conv_init(&net->layers[0], 4, SMUG_CONV_GEMM, &c, &err), 0);
    assert_string_equal(smug_conv_describe(c), "im2col+OpenBLAS");
    smug_conv_free(c);
    assert_int_equal(smug_conv_init(&net->layers[0], 0, SMUG_CONV_AUTO, &c, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_INTERNAL);
    smug_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_route),
        cmocka_unit_test(test_dnnl_route),
        cmocka_unit_test(test_winograd_route),
        cmocka_unit_test(test_auto_is_dnnl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
