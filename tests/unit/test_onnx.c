/* test_onnx.c — the ONNX loader (src/nn/onnx.c, onnx_ops.c) on the fixture models and on
 * the malformed files of tests/data/onnx (see its README.md). */
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
#include "smug/fsutil.h"
#include "smug/onnx.h"
#include "smug/strbuf.h"
#include "testutil.h"

static const char *const valid_models[] = {
    "models/fashion_fc.onnx",
    "models/fashion_deep.onnx",
    "models/fashion_cnn.onnx",
    "tests/data/onnx/matmul_add.onnx",
    "tests/data/onnx/weights_float_data.onnx",
    "tests/data/onnx/avgpool_gap.onnx",
    "tests/data/onnx/identity_dropout.onnx",
};

static int shapes_equal(const smug_shape *a, const smug_shape *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

static void assert_shape(const smug_shape *s, int rank, int d0, int d1, int d2)
{
    char buf[64];
    smug_shape want = {rank, {d0, d1, d2}};
    if (!shapes_equal(s, &want))
        fail_msg("shape %s, expected rank %d %dx%dx%d", smug_shape_str(s, buf, sizeof buf), rank,
                 d0, d1, d2);
}

/* Invariants every loaded net must satisfy, whatever the model. */
static void check_chain(const smug_net *net, const char *path)
{
    assert_non_null(net);
    assert_string_equal(net->path, path);
    assert_string_equal(net->input_name, "input");
    assert_shape(&net->input, 3, 1, 28, 28);
    assert_int_equal(net->input_is_tokens, 0);
    assert_int_equal(net->opset, 13);
    assert_int_equal(net->n_classes, 10);
    assert_true(net->n_layers >= 2);
    assert_true(shapes_equal(&net->layers[0].in, &net->input));
    for (int i = 0; i + 1 < net->n_layers; i++)
        if (!shapes_equal(&net->layers[i].out, &net->layers[i + 1].in))
            fail_msg("%s: layer %d output does not match layer %d input", path, i, i + 1);
    const smug_layer *last = &net->layers[net->n_layers - 1];
    assert_shape(&last->out, 1, 10, 0, 0);
    assert_true(net->first >= 0 && net->first < net->n_layers);
    smug_layer_kind fk = net->layers[net->first].kind;
    assert_true(fk == SMUG_LAYER_DENSE || fk == SMUG_LAYER_CONV);
    for (int i = 0; i < net->first; i++) {
        smug_layer_kind k = net->layers[i].kind;
        assert_true(k == SMUG_LAYER_AFFINE || k == SMUG_LAYER_RESHAPE);
    }
    assert_true(net->first_out == net->first || net->first_out == net->first + 1);
    if (net->first_out != net->first)
        assert_int_equal(net->layers[net->first_out].kind, SMUG_LAYER_RELU);
    for (int i = 0; i < net->n_layers; i++) {
        const smug_layer *l = &net->layers[i];
        assert_non_null(l->name);
        assert_true(l->name[0] != '\0');
        assert_non_null(l->op);
        if (l->kind == SMUG_LAYER_DENSE) {
            assert_non_null(l->weight);
            assert_non_null(l->bias);
            assert_shape(&l->in, 1, l->n_in, 0, 0);
            assert_shape(&l->out, 1, l->n_out, 0, 0);
            for (size_t k = 0; k < (size_t)l->n_in * (size_t)l->n_out; k++)
                assert_true(isfinite(l->weight[k]));
        }
        if (l->kind == SMUG_LAYER_CONV) {
            assert_non_null(l->weight);
            assert_non_null(l->bias);
            assert_int_equal(l->in.dims[0], l->n_in);
            assert_int_equal(l->out.dims[0], l->n_out);
        }
    }
}

static void test_valid_models_load(void **state)
{
    (void)state;
    for (size_t m = 0; m < sizeof valid_models / sizeof *valid_models; m++) {
        const char *path = tu_path(valid_models[m]);
        smug_net *net = NULL;
        smug_error err = SMUG_ERROR_INIT;
        if (smug_onnx_load(path, &net, &err) != 0)
            fail_msg("%s: %s", path, err.msg);
        check_chain(net, path);
        smug_net_free(net);
    }
}

/* Each fixture named by a ref JSON is the model that ref describes (a sanity check of the
 * fixture set itself: the other tests rely on it). */
static void test_every_ref_model_loads(void **state)
{
    (void)state;
    for (size_t i = 0; i < tu_n_ref_names; i++) {
        smug_net *net;
        tu_ref *r = tu_ref_with_model(i, &net);
        assert_int_equal(smug_shape_size(&net->input), r->input.n);
        assert_int_equal((size_t)net->n_classes, r->logits.n);
        assert_int_equal(smug_net_first_size(net), r->first_layer.n);
        smug_net_free(net);
        tu_ref_free(r);
    }
}

static void test_fashion_cnn_layers(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/fashion_cnn.onnx");
    assert_non_null(net);
    /* Sub+Div -> Conv -> Relu -> Conv+BN -> Relu -> MaxPool -> Flatten -> Gemm -> Relu -> Gemm */
    static const smug_layer_kind kinds[] = {
        SMUG_LAYER_AFFINE,  SMUG_LAYER_CONV,    SMUG_LAYER_RELU,  SMUG_LAYER_CONV, SMUG_LAYER_RELU,
        SMUG_LAYER_MAXPOOL, SMUG_LAYER_RESHAPE, SMUG_LAYER_DENSE, SMUG_LAYER_RELU, SMUG_LAYER_DENSE,
    };
    assert_int_equal(net->n_layers, (int)(sizeof kinds / sizeof *kinds));
    for (int i = 0; i < net->n_layers; i++)
        if (net->layers[i].kind != kinds[i])
            fail_msg("layer %d is %s, expected %s", i, smug_layer_kind_name(net->layers[i].kind),
                     smug_layer_kind_name(kinds[i]));

    /* input normalisation (x - 0.2860) / 0.3530 merged into one Affine */
    const smug_layer *a = &net->layers[0];
    assert_non_null(strstr(a->op, "Sub"));
    assert_non_null(strstr(a->op, "Div"));
    for (size_t i = 0; i < 784; i++) {
        tu_assert_close(a->scale[i], 1.0 / 0.3530, 1e-5);
        tu_assert_close(a->shift[i], -0.2860 / 0.3530, 1e-5);
    }

    const smug_layer *c1 = &net->layers[1];
    assert_int_equal(c1->n_in, 1);
    assert_int_equal(c1->n_out, 8);
    assert_int_equal(c1->win.kh, 3);
    assert_int_equal(c1->win.kw, 3);
    assert_int_equal(c1->win.sh, 2);
    assert_int_equal(c1->win.sw, 2);
    assert_int_equal(c1->win.pad_top, 1);
    assert_int_equal(c1->win.pad_left, 1);
    assert_int_equal(c1->win.pad_bottom, 1);
    assert_int_equal(c1->win.pad_right, 1);
    assert_shape(&c1->in, 3, 1, 28, 28);
    assert_shape(&c1->out, 3, 8, 14, 14);
    assert_null(strstr(c1->op, "BatchNormalization"));

    const smug_layer *c2 = &net->layers[3];
    assert_non_null(strstr(c2->op, "Conv"));
    assert_non_null(strstr(c2->op, "BatchNormalization"));
    assert_int_equal(c2->n_in, 8);
    assert_int_equal(c2->n_out, 16);
    assert_int_equal(c2->win.sh, 1);
    assert_int_equal(c2->win.pad_top, 1);
    assert_shape(&c2->out, 3, 16, 14, 14);

    const smug_layer *mp = &net->layers[5];
    assert_int_equal(mp->win.kh, 2);
    assert_int_equal(mp->win.sh, 2);
    assert_shape(&mp->out, 3, 16, 7, 7);
    assert_shape(&net->layers[6].out, 1, 784, 0, 0);
    assert_int_equal(net->layers[7].n_in, 784);
    assert_int_equal(net->layers[7].n_out, 32);
    assert_int_equal(net->layers[9].n_in, 32);

    assert_int_equal(net->first, 1);
    assert_int_equal(net->first_out, 2);
    assert_int_equal(smug_net_first_size(net), 8 * 14 * 14);
    assert_int_equal(net->has_softmax, 0);
    smug_net_free(net);
}

static void test_fashion_deep_and_fc_layers(void **state)
{
    (void)state;
    smug_net *deep = tu_load_model("models/fashion_deep.onnx");
    assert_non_null(deep);
    assert_int_equal(deep->has_softmax, 1);
    /* Flatten -> (Gemm -> Relu) x3 -> Gemm; the final Softmax is not a layer */
    assert_int_equal(deep->n_layers, 8);
    assert_int_equal(deep->layers[0].kind, SMUG_LAYER_RESHAPE);
    const int dense_at[] = {1, 3, 5, 7}, n_out[] = {128, 64, 32, 10};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(deep->layers[dense_at[i]].kind, SMUG_LAYER_DENSE);
        assert_int_equal(deep->layers[dense_at[i]].n_out, n_out[i]);
    }
    assert_int_equal(deep->first, 1);
    assert_int_equal(deep->first_out, 2);
    assert_int_equal(smug_net_first_size(deep), 128);
    smug_net_free(deep);

    smug_net *fc = tu_load_model("models/fashion_fc.onnx");
    assert_non_null(fc);
    assert_int_equal(fc->has_softmax, 0);
    assert_int_equal(fc->n_layers, 4);
    assert_int_equal(fc->first, 1);
    assert_int_equal(fc->first_out, 2);
    assert_int_equal(fc->layers[1].n_in, 784);
    assert_int_equal(fc->layers[1].n_out, 32);

    /* the same weights stored as float_data load to the very same floats */
    smug_net *fd = tu_load_model("tests/data/onnx/weights_float_data.onnx");
    assert_non_null(fd);
    assert_int_equal(fd->n_layers, fc->n_layers);
    for (int i = 0; i < fc->n_layers; i++) {
        const smug_layer *x = &fc->layers[i], *y = &fd->layers[i];
        assert_int_equal(x->kind, y->kind);
        if (x->kind != SMUG_LAYER_DENSE)
            continue;
        assert_memory_equal(x->weight, y->weight, (size_t)x->n_in * (size_t)x->n_out * 4);
        assert_memory_equal(x->bias, y->bias, (size_t)x->n_out * 4);
    }
    smug_net_free(fd);
    smug_net_free(fc);
}

