/* bundle.c — emitting a bundle and reading it back (bundle.h, design §7).
 *
 * The manifest is the bundle's contract with the machines that solve it: everything a
 * result needs to become a mask again (variable names, grid rule, neurons, incumbent) is in
 * it, and the sha256 of the model and of each problem's rows lets solve/score refuse a
 * bundle whose parts no longer belong together.
 */
#include "smug/bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/bounds.h"
#include "smug/encode.h"
#include "smug/fsutil.h"
#include "smug/input.h"
#include "smug/json.h"
#include "smug/onnx.h"
#include "smug/smtlib.h"

static int id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

const char *smug_bundle_id_for(const char *input, char *buf, size_t n)
{
    const char *base = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
    size_t len = strcspn(base, ".");
    if (len == 0)
        base = "input", len = 5;
    if (len > SMUG_BUNDLE_ID_HASHED) { /* cut, and told apart by the hash of the whole name */
        char hex[65];
        smug_sha256_hex(base, len, hex);
        snprintf(buf, n, "%.*s-%.8s", SMUG_BUNDLE_ID_HASHED - 9, base, hex);
        len = SMUG_BUNDLE_ID_HASHED - 9;
    } else {
        snprintf(buf, n, "%.*s", (int)len, base);
    }
    for (size_t i = 0; i < len && buf[i]; i++)
        buf[i] = id_char(buf[i]) ? buf[i] : '_';
    return buf;
}

int smug_bundle_parse_shard(const char *spec, int *out_index, int *out_count, smug_error *err)
{
    char *end;
    long i = strtol(spec, &end, 10);
    long n = *end == '/' ? strtol(end + 1, &end, 10) : -1;
    if (*end || n < 1 || n > 1000000 || i < 0 || i >= n || spec[0] == '/' || spec[0] == '\0')
        return smug_fail(err, SMUG_ERR_USAGE,
                         "--shard: expected I/N with 0 <= I < N (e.g. 0/4): got '%s'", spec);
    *out_index = (int)i;
    *out_count = (int)n;
    return 0;
}

int smug_bundle_in_shard(int i, int index, int count)
{
    return count <= 1 || i % count == index;
}

void smug_bundle_problem_clear(smug_bundle_problem *p)
{
    free(p->id);
    free(p->input);
    free(p->neurons);
    free(p->ig);
    free(p->activation);
    free(p->incumbent);
    free(p->proved_by);
    free(p->decision);
    free(p->optimize);
    free(p->family_sat);
    free(p->family_unsat);
    free(p->family_unknown);
    free(p->twin_of);
}

void smug_bundle_free(smug_bundle *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++)
        smug_bundle_problem_clear(&b->problems[i]);
    free(b->problems);
    free(b->dir);
    if (b->dirfd >= 0)
        close(b->dirfd);
    free(b->smug_version);
    free(b->model_source);
    free(b);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int smug_bundle_rows_sha256(const smug_mask_problem *p, char out[65], smug_error *err)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_smt_facts none = {0, NULL, NULL, NULL, 0};
    smug_smt_body(&sb, p, &none);
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        smug_sha256_hex(sb.buf, sb.len, out);
    smug_strbuf_clear(&sb);
    return rc;
}

/* fix_below[i]: the largest B ≤ bound whose certified reduced-cost fixings hold cell i at
 * 0 (B from the lower bound up), -1 if none; useless cells are in the body already. */
static int fixings_below(const smug_mask_problem *p, const smug_bounds *b, int bound, uint8_t *zero,
                         int *fix_below, smug_error *err)
{
    for (int i = 0; i < p->n; i++)
        fix_below[i] = -1;
    for (int B = b->lower > 0 ? b->lower : 0; B <= bound; B++) {
        if (smug_bounds_fixings(p, b, B, zero, err) < 0)
            return -1;
        for (int i = 0; i < p->n; i++)
            if (zero[i] && !b->useless[i])
                fix_below[i] = B;
    }
    return 0;
}

