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
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "smug/forward.h"

#include "cli.h"
#include "text_in.h"
#include "smug/artifacts.h"
#include "smug/config.h"
#include "smug/fsutil.h"
#include "smug/image.h"
#include "smug/input.h"
#include "smug/interrupt.h"
#include "smug/json.h"
#include "smug/keepclass.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"
#include "smug/replay.h"
#include "smug/report.h"
#include "smug/score.h"
#include "smug/textview.h"
#include "smug/tokens.h"
#include "smug/workpool.h"

typedef struct run_ctx {
    const smug_net *net;
    const smug_plan *plan;
    const smug_solver *solver;
    const smug_solver *confirm; /* --confirm, or NULL */
    const char *proof_out;      /* --proof-out F, or NULL */
    smug_json *json;
    int failures;
    int tty;         /* stderr is a terminal: progress lines */
    int out_tty;     /* stdout is a terminal: text inputs are shown in colour */
    cli_names names; /* token models: the vocabulary for .txt inputs; class names */
    int interrupted; /* the signal that stopped the run (interrupt.h), else 0 */
} run_ctx;

/* One text input's view of its tokens (NULL members for an image). */
typedef struct text_input {
    smug_tokens tokens; /* the text, or the words of a .npy's ids */
    int is_text;
    uint8_t *keep; /* [L] per position, 1 = kept */
    uint8_t *kept; /* [tokens.n] */
    float *score;  /* [tokens.n] */
} text_input;

static void text_input_free(text_input *t)
{
    smug_tokens_free(&t->tokens);
    free(t->keep);
    free(t->kept);
    free(t->score);
    memset(t, 0, sizeof *t);
}

static const char *class_name(const run_ctx *c, int cls)
{
    return cli_class_name(&c->names, cls);
}

static void print_line(const run_ctx *c, const char *input, const smug_explanation *e,
                       const smug_mask_result *m, int text, const char *error)
{
    const char *name = class_name(c, e->predicted);
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
    const char *masked = class_name(c, m->verdict.masked_predicted);
    if (smug_keeps_class(e, m))
        printf(", keeps class");
    else if (masked)
        printf(", masked input predicted %s", masked);
    else
        printf(", masked input predicted %d", m->verdict.masked_predicted);
    printf(", %.2f s\n", e->seconds_ig + m->seconds_encode + m->seconds_solve + m->seconds_verify);
    if (s->note[0])
        printf("  note: %s\n", s->note);
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

/* A .txt input (text_in.c). */
static int load_text(run_ctx *c, const char *input, text_input *t, float **out_x, smug_error *err)
{
    if (cli_load_text(c->plan, c->net, c->names.vocab, input, &t->tokens, out_x, err) < 0)
        return -1;
    t->is_text = 1;
    return 0;
}

/* A .npy of token ids for a token model with a vocabulary: its words (the vocabulary's
 * spelling, up to the last non-padding id) stand in for the text in the outputs. Ids
 * outside the vocabulary fail later, in the forward pass, naming the position. */
static int npy_words(run_ctx *c, const float *x, text_input *t, const char *input, smug_error *err)
{
    smug_tokens_opts o = cli_token_opts(c->net, &c->plan->params);
    int n = o.max_len;
    while (n > 0 && (int)x[n - 1] == o.pad_id)
        n--;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    for (int i = 0; i < n; i++) {
        const char *w = smug_vocab_word(c->names.vocab, (int)x[i]);
        smug_strbuf_addf(&sb, "%s%s", i ? " " : "", w ? w : "?");
    }
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0 && n > 0)
        rc = smug_tokenize(c->names.vocab, sb.buf, sb.len, &o, input, &t->tokens, err);
    smug_strbuf_free(&sb);
    t->is_text = rc == 0 && n > 0 && t->tokens.n == n; /* every vocabulary word is one token */
    if (rc == 0 && !t->is_text)
        smug_tokens_free(&t->tokens);
    return rc;
}

/* Per-position mask and per-word scores of a text input from the final cell mask. */
static int text_masks(const smug_mask_result *m, text_input *t, smug_error *err)
{
    int L = t->tokens.max_len, n = t->tokens.n;
    t->keep = malloc((size_t)L);
    t->kept = malloc((size_t)n);
    t->score = malloc((size_t)n * sizeof *t->score);
    if (!t->keep || !t->kept || !t->score || m->map_h * m->map_w != L)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    smug_score_mask_pixels(&m->problem->grid, m->cells, t->keep);
    for (int i = 0; i < n; i++) {
        t->kept[i] = t->keep[i];
        t->score[i] = m->saliency[i];
    }
    return 0;
}

