/* test_conformance.c — smug against ONNX's own operator tests (issue #11 item 2).
 *
 * Debian's libonnx-testdata ships ONNX's backend tests: node/<test>/model.onnx (one operator,
 * usually one node) with test_data_set_N/input_K.pb and output_0.pb, plus PyTorch-converted
 * module and operator tests in the same layout. For every test whose operators smug
 * supports, each set's inputs go through smug's loader (smug_onnx_load_graph: no
 * explainability checks) and forward pass, and the output must equal ONNX's within
 *     |got − want| <= 1e-5 + 1e-4 · |want|   (float32; ONNX's own runner uses rtol 1e-3).
 * Backward is checked on the same graphs by finite differences of the float64 oracle
 * (helpers/oracle.c): for random directions v and weights u,
 *     ⟨u, (f(x + h v) − f(x − h v)) / 2h⟩ = ⟨v, smug_backward(u)⟩   (h = 1e-6, float64)
 * within 1e-4 of the size of the terms, on the first example of the batch.
 *
 * smug's network has one input with a batch axis in front; ONNX tests may have several
 * inputs. The harness makes one of them the model input (each float input in turn) and
 * the others initializers holding the test's values. Elementwise-only tests get a leading
 * batch axis of 1 added, which numpy broadcasting makes the same computation; every other
 * test reads dimension 0 as the batch. Tests smug refuses (an attribute, a data type, a rank,
 * an operator it lacks inside an expanded function) are listed with smug's own reason; a
 * refusal that is not UNSUPPORTED, a wrong value or a wrong gradient fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "smug/backward.h"
#include "smug/forward.h"
#include "smug/fsutil.h"
#include "smug/onnx.h"
#include "testutil.h"

#define DATA_DIR "/usr/share/libonnx-testdata/data"
#define ATOL     1e-5
#define RTOL     1e-4

/* Operators smug reads, with the name prefix ONNX gives their tests. */
static const struct {
    const char *op, *prefix;
} ops[] = {
    {"Add", "test_add"},
    {"AveragePool", "test_averagepool"},
    {"BatchNormalization", "test_batchnorm"},
    {"Clip", "test_clip"},
    {"Concat", "test_concat"},
    {"Constant", "test_constant_"},
    {"Conv", "test_conv_"},
    {"Conv", "test_basic_conv"},
    {"Div", "test_div"},
    {"Dropout", "test_dropout"},
    {"Flatten", "test_flatten"},
    {"Gemm", "test_gemm"},
    {"GlobalAveragePool", "test_globalaveragepool"},
    {"GlobalMaxPool", "test_globalmaxpool"},
    {"Identity", "test_identity"},
    {"MatMul", "test_matmul"},
    {"MaxPool", "test_maxpool"},
    {"Mul", "test_mul"},
    {"Pad", "test_constant_pad"},
    {"Pad", "test_edge_pad"},
    {"Pad", "test_reflect_pad"},
    {"ReduceMax", "test_reduce_max"},
    {"ReduceMean", "test_reduce_mean"},
    {"Relu", "test_relu"},
    {"Reshape", "test_reshape"},
    {"Sigmoid", "test_sigmoid"},
    {"Softmax", "test_softmax"},
    {"Sub", "test_sub"},
    {"Gather", "test_gather_"},
    {"Transpose", "test_transpose"},
};
static const char *const elementwise[] = {"Add",  "Sub",     "Mul",      "Div",    "Relu",
                                          "Clip", "Sigmoid", "Identity", "Dropout"};

typedef struct tally {
    int passed, skipped, failed;
} tally;

static int in_list(const char *op, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(op, list[i]) == 0)
            return 1;
    return 0;
}

static int supported(const char *op)
{
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strcmp(op, ops[i].op) == 0)
            return 1;
    return 0;
}

static int named_for_supported(const char *test)
{
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (tu_has_prefix(test, ops[i].prefix))
            return 1;
    return 0;
}

static Onnx__TensorProto *read_tensor(const char *path)
{
    unsigned char *data;
    size_t len;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_fs_read_all(path, &data, &len, &err) < 0)
        return NULL;
    Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, len, data);
    free(data);
    return t;
}

