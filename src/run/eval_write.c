/* eval_write.c — the one writer of `smug eval`'s tables (eval_write.h), for images and
 * text alike: table.md (methods as columns, as the paper's tables), table.csv (a row per
 * method), inputs.csv (a row per input and method) and eval.json, all from one table of
 * columns, and for images curves.png.
 *
 * What a kind of input measures is a table_kind below (its columns and their rows in
 * table.md, the prose around them, its inputs.csv columns, eval.json's extras); how a
 * number, a missing value (NaN: "-" in table.md, empty in CSV, null in JSON) or a method
 * list is written is decided once. Win% compares every method that ran except optbox (a
 * bound, not an explanation, as the paper leaves it out); sd is the sample standard
 * deviation. It prints nothing.
 */
#include "smug/eval_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/fsutil.h"
#include "smug/json.h"
#include "smug/plot.h"
#include "smug/summary.h"

#define NM       SMUG_EVAL_N_METHODS
#define MAX_COLS 16

/* For each method m, n[m] inputs and one value per column (NaN: none). A column with a NULL
 * key is shown in table.md only. n_rho and rho: the images' randomisation check (0: none). */
typedef struct eval_table {
    int n_cols;
    const char *const *keys; /* [n_cols] table.csv / eval.json names, in order */
    int n[NM];
    double v[NM][MAX_COLS];
    int n_rho;                         /* randomisation steps (0: not run) */
    double rho[NM][SMUG_EVAL_MAX_RHO]; /* mean Spearman correlation per method and step */
} eval_table;

/* One table.md row: label, the column shown (-1: n) times scale, printed with fmt. */
typedef struct md_row {
    const char *label;
    int col;
    double scale;
    const char *fmt;
} md_row;

/* What images and text write differently. */
typedef struct table_kind {
    /* Fills t and writes table.md's text into md. */
    int (*table)(const smug_eval_run *r, eval_table *t, smug_strbuf *md, smug_error *err);
    const char *inputs_head; /* inputs.csv's columns after input, label, predicted, method */
    /* the rest of an inputs.csv line (its end included) */
    void (*inputs_rest)(smug_strbuf *sb, const smug_eval_row *row, int m);
    const char *json_kind;                                       /* eval.json's "kind", or NULL */
    int with_note;                                               /* eval.json carries r->note */
    void (*json_more)(smug_json *j, int m, const eval_table *t); /* or NULL */
    int curves;                                                  /* write curves.png */
} table_kind;

/* CSV field: quoted, with inner quotes doubled. */
static void csv_text(smug_strbuf *sb, const char *s)
{
    smug_strbuf_adds(sb, "\"");
    for (; *s; s++)
        smug_strbuf_adds(sb, *s == '"' ? "\"\"" : (char[2]){*s, 0});
    smug_strbuf_adds(sb, "\"");
}

/* ---- written the same for every kind ------------------------------------------------ */
/* A number for table.md, "-" for NaN. */
static void md_num(smug_strbuf *sb, const char *fmt, double v)
{
    if (isnan(v))
        smug_strbuf_adds(sb, "-");
    else
        smug_strbuf_addf(sb, fmt, v);
}

static void table_md_rows(smug_strbuf *sb, const smug_eval_run *r, const eval_table *t,
                          const md_row *rows, int n_rows)
{
    smug_strbuf_adds(sb, "| |");
    for (int m = 0; m < NM; m++)
        if (r->on[m])
            smug_strbuf_addf(sb, " %s |", smug_eval_method_name(m));
    smug_strbuf_adds(sb, "\n|---|");
    for (int m = 0; m < NM; m++)
        if (r->on[m])
            smug_strbuf_adds(sb, "---:|");
    smug_strbuf_adds(sb, "\n");
    for (int w = 0; w < n_rows; w++) {
        smug_strbuf_addf(sb, "| %s |", rows[w].label);
        for (int m = 0; m < NM; m++) {
            if (!r->on[m])
                continue;
            smug_strbuf_adds(sb, " ");
            if (rows[w].col < 0)
                smug_strbuf_addf(sb, "%d", t->n[m]);
            else
                md_num(sb, rows[w].fmt, rows[w].scale * t->v[m][rows[w].col]);
            smug_strbuf_adds(sb, " |");
        }
        smug_strbuf_adds(sb, "\n");
    }
}