static void test_feature_fixtures(void **state)
{
    (void)state;
    /* MatMul + Add become one Dense layer, the bias folded in */
    smug_net *mm = tu_load_model("tests/data/onnx/matmul_add.onnx");
    assert_non_null(mm);
    assert_int_equal(mm->n_layers, 4); /* Flatten, MatMul+Add, Relu, MatMul+Add */
    assert_int_equal(mm->layers[1].kind, SMUG_LAYER_DENSE);
    assert_int_equal(mm->layers[1].n_out, 16);
    assert_non_null(strstr(mm->layers[1].op, "MatMul"));
    assert_non_null(strstr(mm->layers[1].op, "Add"));
    assert_int_equal(mm->first, 1);
    assert_int_equal(mm->first_out, 2);
    smug_net_free(mm);

    /* Identity and Dropout vanish */
    smug_net *id = tu_load_model("tests/data/onnx/identity_dropout.onnx");
    assert_non_null(id);
    assert_int_equal(id->n_layers, 4);
    const smug_layer_kind idk[] = {SMUG_LAYER_RESHAPE, SMUG_LAYER_DENSE, SMUG_LAYER_RELU,
                                   SMUG_LAYER_DENSE};
    for (int i = 0; i < 4; i++)
        assert_int_equal(id->layers[i].kind, idk[i]);
    smug_net_free(id);

    /* AveragePool, GlobalAveragePool and a Reshape with a constant shape */
    smug_net *ap = tu_load_model("tests/data/onnx/avgpool_gap.onnx");
    assert_non_null(ap);
    const smug_layer_kind apk[] = {SMUG_LAYER_CONV,    SMUG_LAYER_RELU, SMUG_LAYER_AVGPOOL,
                                   SMUG_LAYER_CONV,    SMUG_LAYER_RELU, SMUG_LAYER_GLOBALAVGPOOL,
                                   SMUG_LAYER_RESHAPE, SMUG_LAYER_DENSE};
    assert_int_equal(ap->n_layers, 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(ap->layers[i].kind, apk[i]);
    assert_shape(&ap->layers[0].out, 3, 4, 28, 28);
    assert_shape(&ap->layers[2].out, 3, 4, 14, 14);
    assert_shape(&ap->layers[5].out, 3, 6, 1, 1);
    assert_shape(&ap->layers[6].out, 1, 6, 0, 0);
    assert_int_equal(ap->first, 0);
    assert_int_equal(ap->first_out, 1);
    smug_net_free(ap);
}

/* ---- graphs ------------------------------------------------------------------------- */

/* graph_ops.onnx (tools/make_bad_onnx.py): layers in topological order, each naming the
 * layers it reads; folds only where nothing else reads the folded layer; cuts where the
 * rest of the network is a function of one tensor. */
static void test_graph_structure(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("tests/data/onnx/graph_ops.onnx");
    assert_non_null(net);
    assert_int_equal(net->n_layers, 30);
    for (int i = 0; i < net->n_layers; i++) {
        const smug_layer *l = &net->layers[i];
        for (int j = 0; j < l->n_src; j++)
            assert_true(l->src[j] >= -1 && l->src[j] < i);
        assert_true(shapes_equal(&l->in, smug_net_src_shape(net, l, 0)));
    }
    /* Sub then Div: one Affine; Conv then BatchNormalization: one Conv */
    assert_int_equal(net->layers[0].kind, SMUG_LAYER_AFFINE);
    assert_string_equal(net->layers[0].op, "Sub+Div");
    assert_string_equal(net->layers[1].op, "Conv+BatchNormalization");
    assert_int_equal(net->first, 1);
    assert_int_equal(net->first_out, 2);
    /* the second BatchNormalization follows an Add: kept as an Affine layer */
    assert_int_equal(net->layers[9].kind, SMUG_LAYER_AFFINE);
    assert_string_equal(net->layers[9].op, "BatchNormalization");
    const struct {
        int layer;
        smug_layer_kind kind;
        int src0, src1;
    } joins[] = {
        {8, SMUG_LAYER_ADD, 5, 7},       {13, SMUG_LAYER_MUL, 9, 12},  {14, SMUG_LAYER_SUB, 13, 3},
        {18, SMUG_LAYER_CONCAT, 16, 17}, {21, SMUG_LAYER_DIV, 18, 20}, {23, SMUG_LAYER_MUL, 21, 22},
        {28, SMUG_LAYER_CONCAT, 25, 27},
    };
    for (size_t k = 0; k < sizeof joins / sizeof *joins; k++) {
        const smug_layer *l = &net->layers[joins[k].layer];
        assert_int_equal(l->kind, joins[k].kind);
        assert_int_equal(l->n_src, 2);
        assert_int_equal(l->src[0], joins[k].src0);
        assert_int_equal(l->src[1], joins[k].src1);
    }
    assert_int_equal(net->layers[4].group, 2);
    assert_int_equal(net->layers[6].group, 8);
    assert_int_equal(smug_window_dil(&net->layers[17].win, 0), 2);
    assert_shape(&net->layers[3].out, 3, 8, 14, 14);  /* MaxPool ceil_mode: 28 -> 14 */
    assert_shape(&net->layers[15].out, 3, 8, 16, 16); /* Pad 1 all round */
    assert_shape(&net->layers[16].out, 3, 8, 8, 8);   /* AveragePool ceil_mode: 16 -> 8 */
    assert_shape(&net->layers[18].out, 3, 16, 8, 8);
    assert_shape(&net->layers[26].out, 3, 1, 8, 8); /* ReduceMean over channels */
    /* cuts: after the first layer's ReLU and after the last Concat; not inside a block */
    assert_true(smug_net_is_cut(net, 0));
    assert_true(smug_net_is_cut(net, 3));
    assert_true(smug_net_is_cut(net, 4));   /* both branches read layer 3 */
    assert_false(smug_net_is_cut(net, 5));  /* conv_depthwise (6) reads layer 3 */
    assert_false(smug_net_is_cut(net, 10)); /* residual_sub (14) reads layer 3 */
    assert_true(smug_net_is_cut(net, 15));
    assert_false(smug_net_is_cut(net, 17)); /* layer 17 reads layer 15 */
    assert_true(smug_net_is_cut(net, 29));
    assert_true(smug_net_is_cut(net, net->n_layers));
    /* a pass may start at a cut, not inside a block */
    float x[784] = {0}, out[10];
    smug_trace t;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_forward(net, 5, net->n_layers, x, 1, &t, &err), -1);
    assert_non_null(strstr(err.msg, "'conv_depthwise' reads a tensor from before layer 5"));
    smug_trace_clear(&t);
    assert_int_equal(smug_net_logits(net, x, 1, out, &err), 0);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_net_describe(net, &sb);
    assert_non_null(strstr(sb.buf, "residual_add"));
    assert_non_null(strstr(sb.buf, "<- 5, 7"));
    assert_non_null(strstr(sb.buf, "group 8"));
    assert_non_null(strstr(sb.buf, "dilation 2x2"));
    smug_strbuf_clear(&sb);
    smug_net_free(net);
}