/* A float tensor's values, or NULL (not float32). *out_n gets the count. */
static float *tensor_floats(const Onnx__TensorProto *t, size_t *out_n)
{
    if (!t->has_data_type || t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return NULL;
    size_t n = 1;
    for (size_t i = 0; i < t->n_dims; i++)
        n *= (size_t)t->dims[i];
    float *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return NULL;
    if (t->has_raw_data && t->raw_data.len == n * 4 && n)
        memcpy(v, t->raw_data.data, n * 4);
    else if (t->n_float_data == n && n)
        memcpy(v, t->float_data, n * 4);
    else if (n) {
        free(v);
        return NULL;
    }
    *out_n = n;
    return v;
}

/* The test's graph inputs that are not initializers. */
static size_t real_inputs(const Onnx__GraphProto *g, const Onnx__ValueInfoProto **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n_input; i++) {
        int init = 0;
        for (size_t k = 0; k < g->n_initializer; k++)
            init |= strcmp(g->initializer[k]->name, g->input[i]->name) == 0;
        if (!init && n < cap)
            out[n++] = g->input[i];
    }
    return n;
}

/* The model with input `run` as smug's input (its shape from the test data, with a leading
 * 1 when lift) and every other input an initializer holding the test's tensor. Packs it into
 * a malloc'ed buffer and leaves m as it was. */
static unsigned char *variant(Onnx__ModelProto *m, Onnx__TensorProto **data, size_t n_data,
                              size_t run, int lift, size_t *out_len)
{
    Onnx__GraphProto *g = m->graph;
    const Onnx__ValueInfoProto *ins[16];
    size_t n = real_inputs(g, ins, 16);
    Onnx__TensorProto **inits = malloc((g->n_initializer + n) * sizeof *inits);
    Onnx__TensorShapeProto__Dimension dims[9], *dp[9];
    if (!inits || n != n_data || data[run]->n_dims + (size_t)lift > 8) {
        free(inits);
        return NULL;
    }
    size_t ni = g->n_initializer;
    if (ni) /* no initializers: the array may be NULL */
        memcpy(inits, g->initializer, ni * sizeof *inits);
    char *names[16];
    for (size_t i = 0; i < n; i++) {
        names[i] = data[i]->name;
        if (i != run) {
            data[i]->name = ins[i]->name; /* borrowed: each name is put back below */
            inits[ni++] = data[i];
        }
    }
    Onnx__ValueInfoProto *vin = (Onnx__ValueInfoProto *)ins[run];
    Onnx__TensorShapeProto *shape =
        vin->type && vin->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
                vin->type->tensor_type
            ? vin->type->tensor_type->shape
            : NULL;
    if (!shape) {
        free(inits);
        return NULL;
    }
    size_t nd = 0;
    for (size_t i = 0; i < (size_t)lift + data[run]->n_dims; i++, nd++) {
        onnx__tensor_shape_proto__dimension__init(&dims[i]);
        dims[i].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        dims[i].dim_value = lift && i == 0 ? 1 : data[run]->dims[i - (size_t)lift];
        dp[i] = &dims[i];
    }
    Onnx__TensorProto **old_inits = g->initializer;
    size_t old_ni = g->n_initializer, old_nd = shape->n_dim;
    Onnx__TensorShapeProto__Dimension **old_dims = shape->dim;
    g->initializer = inits, g->n_initializer = ni;
    shape->dim = dp, shape->n_dim = nd;
    size_t len = onnx__model_proto__get_packed_size(m);
    unsigned char *buf = malloc(len ? len : 1);
    if (buf)
        onnx__model_proto__pack(m, buf);
    g->initializer = old_inits, g->n_initializer = old_ni;
    shape->dim = old_dims, shape->n_dim = old_nd;
    for (size_t i = 0; i < n; i++)
        data[i]->name = names[i];
    free(inits);
    *out_len = len;
    return buf;
}

/* ⟨u, J v⟩ by central differences of the float64 oracle against ⟨v, Jᵀu⟩ from smug, on
 * example 0. Returns 0 when they agree. */
