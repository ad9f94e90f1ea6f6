/* sexpr_internal.h — the s-expression reader's node array, shared by the reader
 * (sexpr_read.c) and the reply interpreter (sexpr.c). Not a public header: sexpr.h is. */
#ifndef SMUG_SEXPR_INTERNAL_H
#define SMUG_SEXPR_INTERNAL_H
#include <stddef.h>
#include <string.h>

#include "smug/error.h"

typedef enum { N_ATOM, N_QSYM, N_STRING, N_LIST } node_kind;

/* One datum. [at, end) is its raw extent including delimiters; children of a list are
 * linked through `next` (-1 ends a chain). */
typedef struct node {
    node_kind kind;
    size_t at, end;
    int first, next, n_children;
} node;

typedef struct reader {
    const char *s;
    size_t len, pos;
    node *nodes;
    int n, cap;
    smug_error *err;
} reader;

/* SMUG_ERR_FORMAT "solver output: <what> at byte <at> (line N)"; returns -1. */
int smug_sx_fail_at(reader *r, size_t at, const char *what);

/* Reads the next top-level datum into r->nodes (reset first); *root = -1 at end of input. */
int smug_sx_read_datum(reader *r, int *root);

/* A name as printed: |quoted| symbols lose their bars (SMT-LIB: |abc| is abc); lists and
 * strings are kept verbatim. Caller frees; NULL when out of memory. */
char *smug_sx_name_dup(const reader *r, int id);

/* The content of a string node with "" (and z3's \" and \\) unescaped. Caller frees. */
char *smug_sx_string_dup(const reader *r, int id);

static inline const node *nd(const reader *r, int id)
{
    return &r->nodes[id];
}

static inline int atom_is(const reader *r, int id, const char *word)
{
    const node *x = nd(r, id);
    size_t n = strlen(word);
    return x->kind == N_ATOM && x->end - x->at == n && memcmp(r->s + x->at, word, n) == 0;
}

/* The head atom of a list, or -1. */
static inline int list_head(const reader *r, int id)
{
    const node *x = nd(r, id);
    if (x->kind != N_LIST || x->first < 0 || nd(r, x->first)->kind != N_ATOM)
        return -1;
    return x->first;
}

/* The k-th child of list id, or -1. */
static inline int child(const reader *r, int id, int k)
{
    int c = nd(r, id)->first;
    while (c >= 0 && k-- > 0)
        c = nd(r, c)->next;
    return c;
}

#endif
