/* json.c — JSON output for reports and `smug attribute --json` (json.h).
 *
 * A writer rather than a DOM: reports hold arrays of hundreds of thousands of floats, and
 * streaming them into one buffer keeps memory at the size of the text.
 */
#include "smug/json.h"

#include <math.h>
#include <stdio.h>

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
