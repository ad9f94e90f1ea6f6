/* bundle.c — emitting a bundle and reading it back (bundle.h, design §7).
 *
 * The manifest is the bundle's contract with the machines that solve it: everything a
 * result needs to become a mask again (variable names, grid rule, neurons, incumbent) is in
 * it, and the sha256 of the model and of each problem's rows lets solve/score refuse a
 * bundle whose parts no longer belong together.
 */
#define _DEFAULT_SOURCE /* realpath */
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
#include "smug/strategy.h"

const char *smug_bundle_id_for(const char *input, char *buf, size_t n)
{
    const char *base = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
    size_t len = strcspn(base, ".");
    if (len == 0)
        base = "input", len = 5;
    if (len >= n)
        len = n - 1;
    for (size_t i = 0; i < len; i++) {
        char c = base[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
        buf[i] = ok ? c : '_';
    }
    buf[len] = '\0';
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

static void problem_free(smug_bundle_problem *p)
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
}

void smug_bundle_free(smug_bundle *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++)
        problem_free(&b->problems[i]);
    free(b->problems);
    free(b->dir);
    free(b->smug_version);
    free(b->model_source);
    free(b);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* ---- emitting ---- */

typedef struct emitter {
    const smug_plan *plan;
    const smug_net *net;
    const char *dir;
    const smug_emit_options *o;
    char model_sha256[65];
    smug_bundle_problem *probs;
    int n, cap;
} emitter;

static void source_text(const emitter *em, const smug_bundle_problem *bp,
                        const smug_mask_problem *p, const char *query, char *buf, size_t n)
{
    const char *base = strrchr(bp->input, '/') ? strrchr(bp->input, '/') + 1 : bp->input;
    const char *model =
        strrchr(em->plan->model, '/') ? strrchr(em->plan->model, '/') + 1 : em->plan->model;
    snprintf(buf, n,
             "smug %s minimal-mask problem (SMUG, ICLR 2021).\n"
             "model %s sha256 %s\ninput %s, target class %d\n"
             "%d neurons (top-k by Integrated Gradients), gamma %g\n"
             "grid %dx%d cells of %dx%d pixels, variable m_<row>_<col> true = cell kept\n%s",
             SMUG_VERSION, model, em->model_sha256, base, bp->target, p->k, p->gamma, p->grid.rows,
             p->grid.cols, p->grid.win, p->grid.win, query);
    for (char *c = buf; *c; c++)
        if (*c == '|' || *c == '\\')
            *c = '_'; /* :source is a |quoted| symbol */
}

/* One problem file: header, body with facts, query. No (exit): the file ends with the
 * (check-sat) and (get-value …) (issue contract); solvers stop at end of input. */
static int write_problem(const emitter *em, const smug_bundle_problem *bp,
                         const smug_mask_result *m, const char *rel, int bound, int optimize,
                         int with_lower, const char *status, smug_error *err)
{
    const smug_mask_problem *p = m->problem;
    const smug_bounds *b = &m->bounds;
    char source[2048], query[128], path[4096];
    if (optimize)
        snprintf(query, sizeof query, "optimisation form: minimize size, size <= %d", bound);
    else
        snprintf(query, sizeof query, "decision form: size <= %d", bound);
    source_text(em, bp, p, query, source, sizeof source);
    uint8_t *zero = malloc(p->n > 0 ? (size_t)p->n : 1);
    if (!zero)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_smt_header(&sb, source, status);
    smug_smt_facts facts = {with_lower ? bp->lower : 0, b->useless, b->dom_from, b->dom_to,
                            b->n_dom};
    smug_smt_body(&sb, p, &facts);
    if (optimize) {
        smug_strbuf_addf(&sb, "(assert (<= size %d.0))\n", bound);
        smug_smt_optimize_query(&sb, p);
    } else {
        smug_bounds_fixings(b, p->n, bound, zero);
        smug_smt_decision_query(&sb, p, bound, zero, 0, NULL);
    }
    snprintf(path, sizeof path, "%s/%s", em->dir, rel);
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    smug_strbuf_free(&sb);
    free(zero);
    return rc;
}

static int rows_sha256(const smug_mask_problem *p, char out[65], smug_error *err)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_smt_facts none = {0, NULL, NULL, NULL, 0};
    smug_smt_body(&sb, p, &none);
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        smug_sha256_hex(sb.buf, sb.len, out);
    smug_strbuf_free(&sb);
    return rc;
}