/* ---- errors ------------------------------------------------------------------------- */

typedef struct bad_case {
    const char *file;
    smug_error_code code;
    const char *words[4]; /* each must appear in the message */
} bad_case;

static const bad_case bad_cases[] = {
    {"unsupported_op.onnx", SMUG_ERR_UNSUPPORTED, {"Tanh", "tanh0", NULL}},
    /* UBSan regression (issue #10.5): an empty initializer has no data to read */
    {"reshape_empty_shape.onnx", SMUG_ERR_UNSUPPORTED, {"reshape_empty", "shape.empty", NULL}},
    /* a graph whose output does not depend on the input only through the first layer */
    {"input_skip.onnx", SMUG_ERR_UNSUPPORTED, {"skip_from_input", "model input", "'conv'"}},
    {"double_weights.onnx", SMUG_ERR_UNSUPPORTED, {"DOUBLE", "fc.weight", NULL}},
    /* 10 x 784 = 7840 floats needed, 400 bytes = 100 floats present */
    {"initializer_size_mismatch.onnx", SMUG_ERR_FORMAT, {"fc.weight", "7840", "100", NULL}},
    {"no_graph_input.onnx", SMUG_ERR_FORMAT, {"input", NULL}},
    {"truncated.onnx", SMUG_ERR_FORMAT, {NULL}},
    {"not_onnx.onnx", SMUG_ERR_FORMAT, {NULL}},
    {"empty.onnx", SMUG_ERR_FORMAT, {"empty", NULL}},
    /* text-model variants (tools/train_text.py) */
    {"text_reducemax_channels.onnx", SMUG_ERR_UNSUPPORTED, {"ReduceMax", "max_c", "spatial"}},
    {"text_transpose_late.onnx", SMUG_ERR_UNSUPPORTED, {"Transpose", "late_t", "embedding"}},
    {"text_transpose_perm.onnx", SMUG_ERR_UNSUPPORTED, {"Transpose", "bad_perm", "[0,2,1]"}},
};

