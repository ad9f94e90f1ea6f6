/* family.c — `smug family`: bundles' benchmark files and measured solver runs into one
 * family folder with an index (family.h).
 *
 * The file decides nothing about a formula by itself: a status is what two solvers said
 * within the timeout, a difficulty is how long the second of them took, and every
 * disagreement stops the build. The measurements come in as text (measured.csv, runs.csv)
 * and go out as text, so the expensive part — running solvers — happens once, anywhere (a
 * cluster through solvers.sh), and rebuilding the folder is cheap. Index and tables are
 * written by family_index.c.
 */
#include "family_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smug/fsutil.h"
#include "smug/harness.h"

int smug_family_formula_sha256(const char *text, size_t len, char out[65])
{
    for (size_t i = 0; i + 9 <= len; i++)
        if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, "(declare-", 9) == 0) {
            smug_sha256_hex(text + i, len - i, out);
            return 0;
        }
    return -1;
}

/* ---- measurements ------------------------------------------------------------------- */

static const char *const answers[] = {"sat", "unsat", "unknown", "timeout", "error"};

static int push_run(family *f, const fam_run *r, smug_error *err)
{
    for (int i = 0; i < f->n_runs; i++) /* a later measurement of the same pair replaces */
        if (strcmp(f->runs[i].sha, r->sha) == 0 && strcmp(f->runs[i].solver, r->solver) == 0) {
            f->runs[i] = *r;
            return 0;
        }
    if (f->n_runs == f->cap_runs) {
        int cap = f->cap_runs ? 2 * f->cap_runs : 256;
        fam_run *g = realloc(f->runs, (size_t)cap * sizeof *g);
        if (!g)
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        f->runs = g, f->cap_runs = cap;
    }
    f->runs[f->n_runs++] = *r;
    return 0;
}

/* Splits a CSV line of exactly six fields (no quoting: none of them holds a comma). */
static int split6(char *line, char *field[6])
{
    int n = 0;
    for (char *p = line; n < 6; n++) {
        field[n] = p;
        char *c = strchr(p, ',');
        if (!c)
            return n == 5 ? 0 : -1;
        *c = '\0';
        p = c + 1;
    }
    return -1;
}

static int valid_solver(const char *s)
{
    if (!*s || strlen(s) >= sizeof((fam_run *)0)->solver)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("._-", *s)))
            return 0;
    return 1;
}

/* One row: field 0 is a formula hash (measured.csv) or, with b, a file of bundle b. */
static int parse_row(family *f, const fam_bundle *b, char *field[6], const char *where,
                     smug_error *err)
{
    fam_run r;
    memset(&r, 0, sizeof r);
    if (b) {
        if (fam_file_sha(f, b, field[0], r.sha, err) < 0)
            return smug_error_prefix(err, "%s", where), -1;
    } else if (strlen(field[0]) != 64 || strspn(field[0], "0123456789abcdef") != 64) {
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: '%s' is not a sha256", where, field[0]);
    } else {
        memcpy(r.sha, field[0], 65);
    }
    if (!valid_solver(field[1]))
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: bad solver name '%s'", where, field[1]);
    snprintf(r.solver, sizeof r.solver, "%s", field[1]);
    snprintf(r.version, sizeof r.version, "%s", field[2]);
    size_t a = 0;
    while (a < 5 && strcmp(field[3], answers[a]) != 0)
        a++;
    if (a == 5)
        return smug_fail(err, SMUG_ERR_FORMAT,
                         "%s: answer '%s' (expected sat, unsat, unknown, timeout or error)", where,
                         field[3]);
    snprintf(r.answer, sizeof r.answer, "%s", answers[a]);
    double *t[2] = {&r.seconds, &r.cpu};
    for (int k = 0; k < 2; k++) {
        char *end;
        *t[k] = strtod(field[4 + k], &end);
        if (end == field[4 + k] || *end || !(*t[k] >= 0.0 && *t[k] < 1e9))
            return smug_fail(err, SMUG_ERR_FORMAT, "%s: %s '%s' is not a time", where,
                             k ? "cpu_seconds" : "seconds", field[4 + k]);
    }
    return push_run(f, &r, err);
}

