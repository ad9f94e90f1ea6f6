/* json.h — a small streaming JSON writer onto a smug_strbuf (reports, `attribute --json`).
 *
 * Keys are passed with each value; pass NULL inside arrays. Numbers print with 9
 * significant digits (float32 round-trips); NaN and infinities print as null, because JSON
 * has no spelling for them. Writing cannot fail except for memory, which the strbuf records.
 */
#ifndef SMUG_JSON_H
#define SMUG_JSON_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/strbuf.h"

#define SMUG_JSON_MAX_DEPTH 32

typedef struct smug_json {
    smug_strbuf *out;
    int depth;
    int count[SMUG_JSON_MAX_DEPTH]; /* values written at each depth, for commas */
    int pretty;                     /* newline + indent before each object member */
} smug_json;

void smug_json_init(smug_json *j, smug_strbuf *out, int pretty);
void smug_json_object_begin(smug_json *j, const char *key);
void smug_json_object_end(smug_json *j);
void smug_json_array_begin(smug_json *j, const char *key);
void smug_json_array_end(smug_json *j);
void smug_json_string(smug_json *j, const char *key, const char *value);
void smug_json_number(smug_json *j, const char *key, double value);
void smug_json_int(smug_json *j, const char *key, long value);
void smug_json_bool(smug_json *j, const char *key, int value);
void smug_json_null(smug_json *j, const char *key);
/* An array of n floats on one line. */
void smug_json_floats(smug_json *j, const char *key, const float *v, size_t n);
void smug_json_ints(smug_json *j, const char *key, const int *v, size_t n);
/* Inserts already-formatted JSON text as a value. */
void smug_json_raw(smug_json *j, const char *key, const char *text);

/* ---- Reading (jansson underneath; only json.c includes it) ----
 *
 * A parsed document is a tree of smug_jval nodes owned by its root: free the root with
 * smug_jval_free and every node taken from it is gone. Accessors are NULL-safe: a missing
 * key, a wrong type or a NULL argument gives NULL / 0 / -1, so callers can chain them and
 * check once. The smug_jreq_* helpers fail with a message naming `where` (a file name) and
 * the field ("manifest.json: problems[3]: field 'id' missing or not a string").
 */
typedef struct smug_jval smug_jval;

/* Parses len bytes; `name` labels errors ("name:line:column: message"). FORMAT on bad
 * JSON. *out is the caller's (smug_jval_free). */
int smug_jval_parse(const char *text, size_t len, const char *name, smug_jval **out,
                    smug_error *err);
/* Reads and parses a file. */
int smug_jval_load(const char *path, smug_jval **out, smug_error *err);
void smug_jval_free(smug_jval *root);
const smug_jval *smug_jval_get(const smug_jval *obj, const char *key); /* NULL: none */
size_t smug_jval_len(const smug_jval *arr);                            /* 0 if not an array */
const smug_jval *smug_jval_at(const smug_jval *arr, size_t i);
const char *smug_jval_str(const smug_jval *v); /* NULL unless a string */
int smug_jval_is_null(const smug_jval *v);     /* 1 for JSON null (or a NULL pointer) */
/* Numbers: 0 when v is a number (an integer for _int, within long), else -1. */
int smug_jval_num(const smug_jval *v, double *out);
int smug_jval_int(const smug_jval *v, long *out);
/* Appends v as compact JSON text (for copying a sub-document through). */
void smug_jval_dump(const smug_jval *v, smug_strbuf *out);

/* Required fields: fail (FORMAT) naming where and the key when absent or mistyped. */
int smug_jreq_str(const smug_jval *obj, const char *key, const char *where, const char **out,
                  smug_error *err);
int smug_jreq_int(const smug_jval *obj, const char *key, const char *where, long lo, long hi,
                  long *out, smug_error *err);
int smug_jreq_num(const smug_jval *obj, const char *key, const char *where, double *out,
                  smug_error *err);
/* An array (possibly empty). */
int smug_jreq_array(const smug_jval *obj, const char *key, const char *where, const smug_jval **out,
                    smug_error *err);

#endif
