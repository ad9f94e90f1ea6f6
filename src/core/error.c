/* error.c — smug_error: a code plus a message buffer.
 *
 * The message grows by prefixing as the error travels up the call stack, so the one line
 * cli/main.c prints reads from the outermost context to the root cause. Nothing here
 * allocates, so an out-of-memory error can still be reported.
 */
#include "smug/error.h"

#include <stdio.h>
#include <string.h>

int smug_fail(smug_error *err, smug_error_code code, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int smug_error_prefix(smug_error *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char prefix[SMUG_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* build "prefix: old" by hand: snprintf would warn about (intended) truncation */
    char old[SMUG_ERROR_MAX];
    memcpy(old, err->msg, sizeof old);
    size_t np = strnlen(prefix, sizeof err->msg - 1);
    memcpy(err->msg, prefix, np);
    size_t at = np;
    for (const char *s = ": "; *s && at < sizeof err->msg - 1; s++)
        err->msg[at++] = *s;
    size_t no = strnlen(old, sizeof old);
    if (no > sizeof err->msg - 1 - at)
        no = sizeof err->msg - 1 - at;
    memcpy(err->msg + at, old, no);
    err->msg[at + no] = '\0';
    if (err->code == SMUG_OK)
        err->code = SMUG_ERR_INTERNAL;
    return -1;
}

void smug_error_clear(smug_error *err)
{
    err->code = SMUG_OK;
    err->msg[0] = '\0';
}

const char *smug_error_code_name(smug_error_code code)
{
    switch (code) {
    case SMUG_OK: return "ok";
    case SMUG_ERR_USAGE: return "usage";
    case SMUG_ERR_IO: return "io";
    case SMUG_ERR_FORMAT: return "format";
    case SMUG_ERR_UNSUPPORTED: return "unsupported";
    case SMUG_ERR_SOLVER: return "solver";
    case SMUG_ERR_CHECK: return "check";
    case SMUG_ERR_NOMEM: return "nomem";
    case SMUG_ERR_INTERNAL: return "internal";
    }
    return "unknown";
}

int smug_check_alloc(const void *p, smug_error *err)
{
    if (p)
        return 0;
    return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
}
