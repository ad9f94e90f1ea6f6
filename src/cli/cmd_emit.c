/* cmd_emit.c — `smug emit`: the mask problems of a config's inputs as a bundle of SMT-LIB
 * files, with no solving (unless --family asks for proved optima). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "smug/bundle_emit.h"
#include "smug/config.h"
#include "smug/onnx.h"

static int parse_form(const char *form, smug_emit_options *o, smug_error *err)
{
    if (!form || strcmp(form, "both") == 0)
        o->decision = o->optimize = 1;
    else if (strcmp(form, "decision") == 0)
        o->decision = 1;
    else if (strcmp(form, "optimize") == 0)
        o->optimize = 1;
    else
        return smug_fail(err, SMUG_ERR_USAGE,
                         "--form: expected decision, optimize or both: got '%s'", form);
    return 0;
}

static int parse_slurm(const char *text, int *out, smug_error *err)
{
    char *end;
    long n = text ? strtol(text, &end, 10) : 0;
    if (text && (*end || n < 1 || n > 100000))
        return smug_fail(err, SMUG_ERR_USAGE,
                         "--slurm: expected a task count in [1, 100000]: "
                         "got '%s'",
                         text);
    *out = (int)n;
    return 0;
}

static int run_emit(const cli_args *a, smug_error *err)
{
    smug_emit_options o = {0};
    smug_plan plan;
    smug_net *net = NULL;
    smug_solvers *reg = NULL;
    const char *out = cli_get(a, "out");
    if (!out)
        return smug_fail(err, SMUG_ERR_USAGE, "emit needs --out BUNDLE (a new folder)");
    if (parse_form(cli_get(a, "form"), &o, err) < 0 ||
        parse_slurm(cli_get(a, "slurm"), &o.slurm_tasks, err) < 0)
        return -1;
    o.family = cli_get(a, "family") != NULL;
    o.progress = isatty(STDERR_FILENO);
    int rc = cli_make_plan(a, &plan, out, err);
    if (rc == 0 && o.family) {
        rc = smug_solvers_load(NULL, &reg, err);
        if (rc == 0)
            rc = smug_solvers_get(reg, plan.params.solver, &o.solver, err);
        if (rc == 0 && !smug_solver_installed(o.solver, NULL, 0))
            rc = smug_fail(err, SMUG_ERR_SOLVER,
                           "--family needs solver %s: '%s' is not "
                           "installed",
                           o.solver->name, o.solver->executable);
    }
    if (rc == 0)
        rc = smug_onnx_load(plan.model, &net, err);
    if (rc == 0 && net->input_is_tokens) /* score would need the vocabulary and HTML output */
        rc = smug_fail(err, SMUG_ERR_UNSUPPORTED,
                       "%s takes token ids: bundles hold image problems only for now; explain "
                       "text with smug run",
                       plan.model);
    if (rc == 0) /* window 0 ("auto") becomes the model's own, so the manifest names it */
        plan.params.window = smug_net_window(net, plan.params.window);
    if (rc == 0)
        rc = smug_bundle_emit(&plan, net, out, &o, err);
    if (rc == 0)
        printf("wrote %s/manifest.json\n", out);
    smug_net_free(net);
    smug_solvers_free(reg);
    smug_plan_free(&plan);
    return rc;
}

const cli_command cli_cmd_emit = {
    .name = "emit",
    .summary = "write the mask problems as SMT-LIB files (a bundle), no solving",
    .usage = "--out BUNDLE [--config F] [--model M.onnx] [--input P]... [--form F] [--family] "
             "[--slurm N] [method parameters]",
    .description =
        "For each input: IG, the top-k neurons, the mask problem and its bounds, written as\n"
        "BUNDLE/problems/<id>.smt2 (decision: is there a mask of size <= B, B = the incumbent's\n"
        "size - 1) and <id>.opt.smt2 (z3 objective), with BUNDLE/manifest.json (model sha256,\n"
        "neurons, grid rule, incumbent, bounds), a copy of the model and each input as .npy.\n"
        "Solve it with `smug solve BUNDLE` (here or elsewhere) or any SMT-LIB solver, then\n"
        "`smug score BUNDLE`. --family proves each optimum first (with --solver) and adds the\n"
        "pair <id>.sat.smt2 (size <= opt) and <id>.unsat.smt2 (size <= opt - 1) with :status\n"
        "filled in, for solver benchmarks; an optimum not proved in --timeout gives\n"
        "<id>.unknown.smt2 instead.",
    .opts = {{"config", "F", 0, "YAML run config (configs/README.md)"},
             {"model", "M.onnx", 0, "ONNX model (default: the bundled Fashion-MNIST dense net)"},
             {"input", "P", 1, "a PNG/.npy file or a folder of them (default: a bundled image)"},
             {"out", "BUNDLE", 0, "the bundle folder to create (must not hold a manifest)"},
             {"form", "F", 0, "decision, optimize or both (default both)"},
             {"family", NULL, 0, "also the sat/unsat pair at the proved optimum"},
             {"slurm", "N", 0, "also write BUNDLE/solve.slurm, a job array of N shards"},
             {0}},
    .takes_params = 1,
    .max_positional = 0,
    .run = run_emit,
};
