/* yaml.h — a YAML document as a small read-only tree with line numbers (the one libyaml user).
 *
 * smug reads two kinds of YAML: run configs (io/config.c) and solver descriptions
 * (smt/registry.c). Both want plain data and precise messages, so a document becomes a tree
 * of three node kinds, each carrying its 1-based line and column:
 *   scalar    a string (numbers, booleans and paths are all text; the reader decides),
 *   sequence  items in order,
 *   mapping   (scalar key → node) entries in file order; duplicate keys are rejected.
 * Refused with a message naming file:line:column: syntax errors (libyaml's problem text),
 * anchors and aliases, tags, complex (non-scalar) keys, duplicate keys, a second document,
 * a NUL byte in a scalar, and nesting deeper than SMUG_YAML_MAX_DEPTH.
 *
 * Ownership: a smug_yaml owns every node and string in it; everything obtained through the
 * accessors lives until smug_yaml_free. No global state: documents are independent.
 */
#ifndef SMUG_YAML_H
#define SMUG_YAML_H

#include <stddef.h>

#include "smug/error.h"

#define SMUG_YAML_MAX_DEPTH 64

typedef struct smug_yaml smug_yaml;
typedef struct smug_yaml_node smug_yaml_node;

typedef enum { SMUG_YAML_SCALAR, SMUG_YAML_SEQUENCE, SMUG_YAML_MAPPING } smug_yaml_kind;

/* Parses `path`. On success *out is the caller's (smug_yaml_free). Errors: SMUG_ERR_IO when
 * the file cannot be read, SMUG_ERR_FORMAT with "path:line:column: problem" otherwise. */
int smug_yaml_load_file(const char *path, smug_yaml **out, smug_error *err);

/* Parses len bytes of data (need not be NUL-terminated); `name` stands for the file in
 * messages (copied). Same errors and ownership as smug_yaml_load_file. */
int smug_yaml_load_buffer(const void *data, size_t len, const char *name, smug_yaml **out,
                          smug_error *err);

void smug_yaml_free(smug_yaml *doc);

/* The root node; NULL for a document with no content (an empty or comment-only file). */
const smug_yaml_node *smug_yaml_root(const smug_yaml *doc);

/* The file name given at load time (for messages). */
const char *smug_yaml_name(const smug_yaml *doc);

/* --- nodes ----------------------------------------------------------------------------- */

smug_yaml_kind smug_yaml_node_kind(const smug_yaml_node *n);
int smug_yaml_node_line(const smug_yaml_node *n);   /* 1-based */
int smug_yaml_node_column(const smug_yaml_node *n); /* 1-based */

/* "scalar", "sequence" or "mapping", for messages. */
const char *smug_yaml_kind_name(smug_yaml_kind kind);

/* A scalar's text (NUL-terminated, never NULL for a scalar); NULL for other kinds. */
const char *smug_yaml_scalar(const smug_yaml_node *n);

/* 1 for an unquoted scalar (`true`, `~`, an empty value), 0 for a quoted or block one. */
int smug_yaml_scalar_plain(const smug_yaml_node *n);

/* Items of a sequence or entries of a mapping; 0 for a scalar. */
size_t smug_yaml_size(const smug_yaml_node *n);

/* Item i of a sequence (NULL when out of range or not a sequence). */
const smug_yaml_node *smug_yaml_item(const smug_yaml_node *seq, size_t i);

/* Entry i of a mapping: its key text, key node (for the key's line) and value. */
const char *smug_yaml_entry_key(const smug_yaml_node *map, size_t i);
const smug_yaml_node *smug_yaml_entry_key_node(const smug_yaml_node *map, size_t i);
const smug_yaml_node *smug_yaml_entry_value(const smug_yaml_node *map, size_t i);

/* The value under `key` in a mapping, or NULL (absent, or not a mapping). */
const smug_yaml_node *smug_yaml_get(const smug_yaml_node *map, const char *key);

#endif