static smug_textview text_view(const run_ctx *c, const char *input, const smug_explanation *e,
                               const smug_mask_result *m, const text_input *t, char *num,
                               size_t num_n)
{
    const char *name = class_name(c, e->predicted);
    snprintf(num, num_n, "%d", e->predicted);
    smug_textview v = {&t->tokens,
                       t->kept,
                       t->score,
                       input,
                       name ? name : num,
                       e->confidence,
                       m->solve.size,
                       m->problem->n,
                       smug_solve_status_name(m->solve.status),
                       m->solve.proved_by,
                       m->verdict.ok};
    return v;
}

/* The outputs of one explained input: pictures for an image, HTML for a text. */
static int write_outputs(run_ctx *c, const char *input, const float *x, const smug_explanation *e,
                         const smug_mask_result *m, text_input *t, const char *dir,
                         smug_artifact_paths *ap, smug_error *err)
{
    const char *base = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
    char source[512];
    snprintf(source, sizeof source,
             "smug %s proof: model %s, input %s, target %d, %d neurons, "
             "gamma %g, mask %d, lower bound %d",
             SMUG_VERSION,
             strrchr(c->plan->model, '/') ? strrchr(c->plan->model, '/') + 1 : c->plan->model, base,
             e->target, m->problem->k, m->problem->gamma, m->solve.size, m->solve.lower);
    for (char *q = source; *q; q++)
        if (*q == '|' || *q == '\\')
            *q = '_'; /* :source is a |quoted| symbol */
    if (smug_artifacts_write_proof(m, source, dir, ap, err) < 0)
        return -1;
    if (!t->is_text)
        return smug_artifacts_write(c->net, &c->plan->params, x, m, dir, ap, err);
    char num[32];
    if (text_masks(m, t, err) < 0)
        return -1;
    smug_textview v = text_view(c, input, e, m, t, num, sizeof num);
    return smug_artifacts_write_text(&v, t->keep, dir, ap, err);
}

/* --proof-out F: every input's proof.smt2, in input order, as one file ((reset) between
 * them). A proof of a failed input is not there: run_one removes stale ones first. */
static int join_proofs(const run_ctx *c, char **paths, int n, smug_error *err)
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
        rc = smug_fs_write_atomic(c->proof_out, sb.buf, sb.len, err);
    smug_strbuf_free(&sb);
    return rc;
}

/* On a terminal: the text itself, kept words bold on red. */
static void show_text(const run_ctx *c, const char *input, const smug_explanation *e,
                      const smug_mask_result *m, const text_input *t)
{
    char num[32];
    smug_textview v = text_view(c, input, e, m, t, num, sizeof num);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_textview_ansi(&v, &sb);
    if (sb.buf)
        fputs(sb.buf, stdout);
    smug_strbuf_free(&sb);
}

/* One input: returns -1 only for failures that must stop the whole run. */
static int run_one(run_ctx *c, const char *input, smug_error *err)
{
    const smug_params *p = &c->plan->params;
    double t0 = smug_now();
    float *x = NULL;
    text_input t;
    memset(&t, 0, sizeof t);
    int loaded = cli_ends_with(input, ".txt")
                     ? load_text(c, input, &t, &x, err)
                     : smug_input_load(input, &c->net->input, p->pixel_min, p->pixel_max, &x, err);
    if (loaded == 0 && !t.is_text && c->net->input_is_tokens && c->names.vocab)
        loaded = npy_words(c, x, &t, input, err);
    if (loaded < 0) {
        text_input_free(&t);
        free(x);
        return -1;
    }
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
        memset(ap, 0, sizeof *ap);
        smug_report_paths rp = {ap->saliency, ap->overlay, ap->mask, ap->mask_npy, NULL};
        if (t.is_text)
            rp.saliency = rp.overlay = rp.mask = NULL; /* no pictures of a text */
        smug_artifacts_dir(c->plan->out_dir, input, dir, sizeof dir);
        char stale[2200];
        snprintf(stale, sizeof stale, "%s/proof.smt2", dir);
        unlink(stale);         /* from an earlier run into the same folder */
        smug_params used = *p; /* --keep-class: the k and gamma of the reported mask */
        smug_keep_result *keep = p->keep_class ? malloc(sizeof *keep) : NULL;
        int failed = p->keep_class && !keep ? smug_fail(&merr, SMUG_ERR_NOMEM, "out of memory")
                     : keep
                         ? smug_keep_class_search(c->net, x, p, &e, c->solver, c->confirm, &m,
                                                  &used, keep, &merr)
                         : smug_pipeline_mask(c->net, x, p, &e, c->solver, c->confirm, &m, &merr);
        failed = failed < 0 || write_outputs(c, input, x, &e, &m, &t, dir, ap, &merr) < 0;
        if (failed && (merr.code == SMUG_ERR_USAGE || merr.code == SMUG_ERR_UNSUPPORTED)) {
            *err = merr; /* a setting no input can satisfy: stop here, once */
            smug_mask_result_free(&m), smug_explanation_free(&e), free(x), free(ap), free(keep);
            text_input_free(&t);
            return -1;
        }
        c->failures += failed;
        if (c->tty)
            fprintf(stderr, "\r\033[K");
        print_line(c, input, &e, &m, t.is_text, failed ? merr.msg : NULL);
        if (!failed && keep)
            print_keep(&e, keep);
        if (!failed && t.is_text && c->out_tty)
            show_text(c, input, &e, &m, &t);
        rp.proof = ap->proof[0] ? ap->proof : NULL;
        smug_report_text rt = {&t.tokens, x, t.kept, t.score, failed ? NULL : ap->html};
        smug_report_extra extra = {.predicted_name = class_name(c, e.predicted),
                                   .text = t.is_text ? &rt : NULL,
                                   .keep = failed ? NULL : keep};
        smug_report_input(c->json, input, &e, failed ? NULL : &m, c->solver->name, &used,
                          failed ? NULL : &rp, failed ? merr.msg : NULL, smug_now() - t0, &extra);
        free(ap), free(keep);
    } else {
        smug_error_prefix(err, "%s", input);
    }
    smug_mask_result_free(&m);
    smug_explanation_free(&e);
    text_input_free(&t);
    free(x);
    return rc;
}

