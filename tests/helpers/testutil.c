/* testutil.c — see testutil.h. */
#include "testutil.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/onnx.h"

const char *const tu_ref_names[] = {
    "fashion_fc_0",       "fashion_fc_1",     "fashion_fc_2",         "fashion_deep_0",
    "fashion_deep_1",     "fashion_deep_2",   "fashion_cnn_0",        "fashion_cnn_1",
    "fashion_cnn_2",      "matmul_add_0",     "weights_float_data_0", "avgpool_gap_0",
    "identity_dropout_0", "conv_dilation2_0", "conv_group2_0",        "zero_dim_initializer_0",
    "graph_ops_0",
};
const size_t tu_n_ref_names = sizeof tu_ref_names / sizeof *tu_ref_names;

const char *tu_path(const char *rel)
{
    static char ring[8][1024];
    static int next;
    char *buf = ring[next];
    next = (next + 1) % 8;
    snprintf(buf, sizeof ring[0], "%s/%s", SMUG_SOURCE_DIR, rel);
    return buf;
}

static int get_array(json_t *root, const char *file, const char *key, tu_array *out)
{
    json_t *a = json_object_get(root, key);
    if (!json_is_array(a)) {
        fprintf(stderr, "%s: key '%s' is not an array\n", file, key);
        return -1;
    }
    out->n = json_array_size(a);
    out->v = malloc((out->n ? out->n : 1) * sizeof *out->v);
    if (!out->v)
        return -1;
    for (size_t i = 0; i < out->n; i++) {
        json_t *e = json_array_get(a, i);
        if (!json_is_number(e)) {
            fprintf(stderr, "%s: %s[%zu] is not a number\n", file, key, i);
            return -1;
        }
        out->v[i] = (float)json_number_value(e);
    }
    return 0;
}

static int get_number(json_t *root, const char *file, const char *key, double *out)
{
    json_t *e = json_object_get(root, key);
    if (!json_is_number(e)) {
        fprintf(stderr, "%s: key '%s' is not a number\n", file, key);
        return -1;
    }
    *out = json_number_value(e);
    return 0;
}

tu_ref *tu_ref_load(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/ref/%s.json", name);
    const char *file = tu_path(rel);
    json_error_t jerr;
    json_t *root = json_load_file(file, 0, &jerr);
    if (!root) {
        fprintf(stderr, "%s:%d: %s\n", file, jerr.line, jerr.text);
        return NULL;
    }
    tu_ref *r = calloc(1, sizeof *r);
    int rc = r ? 0 : -1;
    if (rc == 0) {
        snprintf(r->name, sizeof r->name, "%s", name);
        json_t *m = json_object_get(root, "model");
        if (json_is_string(m))
            snprintf(r->model, sizeof r->model, "%s", tu_path(json_string_value(m)));
        else
            rc = -1, fprintf(stderr, "%s: no 'model'\n", file);
    }
    double pred = 0, target = 0, steps = 0;
    if (rc == 0)
        rc = get_number(root, file, "predicted", &pred) |
             get_number(root, file, "target", &target) | get_number(root, file, "steps", &steps) |
             get_number(root, file, "ig_first_sum", &r->ig_first_sum) |
             get_number(root, file, "ig_first_delta", &r->ig_first_delta) |
             get_number(root, file, "ig_input_sum", &r->ig_input_sum) |
             get_number(root, file, "ig_input_delta", &r->ig_input_delta) |
             get_array(root, file, "input", &r->input) |
             get_array(root, file, "logits", &r->logits) |
             get_array(root, file, "first_layer", &r->first_layer) |
             get_array(root, file, "ig_first", &r->ig_first) |
             get_array(root, file, "ig_input", &r->ig_input) |
             get_array(root, file, "grad_input", &r->grad_input);
    json_decref(root);
    if (rc != 0) {
        tu_ref_free(r);
        return NULL;
    }
    r->predicted = (int)pred;
    r->target = (int)target;
    r->steps = (int)steps;
    return r;
}

void tu_ref_free(tu_ref *r)
{
    if (!r)
        return;
    free(r->input.v);
    free(r->logits.v);
    free(r->first_layer.v);
    free(r->ig_first.v);
    free(r->ig_input.v);
    free(r->grad_input.v);
    free(r);
}