static void test_malformed_models_fail(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof bad_cases / sizeof *bad_cases; c++) {
        const bad_case *bc = &bad_cases[c];
        char rel[256];
        snprintf(rel, sizeof rel, "tests/data/onnx/%s", bc->file);
        const char *path = tu_path(rel);
        smug_net *net = (smug_net *)&net; /* must be reset to NULL on failure */
        smug_error err = SMUG_ERROR_INIT;
        int rc = smug_onnx_load(path, &net, &err);
        if (rc != -1)
            fail_msg("%s: loaded, expected an error", bc->file);
        assert_null(net);
        if (err.code != bc->code)
            fail_msg("%s: code %s, expected %s (%s)", bc->file, smug_error_code_name(err.code),
                     smug_error_code_name(bc->code), err.msg);
        /* one line, starting with the path */
        if (!tu_has_prefix(err.msg, path))
            fail_msg("%s: message does not start with the path: %s", bc->file, err.msg);
        assert_null(strchr(err.msg, '\n'));
        assert_true(strlen(err.msg) > strlen(path) + 2);
        for (int w = 0; bc->words[w]; w++)
            if (!strstr(err.msg, bc->words[w]))
                fail_msg("%s: message lacks '%s': %s", bc->file, bc->words[w], err.msg);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    const char *path = tu_path("tests/data/onnx/there-is-no-such-model.onnx");
    smug_net *net = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_onnx_load(path, &net, &err), -1);
    assert_null(net);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_non_null(strstr(err.msg, path));
}