/* The file rel ("<folder>/<name>", one level down) of bundle b, read as every bundle file
 * is (design §7): relative to the bundle's descriptor, no link followed, regular files of at
 * most FAM_FILE_MAX bytes. A missing file is *out_data NULL and 0 when `optional`. */
static int read_bundle_file(const fam_bundle *b, const char *rel, int optional,
                            unsigned char **out_data, size_t *out_len, smug_error *err)
{
    *out_data = NULL, *out_len = 0;
    const char *slash = strchr(rel, '/');
    char folder[256], where[4400];
    if (!slash || strchr(slash + 1, '/') || slash == rel ||
        (size_t)(slash - rel) >= sizeof folder || !slash[1] || rel[0] == '.' || slash[1] == '.')
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: '%s' is not a file of the bundle", b->b->dir,
                         rel);
    snprintf(folder, sizeof folder, "%.*s", (int)(slash - rel), rel);
    snprintf(where, sizeof where, "%s/%s", b->b->dir, folder);
    int fd = -1;
    if (smug_fs_subdir(b->b->dirfd, b->b->dir, folder, 0, &fd, err) < 0)
        return -1;
    if (fd < 0 || (optional && smug_fs_kind_at(fd, slash + 1) == SMUG_FS_MISSING)) {
        if (fd >= 0)
            close(fd);
        return optional ? 0 : smug_fail(err, SMUG_ERR_IO, "%s/%s: no such file", b->b->dir, rel);
    }
    int rc = smug_fs_read_at(fd, where, slash + 1, FAM_FILE_MAX, out_data, out_len, err);
    close(fd);
    return rc;
}

/* Splits text into lines and parses each: a measured.csv (b NULL; its first line is the
 * header) or a bundle's runs.csv. Consumes data. */
static int parse_runs(family *f, const char *path, const fam_bundle *b, unsigned char *data,
                      smug_error *err)
{
    char *text = (char *)data, *save = NULL, where[4200];
    int rc = 0, line = 0;
    for (char *l = strtok_r(text, "\n", &save); rc == 0 && l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        char *field[6];
        snprintf(where, sizeof where, "%s:%d", path, line);
        if (!b && line == 1 && strncmp(l, "formula_sha256,", 15) == 0)
            continue;
        if (split6(l, field) < 0)
            rc = smug_fail(err, SMUG_ERR_FORMAT,
                           "%s: expected 6 comma-separated fields (%s,solver,version,answer,"
                           "seconds,cpu_seconds)",
                           where, b ? "file" : "formula_sha256");
        else
            rc = parse_row(f, b, field, where, err);
    }
    free(data);
    return rc;
}

static int read_runs(family *f, const char *path, smug_error *err)
{
    unsigned char *data;
    size_t len;
    if (smug_fs_read_all(path, &data, &len, err) < 0)
        return -1;
    return parse_runs(f, path, NULL, data, err);
}

/* ---- bundles and their files ---------------------------------------------------------- */

int fam_file_sha(family *f, const fam_bundle *b, const char *rel, char out[65], smug_error *err)
{
    for (int i = 0; i < f->n_files; i++)
        if (f->files[i].b == b && strcmp(f->files[i].rel, rel) == 0) {
            memcpy(out, f->files[i].sha, 65);
            return 0;
        }
    unsigned char *data;
    size_t len;
    if (read_bundle_file(b, rel, 0, &data, &len, err) < 0)
        return -1;
    int rc = smug_family_formula_sha256((const char *)data, len, out);
    free(data);
    return rc < 0 ? smug_fail(err, SMUG_ERR_FORMAT, "%s/%s: no declaration", b->b->dir, rel) : 0;
}

