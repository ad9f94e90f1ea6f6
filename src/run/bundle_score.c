/* bundle_score.c — results and raw solver outputs back into explanations (bundle_score.h).
 *
 * The rule of this file: believe a source only as far as it proves something checkable,
 * and never let two sources that disagree quietly produce an answer.
 */
#include "smug/bundle_score.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/artifacts.h"
#include "smug/fsutil.h"
#include "smug/json.h"
#include "smug/report.h"
#include "smug/strategy.h"

/* A result or raw output is at most this big (smug's own output cap for a solver). */
#define SOURCE_MAX ((size_t)64 << 20)

/* BUNDLE/results, open: every source is read through it, never through a link. */
typedef struct results_dir {
    int fd; /* -1: the bundle has no results/ */
    char where[4200];
} results_dir;

typedef struct merged {
    uint8_t *best; /* [n] smallest mask so far */
    uint8_t *cand; /* [n] scratch */
    int size;
    char size_from[600]; /* "manifest" or a file name */
    int lower;
    char lower_from[600];
    const char *proved_by; /* "bounds" or "solver": who proved `lower` */
    char solvers[256];
    smug_strategy strategy;
    int solver_calls;
    char error[SMUG_ERROR_MAX]; /* non-empty: the id failed */
    smug_strbuf sources;        /* JSON array text of {file, reading} */
} merged;

static void add_source(merged *g, const char *file, const char *reading)
{
    smug_json j;
    smug_json_init(&j, &g->sources, 0);
    j.count[0] = g->sources.len > 0;
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "file", file);
    smug_json_string(&j, "reading", reading);
    smug_json_object_end(&j);
}

static void add_solver(merged *g, const char *solver)
{
    if (strstr(g->solvers, solver))
        return;
    size_t len = strlen(g->solvers);
    snprintf(g->solvers + len, sizeof g->solvers - len, "%s%s", len ? "+" : "", solver);
}

static void offer_mask(merged *g, const smug_mask_problem *p, const char *file)
{
    int size = smug_mask_count(g->cand, p->n);
    if (size < g->size) {
        memcpy(g->best, g->cand, (size_t)p->n);
        g->size = size;
        snprintf(g->size_from, sizeof g->size_from, "%s", file);
    }
}

static void offer_lower(merged *g, int lower, const char *by, const char *file)
{
    if (lower > g->lower) {
        g->lower = lower;
        g->proved_by = by;
        snprintf(g->lower_from, sizeof g->lower_from, "%s", file);
    }
}

/* The cells of a JSON result as a mask over the problem's variables. */
static int cells_to_mask(const smug_jval *cells, const smug_mask_problem *p, uint8_t *mask,
                         char *why, size_t n)
{
    memset(mask, 0, (size_t)p->n);
    for (size_t c = 0; c < smug_jval_len(cells); c++) {
        long cell;
        int found = 0;
        if (smug_jval_int(smug_jval_at(cells, c), &cell) < 0) {
            snprintf(why, n, "cells[%zu] is not an integer", c);
            return -1;
        }
        for (int i = 0; i < p->n && !found; i++)
            if (p->cell[i] == cell)
                mask[i] = 1, found = 1;
        if (!found) {
            snprintf(why, n, "cell %ld is not a variable of this problem", cell);
            return -1;
        }
    }
    return 0;
}

