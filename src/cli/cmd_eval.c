/* cmd_eval.c — `smug eval`: every explanation method on each input, scored by LSC, with
 * Win%, sparsity and time per method (issue #5; the library side is evaluate.h).
 *
 * Inputs come from the plan (config, --input) like `smug run`; run/eval_inputs.c evaluates
 * them (labels, skipped inputs, panels) and run/eval_write.c writes the tables. This file
 * parses the flags, loads the model and the solver, and is the console: the progress line,
 * a line per input, table.md on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "smug/config.h"
#include "smug/eval_inputs.h"
#include "smug/fsutil.h"
#include "smug/onnx.h"

/* The console of `smug eval`: a progress line on a terminal, a line per input. */
typedef struct eval_console {
    int tty; /* stderr is a terminal */
} eval_console;

/* Method `method` of input i of about n starts (-1: its methods are done). */
static void show_method(const smug_eval_ctx *c, int i, int n, const char *input, int method)
{
    if (!((const eval_console *)c->arg)->tty)
        return;
    if (method < 0)
        fprintf(stderr, "\r\033[K");
    else
        fprintf(stderr, "\r[%d/%d] %s: %s\033[K", i, n, input, smug_eval_method_name(method));
}

static void show_skip(const smug_eval_ctx *c, const char *input, int label, int predicted)
{
    (void)c;
    printf("%s: label %d, predicted %d: misclassified, skipped\n", input, label, predicted);
}

static void show_warning(const smug_eval_ctx *c, const char *msg)
{
    (void)c;
    fprintf(stderr, "smug: warning: %s\n", msg);
}

static int load_solver(const smug_plan *plan, smug_solvers **reg, const smug_solver **out,
                       smug_error *err)
{
    if (strcmp(plan->params.confirm, "none") != 0) /* eval measures masks, not proofs */
        return smug_fail(err, SMUG_ERR_USAGE,
                         "--confirm: smug eval does not confirm proofs; use smug run --confirm");
    if (smug_solvers_load(NULL, reg, err) < 0)
        return -1;
    return smug_pick_solver(*reg, plan->params.solver, SMUG_PICK_INSTALLED | SMUG_PICK_SMTLIB,
                            "eval", out, err);
}

static void print_image_input(const smug_eval_run *run, const smug_eval_row *r)
{
    printf("%s: label %d, predicted %d (p = %.3f); LSC", r->input, r->label, r->e.predicted,
           r->e.confidence);
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (run->on[m])
            printf(" %s %.3f", smug_eval_method_name(m), r->e.r[m].lsc.lsc);
    printf("\n");
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (run->on[m] && !r->e.r[m].ok)
            printf("  %s: %s\n", smug_eval_method_name(m), r->e.r[m].note);
}

static void print_text_input(const smug_eval_run *run, const smug_eval_row *r)
{
    const smug_eval_input *t = &r->e;
    printf("%s: label %d, predicted %d (p = %.3f); words kept of %d, conf kept / removed:",
           r->input, r->label, t->predicted, t->confidence, t->n_seen);
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (run->on[m] && t->r[m].ok)
            printf(" %s %d %.2f/%.2f", smug_eval_method_name(m), t->r[m].n_kept, t->r[m].conf_kept,
                   t->r[m].conf_removed);
    printf("\n");
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (run->on[m] && !t->r[m].ok)
            printf("  %s: %s\n", smug_eval_method_name(m), t->r[m].note);
}

static void show_input(const smug_eval_ctx *c, const smug_eval_row *r)
{
    if (c->run->text)
        print_text_input(c->run, r);
    else
        print_image_input(c->run, r);
}

/* The tables (eval_write.h); table.md is shown on stdout too. */
static int write_tables(const smug_eval_run *run, const char *dir, smug_error *err)
{
    smug_strbuf md = SMUG_STRBUF_INIT;
    int rc = smug_eval_write(run, dir, &md, err);
    if (md.buf) /* also when a file could not be written */
        fwrite(md.buf, 1, md.len, stdout);
    smug_strbuf_clear(&md);
    if (rc == 0)
        printf("wrote %s/table.md, table.csv, inputs.csv, eval.json, %spanels/\n", dir,
               run->text ? "" : "curves.png, ");
    return rc;
}

