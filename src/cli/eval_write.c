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

/* A number for a table, "-" for NaN. */
static void add_num(smug_strbuf *sb, const char *fmt, double v)
{
    if (isnan(v))
        smug_strbuf_adds(sb, "-");
    else
        smug_strbuf_addf(sb, fmt, v);
}

static void md_row(smug_strbuf *sb, const cli_eval_run *r, const smug_summary *s,
                   const auc_summary *auc, const char *name, int which)
{
    smug_strbuf_addf(sb, "| %s |", name);
    for (int m = 0; m < NM; m++) {
        if (!r->on[m])
            continue;
        smug_strbuf_adds(sb, " ");
        switch (which) {
        case 0: add_num(sb, "%.3f", s[m].lsc_mean); break;
        case 1: add_num(sb, "%.3f", s[m].lsc_sd); break;
        case 2: add_num(sb, "%.1f", 100.0 * s[m].win); break;
        case 3: add_num(sb, "%.3f", s[m].sparsity_mean); break;
        case 4: add_num(sb, "%.2f", 1000.0 * s[m].seconds_mean); break;
        case 6: add_num(sb, "%.3f", auc->del[m]); break;
        case 7: add_num(sb, "%.3f", auc->ins[m]); break;
        case 8: add_num(sb, "%.3f", auc->rho[m][0]); break;
        case 9: add_num(sb, "%.3f", auc->n_rho ? auc->rho[m][auc->n_rho - 1] : NAN); break;
        default: smug_strbuf_addf(sb, "%d", s[m].n); break;
        }
        smug_strbuf_adds(sb, " |");
    }
    smug_strbuf_adds(sb, "\n");
}

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

