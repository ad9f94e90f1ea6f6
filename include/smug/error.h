/* error.h — the one error type of smug.
 *
 * Every fallible function returns int (0 ok, -1 failed) and fills a caller-owned
 * smug_error. Callers add context as the error bubbles up ("model.onnx: node conv1: …");
 * only cli/main.c prints it, once. No allocation: the message lives in the struct.
 */
#ifndef SMUG_ERROR_H
#define SMUG_ERROR_H

#include <stdarg.h>

typedef enum {
    SMUG_OK = 0,
    SMUG_ERR_USAGE,       /* bad flag or argument: exit status 2 */
    SMUG_ERR_IO,          /* a file could not be read or written */
    SMUG_ERR_FORMAT,      /* a file was read but its content is malformed */
    SMUG_ERR_UNSUPPORTED, /* well-formed but outside what smug handles (an ONNX operator, …) */
    SMUG_ERR_SOLVER,      /* a solver process failed */
    SMUG_ERR_CHECK,       /* a result failed smug's own check (a mask fails the forward pass) */
    SMUG_ERR_NOMEM,       /* allocation failed */
    SMUG_ERR_INTERNAL     /* a bug in smug */
} smug_error_code;

#define SMUG_ERROR_MAX 1024

typedef struct smug_error {
    smug_error_code code;
    char msg[SMUG_ERROR_MAX];
} smug_error;

#define SMUG_ERROR_INIT                                                                            \
    {                                                                                              \
        SMUG_OK,                                                                                   \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

/* Sets code and a printf-style message; returns -1 so callers can `return smug_fail(…)`. */
int smug_fail(smug_error *err, smug_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "context: " to the message already in err; returns -1. */
int smug_error_prefix(smug_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Resets err to SMUG_OK with an empty message. */
void smug_error_clear(smug_error *err);

/* A short name for a code: "usage", "io", "format", … */
const char *smug_error_code_name(smug_error_code code);

/* Fails with SMUG_ERR_NOMEM when p is NULL; returns 0 otherwise. */
int smug_check_alloc(const void *p, smug_error *err);

#endif
