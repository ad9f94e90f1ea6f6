/* cmd_run.c — `smug run`: the whole job for each input of a config or of the flags:
 * neurons, mask problem, solver, verification, saliency, pictures and report.json.
 *
 * Inputs are explained one after another; a failure of one input's mask stages is written
 * into the report as status "error" and the run goes on, then exits 1. Bad files and a
 * solver that is not installed stop the run at once with one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "smug/artifacts.h"
#include "smug/config.h"
#include "smug/fsutil.h"
#include "smug/image.h"
#include "smug/input.h"
#include "smug/json.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"
#include "smug/report.h"
#include "smug/score.h"

typedef struct run_ctx {
    const smug_net *net;
    const smug_plan *plan;
    const smug_solver *solver;
    smug_json *json;
    int failures;
    int tty;
} run_ctx;

static void print_line(const char *input, const smug_explanation *e, const smug_mask_result *m,
                       const char *error)
{
    printf("%s: predicted %d (p = %.3f)", input, e->predicted, (double)e->confidence);
    if (error) {
        printf("; error: %s\n", error);
        return;
    }
    const smug_solve_result *s = &m->solve;
    printf("; mask %d of %d cells, %s", s->size, m->problem->n, smug_solve_status_name(s->status));
    if (s->proved_by)
        printf(" (proved by %s)", s->proved_by);
    else
        printf(" (lower bound %d)", s->lower);
    printf(", %s, %.2f s\n", m->verdict.ok ? "verified" : "NOT verified",
           e->seconds_ig + m->seconds_encode + m->seconds_solve + m->seconds_verify);
    if (s->note[0])
        printf("  note: %s\n", s->note);
}

/* One input: returns -1 only for failures that must stop the whole run. */
static int run_one(run_ctx *c, const char *input, smug_error *err)
{
    const smug_params *p = &c->plan->params;
    double t0 = smug_now();
    float *x;
    if (smug_input_load(input, &c->net->input, p->pixel_min, p->pixel_max, &x, err) < 0)
        return -1;
    smug_explanation e;
    smug_mask_result m;
    memset(&m, 0, sizeof m);
    int rc = smug_pipeline_neurons(c->net, x, p, &e, err);
    if (rc == 0) {
        smug_error merr = SMUG_ERROR_INIT;
        char dir[2048];
        smug_artifact_paths *ap = malloc(sizeof *ap);
        if (!ap) {
            smug_explanation_free(&e), free(x);
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        }
        smug_report_paths rp = {ap->saliency, ap->overlay, ap->mask, ap->mask_npy};
        smug_artifacts_dir(c->plan->out_dir, input, dir, sizeof dir);
        int failed = smug_pipeline_mask(c->net, x, p, &e, c->solver, &m, &merr) < 0 ||
                     smug_artifacts_write(c->net, p, x, &m, dir, ap, &merr) < 0;
        if (failed && (merr.code == SMUG_ERR_USAGE || merr.code == SMUG_ERR_UNSUPPORTED)) {
            *err = merr; /* a setting no input can satisfy: stop here, once */
            smug_mask_result_free(&m), smug_explanation_free(&e), free(x), free(ap);
            return -1;
        }
        c->failures += failed;
        if (c->tty)
            fprintf(stderr, "\r\033[K");
        print_line(input, &e, &m, failed ? merr.msg : NULL);
        smug_report_input(c->json, input, &e, failed ? NULL : &m, c->solver->name, p,
                          failed ? NULL : &rp, failed ? merr.msg : NULL, smug_now() - t0, NULL);
        free(ap);
    } else {
        smug_error_prefix(err, "%s", input);
    }
    smug_mask_result_free(&m);
    smug_explanation_free(&e);
    free(x);
    return rc;
}

static int collect_inputs(const smug_plan *plan, char ***out, int *n, smug_error *err)
{
    *out = NULL;
    *n = 0;
    for (int g = 0; g < plan->n_inputs; g++) {
        char **more;
        int m;
        if (smug_input_expand(plan->inputs[g], &more, &m, err) < 0)
            return -1;
        char **all = realloc(*out, (size_t)(*n + m) * sizeof *all);
        if (!all) {
            smug_input_paths_free(more, m);
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        }
        memcpy(all + *n, more, (size_t)m * sizeof *more);
        free(more);
        *out = all;
        *n += m;
    }
    return 0;
}

