/* json.h — a small streaming JSON writer onto a smug_strbuf (reports, `attribute --json`).
 *
 * Keys are passed with each value; pass NULL inside arrays. Numbers print with 9
 * significant digits (float32 round-trips); NaN and infinities print as null, because JSON
 * has no spelling for them. Writing cannot fail except for memory, which the strbuf records.
 */
#ifndef SMUG_JSON_H
#define SMUG_JSON_H

#include <stddef.h>

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

#endif
