/* run_one.c — `smug run` for one input: the pipeline (run/pipeline.c), --keep-class, the
 * pictures or the text view, and its entry in report.json (run_cmd.h).
 *
 * A failure of the input's mask stages is its status "error" in the report, not a failed
 * run; only bad files and the like return -1. It knows nothing of other inputs or workers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/artifacts.h"
#include "smug/config.h"
#include "smug/input.h"
#include "smug/keepclass.h"
#include "smug/report.h"
#include "smug/score.h"
#include "run_cmd.h"

/* One text input's view of its tokens (NULL members for an image). */
typedef struct text_input {
    smug_tokens tokens; /* the text, or the words of a .npy's ids */
    int is_text;
    uint8_t *keep; /* [L] per position, 1 = kept */
    uint8_t *kept; /* [tokens.n] */
    float *score;  /* [tokens.n] */
} text_input;

static void text_input_clear(text_input *t)
{
    smug_tokens_clear(&t->tokens);
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
    smug_strbuf_clear(&sb);
    t->is_text = rc == 0 && n > 0 && t->tokens.n == n; /* every vocabulary word is one token */
    if (rc == 0 && !t->is_text)
        smug_tokens_clear(&t->tokens);
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
    smug_strbuf_clear(&sb);
}

/* One input: returns -1 only for failures that must stop the whole run. */
int cli_run_one(run_ctx *c, const char *input, smug_error *err)
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
        text_input_clear(&t);
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
            smug_explanation_clear(&e), free(x);
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
            smug_mask_result_clear(&m), smug_explanation_clear(&e), free(x), free(ap), free(keep);
            text_input_clear(&t);
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
    smug_mask_result_clear(&m);
    smug_explanation_clear(&e);
    text_input_clear(&t);
    free(x);
    return rc;
}
