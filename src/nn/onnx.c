/* onnx.c — ONNX protobuf (read with protobuf-c, schema from Debian's libonnx-dev) → smug_net.
 *
 * The graph is walked in node order following one "running" tensor from the graph input
 * to the graph output; every other node input must be a constant (initializer or Constant
 * node). That is exactly the class of models smug explains (design §1), and it turns a
 * general DAG reader into a short loop with one function per operator. Elementwise
 * constants (Sub/Div normalisation, BatchNormalization, a MatMul's Add) become Affine layers,
 * and a final pass folds those that follow a Dense or Conv into its weights.
 */
#include "smug/onnx.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"
#include "smug/fsutil.h"

/* ---- constants ---------------------------------------------------------------------- */

const konst *onnx_find_const(const loader *ld, const char *name)
{
    for (int i = ld->n_k - 1; i >= 0; i--)
        if (strcmp(ld->k[i].name, name) == 0)
            return &ld->k[i];
    return NULL;
}

static const char *dtype_name(int t)
{
    static const char *names[] = {"UNDEFINED",  "FLOAT",   "UINT8",  "INT8",   "UINT16",
                                  "INT16",      "INT32",   "INT64",  "STRING", "BOOL",
                                  "FLOAT16",    "DOUBLE",  "UINT32", "UINT64", "COMPLEX64",
                                  "COMPLEX128", "BFLOAT16"};
    return t >= 0 && t < (int)(sizeof names / sizeof *names) ? names[t] : "unknown";
}

static int decode_tensor(loader *ld, const Onnx__TensorProto *t, const char *name, konst *out)
{
    memset(out, 0, sizeof *out);
    out->name = name;
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "initializer '%s': external data is not supported", name);
    if (t->n_dims > 8)
        return smug_fail(ld->err, SMUG_ERR_FORMAT, "initializer '%s': rank %zu is too large", name,
                         t->n_dims);
    size_t count = 1;
    out->rank = (int)t->n_dims;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0 || t->dims[i] > MAX_DIM)
            return smug_fail(ld->err, SMUG_ERR_FORMAT, "initializer '%s': bad dimension %lld", name,
                             (long long)t->dims[i]);
        out->dims[i] = t->dims[i];
        count *= (size_t)t->dims[i];
        if (count > MAX_ELEMS)
            return smug_fail(ld->err, SMUG_ERR_FORMAT, "initializer '%s': too large", name);
    }
    out->count = count;
    int dt = t->has_data_type ? t->data_type : 0;
    if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
        /* check the data against the shape before allocating for it */
        int raw = t->has_raw_data;
        size_t got = raw ? t->raw_data.len / 4 : t->n_float_data;
        if ((raw && t->raw_data.len != count * 4) || (!raw && t->n_float_data != count))
            return smug_fail(ld->err, SMUG_ERR_FORMAT,
                             "initializer '%s': shape needs %zu floats, data holds %zu", name,
                             count, got);
        out->is_float = 1;
        out->f = malloc((count ? count : 1) * sizeof(float));
        if (smug_check_alloc(out->f, ld->err) < 0)
            return -1;
        /* raw_data is little-endian, as is every host smug builds on */
        memcpy(out->f, raw ? (const void *)t->raw_data.data : (const void *)t->float_data,
               count * 4);
        return 0;
    }
    if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
        int raw = t->has_raw_data;
        if ((raw && t->raw_data.len != count * 8) || (!raw && t->n_int64_data != count))
            return smug_fail(ld->err, SMUG_ERR_FORMAT,
                             "initializer '%s': shape needs %zu int64 values, data differs", name,
                             count);
        out->i64 = malloc((count ? count : 1) * sizeof(int64_t));
        if (smug_check_alloc(out->i64, ld->err) < 0)
            return -1;
        memcpy(out->i64, raw ? (const void *)t->raw_data.data : (const void *)t->int64_data,
               count * 8);
        return 0;
    }
    return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                     "initializer '%s': data type %s is not supported (float32 weights only)", name,
                     dtype_name(dt));
}

int onnx_add_const(loader *ld, const Onnx__TensorProto *t, const char *name)
{
    if (ld->n_k == ld->cap_k) {
        int cap = ld->cap_k ? 2 * ld->cap_k : 16;
        konst *k = realloc(ld->k, (size_t)cap * sizeof *k);
        if (smug_check_alloc(k, ld->err) < 0)
            return -1;
        ld->k = k;
        ld->cap_k = cap;
    }
    konst *k = &ld->k[ld->n_k];
    int rc = decode_tensor(ld, t, name, k);
    ld->n_k++; /* counted even on failure so its buffers are freed */
    return rc;
}

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

/* Copies an INTS attribute into out[cap]; returns its length, or -1 when absent. */
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

/* ---- building layers ---------------------------------------------------------------- */