int smug_bundle_problem_text(const smug_mask_problem *p, const smug_bounds *b, int lemma, int bound,
                             smug_form form, int assisted, smug_strbuf *out, smug_error *err)
{
    size_t n = p->n > 0 ? (size_t)p->n : 1;
    uint8_t *zero = calloc(n, 1);
    int *below = malloc(n * sizeof *below);
    if (!zero || !below) {
        free(zero), free(below);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    smug_smt_facts facts = {form == SMUG_FORM_BENCHMARK ? 0 : lemma, b->useless, b->dom_from,
                            b->dom_to, b->n_dom};
    smug_smt_body(out, p, assisted ? &facts : NULL);
    int rc = 0;
    if (form == SMUG_FORM_OBJECTIVE) {
        if (assisted)
            rc = fixings_below(p, b, bound, zero, below, err);
        if (rc == 0)
            smug_smt_objective_query(out, p, bound + 1, assisted ? below : NULL);
    } else {
        if (assisted)
            rc = smug_bounds_fixings(p, b, bound, zero, err);
        for (int i = 0; i < p->n; i++)
            zero[i] = assisted && zero[i] && !b->useless[i]; /* useless: in the body already */
        if (rc == 0 && form == SMUG_FORM_BENCHMARK)
            smug_smt_benchmark_query(out, p, bound, zero);
        else if (rc == 0)
            smug_smt_decision_query(out, p, bound, zero, 0, NULL);
    }
    if (rc == 0 && form != SMUG_FORM_BENCHMARK)
        smug_smt_exit(out);
    free(zero);
    free(below);
    return rc < 0 ? -1 : smug_strbuf_check(out, err);
}

/* ---- reading back ---- */

static int read_neurons(const smug_jval *jp, const char *where, smug_bundle_problem *bp,
                        smug_error *err)
{
    const smug_jval *arr;
    if (smug_jreq_array(jp, "neurons", where, &arr, err) < 0)
        return -1;
    bp->k = (int)smug_jval_len(arr);
    size_t k = (size_t)(bp->k > 0 ? bp->k : 1);
    bp->neurons = malloc(k * sizeof(int));
    bp->ig = malloc(k * sizeof(float));
    bp->activation = malloc(k * sizeof(float));
    if (!bp->neurons || !bp->ig || !bp->activation)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < bp->k; i++) {
        const smug_jval *v = smug_jval_at(arr, (size_t)i);
        long idx;
        double ig, act;
        char w[4400];
        snprintf(w, sizeof w, "%s: neurons[%d]", where, i);
        if (smug_jreq_int(v, "index", w, 0, 1L << 30, &idx, err) < 0 ||
            smug_jreq_num(v, "ig", w, &ig, err) < 0 ||
            smug_jreq_num(v, "activation", w, &act, err) < 0)
            return -1;
        bp->neurons[i] = (int)idx, bp->ig[i] = (float)ig, bp->activation[i] = (float)act;
    }
    return 0;
}

static int read_incumbent(const smug_jval *jp, const char *where, smug_bundle_problem *bp,
                          smug_error *err)
{
    const smug_jval *inc = smug_jval_get(jp, "incumbent"), *cells;
    const char *from;
    long size, lower;
    char w[4400];
    snprintf(w, sizeof w, "%s: incumbent", where);
    if (smug_jreq_int(inc, "size", w, 0, 1L << 30, &size, err) < 0 ||
        smug_jreq_str(inc, "from", w, &from, err) < 0 ||
        smug_jreq_array(inc, "cells", w, &cells, err) < 0 ||
        smug_jreq_int(jp, "lower_bound", where, 0, size, &lower, err) < 0)
        return -1;
    if (smug_jval_len(cells) != (size_t)size)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: %zu cells for size %ld", w,
                         smug_jval_len(cells), size);
    bp->upper = (int)size, bp->lower = (int)lower;
    snprintf(bp->incumbent_from, sizeof bp->incumbent_from, "%s", from);
    bp->incumbent = malloc((size_t)(size > 0 ? size : 1) * sizeof(int));
    if (!bp->incumbent)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (long i = 0; i < size; i++) {
        long c;
        if (smug_jval_int(smug_jval_at(cells, (size_t)i), &c) < 0 || c < 0 || c > (1L << 30))
            return smug_fail(err, SMUG_ERR_FORMAT, "%s: cells[%ld] is not a cell index", w, i);
        bp->incumbent[i] = (int)c;
    }
    return 0;
}

