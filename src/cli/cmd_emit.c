/* cmd_emit.c — `smug emit`: the mask problems of a config's inputs as a bundle of SMT-LIB
 * files, with no solving (unless --family asks for proved optima). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* The :source date: $SOURCE_DATE_EPOCH when set (reproducible-builds.org's convention, so
 * scripts/gen-smt2.sh emits the same bytes on any day), else today, in UTC. */
static int generated_on(char *buf, size_t n, smug_error *err)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    time_t t = time(NULL);
    if (env && *env) {
        char *end;
        long long v = strtoll(env, &end, 10);
        if (*end || v < 0)
            return smug_fail(err, SMUG_ERR_USAGE,
                             "SOURCE_DATE_EPOCH: expected seconds since 1970: got '%s'", env);
        t = (time_t)v;
    }
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%d", &tm) == 0)
        return smug_fail(err, SMUG_ERR_INTERNAL, "cannot format the date");
    return 0;
}

/* On a terminal: "[i/n] emitting INPUT", cleared at the end. */
static void show_progress(void *user, int i, int n, const char *input)
{
    (void)user;
    if (i < n)
        fprintf(stderr, "\r[%d/%d] emitting %s\033[K", i + 1, n, input);
    else
        fprintf(stderr, "\r\033[K");
}

static int run_emit(const cli_args *a, smug_error *err)
{
    smug_emit_options o = {0};
    char date[32];
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
    o.progress = isatty(STDERR_FILENO) ? show_progress : NULL;
    o.generated_on = date;
    if (generated_on(date, sizeof date, err) < 0)
        return -1;
    int rc = cli_make_plan(a, &plan, out, err);
    if (rc == 0) /* solvers.sh and the benchmark headers name every solver */
        rc = smug_solvers_load(NULL, &reg, err);
    o.registry = reg;
    if (rc == 0 && o.family) {
        rc = smug_pick_solver(reg, plan.params.solver, SMUG_PICK_INSTALLED, "emit", &o.solver, err);
        if (rc < 0 && err->code == SMUG_ERR_SOLVER)
            smug_error_prefix(err, "--family runs the solver");
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
    smug_plan_clear(&plan);
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
        "size - 1) and <id>.opt.smt2 (z3 objective over masks below the incumbent), with\n"
        "BUNDLE/manifest.json (model sha256, neurons, grid rule, incumbent, bounds), a copy of\n"
        "the model, each input as .npy, and solvers.sh (each solver's command line from\n"
        "solvers/*.yaml, to run a file without smug). Solve it with `smug solve BUNDLE` (here or\n"
        "elsewhere) or any SMT-LIB solver, then `smug score BUNDLE`. --encoding raw leaves\n"
        "smug's facts out of the files (the rows and the bound only). --family proves each\n"
        "optimum first (with --solver) and adds benchmark files in SMT-COMP's form,\n"
        "<id>.b<opt>.smt2 (sat) and <id>.b<opt-1>.smt2 (unsat), with instances.csv, BenchExec\n"
        "task files and run.slurm; an optimum not proved in --timeout gives one file at the\n"
        "incumbent's size - 1 with :status unknown. Inputs with the same rows as an earlier one\n"
        "(the .npy and .png of one image) get no files. The :source date is\n"
        "$SOURCE_DATE_EPOCH's day when set, else today's.",
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
