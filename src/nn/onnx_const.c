/* onnx_const.c — initializers and Constant values of an ONNX graph (onnx_internal.h).
 *
 * A constant records where its little-endian bytes are (the model file's mapping, or the
 * unpacked protobuf for small messages) and decodes them only on request: operators that
 * need a few numbers (a shape, batch-norm statistics) decode them, weight matrices are copied
 * once, straight into the layer that owns them. That keeps the peak memory of loading a
 * 500 MB model near 500 MB. It does not interpret the values: operators do.
 */
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

const char *onnx_dtype_name(int t)
{
    static const char *names[] = {"UNDEFINED",  "FLOAT",   "UINT8",  "INT8",   "UINT16",
                                  "INT16",      "INT32",   "INT64",  "STRING", "BOOL",
                                  "FLOAT16",    "DOUBLE",  "UINT32", "UINT64", "COMPLEX64",
                                  "COMPLEX128", "BFLOAT16"};
    return t >= 0 && t < (int)(sizeof names / sizeof *names) ? names[t] : "unknown";
}

const konst *onnx_find_const(const loader *ld, const char *name)
{
    for (int i = ld->n_k - 1; i >= 0; i--)
        if (strcmp(ld->k[i].name, name) == 0)
            return &ld->k[i];
    return NULL;
}

/* Shape and data location of t, checked against each other before anything is allocated. */
static int describe_tensor(loader *ld, const Onnx__TensorProto *t, const char *name,
                           const onnx_raw *stripped, konst *out)
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
    int raw = t->has_raw_data;
    ProtobufCBinaryData raw_data = t->raw_data;
    if (stripped && stripped->data) {
        raw = 1;
        raw_data.data = (uint8_t *)stripped->data;
        raw_data.len = stripped->len;
    }
    if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
        size_t got = raw ? raw_data.len / 4 : t->n_float_data;
        if ((raw && raw_data.len != count * 4) || (!raw && t->n_float_data != count))
            return smug_fail(ld->err, SMUG_ERR_FORMAT,
                             "initializer '%s': shape needs %zu floats, data holds %zu", name,
                             count, got);
        out->is_float = 1;
        /* float_data is host order, which is little-endian on every host smug builds on */
        out->raw = raw ? raw_data.data : (const unsigned char *)t->float_data;
    } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
        if ((raw && raw_data.len != count * 8) || (!raw && t->n_int64_data != count))
            return smug_fail(ld->err, SMUG_ERR_FORMAT,
                             "initializer '%s': shape needs %zu int64 values, data differs", name,
                             count);
        out->raw = raw ? raw_data.data : (const unsigned char *)t->int64_data;
    } else {
        return smug_fail(ld->err, SMUG_ERR_UNSUPPORTED,
                         "initializer '%s': data type %s is not supported (float32 weights only)",
                         name, onnx_dtype_name(dt));
    }
    if (count == 0) /* an empty tensor may come with a NULL pointer: never read from it */
        out->raw = NULL;
    return 0;
}

static konst *new_const(loader *ld)
{
    if (ld->n_k == ld->cap_k) {
        int cap = ld->cap_k ? 2 * ld->cap_k : 64;
        konst *k = realloc(ld->k, (size_t)cap * sizeof *k);
        if (smug_check_alloc(k, ld->err) < 0)
            return NULL;
        ld->k = k;
        ld->cap_k = cap;
    }
    return &ld->k[ld->n_k];
}

int onnx_add_const(loader *ld, const Onnx__TensorProto *t, const char *name, const onnx_raw *raw)
{
    konst *k = new_const(ld);
    if (!k || describe_tensor(ld, t, name, raw, k) < 0)
        return -1;
    ld->n_k++;
    return 0;
}

int onnx_alias_const(loader *ld, const konst *src, const char *name)
{
    ptrdiff_t at = src - ld->k; /* new_const may move the array */
    konst *k = new_const(ld);
    if (!k)
        return -1;
    *k = ld->k[at];
    k->name = name;
    k->f = NULL; /* decoded again on demand: each entry owns its own copy */
    k->i64 = NULL;
    ld->n_k++;
    return 0;
}

void onnx_const_read(const loader *ld, const konst *k, size_t first, size_t count, float *dst)
{
    if (count == 0)
        return;
    if (k->f) {
        memcpy(dst, k->f + first, count * sizeof *dst);
        return;
    }
    /* in slices, each slice's file pages dropped right after it is copied: a 400 MB matrix
     * never has both copies resident at once */
    const size_t slice = (size_t)8 << 20;
    const unsigned char *p = k->raw + first * 4;
    unsigned char *d = (unsigned char *)dst;
    for (size_t off = 0, bytes = count * 4; off < bytes; off += slice) {
        size_t n = bytes - off < slice ? bytes - off : slice;
        memcpy(d + off, p + off, n);
        if (ld->drop_pages)
            ld->drop_pages(p + off, n, ld->drop_ctx);
    }
}

int onnx_const_decode(loader *ld, const konst *ck)
{
    konst *k = (konst *)ck; /* decoding fills a cache; the value does not change */
    if ((k->is_float && k->f) || (!k->is_float && k->i64))
        return 0;
    size_t width = k->is_float ? 4 : 8;
    void *p = malloc((k->count ? k->count : 1) * width);
    if (!p)
        return smug_fail(ld->err, SMUG_ERR_NOMEM, "constant '%s': out of memory", k->name);
    if (k->count) /* an empty tensor may have no data pointer at all */
        memcpy(p, k->raw, k->count * width);
    if (k->is_float)
        k->f = p;
    else
        k->i64 = p;
    return 0;
}

void onnx_consts_free(loader *ld)
{
    for (int i = 0; i < ld->n_k; i++) {
        free(ld->k[i].f);
        free(ld->k[i].i64);
    }
    free(ld->k);
    ld->k = NULL;
    ld->n_k = ld->cap_k = 0;
}
