/* eval_write.c — the tables of `smug eval` (cmd_eval.c collects the numbers):
 * table.md (methods as columns, as the paper's tables), table.csv (one row per method),
 * inputs.csv (one row per input and method) and eval.json.
 *
 * Win% compares every method that ran except optbox (a bound, not an explanation, as the
 * paper leaves it out); spread is the sample standard deviation of LSC.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eval_write.h"
#include "smug/fsutil.h"
#include "smug/json.h"
#include "smug/strbuf.h"
#include "smug/summary.h"

#define NM SMUG_EVAL_N_METHODS

/* inputs.csv's columns after input, label, predicted and method */
#define INPUT_COLUMNS "lsc,area,confidence,sparsity,seconds,ok,note,deletion_auc,insertion_auc"

static int summarize(const cli_eval_run *r, smug_summary *out, smug_error *err)
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
static void summarize_rho(const cli_eval_run *r, auc_summary *out)
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

static int summarize_auc(const cli_eval_run *r, auc_summary *out, smug_error *err)
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

static void fill_table(const smug_summary *s, const auc_summary *auc, cli_eval_table *t)
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

static const cli_eval_md_row md_rows[] = {
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

static void md_settings(smug_strbuf *sb, const cli_eval_run *r)
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

static void table_md(smug_strbuf *sb, const cli_eval_run *r, const cli_eval_table *t,
                     const auc_summary *auc)
{
    smug_strbuf_adds(sb, "# smug eval\n\n");
    md_settings(sb, r);
    cli_eval_table_md(sb, r, t, md_rows, auc->n_rho ? 10 : 8);
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
    if (auc->n_rho)
        smug_strbuf_addf(sb,
                         "Random ρ: mean Spearman rank correlation of the method's map with its "
                         "map on the model with the top Dense/Conv layer (then all %d) "
                         "re-initialised at random; a map that explains the model should "
                         "change (ρ near 0). eval.json lists every step.\n",
                         auc->n_rho);
}

static int image_predicted(const cli_eval_row *row)
{
    return row->e.predicted;
}

/* inputs.csv after the method: lsc, area, confidence, sparsity, seconds, ok, note,
 * deletion_auc, insertion_auc. */
static void image_rest(smug_strbuf *sb, const cli_eval_row *row, int m)
{
    const smug_eval_result *e = &row->e.r[m];
    if (e->ok)
        smug_strbuf_addf(sb, "%.6g,%.6g,%.6g,%.6g", e->lsc.lsc, e->lsc.area, e->lsc.confidence,
                         e->sparsity);
    else
        smug_strbuf_adds(sb, ",,,");
    smug_strbuf_addf(sb, ",%.4f,%d,", e->seconds, e->ok);
    cli_csv_text(sb, e->note);
    if (e->curve_n)
        smug_strbuf_addf(sb, ",%.6g,%.6g\n", e->auc_del, e->auc_ins);
    else
        smug_strbuf_adds(sb, ",,\n");
}

/* eval.json's addition per method: every randomisation step's mean ρ (step t: the t + 1
 * layers nearest the output randomised). */
static void json_rho(struct smug_json *j, int m, const void *arg)
{
    const auc_summary *auc = arg;
    if (!auc->n_rho)
        return;
    smug_json_array_begin(j, "randomisation_rho");
    for (int t = 0; t < auc->n_rho; t++) {
        if (isnan(auc->rho[m][t]))
            smug_json_null(j, NULL);
        else
            smug_json_number(j, NULL, auc->rho[m][t]);
    }
    smug_json_array_end(j);
}

/* DIR/curves.png (evaluate.h) from every evaluated input. */
static int write_curves(const cli_eval_run *r, const char *dir, smug_error *err)
{
    const smug_eval_input **in = malloc((size_t)(r->n_rows ? r->n_rows : 1) * sizeof *in);
    if (!in)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < r->n_rows; i++)
        in[i] = &r->rows[i].e;
    char path[4200];
    snprintf(path, sizeof path, "%s/curves.png", dir);
    int rc = smug_eval_write_curves(path, in, r->n_rows, err);
    free(in);
    return rc;
}

int cli_eval_write(const cli_eval_run *r, const char *dir, smug_error *err)
{
    smug_summary s[NM];
    auc_summary auc;
    cli_eval_table t;
    if (summarize(r, s, err) < 0 || summarize_auc(r, &auc, err) < 0)
        return -1;
    fill_table(s, &auc, &t);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    table_md(&sb, r, &t, &auc);
    fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout);
    int rc = cli_eval_write_file(dir, "table.md", &sb, err);
    if (rc == 0)
        cli_eval_table_csv(&sb, r, &t), rc = cli_eval_write_file(dir, "table.csv", &sb, err);
    if (rc == 0) {
        cli_eval_inputs_csv(&sb, r, INPUT_COLUMNS, image_predicted, image_rest);
        rc = cli_eval_write_file(dir, "inputs.csv", &sb, err);
    }
    if (rc == 0)
        cli_eval_table_json(&sb, r, &t, NULL, 1, json_rho, &auc),
            rc = cli_eval_write_file(dir, "eval.json", &sb, err);
    if (rc == 0)
        rc = write_curves(r, dir, err);
    smug_strbuf_clear(&sb);
    if (rc == 0)
        printf("wrote %s/table.md, table.csv, inputs.csv, eval.json, curves.png, panels/\n", dir);
    return rc;
}
