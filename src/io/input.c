/* input.c — PNG and .npy files into model-input tensors (input.h has the preprocessing).
 *
 * Shapes are checked, never guessed: an image of the wrong size or an array of the wrong
 * shape is an error naming both shapes, because silently resizing would explain a
 * different input than the user gave.
 */
#include "smug/input.h"

#include <dirent.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "smug/fsutil.h"
#include "smug/strbuf.h"

/* A PNG file larger than this is refused before reading (a 4096x4096 RGB image
 * compresses to far less); it keeps a device or a runaway file from filling memory. */
#define PNG_MAX_BYTES ((size_t)256 << 20)

/* The longest .npy header smug reads (numpy writes ~128 bytes, padded to 64). */
#define NPY_HEADER_MAX 65536

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int load_png(const char *path, const smug_shape *shape, double lo, double hi, float *x,
                    smug_error *err)
{
    int c, h, w;
    smug_shape_chw(shape, &c, &h, &w);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    unsigned char *file;
    size_t file_len;
    if (smug_fs_read_max(path, PNG_MAX_BYTES, &file, &file_len, err) < 0)
        return -1;
    int readable = png_image_begin_read_from_memory(&img, file, file_len);
    if (!readable) {
        free(file);
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: not a readable PNG (%s)", path, img.message);
    }
    int flat = shape->rank == 1;
    if (!flat && c != 1 && c != 3) {
        png_image_free(&img);
        free(file);
        return smug_fail(err, SMUG_ERR_UNSUPPORTED, "%s: model wants %d channels; PNG gives 1 or 3",
                         path, c);
    }
    int ok = flat ? (size_t)img.width * img.height == smug_shape_size(shape)
                  : (int)img.width == w && (int)img.height == h;
    if (!ok) {
        char buf[64];
        png_image_free(&img);
        free(file);
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: image is %ux%u, the model input is %s", path,
                         img.width, img.height, smug_shape_str(shape, buf, sizeof buf));
    }
    int chans = flat ? 1 : c;
    img.format = chans == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    size_t n = PNG_IMAGE_SIZE(img);
    unsigned char *buf = malloc(n);
    if (!buf) {
        png_image_free(&img);
        free(file);
        return smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory", path);
    }
    int decoded = png_image_finish_read(&img, NULL, buf, 0, NULL);
    free(file); /* libpng reads from it until finish_read */
    if (!decoded) {
        free(buf);
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: PNG decode failed (%s)", path, img.message);
    }
    size_t hw = (size_t)img.width * img.height;
    for (int ch = 0; ch < chans; ch++) /* interleaved HWC → planar CHW */
        for (size_t i = 0; i < hw; i++)
            x[(size_t)ch * hw + i] =
                (float)(lo + (hi - lo) * buf[i * (size_t)chans + (size_t)ch] / 255.0);
    free(buf);
    return 0;
}

/* Parses the dict of a .npy header: descr, fortran_order, shape. */
static int npy_header(const char *path, const char *hdr, char *descr, size_t descr_n, long *dims,
                      int *rank, smug_error *err)
{
    const char *d = strstr(hdr, "'descr'");
    const char *f = strstr(hdr, "'fortran_order'");
    const char *s = strstr(hdr, "'shape'");
    if (!d || !f || !s)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: .npy header lacks descr/fortran_order/shape",
                         path);
    if (sscanf(d, "'descr' : '%15[^']'", descr) != 1 && sscanf(d, "'descr': '%15[^']'", descr) != 1)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: bad .npy descr", path);
    (void)descr_n;
    const char *fv = strchr(f, ':');
    if (fv && strncmp(fv + 1 + strspn(fv + 1, " "), "True", 4) == 0)
        return smug_fail(err, SMUG_ERR_UNSUPPORTED, "%s: Fortran-order .npy", path);
    const char *p = strchr(s, '(');
    if (!p)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: bad .npy shape", path);
    *rank = 0;
    for (p++; *p && *p != ')';) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        if (*rank == 8 || v < 0)
            return smug_fail(err, SMUG_ERR_FORMAT, "%s: bad .npy shape", path);
        dims[(*rank)++] = v;
        p = end + strspn(end, ", ");
    }
    return 0;
}