static int read_files(const smug_jval *jp, const char *where, smug_bundle_problem *bp,
                      smug_error *err)
{
    const smug_jval *f = smug_jval_get(jp, "files");
    bp->decision = dup_or_null(smug_jval_str(smug_jval_get(f, "decision")));
    bp->optimize = dup_or_null(smug_jval_str(smug_jval_get(f, "optimize")));
    bp->family_sat = dup_or_null(smug_jval_str(smug_jval_get(f, "family_sat")));
    bp->family_unsat = dup_or_null(smug_jval_str(smug_jval_get(f, "family_unsat")));
    bp->family_unknown = dup_or_null(smug_jval_str(smug_jval_get(f, "family_unknown")));
    bp->twin_of = dup_or_null(smug_jval_str(smug_jval_get(jp, "twin_of")));
    long bound = bp->upper > 0 ? bp->upper - 1 : 0, opt = -1;
    if (bp->decision && smug_jreq_int(f, "decision_bound", where, 0, 1L << 30, &bound, err) < 0)
        return -1;
    bp->bound = (int)bound;
    if (smug_jval_int(smug_jval_get(jp, "optimum"), &opt) == 0)
        bp->optimum = (int)opt;
    bp->proved_by = dup_or_null(smug_jval_str(smug_jval_get(jp, "proved_by")));
    return 0;
}

static int read_problem(const smug_jval *jp, const char *mpath, int i, smug_bundle_problem *bp,
                        smug_error *err)
{
    char where[4200];
    snprintf(where, sizeof where, "%s: problems[%d]", mpath, i);
    const char *id, *input, *sha;
    long predicted, target, nv, nr;
    double conf;
    bp->optimum = -1;
    if (smug_jreq_str(jp, "id", where, &id, err) < 0 ||
        smug_jreq_str(jp, "input", where, &input, err) < 0 ||
        smug_jreq_int(jp, "predicted", where, 0, 1L << 30, &predicted, err) < 0 ||
        smug_jreq_int(jp, "target", where, 0, 1L << 30, &target, err) < 0 ||
        smug_jreq_num(jp, "confidence", where, &conf, err) < 0 ||
        smug_jreq_int(jp, "variables", where, 0, 1L << 30, &nv, err) < 0 ||
        smug_jreq_int(jp, "constraints", where, 0, 1L << 30, &nr, err) < 0 ||
        smug_jreq_str(jp, "rows_sha256", where, &sha, err) < 0)
        return -1;
    size_t id_len = strlen(id), good = 0;
    while (good < id_len && id_char(id[good]))
        good++;
    if (id_len == 0 || good < id_len) /* it becomes part of file names */
        return smug_fail(err, SMUG_ERR_FORMAT,
                         "%s: id '%.64s' must be non-empty, of letters, digits, '_' and '-'", where,
                         id);
    if (id_len > SMUG_BUNDLE_ID_MAX)
        return smug_fail(
            err, SMUG_ERR_FORMAT,
            "%s: id '%.32s…' has %zu characters, more than %d (emit makes shorter ones)", where, id,
            id_len, SMUG_BUNDLE_ID_MAX);
    bp->id = strdup(id);
    bp->input = strdup(input);
    if (!bp->id || !bp->input)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    bp->predicted = (int)predicted, bp->target = (int)target, bp->confidence = conf;
    bp->n_vars = (int)nv, bp->n_rows = (int)nr;
    snprintf(bp->rows_sha256, sizeof bp->rows_sha256, "%s", sha);
    if (read_neurons(jp, where, bp, err) < 0 || read_incumbent(jp, where, bp, err) < 0)
        return -1;
    return read_files(jp, where, bp, err);
}