static void table_csv(smug_strbuf *sb, const smug_eval_run *r, const eval_table *t)
{
    smug_strbuf_adds(sb, "method,n");
    for (int k = 0; k < t->n_cols; k++)
        if (t->keys[k])
            smug_strbuf_addf(sb, ",%s", t->keys[k]);
    smug_strbuf_adds(sb, "\n");
    for (int m = 0; m < NM; m++) {
        if (!r->on[m])
            continue;
        smug_strbuf_addf(sb, "%s,%d", smug_eval_method_name(m), t->n[m]);
        for (int k = 0; k < t->n_cols; k++) {
            if (!t->keys[k])
                continue;
            smug_strbuf_adds(sb, ",");
            if (!isnan(t->v[m][k]))
                smug_strbuf_addf(sb, "%.6g", t->v[m][k]);
        }
        smug_strbuf_adds(sb, "\n");
    }
}

static void table_json(smug_strbuf *sb, const smug_eval_run *r, const eval_table *t,
                       const table_kind *k)
{
    smug_json j;
    smug_json_init(&j, sb, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "smug", SMUG_VERSION);
    smug_json_string(&j, "model", r->model);
    if (k->json_kind)
        smug_json_string(&j, "kind", k->json_kind);
    smug_strbuf params = SMUG_STRBUF_INIT;
    smug_params_json(r->params, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_strbuf_clear(&params);
    smug_json_int(&j, "evaluated", r->n_rows);
    smug_json_int(&j, "looked_at", r->n_seen);
    smug_json_int(&j, "misclassified_skipped", r->n_misclassified);
    smug_json_int(&j, "unlabelled", r->n_unlabelled);
    if (k->with_note && r->note[0])
        smug_json_string(&j, "note", r->note);
    smug_json_array_begin(&j, "methods");
    for (int m = 0; m < NM; m++) {
        if (!r->on[m])
            continue;
        smug_json_object_begin(&j, NULL);
        smug_json_string(&j, "method", smug_eval_method_name(m));
        smug_json_int(&j, "n", t->n[m]);
        for (int c = 0; c < t->n_cols; c++) {
            if (!t->keys[c])
                continue;
            if (isnan(t->v[m][c]))
                smug_json_null(&j, t->keys[c]);
            else
                smug_json_number(&j, t->keys[c], t->v[m][c]);
        }
        if (k->json_more)
            k->json_more(&j, m, t);
        smug_json_object_end(&j);
    }
    smug_json_array_end(&j);
    smug_json_object_end(&j);
}

static void inputs_csv(smug_strbuf *sb, const smug_eval_run *r, const table_kind *k)
{
    smug_strbuf_addf(sb, "input,label,predicted,method,%s\n", k->inputs_head);
    for (int i = 0; i < r->n_rows; i++)
        for (int m = 0; m < NM; m++) {
            const smug_eval_row *row = &r->rows[i];
            if (!r->on[m])
                continue;
            csv_text(sb, row->input);
            if (row->label >= 0)
                smug_strbuf_addf(sb, ",%d", row->label);
            else
                smug_strbuf_adds(sb, ",");
            smug_strbuf_addf(sb, ",%d,%s,", row->e.predicted, smug_eval_method_name(m));
            k->inputs_rest(sb, row, m);
        }
}

/* DIR/name written atomically from sb, which is reset. */
static int write_file(const char *dir, const char *name, smug_strbuf *sb, smug_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = smug_strbuf_check(sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb->buf ? sb->buf : "", sb->len, err);
    smug_strbuf_reset(sb);
    return rc;
}

/* ---- images ------------------------------------------------------------------------- */

static int summarize(const smug_eval_run *r, smug_summary *out, smug_error *err)
{
    size_t n = (size_t)r->n_rows * NM;
    double *lsc = malloc((n + 1) * sizeof *lsc), *sp = malloc((n + 1) * sizeof *sp),
           *sec = malloc((n + 1) * sizeof *sec);
    uint8_t compete[NM];
    int any = 0;
    for (int m = 0; m < NM; m++)
        any += compete[m] = r->on[m] && m != SMUG_EVAL_OPTBOX;
    int rc = lsc && sp && sec ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == 0 && i < r->n_rows; i++)
        for (int m = 0; m < NM; m++) {
            const smug_eval_result *e = &r->rows[i].e.r[m];
            lsc[(size_t)i * NM + m] = e->ran && e->ok ? e->lsc.lsc : NAN;
            sp[(size_t)i * NM + m] = e->ran && e->ok ? e->sparsity : NAN;
            sec[(size_t)i * NM + m] = e->ran ? e->seconds : NAN;
        }
    if (rc == 0 && !any) /* only optbox: no Win% to compute */
        compete[SMUG_EVAL_OPTBOX] = 1;
    if (rc == 0)
        rc = smug_summarize(lsc, sp, sec, r->n_rows, NM, compete, out, err);
    for (int m = 0; rc == 0 && !any && m < NM; m++)
        out[m].win = NAN;
    free(lsc), free(sp), free(sec);
    return rc;
}

