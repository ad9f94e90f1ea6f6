/* run_input.c — `smug run` for one input (run_input.h): the pipeline (run/pipeline.c),
 * --keep-class, the pictures or the text view, and its entry in report.json.
 *
 * A failure of the input's mask stages is its status "error" in the report, not a failed
 * run; only bad files and the like return -1. It knows nothing of other inputs or workers,
 * and prints nothing: the command shows what on_input hands it.
 */
#include "smug/run_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/artifacts.h"
#include "smug/input.h"
#include "smug/report.h"
#include "smug/score.h"

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

static const char *class_name(const smug_run_ctx *c, int cls)
{
    return smug_class_name(c->names, cls);
}

/* A .txt input (text_in.c). */
static int load_text(smug_run_ctx *c, const char *input, text_input *t, float **out_x,
                     smug_error *err)
{
    char warning[600];
    if (smug_text_load(c->plan, c->net, c->names->vocab, input, &t->tokens, out_x, warning,
                       sizeof warning, err) < 0)
        return -1;
    if (warning[0] && c->on_warning)
        c->on_warning(c, warning);
    t->is_text = 1;
    return 0;
}

/* A .npy of token ids for a token model with a vocabulary: its words (the vocabulary's
 * spelling, up to the last non-padding id) stand in for the text in the outputs. Ids
 * outside the vocabulary fail later, in the forward pass, naming the position. */
static int npy_words(smug_run_ctx *c, const float *x, text_input *t, const char *input,
                     smug_error *err)
{
    smug_tokens_opts o = smug_token_opts(c->net, &c->plan->params);
    int n = o.max_len;
    while (n > 0 && (int)x[n - 1] == o.pad_id)
        n--;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    for (int i = 0; i < n; i++) {
        const char *w = smug_vocab_word(c->names->vocab, (int)x[i]);
        smug_strbuf_addf(&sb, "%s%s", i ? " " : "", w ? w : "?");
    }
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0 && n > 0)
        rc = smug_tokenize(c->names->vocab, sb.buf, sb.len, &o, input, &t->tokens, err);
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

static smug_textview text_view(const smug_run_ctx *c, const char *input, const smug_explanation *e,
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
static int write_outputs(smug_run_ctx *c, const char *input, const float *x,
                         const smug_explanation *e, const smug_mask_result *m, text_input *t,
                         const char *dir, smug_artifact_paths *ap, smug_error *err)
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
    size_t max_bytes = (size_t)(c->plan->params.proof_max_mb * 1048576.0);
    if (smug_artifacts_write_proof(m, source, dir, max_bytes, ap, err) < 0)
        return -1;
    if (!t->is_text)
        return smug_artifacts_write(c->net, &c->plan->params, x, m, dir, ap, err);
    char num[32];
    if (text_masks(m, t, err) < 0)
        return -1;
    smug_textview v = text_view(c, input, e, m, t, num, sizeof num);
    return smug_artifacts_write_text(&v, t->keep, dir, ap, err);
}

/* What the console shows of the input: on_input, with a text's words marked for a
 * terminal. */
static void show_input(smug_run_ctx *c, const char *input, const smug_explanation *e,
                       const smug_mask_result *m, const text_input *t, const char *error,
                       const smug_keep_result *keep)
{
    smug_strbuf ansi = SMUG_STRBUF_INIT;
    if (!error && t->is_text) {
        char num[32];
        smug_textview v = text_view(c, input, e, m, t, num, sizeof num);
        smug_textview_ansi(&v, &ansi);
    }
    smug_run_done d = {input, e, m, error, keep, t->is_text, ansi.buf};
    c->on_input(c, &d);
    smug_strbuf_clear(&ansi);
}

int smug_run_input(smug_run_ctx *c, const char *input, smug_error *err)
{
    const smug_params *p = &c->plan->params;
    double t0 = smug_now();
    float *x = NULL;
    text_input t;
    memset(&t, 0, sizeof t);
    size_t len = strlen(input);
    int loaded = len >= 4 && strcmp(input + len - 4, ".txt") == 0
                     ? load_text(c, input, &t, &x, err)
                     : smug_input_load(input, &c->net->input, p->pixel_min, p->pixel_max, &x, err);
    if (loaded == 0 && !t.is_text && c->net->input_is_tokens && c->names->vocab)
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
        smug_report_paths rp = {ap->saliency, ap->overlay, ap->mask, ap->mask_npy, NULL, 0};
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
        if (c->on_input)
            show_input(c, input, &e, &m, &t, failed ? merr.msg : NULL, failed ? NULL : keep);
        rp.proof = ap->proof[0] ? ap->proof : NULL;
        rp.proof_omitted = ap->proof_omitted;
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
