/* yaml.c — the only libyaml user: a document's event stream → a small tree with line numbers.
 *
 * Configs (io/config.c) and solver files (smt/registry.c) are read through this tree, so
 * neither sees libyaml and both report errors as "file:line: …". The builder pulls events
 * and recurses once per nesting level (bounded by SMUG_YAML_MAX_DEPTH, so hostile input
 * cannot exhaust the stack). Features smug's files never need and that would make line
 * numbers lie or values ambiguous (anchors, aliases, tags, complex keys, several documents)
 * are refused rather than half-supported. The schema helpers ("must be a list", "unknown key")
 * live in yaml_schema.c.
 */
#include "smug/yaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "smug/fsutil.h"

struct smug_yaml_node {
    smug_yaml_kind kind;
    int line, column;
    int plain;              /* scalar written without quotes */
    char *text;             /* scalar */
    size_t n, cap;          /* items / entries */
    smug_yaml_node **items; /* sequence items, or mapping values */
    smug_yaml_node **keys;  /* mapping keys (scalar nodes) */
};

struct smug_yaml {
    char *name;
    smug_yaml_node *root;
};

typedef struct builder {
    yaml_parser_t parser;
    const smug_yaml *doc;
    const unsigned char *data;
    size_t len;
    smug_error *err;
} builder;

/* ---- errors ----------------------------------------------------------------------------- */

/* Line and column (1-based) of byte `offset`, for reader errors that carry only an offset. */
static void offset_position(const builder *b, size_t offset, size_t *line, size_t *col)
{
    *line = 1, *col = 1;
    for (size_t i = 0; i < offset && i < b->len; i++) {
        if (b->data[i] == '\n')
            (*line)++, *col = 1;
        else
            (*col)++;
    }
}

static int fail_parser(builder *b)
{
    const yaml_parser_t *p = &b->parser;
    const char *name = b->doc->name;
    if (p->error == YAML_MEMORY_ERROR)
        return smug_fail(b->err, SMUG_ERR_NOMEM, "%s: out of memory", name);
    const char *problem = p->problem ? p->problem : "malformed YAML";
    size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR)
        offset_position(b, p->problem_offset, &line, &col);
    if (p->context)
        return smug_fail(b->err, SMUG_ERR_FORMAT, "%s:%zu:%zu: %s (%s at line %zu)", name, line,
                         col, problem, p->context, (size_t)p->context_mark.line + 1);
    return smug_fail(b->err, SMUG_ERR_FORMAT, "%s:%zu:%zu: %s", name, line, col, problem);
}

static int fail_at(builder *b, const yaml_event_t *ev, const char *what)
{
    return smug_fail(b->err, SMUG_ERR_FORMAT, "%s:%zu:%zu: %s", b->doc->name,
                     (size_t)ev->start_mark.line + 1, (size_t)ev->start_mark.column + 1, what);
}

static int next_event(builder *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev))
        return fail_parser(b);
    return 0;
}

/* ---- tree building ---------------------------------------------------------------------- */

static void node_free(smug_yaml_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        node_free(n->items[i]);
        if (n->keys)
            node_free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->text);
    free(n);
}

static smug_yaml_node *node_new(smug_yaml_kind kind, const yaml_event_t *ev)
{
    smug_yaml_node *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->line = (int)ev->start_mark.line + 1;
        n->column = (int)ev->start_mark.column + 1;
    }
    return n;
}

/* Appends item (and key, for a mapping); takes ownership of both even on failure. */
static int node_append(smug_yaml_node *parent, smug_yaml_node *key, smug_yaml_node *item)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? 2 * parent->cap : 4;
        smug_yaml_node **items = realloc(parent->items, cap * sizeof *items);
        if (items)
            parent->items = items;
        smug_yaml_node **keys = parent->kind == SMUG_YAML_MAPPING && items
                                    ? realloc(parent->keys, cap * sizeof *keys)
                                    : NULL;
        if (keys)
            parent->keys = keys;
        if (!items || (parent->kind == SMUG_YAML_MAPPING && !keys)) {
            node_free(key);
            node_free(item);
            return -1;
        }
        parent->cap = cap;
    }
    parent->items[parent->n] = item;
    if (parent->kind == SMUG_YAML_MAPPING)
        parent->keys[parent->n] = key;
    parent->n++;
    return 0;
}

/* Anchors and tags are refused: smug's files are plain data, and an alias would make one
 * value appear under several lines. */
static int check_plain_node(builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                            const yaml_char_t *tag)
{
    char msg[160];
    if (anchor) {
        snprintf(msg, sizeof msg, "anchors (&%.60s) are not supported", (const char *)anchor);
        return fail_at(b, ev, msg);
    }
    if (tag) {
        snprintf(msg, sizeof msg, "tags (%.60s) are not supported", (const char *)tag);
        return fail_at(b, ev, msg);
    }
    return 0;
}