static int add_file(family *f, fam_bundle *b, const smug_bundle_problem *bp, const char *rel,
                    int bound, const char *claim, smug_error *err)
{
    if (f->n_files == f->cap_files) {
        int cap = f->cap_files ? 2 * f->cap_files : 64;
        fam_file *g = realloc(f->files, (size_t)cap * sizeof *g);
        if (!g)
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        f->files = g, f->cap_files = cap;
    }
    fam_file *e = &f->files[f->n_files];
    memset(e, 0, sizeof *e);
    e->b = b, e->bp = bp, e->rel = rel, e->bound = bound, e->claim = claim;
    unsigned char *data;
    if (read_bundle_file(b, rel, 0, &data, &e->len, err) < 0)
        return -1;
    e->text = (char *)data;
    if (smug_family_formula_sha256(e->text, e->len, e->sha) < 0) {
        free(e->text);
        return smug_fail(err, SMUG_ERR_FORMAT, "%s/%s: no declaration: not a problem file",
                         b->b->dir, rel);
    }
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    size_t n = strlen(b->name) + strlen(base) + 2;
    if (!(e->dest = malloc(n))) {
        free(e->text);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    snprintf(e->dest, n, "%s/%s", b->name, base);
    for (int i = 0; i < f->n_files; i++)
        if (strcmp(f->files[i].sha, e->sha) == 0)
            e->duplicate = 1; /* kept for runs.csv lookups, never written */
    f->n_files++;
    return 0;
}

static int load_bundle(family *f, const char *dir, smug_error *err)
{
    if (f->n_bundles == FAM_MAX_BUNDLES)
        return smug_fail(err, SMUG_ERR_USAGE, "more than %d bundles", FAM_MAX_BUNDLES);
    fam_bundle *b = &f->bundles[f->n_bundles];
    memset(b, 0, sizeof *b);
    if (smug_bundle_load(dir, &b->b, err) < 0)
        return -1;
    f->n_bundles++;
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    const char *base = dir + len;
    while (base > dir && base[-1] != '/')
        base--;
    snprintf(b->name, sizeof b->name, "%.*s", (int)(dir + len - base), base);
    if (!b->name[0] || strspn(b->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789._-") != strlen(b->name))
        return smug_fail(err, SMUG_ERR_USAGE,
                         "%s: a bundle's folder name becomes a folder of the family: use "
                         "letters, digits, '.', '_' and '-'",
                         dir);
    for (int i = 0; i + 1 < f->n_bundles; i++)
        if (strcmp(f->bundles[i].name, b->name) == 0)
            return smug_fail(err, SMUG_ERR_USAGE, "%s: two bundles named '%s'", dir, b->name);
    for (int i = 0; i < b->b->n; i++) {
        const smug_bundle_problem *bp = &b->b->problems[i];
        int rc = 0;
        if (bp->family_sat && bp->optimum >= 0)
            rc = add_file(f, b, bp, bp->family_sat, bp->optimum, "sat", err);
        if (rc == 0 && bp->family_unsat && bp->optimum > 0)
            rc = add_file(f, b, bp, bp->family_unsat, bp->optimum - 1, "unsat", err);
        if (rc == 0 && bp->family_unknown)
            rc = add_file(f, b, bp, bp->family_unknown, bp->bound, "unknown", err);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A bundle, or every sub-folder of dir holding a manifest.json, in name order. */
static int load_bundles(family *f, const char *dir, smug_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if (smug_fs_exists(path))
        return load_bundle(f, dir, err);
    DIR *d = opendir(dir);
    if (!d)
        return smug_fail(err, SMUG_ERR_IO, "%s: not a bundle or a folder of bundles", dir);
    char *names[FAM_MAX_BUNDLES];
    int n = 0, rc = 0;
    for (struct dirent *e; (e = readdir(d)) && n < FAM_MAX_BUNDLES;) {
        struct stat st; /* a link among the bundles is not followed (design §7) */
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        snprintf(path, sizeof path, "%s/%s/manifest.json", dir, e->d_name);
        if (smug_fs_exists(path) && !(names[n++] = strdup(e->d_name)))
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i] ? names[i] : "");
        if (rc == 0)
            rc = load_bundle(f, path, err);
        free(names[i]);
    }
    if (rc == 0 && n == 0)
        rc = smug_fail(err, SMUG_ERR_USAGE, "%s: no bundle in it (emit one with smug emit)", dir);
    return rc;
}

/* ---- statuses ------------------------------------------------------------------------- */

static int definite(const char *a)
{
    return strcmp(a, "sat") == 0 || strcmp(a, "unsat") == 0;
}

/* The measured answers of e's formula (solvers in name order), its status and difficulty. */
static int decide(family *f, fam_file *e, smug_error *err)
{
    e->n_runs = 0;
    for (int i = 0; i < f->n_runs && e->n_runs < FAM_MAX_SOLVERS; i++)
        if (strcmp(f->runs[i].sha, e->sha) == 0)
            e->runs[e->n_runs++] = &f->runs[i];
    if (e->n_runs == 0 && f->o->all_measured)
        return smug_fail(err, SMUG_ERR_FORMAT,
                         "%s: no measured run of its formula (sha256 %s): the measurements are "
                         "of other files",
                         e->dest, e->sha);
    for (int i = 1; i < e->n_runs; i++) /* insertion sort by solver name */
        for (int j = i; j > 0 && strcmp(e->runs[j - 1]->solver, e->runs[j]->solver) > 0; j--) {
            const fam_run *t = e->runs[j];
            e->runs[j] = e->runs[j - 1], e->runs[j - 1] = t;
        }
    const char *agreed = definite(e->claim) ? e->claim : NULL, *first = NULL;
    double t1 = -1.0, t2 = -1.0;
    int n = 0;
    e->confirmed_by[0] = '\0';
    for (int i = 0; i < e->n_runs; i++) {
        const fam_run *r = e->runs[i];
        if (!definite(r->answer) || r->cpu > f->o->timeout)
            continue;
        if (agreed && strcmp(agreed, r->answer) != 0)
            return smug_fail(err, SMUG_ERR_FORMAT,
                             "%s: %s answers %s, but %s %s: a solver or smug is wrong here",
                             e->dest, r->solver, r->answer, first ? first : "smug claims",
                             first ? agreed : e->claim);
        agreed = r->answer;
        first = first ? first : r->solver;
        size_t len = strlen(e->confirmed_by);
        snprintf(e->confirmed_by + len, sizeof e->confirmed_by - len, "%s%s", n ? "," : "",
                 r->solver);
        n++;
        if (t1 < 0 || r->cpu < t1)
            t2 = t1, t1 = r->cpu;
        else if (t2 < 0 || r->cpu < t2)
            t2 = r->cpu;
    }
    if (n >= 2) {
        e->status = agreed;
        e->difficulty = t2 < SMUG_FAMILY_EASY     ? "easy"
                        : t2 < SMUG_FAMILY_MEDIUM ? "medium"
                                                  : "hard";
    } else {
        e->status = "unknown";
        e->difficulty = "open";
        e->confirmed_by[0] = '\0';
    }
    return 0;
}

/* e's text with its (set-info :status …) replaced by the decided one. */
static int write_file(const family *f, const fam_file *e, smug_error *err)
{
    static const char key[] = "\n(set-info :status ";
    const char *at = NULL;
    for (size_t i = 0; i + sizeof key - 1 <= e->len; i++)
        if (memcmp(e->text + i, key, sizeof key - 1) == 0) {
            at = e->text + i + sizeof key - 1;
            break;
        }
    const char *end = at ? memchr(at, ')', e->len - (size_t)(at - e->text)) : NULL;
    if (!end)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s/%s: no (set-info :status …)", e->b->b->dir,
                         e->rel);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", f->o->out, e->dest);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    if (smug_fs_mkdirs(path, err) < 0)
        return -1;
    *slash = '/';
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_add(&sb, e->text, (size_t)(at - e->text));
    smug_strbuf_adds(&sb, e->status);
    smug_strbuf_add(&sb, end, e->len - (size_t)(end - e->text));
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    smug_strbuf_clear(&sb);
    return rc;
}

static int cmp_dest(const void *a, const void *b)
{
    return strcmp((*(fam_file *const *)a)->dest, (*(fam_file *const *)b)->dest);
}

static void family_free(family *f)
{
    for (int i = 0; i < f->n_files; i++) {
        free(f->files[i].text);
        free(f->files[i].dest);
    }
    free(f->files);
    free(f->runs);
    free(f->order);
    for (int i = 0; i < f->n_bundles; i++)
        smug_bundle_free(f->bundles[i].b);
}

static int write_all(family *f, smug_error *err)
{
    int n = 0;
    for (int i = 0; i < f->n_files; i++)
        if (!f->files[i].duplicate)
            f->order[n++] = &f->files[i];
    f->n_order = n;
    qsort(f->order, (size_t)n, sizeof *f->order, cmp_dest);
    smug_harness_task *t = malloc((size_t)(n > 0 ? n : 1) * sizeof *t);
    if (!t)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = write_file(f, f->order[i], err);
        t[i] = (smug_harness_task){f->order[i]->dest, f->order[i]->status};
    }
    if (rc == 0)
        rc = smug_harness_write_tasks(f->o->out, t, n, f->o->timeout, f->o->mem_mb, err);
    free(t);
    if (rc == 0)
        rc = smug_harness_write_solvers(f->o->out, f->o->registry, f->o->mem_mb, err);
    if (rc == 0)
        rc = fam_write_index(f, err);
    if (rc == 0)
        rc = fam_write_measured(f, err);
    return rc;
}

int smug_family_build(const smug_family_options *o, smug_strbuf *out_table,
                      smug_family_stats *out_stats, smug_error *err)
{
    memset(out_stats, 0, sizeof *out_stats);
    family *f = calloc(1, sizeof *f); /* a thousand bundle slots: not for the stack */
    if (!f)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    f->o = o;
    int rc = 0;
    for (int i = 0; rc == 0 && i < o->n_bundles; i++)
        rc = load_bundles(f, o->bundles[i], err);
    for (int i = 0; rc == 0 && i < o->n_measured; i++)
        rc = read_runs(f, o->measured[i], err);
    for (int i = 0; rc == 0 && i < f->n_bundles; i++) { /* each bundle's own solvers.sh runs */
        const fam_bundle *b = &f->bundles[i];
        unsigned char *data;
        size_t len;
        char path[4200];
        snprintf(path, sizeof path, "%s/results/runs.csv", b->b->dir);
        rc = read_bundle_file(b, "results/runs.csv", 1, &data, &len, err);
        if (rc == 0 && data)
            rc = parse_runs(f, path, b, data, err);
    }
    if (rc == 0 &&
        !(f->order = malloc((size_t)(f->n_files > 0 ? f->n_files : 1) * sizeof *f->order)))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == 0 && i < f->n_files; i++)
        rc = f->files[i].duplicate ? 0 : decide(f, &f->files[i], err);
    if (rc == 0 && smug_fs_mkdirs(o->out, err) < 0)
        rc = -1;
    if (rc == 0)
        rc = write_all(f, err);
    if (rc == 0 && out_table)
        fam_tables(f, out_table);
    for (int i = 0; rc == 0 && i < f->n_files; i++) {
        const fam_file *e = &f->files[i];
        out_stats->duplicates += e->duplicate;
        out_stats->files += !e->duplicate;
        out_stats->confirmed += !e->duplicate && definite(e->status);
    }
    family_free(f);
    free(f);
    return rc;
}
