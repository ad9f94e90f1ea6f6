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

/* Shared by both writers: a quoted CSV field (inner quotes doubled); DIR/name written
 * atomically from sb, which is reset. */
void cli_csv_text(smug_strbuf *sb, const char *s);
int cli_eval_write_file(const char *dir, const char *name, smug_strbuf *sb, smug_error *err);

/* The same for a text evaluation (eval_text_write.c): sparsity, conf_kept, conf_removed and
 * time per method instead of LSC and Win%. */
int cli_eval_write_text(const cli_eval_run *r, const char *dir, smug_error *err);

#endif