/* The method parameters that bound what a run may use: a downloaded manifest could ask for
 * 1024 jobs or a 1e7 s timeout, so these come from the command line (or smug's defaults),
 * never from a bundle. So does `confirm`: who re-checks a bundle's proofs is the reader's
 * choice, not the bundle's. */
static const char *const limit_params[] = {"timeout", "mem_limit", "jobs", "threads", "confirm"};

static int is_limit(const char *name)
{
    for (size_t i = 0; i < sizeof limit_params / sizeof *limit_params; i++)
        if (strcmp(name, limit_params[i]) == 0)
            return 1;
    return 0;
}

static int read_params(const smug_jval *root, const char *mpath, smug_params *p, smug_error *err)
{
    smug_params_defaults(p);
    const smug_jval *jp = smug_jval_get(root, "params");
    const char *names[64];
    int n = smug_params_names(names, 64);
    for (int i = 0; i < n && i < 64; i++) {
        const smug_jval *v = is_limit(names[i]) ? NULL : smug_jval_get(jp, names[i]);
        char text[64], where[4200];
        double d;
        if (!v)
            continue;
        const char *s = smug_jval_str(v);
        if (!s && smug_jval_num(v, &d) == 0)
            snprintf(text, sizeof text, "%.17g", d), s = text;
        snprintf(where, sizeof where, "%s: params", mpath);
        if (!s)
            return smug_fail(err, SMUG_ERR_FORMAT, "%s: '%s' is neither text nor a number", where,
                             names[i]);
        if (smug_params_set(p, names[i], s, where, err) < 0)
            return -1;
    }
    return 0;
}

static int read_manifest(const smug_jval *root, const char *mpath, smug_bundle *b, smug_error *err)
{
    const char *version, *source, *sha;
    long format;
    const smug_jval *model = smug_jval_get(root, "model"), *probs;
    char where[4200];
    snprintf(where, sizeof where, "%s: model", mpath);
    if (smug_jreq_str(root, "smug", mpath, &version, err) < 0 ||
        smug_jreq_int(root, "format", mpath, 1, 1000, &format, err) < 0)
        return -1;
    if (format != SMUG_BUNDLE_FORMAT)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: bundle format %ld; this smug reads format %d",
                         mpath, format, SMUG_BUNDLE_FORMAT);
    if (smug_jreq_str(model, "source", where, &source, err) < 0 ||
        smug_jreq_str(model, "sha256", where, &sha, err) < 0 ||
        smug_jreq_array(root, "problems", mpath, &probs, err) < 0 ||
        read_params(root, mpath, &b->params, err) < 0)
        return -1;
    b->smug_version = strdup(version);
    b->model_source = strdup(source);
    snprintf(b->model_sha256, sizeof b->model_sha256, "%s", sha);
    int n = (int)smug_jval_len(probs);
    b->problems = calloc((size_t)(n > 0 ? n : 1), sizeof *b->problems);
    if (!b->smug_version || !b->model_source || !b->problems)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    b->n = n; /* only now: smug_bundle_free walks b->problems[0, n) */
    for (int i = 0; i < b->n; i++) {
        if (read_problem(smug_jval_at(probs, (size_t)i), mpath, i, &b->problems[i], err) < 0)
            return -1;
        for (int j = 0; j < i; j++)
            if (strcmp(b->problems[j].id, b->problems[i].id) == 0)
                return smug_fail(err, SMUG_ERR_FORMAT, "%s: problems[%d]: id '%s' repeats", mpath,
                                 i, b->problems[i].id);
    }
    return 0;
}

