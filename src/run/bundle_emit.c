/* bundle_emit.c — `smug emit`: a plan's inputs into a bundle (bundle_emit.h, design §7).
 *
 * Everything goes into the bundle before the manifest, which is written last: a folder
 * without one is visibly unfinished. Nothing in it is time-dependent except the :source
 * date, which the caller passes in, so the same config and date emit the same bytes. Two
 * kinds of file (design §3): what smug would send its own solvers (decision and z3
 * objective forms, with (get-value …)) and, with --family, benchmark files in SMT-COMP's
 * form. The harness files (instances.csv, BenchExec, solvers.sh) come from harness.c.
 */
#include "smug/bundle_emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/bounds.h"
#include "smug/fsutil.h"
#include "smug/harness.h"
#include "smug/input.h"
#include "smug/json.h"
#include "smug/smtlib.h"
#include "smug/strategy.h"

typedef struct emitter {
    const smug_plan *plan;
    const smug_net *net;
    const char *dir;
    const smug_emit_options *o;
    char model_sha256[65];
    char targets[256]; /* the SMT-LIB solvers of the registry: "Target solver" */
    smug_bundle_problem *probs;
    int n, cap;
} emitter;

static const char *basename_of(const char *path)
{
    return strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
}

/* The structured :source (SMT-LIB's submission rules), then what the file is about. */
static void source_text(const emitter *em, const smug_bundle_problem *bp,
                        const smug_mask_problem *p, const char *query, int z3_only,
                        smug_strbuf *out)
{
    char details[1600], generator[64];
    snprintf(generator, sizeof generator, "smug %s (smug emit)", SMUG_VERSION);
    snprintf(details, sizeof details,
             "Minimal-mask problem of the SMUG method: the fewest input cells that keep the\n"
             "chosen first-layer neurons of a classifier above gamma times their activation.\n"
             "model %s sha256 %s\ninput %s, target class %d\n"
             "%d neurons (top-k by Integrated Gradients), gamma %g\n"
             "grid %dx%d cells of %dx%d pixels, variable m_<row>_<col> true = cell kept\n"
             "encoding %s\n%s",
             basename_of(em->plan->model), em->model_sha256, basename_of(bp->input), bp->target,
             p->k, p->gamma, p->grid.rows, p->grid.cols, p->grid.win, p->grid.win,
             em->plan->params.encoding == 0 ? "raw (rows and bound only)"
                                            : "assisted (with smug's facts)",
             query);
    for (char *c = details; *c; c++)
        if (*c == '|' || *c == '\\')
            *c = '_'; /* :source is a |quoted| symbol */
    smug_smt_source src = {
        "the smug developers",
        em->o->generated_on,
        generator,
        "explaining a neural network's prediction by a minimal input mask",
        z3_only ? "z3" : em->targets,
        "S. S. Sahoo, S. Venugopalan, L. Li, R. Singh, P. Riley: Scaling Symbolic Methods "
        "using Gradients for Neural Model Explanation, ICLR 2021",
        details};
    smug_smt_source_text(out, &src);
}

/* One problem file: header, then smug_bundle_problem_text (bundle.h: the body with facts
 * unless the encoding is raw, the query, (exit)), the text score checks solver outputs
 * against. Decision files end with (get-value …) for smug's readers; benchmark files carry
 * no output command and no lower bound (it would decide the unsat file alone); objective
 * files are z3's, over masks below the incumbent `bound`, with no :status. */