static const char *node_label(const Onnx__NodeProto *n, char *buf, size_t cap, size_t idx)
{
    if (n->name && n->name[0])
        return n->name;
    snprintf(buf, cap, "%s_%zu", n->op_type ? n->op_type : "node", idx);
    return buf;
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
    l->in = ld->cur;
    l->out = ld->cur;
    if (!l->name || !l->op) {
        smug_check_alloc(NULL, ld->err);
        return NULL;
    }
    return l;
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

/* Input i of node n as a constant, or NULL with an error naming the node. */
const konst *onnx_const_input(loader *ld, const Onnx__NodeProto *n, size_t i, const char *node,
                              int want_float)
{
    if (i >= n->n_input || !n->input[i][0]) {
        onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s: missing input %zu", n->op_type, i);
        return NULL;
    }
    const konst *k = onnx_find_const(ld, n->input[i]);
    if (!k) {
        onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                       "%s: input '%s' must be a constant (smug explains chains of layers)",
                       n->op_type, n->input[i]);
        return NULL;
    }
    if (want_float && !k->is_float) {
        onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s: constant '%s' must be float32",
                       n->op_type, k->name);
        return NULL;
    }
    return k;
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

/* ---- graph walk --------------------------------------------------------------------- */

typedef int (*op_fn)(loader *, const Onnx__NodeProto *, const char *);

static const struct {
    const char *op;
    op_fn fn;
} op_table[] = {
    {"Gemm", op_gemm},
    {"MatMul", op_matmul},
    {"Conv", op_conv},
    {"Relu", op_relu},
    {"MaxPool", op_pool},
    {"AveragePool", op_pool},
    {"GlobalAveragePool", op_global_avgpool},
    {"Flatten", op_flatten},
    {"Reshape", op_reshape},
    {"Softmax", op_softmax},
    {"Identity", op_passthrough},
    {"Dropout", op_passthrough},
    {"BatchNormalization", op_batchnorm},
    {"Add", op_elementwise},
    {"Sub", op_elementwise},
    {"Mul", op_elementwise},
    {"Div", op_elementwise},
    {"Gather", op_gather},
    {"Transpose", op_transpose},
    {"ReduceMax", op_global_maxpool},
    {"GlobalMaxPool", op_global_maxpool},
};

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
    int consumes = 0;
    for (size_t i = 0; i < n->n_input; i++)
        consumes |= strcmp(n->input[i], ld->cur_name) == 0;
    for (size_t i = 0; i < sizeof op_table / sizeof *op_table; i++) {
        if (strcmp(op, op_table[i].op) != 0)
            continue;
        if (!consumes)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node,
                                  "%s does not consume the running tensor '%s': smug explains "
                                  "chains of layers",
                                  op, ld->cur_name);
        if (ld->done)
            return onnx_fail_node(ld, SMUG_ERR_UNSUPPORTED, node, "%s after the final Softmax", op);
        if (n->n_output < 1 || !n->output[0][0])
            return onnx_fail_node(ld, SMUG_ERR_FORMAT, node, "%s has no output", op);
        if (op_table[i].fn(ld, n, node) < 0)
            return -1;
        ld->cur_name = n->output[0];
        return 0;
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
                         dtype_name(et));
    const Onnx__TensorShapeProto *s = tt->shape;
    if (s->n_dim < 2 || s->n_dim > SMUG_MAX_RANK + 1)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "input '%s': rank %zu; smug needs [batch, …] with 1 to 3 dimensions "
                         "after the batch",
                         in->name, s->n_dim);
    ld->cur.rank = (int)s->n_dim - 1;
    for (size_t i = 1; i < s->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = s->dim[i];
        if (d->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
            d->dim_value < 1 || d->dim_value > MAX_DIM)
            return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                             "input '%s': dimension %zu is not a fixed positive size", in->name, i);
        ld->cur.dims[i - 1] = (int)d->dim_value;
    }
    if (!onnx_shape_ok(&ld->cur))
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED, "input '%s': too large", in->name);
    ld->net->input = ld->cur;
    ld->net->input_name = strdup(in->name);
    ld->cur_name = in->name;
    return smug_check_alloc(ld->net->input_name, ld->err);
}

int onnx_absorb_layer(smug_layer *into, smug_layer *gone)
{
    char *op = malloc(strlen(into->op) + strlen(gone->op) + 2);
    if (op) {
        sprintf(op, "%s+%s", into->op, gone->op);
        free(into->op);
        into->op = op;
    }
    free(gone->name);
    free(gone->op);
    free(gone->weight);
    free(gone->bias);
    free(gone->scale);
    free(gone->shift);
    return op ? 0 : -1;
}

/* Folds Affine layers that directly follow a Dense or Conv into its weights and bias:
 * s⊙(Wx + b) + t = (diag(s) W) x + (s⊙b + t). For Conv this needs s, t constant per
 * channel, which batch norm and bias adds are. */
