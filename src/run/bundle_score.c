/* bundle_score.c — results and raw solver outputs back into explanations (bundle_score.h).
 *
 * Per problem: rebuild it from the bundle, merge what its result files prove
 * (bundle_sources.c: masks checked exactly, lower bounds only with a checked proof), then
 * the forward pass, the pictures, the proof file and the report entry.
 */
#include "smug/bundle_score.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/artifacts.h"
#include "smug/bundle_sources.h"
#include "smug/fsutil.h"
#include "smug/json.h"
#include "smug/report.h"
#include "smug/strategy.h"

/* BUNDLE/results, open: every source is read through it, never through a link. */
typedef struct results_dir {
    int fd; /* -1: the bundle has no results/ */
    char where[4200];
} results_dir;

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

static void merge_sources(smug_merged *g, const smug_bundle *b, int i, const results_dir *rd,
                          char **names, int n_names)
{
    const smug_bundle_problem *bp = &b->problems[i];
    for (int f = 0; f < n_names && !g->error[0]; f++) {
        char form[32], solver[64];
        int is_json;
        if (parse_name(names[f], bp->id, form, solver, &is_json) < 0)
            continue;
        if (is_json)
            smug_sources_read_json(g, bp, b, rd->fd, names[f], solver);
        else
            smug_sources_read_raw(g, bp, b, rd->fd, names[f], form, solver);
    }
    if (!g->error[0] && g->lower > g->size &&
        snprintf(g->error, sizeof g->error,
                 "results conflict: %s proves no mask smaller than %d, but %s has one of size %d",
                 g->lower_from, g->lower, g->size_from, g->size) >= (int)sizeof g->error)
        g->error[sizeof g->error - 2] = '.'; /* truncated, still non-empty */
}

/* The merged result as the solve result of m; the best proof moves into it. */
static void fill_solve(smug_merged *g, smug_mask_result *m)
{
    smug_solve_result *s = &m->solve;
    memcpy(s->mask, g->best, (size_t)m->problem->n);
    s->size = g->size;
    s->lower = g->lower;
    s->status = g->lower >= g->size ? SMUG_SOLVE_OPTIMAL : SMUG_SOLVE_FEASIBLE;
    s->proof = g->proof;
    memset(&g->proof, 0, sizeof g->proof);
    s->proved_by = NULL;
    if (s->status == SMUG_SOLVE_OPTIMAL) {
        s->proved_by = smug_proof_proved_by(&s->proof, s->proved_by_buf, sizeof s->proved_by_buf);
        if (!s->proved_by) /* size 0: nothing to refute */
            s->proved_by = strcpy(s->proved_by_buf, "certificate");
    }
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
    const smug_score_options *o;
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
    smug_merged g;
    memset(&g, 0, sizeof g);
    memset(&e, 0, sizeof e);
    smug_artifact_paths *ap = malloc(sizeof *ap);
    int rc = ap ? smug_bundle_rebuild(sc->b, sc->net, i, 0, &x, &m, &err)
                : smug_fail(&err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_bundle_explanation(sc->b, sc->net, i, &e, &err);
    if (rc == 0) {
        m.solve.mask = malloc(m.problem->n > 0 ? (size_t)m.problem->n : 1);
        rc = m.solve.mask ? smug_merged_init(&g, m.problem, &m.bounds, sc->o, &err)
                          : smug_fail(&err, SMUG_ERR_NOMEM, "oom");
    }
    if (rc == 0) {
        merge_sources(&g, sc->b, i, &sc->rd, sc->names, sc->n_names);
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
    char source[256];
    snprintf(source, sizeof source, "smug %s score of bundle problem %s: proof of lower bound %d",
             SMUG_VERSION, bp->id, m.solve.lower);
    if (rc == 0)
        rc = smug_artifacts_write_proof(&m, source, dir,
                                        (size_t)(sc->b->params.proof_max_mb * 1048576.0), ap, &err);
    smug_report_paths rp = {ap ? ap->saliency : NULL,
                            ap ? ap->overlay : NULL,
                            ap ? ap->mask : NULL,
                            ap ? ap->mask_npy : NULL,
                            ap && rc == 0 && ap->proof[0] ? ap->proof : NULL,
                            ap && rc == 0 ? ap->proof_omitted : 0};
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
    smug_merged_clear(&g);
    free(ap), free(x);
    smug_explanation_clear(&e);
    smug_mask_result_clear(&m);
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

int smug_bundle_score(const smug_bundle *b, const smug_net *net, const smug_score_options *o,
                      const char *out_dir, smug_bundle_score_stats *st, smug_error *err)
{
    memset(st, 0, sizeof *st);
    char out_label[4096];
    scorer sc = {b, net, o, out_label, -1, {-1, ""}, NULL, 0, NULL, st};
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
        smug_strbuf_clear(&params);
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
    smug_strbuf_clear(&sb);
    if (sc.rd.fd >= 0)
        close(sc.rd.fd);
    if (sc.out_fd >= 0)
        close(sc.out_fd);
    return rc;
}
