/* onnx.c — ONNX protobuf (read with protobuf-c, schema from Debian's libonnx-dev) → smug_net.
 *
 * The graph's nodes come in topological order (the ONNX spec requires it), so one pass
 * builds the layer DAG: each node's inputs are looked up by name, either constants
 * (initializers, Constant nodes: onnx_const.c) or running tensors written by earlier
 * layers, and one function per operator (onnx_ops.c, onnx_graph_ops.c) appends the layers
 * it becomes. Identity and Dropout only give a tensor a second name. onnx_finish.c then
 * drops what the output does not need, folds constant scale/shift into the Dense or Conv
 * before it and picks the first layer.
 */
#define _DEFAULT_SOURCE /* madvise(MADV_DONTNEED): posix_madvise's is a no-op on Linux */
#include "smug/onnx.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx_internal.h"

/* ---- attributes --------------------------------------------------------------------- */

const Onnx__AttributeProto *onnx_attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0)
            return n->attribute[i];
    return NULL;
}

long onnx_attr_int(const Onnx__NodeProto *n, const char *name, long dflt)
{
    const Onnx__AttributeProto *a = onnx_attr(n, name);
    return a && a->has_i ? (long)a->i : dflt;
}

float onnx_attr_float(const Onnx__NodeProto *n, const char *name, float dflt)
{
    const Onnx__AttributeProto *a = onnx_attr(n, name);
    return a && a->has_f ? a->f : dflt;
}

int onnx_attr_ints(const Onnx__NodeProto *n, const char *name, long *out, int cap)
{
    const Onnx__AttributeProto *a = onnx_attr(n, name);
    if (!a)
        return -1;
    int len = (int)a->n_ints;
    for (int i = 0; i < len && i < cap; i++)
        out[i] = (long)a->ints[i];
    return len;
}

int onnx_attr_is(const Onnx__NodeProto *n, const char *name, const char *s)
{
    const Onnx__AttributeProto *a = onnx_attr(n, name);
    size_t len = strlen(s);
    return a && a->has_s && a->s.len == len && (len == 0 || memcmp(a->s.data, s, len) == 0);
}

int onnx_shape_ok(const smug_shape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i] < 1 || (size_t)s->dims[i] > MAX_ELEMS / n)
            return 0;
        n *= (size_t)s->dims[i];
    }
    return 1;
}

/* ---- running tensors and layers ----------------------------------------------------- */

int onnx_find_value(const loader *ld, const char *name, int *out_layer)
{
    for (int i = ld->n_v - 1; i >= 0; i--)
        if (strcmp(ld->v[i].name, name) == 0) {
            *out_layer = ld->v[i].layer;
            return 0;
        }
    return -1;
}

int onnx_bind_value(loader *ld, const char *name, int layer)
{
    if (ld->n_v == ld->cap_v) {
        int cap = ld->cap_v ? 2 * ld->cap_v : 64;
        onnx_value *v = realloc(ld->v, (size_t)cap * sizeof *v);
        if (smug_check_alloc(v, ld->err) < 0)
            return -1;
        ld->v = v;
        ld->cap_v = cap;
    }
    ld->v[ld->n_v].name = name;
    ld->v[ld->n_v++].layer = layer;
    return 0;
}

const smug_shape *onnx_layer_shape(const loader *ld, int layer)
{
    return layer < 0 ? &ld->net->input : &ld->net->layers[layer].out;
}

static const char *node_label(const Onnx__NodeProto *n, char *buf, size_t cap, size_t idx)
{
    if (n->name && n->name[0])
        return n->name;
    snprintf(buf, cap, "%s_%zu", n->op_type ? n->op_type : "node", idx);
    return buf;
}

/* Weight matrices of tens or hundreds of MB are filled once, page by page: on 2 MiB
 * transparent huge pages that is 512 times fewer page faults (vgg11 loads 3x faster on a
 * virtual machine where each fault is expensive). Freed with free() like any other. */
#define HUGE_ALLOC ((size_t)8 << 20)
#define HUGE_PAGE  ((size_t)2 << 20)

