/* cmd_run.c — `smug run`: the whole job for each input of a config or of the flags:
 * neurons, mask problem, solver, verification, saliency, pictures and report.json.
 *
 * Inputs are explained one after another; a failure of one input's mask stages is written
 * into the report as status "error" and the run goes on, then exits 1. Bad files and a
 * solver that is not installed stop the run at once with one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "smug/artifacts.h"
#include "smug/config.h"
#include "smug/fsutil.h"
#include "smug/input.h"
#include "smug/interrupt.h"
#include "smug/onnx.h"
#include "smug/replay.h"
#include "smug/run_input.h"

/* The console of a run: progress lines on a terminal, a line (and notes) per input. */
typedef struct run_console {
    const char *proof_out; /* --proof-out F, or NULL */
    int tty;               /* stderr is a terminal: progress lines */
    int out_tty;           /* stdout is a terminal: text inputs are shown in colour */
    int interrupted;       /* the signal that stopped the run (interrupt.h), else 0 */
} run_console;

static void print_line(const smug_run_ctx *c, const char *input, const smug_explanation *e,
                       const smug_mask_result *m, int text, const char *error)
{
    const char *name = smug_class_name(c->names, e->predicted);
    if (name)
        printf("%s: predicted %s (p = %.3f)", input, name, (double)e->confidence);
    else
        printf("%s: predicted %d (p = %.3f)", input, e->predicted, (double)e->confidence);
    if (error) {
        printf("; error: %s\n", error);
        return;
    }
    const smug_solve_result *s = &m->solve;
    printf("; mask %d of %d %s, %s", s->size, m->problem->n, text ? "words" : "cells",
           smug_solve_status_name(s->status));
    if (s->proved_by)
        printf(" (proved by %s)", s->proved_by);
    else
        printf(" (lower bound %d)", s->lower);
    printf(", %s", m->verdict.ok ? "verified" : "NOT verified");
    const char *masked = smug_class_name(c->names, m->verdict.masked_predicted);
    if (m->class_proved)
        printf(", keeps class (proved)");
    else if (smug_keeps_class(e, m))
        printf(", keeps class");
    else if (masked)
        printf(", masked input predicted %s", masked);
    else
        printf(", masked input predicted %d", m->verdict.masked_predicted);
    printf(", %.2f s\n", e->seconds_ig + m->seconds_encode + m->seconds_solve + m->seconds_verify);
    if (m->note[0])
        printf("  note: %s\n", m->note);
    if (s->note[0])
        printf("  note: %s\n", s->note);
    if (m->class_note[0])
        printf("  note: %s\n", m->class_note);
}

/* --keep-class: which attempt is reported, or that none kept the class. */
static void print_keep(const smug_explanation *e, const smug_keep_result *k)
{
    const smug_keep_attempt *a = &k->attempt[k->chosen];
    if (k->kept)
        printf("  keep-class: k %d, gamma %g keep class %d (%d attempt%s)\n", a->k, a->gamma,
               e->predicted, k->n_attempts, k->n_attempts == 1 ? "" : "s");
    else
        printf("  keep-class: no mask of %d attempt%s keeps class %d; reported k %d, gamma %g\n",
               k->n_attempts, k->n_attempts == 1 ? "" : "s", e->predicted, a->k, a->gamma);
}

/* One input is done (smug_run_input): its line, its --keep-class attempt, and on a terminal
 * a text with its kept words in colour. */
static void show_input(const smug_run_ctx *c, const smug_run_done *d)
{
    const run_console *con = c->arg;
    if (con->tty && !c->worker) /* a worker leaves the progress line to the parent */
        fprintf(stderr, "\r\033[K");
    print_line(c, d->input, d->e, d->m, d->text, d->error);
    if (!d->error && d->keep)
        print_keep(d->e, d->keep);
    if (d->ansi && con->out_tty)
        fputs(d->ansi, stdout);
}

static void show_warning(const smug_run_ctx *c, const char *msg)
{
    (void)c;
    fprintf(stderr, "smug: warning: %s\n", msg);
}

static void show_progress(const smug_run_ctx *c, int done, int n)
{
    if (((const run_console *)c->arg)->tty)
        fprintf(stderr, "\r[%d/%d] done\033[K", done, n);
}

/* --proof-out F: every input's proof.smt2, in input order, as one file ((reset) between
 * them). A proof of a failed input is not there: smug_run_input removes stale ones first. */
static int join_proofs(const smug_run_ctx *c, const char *proof_out, char **paths, int n,
                       smug_error *err)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        char dir[2048], path[4200];
        smug_artifacts_dir(c->plan->out_dir, paths[i], dir, sizeof dir);
        snprintf(path, sizeof path, "%s/proof.smt2", dir);
        unsigned char *text = NULL;
        size_t len;
        if (!smug_fs_exists(path))
            continue;
        rc = smug_fs_read_all(path, &text, &len, err);
        if (rc == 0)
            smug_replay_join(&sb, (const char *)text, len);
        free(text);
    }
    smug_strbuf_adds(&sb,
                     sb.len ? "(exit)\n" : "; no input has a proof (every lower bound is 0)\n");
    if (rc == 0)
        rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(proof_out, sb.buf, sb.len, err);
    smug_strbuf_clear(&sb);
    return rc;
}