/* Mean deletion and insertion AUC per method over the inputs where it has curves. */
typedef struct auc_summary {
    double del[NM], ins[NM];
    int n_rho;                         /* randomisation steps (0: not run) */
    double rho[NM][SMUG_EVAL_MAX_RHO]; /* mean Spearman correlation per method and step */
} auc_summary;

/* Mean randomisation correlations (NaN skipped) per method and step. */
static void summarize_rho(const smug_eval_run *r, auc_summary *out)
{
    out->n_rho = 0;
    for (int m = 0; m < NM; m++)
        for (int t = 0; t < SMUG_EVAL_MAX_RHO; t++) {
            double sum = 0.0;
            int k = 0;
            for (int i = 0; i < r->n_rows; i++) {
                const smug_eval_result *e = &r->rows[i].e.r[m];
                if (t < e->n_rho && !isnan(e->rho[t]))
                    sum += e->rho[t], k++;
                if (e->n_rho > out->n_rho)
                    out->n_rho = e->n_rho;
            }
            out->rho[m][t] = k ? sum / k : NAN;
        }
}

static int summarize_auc(const smug_eval_run *r, auc_summary *out, smug_error *err)
{
    size_t n = (size_t)r->n_rows * NM;
    double *del = malloc((n + 1) * sizeof *del), *ins = malloc((n + 1) * sizeof *ins);
    if (!del || !ins) {
        free(del), free(ins);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < r->n_rows; i++)
        for (int m = 0; m < NM; m++) {
            const smug_eval_result *e = &r->rows[i].e.r[m];
            del[(size_t)i * NM + m] = e->ran && e->curve_n ? e->auc_del : NAN;
            ins[(size_t)i * NM + m] = e->ran && e->curve_n ? e->auc_ins : NAN;
        }
    for (int m = 0; m < NM; m++) {
        double sd;
        int k;
        smug_mean_sd(del + m, r->n_rows, NM, &out->del[m], &sd, &k);
        smug_mean_sd(ins + m, r->n_rows, NM, &out->ins[m], &sd, &k);
    }
    free(del), free(ins);
    summarize_rho(r, out);
    return 0;
}

/* The table: the summary's and the AUC's numbers per method; the randomisation ρ of the
 * top layer and of all layers are table.md rows only (eval.json lists every step). */
static const char *const table_keys[] = {"lsc_mean",           "lsc_sd",       "win_pct",
                                         "sparsity_mean",      "seconds_mean", "deletion_auc_mean",
                                         "insertion_auc_mean", NULL,           NULL};