static int get_path(json_t *root, const char *file, const char *key, char *out, size_t cap)
{
    json_t *v = json_object_get(root, key);
    if (!json_is_string(v)) {
        fprintf(stderr, "%s: key '%s' is not a string\n", file, key);
        return -1;
    }
    snprintf(out, cap, "%s", tu_path(json_string_value(v)));
    return 0;
}

tu_text_ref *tu_text_ref_load(int i)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/ref/debian_text_%d.json", i);
    const char *file = tu_path(rel);
    json_error_t jerr;
    json_t *root = json_load_file(file, 0, &jerr);
    if (!root)
        fail_msg("%s:%d: %s", file, jerr.line, jerr.text);
    tu_text_ref *r = calloc(1, sizeof *r);
    assert_non_null(r);
    double max_len = 0, n_tokens = 0, pred = 0;
    int rc =
        get_path(root, file, "model", r->model, sizeof r->model) |
        get_path(root, file, "vocab", r->vocab, sizeof r->vocab) |
        get_path(root, file, "text", r->text, sizeof r->text) |
        get_number(root, file, "max_len", &max_len) |
        get_number(root, file, "n_tokens", &n_tokens) | get_number(root, file, "predicted", &pred) |
        get_array(root, file, "tokens", &r->tokens) | get_array(root, file, "logits", &r->logits) |
        get_array(root, file, "first_layer", &r->first_layer);
    json_decref(root);
    if (rc != 0) {
        tu_text_ref_free(r);
        fail_msg("%s: not a text reference", file);
    }
    r->max_len = (int)max_len;
    r->n_tokens = (int)n_tokens;
    r->predicted = (int)pred;
    return r;
}

void tu_text_ref_free(tu_text_ref *r)
{
    if (!r)
        return;
    free(r->tokens.v);
    free(r->logits.v);
    free(r->first_layer.v);
    free(r);
}

smug_net *tu_load_model(const char *rel)
{
    smug_net *net = NULL;
    smug_error err = SMUG_ERROR_INIT;
    const char *path = rel[0] == '/' ? rel : tu_path(rel);
    if (smug_onnx_load(path, &net, &err) < 0) {
        fprintf(stderr, "loading %s failed: %s\n", path, err.msg);
        return NULL;
    }
    return net;
}

static float *dup_floats(const float *src, size_t n)
{
    if (!src)
        return NULL;
    float *p = malloc((n ? n : 1) * sizeof *p);
    if (p)
        memcpy(p, src, n * sizeof *p);
    return p;
}

smug_net *tu_net_from_layers(const smug_layer *layers, int n)
{
    smug_net *net = calloc(1, sizeof *net);
    if (!net)
        return NULL;
    net->layers = calloc((size_t)n, sizeof *net->layers);
    net->path = strdup("(synthetic)");
    net->input_name = strdup("input");
    net->producer = strdup("testutil");
    if (!net->layers || !net->path || !net->input_name || !net->producer) {
        smug_net_free(net);
        return NULL;
    }
    net->first = -1;
    for (int i = 0; i < n; i++) {
        const smug_layer *src = &layers[i];
        smug_layer *l = &net->layers[i];
        *l = *src;
        l->name = l->op = NULL; /* the copies below are the net's own */
        l->weight = l->bias = l->scale = l->shift = NULL;
        l->index = NULL;
        l->src = malloc(sizeof *l->src); /* a chain: each layer reads the one before */
        l->n_src = 1;
        if (!l->src) {
            smug_net_free(net);
            return NULL;
        }
        l->src[0] = i - 1;
        net->n_layers = i + 1;
        char name[64];
        snprintf(name, sizeof name, "%s_%d", smug_layer_kind_name(src->kind), i);
        l->name = strdup(name);
        l->op = strdup(smug_layer_kind_name(src->kind));
        size_t nw = 0, nb = 0, ns = 0;
        if (src->kind == SMUG_LAYER_DENSE)
            nw = (size_t)src->n_in * (size_t)src->n_out, nb = (size_t)src->n_out;
        if (src->kind == SMUG_LAYER_CONV)
            nw = (size_t)src->n_out * (size_t)(src->n_in / (src->group > 1 ? src->group : 1)) *
                 (size_t)src->win.kh * (size_t)src->win.kw,
            nb = (size_t)src->n_out;
        if (src->kind == SMUG_LAYER_AFFINE)
            ns = smug_shape_size(&src->in);
        l->weight = nw ? dup_floats(src->weight, nw) : NULL;
        l->bias = nb ? dup_floats(src->bias, nb) : NULL;
        l->scale = ns ? dup_floats(src->scale, ns) : NULL;
        l->shift = ns ? dup_floats(src->shift, ns) : NULL;
        if (src->kind == SMUG_LAYER_PAD && src->index) {
            size_t ni = smug_shape_size(&src->out);
            l->index = malloc(ni * sizeof *l->index);
            if (l->index)
                memcpy(l->index, src->index, ni * sizeof *l->index);
        }
        if (!l->name || !l->op || (nw && !l->weight) || (nb && !l->bias) ||
            (ns && (!l->scale || !l->shift)) || (src->kind == SMUG_LAYER_PAD && !l->index)) {
            smug_net_free(net);
            return NULL;
        }
        if (net->first < 0 && (src->kind == SMUG_LAYER_DENSE || src->kind == SMUG_LAYER_CONV))
            net->first = i;
    }
    if (net->first < 0)
        net->first = 0;
    net->first_out = net->first;
    net->input = layers[0].in;
    net->n_classes = (int)smug_shape_size(&layers[n - 1].out);
    return net;
}