static char *rel_path(const char *id, const char *suffix)
{
    size_t n = strlen(id) + strlen(suffix) + 16;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "problems/%s%s", id, suffix);
    return s;
}

/* --family: the optimum proved by the solver (or the bounds), the mask checked by a forward
 * pass before it is believed. */
static int prove_optimum(const emitter *em, const float *x, const smug_explanation *e,
                         smug_mask_result *m, smug_bundle_problem *bp, smug_error *err)
{
    const smug_params *pa = &em->plan->params;
    smug_solve_options so = {(smug_strategy)pa->strategy, pa->timeout, pa->mem_limit, "smug", 0};
    if (so.strategy == SMUG_STRATEGY_BASE)
        so.strategy = SMUG_STRATEGY_AUTO;
    if (smug_solve(m->problem, &m->bounds, em->o->solver, &so, &m->solve, err) < 0)
        return -1;
    if (smug_pipeline_finish(em->net, x, pa, e, em->o->solver->name, m, err) < 0)
        return -1;
    memcpy(m->bounds.incumbent, m->solve.mask, (size_t)m->problem->n);
    m->bounds.upper = m->solve.size;
    m->bounds.lower = m->solve.lower;
    m->bounds.incumbent_from = m->solve.incumbent_from;
    if (m->solve.status == SMUG_SOLVE_OPTIMAL) {
        bp->optimum = m->solve.size;
        bp->proved_by = strdup(m->solve.proved_by ? m->solve.proved_by : "solver");
    }
    return 0;
}

static int incumbent_cells(const smug_mask_result *m, smug_bundle_problem *bp, smug_error *err)
{
    const smug_mask_problem *p = m->problem;
    bp->upper = m->bounds.upper;
    bp->lower = m->bounds.lower;
    snprintf(bp->incumbent_from, sizeof bp->incumbent_from, "%s",
             m->bounds.incumbent_from ? m->bounds.incumbent_from : "greedy");
    bp->incumbent = malloc((size_t)(bp->upper > 0 ? bp->upper : 1) * sizeof(int));
    if (!bp->incumbent)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int c = 0;
    for (int i = 0; i < p->n; i++)
        if (m->bounds.incumbent[i])
            bp->incumbent[c++] = p->cell[i];
    return 0;
}

static int copy_explanation(const smug_explanation *e, smug_bundle_problem *bp, smug_error *err)
{
    bp->predicted = e->predicted;
    bp->target = e->target;
    bp->confidence = e->confidence;
    bp->k = e->n_neurons;
    size_t k = (size_t)(e->n_neurons > 0 ? e->n_neurons : 1);
    bp->neurons = malloc(k * sizeof(int));
    bp->ig = malloc(k * sizeof(float));
    bp->activation = malloc(k * sizeof(float));
    if (!bp->neurons || !bp->ig || !bp->activation)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < e->n_neurons; i++) {
        bp->neurons[i] = e->neurons[i];
        bp->ig[i] = e->ig_first[e->neurons[i]];
        bp->activation[i] = e->first_pre[e->neurons[i]];
    }
    return 0;
}