static int build_node(builder *b, yaml_event_t *ev, int depth, smug_yaml_node **out);

static int build_scalar(builder *b, yaml_event_t *ev, smug_yaml_node **out)
{
    if (check_plain_node(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag) < 0)
        return -1;
    size_t len = ev->data.scalar.length;
    const char *value = (const char *)ev->data.scalar.value;
    if (memchr(value, '\0', len))
        return fail_at(b, ev, "a value contains a NUL byte");
    smug_yaml_node *n = node_new(SMUG_YAML_SCALAR, ev);
    char *text = n ? malloc(len + 1) : NULL;
    if (!text) {
        free(n);
        return smug_fail(b->err, SMUG_ERR_NOMEM, "%s: out of memory", b->doc->name);
    }
    memcpy(text, value, len);
    text[len] = '\0';
    n->text = text;
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    *out = n;
    return 0;
}

typedef struct keyref {
    const char *key;
    size_t index;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Duplicate keys by sorting (a hostile file may have many keys): reports the first entry,
 * in file order, whose key already appeared. */
static int check_duplicates(builder *b, const smug_yaml_node *map)
{
    if (map->n < 2)
        return 0;
    keyref *refs = malloc(map->n * sizeof *refs);
    if (!refs)
        return smug_fail(b->err, SMUG_ERR_NOMEM, "%s: out of memory", b->doc->name);
    for (size_t i = 0; i < map->n; i++)
        refs[i] = (keyref){map->keys[i]->text, i};
    qsort(refs, map->n, sizeof *refs, keyref_cmp);
    size_t dup = map->n, first = 0;
    for (size_t i = 1; i < map->n; i++)
        if (strcmp(refs[i].key, refs[i - 1].key) == 0 && refs[i].index < dup)
            dup = refs[i].index, first = refs[i - 1].index;
    free(refs);
    if (dup == map->n)
        return 0;
    const smug_yaml_node *k = map->keys[dup];
    return smug_fail(b->err, SMUG_ERR_FORMAT, "%s:%d:%d: duplicate key '%s' (first at line %d)",
                     b->doc->name, k->line, k->column, k->text, map->keys[first]->line);
}

/* Reads the children of a sequence or mapping up to its end event. */
static int build_children(builder *b, smug_yaml_node *n, int depth)
{
    yaml_event_type_t end =
        n->kind == SMUG_YAML_SEQUENCE ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT;
    for (;;) {
        yaml_event_t ev;
        if (next_event(b, &ev) < 0)
            return -1;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return n->kind == SMUG_YAML_MAPPING ? check_duplicates(b, n) : 0;
        }
        smug_yaml_node *key = NULL, *value = NULL;
        if (n->kind == SMUG_YAML_MAPPING) {
            if (ev.type != YAML_SCALAR_EVENT && ev.type != YAML_ALIAS_EVENT) {
                int rc = fail_at(b, &ev, "keys must be plain values, not lists or mappings");
                yaml_event_delete(&ev);
                return rc;
            }
            int rc = build_node(b, &ev, depth + 1, &key);
            yaml_event_delete(&ev);
            if (rc < 0 || next_event(b, &ev) < 0) {
                node_free(key);
                return -1;
            }
        }
        int rc = build_node(b, &ev, depth + 1, &value);
        yaml_event_delete(&ev);
        if (rc < 0) {
            node_free(key);
            return -1;
        }
        if (node_append(n, key, value) < 0)
            return smug_fail(b->err, SMUG_ERR_NOMEM, "%s: out of memory", b->doc->name);
    }
}

static int build_collection(builder *b, yaml_event_t *ev, smug_yaml_kind kind, int depth,
                            smug_yaml_node **out)
{
    int seq = kind == SMUG_YAML_SEQUENCE;
    if (check_plain_node(b, ev,
                         seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor,
                         seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag) < 0)
        return -1;
    if (depth >= SMUG_YAML_MAX_DEPTH) {
        char msg[80];
        snprintf(msg, sizeof msg, "nested deeper than %d levels", SMUG_YAML_MAX_DEPTH);
        return fail_at(b, ev, msg);
    }
    smug_yaml_node *n = node_new(kind, ev);
    if (!n)
        return smug_fail(b->err, SMUG_ERR_NOMEM, "%s: out of memory", b->doc->name);
    if (build_children(b, n, depth) < 0) {
        node_free(n);
        return -1;
    }
    *out = n;
    return 0;
}

/* Builds the node that starts with *ev (the caller deletes *ev). */
static int build_node(builder *b, yaml_event_t *ev, int depth, smug_yaml_node **out)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT: return build_scalar(b, ev, out);
    case YAML_SEQUENCE_START_EVENT: return build_collection(b, ev, SMUG_YAML_SEQUENCE, depth, out);
    case YAML_MAPPING_START_EVENT: return build_collection(b, ev, SMUG_YAML_MAPPING, depth, out);
    case YAML_ALIAS_EVENT: {
        char msg[160];
        snprintf(msg, sizeof msg, "aliases (*%.60s) are not supported",
                 (const char *)ev->data.alias.anchor);
        return fail_at(b, ev, msg);
    }
    default: return fail_at(b, ev, "unexpected YAML event");
    }
}