/* ---- --jobs N: inputs explained by forked workers ----
 * Each worker explains one input into its own report fragment, written atomically to
 * DIR/.parts/<i>.json (or its fatal error to <i>.err); the parent keeps N workers busy and
 * then splices the fragments into report.json in input order, so the report is the same
 * as with one job. A worker is a process, not a thread: GLPK is not thread-safe, and a
 * worker that dies takes nothing else with it. */

enum { WORKER_OK = 0, WORKER_FATAL = 1, WORKER_INPUT_FAILED = 3 };

static void part_path(const run_ctx *c, int i, const char *ext, char *buf, size_t n)
{
    snprintf(buf, n, "%s/.parts/%d.%s", c->plan->out_dir, i, ext);
}

static int worker(run_ctx *c, const char *input, int i)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &sb, 1);
    c->json = &j;
    c->tty = 0; /* the parent draws the progress line */
    smug_error err = SMUG_ERROR_INIT, ignore = SMUG_ERROR_INIT;
    char path[4096];
    int rc = run_one(c, input, &err);
    fflush(stdout);
    if (rc == 0)
        rc = smug_strbuf_check(&sb, &err);
    part_path(c, i, rc == 0 ? "json" : "err", path, sizeof path);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, &err);
    else {
        char text[SMUG_ERROR_MAX + 16]; /* "<code>\t<message>": the exit status needs both */
        int len = snprintf(text, sizeof text, "%d\t%s", (int)err.code, err.msg);
        smug_fs_write_atomic(path, text, (size_t)len < sizeof text ? (size_t)len : sizeof text - 1,
                             &ignore);
    }
    smug_strbuf_free(&sb);
    return rc < 0 ? WORKER_FATAL : c->failures ? WORKER_INPUT_FAILED : WORKER_OK;
}

typedef struct run_pool {
    run_ctx *c;
    char **paths;
    int n, done, fatal;
    smug_error *err; /* the first worker that died without saying why */
} run_pool;

static int pool_task(void *user, int task, int msg_fd)
{
    (void)msg_fd; /* a worker's error goes to its .err part, with its code */
    run_pool *rp = user;
    return worker(rp->c, rp->paths[task], task);
}

/* A worker ended: a fatal one stops new ones (its message is in its .err part, or is how
 * it died); the progress line counts it. */
static int pool_done(void *user, int task, int status, const char *msg)
{
    (void)task, (void)msg;
    run_pool *rp = user;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1, fatal = code == WORKER_FATAL;
    rp->c->failures += code == WORKER_INPUT_FAILED;
    if (code != WORKER_OK && code != WORKER_INPUT_FAILED && !fatal && rp->err->code == SMUG_OK &&
        !smug_interrupted()) {
        fatal = 1;
        smug_fail(rp->err, SMUG_ERR_INTERNAL, "a worker process %s %d",
                  WIFSIGNALED(status) ? "died of signal" : "exited with status",
                  WIFSIGNALED(status) ? WTERMSIG(status) : code);
    }
    rp->done++;
    rp->fatal |= fatal;
    if (rp->c->tty)
        fprintf(stderr, "\r[%d/%d] done\033[K", rp->done, rp->n);
    return fatal;
}