static int explain_inputs(smug_run_ctx *c, smug_strbuf *sb, smug_error *err)
{
    run_console *con = c->arg;
    char **paths = NULL;
    int n = 0, rc = smug_input_expand_all((const char *const *)c->plan->inputs, c->plan->n_inputs,
                                          c->net->input_is_tokens, &paths, &n, err);
    smug_json j;
    smug_json_init(&j, sb, 1);
    c->json = &j;
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "smug", SMUG_VERSION);
    smug_json_string(&j, "model", c->plan->model);
    smug_strbuf params = SMUG_STRBUF_INIT;
    smug_params_json(&c->plan->params, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_strbuf_clear(&params);
    smug_json_array_begin(&j, "inputs");
    if (rc == 0 && c->plan->params.jobs > 1 && n > 1) {
        rc = smug_run_parallel(c, paths, n, err);
        if (con->tty)
            fprintf(stderr, "\r\033[K");
    } else {
        for (int i = 0; rc == 0 && i < n && !smug_interrupted(); i++) {
            if (con->tty && n > 1)
                fprintf(stderr, "\r[%d/%d] %s\033[K", i + 1, n, paths[i]);
            rc = smug_run_input(c, paths[i], err);
        }
    }
    /* Ctrl-C is a deadline (anytime, issue #12.1): here every input begun has ended with
     * its best verified mask and proved bound, its solver stopped and none left running;
     * the report says the run was cut short, and the inputs never begun are absent. */
    con->interrupted = smug_interrupted();
    c->json = &j;
    smug_json_array_end(&j);
    if (con->interrupted) {
        smug_json_object_begin(&j, "interrupted");
        smug_json_int(&j, "signal", con->interrupted);
        smug_json_int(&j, "inputs_given", n);
        smug_json_object_end(&j);
    }
    smug_json_object_end(&j);
    if (rc == 0 && con->proof_out)
        rc = join_proofs(c, con->proof_out, paths, n, err);
    smug_input_paths_free(paths, n);
    return rc;
}

static int run_run(const cli_args *a, smug_error *err)
{
    smug_plan plan;
    smug_net *net = NULL;
    smug_solvers *reg = NULL;
    const smug_solver *solver = NULL, *confirm = NULL;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    int rc = cli_make_plan(a, &plan, "smug-out", err);
    if (rc == 0)
        rc = smug_solvers_load(NULL, &reg, err);
    if (rc == 0)
        rc = smug_pick_solver(reg, plan.params.solver, SMUG_PICK_INSTALLED, "run", &solver,
                              err); /* CBC too (cbc.h) */
    if (rc == 0)
        rc = smug_pick_confirm(reg, &plan.params, "run", &confirm, err);
    if (rc == 0)
        rc = smug_onnx_load(plan.model, &net, err);
    if (rc == 0) /* window 0 ("auto") becomes the model's own, so report.json names it */
        plan.params.window = smug_net_window(net, plan.params.window);
    run_console con = {cli_get(a, "proof-out"), isatty(STDERR_FILENO), isatty(STDOUT_FILENO), 0};
    smug_names names = {0};
    smug_run_ctx c = {.net = net,
                      .plan = &plan,
                      .solver = solver,
                      .confirm = confirm,
                      .names = &names,
                      .on_input = show_input,
                      .on_warning = show_warning,
                      .on_progress = show_progress,
                      .arg = &con};
    if (rc == 0 && cli_get(a, "vocab"))
        rc = smug_plan_set_vocab(&plan, cli_get(a, "vocab"), err);
    if (rc == 0)
        rc = smug_names_load(&plan, net, &names, err);
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
    if (rc == 0 && con.interrupted)
        rc = smug_fail(err, SMUG_ERR_SOLVER,
                       "interrupted (signal %d): no solver left running; %s has the inputs "
                       "done so far",
                       con.interrupted, path);
    else if (rc == 0 && c.failures)
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%d input(s) failed; see %s", c.failures, path);
    smug_strbuf_clear(&sb);
    smug_names_clear(&names);
    smug_net_free(net);
    smug_solvers_free(reg);
    smug_plan_clear(&plan);
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
        "model and image. Precedence: defaults < config < flags.\n"
        "\n"
        "Text (a token model such as models/debian_text.onnx): a .txt input is tokenised by\n"
        "the vocabulary (lower-cased ASCII, runs of [a-z0-9]; pad_id, unk_id), a text longer\n"
        "than the model reads is cut to its first tokens with a warning (--truncate false:\n"
        "an error), and one mask cell is one word (window 0 = auto). Instead of pictures (a\n"
        "saliency over words is no image) it writes DIR/<name>/explanation.html (the text,\n"
        "kept words highlighted by saliency) and mask.npy (per token); report.json lists\n"
        "the words. On a terminal the text is also printed with the kept words in colour.\n"
        "Class names come from <model stem>.labels beside the model when it exists.",
    .opts = {{"config", "F", 0, "YAML run config (configs/README.md documents every key)"},
             {"model", "M.onnx", 0, "ONNX model (default: the bundled Fashion-MNIST dense net)"},
             {"input", "P", 1,
              "a PNG/.npy file (.txt for a token model), or a folder of them (default: a "
              "bundled image)"},
             {"vocab", "F", 0,
              "token models: vocabulary for .txt inputs (default: <model stem>.vocab beside "
              "the model)"},
             {"out", "DIR", 0, "output folder (default smug-out)"},
             {"proof-out", "F", 0,
              "also write every input's proof into F, one SMT-LIB file that `z3 F` or "
              "`cvc5 --incremental F` re-checks (one unsat per leaf)"},
             {0}},
    .takes_params = 1,
    .max_positional = 0,
    .run = run_run,
};