int smug_bundle_parse(const char *text, size_t len, const char *name, const char *dir,
                      smug_bundle **out, smug_error *err)
{
    smug_jval *root = NULL;
    smug_bundle *b = calloc(1, sizeof *b);
    if (!b)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    b->dirfd = -1;
    int rc = smug_jval_parse(text, len, name, &root, err);
    if (rc == 0)
        rc = read_manifest(root, name, b, err);
    if (rc == 0)
        rc = (b->dir = strdup(dir)) ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    smug_jval_free(root);
    if (rc < 0) {
        smug_bundle_free(b);
        return -1;
    }
    *out = b;
    return 0;
}

/* Largest manifest read: ~1 KiB a problem, so a million problems. */
#define MANIFEST_MAX ((size_t)1 << 30)

int smug_bundle_load(const char *dir, smug_bundle **out, smug_error *err)
{
    char mpath[4096];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    int dirfd;
    if (smug_fs_dir_open(dir, &dirfd, err) < 0)
        return -1;
    smug_fs_kind kind = smug_fs_kind_at(dirfd, "manifest.json");
    unsigned char *data = NULL;
    size_t len;
    int rc = kind == SMUG_FS_MISSING
                 ? smug_fail(err, SMUG_ERR_IO,
                             "%s: no manifest.json: not a bundle (make one with smug emit)", dir)
                 : smug_fs_read_at(dirfd, dir, "manifest.json", MANIFEST_MAX, &data, &len, err);
    if (rc == 0)
        rc = smug_bundle_parse((const char *)data, len, mpath, dir, out, err);
    free(data);
    if (rc < 0) {
        close(dirfd);
        return -1;
    }
    (*out)->dirfd = dirfd;
    return 0;
}

int smug_bundle_net(const smug_bundle *b, smug_net **out, smug_error *err)
{
    char path[4096], sha[65];
    unsigned char *data;
    size_t len;
    snprintf(path, sizeof path, "%s/model.onnx", b->dir);
    if (smug_fs_read_at(b->dirfd, b->dir, "model.onnx", SMUG_FS_READ_MAX, &data, &len, err) < 0)
        return -1;
    smug_sha256_hex(data, len, sha);
    int rc = 0;
    if (strcmp(sha, b->model_sha256) != 0)
        rc = smug_fail(err, SMUG_ERR_FORMAT,
                       "%s: sha256 %s differs from the manifest's %s: the bundle's model was "
                       "changed",
                       path, sha, b->model_sha256);
    else
        rc = smug_onnx_load_buffer(data, len, path, out, err);
    free(data);
    return rc;
}

/* inputs/<id>.npy into a new x: a regular file inside the bundle, no larger than a .npy of
 * the model's input shape can be, so /dev/zero or a FIFO there is refused at once. */
static int load_input(const smug_bundle *b, const smug_net *net, const char *id, float **out_x,
                      smug_error *err)
{
    char where[4096], name[SMUG_BUNDLE_ID_MAX + 8];
    unsigned char *data = NULL;
    size_t len;
    int fd;
    snprintf(where, sizeof where, "%s/inputs", b->dir);
    snprintf(name, sizeof name, "%s.npy", id);
    if (smug_fs_subdir(b->dirfd, b->dir, "inputs", 0, &fd, err) < 0)
        return -1;
    if (fd < 0)
        return smug_fail(err, SMUG_ERR_IO, "%s: no inputs folder: not a bundle", where);
    int rc = smug_fs_read_at(fd, where, name, smug_npy_max_bytes(&net->input), &data, &len, err);
    close(fd);
    float *x = rc == 0 ? malloc(smug_shape_size(&net->input) * sizeof *x) : NULL;
    if (rc == 0 && !x)
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0) {
        char label[4400];
        snprintf(label, sizeof label, "%s/%s", where, name);
        rc = smug_npy_parse(data, len, label, &net->input, x, err);
    }
    free(data);
    if (rc < 0)
        free(x);
    else
        *out_x = x;
    return rc;
}

