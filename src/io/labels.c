/* labels.c — labels.csv reader for `smug eval` (labels.h): which class each input file
 * truly is, so the evaluation can keep the correctly classified inputs only.
 */
#include "smug/labels.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smug/fsutil.h"

#define MAX_FIELDS 64

void smug_labels_clear(smug_labels *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->file[i]);
    free(l->file);
    free(l->label);
    memset(l, 0, sizeof *l);
}

/* Splits line (modified in place) at commas into at most MAX_FIELDS fields, trimming a
 * trailing '\r'. Returns the count. */
static int split(char *line, char **field)
{
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[len - 1] = '\0';
    int n = 0;
    for (char *s = line; n < MAX_FIELDS;) {
        field[n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

static int find_column(char **field, int n, const char *want)
{
    for (int i = 0; i < n; i++)
        if (strcmp(field[i], want) == 0)
            return i;
    return -1;
}

static int add_row(smug_labels *l, const char *file, const char *label, const char *name, int line,
                   smug_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(label, &end, 10);
    if (!*label || *end || errno || v < 0 || v > 1000000)
        return smug_fail(err, SMUG_ERR_FORMAT,
                         "%s:%d: label '%s' is not a class index (an integer >= 0)", name, line,
                         label);
    if (smug_labels_find(l, file) >= 0)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s:%d: file '%s' is listed twice", name, line,
                         file);
    char **f = realloc(l->file, (size_t)(l->n + 1) * sizeof *f);
    if (f)
        l->file = f;
    int *lb = f ? realloc(l->label, (size_t)(l->n + 1) * sizeof *lb) : NULL;
    if (lb)
        l->label = lb;
    char *copy = lb ? strdup(file) : NULL;
    if (!copy)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    l->file[l->n] = copy;
    l->label[l->n++] = (int)v;
    return 0;
}

static int parse_lines(char *text, const char *name, smug_labels *out, smug_error *err)
{
    char *field[MAX_FIELDS];
    int col_file = -1, col_label = -1, line = 0, header = 0;
    for (char *s = text; s && *s;) {
        char *nl = strchr(s, '\n');
        if (nl)
            *nl = '\0';
        line++;
        char *cur = s;
        s = nl ? nl + 1 : NULL;
        if (cur[0] == '\0' || strcmp(cur, "\r") == 0)
            continue;
        int n = split(cur, field);
        if (!header) {
            header = 1;
            col_file = find_column(field, n, "file");
            col_label = find_column(field, n, "label");
            if (col_file < 0 || col_label < 0)
                return smug_fail(err, SMUG_ERR_FORMAT,
                                 "%s:%d: the header must name a 'file' and a 'label' column", name,
                                 line);
            continue;
        }
        int need = (col_file > col_label ? col_file : col_label) + 1;
        if (n < need)
            return smug_fail(err, SMUG_ERR_FORMAT, "%s:%d: %d fields, the header has at least %d",
                             name, line, n, need);
        if (add_row(out, field[col_file], field[col_label], name, line, err) < 0)
            return -1;
    }
    return header ? 0 : smug_fail(err, SMUG_ERR_FORMAT, "%s: empty (no header line)", name);
}

int smug_labels_parse(const char *text, size_t len, const char *name, smug_labels *out,
                      smug_error *err)
{
    memset(out, 0, sizeof *out);
    char *copy = malloc(len + 1);
    if (!copy)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    int rc = parse_lines(copy, name, out, err);
    free(copy);
    return rc;
}

int smug_labels_load(const char *path, smug_labels *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    unsigned char *data;
    size_t len;
    if (smug_fs_read_all(path, &data, &len, err) < 0)
        return -1;
    int rc = smug_labels_parse((const char *)data, len, path, out, err);
    free(data);
    return rc;
}

int smug_labels_find(const smug_labels *l, const char *input)
{
    const char *slash = strrchr(input, '/');
    const char *base = slash ? slash + 1 : input;
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->file[i], base) == 0)
            return l->label[i];
    return -1;
}