static int affine_per_channel(const smug_layer *a, int channels, size_t inner)
{
    for (int c = 0; c < channels; c++)
        for (size_t i = 1; i < inner; i++) {
            size_t base = (size_t)c * inner;
            if (a->scale[base + i] != a->scale[base] || a->shift[base + i] != a->shift[base])
                return 0;
        }
    return 1;
}

static void fold_affines(smug_net *net)
{
    for (int i = 1; i < net->n_layers; i++) {
        smug_layer *a = &net->layers[i], *p = &net->layers[i - 1];
        if (a->kind != SMUG_LAYER_AFFINE ||
            (p->kind != SMUG_LAYER_DENSE && p->kind != SMUG_LAYER_CONV))
            continue;
        size_t inner = smug_shape_size(&p->out) / (size_t)p->n_out;
        if (!affine_per_channel(a, p->n_out, inner))
            continue;
        size_t row = p->kind == SMUG_LAYER_DENSE
                         ? (size_t)p->n_in
                         : (size_t)p->n_in * (size_t)p->win.kh * (size_t)p->win.kw;
        for (int o = 0; o < p->n_out; o++) {
            float s = a->scale[(size_t)o * inner], t = a->shift[(size_t)o * inner];
            for (size_t k = 0; k < row; k++)
                p->weight[(size_t)o * row + k] *= s;
            p->bias[o] = p->bias[o] * s + t;
        }
        onnx_absorb_layer(p, a); /* on failure only the op label stays shorter */
        memmove(a, a + 1, (size_t)(net->n_layers - i - 1) * sizeof *a);
        net->n_layers--;
        i--;
    }
}

static int finish_net(loader *ld)
{
    smug_net *net = ld->net;
    fold_affines(net);
    net->first = -1;
    for (int i = 0; i < net->n_layers && net->first < 0; i++) {
        smug_layer_kind k = net->layers[i].kind;
        if (k == SMUG_LAYER_DENSE || k == SMUG_LAYER_CONV)
            net->first = i;
        else if (k != SMUG_LAYER_AFFINE && k != SMUG_LAYER_RESHAPE && k != SMUG_LAYER_EMBED)
            return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                             "layer '%s' (%s) comes before the first Dense/Conv layer; only "
                             "preprocessing may",
                             net->layers[i].name, net->layers[i].op);
    }
    if (net->first < 0)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "no Gemm, MatMul or Conv layer: nothing to explain through");
    int next = net->first + 1;
    net->first_out =
        next < net->n_layers && net->layers[next].kind == SMUG_LAYER_RELU ? next : net->first;
    const smug_layer *last = &net->layers[net->n_layers - 1];
    if (last->out.rank != 1)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "the output must be a vector of class scores, not a tensor of rank %d",
                         last->out.rank);
    net->n_classes = last->out.dims[0];
    return 0;
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
                           g->initializer[i]->name ? g->initializer[i]->name : "") < 0)
            return -1;
    if (read_graph_input(ld, g) < 0)
        return -1;
    for (size_t i = 0; i < g->n_node; i++)
        if (run_node(ld, g->node[i], i) < 0)
            return -1;
    if (g->n_output < 1 || !g->output[0]->name || strcmp(g->output[0]->name, ld->cur_name) != 0)
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "the graph output is not the end of the layer chain ('%s')", ld->cur_name);
    return finish_net(ld);
}

int smug_onnx_load_buffer(const unsigned char *data, size_t len, const char *name,
                          smug_net **out_net, smug_error *err)
{
    *out_net = NULL;
    if (len == 0)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: empty file, not an ONNX model", name);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, data);
    if (!m)
        return smug_fail(err, SMUG_ERR_FORMAT,
                         "%s: not an ONNX model (truncated or corrupt protobuf)", name);
    loader ld = {0};
    ld.path = name;
    ld.err = err;
    ld.net = calloc(1, sizeof *ld.net);
    int rc = smug_check_alloc(ld.net, err);
    if (rc == 0) {
        ld.net->path = strdup(name);
        rc = smug_check_alloc(ld.net->path, err);
    }
    if (rc == 0)
        rc = load_model(&ld, m);
    for (int i = 0; i < ld.n_k; i++) {
        free(ld.k[i].f);
        free(ld.k[i].i64);
    }
    free(ld.k);
    onnx__model_proto__free_unpacked(m, NULL);
    if (rc < 0) {
        smug_net_free(ld.net);
        return smug_error_prefix(err, "%s", name);
    }
    *out_net = ld.net;
    return 0;
}

int smug_onnx_load(const char *path, smug_net **out_net, smug_error *err)
{
    unsigned char *data;
    size_t len;
    *out_net = NULL;
    if (smug_fs_read_all(path, &data, &len, err) < 0)
        return -1;
    int rc = smug_onnx_load_buffer(data, len, path, out_net, err);
    free(data);
    return rc;
}
