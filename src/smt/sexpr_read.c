/* sexpr_read.c — solver stdout → a flat array of s-expression nodes, one top-level datum at
 * a time (sexpr_internal.h).
 *
 * Iterative and depth-capped at SMUG_SEXPR_MAX_DEPTH, each byte looked at once; text it
 * cannot read is SMUG_ERR_FORMAT with a byte offset. It knows nothing of what the solver
 * meant: recognising answers, models and objectives is sexpr.c.
 */
#include "sexpr_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/sexpr.h"

int smug_sx_fail_at(reader *r, size_t at, const char *what)
{
    size_t line = 1;
    for (size_t i = 0; i < at && i < r->len; i++)
        line += r->s[i] == '\n';
    return smug_fail(r->err, SMUG_ERR_FORMAT, "solver output: %s at byte %zu (line %zu)", what, at,
                     line);
}

/* ---- reader ----------------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_atom_char(char c)
{
    return !is_space(c) && c != '(' && c != ')' && c != '"' && c != '|' && c != ';' && c != '\0';
}

static void skip_blank(reader *r)
{
    while (r->pos < r->len) {
        char c = r->s[r->pos];
        if (is_space(c)) {
            r->pos++;
        } else if (c == ';') {
            const char *nl = memchr(r->s + r->pos, '\n', r->len - r->pos);
            r->pos = nl ? (size_t)(nl - r->s) + 1 : r->len;
        } else {
            return;
        }
    }
}

static int new_node(reader *r, node_kind kind, size_t at)
{
    if (r->n == r->cap) {
        if (r->cap > INT_MAX / 2)
            return smug_sx_fail_at(r, at, "output too large");
        int cap = r->cap ? 2 * r->cap : 64;
        node *nodes = realloc(r->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes)
            return smug_fail(r->err, SMUG_ERR_NOMEM, "out of memory");
        r->nodes = nodes;
        r->cap = cap;
    }
    node *nd = &r->nodes[r->n];
    nd->kind = kind;
    nd->at = nd->end = at;
    nd->first = nd->next = -1;
    nd->n_children = 0;
    return r->n++;
}

/* Scans a string from its opening quote. SMT-LIB 2.6 escapes '"' as "\"\"". z3 4.8.12 also
 * writes \" and \\ inside error messages (observed: unknown constant a\"b), so those pairs
 * are read as escapes too; any other backslash is an ordinary character. */
static int scan_string(reader *r, size_t *end)
{
    size_t i = r->pos + 1;
    while (i < r->len) {
        char c = r->s[i];
        if (c == '\0')
            return smug_sx_fail_at(r, i, "NUL byte in a string");
        if (c == '"') {
            if (i + 1 < r->len && r->s[i + 1] == '"') {
                i += 2;
                continue;
            }
            *end = i + 1;
            return 0;
        }
        i += (c == '\\' && i + 1 < r->len && (r->s[i + 1] == '"' || r->s[i + 1] == '\\')) ? 2 : 1;
    }
    return smug_sx_fail_at(r, r->pos, "unterminated string");
}

static int scan_token(reader *r, node_kind *kind, size_t *end)
{
    char c = r->s[r->pos];
    if (c == '"') {
        *kind = N_STRING;
        return scan_string(r, end);
    }
    if (c == '|') {
        *kind = N_QSYM;
        const char *bar = memchr(r->s + r->pos + 1, '|', r->len - r->pos - 1);
        if (!bar)
            return smug_sx_fail_at(r, r->pos, "unterminated |quoted symbol|");
        *end = (size_t)(bar - r->s) + 1;
        if (memchr(r->s + r->pos, '\0', *end - r->pos))
            return smug_sx_fail_at(r, r->pos, "NUL byte in a |quoted symbol|");
        return 0;
    }
    if (c == '\0')
        return smug_sx_fail_at(r, r->pos, "NUL byte");
    *kind = N_ATOM;
    size_t i = r->pos;
    while (i < r->len && is_atom_char(r->s[i]))
        i++;
    *end = i;
    return 0;
}

/* Reads the next top-level datum into r->nodes (reset first); *root = -1 at end of input. */
int smug_sx_read_datum(reader *r, int *root)
{
    int open[SMUG_SEXPR_MAX_DEPTH], last[SMUG_SEXPR_MAX_DEPTH]; /* open lists, last children */
    int depth = 0;
    r->n = 0;
    *root = -1;
    for (;;) {
        skip_blank(r);
        if (r->pos >= r->len)
            return depth == 0 ? 0 : smug_sx_fail_at(r, r->nodes[open[0]].at, "'(' never closed");
        char c = r->s[r->pos];
        if (c == ')') {
            if (depth == 0)
                return smug_sx_fail_at(r, r->pos, "unbalanced ')'");
            r->nodes[open[--depth]].end = ++r->pos;
            if (depth == 0)
                return *root = open[0], 0;
            continue;
        }
        if (c == '(' && depth == SMUG_SEXPR_MAX_DEPTH)
            return smug_sx_fail_at(r, r->pos, "lists nested too deeply");
        node_kind kind = N_LIST;
        size_t end = r->pos + 1;
        if (c != '(' && scan_token(r, &kind, &end) < 0)
            return -1;
        int id = new_node(r, kind, r->pos);
        if (id < 0)
            return -1;
        r->nodes[id].end = r->pos = end; /* a list's end is set again at its ')' */
        if (depth > 0) {
            node *parent = &r->nodes[open[depth - 1]];
            if (last[depth - 1] < 0)
                parent->first = id;
            else
                r->nodes[last[depth - 1]].next = id;
            last[depth - 1] = id;
            parent->n_children++;
        }
        if (kind == N_LIST) {
            open[depth] = id;
            last[depth++] = -1;
        } else if (depth == 0) {
            return *root = id, 0;
        }
    }
}

/* ---- copies of node text ---------------------------------------------------------- */

/* A name as printed: |quoted| symbols lose their bars (SMT-LIB: |abc| is abc); lists and
 * strings are kept verbatim. */
char *smug_sx_name_dup(const reader *r, int id)
{
    const node *x = nd(r, id);
    size_t at = x->at, n = x->end - x->at;
    if (x->kind == N_QSYM) {
        at++;
        n -= 2;
    }
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, r->s + at, n);
        s[n] = '\0';
    }
    return s;
}

/* The content of a string node with "" (and z3's \" and \\) unescaped. */
char *smug_sx_string_dup(const reader *r, int id)
{
    const node *x = nd(r, id);
    const char *p = r->s + x->at + 1, *e = r->s + x->end - 1;
    char *s = malloc((size_t)(e - p) + 1), *o = s;
    if (!s)
        return NULL;
    while (p < e) {
        if (p + 1 < e &&
            ((p[0] == '"' && p[1] == '"') || (p[0] == '\\' && (p[1] == '"' || p[1] == '\\'))))
            p++;
        *o++ = *p++;
    }
    *o = '\0';
    return s;
}
