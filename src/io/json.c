/* json.c — JSON output for reports and `smug attribute --json` (json.h).
 *
 * A writer rather than a DOM: reports hold arrays of hundreds of thousands of floats, and
 * streaming them into one buffer keeps memory at the size of the text.
 */
#include "smug/json.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "smug/fsutil.h"

void smug_json_init(smug_json *j, smug_strbuf *out, int pretty)
{
    j->out = out;
    j->depth = 0;
    j->count[0] = 0;
    j->pretty = pretty;
}

static void escaped(smug_strbuf *sb, const char *s)
{
    smug_strbuf_adds(sb, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            smug_strbuf_addf(sb, "\\%c", *p);
        else if (*p == '\n')
            smug_strbuf_adds(sb, "\\n");
        else if (*p < 0x20)
            smug_strbuf_addf(sb, "\\u%04x", *p);
        else
            smug_strbuf_add(sb, p, 1);
    }
    smug_strbuf_adds(sb, "\"");
}

/* Comma, indentation and key before a value. */
static void lead(smug_json *j, const char *key)
{
    if (j->count[j->depth]++)
        smug_strbuf_adds(j->out, ",");
    if (j->pretty && key) {
        smug_strbuf_adds(j->out, "\n");
        for (int i = 0; i < j->depth; i++)
            smug_strbuf_adds(j->out, "  ");
    } else if (j->count[j->depth] > 1) {
        smug_strbuf_adds(j->out, " ");
    }
    if (key) {
        escaped(j->out, key);
        smug_strbuf_adds(j->out, ": ");
    }
}

static void open_(smug_json *j, const char *key, const char *bracket)
{
    lead(j, key);
    smug_strbuf_adds(j->out, bracket);
    if (j->depth + 1 < SMUG_JSON_MAX_DEPTH)
        j->depth++;
    j->count[j->depth] = 0;
}

