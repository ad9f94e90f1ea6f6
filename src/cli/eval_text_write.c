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
#include "smug/json.h"
#include "smug/summary.h"

#define NM SMUG_EVAL_N_METHODS

enum { ST_SPARSITY, ST_KEPT, ST_REMOVED, ST_WORDS, ST_VERIFIED, ST_SECONDS, ST_N };

typedef struct text_stat {
    int n;
    double mean[ST_N], sd[ST_N];
} text_stat;

static const char *const stat_keys[ST_N] = {"sparsity",   "conf_kept", "conf_removed",
                                            "kept_words", "verified",  "seconds"};

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

static int stats(const cli_eval_run *r, text_stat *out, smug_error *err)
{
    double *v = malloc(((size_t)r->n_rows + 1) * sizeof *v);
    if (!v)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int m = 0; m < NM; m++)
        for (int k = 0; k < ST_N; k++) {
            for (int i = 0; i < r->n_rows; i++)
                v[i] = stat_value(&r->rows[i].t.r[m], k);
            smug_mean_sd(v, r->n_rows, 1, &out[m].mean[k], &out[m].sd[k], &out[m].n);
        }
    free(v);
    return 0;
}

static void add_num(smug_strbuf *sb, const char *fmt, double v)
{
    if (isnan(v))
        smug_strbuf_adds(sb, "-");
    else
        smug_strbuf_addf(sb, fmt, v);
}

/* One table.md row: statistic k's mean (sd = 0) or sd (sd = 1), scaled. */
static void md_row(smug_strbuf *sb, const cli_eval_run *r, const text_stat *s, const char *name,
                   int k, int sd, double scale, const char *fmt)
{
    smug_strbuf_addf(sb, "| %s |", name);
    for (int m = 0; m < NM; m++) {
        if (!r->on[m])
            continue;
        smug_strbuf_adds(sb, " ");
        if (k < 0)
            smug_strbuf_addf(sb, "%d", s[m].n);
        else
            add_num(sb, fmt, scale * (sd ? s[m].sd[k] : s[m].mean[k]));
        smug_strbuf_adds(sb, " |");
    }
    smug_strbuf_adds(sb, "\n");
}