static int check_backward(const smug_net *net, const float *x, int batch, const char *label)
{
    size_t ni = smug_shape_size(&net->input), no = (size_t)net->n_classes;
    double *xd = malloc(ni * sizeof *xd), *yp = malloc(no * sizeof *yp),
           *ym = malloc(no * sizeof *ym);
    float *u = calloc((size_t)batch * no, sizeof *u), *g = malloc((size_t)batch * ni * sizeof *g);
    double *v = malloc(ni * sizeof *v);
    assert_true(xd && yp && ym && u && g && v);
    tu_rng rng = {77};
    for (size_t k = 0; k < no; k++)
        u[k] = (float)(2.0 * tu_rng_unit(&rng) - 1.0);
    for (size_t k = 0; k < ni; k++)
        v[k] = 2.0 * tu_rng_unit(&rng) - 1.0;
    smug_trace t;
    smug_error err = SMUG_ERROR_INIT;
    int rc = smug_forward(net, 0, net->n_layers, x, batch, &t, &err);
    if (rc == 0)
        rc = smug_backward(&t, u, g, &err);
    smug_trace_clear(&t);
    const double h = 1e-6;
    for (size_t k = 0; rc == 0 && k < ni; k++)
        xd[k] = x[k] + h * v[k];
    if (rc == 0)
        rc = tu_forward_f64(net, 0, net->n_layers, xd, yp);
    for (size_t k = 0; rc == 0 && k < ni; k++)
        xd[k] = x[k] - h * v[k];
    if (rc == 0)
        rc = tu_forward_f64(net, 0, net->n_layers, xd, ym);
    double lhs = 0, rhs = 0, mag = 1e-6;
    for (size_t k = 0; rc == 0 && k < no; k++) {
        double jv = (yp[k] - ym[k]) / (2 * h);
        lhs += u[k] * jv;
        mag += fabs(u[k] * jv);
    }
    for (size_t k = 0; rc == 0 && k < ni; k++) {
        rhs += v[k] * g[k];
        mag += fabs(v[k] * g[k]);
    }
    int bad = rc != 0 || !(fabs(lhs - rhs) <= 1e-4 * mag);
    if (bad)
        printf("  FAIL %s: backward: <u,Jv> %.9g, <v,J'u> %.9g (%s)\n", label, lhs, rhs,
               rc ? err.msg : "finite differences");
    free(xd), free(yp), free(ym), free(u), free(g), free(v);
    return bad;
}

/* Runs one loaded variant on a test data set: 0 pass, 1 fail. */
static int run_variant(const smug_net *net, const Onnx__TensorProto *in,
                       const Onnx__TensorProto *want, int lift, const char *label)
{
    size_t nx, nw;
    float *x = tensor_floats(in, &nx), *w = tensor_floats(want, &nw);
    int batch = lift ? 1 : (in->n_dims ? (int)in->dims[0] : 1);
    size_t per = smug_shape_size(&net->input), out = (size_t)net->n_classes;
    int bad = 0;
    if (!x || !w || per * (size_t)batch != nx || out * (size_t)batch != nw) {
        printf("  FAIL %s: %zu inputs for %d x %zu, %zu outputs for %d x %zu\n", label, nx, batch,
               per, nw, batch, out);
        bad = 1;
    }
    float *y = bad ? NULL : malloc(nw * sizeof *y);
    smug_error err = SMUG_ERROR_INIT;
    if (!bad && smug_net_logits(net, x, batch, y, &err) < 0) {
        printf("  FAIL %s: forward: %s\n", label, err.msg);
        bad = 1;
    }
    double worst = 0.0;
    for (size_t k = 0; !bad && k < nw; k++) {
        double d = fabs((double)y[k] - w[k]);
        worst = d > worst ? d : worst;
        if (!(d <= ATOL + RTOL * fabs((double)w[k]))) {
            printf("  FAIL %s: output %zu is %.9g, ONNX says %.9g\n", label, k, (double)y[k],
                   (double)w[k]);
            bad = 1;
        }
    }
    if (!bad)
        bad = check_backward(net, x, batch, label);
    if (!bad)
        printf("  ok   %s: %zu outputs, max |d| %.2g, backward ok\n", label, nw, worst);
    free(x), free(w), free(y);
    return bad;
}