static void table_md(smug_strbuf *sb, const cli_eval_run *r, const smug_summary *s,
                     const auc_summary *auc)
{
    smug_strbuf_adds(sb, "# smug eval\n\n");
    md_settings(sb, r);
    smug_strbuf_adds(sb, "| |");
    for (int m = 0; m < NM; m++)
        if (r->on[m])
            smug_strbuf_addf(sb, " %s |", smug_eval_method_name(m));
    smug_strbuf_adds(sb, "\n|---|");
    for (int m = 0; m < NM; m++)
        if (r->on[m])
            smug_strbuf_adds(sb, "---:|");
    smug_strbuf_adds(sb, "\n");
    static const char *const rows[] = {"LSC (mean)",
                                       "LSC (sd)",
                                       "Win %",
                                       "Sparsity",
                                       "Time (ms)",
                                       "n",
                                       "Deletion AUC",
                                       "Insertion AUC",
                                       "Random ρ (top layer)",
                                       "Random ρ (all layers)"};
    for (int w = 0; w < (auc->n_rho ? 10 : 8); w++)
        md_row(sb, r, s, auc, rows[w], w);
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

static void table_csv(smug_strbuf *sb, const cli_eval_run *r, const smug_summary *s,
                      const auc_summary *auc)
{
    smug_strbuf_adds(sb, "method,n,lsc_mean,lsc_sd,win_pct,sparsity_mean,seconds_mean,"
                         "deletion_auc_mean,insertion_auc_mean\n");
    for (int m = 0; m < NM; m++) {
        if (!r->on[m])
            continue;
        smug_strbuf_addf(sb, "%s,%d,", smug_eval_method_name(m), s[m].n);
        double v[] = {s[m].lsc_mean,     s[m].lsc_sd, 100.0 * s[m].win, s[m].sparsity_mean,
                      s[m].seconds_mean, auc->del[m], auc->ins[m]};
        for (int k = 0; k < 7; k++) {
            if (!isnan(v[k]))
                smug_strbuf_addf(sb, "%.6g", v[k]);
            smug_strbuf_adds(sb, k < 6 ? "," : "\n");
        }
    }
}

/* CSV field: quoted, with inner quotes doubled. */
void cli_csv_text(smug_strbuf *sb, const char *s)
{
    smug_strbuf_adds(sb, "\"");
    for (; *s; s++)
        smug_strbuf_adds(sb, *s == '"' ? "\"\"" : (char[2]){*s, 0});
    smug_strbuf_adds(sb, "\"");
}

static void inputs_csv(smug_strbuf *sb, const cli_eval_run *r)
{
    smug_strbuf_adds(sb, "input,label,predicted,method,lsc,area,confidence,sparsity,seconds,"
                         "ok,note,deletion_auc,insertion_auc\n");
    for (int i = 0; i < r->n_rows; i++)
        for (int m = 0; m < NM; m++) {
            const cli_eval_row *row = &r->rows[i];
            const smug_eval_result *e = &row->e.r[m];
            if (!r->on[m])
                continue;
            cli_csv_text(sb, row->input);
            if (row->label >= 0)
                smug_strbuf_addf(sb, ",%d", row->label);
            else
                smug_strbuf_adds(sb, ",");
            smug_strbuf_addf(sb, ",%d,%s,", row->e.predicted, smug_eval_method_name(m));
            if (e->ok)
                smug_strbuf_addf(sb, "%.6g,%.6g,%.6g,%.6g", e->lsc.lsc, e->lsc.area,
                                 e->lsc.confidence, e->sparsity);
            else
                smug_strbuf_adds(sb, ",,,");
            smug_strbuf_addf(sb, ",%.4f,%d,", e->seconds, e->ok);
            cli_csv_text(sb, e->note);
            if (e->curve_n)
                smug_strbuf_addf(sb, ",%.6g,%.6g\n", e->auc_del, e->auc_ins);
            else
                smug_strbuf_adds(sb, ",,\n");
        }
}

static void eval_json(smug_strbuf *sb, const cli_eval_run *r, const smug_summary *s,
                      const auc_summary *auc)
{
    smug_json j;
    smug_json_init(&j, sb, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "smug", SMUG_VERSION);
    smug_json_string(&j, "model", r->model);
    smug_strbuf params = SMUG_STRBUF_INIT;
    smug_params_json(r->params, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_strbuf_free(&params);
    smug_json_int(&j, "evaluated", r->n_rows);
    smug_json_int(&j, "looked_at", r->n_seen);
    smug_json_int(&j, "misclassified_skipped", r->n_misclassified);
    smug_json_int(&j, "unlabelled", r->n_unlabelled);
    if (r->note[0])
        smug_json_string(&j, "note", r->note);
    smug_json_array_begin(&j, "methods");
    for (int m = 0; m < NM; m++) {
        if (!r->on[m])
            continue;
        smug_json_object_begin(&j, NULL);
        smug_json_string(&j, "method", smug_eval_method_name(m));
        smug_json_int(&j, "n", s[m].n);
        double v[] = {s[m].lsc_mean,     s[m].lsc_sd, 100.0 * s[m].win, s[m].sparsity_mean,
                      s[m].seconds_mean, auc->del[m], auc->ins[m]};
        static const char *const keys[] = {"lsc_mean",          "lsc_sd",       "win_pct",
                                           "sparsity_mean",     "seconds_mean", "deletion_auc_mean",
                                           "insertion_auc_mean"};
        for (int k = 0; k < 7; k++) {
            if (isnan(v[k]))
                smug_json_null(&j, keys[k]);
            else
                smug_json_number(&j, keys[k], v[k]);
        }
        if (auc->n_rho) { /* step t: the t + 1 layers nearest the output randomised */
            smug_json_array_begin(&j, "randomisation_rho");
            for (int t = 0; t < auc->n_rho; t++) {
                if (isnan(auc->rho[m][t]))
                    smug_json_null(&j, NULL);
                else
                    smug_json_number(&j, NULL, auc->rho[m][t]);
            }
            smug_json_array_end(&j);
        }
        smug_json_object_end(&j);
    }
    smug_json_array_end(&j);
    smug_json_object_end(&j);
}

int cli_eval_write_file(const char *dir, const char *name, smug_strbuf *sb, smug_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = smug_strbuf_check(sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb->buf ? sb->buf : "", sb->len, err);
    smug_strbuf_reset(sb);
    return rc;
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
    if (summarize(r, s, err) < 0 || summarize_auc(r, &auc, err) < 0)
        return -1;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    table_md(&sb, r, s, &auc);
    fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout);
    int rc = cli_eval_write_file(dir, "table.md", &sb, err);
    if (rc == 0)
        table_csv(&sb, r, s, &auc), rc = cli_eval_write_file(dir, "table.csv", &sb, err);
    if (rc == 0)
        inputs_csv(&sb, r), rc = cli_eval_write_file(dir, "inputs.csv", &sb, err);
    if (rc == 0)
        eval_json(&sb, r, s, &auc), rc = cli_eval_write_file(dir, "eval.json", &sb, err);
    if (rc == 0)
        rc = write_curves(r, dir, err);
    smug_strbuf_free(&sb);
    if (rc == 0)
        printf("wrote %s/table.md, table.csv, inputs.csv, eval.json, curves.png, panels/\n", dir);
    return rc;
}