/* Cutting a valid model at every 97th byte: each prefix either loads or fails cleanly
 * (no crash; run under SMUG_SANITIZE=ON to also catch over-reads). Each prefix gets its own
 * exactly-sized allocation so reads past its end are visible to the sanitizer. */
static void test_prefixes_fail_cleanly(void **state)
{
    (void)state;
    unsigned char *data = NULL;
    size_t len = 0;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_fs_read_all(tu_path("models/fashion_fc.onnx"), &data, &len, &err), 0);
    assert_true(len > 100000);
    size_t loaded = 0, failed = 0;
    for (size_t n = 0;; n = n + 97 < len ? n + 97 : len) {
        unsigned char *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, data, n);
        smug_net *net = NULL;
        smug_error_clear(&err);
        int rc = smug_onnx_load_buffer(copy, n, "prefix.onnx", &net, &err);
        if (rc == 0) {
            check_chain(net, "prefix.onnx");
            smug_net_free(net);
            loaded++;
        } else {
            assert_int_equal(rc, -1);
            assert_null(net);
            assert_true(err.code == SMUG_ERR_FORMAT || err.code == SMUG_ERR_UNSUPPORTED);
            assert_true(tu_has_prefix(err.msg, "prefix.onnx: "));
            failed++;
        }
        free(copy);
        if (n == len)
            break;
    }
    /* the whole file (the last step) loads; the cut ones mostly do not */
    assert_true(loaded >= 1);
    assert_true(failed > (len / 97) * 9 / 10);
    free(data);
}

