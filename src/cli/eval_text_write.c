/* eval_text_write.c — the tables of `smug eval` on a token model (text_eval.h has the
 * metrics): table.md (methods as columns), table.csv (a row per method), inputs.csv (a row
 * per input and method, with the kept words) and eval.json.
 *
 * Every statistic of a method is over the inputs where it produced an explanation (n);
 * sd is the sample standard deviation. LSC, Win % and the boxes measure image crops and do
 * not exist here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eval_write.h"
#include "smug/summary.h"

#define NM SMUG_EVAL_N_METHODS

/* inputs.csv's columns after input, label, predicted and method */
#define INPUT_COLUMNS                                                                              \
    "seen,kept,sparsity,confidence,conf_kept,conf_removed,verified,seconds,ok,note,words"

enum { ST_SPARSITY, ST_KEPT, ST_REMOVED, ST_WORDS, ST_VERIFIED, ST_SECONDS, ST_N };

static double stat_value(const smug_text_eval_result *e, int k)
{
    if (!e->ran || !e->ok)
        return NAN;
    switch (k) {
    case ST_SPARSITY: return e->sparsity;
    case ST_KEPT: return e->conf_kept;
    case ST_REMOVED: return e->conf_removed;
    case ST_WORDS: return e->n_kept;
    case ST_VERIFIED: return e->verified;
    default: return e->seconds;
    }
}

/* The table: per statistic k, its mean (column 2k) and sd (2k + 1) over the inputs where the
 * method produced an explanation. */
static int stats(const cli_eval_run *r, cli_eval_table *t, smug_error *err)
{
    static const char *const keys[2 * ST_N] = {
        "sparsity_mean",     "sparsity_sd",     "conf_kept_mean",  "conf_kept_sd",
        "conf_removed_mean", "conf_removed_sd", "kept_words_mean", "kept_words_sd",
        "verified_mean",     "verified_sd",     "seconds_mean",    "seconds_sd"};
    t->n_cols = 2 * ST_N;
    t->keys = keys;
    double *v = malloc(((size_t)r->n_rows + 1) * sizeof *v);
    if (!v)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int m = 0; m < NM; m++)
        for (int k = 0; k < ST_N; k++) {
            for (int i = 0; i < r->n_rows; i++)
                v[i] = stat_value(&r->rows[i].t.r[m], k);
            smug_mean_sd(v, r->n_rows, 1, &t->v[m][2 * k], &t->v[m][2 * k + 1], &t->n[m]);
        }
    free(v);
    return 0;
}

static const cli_eval_md_row md_rows[] = {
    {"Sparsity (mean)", 2 * ST_SPARSITY, 1.0, "%.3f"},
    {"Sparsity (sd)", 2 * ST_SPARSITY + 1, 1.0, "%.3f"},
    {"conf_kept (mean)", 2 * ST_KEPT, 1.0, "%.3f"},
    {"conf_kept (sd)", 2 * ST_KEPT + 1, 1.0, "%.3f"},
    {"conf_removed (mean)", 2 * ST_REMOVED, 1.0, "%.3f"},
    {"conf_removed (sd)", 2 * ST_REMOVED + 1, 1.0, "%.3f"},
    {"Kept words (mean)", 2 * ST_WORDS, 1.0, "%.1f"},
    {"Neurons kept (%)", 2 * ST_VERIFIED, 100.0, "%.1f"},
    {"Time (ms, mean)", 2 * ST_SECONDS, 1000.0, "%.2f"},
    {"Time (ms, sd)", 2 * ST_SECONDS + 1, 1000.0, "%.2f"},
    {"n", -1, 1.0, ""},
};

static void table_md(smug_strbuf *sb, const cli_eval_run *r, const cli_eval_table *t)
{
    const smug_params *p = r->params;
    smug_strbuf_addf(sb,
                     "# smug eval (text)\n\nmodel `%s`; %d inputs evaluated of %d looked at: %d "
                     "misclassified (skipped), %d without a label (evaluated).\n\n"
                     "top_k %d, gamma %g, one word a cell, solver %s, timeout %g s, steps %d, "
                     "sis_threshold %g, ig_output %s, pad_id %d.\n\n",
                     r->model, r->n_rows, r->n_seen, r->n_misclassified, r->n_unlabelled, p->top_k,
                     p->gamma, p->solver, p->timeout, p->steps, p->sis_threshold,
                     p->ig_output ? "prob" : "logit", p->pad_id);
    cli_eval_table_md(sb, r, t, md_rows, (int)(sizeof md_rows / sizeof *md_rows));
    smug_strbuf_adds(
        sb, "\nSparsity = kept words / words seen (non-padding tokens). conf_kept = softmax "
            "probability of the predicted class on the kept words alone (every other token "
            "replaced by the pad token, whose embedding is zero); conf_removed = the same on "
            "the text with the kept words replaced by pad. Higher conf_kept and lower "
            "conf_removed are better. ig keeps its top words by IG score, as many as smug kept "
            "on that input. Neurons kept: share of inputs where the kept words alone keep every "
            "chosen first-layer neuron above gamma times its value (smug guarantees it). sd = "
            "sample standard deviation over the n inputs where the method produced an "
            "explanation. Time: the method's own work per input (smug and smug_base include "
            "their shared IG and neuron selection). LSC, Win % and the boxes measure image "
            "crops and are left out for text.\n");
}

static int text_predicted(const cli_eval_row *row)
{
    return row->t.predicted;
}

/* inputs.csv after the method: seen, kept, sparsity, confidence, conf_kept, conf_removed,
 * verified, seconds, ok, note, words. */
static void text_rest(smug_strbuf *sb, const cli_eval_row *row, int m)
{
    const smug_text_eval_result *e = &row->t.r[m];
    smug_strbuf_addf(sb, "%d,", row->t.n_seen);
    if (e->ok)
        smug_strbuf_addf(sb, "%d,%.6g,%.6g,%.6g,%.6g,%d", e->n_kept, e->sparsity, row->t.confidence,
                         e->conf_kept, e->conf_removed, e->verified);
    else
        smug_strbuf_addf(sb, ",,%.6g,,,", row->t.confidence);
    smug_strbuf_addf(sb, ",%.4f,%d,", e->seconds, e->ok);
    cli_csv_text(sb, e->note);
    smug_strbuf_adds(sb, ",");
    cli_csv_text(sb, row->words[m] ? row->words[m] : "");
    smug_strbuf_adds(sb, "\n");
}

int cli_eval_write_text(const cli_eval_run *r, const char *dir, smug_error *err)
{
    cli_eval_table t;
    if (stats(r, &t, err) < 0)
        return -1;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    table_md(&sb, r, &t);
    fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout);
    int rc = cli_eval_write_file(dir, "table.md", &sb, err);
    if (rc == 0)
        cli_eval_table_csv(&sb, r, &t), rc = cli_eval_write_file(dir, "table.csv", &sb, err);
    if (rc == 0) {
        cli_eval_inputs_csv(&sb, r, INPUT_COLUMNS, text_predicted, text_rest);
        rc = cli_eval_write_file(dir, "inputs.csv", &sb, err);
    }
    if (rc == 0)
        cli_eval_table_json(&sb, r, &t, "text", 0, NULL, NULL),
            rc = cli_eval_write_file(dir, "eval.json", &sb, err);
    smug_strbuf_clear(&sb);
    if (rc == 0)
        printf("wrote %s/table.md, table.csv, inputs.csv, eval.json, panels/\n", dir);
    return rc;
}
