/* test_net.c — shapes, receptive fields and the `inspect` summary (src/nn/net.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/forward.h"
#include "smug/net.h"
#include "testutil.h"

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The receptive field of first-layer neuron j as a sorted array (caller frees). */
static size_t *field(const smug_net *net, size_t j, size_t *out_n)
{
    size_t n = smug_net_receptive_field(net, j, NULL, 0);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    assert_non_null(idx);
    assert_int_equal(smug_net_receptive_field(net, j, idx, n), n);
    qsort(idx, n, sizeof *idx, cmp_size);
    *out_n = n;
    return idx;
}

/* Input indices of rows [r0, r1] x cols [c0, c1] of a 28x28 single-channel image */
static size_t block(size_t *out, int r0, int r1, int c0, int c1)
{
    size_t n = 0;
    for (int r = r0; r <= r1; r++)
        for (int c = c0; c <= c1; c++)
            out[n++] = (size_t)r * 28 + (size_t)c;
    return n;
}

static void assert_field_is(const smug_net *net, size_t j, int r0, int r1, int c0, int c1)
{
    size_t want[784];
    size_t nw = block(want, r0, r1, c0, c1);
    size_t n;
    size_t *got = field(net, j, &n);
    if (n != nw)
        fail_msg("neuron %zu sees %zu inputs, expected %zu", j, n, nw);
    assert_memory_equal(got, want, n * sizeof *got);
    free(got);
}

static void test_receptive_field_cnn(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_cnn.onnx");
    assert_non_null(net);
    /* first conv: k3, stride 2, pad 1, output 8x14x14; output (oy, ox) sees input rows
     * 2oy-1 .. 2oy+1 and cols 2ox-1 .. 2ox+1, clipped to the image */
    assert_field_is(net, 0, 0, 1, 0, 1);                /* corner: 4 pixels */
    assert_field_is(net, 5 * 14 + 7, 9, 11, 13, 15);    /* interior: 9 pixels */
    assert_field_is(net, 13 * 14 + 13, 25, 27, 25, 27); /* bottom-right: no padding hit */
    assert_field_is(net, 0 * 14 + 13, 0, 1, 25, 27);    /* top edge: 6 pixels */
    /* every channel at the same position sees the same pixels */
    assert_field_is(net, 3 * 196 + 5 * 14 + 7, 9, 11, 13, 15);
    assert_field_is(net, 7 * 196, 0, 1, 0, 1);

    /* cap smaller than the field: returns the full count, writes only cap entries */
    size_t buf[9];
    for (size_t i = 0; i < 9; i++)
        buf[i] = (size_t)-1;
    assert_int_equal(smug_net_receptive_field(net, 5 * 14 + 7, buf, 4), 9);
    for (size_t i = 0; i < 4; i++)
        assert_true(buf[i] < 784);
    for (size_t i = 4; i < 9; i++)
        assert_true(buf[i] == (size_t)-1);
    smug_net_free(net);
}

static void test_receptive_field_dense(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_fc.onnx");
    assert_non_null(net);
    for (size_t j = 0; j < 32; j += 31) {
        size_t n;
        size_t *got = field(net, j, &n);
        assert_int_equal(n, 784);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(got[i], i);
        free(got);
    }
    smug_net_free(net);
}

/* The receptive field must be exactly the set of input pixels that change neuron j's
 * pre-activation: perturb each pixel in turn (one batched forward pass of the layers up to
 * the first one) and compare with smug_net_receptive_field. */
static void check_field_by_perturbation(const char *model, const size_t *neurons, size_t n_neurons)
{
    smug_net *net = tu_load_model(model);
    assert_non_null(net);
    size_t n_in = smug_shape_size(&net->input), n_first = smug_net_first_size(net);
    int batch = (int)n_in + 1;
    float *x = malloc((size_t)batch * n_in * sizeof *x);
    assert_non_null(x);
    tu_rng rng = {7};
    for (size_t i = 0; i < n_in; i++)
        x[i] = (float)(0.2 + 0.6 * tu_rng_unit(&rng));
    for (int b = 1; b < batch; b++) {
        memcpy(x + (size_t)b * n_in, x, n_in * sizeof *x);
        x[(size_t)b * n_in + (size_t)(b - 1)] += 64.0f;
    }
    smug_trace t;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_forward(net, 0, net->first + 1, x, batch, &t, &err), 0);
    const float *y = smug_trace_output(&t);
    char *changes = malloc(n_in);
    assert_non_null(changes);
    for (size_t k = 0; k < n_neurons; k++) {
        size_t j = neurons[k];
        for (size_t p = 0; p < n_in; p++)
            /* not bit equality: different batch columns of one GEMM may round differently;
             * a pixel inside the field moves the neuron by 64·|w|·scale >> 1e-3 */
            changes[p] = fabsf(y[(p + 1) * n_first + j] - y[j]) > 1e-3f;
        size_t n;
        size_t *rf = field(net, j, &n);
        size_t n_changed = 0;
        for (size_t p = 0; p < n_in; p++)
            n_changed += changes[p] != 0;
        for (size_t i = 0; i < n; i++)
            if (!changes[rf[i]])
                fail_msg("%s neuron %zu: input %zu is in the receptive field but does not "
                         "affect it",
                         model, j, rf[i]);
        if (n_changed != n)
            fail_msg("%s neuron %zu: %zu inputs affect it, the receptive field has %zu", model, j,
                     n_changed, n);
        free(rf);
    }
    free(changes);
    smug_trace_clear(&t);
    free(x);
    smug_net_free(net);
}

