/* strbuf.c — growable byte buffer in the style of git's strbuf.
 *
 * A failed allocation is sticky rather than fatal: text writers (JSON, SMT-LIB) append in
 * long sequences and check once, which keeps them readable without losing the error.
 */
#include "smug/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int strbuf_grow(smug_strbuf *sb, size_t extra)
{
    if (sb->failed)
        return -1;
    size_t need = sb->len + extra + 1;
    if (sb->limit && need - 1 > sb->limit) {
        sb->failed = 2;
        return -1;
    }
    if (need <= sb->cap)
        return 0;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(sb->buf, cap);
    if (!p) {
        sb->failed = 1;
        return -1;
    }
    sb->buf = p;
    sb->cap = cap;
    return 0;
}

void smug_strbuf_add(smug_strbuf *sb, const void *data, size_t n)
{
    if (strbuf_grow(sb, n) < 0)
        return;
    memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void smug_strbuf_adds(smug_strbuf *sb, const char *s)
{
    smug_strbuf_add(sb, s, strlen(s));
}

void smug_strbuf_addf(smug_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || strbuf_grow(sb, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void smug_strbuf_reset(smug_strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

void smug_strbuf_clear(smug_strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    sb->failed = 0; /* the limit stays: it belongs to the use, not the contents */
}

int smug_strbuf_check(const smug_strbuf *sb, smug_error *err)
{
    if (sb->failed == 2)
        return smug_fail(err, SMUG_ERR_USAGE, "text over its limit of %zu bytes", sb->limit);
    if (sb->failed)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory while building text");
    return 0;
}

char *smug_strbuf_detach(smug_strbuf *sb, size_t *out_len)
{
    if (sb->failed)
        return NULL;
    if (!sb->buf && strbuf_grow(sb, 0) < 0)
        return NULL;
    if (sb->len == 0)
        sb->buf[0] = '\0';
    char *p = sb->buf;
    if (out_len)
        *out_len = sb->len;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}