static int write_problem(const emitter *em, const smug_bundle_problem *bp,
                         const smug_mask_result *m, const char *rel, int bound, smug_form form,
                         const char *status, smug_error *err)
{
    const smug_mask_problem *p = m->problem;
    int assisted = em->plan->params.encoding == 1;
    char query[160], path[4096];
    if (form == SMUG_FORM_OBJECTIVE)
        snprintf(query, sizeof query,
                 "z3 objective form: minimize size over masks smaller than the incumbent (%d "
                 "cells); unsat = the incumbent is optimal",
                 bound);
    else
        snprintf(query, sizeof query, "decision: is there a mask of at most %d cells?", bound);
    smug_strbuf sb = SMUG_STRBUF_INIT, source = SMUG_STRBUF_INIT;
    source_text(em, bp, p, query, form == SMUG_FORM_OBJECTIVE, &source);
    smug_smt_header(&sb, source.buf ? source.buf : "smug",
                    form == SMUG_FORM_OBJECTIVE ? NULL : status);
    int rc = smug_strbuf_check(&source, err);
    if (rc == 0)
        rc = smug_bundle_problem_text(p, &m->bounds, bp->lower,
                                      form == SMUG_FORM_OBJECTIVE ? bound - 1 : bound, form,
                                      assisted, &sb, err);
    snprintf(path, sizeof path, "%s/%s", em->dir, rel);
    if (rc == 0)
        rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    smug_strbuf_clear(&sb);
    smug_strbuf_clear(&source);
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
    smug_solve_options so = {(smug_strategy)pa->strategy,
                             pa->timeout,
                             pa->mem_limit,
                             "smug",
                             0,
                             NULL,
                             0,
                             pa->lp_share,
                             0.0};
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

/* problems/<id>.b<bound>.smt2: the file name says the question, not its answer (the
 * manifest and instances.csv hold the status). */
static char *family_path(const char *id, int bound)
{
    char suffix[32];
    snprintf(suffix, sizeof suffix, ".b%d.smt2", bound);
    return rel_path(id, suffix);
}

static int write_files(const emitter *em, smug_bundle_problem *bp, const smug_mask_result *m,
                       smug_error *err)
{
    int rc = 0;
    bp->bound = bp->upper > 0 ? bp->upper - 1 : 0;
    const char *status = bp->lower > bp->bound ? "unsat" : bp->upper == 0 ? "sat" : "unknown";
    if (em->o->decision) {
        bp->decision = rel_path(bp->id, ".smt2");
        rc = bp->decision ? write_problem(em, bp, m, bp->decision, bp->bound, SMUG_FORM_DECISION,
                                          status, err)
                          : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && em->o->optimize) {
        bp->optimize = rel_path(bp->id, ".opt.smt2");
        rc = bp->optimize
                 ? write_problem(em, bp, m, bp->optimize, bp->upper, SMUG_FORM_OBJECTIVE, NULL, err)
                 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && em->o->family && bp->optimum >= 0) {
        bp->family_sat = family_path(bp->id, bp->optimum);
        bp->family_unsat = bp->optimum > 0 ? family_path(bp->id, bp->optimum - 1) : NULL;
        if (!bp->family_sat || (bp->optimum > 0 && !bp->family_unsat))
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        rc = write_problem(em, bp, m, bp->family_sat, bp->optimum, SMUG_FORM_BENCHMARK, "sat", err);
        if (rc == 0 && bp->family_unsat)
            rc = write_problem(em, bp, m, bp->family_unsat, bp->optimum - 1, SMUG_FORM_BENCHMARK,
                               "unsat", err);
    } else if (rc == 0 && em->o->family) {
        bp->family_unknown = family_path(bp->id, bp->bound); /* not proved: :status unknown */
        rc = bp->family_unknown ? write_problem(em, bp, m, bp->family_unknown, bp->bound,
                                                SMUG_FORM_BENCHMARK, "unknown", err)
                                : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    return rc;
}

/* The earlier problem with the same rows (the .npy and the .png of one image): its files
 * would be the same benchmark twice. */
static const char *twin_of(const emitter *em, const smug_bundle_problem *bp)
{
    for (int i = 0; i < em->n; i++)
        if (&em->probs[i] != bp && !em->probs[i].twin_of && em->probs[i].id &&
            strcmp(em->probs[i].rows_sha256, bp->rows_sha256) == 0)
            return em->probs[i].id;
    return NULL;
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
        rc = smug_pipeline_problem(em->net, x, pa, e.neurons, e.n_neurons, 0.0, &m, err);
    if (rc == 0) {
        bp->n_vars = m.problem->n;
        bp->n_rows = m.problem->k;
        rc = smug_bundle_rows_sha256(m.problem, bp->rows_sha256, err);
    }
    const char *twin = rc == 0 ? twin_of(em, bp) : NULL;
    if (twin && !(bp->twin_of = strdup(twin)))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0 && em->o->family && !twin)
        rc = prove_optimum(em, x, &e, &m, bp, err);
    if (rc == 0)
        rc = copy_explanation(&e, bp, err);
    if (rc == 0)
        rc = incumbent_cells(&m, bp, err);
    snprintf(path, sizeof path, "%s/inputs/%s.npy", em->dir, bp->id ? bp->id : "");
    if (rc == 0)
        rc = smug_npy_write(path, x, dims, em->net->input.rank + 1, err);
    if (rc == 0 && !twin)
        rc = write_files(em, bp, &m, err);
    if (rc < 0 && x) /* the loader's own errors already name the file */
        smug_error_prefix(err, "%s", input);
    smug_mask_result_clear(&m);
    smug_explanation_clear(&e);
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
    if (bp->family_sat)
        smug_json_string(j, "family_sat", bp->family_sat);
    if (bp->family_unsat)
        smug_json_string(j, "family_unsat", bp->family_unsat);
    if (bp->family_unknown)
        smug_json_string(j, "family_unknown", bp->family_unknown);
    smug_json_object_end(j);
    if (bp->twin_of)
        smug_json_string(j, "twin_of", bp->twin_of);
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
    smug_strbuf_clear(&sb);
    smug_strbuf_clear(&params);
    return rc;
}

/* solve.slurm names no path: Slurm runs a copy of the script from its spool directory, so
 * the bundle is the directory the job was submitted from, and the bundle can be moved. */
static int write_slurm(const emitter *em, smug_error *err)
{
    char path[4096];
    int n = em->o->slurm_tasks;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_addf(&sb,
                     "#!/bin/bash\n"
                     "# solve.slurm — smug solve on this bundle as a Slurm job array of %d tasks,\n"
                     "# one shard each. Submit from the bundle folder (it can live anywhere):\n"
                     "#   cd BUNDLE && sbatch solve.slurm     (SOLVER=cvc5 sbatch … for cvc5;\n"
                     "#   SMUG=/path/to/smug if smug is not on the nodes' PATH)\n"
                     "# Shards are disjoint and a rerun skips finished problems, so a failed\n"
                     "# task can simply be resubmitted. Then: smug score BUNDLE\n"
                     "# (Nodes without smug: run.slurm, or solvers.sh, runs the solvers alone.)\n"
                     "#SBATCH --job-name=smug-solve\n"
                     "#SBATCH --array=0-%d\n"
                     "#SBATCH --cpus-per-task=1\n"
                     "#SBATCH --output=results/slurm-%%A_%%a.log\n"
                     "set -euo pipefail\n"
                     "exec \"${SMUG:-smug}\" solve \"${BUNDLE:-$PWD}\" --solver \"${SOLVER:-%s}\" "
                     "--shard \"$SLURM_ARRAY_TASK_ID/%d\" --timeout \"${TIMEOUT:-%g}\"\n",
                     n, n - 1, em->plan->params.solver, n, em->plan->params.timeout);
    snprintf(path, sizeof path, "%s/solve.slurm", em->dir);
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    smug_strbuf_clear(&sb);
    return rc;
}

/* instances.csv, BenchExec files and run.slurm over the benchmark files (--family), and
 * solvers.sh for every bundle: the bundle alone then runs on a machine without smug. The
 * statuses are smug's claims (the manifest's proved_by says whose); `smug family` is where
 * two solvers confirm them. */
static int write_harness(const emitter *em, smug_error *err)
{
    const smug_params *pa = &em->plan->params;
    int rc = smug_harness_write_solvers(em->dir, em->o->registry, pa->mem_limit, err);
    if (rc < 0 || !em->o->family)
        return rc;
    smug_harness_task *t = malloc((size_t)(2 * em->n + 1) * sizeof *t);
    if (!t)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int n = 0;
    for (int i = 0; i < em->n; i++) {
        const smug_bundle_problem *bp = &em->probs[i];
        if (bp->family_sat)
            t[n++] = (smug_harness_task){bp->family_sat, "sat"};
        if (bp->family_unsat)
            t[n++] = (smug_harness_task){bp->family_unsat, "unsat"};
        if (bp->family_unknown)
            t[n++] = (smug_harness_task){bp->family_unknown, "unknown"};
    }
    rc = smug_harness_write_tasks(em->dir, t, n, pa->timeout, pa->mem_limit, err);
    free(t);
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
    emitter em = {plan, net, dir, o, {0}, {0}, NULL, 0, 0};
    for (int i = 0; o->registry && i < o->registry->n; i++)
        if (o->registry->solvers[i].format == SMUG_SOLVER_SMTLIB2) {
            size_t len = strlen(em.targets);
            snprintf(em.targets + len, sizeof em.targets - len, "%s%s", len ? ", " : "",
                     o->registry->solvers[i].name);
        }
    char **paths = NULL;
    int n = 0, rc = smug_input_expand_all((const char *const *)plan->inputs, plan->n_inputs, 0,
                                          &paths, &n, err);
    if (rc == 0)
        rc = smug_fs_sha256(plan->model, em.model_sha256, err);
    if (rc == 0)
        rc = prepare_dir(&em, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (o->progress)
            o->progress(o->progress_user, i, n, paths[i]);
        rc = emit_one(&em, paths[i], err);
    }
    if (o->progress)
        o->progress(o->progress_user, n, n, NULL);
    if (rc == 0 && o->slurm_tasks > 0)
        rc = write_slurm(&em, err);
    if (rc == 0)
        rc = write_harness(&em, err);
    if (rc == 0)
        rc = write_manifest(&em, err); /* last: a bundle without it is visibly unfinished */
    for (int i = 0; i < em.n; i++)
        smug_bundle_problem_clear(&em.probs[i]);
    free(em.probs);
    smug_input_paths_free(paths, n);
    return rc;
}