static void read_json_source(merged *g, const smug_bundle_problem *bp, const smug_mask_problem *p,
                             const results_dir *rd, const char *file, const char *solver)
{
    char why[512] = "";
    smug_jval *root = NULL;
    smug_error err = SMUG_ERROR_INIT;
    unsigned char *text = NULL;
    size_t len = 0;
    const char *id, *sha, *status, *strategy, *proved;
    long size, lower, calls = 0;
    if (smug_fs_read_at(rd->fd, rd->where, file, SOURCE_MAX, &text, &len, &err) < 0 ||
        smug_jval_parse((const char *)text, len, file, &root, &err) < 0 ||
        smug_jreq_str(root, "id", file, &id, &err) < 0 ||
        smug_jreq_str(root, "rows_sha256", file, &sha, &err) < 0 ||
        smug_jreq_str(root, "status", file, &status, &err) < 0 ||
        smug_jreq_str(root, "strategy", file, &strategy, &err) < 0 ||
        smug_jreq_int(root, "mask_size", file, 0, p->n, &size, &err) < 0 ||
        smug_jreq_int(root, "lower_bound", file, 0, p->n, &lower, &err) < 0) {
        snprintf(g->error, sizeof g->error, "%s", err.msg);
    } else if (strcmp(id, bp->id) != 0 || strcmp(sha, bp->rows_sha256) != 0) {
        snprintf(g->error, sizeof g->error, "%s: a result for another problem (id %s)", file, id);
    } else if (cells_to_mask(smug_jval_get(root, "cells"), p, g->cand, why, sizeof why) < 0 ||
               smug_mask_count(g->cand, p->n) != size) {
        snprintf(g->error, sizeof g->error, "%s: %s", file,
                 why[0] ? why : "mask_size does not match its cells");
    } else if (!smug_mask_problem_satisfied(p, g->cand)) {
        snprintf(g->error, sizeof g->error, "%s: its mask violates a row of the problem", file);
    } else {
        proved = smug_jval_str(smug_jval_get(root, "proved_by"));
        smug_jval_int(smug_jval_get(root, "solver_calls"), &calls);
        g->solver_calls += (int)calls;
        offer_mask(g, p, file);
        offer_lower(g, (int)lower, proved && strcmp(proved, "bounds") == 0 ? "bounds" : "solver",
                    file);
        for (int s = SMUG_STRATEGY_OPTIMIZE; s <= SMUG_STRATEGY_BASE; s++)
            if (strcmp(strategy, smug_strategy_name((smug_strategy)s)) == 0)
                g->strategy = (smug_strategy)s;
        add_solver(g, solver);
        char reading[128];
        snprintf(reading, sizeof reading, "%s, mask %ld, lower bound %ld", status, size, lower);
        add_source(g, file, reading);
    }
    smug_jval_free(root);
    free(text);
}

/* Which problem file a raw output answers: its bound and form, or -1 if none. */
static int raw_form(const smug_bundle_problem *bp, const char *form, int *bound, int *optimize)
{
    *optimize = 0;
    if (!form[0] && bp->decision)
        *bound = bp->bound;
    else if (strcmp(form, "opt") == 0 && bp->optimize)
        *bound = bp->upper, *optimize = 1;
    else if (strcmp(form, "sat") == 0 && bp->family_sat && bp->optimum >= 0)
        *bound = bp->optimum;
    else if (strcmp(form, "unsat") == 0 && bp->family_unsat)
        *bound = bp->optimum - 1;
    else
        return -1;
    return 0;
}

static void read_raw_source(merged *g, const smug_bundle_problem *bp, const smug_mask_problem *p,
                            const results_dir *rd, const char *file, const char *form,
                            const char *solver)
{
    char reading[700];
    int bound, optimize;
    unsigned char *text = NULL;
    size_t len;
    smug_error err = SMUG_ERROR_INIT;
    if (raw_form(bp, form, &bound, &optimize) < 0) {
        snprintf(g->error, sizeof g->error, "%s: the bundle has no problem file '%s%s%s.smt2'",
                 file, bp->id, form[0] ? "." : "", form);
        return;
    }
    if (smug_fs_read_at(rd->fd, rd->where, file, SOURCE_MAX, &text, &len, &err) < 0) {
        snprintf(g->error, sizeof g->error, "%s", err.msg);
        return;
    }
    smug_reading r;
    smug_solve_read(p, file, (const char *)text, len, bound, optimize, g->cand, &r);
    free(text);
    add_solver(g, solver);
    g->solver_calls++;
    if (optimize && g->strategy == SMUG_STRATEGY_AUTO)
        g->strategy = SMUG_STRATEGY_OPTIMIZE;
    switch (r.kind) {
    case SMUG_READ_MASK:
    case SMUG_READ_OPTIMUM:
        offer_mask(g, p, file);
        snprintf(reading, sizeof reading, "%s: mask %d",
                 r.kind == SMUG_READ_OPTIMUM ? "optimum" : "sat", r.size);
        break;
    case SMUG_READ_UNSAT:
        snprintf(reading, sizeof reading, "unsat: no mask of size <= %d", bound);
        break;
    case SMUG_READ_NOTHING: snprintf(reading, sizeof reading, "no answer: %s", r.note); break;
    }
    if (r.lower > 0)
        offer_lower(g, r.lower, "solver", file);
    add_source(g, file, reading);
}