static int explain_inputs(run_ctx *c, smug_strbuf *sb, smug_error *err)
{
    char **paths = NULL;
    int n = 0, rc = collect_inputs(c->plan, &paths, &n, err);
    smug_json j;
    smug_json_init(&j, sb, 1);
    c->json = &j;
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "smug", SMUG_VERSION);
    smug_json_string(&j, "model", c->plan->model);
    smug_strbuf params = SMUG_STRBUF_INIT;
    smug_params_json(&c->plan->params, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_strbuf_free(&params);
    smug_json_array_begin(&j, "inputs");
    for (int i = 0; rc == 0 && i < n; i++) {
        if (c->tty && n > 1)
            fprintf(stderr, "\r[%d/%d] %s\033[K", i + 1, n, paths[i]);
        rc = run_one(c, paths[i], err);
    }
    smug_json_array_end(&j);
    smug_json_object_end(&j);
    smug_input_paths_free(paths, n);
    return rc;
}

static int run_run(const cli_args *a, smug_error *err)
{
    smug_plan plan;
    smug_net *net = NULL;
    smug_solvers *reg = NULL;
    const smug_solver *solver = NULL;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    int rc = cli_make_plan(a, &plan, "smug-out", err);
    if (rc == 0)
        rc = smug_solvers_load(NULL, &reg, err);
    if (rc == 0)
        rc = smug_solvers_get(reg, plan.params.solver, &solver, err);
    if (rc == 0 && solver->format != SMUG_SOLVER_SMTLIB2)
        rc = smug_fail(err, SMUG_ERR_USAGE,
                       "solver %s reads LP files; smug run needs an SMT solver", solver->name);
    if (rc == 0 && !smug_solver_installed(solver, NULL, 0))
        rc = smug_fail(err, SMUG_ERR_SOLVER, "solver %s: '%s' is not installed (see %s)",
                       solver->name, solver->executable, solver->path);
    if (rc == 0)
        rc = smug_onnx_load(plan.model, &net, err);
    if (rc == 0) /* window 0 ("auto") becomes the model's own, so report.json names it */
        plan.params.window = smug_net_window(net, plan.params.window);
    run_ctx c = {net, &plan, solver, NULL, 0, isatty(STDERR_FILENO)};
    if (rc == 0)
        rc = explain_inputs(&c, &sb, err);
    char path[4096];
    snprintf(path, sizeof path, "%s/report.json", plan.out_dir ? plan.out_dir : ".");
    if (rc == 0)
        rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_mkdirs(plan.out_dir, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    if (rc == 0)
        printf("wrote %s\n", path);
    if (rc == 0 && c.failures)
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%d input(s) failed; see %s", c.failures, path);
    smug_strbuf_free(&sb);
    smug_net_free(net);
    smug_solvers_free(reg);
    smug_plan_free(&plan);
    return rc;
}

const cli_command cli_cmd_run = {
    .name = "run",
    .summary = "explain inputs with a minimal mask: IG, SMT solver, verified saliency maps",
    .usage = "[--config F] [--model M.onnx] [--input P]... [--out DIR] [method parameters]",
    .description =
        "For each input: Integrated Gradients of the target class w.r.t. the first-layer\n"
        "neurons, the top-k neurons, the smallest mask of cells that keeps each of them above\n"
        "gamma times its value (found by the SMT solver, checked by a forward pass), and its\n"
        "saliency map. Writes DIR/report.json and, per input, DIR/<name>/saliency.png,\n"
        "overlay.png, mask.png and mask.npy. With no arguments it runs the bundled default\n"
        "model and image. Precedence: defaults < config < flags.",
    .opts = {{"config", "F", 0, "YAML run config (configs/README.md documents every key)"},
             {"model", "M.onnx", 0, "ONNX model (default: the bundled Fashion-MNIST dense net)"},
             {"input", "P", 1, "a PNG/.npy file, or a folder of them (default: a bundled image)"},
             {"out", "DIR", 0, "output folder (default smug-out)"},
             {0}},
    .takes_params = 1,
    .max_positional = 0,
    .run = run_run,
};