float *onnx_alloc_floats(loader *ld, size_t n, int zero)
{
    size_t bytes = (n ? n : 1) * sizeof(float);
    void *p = NULL;
    if (bytes >= HUGE_ALLOC) {
        if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
            p = NULL;
        if (p)
            madvise(p, bytes, MADV_HUGEPAGE);
        if (p && zero)
            memset(p, 0, bytes);
    } else {
        p = zero ? calloc(1, bytes) : malloc(bytes);
    }
    return smug_check_alloc(p, ld->err) < 0 ? NULL : p;
}

smug_layer *onnx_push_layer(loader *ld, smug_layer_kind kind, const char *name, const char *op)
{
    smug_net *net = ld->net;
    if (!onnx_shape_ok(&ld->cur)) {
        onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, name, "tensor of more than %zu values",
                       (size_t)MAX_ELEMS);
        return NULL;
    }
    if (net->n_layers == ld->cap_layers) {
        int cap = ld->cap_layers ? 2 * ld->cap_layers : 16;
        smug_layer *l = realloc(net->layers, (size_t)cap * sizeof *l);
        if (smug_check_alloc(l, ld->err) < 0)
            return NULL;
        net->layers = l;
        ld->cap_layers = cap;
    }
    smug_layer *l = &net->layers[net->n_layers++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->name = strdup(name);
    l->op = strdup(op);
    l->src = malloc(sizeof *l->src);
    l->in = ld->cur;
    l->out = ld->cur;
    if (!l->name || !l->op || !l->src) {
        smug_check_alloc(NULL, ld->err);
        return NULL;
    }
    l->src[0] = ld->cur_src;
    l->n_src = 1;
    ld->cur_src = net->n_layers - 1;
    return l;
}

int onnx_set_sources(loader *ld, const Onnx__NodeProto *n, smug_layer *l)
{
    int *src = realloc(l->src, (size_t)(ld->n_run ? ld->n_run : 1) * sizeof *src);
    if (smug_check_alloc(src, ld->err) < 0)
        return -1;
    l->src = src;
    l->n_src = ld->n_run;
    for (int j = 0; j < ld->n_run; j++)
        onnx_find_value(ld, n->input[ld->run_idx[j]], &l->src[j]);
    return 0;
}

int onnx_set_output(loader *ld, smug_layer *l, const smug_shape *out)
{
    l->out = *out;
    ld->cur = l->out;
    if (!onnx_shape_ok(&l->out))
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, l->name, "output tensor too large");
    return 0;
}

int onnx_fail_node(loader *ld, smug_error_code code, const char *node, const char *fmt, ...)
{
    char msg[SMUG_ERROR_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return smug_fail(ld->err, code, "node '%s': %s", node, msg);
}

const konst *onnx_const_input_raw(loader *ld, const Onnx__NodeProto *n, size_t i, const char *node,
                                  int want_float)
{
    if (i >= n->n_input || !n->input[i][0]) {
        onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: missing input %zu", n->op_type, i);
        return NULL;
    }
    const konst *k = onnx_find_const(ld, n->input[i]);
    if (!k) {
        onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                       "%s: input '%s' must be a constant (an initializer or Constant)", n->op_type,
                       n->input[i]);
        return NULL;
    }
    if (want_float && !k->is_float) {
        onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s: constant '%s' must be float32",
                       n->op_type, k->name);
        return NULL;
    }
    return k;
}

const konst *onnx_const_input(loader *ld, const Onnx__NodeProto *n, size_t i, const char *node,
                              int want_float)
{
    const konst *k = onnx_const_input_raw(ld, n, i, node, want_float);
    return k && onnx_const_decode(ld, k) == 0 ? k : NULL;
}

int onnx_need_rank(loader *ld, const char *node, const char *op, int lo, int hi)
{
    if (ld->cur.rank < lo || ld->cur.rank > hi) {
        char buf[64];
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s on a tensor of shape %s", op,
                              smug_shape_str(&ld->cur, buf, sizeof buf));
    }
    return 0;
}

int onnx_absorb_layer(smug_layer *into, smug_layer *gone)
{
    char *op = malloc(strlen(into->op) + strlen(gone->op) + 2);
    if (op) {
        sprintf(op, "%s+%s", into->op, gone->op);
        free(into->op);
        into->op = op;
    }
    smug_layer_clear(gone);
    return op ? 0 : -1;
}

/* ---- graph walk --------------------------------------------------------------------- */

typedef int (*op_fn)(loader *, const Onnx__NodeProto *, const char *);