/* Splits "<id>.<rest>" into form and solver; 0 if the name is a source for id. */
static int parse_name(const char *name, const char *id, char *form, char *solver, int *is_json)
{
    size_t idn = strlen(id), len = strlen(name);
    if (strncmp(name, id, idn) != 0 || name[idn] != '.')
        return -1;
    const char *rest = name + idn + 1;
    size_t rn = len - idn - 1;
    *is_json = rn > 5 && strcmp(rest + rn - 5, ".json") == 0;
    int is_out = rn > 4 && strcmp(rest + rn - 4, ".out") == 0;
    if (!*is_json && !is_out)
        return -1;
    size_t mid = rn - (*is_json ? 5 : 4);
    char middle[256];
    if (mid == 0 || mid >= sizeof middle)
        return -1;
    memcpy(middle, rest, mid);
    middle[mid] = '\0';
    char *dot = strchr(middle, '.');
    if (*is_json && dot)
        return -1;
    form[0] = '\0';
    if (dot) {
        *dot = '\0';
        if (snprintf(form, 32, "%s", middle) >= 32 || snprintf(solver, 64, "%s", dot + 1) >= 64)
            return -1;
    } else if (snprintf(solver, 64, "%s", middle) >= 64) {
        return -1;
    }
    return solver[0] && !strchr(solver, '.') ? 0 : -1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in BUNDLE/results (so reports do not depend on directory order). */
static int list_results(const results_dir *rd, char ***out, int *n, smug_error *err)
{
    *out = NULL, *n = 0;
    if (rd->fd < 0)
        return 0; /* no results yet: every id keeps the manifest's incumbent */
    int fd = dup(rd->fd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot list: %s", rd->where, strerror(errno));
    }
    rewinddir(d);
    int cap = 0, rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            char **g = realloc(*out, (size_t)cap * sizeof *g);
            if (!g) {
                rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
                break;
            }
            *out = g;
        }
        if (!((*out)[*n] = strdup(e->d_name)))
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        else
            (*n)++;
    }
    closedir(d);
    if (*n > 1)
        qsort(*out, (size_t)*n, sizeof **out, cmp_names);
    return rc;
}

static void merge_sources(merged *g, const smug_bundle *b, int i, const smug_mask_result *m,
                          const results_dir *rd, char **names, int n_names)
{
    const smug_bundle_problem *bp = &b->problems[i];
    for (int f = 0; f < n_names && !g->error[0]; f++) {
        char form[32], solver[64];
        int is_json;
        if (parse_name(names[f], bp->id, form, solver, &is_json) < 0)
            continue;
        if (is_json)
            read_json_source(g, bp, m->problem, rd, names[f], solver);
        else
            read_raw_source(g, bp, m->problem, rd, names[f], form, solver);
    }
    if (!g->error[0] && g->lower > g->size &&
        snprintf(g->error, sizeof g->error,
                 "results conflict: %s proves no mask smaller than %d, but %s has one of size %d",
                 g->lower_from, g->lower, g->size_from, g->size) >= (int)sizeof g->error)
        g->error[sizeof g->error - 2] = '.'; /* truncated, still non-empty */
}