static void fill_table(const smug_summary *s, const auc_summary *auc, eval_table *t)
{
    t->n_cols = (int)(sizeof table_keys / sizeof *table_keys);
    t->keys = table_keys;
    for (int m = 0; m < NM; m++) {
        double v[] = {
            s[m].lsc_mean,      s[m].lsc_sd,       100.0 * s[m].win,
            s[m].sparsity_mean, s[m].seconds_mean, auc->del[m],
            auc->ins[m],        auc->rho[m][0],    auc->n_rho ? auc->rho[m][auc->n_rho - 1] : NAN};
        t->n[m] = s[m].n;
        memcpy(t->v[m], v, sizeof v);
    }
}

static const md_row image_md_rows[] = {
    {"LSC (mean)", 0, 1.0, "%.3f"},
    {"LSC (sd)", 1, 1.0, "%.3f"},
    {"Win %", 2, 1.0, "%.1f"},
    {"Sparsity", 3, 1.0, "%.3f"},
    {"Time (ms)", 4, 1000.0, "%.2f"},
    {"n", -1, 1.0, ""},
    {"Deletion AUC", 5, 1.0, "%.3f"},
    {"Insertion AUC", 6, 1.0, "%.3f"},
    {"Random ρ (top layer)", 7, 1.0, "%.3f"},
    {"Random ρ (all layers)", 8, 1.0, "%.3f"},
};

static void md_settings(smug_strbuf *sb, const smug_eval_run *r)
{
    const smug_params *p = r->params;
    smug_strbuf_addf(sb,
                     "model `%s`; %d inputs evaluated of %d looked at: %d misclassified "
                     "(skipped), %d without a label (evaluated).\n\n"
                     "top_k %d, gamma %g, window %d, solver %s, timeout %g s, steps %d, "
                     "optbox_grid %d, sis_threshold %g, lsc_levels %d, score %s, ig_output %s.\n\n",
                     r->model, r->n_rows, r->n_seen, r->n_misclassified, r->n_unlabelled, p->top_k,
                     p->gamma, p->window, p->solver, p->timeout, p->steps, p->optbox_grid,
                     p->sis_threshold, p->lsc_levels, p->score ? "max" : "sum",
                     p->ig_output ? "prob" : "logit");
}

static void image_md(smug_strbuf *sb, const smug_eval_run *r, const eval_table *t)
{
    smug_strbuf_adds(sb, "# smug eval\n\n");
    md_settings(sb, r);
    table_md_rows(sb, r, t, image_md_rows, t->n_rho ? 10 : 8);
    if (r->note[0])
        smug_strbuf_addf(sb, "\n%s\n", r->note);
    smug_strbuf_adds(
        sb, "\nLSC = log(max(0.05, a)) - log(c), lower is better; sd = sample standard "
            "deviation over the n inputs where the method produced an LSC. Win %: share of "
            "inputs where the method has the lowest LSC (ties split), optbox excluded. "
            "Sparsity: kept pixel fraction of the method's mask (smug, smug_base, sis), else "
            "the area of its LSC box. Time: mean milliseconds of the method's own work per input "
            "(smug and smug_base include their shared IG and neuron selection). Deletion / "
            "insertion AUC: mean area under the target's softmax probability as the method's "
            "cells (window grid, ranked by the map) are set to the baseline / restored from it; "
            "lower deletion and higher insertion AUC are better; curves.png plots the mean "
            "curves; boxes have no map, so no curves.\n");
    if (t->n_rho)
        smug_strbuf_addf(sb,
                         "Random ρ: mean Spearman rank correlation of the method's map with its "
                         "map on the model with the top Dense/Conv layer (then all %d) "
                         "re-initialised at random; a map that explains the model should "
                         "change (ρ near 0). eval.json lists every step.\n",
                         t->n_rho);
}

