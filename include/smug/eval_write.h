/* eval_write.h — the tables of `smug eval` (run/eval_write.c, issues #5 and #6): what the
 * command collected over its inputs and the one writer of DIR/table.md (methods as columns,
 * as the paper's tables), table.csv (a row per method), inputs.csv (a row per input and
 * method) and eval.json, plus DIR/curves.png for images.
 *
 * Images: per method LSC mean and sample sd, Win% (every method that ran except optbox, a
 * bound and not an explanation), sparsity, time, deletion/insertion AUC and, with
 * params.sanity, the randomisation ρ. Text: per method the mean and sample sd of sparsity,
 * conf_kept, conf_removed, kept words, verified and time (evaluate.h says what each is).
 * Every statistic of a method is over the inputs where it produced a result (its n).
 *
 * Errors: IO (a file could not be written, naming it) and NOMEM. Nothing is printed: the
 * caller shows out_md, table.md's text, as it likes.
 */
#ifndef SMUG_EVAL_WRITE_H
#define SMUG_EVAL_WRITE_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/evaluate.h"
#include "smug/params.h"
#include "smug/strbuf.h"

typedef struct smug_eval_row {
    char *input;       /* path as given/expanded (owned) */
    int label;         /* true class, -1 when the labels do not list the input */
    smug_eval_input e; /* maps, kept and score already freed; the numbers and curves stay */
    char *words[SMUG_EVAL_N_METHODS]; /* text: each method's kept words, space-separated
                                         (owned; NULL when it has none) */
} smug_eval_row;

typedef struct smug_eval_run {
    const char *model;
    const smug_params *params;
    uint8_t on[SMUG_EVAL_N_METHODS];
    smug_eval_row *rows; /* evaluated inputs */
    int n_rows;
    int n_seen;          /* inputs looked at (evaluated + skipped) */
    int n_misclassified; /* skipped: predicted class != label */
    int n_unlabelled;    /* evaluated without a label */
    char note[512];      /* e.g. why gradcam was left out */
    int text;            /* a token model: text methods and metrics */
} smug_eval_run;

/* Writes DIR/table.md, table.csv, inputs.csv, eval.json (atomically) and, for images,
 * curves.png (when some input has curves); out_md (may be NULL) receives table.md's text. */
int smug_eval_write(const smug_eval_run *r, const char *dir, smug_strbuf *out_md, smug_error *err);

/* Frees the rows' strings and arrays and the rows themselves; *r is left empty. */
void smug_eval_run_clear(smug_eval_run *r);

#endif
