/* onnx_wire.c — the ONNX file without its weight bytes, so protobuf-c unpacks metadata only.
 *
 * protobuf-c copies every bytes field it unpacks: a 500 MB model became a second 500 MB in
 * memory and seconds of copying. Initializers keep their weights in TensorProto.raw_data
 * (field 9) inside GraphProto.initializer (field 5) inside ModelProto.graph (field 7). This
 * walks those three levels of the protobuf wire format, copies everything else verbatim into
 * a small buffer (re-encoding the lengths of the messages it shortened) and records where
 * each initializer's raw_data lies in the original bytes, which stay mapped while the loader
 * copies the weights once, straight into the layers.
 *
 * It is not a protobuf parser: anything unexpected (a group, a truncated field, the graph
 * twice) makes it give up, and the caller unpacks the original bytes the ordinary way, so
 * malformed files are still reported by protobuf-c as before.
 */
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
} wbuf;

static int put(wbuf *b, const void *src, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p, b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, src, n);
    b->len += n;
    return 0;
}

static int put_varint(wbuf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        tmp[n++] |= v ? 0x80 : 0;
    } while (v);
    return put(b, tmp, n);
}

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        unsigned char c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* One field at *p: its number, wire type, and the span of its value (for length-delimited
 * fields, the payload). Advances *p past it. */
static int next_field(const unsigned char **p, const unsigned char *end, uint32_t *field, int *wt,
                      const unsigned char **val, size_t *vlen)
{
    uint64_t key, n;
    if (get_varint(p, end, &key) < 0 || (key >> 3) == 0 || (key >> 3) > 0x1fffffff)
        return -1;
    *field = (uint32_t)(key >> 3);
    *wt = (int)(key & 7);
    *val = *p;
    switch (*wt) {
    case 0: return get_varint(p, end, &n) < 0 ? -1 : (*vlen = (size_t)(*p - *val), 0);
    case 1: n = 8; break;
    case 5: n = 4; break;
    case 2:
        if (get_varint(p, end, &n) < 0)
            return -1;
        *val = *p;
        break;
    default: return -1; /* groups: not in ONNX */
    }
    if (n > (uint64_t)(end - *p))
        return -1;
    *p += n;
    *vlen = (size_t)n;
    return 0;
}

static int put_field_bytes(wbuf *b, uint32_t field, const void *data, size_t len)
{
    return put_varint(b, ((uint64_t)field << 3) | 2) < 0 || put_varint(b, len) < 0 ||
                   put(b, data, len) < 0
               ? -1
               : 0;
}

/* A TensorProto without field 9; its raw_data span goes to *raw. */
static int strip_tensor(const unsigned char *p, const unsigned char *end, wbuf *out, onnx_raw *raw)
{
    raw->data = NULL, raw->len = 0;
    while (p < end) {
        const unsigned char *start = p, *val;
        uint32_t field;
        int wt;
        size_t vlen;
        if (next_field(&p, end, &field, &wt, &val, &vlen) < 0)
            return -1;
        if (field == 9 && wt == 2) { /* raw_data: the last occurrence wins, as in protobuf */
            raw->data = val, raw->len = vlen;
            continue;
        }
        if (put(out, start, (size_t)(p - start)) < 0)
            return -1;
    }
    return 0;
}

static int strip_graph(const unsigned char *p, const unsigned char *end, wbuf *out, onnx_raw **raws,
                       size_t *n_raw)
{
    wbuf t = {0};
    int rc = 0;
    while (p < end && rc == 0) {
        const unsigned char *start = p, *val;
        uint32_t field;
        int wt;
        size_t vlen;
        if (next_field(&p, end, &field, &wt, &val, &vlen) < 0) {
            rc = -1;
            break;
        }
        if (field != 5 || wt != 2) {
            rc = put(out, start, (size_t)(p - start));
            continue;
        }
        onnx_raw *r = realloc(*raws, (*n_raw + 1) * sizeof *r);
        if (!r) {
            rc = -1;
            break;
        }
        *raws = r;
        t.len = 0;
        rc = strip_tensor(val, val + vlen, &t, &r[*n_raw]);
        (*n_raw)++;
        if (rc == 0)
            rc = put_field_bytes(out, 5, t.p, t.len);
    }
    free(t.p);
    return rc;
}

int onnx_strip_raw(const unsigned char *data, size_t len, unsigned char **out, size_t *out_len,
                   onnx_raw **out_raw, size_t *out_n)
{
    wbuf m = {0}, g = {0};
    onnx_raw *raws = NULL;
    size_t n_raw = 0;
    int graphs = 0, rc = 0;
    const unsigned char *p = data, *end = data + len;
    while (p < end && rc == 0) {
        const unsigned char *start = p, *val;
        uint32_t field;
        int wt;
        size_t vlen;
        if (next_field(&p, end, &field, &wt, &val, &vlen) < 0) {
            rc = -1;
            break;
        }
        if (field != 7 || wt != 2) {
            rc = put(&m, start, (size_t)(p - start));
            continue;
        }
        if (graphs++) { /* a second graph field would be merged into the first: give up */
            rc = -1;
            break;
        }
        rc = strip_graph(val, val + vlen, &g, &raws, &n_raw);
        if (rc == 0)
            rc = put_field_bytes(&m, 7, g.p, g.len);
    }
    free(g.p);
    if (rc < 0 || graphs != 1) {
        free(m.p);
        free(raws);
        return -1;
    }
    *out = m.p;
    *out_len = m.len;
    *out_raw = raws;
    *out_n = n_raw;
    return 0;
}