/* The manifest's incumbent over the problem's variables, when it is a valid mask (checked
 * exactly: a mask proves itself). */
static void adopt_incumbent(const smug_bundle_problem *bp, smug_mask_result *m)
{
    const smug_mask_problem *p = m->problem;
    uint8_t *mask = calloc((size_t)(p->n > 0 ? p->n : 1), 1);
    int placed = 0;
    for (int c = 0; mask && c < bp->upper; c++)
        for (int i = 0; i < p->n; i++)
            if (p->cell[i] == bp->incumbent[c])
                mask[i] = 1, placed++;
    if (mask && placed == bp->upper && bp->upper < m->bounds.upper &&
        smug_mask_problem_satisfied(p, mask)) {
        memcpy(m->bounds.incumbent, mask, (size_t)p->n);
        m->bounds.upper = bp->upper;
        m->bounds.incumbent_from = "manifest";
    }
    /* the manifest's lower bound is a hint only (design §7): the bounds were rebuilt and
     * certified just now, and a raised lower_bound there must not make anything optimal */
    free(mask);
}

int smug_bundle_rebuild(const smug_bundle *b, const smug_net *net, int i, int search_incumbent,
                        float **out_x, smug_mask_result *out, smug_error *err)
{
    const smug_bundle_problem *bp = &b->problems[i];
    char sha[65];
    memset(out, 0, sizeof *out);
    *out_x = NULL;
    if (load_input(b, net, bp->id, out_x, err) < 0)
        return -1;
    /* the full-net encoding has its own bounds (the row-only facts do not hold there) */
    if (search_incumbent || b->params.net_encoding == 1
            ? smug_pipeline_problem(net, *out_x, &b->params, bp->neurons, bp->k, 0.0, out, err) < 0
            : smug_encode(net, *out_x, bp->neurons, bp->k, b->params.gamma, b->params.window,
                          &out->problem, err) < 0 ||
                  smug_bounds_compute(out->problem, &out->bounds, err) < 0)
        return -1;
    if (smug_bundle_rows_sha256(out->problem, sha, err) < 0)
        return -1;
    if (strcmp(sha, bp->rows_sha256) != 0)
        return smug_fail(err, SMUG_ERR_FORMAT,
                         "problem %s: the rebuilt rows differ from the emitted ones (sha256 %s, "
                         "manifest %s): emitted by another smug version or from other inputs",
                         bp->id, sha, bp->rows_sha256);
    adopt_incumbent(bp, out);
    return 0;
}

int smug_bundle_explanation(const smug_bundle *b, const smug_net *net, int i, smug_explanation *out,
                            smug_error *err)
{
    const smug_bundle_problem *bp = &b->problems[i];
    memset(out, 0, sizeof *out);
    size_t n = smug_net_first_size(net);
    out->n_first = n;
    out->predicted = bp->predicted;
    out->target = bp->target;
    out->confidence = (float)bp->confidence;
    out->ig_first = calloc(n, sizeof(float));
    out->first_pre = calloc(n, sizeof(float));
    out->neurons = malloc((size_t)(bp->k > 0 ? bp->k : 1) * sizeof(int));
    if (!out->ig_first || !out->first_pre || !out->neurons)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    out->n_neurons = bp->k;
    for (int j = 0; j < bp->k; j++) {
        if (bp->neurons[j] < 0 || (size_t)bp->neurons[j] >= n)
            return smug_fail(err, SMUG_ERR_FORMAT,
                             "problem %s: neuron %d is outside the %zu "
                             "first-layer neurons of the model",
                             bp->id, bp->neurons[j], n);
        out->neurons[j] = bp->neurons[j];
        out->ig_first[bp->neurons[j]] = bp->ig[j];
        out->first_pre[bp->neurons[j]] = bp->activation[j];
    }
    return 0;
}