static void shape3(smug_shape *s, int rank, int d0, int d1, int d2)
{
    s->rank = rank;
    s->dims[0] = d0;
    s->dims[1] = d1;
    s->dims[2] = d2;
}

smug_net *tu_synthetic_net(int k)
{
    tu_rng rng = {(unsigned long long)k * 7919 + 17};
    smug_layer l;
    memset(&l, 0, sizeof l);
    float w[256], b[16], sc[64], sh[64];
    for (int i = 0; i < 256; i++)
        w[i] = (float)(tu_rng_unit(&rng) - 0.5);
    for (int i = 0; i < 16; i++)
        b[i] = (float)(tu_rng_unit(&rng) - 0.5);
    for (int i = 0; i < 64; i++)
        sc[i] = (float)(tu_rng_unit(&rng) * 2.0 - 1.0), sh[i] = (float)(tu_rng_unit(&rng) - 0.5);
    smug_window pad1 = {3, 3, 2, 2, 1, 1, 1, 1, 1, 1};
    switch (k) {
    case 0: /* Conv 3->4, kernel 2x3, stride (2,1), pads top 0 left 2 bottom 1 right 0 */
        l.kind = SMUG_LAYER_CONV;
        shape3(&l.in, 3, 3, 6, 5);
        shape3(&l.out, 3, 4, 3, 5);
        l.n_in = 3, l.n_out = 4;
        l.win = (smug_window){2, 3, 2, 1, 0, 2, 1, 0, 1, 1};
        l.weight = w, l.bias = b;
        break;
    case 1: /* 1-D Conv 2->5 over (C, L) = (2, 10), kernel 3, stride 2, pad 1 */
        l.kind = SMUG_LAYER_CONV;
        shape3(&l.in, 2, 2, 10, 0);
        shape3(&l.out, 2, 5, 5, 0);
        l.n_in = 2, l.n_out = 5;
        l.win = (smug_window){1, 3, 1, 2, 0, 1, 0, 1, 1, 1};
        l.weight = w, l.bias = b;
        break;
    case 2: /* AveragePool 3x3, stride 2, pad 1, padding not counted */
    case 3: /* the same, padding counted */
        l.kind = SMUG_LAYER_AVGPOOL;
        shape3(&l.in, 3, 2, 7, 7);
        shape3(&l.out, 3, 2, 4, 4);
        l.win = pad1;
        l.count_include_pad = k == 3;
        break;
    case 4: /* MaxPool 3x3, stride 2, pad 1: overlapping windows */
        l.kind = SMUG_LAYER_MAXPOOL;
        shape3(&l.in, 3, 2, 7, 7);
        shape3(&l.out, 3, 2, 4, 4);
        l.win = pad1;
        break;
    case 5:
        l.kind = SMUG_LAYER_GLOBALAVGPOOL;
        shape3(&l.in, 3, 3, 4, 5);
        shape3(&l.out, 3, 3, 1, 1);
        break;
    case 6:
        l.kind = SMUG_LAYER_AFFINE;
        shape3(&l.in, 3, 2, 3, 3);
        l.out = l.in;
        l.scale = sc, l.shift = sh;
        break;
    case 7:
        l.kind = SMUG_LAYER_DENSE;
        shape3(&l.in, 1, 7, 0, 0);
        shape3(&l.out, 1, 5, 0, 0);
        l.n_in = 7, l.n_out = 5;
        l.weight = w, l.bias = b;
        break;
    default: return NULL;
    }
    return tu_net_from_layers(&l, 1);
}