/* inputs.csv after the method: lsc, area, confidence, sparsity, seconds, ok, note,
 * deletion_auc, insertion_auc. */
static void image_rest(smug_strbuf *sb, const smug_eval_row *row, int m)
{
    const smug_eval_result *e = &row->e.r[m];
    if (e->ok)
        smug_strbuf_addf(sb, "%.6g,%.6g,%.6g,%.6g", e->lsc.lsc, e->lsc.area, e->lsc.confidence,
                         e->sparsity);
    else
        smug_strbuf_adds(sb, ",,,");
    smug_strbuf_addf(sb, ",%.4f,%d,", e->seconds, e->ok);
    csv_text(sb, e->note);
    if (e->curve_n)
        smug_strbuf_addf(sb, ",%.6g,%.6g\n", e->auc_del, e->auc_ins);
    else
        smug_strbuf_adds(sb, ",,\n");
}

/* eval.json's addition per method: every randomisation step's mean ρ (step t: the t + 1
 * layers nearest the output randomised). */
static void json_rho(smug_json *j, int m, const eval_table *t)
{
    if (!t->n_rho)
        return;
    smug_json_array_begin(j, "randomisation_rho");
    for (int s = 0; s < t->n_rho; s++) {
        if (isnan(t->rho[m][s]))
            smug_json_null(j, NULL);
        else
            smug_json_number(j, NULL, t->rho[m][s]);
    }
    smug_json_array_end(j);
}

static int image_table(const smug_eval_run *r, eval_table *t, smug_strbuf *md, smug_error *err)
{
    smug_summary s[NM];
    auc_summary auc;
    if (summarize(r, s, err) < 0 || summarize_auc(r, &auc, err) < 0)
        return -1;
    fill_table(s, &auc, t);
    t->n_rho = auc.n_rho;
    memcpy(t->rho, auc.rho, sizeof t->rho);
    image_md(md, r, t);
    return 0;
}

/* DIR/curves.png: the mean deletion and insertion curves of every method over the inputs
 * whose curves have the first one's points (plot.h); nothing when no input has curves. */
static int write_curves(const smug_eval_run *r, const char *dir, smug_error *err)
{
    int n = 0; /* points of the first input's curves: one model, one grid, so everyone's */
    for (int i = 0; i < r->n_rows && !n; i++)
        for (int m = 0; m < NM && !n; m++)
            n = r->rows[i].e.r[m].curve_n;
    if (!n)
        return 0; /* no method with a map ran */
    double *buf = calloc((size_t)NM * 3 * (size_t)n, sizeof *buf);
    if (!buf)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    smug_plot_series del[NM], ins[NM];
    int ns = 0;
    for (int m = 0; m < NM; m++) {
        double *x = buf + (size_t)m * 3 * (size_t)n, *yd = x + n, *yi = yd + n;
        int k = 0;
        for (int i = 0; i < r->n_rows; i++) {
            const smug_eval_result *e = &r->rows[i].e.r[m];
            if (e->curve_n != n)
                continue;
            for (int t = 0; t < n; t++)
                x[t] = e->curve_frac[t], yd[t] += e->curve_del[t], yi[t] += e->curve_ins[t];
            k++;
        }
        if (!k)
            continue;
        for (int t = 0; t < n; t++)
            yd[t] /= k, yi[t] /= k;
        del[ns] = (smug_plot_series){smug_eval_method_name(m), m, x, yd, n};
        ins[ns++] = (smug_plot_series){smug_eval_method_name(m), m, x, yi, n};
    }
    smug_plot_chart charts[2] = {{"deletion", del, ns}, {"insertion", ins, ns}};
    char path[4200];
    snprintf(path, sizeof path, "%s/curves.png", dir);
    int rc = smug_plot_write(path, charts, 2, err);
    free(buf);
    return rc;
}

/* ---- text --------------------------------------------------------------------------- */

enum { ST_SPARSITY, ST_KEPT, ST_REMOVED, ST_WORDS, ST_VERIFIED, ST_SECONDS, ST_N };

