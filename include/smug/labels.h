/* labels.h — true classes of input files from a labels.csv (io/labels.c; `smug eval`).
 *
 * Format (data/fashion/labels.csv, tools/fashion_test_images.py write it): plain CSV, one
 * row per line, no quoting; the first line is a header naming the columns, among which
 * `file` (the input's file name, without folders) and `label` (its class index, an integer
 * >= 0) are required; other columns (index, classname, …) are ignored. Blank lines are
 * skipped. An input is looked up by its file name alone, so the CSV may sit beside the
 * images or anywhere else.
 *
 * Errors (FORMAT, naming file:line): no header, a missing `file` or `label` column, a row
 * with too few fields, a label that is not a non-negative integer, a file listed twice;
 * IO when the file cannot be read; NOMEM.
 * Ownership: *out is the caller's; smug_labels_clear releases it (also after a failure).
 */
#ifndef SMUG_LABELS_H
#define SMUG_LABELS_H

#include <stddef.h>

#include "smug/error.h"

typedef struct smug_labels {
    int n;
    char **file; /* [n] file names (owned) */
    int *label;  /* [n] class indices */
} smug_labels;

int smug_labels_load(const char *path, smug_labels *out, smug_error *err);

/* Parses CSV text (len bytes); `name` labels errors. */
int smug_labels_parse(const char *text, size_t len, const char *name, smug_labels *out,
                      smug_error *err);

/* The label of `input` (a path: its last component is looked up), or -1 when not listed. */
int smug_labels_find(const smug_labels *l, const char *input);

void smug_labels_clear(smug_labels *l);

#endif