static void fill_solve(const merged *g, smug_mask_result *m)
{
    smug_solve_result *s = &m->solve;
    memcpy(s->mask, g->best, (size_t)m->problem->n);
    s->size = g->size;
    s->lower = g->lower;
    s->status = g->lower >= g->size ? SMUG_SOLVE_OPTIMAL : SMUG_SOLVE_FEASIBLE;
    s->proved_by = s->status == SMUG_SOLVE_OPTIMAL ? g->proved_by : NULL;
    s->incumbent_from = strcmp(g->size_from, "manifest") == 0 ? "manifest" : "solver";
    s->strategy = g->strategy == SMUG_STRATEGY_AUTO ? SMUG_STRATEGY_TIGHTEN : g->strategy;
    s->solver_calls = g->solver_calls;
    if (s->status != SMUG_SOLVE_OPTIMAL)
        snprintf(s->note, sizeof s->note, "offline results leave the gap [%d, %d] open", g->lower,
                 g->size);
}

typedef struct scorer {
    const smug_bundle *b;
    const smug_net *net;
    const char *out_dir; /* for paths in the report and messages */
    int out_fd;          /* out_dir, open */
    results_dir rd;
    char **names;
    int n_names;
    smug_json *json;
    smug_bundle_score_stats *st;
} scorer;