static double stat_value(const smug_eval_result *e, int k)
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
static int stats(const smug_eval_run *r, eval_table *t, smug_error *err)
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
                v[i] = stat_value(&r->rows[i].e.r[m], k);
            smug_mean_sd(v, r->n_rows, 1, &t->v[m][2 * k], &t->v[m][2 * k + 1], &t->n[m]);
        }
    free(v);
    return 0;
}

static const md_row text_md_rows[] = {
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

static void text_md(smug_strbuf *sb, const smug_eval_run *r, const eval_table *t)
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
    table_md_rows(sb, r, t, text_md_rows, (int)(sizeof text_md_rows / sizeof *text_md_rows));
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

/* inputs.csv after the method: seen, kept, sparsity, confidence, conf_kept, conf_removed,
 * verified, seconds, ok, note, words. */
static void text_rest(smug_strbuf *sb, const smug_eval_row *row, int m)
{
    const smug_eval_result *e = &row->e.r[m];
    smug_strbuf_addf(sb, "%d,", row->e.n_seen);
    if (e->ok)
        smug_strbuf_addf(sb, "%d,%.6g,%.6g,%.6g,%.6g,%d", e->n_kept, e->sparsity, row->e.confidence,
                         e->conf_kept, e->conf_removed, e->verified);
    else
        smug_strbuf_addf(sb, ",,%.6g,,,", row->e.confidence);
    smug_strbuf_addf(sb, ",%.4f,%d,", e->seconds, e->ok);
    csv_text(sb, e->note);
    smug_strbuf_adds(sb, ",");
    csv_text(sb, row->words[m] ? row->words[m] : "");
    smug_strbuf_adds(sb, "\n");
}

static int text_table(const smug_eval_run *r, eval_table *t, smug_strbuf *md, smug_error *err)
{
    if (stats(r, t, err) < 0)
        return -1;
    t->n_rho = 0;
    text_md(md, r, t);
    return 0;
}

/* ---- the kinds and the writer --------------------------------------------------------- */

static const table_kind image_kind = {
    .table = image_table,
    .inputs_head = "lsc,area,confidence,sparsity,seconds,ok,note,deletion_auc,insertion_auc",
    .inputs_rest = image_rest,
    .with_note = 1,
    .json_more = json_rho,
    .curves = 1};

static const table_kind text_kind = {
    .table = text_table,
    .inputs_head =
        "seen,kept,sparsity,confidence,conf_kept,conf_removed,verified,seconds,ok,note,words",
    .inputs_rest = text_rest,
    .json_kind = "text"};

int smug_eval_write(const smug_eval_run *r, const char *dir, smug_strbuf *out_md, smug_error *err)
{
    const table_kind *k = r->text ? &text_kind : &image_kind;
    eval_table t;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    int rc = k->table(r, &t, &sb, err);
    if (rc == 0 && out_md)
        smug_strbuf_add(out_md, sb.buf ? sb.buf : "", sb.len);
    if (rc == 0)
        rc = write_file(dir, "table.md", &sb, err);
    if (rc == 0)
        table_csv(&sb, r, &t), rc = write_file(dir, "table.csv", &sb, err);
    if (rc == 0)
        inputs_csv(&sb, r, k), rc = write_file(dir, "inputs.csv", &sb, err);
    if (rc == 0)
        table_json(&sb, r, &t, k), rc = write_file(dir, "eval.json", &sb, err);
    if (rc == 0 && k->curves)
        rc = write_curves(r, dir, err);
    smug_strbuf_clear(&sb);
    return rc;
}

void smug_eval_run_clear(smug_eval_run *r)
{
    for (int i = 0; i < r->n_rows; i++) {
        free(r->rows[i].input);
        for (int m = 0; m < NM; m++)
            free(r->rows[i].words[m]);
        smug_eval_input_clear(&r->rows[i].e);
    }
    free(r->rows);
    r->rows = NULL;
    r->n_rows = 0;
}