/* max_run: how many of a node's inputs may be running tensors (the rest are constants) */
static const struct {
    const char *op;
    op_fn fn;
    int max_run;
} op_table[] = {
    {"Gemm", op_gemm, 1},
    {"MatMul", op_matmul, 1},
    {"Conv", op_conv, 1},
    {"Relu", op_relu, 1},
    {"MaxPool", op_pool, 1},
    {"AveragePool", op_pool, 1},
    {"GlobalAveragePool", op_global_avgpool, 1},
    {"Flatten", op_flatten, 1},
    {"Reshape", op_reshape, 1},
    {"Softmax", op_softmax, 1},
    {"Identity", op_passthrough, 1},
    {"Dropout", op_passthrough, 1},
    {"BatchNormalization", op_batchnorm, 1},
    {"Add", op_elementwise, 2},
    {"Sub", op_elementwise, 2},
    {"Mul", op_elementwise, 2},
    {"Div", op_elementwise, 2},
    {"Gather", op_gather, 1},
    {"Transpose", op_transpose, 1},
    {"ReduceMax", op_global_maxpool, 1},
    {"GlobalMaxPool", op_global_maxpool, 1},
    {"Concat", op_concat, 16},
    {"Clip", op_clip, 1},
    {"Sigmoid", op_sigmoid, 1},
    {"Pad", op_pad, 1},
    {"ReduceMean", op_reduce_mean, 1},
};

/* Sorts the node's inputs into constants and running tensors (ld->run_idx); fails on a
 * name nothing before the node produced. */
static int classify_inputs(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    ld->n_run = 0;
    for (size_t i = 0; i < n->n_input; i++) {
        int layer;
        if (!n->input[i][0] || onnx_find_const(ld, n->input[i]))
            continue;
        if (onnx_find_value(ld, n->input[i], &layer) < 0)
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node,
                                  "%s: input '%s' is not produced by any earlier node", n->op_type,
                                  n->input[i]);
        if (layer == -2)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                  "%s: input '%s' was folded into a later operator", n->op_type,
                                  n->input[i]);
        if (ld->n_run == (int)(sizeof ld->run_idx / sizeof *ld->run_idx))
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s with more than %d inputs",
                                  n->op_type, ld->n_run);
        ld->run_idx[ld->n_run++] = (int)i;
    }
    return 0;
}

/* A node whose inputs are all constants: Identity (and Dropout) name the constant again;
 * anything else would need constant folding smug does not do. */
static int constant_node(loader *ld, const Onnx__NodeProto *n, const char *node)
{
    const char *op = n->op_type;
    if ((strcmp(op, "Identity") == 0 || strcmp(op, "Dropout") == 0) && n->n_input >= 1 &&
        n->n_output >= 1 && n->output[0][0]) {
        const konst *k = onnx_find_const(ld, n->input[0]);
        if (k)
            return onnx_alias_const(ld, k, n->output[0]);
    }
    return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                          "%s of constants only (smug does not fold constants other than "
                          "Identity)",
                          op);
}

static int run_node(loader *ld, const Onnx__NodeProto *n, size_t idx)
{
    char buf[64];
    const char *node = node_label(n, buf, sizeof buf, idx);
    const char *op = n->op_type ? n->op_type : "";
    if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") != 0)
        return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "operator '%s' of domain '%s'", op,
                              n->domain);
    if (strcmp(op, "Constant") == 0)
        return op_constant(ld, n, node);
    for (size_t i = 0; i < sizeof op_table / sizeof *op_table; i++) {
        if (strcmp(op, op_table[i].op) != 0)
            continue;
        if (n->n_output < 1 || !n->output[0][0])
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s has no output", op);
        if (classify_inputs(ld, n, node) < 0)
            return -1;
        if (ld->n_run == 0)
            return constant_node(ld, n, node);
        if (ld->n_run > op_table[i].max_run)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                  "%s with %d non-constant inputs (at most %d)", op, ld->n_run,
                                  op_table[i].max_run);
        ld->cur_name = n->input[ld->run_idx[0]];
        onnx_find_value(ld, ld->cur_name, &ld->cur_src);
        ld->cur = *onnx_layer_shape(ld, ld->cur_src);
        if (op_table[i].fn(ld, n, node) < 0)
            return -1;
        for (size_t o = 1; o < n->n_output; o++)
            if (n->output[o][0] && strcmp(op, "Dropout") != 0)
                return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s with %zu outputs", op,
                                      n->n_output);
        return onnx_bind_value(ld, n->output[0], ld->cur_src);
    }
    return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "unsupported operator '%s'", op);
}