/* The text fixture: Gather+Transpose fold into one channels-first embedding, the 1-D Conv
 * is the first layer, ReduceMax becomes a whole-sequence MaxPool and a Reshape. */
static void test_text_model(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/debian_text.onnx");
    assert_non_null(net);
    assert_int_equal(net->input_is_tokens, 1);
    assert_shape(&net->input, 1, 64, 0, 0);
    assert_int_equal(net->n_classes, 6);
    assert_int_equal(net->n_layers, 6);
    static const smug_layer_kind kinds[] = {SMUG_LAYER_EMBED,   SMUG_LAYER_CONV,
                                            SMUG_LAYER_RELU,    SMUG_LAYER_MAXPOOL,
                                            SMUG_LAYER_RESHAPE, SMUG_LAYER_DENSE};
    for (int i = 0; i < 6; i++)
        assert_int_equal(net->layers[i].kind, kinds[i]);
    const smug_layer *e = &net->layers[0];
    assert_int_equal(e->channels_first, 1);
    assert_string_equal(e->op, "Gather+Transpose");
    assert_shape(&e->out, 2, 32, 64, 0);
    assert_int_equal(smug_net_vocab_size(net), 3002);
    assert_int_equal(net->first, 1);
    assert_int_equal(net->first_out, 2);
    assert_shape(&net->layers[1].out, 2, 64, 64, 0);
    assert_int_equal(net->layers[3].win.kw, 64);
    assert_shape(&net->layers[3].out, 2, 64, 1, 0);
    assert_shape(&net->layers[4].out, 1, 64, 0, 0);
    for (int i = 0; i + 1 < net->n_layers; i++)
        assert_true(shapes_equal(&net->layers[i].out, &net->layers[i + 1].in));
    /* value p of the (32, 64) embedding output belongs to token p % 64 */
    assert_int_equal(smug_net_input_pos(net, 0), 0);
    assert_int_equal(smug_net_input_pos(net, 64 * 5 + 7), 7);
    /* a neuron at position 0 sees tokens 0 and 1 (the left pad is no token) */
    size_t pos[8];
    assert_int_equal(smug_net_receptive_field(net, 64 * 3, pos, 8), 2);
    assert_int_equal(pos[0], 0);
    assert_int_equal(pos[1], 1);
    assert_int_equal(smug_net_receptive_field(net, 64 * 3 + 10, pos, 8), 3);
    assert_int_equal(pos[0], 9);
    assert_int_equal(smug_net_receptive_field_values(net, 10, pos, 0), 3 * 32);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_net_describe(net, &sb);
    assert_non_null(strstr(sb.buf, "(token ids)"));
    assert_non_null(strstr(sb.buf, "vocabulary 3002, dimension 32, channels first"));
    assert_non_null(strstr(sb.buf, "[ReduceMax]"));
    assert_non_null(strstr(sb.buf, "first layer: #1 Conv"));
    smug_strbuf_clear(&sb);
    smug_net_free(net);
}

