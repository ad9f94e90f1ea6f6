/* eval_table.c — the one writer of `smug eval`'s per-method tables (eval_write.h): table.md
 * (methods as columns), table.csv (a row per method) and eval.json, all from one table of
 * columns that eval_write.c (image models) and eval_text_write.c (token models) fill.
 *
 * What a kind of model measures is the caller's (which columns, their rows in table.md,
 * the prose around them); how a number, a missing value (NaN: "-" in table.md, empty in
 * CSV, null in JSON) or a method list is written is decided here once.
 */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "eval_write.h"
#include "smug/fsutil.h"
#include "smug/json.h"

#define NM SMUG_EVAL_N_METHODS

/* A number for table.md, "-" for NaN. */
static void md_num(smug_strbuf *sb, const char *fmt, double v)
{
    if (isnan(v))
        smug_strbuf_adds(sb, "-");
    else
        smug_strbuf_addf(sb, fmt, v);
}

void cli_eval_table_md(smug_strbuf *sb, const cli_eval_run *r, const cli_eval_table *t,
                       const cli_eval_md_row *rows, int n_rows)
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

void cli_eval_table_csv(smug_strbuf *sb, const cli_eval_run *r, const cli_eval_table *t)
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

void cli_eval_table_json(smug_strbuf *sb, const cli_eval_run *r, const cli_eval_table *t,
                         const char *kind, int with_note, cli_eval_json_more more,
                         const void *more_arg)
{
    smug_json j;
    smug_json_init(&j, sb, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "smug", SMUG_VERSION);
    smug_json_string(&j, "model", r->model);
    if (kind)
        smug_json_string(&j, "kind", kind);
    smug_strbuf params = SMUG_STRBUF_INIT;
    smug_params_json(r->params, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_strbuf_clear(&params);
    smug_json_int(&j, "evaluated", r->n_rows);
    smug_json_int(&j, "looked_at", r->n_seen);
    smug_json_int(&j, "misclassified_skipped", r->n_misclassified);
    smug_json_int(&j, "unlabelled", r->n_unlabelled);
    if (with_note && r->note[0])
        smug_json_string(&j, "note", r->note);
    smug_json_array_begin(&j, "methods");
    for (int m = 0; m < NM; m++) {
        if (!r->on[m])
            continue;
        smug_json_object_begin(&j, NULL);
        smug_json_string(&j, "method", smug_eval_method_name(m));
        smug_json_int(&j, "n", t->n[m]);
        for (int k = 0; k < t->n_cols; k++) {
            if (!t->keys[k])
                continue;
            if (isnan(t->v[m][k]))
                smug_json_null(&j, t->keys[k]);
            else
                smug_json_number(&j, t->keys[k], t->v[m][k]);
        }
        if (more)
            more(&j, m, more_arg);
        smug_json_object_end(&j);
    }
    smug_json_array_end(&j);
    smug_json_object_end(&j);
}

void cli_eval_inputs_csv(smug_strbuf *sb, const cli_eval_run *r, const char *head,
                         cli_eval_row_predicted predicted, cli_eval_row_rest rest)
{
    smug_strbuf_addf(sb, "input,label,predicted,method,%s\n", head);
    for (int i = 0; i < r->n_rows; i++)
        for (int m = 0; m < NM; m++) {
            const cli_eval_row *row = &r->rows[i];
            if (!r->on[m])
                continue;
            cli_csv_text(sb, row->input);
            if (row->label >= 0)
                smug_strbuf_addf(sb, ",%d", row->label);
            else
                smug_strbuf_adds(sb, ",");
            smug_strbuf_addf(sb, ",%d,%s,", predicted(row), smug_eval_method_name(m));
            rest(sb, row, m);
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