static void table_md(smug_strbuf *sb, const cli_eval_run *r, const text_stat *s)
{
    const smug_params *p = r->params;
    smug_strbuf_addf(sb,
                     "# smug eval (text)\n\nmodel `%s`; %d inputs evaluated of %d looked at: %d "
                     "misclassified (skipped), %d without a label (evaluated).\n\n"
                     "top_k %d, gamma %g, one word a cell, solver %s, timeout %g s, steps %d, "
                     "sis_threshold %g, ig_output %s, pad_id %d.\n\n| |",
                     r->model, r->n_rows, r->n_seen, r->n_misclassified, r->n_unlabelled, p->top_k,
                     p->gamma, p->solver, p->timeout, p->steps, p->sis_threshold,
                     p->ig_output ? "prob" : "logit", p->pad_id);
    for (int m = 0; m < NM; m++)
        if (r->on[m])
            smug_strbuf_addf(sb, " %s |", smug_eval_method_name(m));
    smug_strbuf_adds(sb, "\n|---|");
    for (int m = 0; m < NM; m++)
        if (r->on[m])
            smug_strbuf_adds(sb, "---:|");
    smug_strbuf_adds(sb, "\n");
    md_row(sb, r, s, "Sparsity (mean)", ST_SPARSITY, 0, 1.0, "%.3f");
    md_row(sb, r, s, "Sparsity (sd)", ST_SPARSITY, 1, 1.0, "%.3f");
    md_row(sb, r, s, "conf_kept (mean)", ST_KEPT, 0, 1.0, "%.3f");
    md_row(sb, r, s, "conf_kept (sd)", ST_KEPT, 1, 1.0, "%.3f");
    md_row(sb, r, s, "conf_removed (mean)", ST_REMOVED, 0, 1.0, "%.3f");
    md_row(sb, r, s, "conf_removed (sd)", ST_REMOVED, 1, 1.0, "%.3f");
    md_row(sb, r, s, "Kept words (mean)", ST_WORDS, 0, 1.0, "%.1f");
    md_row(sb, r, s, "Neurons kept (%)", ST_VERIFIED, 0, 100.0, "%.1f");
    md_row(sb, r, s, "Time (ms, mean)", ST_SECONDS, 0, 1000.0, "%.2f");
    md_row(sb, r, s, "Time (ms, sd)", ST_SECONDS, 1, 1000.0, "%.2f");
    md_row(sb, r, s, "n", -1, 0, 1.0, "");
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

static void table_csv(smug_strbuf *sb, const cli_eval_run *r, const text_stat *s)
{
    smug_strbuf_adds(sb, "method,n");
    for (int k = 0; k < ST_N; k++)
        smug_strbuf_addf(sb, ",%s_mean,%s_sd", stat_keys[k], stat_keys[k]);
    smug_strbuf_adds(sb, "\n");
    for (int m = 0; m < NM; m++) {
        if (!r->on[m])
            continue;
        smug_strbuf_addf(sb, "%s,%d", smug_eval_method_name(m), s[m].n);
        for (int k = 0; k < 2 * ST_N; k++) {
            double v = k % 2 ? s[m].sd[k / 2] : s[m].mean[k / 2];
            smug_strbuf_adds(sb, ",");
            if (!isnan(v))
                smug_strbuf_addf(sb, "%.6g", v);
        }
        smug_strbuf_adds(sb, "\n");
    }
}

static void inputs_csv(smug_strbuf *sb, const cli_eval_run *r)
{
    smug_strbuf_adds(sb, "input,label,predicted,method,seen,kept,sparsity,confidence,conf_kept,"
                         "conf_removed,verified,seconds,ok,note,words\n");
    for (int i = 0; i < r->n_rows; i++)
        for (int m = 0; m < NM; m++) {
            const cli_eval_row *row = &r->rows[i];
            const smug_text_eval_result *e = &row->t.r[m];
            if (!r->on[m])
                continue;
            cli_csv_text(sb, row->input);
            if (row->label >= 0)
                smug_strbuf_addf(sb, ",%d", row->label);
            else
                smug_strbuf_adds(sb, ",");
            smug_strbuf_addf(sb, ",%d,%s,%d,", row->t.predicted, smug_eval_method_name(m),
                             row->t.n_seen);
            if (e->ok)
                smug_strbuf_addf(sb, "%d,%.6g,%.6g,%.6g,%.6g,%d", e->n_kept, e->sparsity,
                                 row->t.confidence, e->conf_kept, e->conf_removed, e->verified);
            else
                smug_strbuf_addf(sb, ",,%.6g,,,", row->t.confidence);
            smug_strbuf_addf(sb, ",%.4f,%d,", e->seconds, e->ok);
            cli_csv_text(sb, e->note);
            smug_strbuf_adds(sb, ",");
            cli_csv_text(sb, row->words[m] ? row->words[m] : "");
            smug_strbuf_adds(sb, "\n");
        }
}

static void eval_json(smug_strbuf *sb, const cli_eval_run *r, const text_stat *s)
{
    smug_json j;
    smug_json_init(&j, sb, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "smug", SMUG_VERSION);
    smug_json_string(&j, "model", r->model);
    smug_json_string(&j, "kind", "text");
    smug_strbuf params = SMUG_STRBUF_INIT;
    smug_params_json(r->params, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_strbuf_free(&params);
    smug_json_int(&j, "evaluated", r->n_rows);
    smug_json_int(&j, "looked_at", r->n_seen);
    smug_json_int(&j, "misclassified_skipped", r->n_misclassified);
    smug_json_int(&j, "unlabelled", r->n_unlabelled);
    smug_json_array_begin(&j, "methods");
    for (int m = 0; m < NM; m++) {
        if (!r->on[m])
            continue;
        smug_json_object_begin(&j, NULL);
        smug_json_string(&j, "method", smug_eval_method_name(m));
        smug_json_int(&j, "n", s[m].n);
        for (int k = 0; k < 2 * ST_N; k++) {
            char key[64];
            double v = k % 2 ? s[m].sd[k / 2] : s[m].mean[k / 2];
            snprintf(key, sizeof key, "%s_%s", stat_keys[k / 2], k % 2 ? "sd" : "mean");
            if (isnan(v))
                smug_json_null(&j, key);
            else
                smug_json_number(&j, key, v);
        }
        smug_json_object_end(&j);
    }
    smug_json_array_end(&j);
    smug_json_object_end(&j);
}

int cli_eval_write_text(const cli_eval_run *r, const char *dir, smug_error *err)
{
    text_stat s[NM];
    if (stats(r, s, err) < 0)
        return -1;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    table_md(&sb, r, s);
    fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout);
    int rc = cli_eval_write_file(dir, "table.md", &sb, err);
    if (rc == 0)
        table_csv(&sb, r, s), rc = cli_eval_write_file(dir, "table.csv", &sb, err);
    if (rc == 0)
        inputs_csv(&sb, r), rc = cli_eval_write_file(dir, "inputs.csv", &sb, err);
    if (rc == 0)
        eval_json(&sb, r, s), rc = cli_eval_write_file(dir, "eval.json", &sb, err);
    smug_strbuf_free(&sb);
    if (rc == 0)
        printf("wrote %s/table.md, table.csv, inputs.csv, eval.json, panels/\n", dir);
    return rc;
}
