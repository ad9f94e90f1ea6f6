/* eval_write.h — what `smug eval` collected (cmd_eval.c fills it) and the writers of its
 * tables (eval_write.c for image models, eval_text_write.c for token models). Internal to
 * the smug binary. */
#ifndef SMUG_CLI_EVAL_WRITE_H
#define SMUG_CLI_EVAL_WRITE_H
#include <stdint.h>

#include "cli.h"
#include "smug/evaluate.h"
#include "smug/strbuf.h"
#include "smug/text_eval.h"

typedef struct cli_eval_row {
    char *input;       /* path as given/expanded (owned) */
    int label;         /* true class, -1 when the labels do not list the input */
    smug_eval_input e; /* maps already freed; the numbers stay */
    /* token models (cli_eval_run.text): */
    smug_text_eval_input t;           /* kept/score already freed; the numbers stay */
    char *words[SMUG_EVAL_N_METHODS]; /* each method's kept words, space-separated (owned) */
} cli_eval_row;

typedef struct cli_eval_run {
    const char *model;
    const smug_params *params;
    uint8_t on[SMUG_EVAL_N_METHODS];
    cli_eval_row *rows; /* evaluated inputs */
    int n_rows;
    int n_seen;          /* inputs looked at (evaluated + skipped) */
    int n_misclassified; /* skipped: predicted class != label */
    int n_unlabelled;    /* evaluated without a label */
    char note[512];      /* e.g. why gradcam was left out */
    int text;            /* a token model: text methods and metrics (text_eval.h) */
} cli_eval_run;

/* Writes DIR/table.md, table.csv, inputs.csv and eval.json (atomically); prints the
 * markdown table to stdout. */
int cli_eval_write(const cli_eval_run *r, const char *dir, smug_error *err);

/* The per-method table both writers fill (eval_table.c writes it): for each method m,
 * n[m] inputs and one value per column (NaN: none). A column with a NULL key is shown in
 * table.md only. */
#define CLI_EVAL_MAX_COLS 16
typedef struct cli_eval_table {
    int n_cols;
    const char *const *keys; /* [n_cols] table.csv / eval.json names, in order */
    int n[SMUG_EVAL_N_METHODS];
    double v[SMUG_EVAL_N_METHODS][CLI_EVAL_MAX_COLS];
} cli_eval_table;

/* One table.md row: label, the column shown (-1: n) times scale, printed with fmt. */
typedef struct cli_eval_md_row {
    const char *label;
    int col;
    double scale;
    const char *fmt;
} cli_eval_md_row;

/* table.md's table (header, separator, rows; methods as columns), table.csv (method, n,
 * then the keyed columns) and eval.json (run counts, [kind], [note with with_note], then a
 * methods array; more, if not NULL, adds members to method m's object). */
void cli_eval_table_md(smug_strbuf *sb, const cli_eval_run *r, const cli_eval_table *t,
                       const cli_eval_md_row *rows, int n_rows);
void cli_eval_table_csv(smug_strbuf *sb, const cli_eval_run *r, const cli_eval_table *t);
struct smug_json;
typedef void (*cli_eval_json_more)(struct smug_json *j, int m, const void *arg);
void cli_eval_table_json(smug_strbuf *sb, const cli_eval_run *r, const cli_eval_table *t,
                         const char *kind, int with_note, cli_eval_json_more more,
                         const void *more_arg);

/* inputs.csv: the header line `head` (after "input,label,predicted,method,"), then a line
 * per evaluated input and method that ran: input, label, predicted (the row's
 * `predicted(row)`), method, then what rest(sb, row, m) appends (the line's end included). */
typedef int (*cli_eval_row_predicted)(const cli_eval_row *row);
typedef void (*cli_eval_row_rest)(smug_strbuf *sb, const cli_eval_row *row, int m);
void cli_eval_inputs_csv(smug_strbuf *sb, const cli_eval_run *r, const char *head,
                         cli_eval_row_predicted predicted, cli_eval_row_rest rest);

/* A quoted CSV field (inner quotes doubled); DIR/name written atomically from sb, which is
 * reset. */
void cli_csv_text(smug_strbuf *sb, const char *s);
int cli_eval_write_file(const char *dir, const char *name, smug_strbuf *sb, smug_error *err);

/* The same for a text evaluation (eval_text_write.c): sparsity, conf_kept, conf_removed and
 * time per method instead of LSC and Win%. */
int cli_eval_write_text(const cli_eval_run *r, const char *dir, smug_error *err);

#endif