static int write_files(const emitter *em, smug_bundle_problem *bp, const smug_mask_result *m,
                       smug_error *err)
{
    int rc = 0;
    bp->bound = bp->upper > 0 ? bp->upper - 1 : 0;
    const char *status = bp->lower > bp->bound ? "unsat" : bp->upper == 0 ? "sat" : "unknown";
    if (em->o->decision) {
        bp->decision = rel_path(bp->id, ".smt2");
        rc = bp->decision ? write_problem(em, bp, m, bp->decision, bp->bound, 0, 1, status, err)
                          : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && em->o->optimize) {
        bp->optimize = rel_path(bp->id, ".opt.smt2");
        rc = bp->optimize ? write_problem(em, bp, m, bp->optimize, bp->upper, 1, 1, "sat", err)
                          : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && em->o->family && bp->optimum >= 0) {
        bp->family_sat = rel_path(bp->id, ".sat.smt2");
        bp->family_unsat = bp->optimum > 0 ? rel_path(bp->id, ".unsat.smt2") : NULL;
        if (!bp->family_sat || (bp->optimum > 0 && !bp->family_unsat))
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        rc = write_problem(em, bp, m, bp->family_sat, bp->optimum, 0, 0, "sat", err);
        if (rc == 0 && bp->family_unsat)
            rc = write_problem(em, bp, m, bp->family_unsat, bp->optimum - 1, 0, 0, "unsat", err);
    } else if (rc == 0 && em->o->family) {
        bp->family_sat = rel_path(bp->id, ".unknown.smt2"); /* not proved: :status unknown */
        rc = bp->family_sat
                 ? write_problem(em, bp, m, bp->family_sat, bp->bound, 0, 0, "unknown", err)
                 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    return rc;
}

static int unique_id(emitter *em, const char *input, smug_bundle_problem *bp, smug_error *err)
{
    char base[200], id[220];
    smug_bundle_id_for(input, base, sizeof base);
    snprintf(id, sizeof id, "%s", base);
    for (int suffix = 2;; suffix++) {
        int clash = 0;
        for (int i = 0; i < em->n && !clash; i++) /* bp itself has no id yet */
            clash = em->probs[i].id && strcmp(em->probs[i].id, id) == 0;
        if (!clash)
            break;
        snprintf(id, sizeof id, "%s-%d", base, suffix);
    }
    bp->id = strdup(id);
    bp->input = strdup(input);
    return bp->id && bp->input ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
}

static int emit_one(emitter *em, const char *input, smug_error *err)
{
    if (em->n == em->cap) {
        int cap = em->cap ? 2 * em->cap : 16;
        smug_bundle_problem *g = realloc(em->probs, (size_t)cap * sizeof *g);
        if (!g)
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        em->probs = g, em->cap = cap;
    }
    smug_bundle_problem *bp = &em->probs[em->n++];
    memset(bp, 0, sizeof *bp);
    bp->optimum = -1;
    const smug_params *pa = &em->plan->params;
    float *x = NULL;
    smug_explanation e;
    smug_mask_result m;
    memset(&e, 0, sizeof e);
    memset(&m, 0, sizeof m);
    char path[4096];
    int dims[SMUG_MAX_RANK + 1] = {1};
    for (int d = 0; d < em->net->input.rank; d++)
        dims[d + 1] = em->net->input.dims[d];
    int rc = unique_id(em, input, bp, err);
    if (rc == 0)
        rc = smug_input_load(input, &em->net->input, pa->pixel_min, pa->pixel_max, &x, err);
    if (rc == 0)
        rc = smug_pipeline_neurons(em->net, x, pa, &e, err);
    if (rc == 0)
        rc = smug_pipeline_problem(em->net, x, pa, e.neurons, e.n_neurons, &m, err);
    if (rc == 0 && em->o->family)
        rc = prove_optimum(em, x, &e, &m, bp, err);
    if (rc == 0)
        rc = copy_explanation(&e, bp, err);
    if (rc == 0)
        rc = incumbent_cells(&m, bp, err);
    if (rc == 0) {
        bp->n_vars = m.problem->n;
        bp->n_rows = m.problem->k;
        rc = rows_sha256(m.problem, bp->rows_sha256, err);
    }
    snprintf(path, sizeof path, "%s/inputs/%s.npy", em->dir, bp->id ? bp->id : "");
    if (rc == 0)
        rc = smug_npy_write(path, x, dims, em->net->input.rank + 1, err);
    if (rc == 0)
        rc = write_files(em, bp, &m, err);
    if (rc < 0)
        smug_error_prefix(err, "%s", input);
    smug_mask_result_free(&m);
    smug_explanation_free(&e);
    free(x);
    return rc;
}

static void manifest_problem(smug_json *j, const smug_bundle_problem *bp, const smug_net *net,
                             int window)
{
    int c, h, w;
    smug_shape_chw(&net->input, &c, &h, &w);
    smug_json_object_begin(j, NULL);
    smug_json_string(j, "id", bp->id);
    smug_json_string(j, "input", bp->input);
    char npy[512];
    snprintf(npy, sizeof npy, "inputs/%s.npy", bp->id);
    smug_json_string(j, "input_file", npy);
    smug_json_int(j, "predicted", bp->predicted);
    smug_json_int(j, "target", bp->target);
    smug_json_number(j, "confidence", bp->confidence);
    smug_json_array_begin(j, "neurons");
    for (int i = 0; i < bp->k; i++) {
        smug_json_object_begin(j, NULL);
        smug_json_int(j, "index", bp->neurons[i]);
        smug_json_number(j, "ig", bp->ig[i]);
        smug_json_number(j, "activation", bp->activation[i]);
        smug_json_object_end(j);
    }
    smug_json_array_end(j);
    smug_json_object_begin(j, "grid");
    smug_grid g;
    smug_error ignore = SMUG_ERROR_INIT;
    if (smug_grid_init(&g, &net->input, window, &ignore) < 0)
        memset(&g, 0, sizeof g);
    smug_json_int(j, "channels", c);
    smug_json_int(j, "height", h);
    smug_json_int(j, "width", w);
    smug_json_int(j, "window", window);
    smug_json_int(j, "rows", g.rows);
    smug_json_int(j, "cols", g.cols);
    smug_json_object_end(j);
    smug_json_int(j, "variables", bp->n_vars);
    smug_json_int(j, "constraints", bp->n_rows);
    smug_json_string(j, "rows_sha256", bp->rows_sha256);
    smug_json_object_begin(j, "incumbent");
    smug_json_int(j, "size", bp->upper);
    smug_json_string(j, "from", bp->incumbent_from);
    smug_json_ints(j, "cells", bp->incumbent, (size_t)bp->upper);
    smug_json_object_end(j);
    smug_json_int(j, "lower_bound", bp->lower);
    if (bp->optimum >= 0)
        smug_json_int(j, "optimum", bp->optimum);
    else
        smug_json_null(j, "optimum");
    if (bp->proved_by)
        smug_json_string(j, "proved_by", bp->proved_by);
    else
        smug_json_null(j, "proved_by");
    smug_json_object_begin(j, "files");
    if (bp->decision) {
        smug_json_string(j, "decision", bp->decision);
        smug_json_int(j, "decision_bound", bp->bound);
    }
    if (bp->optimize)
        smug_json_string(j, "optimize", bp->optimize);
    if (bp->family_sat && bp->optimum >= 0)
        smug_json_string(j, "family_sat", bp->family_sat);
    if (bp->family_unsat)
        smug_json_string(j, "family_unsat", bp->family_unsat);
    if (bp->family_sat && bp->optimum < 0)
        smug_json_string(j, "family_unknown", bp->family_sat);
    smug_json_object_end(j);
    smug_json_object_end(j);
}

static int write_manifest(const emitter *em, smug_error *err)
{
    smug_strbuf sb = SMUG_STRBUF_INIT, params = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &sb, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "smug", SMUG_VERSION);
    smug_json_int(&j, "format", SMUG_BUNDLE_FORMAT);
    smug_json_object_begin(&j, "model");
    smug_json_string(&j, "file", "model.onnx");
    smug_json_string(&j, "source", em->plan->model);
    smug_json_string(&j, "sha256", em->model_sha256);
    smug_json_object_end(&j);
    if (em->plan->config)
        smug_json_string(&j, "config", em->plan->config);
    else
        smug_json_null(&j, "config");
    smug_params_json(&em->plan->params, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_json_string(&j, "variables",
                     "m_<row>_<col> is grid cell (row, col), true = kept; the cell covers input "
                     "rows [row*window, min(height, (row+1)*window)) and columns "
                     "[col*window, min(width, (col+1)*window)) in every channel; size is the "
                     "number of kept cells");
    smug_json_string(&j, "results",
                     "results/<id>.<solver>.json from smug solve, or results/<file stem>."
                     "<solver>.out holding the raw stdout of a solver run on "
                     "problems/<file stem>.smt2");
    smug_json_array_begin(&j, "problems");
    for (int i = 0; i < em->n; i++)
        manifest_problem(&j, &em->probs[i], em->net, em->plan->params.window);
    smug_json_array_end(&j);
    smug_json_object_end(&j);
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", em->dir);
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    smug_strbuf_free(&sb);
    smug_strbuf_free(&params);
    return rc;
}

static int write_slurm(const emitter *em, smug_error *err)
{
    char abs[4096], path[4096];
    if (!realpath(em->dir, abs))
        snprintf(abs, sizeof abs, "%s", em->dir);
    int n = em->o->slurm_tasks;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_addf(&sb,
                     "#!/bin/bash\n"
                     "# Solves this bundle as a Slurm job array of %d tasks, one shard each:\n"
                     "#   sbatch %s/solve.slurm           (SOLVER=cvc5 sbatch … for cvc5)\n"
                     "# Shards are disjoint and a rerun skips finished problems, so a failed\n"
                     "# task can simply be resubmitted. Then: smug score %s\n"
                     "#SBATCH --job-name=smug-solve\n"
                     "#SBATCH --array=0-%d\n"
                     "#SBATCH --cpus-per-task=1\n"
                     "#SBATCH --output=%s/results/slurm-%%A_%%a.log\n"
                     "set -euo pipefail\n"
                     "BUNDLE=${BUNDLE:-%s}\n"
                     "exec smug solve \"$BUNDLE\" --solver \"${SOLVER:-%s}\" "
                     "--shard \"$SLURM_ARRAY_TASK_ID/%d\" --timeout \"${TIMEOUT:-%g}\"\n",
                     n, abs, abs, n - 1, abs, abs, em->plan->params.solver, n,
                     em->plan->params.timeout);
    snprintf(path, sizeof path, "%s/solve.slurm", em->dir);
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    smug_strbuf_free(&sb);
    return rc;
}

static int prepare_dir(const emitter *em, smug_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", em->dir);
    if (smug_fs_exists(path))
        return smug_fail(err, SMUG_ERR_USAGE,
                         "%s already exists: emit into a new folder (a bundle is never "
                         "overwritten, its results would no longer match)",
                         path);
    const char *sub[] = {"", "/inputs", "/problems", "/results"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s%s", em->dir, sub[i]);
        if (smug_fs_mkdirs(path, err) < 0)
            return -1;
    }
    snprintf(path, sizeof path, "%s/model.onnx", em->dir);
    return smug_fs_copy(em->plan->model, path, err);
}

int smug_bundle_emit(const smug_plan *plan, const smug_net *net, const char *dir,
                     const smug_emit_options *o, smug_error *err)
{
    emitter em = {plan, net, dir, o, {0}, NULL, 0, 0};
    char **paths = NULL;
    int n = 0, rc = 0;
    for (int g = 0; rc == 0 && g < plan->n_inputs; g++) {
        char **more;
        int m;
        rc = smug_input_expand(plan->inputs[g], &more, &m, err);
        char **all = rc == 0 ? realloc(paths, (size_t)(n + m) * sizeof *all) : NULL;
        if (rc == 0 && !all) {
            smug_input_paths_free(more, m);
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        } else if (rc == 0) {
            memcpy(all + n, more, (size_t)m * sizeof *more);
            free(more);
            paths = all, n += m;
        }
    }
    if (rc == 0)
        rc = smug_fs_sha256(plan->model, em.model_sha256, err);
    if (rc == 0)
        rc = prepare_dir(&em, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (o->progress)
            fprintf(stderr, "\r[%d/%d] emitting %s\033[K", i + 1, n, paths[i]);
        rc = emit_one(&em, paths[i], err);
    }
    if (o->progress)
        fprintf(stderr, "\r\033[K");
    if (rc == 0 && o->slurm_tasks > 0)
        rc = write_slurm(&em, err);
    if (rc == 0)
        rc = write_manifest(&em, err); /* last: a bundle without it is visibly unfinished */
    for (int i = 0; i < em.n; i++)
        problem_free(&em.probs[i]);
    free(em.probs);
    smug_input_paths_free(paths, n);
    return rc;
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
    if (strlen(id) == 0 || strcspn(id, "./") != strlen(id))
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: id '%s' must be non-empty, without '.' or '/'",
                         where, id);
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

static int read_params(const smug_jval *root, const char *mpath, smug_params *p, smug_error *err)
{
    smug_params_defaults(p);
    const smug_jval *jp = smug_jval_get(root, "params");
    const char *names[64];
    int n = smug_params_names(names, 64);
    for (int i = 0; i < n && i < 64; i++) {
        const smug_jval *v = smug_jval_get(jp, names[i]);
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
    b->n = (int)smug_jval_len(probs);
    b->problems = calloc((size_t)(b->n > 0 ? b->n : 1), sizeof *b->problems);
    if (!b->smug_version || !b->model_source || !b->problems)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
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

int smug_bundle_load(const char *dir, smug_bundle **out, smug_error *err)
{
    char mpath[4096];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    smug_jval *root = NULL;
    smug_bundle *b = calloc(1, sizeof *b);
    if (!b)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int rc = smug_fs_exists(mpath)
                 ? 0
                 : smug_fail(err, SMUG_ERR_IO,
                             "%s: no manifest.json: not a bundle (make one with smug emit)", dir);
    if (rc == 0)
        rc = smug_jval_load(mpath, &root, err);
    if (rc == 0)
        rc = read_manifest(root, mpath, b, err);
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

int smug_bundle_net(const smug_bundle *b, smug_net **out, smug_error *err)
{
    char path[4096], sha[65];
    snprintf(path, sizeof path, "%s/model.onnx", b->dir);
    if (smug_fs_sha256(path, sha, err) < 0)
        return -1;
    if (strcmp(sha, b->model_sha256) != 0)
        return smug_fail(err, SMUG_ERR_FORMAT,
                         "%s: sha256 %s differs from the manifest's %s: the bundle's model was "
                         "changed",
                         path, sha, b->model_sha256);
    return smug_onnx_load(path, out, err);
}

/* The manifest's incumbent over the problem's variables, when it is a valid mask. */
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
    if (bp->lower > m->bounds.lower && bp->lower <= m->bounds.upper)
        m->bounds.lower = bp->lower;
    free(mask);
}

int smug_bundle_rebuild(const smug_bundle *b, const smug_net *net, int i, int search_incumbent,
                        float **out_x, smug_mask_result *out, smug_error *err)
{
    const smug_bundle_problem *bp = &b->problems[i];
    char path[4096], sha[65];
    memset(out, 0, sizeof *out);
    *out_x = NULL;
    snprintf(path, sizeof path, "%s/inputs/%s.npy", b->dir, bp->id);
    if (smug_input_load(path, &net->input, 0.0, 1.0, out_x, err) < 0)
        return -1;
    if (search_incumbent
            ? smug_pipeline_problem(net, *out_x, &b->params, bp->neurons, bp->k, out, err) < 0
            : smug_encode(net, *out_x, bp->neurons, bp->k, b->params.gamma, b->params.window,
                          &out->problem, err) < 0 ||
                  smug_bounds_compute(out->problem, &out->bounds, err) < 0)
        return -1;
    if (rows_sha256(out->problem, sha, err) < 0)
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