/* The stream: nothing, or exactly one document. */
static int build_stream(builder *b, smug_yaml_node **root)
{
    yaml_event_t ev;
    if (next_event(b, &ev) < 0)
        return -1;
    yaml_event_delete(&ev); /* STREAM-START */
    if (next_event(b, &ev) < 0)
        return -1;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return 0;
    }
    yaml_event_delete(&ev); /* DOCUMENT-START */
    if (next_event(b, &ev) < 0)
        return -1;
    int rc = build_node(b, &ev, 0, root);
    yaml_event_delete(&ev);
    if (rc < 0 || next_event(b, &ev) < 0) /* DOCUMENT-END */
        return -1;
    yaml_event_delete(&ev);
    if (next_event(b, &ev) < 0)
        return -1;
    if (ev.type != YAML_STREAM_END_EVENT)
        rc = fail_at(b, &ev, "a second YAML document (---): one document per file");
    yaml_event_delete(&ev);
    return rc;
}

int smug_yaml_load_buffer(const void *data, size_t len, const char *name, smug_yaml **out,
                          smug_error *err)
{
    smug_yaml *doc = calloc(1, sizeof *doc);
    if (doc)
        doc->name = strdup(name ? name : "<yaml>");
    if (!doc || !doc->name) {
        free(doc);
        return smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory", name ? name : "<yaml>");
    }
    if (!data)
        data = "", len = 0;
    builder b = {.doc = doc, .data = data, .len = len, .err = err};
    if (!yaml_parser_initialize(&b.parser)) {
        smug_yaml_free(doc);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&b.parser, data, len);
    int rc = build_stream(&b, &doc->root);
    yaml_parser_delete(&b.parser);
    if (rc < 0) {
        smug_yaml_free(doc);
        return -1;
    }
    *out = doc;
    return 0;
}

int smug_yaml_load_file(const char *path, smug_yaml **out, smug_error *err)
{
    unsigned char *data;
    size_t len;
    if (smug_fs_read_all(path, &data, &len, err) < 0)
        return -1;
    int rc = smug_yaml_load_buffer(data, len, path, out, err);
    free(data);
    return rc;
}

void smug_yaml_free(smug_yaml *doc)
{
    if (!doc)
        return;
    node_free(doc->root);
    free(doc->name);
    free(doc);
}

/* ---- accessors -------------------------------------------------------------------------- */

const smug_yaml_node *smug_yaml_root(const smug_yaml *doc)
{
    return doc->root;
}

const char *smug_yaml_name(const smug_yaml *doc)
{
    return doc->name;
}

smug_yaml_kind smug_yaml_node_kind(const smug_yaml_node *n)
{
    return n->kind;
}

int smug_yaml_node_line(const smug_yaml_node *n)
{
    return n->line;
}

int smug_yaml_node_column(const smug_yaml_node *n)
{
    return n->column;
}

const char *smug_yaml_kind_name(smug_yaml_kind kind)
{
    return kind == SMUG_YAML_SCALAR     ? "scalar"
           : kind == SMUG_YAML_SEQUENCE ? "sequence"
                                        : "mapping";
}

const char *smug_yaml_scalar(const smug_yaml_node *n)
{
    return n->kind == SMUG_YAML_SCALAR ? n->text : NULL;
}

int smug_yaml_scalar_plain(const smug_yaml_node *n)
{
    return n->kind == SMUG_YAML_SCALAR && n->plain;
}

size_t smug_yaml_size(const smug_yaml_node *n)
{
    return n->kind == SMUG_YAML_SCALAR ? 0 : n->n;
}

const smug_yaml_node *smug_yaml_item(const smug_yaml_node *seq, size_t i)
{
    return seq->kind == SMUG_YAML_SEQUENCE && i < seq->n ? seq->items[i] : NULL;
}

const char *smug_yaml_entry_key(const smug_yaml_node *map, size_t i)
{
    return map->kind == SMUG_YAML_MAPPING && i < map->n ? map->keys[i]->text : NULL;
}

const smug_yaml_node *smug_yaml_entry_key_node(const smug_yaml_node *map, size_t i)
{
    return map->kind == SMUG_YAML_MAPPING && i < map->n ? map->keys[i] : NULL;
}

const smug_yaml_node *smug_yaml_entry_value(const smug_yaml_node *map, size_t i)
{
    return map->kind == SMUG_YAML_MAPPING && i < map->n ? map->items[i] : NULL;
}

const smug_yaml_node *smug_yaml_get(const smug_yaml_node *map, const char *key)
{
    if (!map || map->kind != SMUG_YAML_MAPPING)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->text, key) == 0)
            return map->items[i];
    return NULL;
}
