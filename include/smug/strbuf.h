/* strbuf.h — a growable byte buffer (JSON and SMT-LIB text, captured output).
 *
 * Ownership: the buffer owns `buf`; smug_strbuf_clear releases it. `buf` is always
 * NUL-terminated once anything was added. Appends that cannot allocate set `failed` and
 * become no-ops, so a writer can append freely and check once at the end
 * (smug_strbuf_check).
 */
#ifndef SMUG_STRBUF_H
#define SMUG_STRBUF_H

#include <stddef.h>

#include "smug/error.h"

typedef struct smug_strbuf {
    char *buf;
    size_t len;
    size_t cap;
    int failed;   /* 1: an allocation failed, 2: over limit; contents are truncated */
    size_t limit; /* 0, or the most bytes it may hold (a large optional file's cap) */
} smug_strbuf;

#define SMUG_STRBUF_INIT                                                                           \
    {                                                                                              \
        NULL, 0, 0, 0, 0                                                                           \
    }

void smug_strbuf_add(smug_strbuf *sb, const void *data, size_t n);
void smug_strbuf_adds(smug_strbuf *sb, const char *s);
void smug_strbuf_addf(smug_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void smug_strbuf_reset(smug_strbuf *sb);
/* Frees the bytes (not *sb, which is the caller's) and leaves sb empty and usable again
 * (as SMUG_STRBUF_INIT); _reset keeps the memory for reuse instead. */
void smug_strbuf_clear(smug_strbuf *sb);

/* Returns -1 if any append failed: SMUG_ERR_NOMEM, or SMUG_ERR_USAGE when it would have
 * gone over sb->limit; else 0. */
int smug_strbuf_check(const smug_strbuf *sb, smug_error *err);

/* Hands the buffer to the caller (free() it) and leaves sb empty. Never NULL unless failed. */
char *smug_strbuf_detach(smug_strbuf *sb, size_t *out_len);

#endif
