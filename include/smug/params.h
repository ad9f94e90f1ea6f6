/* params.h — method parameters generated from smug/params.def.
 *
 * Precedence is default < config file < command-line flag; every setter checks the range
 * and rejects (never clamps) a bad value with a message naming the parameter. Names are the
 * config keys (top_k); flags are the same with dashes (--top-k); both are accepted here.
 */
#ifndef SMUG_PARAMS_H
#define SMUG_PARAMS_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/strbuf.h"

#define SMUG_PARAM_STR_MAX 128

typedef struct smug_params {
#define SMUG_PARAM_STR(name, def, help)           char name[SMUG_PARAM_STR_MAX];
#define SMUG_PARAM_INT(name, def, lo, hi, help)   int name;
#define SMUG_PARAM_DBL(name, def, lo, hi, help)   double name;
#define SMUG_PARAM_ENUM(name, def, choices, help) int name;
#include "smug/params.def"
#undef SMUG_PARAM_INT
#undef SMUG_PARAM_DBL
#undef SMUG_PARAM_ENUM
#undef SMUG_PARAM_STR
} smug_params;

/* Fills every field with its default. */
void smug_params_defaults(smug_params *p);

/* Sets parameter `name` (top_k or top-k) from text. Errors: unknown name (with a "did you
 * mean" suggestion), unparsable value, value out of range ("gamma must be in [0, 1]: got
 * 1.5"). `where` prefixes the message (a flag, or file:line); may be NULL. */
int smug_params_set(smug_params *p, const char *name, const char *value, const char *where,
                    smug_error *err);

/* 1 if `name` names a parameter (either spelling). */
int smug_params_known(const char *name);

/* 1 if `name` is a false|true parameter: on the command line its flag alone means true. */
int smug_params_is_switch(const char *name);

/* Name of the value an enum parameter holds, e.g. "logit", written into buf; returns buf. */
const char *smug_params_enum_name(const char *param, int value, char *buf, size_t n);

/* The parameter names (config spelling, top_k) in table order: the first min(cap, count)
 * go into out (static strings); returns the count of all parameters. */
int smug_params_names(const char **out, int cap);

/* Appends one line per parameter: flag, value placeholder, help, default and range. */
void smug_params_help(smug_strbuf *out);

/* Appends the effective values as one JSON object: {"steps": 300, …}. */
void smug_params_json(const smug_params *p, smug_strbuf *out);

#endif