static void close_(smug_json *j, const char *bracket, int newline)
{
    int had = j->count[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (newline && j->pretty && had) {
        smug_strbuf_adds(j->out, "\n");
        for (int i = 0; i < j->depth; i++)
            smug_strbuf_adds(j->out, "  ");
    }
    smug_strbuf_adds(j->out, bracket);
    if (j->depth == 0 && j->pretty)
        smug_strbuf_adds(j->out, "\n");
}

void smug_json_object_begin(smug_json *j, const char *key)
{
    open_(j, key, "{");
}
void smug_json_object_end(smug_json *j)
{
    close_(j, "}", 1);
}
void smug_json_array_begin(smug_json *j, const char *key)
{
    open_(j, key, "[");
}
void smug_json_array_end(smug_json *j)
{
    close_(j, "]", 0);
}

void smug_json_string(smug_json *j, const char *key, const char *value)
{
    lead(j, key);
    escaped(j->out, value);
}

static void number(smug_strbuf *sb, double v)
{
    if (isfinite(v))
        smug_strbuf_addf(sb, "%.9g", v);
    else
        smug_strbuf_adds(sb, "null");
}

void smug_json_number(smug_json *j, const char *key, double value)
{
    lead(j, key);
    number(j->out, value);
}

void smug_json_int(smug_json *j, const char *key, long value)
{
    lead(j, key);
    smug_strbuf_addf(j->out, "%ld", value);
}

void smug_json_bool(smug_json *j, const char *key, int value)
{
    lead(j, key);
    smug_strbuf_adds(j->out, value ? "true" : "false");
}

void smug_json_null(smug_json *j, const char *key)
{
    lead(j, key);
    smug_strbuf_adds(j->out, "null");
}

void smug_json_floats(smug_json *j, const char *key, const float *v, size_t n)
{
    lead(j, key);
    smug_strbuf_adds(j->out, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            smug_strbuf_adds(j->out, ", ");
        number(j->out, (double)v[i]);
    }
    smug_strbuf_adds(j->out, "]");
}

void smug_json_ints(smug_json *j, const char *key, const int *v, size_t n)
{
    lead(j, key);
    smug_strbuf_adds(j->out, "[");
    for (size_t i = 0; i < n; i++)
        smug_strbuf_addf(j->out, i ? ", %d" : "%d", v[i]);
    smug_strbuf_adds(j->out, "]");
}

void smug_json_raw(smug_json *j, const char *key, const char *text)
{
    lead(j, key);
    smug_strbuf_adds(j->out, text);
}

/* ---- Reading ---- */

static const json_t *J(const smug_jval *v)
{
    return (const json_t *)v;
}

int smug_jval_parse(const char *text, size_t len, const char *name, smug_jval **out,
                    smug_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    *out = (smug_jval *)root;
    return 0;
}

int smug_jval_load(const char *path, smug_jval **out, smug_error *err)
{
    unsigned char *data;
    size_t len;
    if (smug_fs_read_all(path, &data, &len, err) < 0)
        return -1;
    int rc = smug_jval_parse((const char *)data, len, path, out, err);
    free(data);
    return rc;
}

void smug_jval_free(smug_jval *root)
{
    if (root)
        json_decref((json_t *)root);
}

const smug_jval *smug_jval_get(const smug_jval *obj, const char *key)
{
    return obj && json_is_object(J(obj)) ? (const smug_jval *)json_object_get(J(obj), key) : NULL;
}

size_t smug_jval_len(const smug_jval *arr)
{
    return arr && json_is_array(J(arr)) ? json_array_size(J(arr)) : 0;
}

const smug_jval *smug_jval_at(const smug_jval *arr, size_t i)
{
    return arr && json_is_array(J(arr)) ? (const smug_jval *)json_array_get(J(arr), i) : NULL;
}

const char *smug_jval_str(const smug_jval *v)
{
    return v && json_is_string(J(v)) ? json_string_value(J(v)) : NULL;
}

int smug_jval_is_null(const smug_jval *v)
{
    return !v || json_is_null(J(v));
}

int smug_jval_num(const smug_jval *v, double *out)
{
    if (!v || !json_is_number(J(v)))
        return -1;
    *out = json_number_value(J(v));
    return 0;
}

int smug_jval_int(const smug_jval *v, long *out)
{
    if (!v || !json_is_integer(J(v)))
        return -1;
    json_int_t i = json_integer_value(J(v));
    if (i < LONG_MIN || i > LONG_MAX)
        return -1;
    *out = (long)i;
    return 0;
}

void smug_jval_dump(const smug_jval *v, smug_strbuf *out)
{
    char *text = v ? json_dumps(J(v), JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    smug_strbuf_adds(out, text ? text : "null");
    free(text);
}

int smug_jreq_str(const smug_jval *obj, const char *key, const char *where, const char **out,
                  smug_error *err)
{
    *out = smug_jval_str(smug_jval_get(obj, key));
    if (!*out)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: field '%s' missing or not a string", where,
                         key);
    return 0;
}

int smug_jreq_int(const smug_jval *obj, const char *key, const char *where, long lo, long hi,
                  long *out, smug_error *err)
{
    if (smug_jval_int(smug_jval_get(obj, key), out) < 0)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: field '%s' missing or not an integer", where,
                         key);
    if (*out < lo || *out > hi)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: field '%s' must be in [%ld, %ld]: got %ld",
                         where, key, lo, hi, *out);
    return 0;
}

int smug_jreq_num(const smug_jval *obj, const char *key, const char *where, double *out,
                  smug_error *err)
{
    if (smug_jval_num(smug_jval_get(obj, key), out) < 0)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: field '%s' missing or not a number", where,
                         key);
    return 0;
}

int smug_jreq_array(const smug_jval *obj, const char *key, const char *where, const smug_jval **out,
                    smug_error *err)
{
    *out = smug_jval_get(obj, key);
    if (!*out || !json_is_array(J(*out)))
        return smug_fail(err, SMUG_ERR_FORMAT, "%s: field '%s' missing or not an array", where,
                         key);
    return 0;
}