static int shape_matches(const long *dims, int rank, const smug_shape *shape)
{
    int skip = rank == shape->rank + 1 && dims[0] == 1;
    if (rank - skip != shape->rank)
        return 0;
    for (int i = 0; i < shape->rank; i++)
        if (dims[i + skip] != shape->dims[i])
            return 0;
    return 1;
}

size_t smug_npy_max_bytes(const smug_shape *shape)
{
    return 12 + NPY_HEADER_MAX + 8 * smug_shape_size(shape);
}

int smug_npy_parse(const unsigned char *data, size_t len, const char *path, const smug_shape *shape,
                   float *x, smug_error *err)
{
    int rc = 0;
    size_t hlen = 0, off = 0;
    if (len < 10 || memcmp(data, "\x93NUMPY", 6) != 0) {
        rc = smug_fail(err, SMUG_ERR_FORMAT, "%s: not a .npy file", path);
    } else if (data[6] == 1) {
        hlen = data[8] | (size_t)data[9] << 8, off = 10;
    } else if (len >= 12) {
        hlen = data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 | (size_t)data[11] << 24;
        off = 12;
    }
    if (rc == 0 && (off == 0 || hlen > NPY_HEADER_MAX || off + hlen > len))
        rc = smug_fail(err, SMUG_ERR_FORMAT, "%s: truncated .npy header", path);
    char descr[16] = "";
    long dims[8];
    int rank = 0;
    if (rc == 0) {
        char *hdr = strndup((const char *)data + off, hlen);
        rc = hdr ? npy_header(path, hdr, descr, sizeof descr, dims, &rank, err)
                 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        free(hdr);
    }
    if (rc == 0 && !shape_matches(dims, rank, shape)) {
        char want[64];
        smug_strbuf got = SMUG_STRBUF_INIT;
        for (int i = 0; i < rank; i++)
            smug_strbuf_addf(&got, i ? "x%ld" : "%ld", dims[i]);
        rc = smug_fail(err, SMUG_ERR_FORMAT, "%s: array shape %s does not match the model input %s",
                       path, got.buf ? got.buf : "()", smug_shape_str(shape, want, sizeof want));
        smug_strbuf_clear(&got);
    }
    size_t n = smug_shape_size(shape), esz = 0;
    if (rc == 0) {
        esz = strcmp(descr, "<f4") == 0 || strcmp(descr, "<i4") == 0   ? 4
              : strcmp(descr, "<f8") == 0 || strcmp(descr, "<i8") == 0 ? 8
                                                                       : 0;
        if (!esz)
            rc = smug_fail(err, SMUG_ERR_UNSUPPORTED, "%s: dtype '%s' (use float32)", path, descr);
        else if (off + hlen + n * esz > len)
            rc = smug_fail(err, SMUG_ERR_FORMAT, "%s: truncated .npy data", path);
    }
    const unsigned char *p = data + off + hlen;
    for (size_t i = 0; rc == 0 && i < n; i++, p += esz) {
        if (descr[1] == 'f' && esz == 4) {
            memcpy(&x[i], p, 4);
        } else if (descr[1] == 'f') {
            double v;
            memcpy(&v, p, 8);
            x[i] = (float)v;
        } else if (esz == 4) {
            int32_t v;
            memcpy(&v, p, 4);
            x[i] = (float)v;
        } else {
            int64_t v;
            memcpy(&v, p, 8);
            x[i] = (float)v;
        }
    }
    return rc;
}

/* A .npy of this shape has at most smug_npy_max_bytes: a larger file (or /dev/zero) is
 * refused by its size before a byte is read. */
static int load_npy(const char *path, const smug_shape *shape, float *x, smug_error *err)
{
    unsigned char *data;
    size_t len;
    if (smug_fs_read_max(path, smug_npy_max_bytes(shape), &data, &len, err) < 0)
        return -1;
    int rc = smug_npy_parse(data, len, path, shape, x, err);
    free(data);
    return rc;
}