/* GlobalMaxPool and ReduceMax with keepdims = 1 (each then Flatten) are the same network:
 * the same logits as debian_text.onnx on token ids inside their 50-row embedding. */
static void test_text_pooling_variants(void **state)
{
    (void)state;
    smug_net *ref = tu_load_model("models/debian_text.onnx");
    assert_non_null(ref);
    float x[64], want[6], got[6];
    for (int t = 0; t < 64; t++)
        x[t] = t < 40 ? (float)((t * 7 + 3) % 50) : 0.0f;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_net_logits(ref, x, 1, want, &err), 0);
    const char *files[] = {"tests/data/onnx/text_globalmaxpool.onnx",
                           "tests/data/onnx/text_reducemax_keepdims.onnx"};
    for (int f = 0; f < 2; f++) {
        smug_net *net = tu_load_model(files[f]);
        assert_non_null(net);
        assert_int_equal(smug_net_vocab_size(net), 50);
        assert_int_equal(net->layers[3].kind, SMUG_LAYER_MAXPOOL);
        assert_int_equal(smug_net_logits(net, x, 1, got, &err), 0);
        for (int c = 0; c < 6; c++)
            assert_true(got[c] == want[c]);
        smug_net_free(net);
    }
    smug_net_free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_models_load),
        cmocka_unit_test(test_every_ref_model_loads),
        cmocka_unit_test(test_fashion_cnn_layers),
        cmocka_unit_test(test_fashion_deep_and_fc_layers),
        cmocka_unit_test(test_feature_fixtures),
        cmocka_unit_test(test_graph_structure),
        cmocka_unit_test(test_malformed_models_fail),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_prefixes_fail_cleanly),
        cmocka_unit_test(test_text_model),
        cmocka_unit_test(test_text_pooling_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