/* One test directory: every data set, every float input as smug's input. */
static void run_one(const char *suite, const char *name, tally *t)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s/model.onnx", DATA_DIR, suite, name);
    unsigned char *buf;
    size_t len;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_fs_read_all(path, &buf, &len, &err) < 0)
        return;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    if (!m || !m->graph)
        return;
    const char *missing = NULL;
    int elementwise_only = 1;
    for (size_t i = 0; i < m->graph->n_node; i++) {
        const char *op = m->graph->node[i]->op_type;
        if (!supported(op))
            missing = op;
        elementwise_only &= in_list(op, elementwise, sizeof elementwise / sizeof *elementwise);
    }
    if (missing) {
        if (named_for_supported(name)) {
            printf("  skip %s/%s: operator %s is not supported\n", suite, name, missing);
            t->skipped++;
        }
        onnx__model_proto__free_unpacked(m, NULL);
        return;
    }
    for (int set = 0;; set++) {
        Onnx__TensorProto *in[16] = {0}, *out;
        size_t n_in = 0;
        for (; n_in < 16; n_in++) {
            snprintf(path, sizeof path, "%s/%s/%s/test_data_set_%d/input_%zu.pb", DATA_DIR, suite,
                     name, set, n_in);
            if (!(in[n_in] = read_tensor(path)))
                break;
        }
        snprintf(path, sizeof path, "%s/%s/%s/test_data_set_%d/output_0.pb", DATA_DIR, suite, name,
                 set);
        out = read_tensor(path);
        if (!out) {
            for (size_t i = 0; i < n_in; i++)
                onnx__tensor_proto__free_unpacked(in[i], NULL);
            break;
        }
        for (size_t run = 0; run < n_in; run++) {
            /* input 0 is the data of every operator; a second operand can be the running
             * tensor only of an elementwise operator (1 - x, 2 / x) */
            if (!in[run]->has_data_type ||
                in[run]->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ||
                (run > 0 && !elementwise_only))
                continue;
            char label[256];
            snprintf(label, sizeof label, "%s/%s set %d, input %zu", suite, name, set, run);
            int lift = elementwise_only && in[run]->n_dims < 4;
            size_t blen;
            unsigned char *b = variant(m, in, n_in, run, lift, &blen);
            smug_net *net = NULL;
            if (b && smug_onnx_load_graph(b, blen, name, &net, &err) == 0) {
                int bad = run_variant(net, in[run], out, lift, label);
                t->failed += bad, t->passed += !bad;
            } else if (b && err.code == SMUG_ERR_UNSUPPORTED) {
                printf("  skip %s: %s\n", label, err.msg);
                t->skipped++;
            } else if (!b) {
                printf("  skip %s: input %zu is not a tensor of fixed shape\n", label, run);
                t->skipped++;
            } else {
                printf("  FAIL %s: %s\n", label, err.msg);
                t->failed++;
            }
            smug_net_free(net);
            free(b);
        }
        for (size_t i = 0; i < n_in; i++)
            onnx__tensor_proto__free_unpacked(in[i], NULL);
        onnx__tensor_proto__free_unpacked(out, NULL);
    }
    onnx__model_proto__free_unpacked(m, NULL);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_suite(const char *suite, tally *t)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", DATA_DIR, suite);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("%s: cannot open (is libonnx-testdata installed? scripts/install-deps.sh)", dir);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!tu_has_prefix(e->d_name, "test_"))
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        assert_non_null(names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        run_one(suite, names[i], t);
        free(names[i]);
    }
    free(names);
}

static void test_onnx_backend_tests(void **state)
{
    (void)state;
    tally t = {0};
    run_suite("node", &t);
    run_suite("pytorch-converted", &t);
    run_suite("pytorch-operator", &t);
    printf("ONNX conformance: %d runs passed, %d failed, %d skipped (reasons above; tolerance "
           "|d| <= %g + %g |want|)\n",
           t.passed, t.failed, t.skipped, ATOL, RTOL);
    assert_int_equal(t.failed, 0);
    assert_true(t.passed >= 100); /* the suite really ran */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_onnx_backend_tests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