static void score_one(scorer *sc, int i)
{
    const smug_bundle_problem *bp = &sc->b->problems[i];
    float *x = NULL;
    smug_mask_result m;
    smug_explanation e;
    smug_error err = SMUG_ERROR_INIT;
    merged g;
    memset(&g, 0, sizeof g);
    memset(&e, 0, sizeof e);
    smug_artifact_paths *ap = malloc(sizeof *ap);
    int rc = ap ? smug_bundle_rebuild(sc->b, sc->net, i, 0, &x, &m, &err)
                : smug_fail(&err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_bundle_explanation(sc->b, sc->net, i, &e, &err);
    if (rc == 0) {
        int n = m.problem->n > 0 ? m.problem->n : 1;
        g.best = malloc((size_t)n), g.cand = malloc((size_t)n);
        m.solve.mask = malloc((size_t)n);
        rc = g.best && g.cand && m.solve.mask ? 0 : smug_fail(&err, SMUG_ERR_NOMEM, "oom");
    }
    if (rc == 0) {
        memcpy(g.best, m.bounds.incumbent, (size_t)m.problem->n);
        g.size = m.bounds.upper, g.lower = m.bounds.lower, g.proved_by = "bounds";
        snprintf(g.size_from, sizeof g.size_from, "manifest");
        snprintf(g.lower_from, sizeof g.lower_from, "manifest");
        merge_sources(&g, sc->b, i, &m, &sc->rd, sc->names, sc->n_names);
        sc->st->with_results += g.sources.len > 0;
        rc = g.error[0] ? smug_fail(&err, SMUG_ERR_FORMAT, "%s", g.error) : 0;
    }
    if (rc == 0)
        fill_solve(&g, &m);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", sc->out_dir, bp->id);
    int id_fd = -1; /* out/<id> made here, a folder and not a link, before it is written by name */
    if (rc == 0)
        rc = smug_fs_subdir(sc->out_fd, sc->out_dir, bp->id, 1, &id_fd, &err);
    if (id_fd >= 0)
        close(id_fd);
    if (rc == 0)
        rc = smug_pipeline_finish(sc->net, x, &sc->b->params, &e, g.solvers[0] ? g.solvers : "-",
                                  &m, &err);
    if (rc == 0)
        rc = smug_artifacts_write(sc->net, &sc->b->params, x, &m, dir, ap, &err);
    smug_report_paths rp = {ap ? ap->saliency : NULL, ap ? ap->overlay : NULL, ap ? ap->mask : NULL,
                            ap ? ap->mask_npy : NULL};
    smug_report_extra extra = {.id = bp->id, .sources = g.sources.buf ? g.sources.buf : ""};
    if (rc == 0 && e.neurons) {
        smug_report_input(sc->json, bp->input, &e, &m, g.solvers[0] ? g.solvers : "none",
                          &sc->b->params, &rp, NULL, 0.0, &extra);
        sc->st->optimal += m.solve.status == SMUG_SOLVE_OPTIMAL;
        sc->st->feasible += m.solve.status != SMUG_SOLVE_OPTIMAL;
    } else {
        smug_explanation none;
        memset(&none, 0, sizeof none);
        none.predicted = bp->predicted, none.target = bp->target;
        none.confidence = (float)bp->confidence;
        smug_report_input(sc->json, bp->input, e.neurons ? &e : &none, NULL, "none", &sc->b->params,
                          NULL, err.msg, 0.0, &extra);
        sc->st->errors++;
    }
    sc->st->total++;
    smug_strbuf_free(&g.sources);
    free(g.best), free(g.cand), free(ap), free(x);
    smug_explanation_free(&e);
    smug_mask_result_free(&m);
}

/* The output folder: out_dir as the user named it, or BUNDLE/scored without a link. */
static int open_out(scorer *sc, const char *out_dir, char *label, size_t n, smug_error *err)
{
    const smug_bundle *b = sc->b;
    if (!out_dir) {
        snprintf(label, n, "%s/scored", b->dir);
        return smug_fs_subdir(b->dirfd, b->dir, "scored", 1, &sc->out_fd, err);
    }
    snprintf(label, n, "%s", out_dir);
    if (smug_fs_mkdirs(out_dir, err) < 0)
        return -1;
    return smug_fs_dir_open(out_dir, &sc->out_fd, err);
}

int smug_bundle_score(const smug_bundle *b, const smug_net *net, const char *out_dir,
                      smug_bundle_score_stats *st, smug_error *err)
{
    memset(st, 0, sizeof *st);
    char out_label[4096];
    scorer sc = {b, net, out_label, -1, {-1, ""}, NULL, 0, NULL, st};
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &sb, 1);
    sc.json = &j;
    snprintf(sc.rd.where, sizeof sc.rd.where, "%s/results", b->dir);
    int rc = smug_fs_subdir(b->dirfd, b->dir, "results", 0, &sc.rd.fd, err);
    if (rc == 0)
        rc = list_results(&sc.rd, &sc.names, &sc.n_names, err);
    if (rc == 0)
        rc = open_out(&sc, out_dir, out_label, sizeof out_label, err);
    if (rc == 0) {
        smug_strbuf params = SMUG_STRBUF_INIT;
        smug_params_json(&b->params, &params);
        smug_json_object_begin(&j, NULL);
        smug_json_string(&j, "smug", SMUG_VERSION);
        smug_json_string(&j, "bundle", b->dir);
        smug_json_string(&j, "model", b->model_source);
        smug_json_string(&j, "model_sha256", b->model_sha256);
        smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
        smug_strbuf_free(&params);
        smug_json_array_begin(&j, "inputs");
        for (int i = 0; i < b->n; i++)
            score_one(&sc, i);
        smug_json_array_end(&j);
        smug_json_object_end(&j);
        rc = smug_strbuf_check(&sb, err);
    }
    if (rc == 0)
        rc = smug_fs_write_at(sc.out_fd, out_label, "report.json", sb.buf, sb.len, err);
    for (int i = 0; i < sc.n_names; i++)
        free(sc.names[i]);
    free(sc.names);
    smug_strbuf_free(&sb);
    if (sc.rd.fd >= 0)
        close(sc.rd.fd);
    if (sc.out_fd >= 0)
        close(sc.out_fd);
    return rc;
}
