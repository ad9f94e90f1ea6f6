/* yaml_schema.h — checks on a YAML tree (yaml.h) with the same message shapes for every
 * YAML file smug reads (configs, solver files): "<file>:<line>: <message>".
 *
 * Ownership: strings from smug_yaml_want_text point into the document; smug_yaml_want_strv
 * returns malloc'ed copies (smug_yaml_strv_free). Errors are SMUG_ERR_FORMAT (NOMEM when
 * out of memory).
 */
#ifndef SMUG_YAML_SCHEMA_H
#define SMUG_YAML_SCHEMA_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/yaml.h"

/* Fails (SMUG_ERR_FORMAT) with "<file>:<line of n>: <message>"; returns -1. */
int smug_yaml_fail(const smug_yaml *doc, const smug_yaml_node *n, smug_error *err, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* Checks that every key of `map` is in the NULL-terminated list `known`; the first other
 * key fails with "<file>:<line>: unknown key 'k' (did you mean 'x'?)" (suggestion only when
 * one is close). `map` must be a mapping. */
int smug_yaml_check_keys(const smug_yaml *doc, const smug_yaml_node *map, const char *const *known,
                         smug_error *err);

/* Text of a non-empty scalar `n` that stands for `key`; fails with "<file>:<line>: key
 * must be a ..." for another kind or an empty value. *out points into doc. */
int smug_yaml_want_text(const smug_yaml *doc, const smug_yaml_node *n, const char *key,
                        const char **out, smug_error *err);

/* `true` or `false` (plain) into *out as 1 or 0; anything else fails naming key. */
int smug_yaml_want_bool(const smug_yaml *doc, const smug_yaml_node *n, const char *key, int *out,
                        smug_error *err);

/* A sequence of non-empty scalars as a malloc'ed NULL-terminated vector of malloc'ed
 * strings (free with smug_yaml_strv_free); *out_n (may be NULL) gets the count. An empty
 * sequence `[]` gives a vector holding only NULL. */
int smug_yaml_want_strv(const smug_yaml *doc, const smug_yaml_node *n, const char *key, char ***out,
                        size_t *out_n, smug_error *err);

void smug_yaml_strv_free(char **v);

#endif