double tu_max_abs_diff(const float *a, const float *b, size_t n, size_t *at)
{
    double worst = 0.0;
    size_t where = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > worst || isnan(d))
            worst = isnan(d) ? INFINITY : d, where = i;
    }
    if (at)
        *at = where;
    return worst;
}

double tu_rel_l2(const float *a, const float *b, size_t n)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        num += d * d;
        den += (double)b[i] * (double)b[i];
    }
    if (isnan(num))
        return INFINITY;
    return den > 0.0 ? sqrt(num / den) : sqrt(num);
}

size_t tu_count_outside(const float *a, const float *b, size_t n, double atol, double rtol)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= atol + rtol * fabs((double)b[i])))
            bad++;
    }
    return bad;
}

double tu_max_abs(const float *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fabs((double)b[i]) > m ? fabs((double)b[i]) : m;
    return m;
}

int tu_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

unsigned long long tu_rng_next(tu_rng *r)
{
    /* xorshift64* (Vigna); the state must not be 0 */
    if (r->s == 0)
        r->s = 0x9E3779B97F4A7C15ULL;
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

size_t tu_rng_below(tu_rng *r, size_t n)
{
    return (size_t)(tu_rng_next(r) % (unsigned long long)n);
}

double tu_rng_unit(tu_rng *r)
{
    return (double)(tu_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

tu_ref *tu_ref_with_model(size_t i, smug_net **out_net)
{
    tu_ref *r = tu_ref_load(tu_ref_names[i]);
    assert_non_null(r);
    *out_net = tu_load_model(r->model);
    assert_non_null(*out_net);
    return r;
}

/* Test programs are single-threaded; this counter is their only state (tu_skip). */
static int skips;

void tu_note_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("SKIP ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    skips++;
}

int tu_exit_status(int failed)
{
    if (failed)
        return failed;
    return skips ? 77 : 0;
}

smug_mask_problem *tu_tiny_problem(int k, int n)
{
    smug_mask_problem *p = smug_mask_problem_new(k, n);
    assert_non_null(p);
    p->gamma = 0.5;
    p->grid = (smug_grid){1, 1, n > 0 ? n : 1, 1, 1, n > 0 ? n : 1, n > 0 ? n : 1};
    for (int i = 0; i < n; i++)
        p->cell[i] = i;
    for (int j = 0; j < k; j++)
        p->neuron[j] = 100 + j, p->o[j] = 1.0;
    return p;
}

void tu_set_dense(smug_mask_problem *p, const double *a)
{
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_mask_problem_set_dense(p, a, &err), 0);
}

double *tu_dense(const smug_mask_problem *p)
{
    size_t k = p->k > 0 ? (size_t)p->k : 0, n = p->n > 0 ? (size_t)p->n : 0;
    double *a = calloc(k * n + 1, sizeof *a);
    assert_non_null(a);
    for (size_t j = 0; j < k; j++)
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
            a[j * n + (size_t)p->row_var[e]] = p->row_coef[e];
    return a;
}

void tu_set_coef(smug_mask_problem *p, int j, int i, double v)
{
    double *a = tu_dense(p);
    a[(size_t)j * (size_t)p->n + (size_t)i] = v;
    tu_set_dense(p, a);
    free(a);
}

void tu_set_row(smug_mask_problem *p, int j, const double *row)
{
    double *a = tu_dense(p);
    memcpy(a + (size_t)j * (size_t)p->n, row, (size_t)p->n * sizeof *row);
    tu_set_dense(p, a);
    free(a);
}

smug_mask_problem *tu_problem_from(int k, int n, const double *a, const double *t)
{
    smug_mask_problem *p = tu_tiny_problem(k, n);
    tu_set_dense(p, a);
    memcpy(p->t, t, (size_t)k * sizeof *t);
    return p;
}