static int is_initializer(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_initializer; i++)
        if (g->initializer[i]->name && strcmp(g->initializer[i]->name, name) == 0)
            return 1;
    return 0;
}

static int read_graph_input(loader *ld, const Onnx__GraphProto *g)
{
    const Onnx__ValueInfoProto *in = NULL;
    for (size_t i = 0; i < g->n_input; i++) {
        if (!g->input[i]->name || is_initializer(g, g->input[i]->name))
            continue;
        if (in)
            return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                             "graph has several inputs ('%s', '%s'); smug needs one", in->name,
                             g->input[i]->name);
        in = g->input[i];
    }
    if (!in)
        return smug_fail(ld->err, SMUG_ERR_FORMAT, "graph has no input (all are initializers)");
    const Onnx__TypeProto *t = in->type;
    if (!t || t->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !t->tensor_type ||
        !t->tensor_type->shape)
        return smug_fail(ld->err, SMUG_ERR_FORMAT, "input '%s': not a tensor with a shape",
                         in->name);
    const Onnx__TypeProto__Tensor *tt = t->tensor_type;
    int et = tt->has_elem_type ? tt->elem_type : 0;
    if (et == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 || et == ONNX__TENSOR_PROTO__DATA_TYPE__INT32)
        ld->net->input_is_tokens = 1;
    else if (et != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED, "input '%s': element type %s", in->name,
                         onnx_dtype_name(et));
    const Onnx__TensorShapeProto *s = tt->shape;
    if (s->n_dim < 2 || s->n_dim > SMUG_MAX_RANK + 1)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "input '%s': rank %zu; smug needs [batch, …] with 1 to 3 dimensions "
                         "after the batch",
                         in->name, s->n_dim);
    smug_shape shape = {(int)s->n_dim - 1, {0}};
    for (size_t i = 1; i < s->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = s->dim[i];
        if (d->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
            d->dim_value < 1 || d->dim_value > MAX_DIM)
            return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                             "input '%s': dimension %zu is not a fixed positive size", in->name, i);
        shape.dims[i - 1] = (int)d->dim_value;
    }
    if (!onnx_shape_ok(&shape))
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED, "input '%s': too large", in->name);
    ld->net->input = shape;
    ld->net->input_name = strdup(in->name);
    if (smug_check_alloc(ld->net->input_name, ld->err) < 0)
        return -1;
    return onnx_bind_value(ld, in->name, -1);
}

static int load_model(loader *ld, const Onnx__ModelProto *m)
{
    if (!m->graph)
        return smug_fail(ld->err, SMUG_ERR_FORMAT, "no graph: not an ONNX model");
    ld->opset = 1;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *d = m->opset_import[i]->domain;
        if ((!d || !d[0] || strcmp(d, "ai.onnx") == 0) && m->opset_import[i]->has_version)
            ld->opset = (long)m->opset_import[i]->version;
    }
    ld->net->opset = ld->opset;
    char producer[256];
    snprintf(producer, sizeof producer, "%s%s%s", m->producer_name ? m->producer_name : "",
             m->producer_version && m->producer_version[0] ? " " : "",
             m->producer_version ? m->producer_version : "");
    ld->net->producer = strdup(producer);
    if (smug_check_alloc(ld->net->producer, ld->err) < 0)
        return -1;
    const Onnx__GraphProto *g = m->graph;
    for (size_t i = 0; i < g->n_initializer; i++)
        if (onnx_add_const(ld, g->initializer[i],
                           g->initializer[i]->name ? g->initializer[i]->name : "",
                           i < ld->n_raw ? &ld->raw[i] : NULL) < 0)
            return -1;
    if (read_graph_input(ld, g) < 0)
        return -1;
    for (size_t i = 0; i < g->n_node; i++)
        if (run_node(ld, g->node[i], i) < 0)
            return -1;
    int out;
    if (g->n_output < 1 || !g->output[0]->name)
        return smug_fail(ld->err, SMUG_ERR_FORMAT, "the graph has no output");
    if (g->n_output > 1)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED, "the graph has %zu outputs; smug needs one",
                         g->n_output);
    if (onnx_find_value(ld, g->output[0]->name, &out) < 0 || out < 0)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "the graph output '%s' is not computed from the input by any node",
                         g->output[0]->name);
    return onnx_finish(ld, out);
}