static void test_receptive_field_matches_forward(void **state)
{
    (void)state;
    const size_t cnn[] = {0, 13, 5 * 14 + 7, 13 * 14, 195, 4 * 196 + 100, 7 * 196 + 195};
    check_field_by_perturbation("models/fashion_cnn.onnx", cnn, sizeof cnn / sizeof *cnn);
    /* avgpool_gap: first conv k3, stride 1, pad 1, 4x28x28 output */
    const size_t ap[] = {0, 27, 28 * 28 - 1, 2 * 784 + 14 * 28 + 3, 3 * 784 + 28 * 27};
    check_field_by_perturbation("tests/data/onnx/avgpool_gap.onnx", ap, sizeof ap / sizeof *ap);
    const size_t fc[] = {0, 17, 31};
    check_field_by_perturbation("models/fashion_fc.onnx", fc, sizeof fc / sizeof *fc);
}

static void test_describe_mentions_every_layer(void **state)
{
    (void)state;
    const char *models[] = {"models/fashion_fc.onnx", "models/fashion_deep.onnx",
                            "models/fashion_cnn.onnx", "tests/data/onnx/avgpool_gap.onnx",
                            "tests/data/onnx/matmul_add.onnx"};
    for (size_t m = 0; m < sizeof models / sizeof *models; m++) {
        smug_net *net = tu_load_model(models[m]);
        assert_non_null(net);
        smug_strbuf sb = SMUG_STRBUF_INIT;
        smug_net_describe(net, &sb);
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_strbuf_check(&sb, &err), 0);
        assert_non_null(sb.buf);
        assert_non_null(strstr(sb.buf, net->path));
        assert_non_null(strstr(sb.buf, "1x28x28"));
        assert_non_null(strstr(sb.buf, "10 classes"));
        if (net->has_softmax)
            assert_non_null(strstr(sb.buf, "Softmax"));
        /* one line per layer, each naming the layer, its kind and its output shape, in order */
        const char *at = sb.buf;
        for (int i = 0; i < net->n_layers; i++) {
            const smug_layer *l = &net->layers[i];
            char shape[64];
            const char *line = strstr(at, l->name);
            if (!line)
                fail_msg("%s: describe lacks layer %d '%s':\n%s", models[m], i, l->name, sb.buf);
            const char *eol = strchr(line, '\n');
            assert_non_null(eol);
            const char *bol = line;
            while (bol > sb.buf && bol[-1] != '\n')
                bol--;
            char text[1024];
            size_t tl =
                (size_t)(eol - bol) < sizeof text - 1 ? (size_t)(eol - bol) : sizeof text - 1;
            memcpy(text, bol, tl);
            text[tl] = '\0';
            if (!strstr(text, smug_layer_kind_name(l->kind)) ||
                !strstr(text, smug_shape_str(&l->out, shape, sizeof shape)) || !strstr(text, l->op))
                fail_msg("%s: line of layer %d lacks its kind, shape or op: %s", models[m], i,
                         text);
            at = eol;
        }
        /* the first layer is named */
        assert_non_null(strstr(at, "first layer"));
        assert_non_null(strstr(at, net->layers[net->first].name));
        smug_strbuf_clear(&sb);
        smug_net_free(net);
    }
}

static void test_shape_helpers(void **state)
{
    (void)state;
    char buf[64];
    smug_shape img = {3, {1, 28, 28}}, seq = {2, {4, 50, 0}}, vec = {1, {784, 0, 0}},
               scal = {0, {0, 0, 0}};
    assert_string_equal(smug_shape_str(&img, buf, sizeof buf), "1x28x28");
    assert_string_equal(smug_shape_str(&vec, buf, sizeof buf), "784");
    assert_string_equal(smug_shape_str(&scal, buf, sizeof buf), "scalar");
    /* a too-small buffer is truncated, still terminated */
    char tiny[4];
    smug_shape_str(&img, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 3);
    assert_int_equal(smug_shape_size(&img), 784);
    assert_int_equal(smug_shape_size(&seq), 200);
    assert_int_equal(smug_shape_size(&scal), 1);
    int c, h, w;
    smug_shape_chw(&img, &c, &h, &w);
    assert_true(c == 1 && h == 28 && w == 28);
    smug_shape_chw(&seq, &c, &h, &w);
    assert_true(c == 4 && h == 1 && w == 50);
    assert_string_equal(smug_layer_kind_name(SMUG_LAYER_CONV), "Conv");
    assert_string_equal(smug_layer_kind_name(SMUG_LAYER_DENSE), "Dense");
    smug_net_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receptive_field_cnn),
        cmocka_unit_test(test_receptive_field_dense),
        cmocka_unit_test(test_receptive_field_matches_forward),
        cmocka_unit_test(test_describe_mentions_every_layer),
        cmocka_unit_test(test_shape_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