int smug_input_load(const char *path, const smug_shape *shape, double pixel_min, double pixel_max,
                    float **out_x, smug_error *err)
{
    *out_x = NULL;
    float *x = malloc(smug_shape_size(shape) * sizeof *x);
    if (!x)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int rc;
    if (ends_with(path, ".npy"))
        rc = load_npy(path, shape, x, err);
    else if (ends_with(path, ".png") || ends_with(path, ".PNG"))
        rc = load_png(path, shape, pixel_min, pixel_max, x, err);
    else
        rc = smug_fail(err, SMUG_ERR_USAGE, "%s: unknown input type (expected .png or .npy)", path);
    if (rc < 0) {
        free(x);
        return -1;
    }
    *out_x = x;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int smug_input_expand(const char *path, char ***out_paths, int *out_n, smug_error *err)
{
    return smug_input_expand_text(path, 0, out_paths, out_n, err);
}

int smug_input_expand_text(const char *path, int text, char ***out_paths, int *out_n,
                           smug_error *err)
{
    *out_paths = NULL;
    *out_n = 0;
    struct stat st;
    if (stat(path, &st) < 0)
        return smug_fail(err, SMUG_ERR_IO, "%s: no such file or directory", path);
    int n = 0, cap = 16;
    char **v = malloc((size_t)cap * sizeof *v);
    if (!v)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (!S_ISDIR(st.st_mode)) {
        v[n++] = strdup(path);
    } else {
        DIR *d = opendir(path);
        if (!d) {
            free(v);
            return smug_fail(err, SMUG_ERR_IO, "%s: cannot read directory", path);
        }
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (!ends_with(e->d_name, ".png") && !ends_with(e->d_name, ".npy") &&
                !(text && ends_with(e->d_name, ".txt")))
                continue;
            if (n == cap) {
                char **nv = realloc(v, (size_t)(cap *= 2) * sizeof *v);
                if (!nv)
                    break;
                v = nv;
            }
            size_t len = strlen(path) + strlen(e->d_name) + 2;
            if ((v[n] = malloc(len)) != NULL)
                snprintf(v[n++], len, "%s/%s", path, e->d_name);
        }
        closedir(d);
        qsort(v, (size_t)n, sizeof *v, by_name);
    }
    for (int i = 0; i < n; i++)
        if (!v[i]) {
            smug_input_paths_free(v, n);
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        }
    if (n == 0) {
        free(v);
        return smug_fail(err, SMUG_ERR_IO, "%s: no .png%s or .npy files in the directory", path,
                         text ? ", .txt" : "");
    }
    *out_paths = v;
    *out_n = n;
    return 0;
}

int smug_input_expand_all(const char *const *paths, int n_paths, int text, char ***out_paths,
                          int *out_n, smug_error *err)
{
    char **all = NULL;
    int n = 0, rc = 0;
    for (int g = 0; rc == 0 && g < n_paths; g++) {
        char **more;
        int m;
        if ((rc = smug_input_expand_text(paths[g], text, &more, &m, err)) < 0)
            break;
        char **grown = realloc(all, (size_t)(n + m) * sizeof *grown);
        if (!grown) {
            smug_input_paths_free(more, m);
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy(grown + n, more, (size_t)m * sizeof *more);
        free(more);
        all = grown, n += m;
    }
    if (rc < 0) {
        smug_input_paths_free(all, n);
        all = NULL, n = 0;
    }
    *out_paths = all;
    *out_n = n;
    return rc;
}

void smug_input_paths_free(char **paths, int n)
{
    for (int i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int smug_npy_write(const char *path, const float *data, const int *dims, int rank, smug_error *err)
{
    smug_strbuf hdr = SMUG_STRBUF_INIT, out = SMUG_STRBUF_INIT;
    size_t n = 1;
    smug_strbuf_adds(&hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < rank; i++) {
        smug_strbuf_addf(&hdr, "%d,%s", dims[i], i + 1 < rank ? " " : "");
        n *= (size_t)dims[i];
    }
    smug_strbuf_adds(&hdr, "), }");
    while ((10 + hdr.len + 1) % 64)
        smug_strbuf_adds(&hdr, " ");
    smug_strbuf_adds(&hdr, "\n");
    unsigned char pre[10] = {0x93,
                             'N',
                             'U',
                             'M',
                             'P',
                             'Y',
                             1,
                             0,
                             (unsigned char)(hdr.len & 0xff),
                             (unsigned char)(hdr.len >> 8)};
    smug_strbuf_add(&out, pre, sizeof pre);
    smug_strbuf_add(&out, hdr.buf, hdr.len);
    smug_strbuf_add(&out, data, n * sizeof *data);
    int rc = smug_strbuf_check(&hdr, err);
    if (rc == 0)
        rc = smug_strbuf_check(&out, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, out.buf, out.len, err);
    smug_strbuf_clear(&hdr);
    smug_strbuf_clear(&out);
    return rc;
}