static int run_eval(const cli_args *a, smug_error *err)
{
    smug_plan plan;
    smug_net *net = NULL;
    smug_solvers *reg = NULL;
    smug_eval_run run;
    memset(&run, 0, sizeof run);
    eval_console con = {isatty(STDERR_FILENO)};
    smug_names names = {0};
    smug_eval_ctx c = {.plan = &plan,
                       .names = &names,
                       .labels_path = cli_get(a, "labels"),
                       .run = &run,
                       .on_method = show_method,
                       .on_input = show_input,
                       .on_skip = show_skip,
                       .on_warning = show_warning,
                       .arg = &con};
    const char *limit_s = cli_get(a, "limit");
    char *end = NULL;
    long limit = limit_s ? strtol(limit_s, &end, 10) : 1000000000L;
    if (limit_s && (*end || limit < 1 || limit > 1000000000L))
        return smug_fail(err, SMUG_ERR_USAGE, "--limit must be a whole number >= 1: got '%s'",
                         limit_s);
    int rc = cli_make_plan(a, &plan, "smug-eval", err);
    run.params = &plan.params;
    run.model = plan.model;
    if (rc == 0)
        rc = smug_onnx_load(plan.model, &net, err);
    c.net = net;
    if (rc == 0) /* window 0 ("auto") becomes the model's own, so table.md names it */
        plan.params.window = smug_net_window(net, plan.params.window);
    run.text = net && net->input_is_tokens;
    if (rc == 0 && run.text && cli_get(a, "vocab"))
        rc = smug_plan_set_vocab(&plan, cli_get(a, "vocab"), err);
    if (rc == 0 && run.text)
        rc = smug_names_load(&plan, net, &names, err);
    if (rc == 0)
        rc = smug_eval_methods_choose(cli_get(a, "methods"), net, &run, err);
    if (rc == 0 && run.note[0])
        printf("%s\n", run.note);
    if (rc == 0 && run.on[SMUG_EVAL_SMUG])
        rc = load_solver(&plan, &reg, &c.solver, err);
    if (rc == 0)
        rc = smug_fs_mkdirs(plan.out_dir, err);
    if (rc == 0)
        c.limit = (int)limit, rc = smug_eval_inputs(&c, err);
    if (rc == 0)
        rc = write_tables(&run, plan.out_dir, err);
    smug_eval_run_clear(&run);
    smug_names_clear(&names);
    smug_net_free(net);
    smug_solvers_free(reg);
    smug_plan_clear(&plan);
    return rc;
}

const cli_command cli_cmd_eval = {
    .name = "eval",
    .summary = "compare smug with baselines by LSC, Win%, sparsity and time (tables, panels)",
    .usage = "[--config F] [--model M.onnx] [--input P]... [--methods LIST] [--limit N]\n"
             "                 [--labels FILE] [--out DIR] [method parameters]",
    .description =
        "Runs every method on each input and scores it by LSC = log(max(0.05, a)) - log(c) (a:\n"
        "area of the box cut from the method's map, c: the target's probability on that crop\n"
        "resized; lower is better). Methods: smug (solver mask, --solver/--timeout),\n"
        "smug_base (all receptive-field cells), ig, grad (|gradient|), gradcam (conv models\n"
        "only: left out with a note on a dense model unless --methods names it, then an\n"
        "error), sis (--sis-threshold), prunegrad (--prune-keep), centerbox, maxbox,\n"
        "optbox (--optbox-grid; a bound, not in Win%). Every method with a map also gets\n"
        "deletion and insertion curves (--curve-steps; AUC in the tables, DIR/curves.png).\n"
        "Labels: --labels FILE or a labels.csv (columns file,label) beside the inputs;\n"
        "misclassified inputs are skipped and counted, unlisted ones are evaluated as\n"
        "unlabelled. Writes DIR/table.md, table.csv (per method: n, LSC mean and sample\n"
        "standard deviation, Win%, sparsity, seconds), inputs.csv (a row per input and\n"
        "method), eval.json and panels/<name>.png (the input and each map, LSC box in cyan).\n"
        "Sparsity: the kept pixel fraction of the method's mask (smug, smug_base, sis), else\n"
        "the area of its LSC box.\n"
        "\n"
        "Text (a token model, .txt inputs read as by smug run): methods smug, smug_base, ig\n"
        "(IG of the embedding output, summed per word; keeps its top words, as many as smug\n"
        "kept on that input) and sis (removed words become pad_id). No LSC, Win% or boxes:\n"
        "per method the sparsity (kept words / words seen), conf_kept (softmax probability\n"
        "of the predicted class on the kept words alone, the rest padded) and conf_removed\n"
        "(on the text without the kept words), mean and sample sd, and time. Panels are\n"
        "panels/<name>.html: the text once per method, kept words highlighted; inputs.csv\n"
        "lists the kept words.",
    .opts = {{"config", "F", 0, "YAML run config (configs/README.md documents every key)"},
             {"model", "M.onnx", 0, "ONNX model (default: the bundled Fashion-MNIST dense net)"},
             {"input", "P", 1, "a PNG/.npy file, or a folder of them (default: a bundled image)"},
             {"out", "DIR", 0, "output folder (default: the config's out, else smug-eval)"},
             {"methods", "LIST", 0,
              "comma-separated: smug,smug_base,ig,grad,gradcam,sis,prunegrad,centerbox,maxbox,"
              "optbox (default all)"},
             {"limit", "N", 0, "evaluate at most N inputs (skipped ones do not count)"},
             {"labels", "FILE", 0,
              "labels CSV (columns file,label; default: labels.csv beside "
              "the inputs)"},
             {"vocab", "F", 0,
              "token models: vocabulary for .txt inputs (default: <model stem>.vocab beside "
              "the model)"},
             {0}},
    .takes_params = 1,
    .max_positional = 0,
    .run = run_eval,
};