/* The fragments into the report, in input order; a fatal worker's message becomes err. */
static int splice_parts(run_ctx *c, int n, smug_error *err)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        unsigned char *text = NULL;
        size_t len;
        smug_error ignore = SMUG_ERROR_INIT;
        part_path(c, i, "err", path, sizeof path);
        if (rc == 0 && smug_fs_read_all(path, &text, &len, &ignore) == 0) {
            char *tab = strchr((char *)text, '\t');
            rc = smug_fail(err, tab ? (smug_error_code)atoi((char *)text) : SMUG_ERR_INTERNAL, "%s",
                           tab ? tab + 1 : (char *)text);
        }
        free(text), text = NULL;
        unlink(path);
        part_path(c, i, "json", path, sizeof path);
        if (smug_fs_read_all(path, &text, &len, &ignore) == 0)
            smug_json_raw(c->json, NULL, (char *)text);
        free(text);
        unlink(path);
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/.parts", c->plan->out_dir);
    rmdir(dir);
    return rc;
}

static int explain_parallel(run_ctx *c, char **paths, int n, smug_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/.parts", c->plan->out_dir);
    if (smug_fs_mkdirs(dir, err) < 0)
        return -1;
    smug_set_threads(1); /* the parallelism is the workers' (and no OpenMP pool to fork) */
    run_pool rp = {c, paths, n, 0, 0, err};
    smug_workpool pool = {c->plan->params.jobs, n, WORKER_FATAL, pool_task, pool_done, &rp};
    smug_error ferr = SMUG_ERROR_INIT;
    int fatal = smug_workpool_run(&pool, NULL, &ferr) < 0;
    if (fatal && err->code == SMUG_OK)
        *err = ferr;
    fatal |= rp.fatal;
    if (c->tty)
        fprintf(stderr, "\r\033[K");
    smug_error perr = SMUG_ERROR_INIT;
    int rc = splice_parts(c, n, &perr);
    if (rc < 0 && err->code == SMUG_OK)
        *err = perr; /* the first input's fatal error, as a single job would report it */
    return fatal || rc < 0 ? -1 : 0;
}

static int explain_inputs(run_ctx *c, smug_strbuf *sb, smug_error *err)
{
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
    smug_strbuf_free(&params);
    smug_json_array_begin(&j, "inputs");
    if (rc == 0 && c->plan->params.jobs > 1 && n > 1) {
        rc = explain_parallel(c, paths, n, err);
    } else {
        for (int i = 0; rc == 0 && i < n && !smug_interrupted(); i++) {
            if (c->tty && n > 1)
                fprintf(stderr, "\r[%d/%d] %s\033[K", i + 1, n, paths[i]);
            rc = run_one(c, paths[i], err);
        }
    }
    /* Ctrl-C is a deadline (anytime, issue #12.1): here every input begun has ended with
     * its best verified mask and proved bound, its solver stopped and none left running;
     * the report says the run was cut short, and the inputs never begun are absent. */
    c->interrupted = smug_interrupted();
    c->json = &j;
    smug_json_array_end(&j);
    if (c->interrupted) {
        smug_json_object_begin(&j, "interrupted");
        smug_json_int(&j, "signal", c->interrupted);
        smug_json_int(&j, "inputs_given", n);
        smug_json_object_end(&j);
    }
    smug_json_object_end(&j);
    if (rc == 0 && c->proof_out)
        rc = join_proofs(c, paths, n, err);
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
    run_ctx c = {net,
                 &plan,
                 solver,
                 confirm,
                 cli_get(a, "proof-out"),
                 NULL,
                 0,
                 isatty(STDERR_FILENO),
                 isatty(STDOUT_FILENO),
                 {0},
                 0};
    if (rc == 0 && cli_get(a, "vocab"))
        rc = smug_plan_set_vocab(&plan, cli_get(a, "vocab"), err);
    if (rc == 0)
        rc = cli_load_names(&plan, net, &c.names, err);
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
    if (rc == 0 && c.interrupted)
        rc = smug_fail(err, SMUG_ERR_SOLVER,
                       "interrupted (signal %d): no solver left running; %s has the inputs "
                       "done so far",
                       c.interrupted, path);
    else if (rc == 0 && c.failures)
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%d input(s) failed; see %s", c.failures, path);
    smug_strbuf_free(&sb);
    cli_names_free(&c.names);
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