static int load_unpacked(const Onnx__ModelProto *m, const char *name, loader *ld,
                         smug_net **out_net, smug_error *err)
{
    ld->path = name;
    ld->err = err;
    ld->net = calloc(1, sizeof *ld->net);
    int rc = smug_check_alloc(ld->net, err);
    if (rc == 0) {
        ld->net->path = strdup(name);
        rc = smug_check_alloc(ld->net->path, err);
    }
    if (rc == 0)
        rc = load_model(ld, m);
    onnx_consts_free(ld);
    free(ld->v);
    if (rc < 0) {
        smug_net_free(ld->net);
        return smug_error_prefix(err, "%s", name);
    }
    *out_net = ld->net;
    return 0;
}

/* Unpacks the metadata (onnx_wire.c strips the weights first, when it can) and builds the
 * net; weights are read from `data` itself, which must stay valid until this returns. */
static int load_buffer(const unsigned char *data, size_t len, const char *name, int any_graph,
                       loader *ld, smug_net **out_net, smug_error *err)
{
    *out_net = NULL;
    if (len == 0)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: empty file, not an ONNX model", name);
    unsigned char *meta = NULL;
    size_t meta_len = 0;
    onnx_raw *raw = NULL;
    Onnx__ModelProto *m = NULL;
    if (onnx_strip_raw(data, len, &meta, &meta_len, &raw, &ld->n_raw) == 0) {
        m = onnx__model_proto__unpack(NULL, meta_len, meta);
        ld->raw = raw;
    }
    if (!m) { /* not the shape onnx_wire.c expects: let protobuf-c judge the whole file */
        ld->raw = NULL, ld->n_raw = 0;
        m = onnx__model_proto__unpack(NULL, len, data);
    }
    int rc = 0;
    if (!m)
        rc = smug_fail(err, SMUG_ERR_FORMAT,
                       "%s: not an ONNX model (truncated or corrupt protobuf)", name);
    ld->any_graph = any_graph;
    if (rc == 0)
        rc = load_unpacked(m, name, ld, out_net, err);
    if (m)
        onnx__model_proto__free_unpacked(m, NULL);
    free(meta);
    free(raw);
    return rc;
}

int smug_onnx_load_buffer(const unsigned char *data, size_t len, const char *name,
                          smug_net **out_net, smug_error *err)
{
    loader ld = {0};
    return load_buffer(data, len, name, 0, &ld, out_net, err);
}

int smug_onnx_load_graph(const unsigned char *data, size_t len, const char *name,
                         smug_net **out_net, smug_error *err)
{
    loader ld = {0};
    return load_buffer(data, len, name, 1, &ld, out_net, err);
}

typedef struct mapping {
    const unsigned char *base;
    size_t len;
} mapping;

/* After a weight was copied into its layer: give the file pages it filled back to the
 * kernel (they are read again from the page cache if a weight is shared), so the peak is one
 * copy of the model, not two. Only whole pages inside the range. */
static void drop_pages(const void *p, size_t len, void *ctx)
{
    const mapping *mp = ctx;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)p, hi = lo + len, base = (uintptr_t)mp->base;
    uintptr_t first = base + (lo - base + page - 1) / page * page;
    uintptr_t last = base + (hi - base) / page * page;
    if (last > first)
        madvise((void *)first, last - first, MADV_DONTNEED);
}

int smug_onnx_load(const char *path, smug_net **out_net, smug_error *err)
{
    *out_net = NULL;
    int fd =
        open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block: refused below */
    if (fd < 0)
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return smug_fail(err, SMUG_ERR_IO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: empty file, not an ONNX model", path);
    }
    /* mapped, not read: the weights are copied once, from the page cache into the layers */
    mapping mp = {NULL, (size_t)st.st_size};
    void *map = mmap(NULL, mp.len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
    mp.base = map;
    madvise(map, mp.len, MADV_SEQUENTIAL);
    loader ld = {0};
    ld.drop_pages = drop_pages;
    ld.drop_ctx = &mp;
    int rc = load_buffer(mp.base, mp.len, path, 0, &ld, out_net, err);
    munmap(map, mp.len);
    return rc;
}
