/* sexpr.c — solver stdout → smug_solver_output (design §1: the last step of smt/, before
 * the assignment becomes a mask; §12 lists the solver quirks handled here).
 *
 * The interpreter of replies: over the node arrays of the reader (sexpr_read.c, one
 * top-level datum at a time) it recognises answers, get-value/get-model responses, z3
 * objectives and (error …) lines. It never evaluates more than the value grammar of sexpr.h, never
 * guesses at text it cannot read (that is SMUG_ERR_FORMAT with a byte offset), and it
 * decides nothing: believing an answer is the caller's job (style habit 2).
 */
#include "smug/sexpr.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sexpr_internal.h"

/* A number of z3's objective arithmetic: inf·oo + real + eps·epsilon. Plain values have
 * inf = eps = 0. */
typedef struct ext {
    double inf, real, eps;
} ext;

enum { NOT_VALUE = 0, IS_VALUE = 1, BAD_VALUE = -1 };

/* ---- numbers ----------------------------------------------------------------------- */

/* numeral | numeral.digits, SMT-LIB 2.6 (no sign, no exponent). strtod sees a bounded
 * copy: leading zeros dropped and the fraction cut after 400 digits (below the smallest
 * double, so at most one ulp off), which keeps huge fuzzed numerals linear. strtod's '.'
 * is the C locale's; smug never calls setlocale. */
static int read_decimal(const reader *r, int id, double *out)
{
    const node *x = nd(r, id);
    const char *s = r->s + x->at;
    size_t n = x->end - x->at, i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int_len = i, frac_at = i + 1, frac_len = 0;
    if (int_len == 0)
        return NOT_VALUE;
    if (i < n) {
        if (s[i] != '.')
            return NOT_VALUE;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            frac_len++;
        if (i < n || frac_len == 0)
            return NOT_VALUE;
    }
    size_t z = 0;
    while (z + 1 < int_len && s[z] == '0')
        z++;
    if (int_len - z > 320)
        return BAD_VALUE;
    char buf[800];
    size_t k = int_len - z;
    memcpy(buf, s + z, k);
    if (frac_len > 0) {
        size_t f = frac_len < 400 ? frac_len : 400;
        buf[k++] = '.';
        memcpy(buf + k, s + frac_at, f);
        k += f;
    }
    buf[k] = '\0';
    *out = strtod(buf, NULL);
    return isfinite(*out) ? IS_VALUE : BAD_VALUE;
}

static int ext_finite(ext e)
{
    return isfinite(e.inf) && isfinite(e.real) && isfinite(e.eps);
}

static int ext_const(ext e)
{
    return e.inf == 0 && e.eps == 0;
}

static ext ext_scale(ext e, double k)
{
    return (ext){e.inf * k, e.real * k, e.eps * k};
}

/* Evaluates a value: a decimal, (- v), (/ a b); with `objective`, also z3's oo, epsilon,
 * n-ary + and * (one non-constant factor) and n-ary -. NOT_VALUE for any other term (a
 * model's definition of a function, say); BAD_VALUE for a division by zero or overflow. */
static int eval(const reader *r, int id, int objective, ext *out)
{
    const node *x = nd(r, id);
    *out = (ext){0, 0, 0};
    if (x->kind == N_ATOM) {
        if (objective && atom_is(r, id, "oo"))
            return out->inf = 1, IS_VALUE;
        if (objective && atom_is(r, id, "epsilon"))
            return out->eps = 1, IS_VALUE;
        return read_decimal(r, id, &out->real);
    }
    int head = list_head(r, id);
    if (head < 0)
        return NOT_VALUE;
    int n_args = x->n_children - 1, op;
    if (atom_is(r, head, "-"))
        op = '-';
    else if (atom_is(r, head, "/"))
        op = '/';
    else if (objective && atom_is(r, head, "+"))
        op = '+';
    else if (objective && atom_is(r, head, "*"))
        op = '*';
    else
        return NOT_VALUE;
    if (n_args < 1 || (op == '/' && n_args != 2) || (op == '-' && !objective && n_args != 1))
        return NOT_VALUE;
    int i = 0;
    for (int a = nd(r, head)->next; a >= 0; a = nd(r, a)->next, i++) {
        ext v;
        int rc = eval(r, a, objective, &v);
        if (rc != IS_VALUE)
            return rc;
        if (i == 0) {
            *out = (op == '-' && n_args == 1) ? ext_scale(v, -1) : v;
        } else if (op == '+' || op == '-') {
            double k = op == '+' ? 1 : -1;
            *out = (ext){out->inf + k * v.inf, out->real + k * v.real, out->eps + k * v.eps};
        } else if (op == '/') {
            if (!ext_const(v) || v.real == 0)
                return BAD_VALUE;
            *out = ext_scale(*out, 1 / v.real);
        } else if (ext_const(v)) {
            *out = ext_scale(*out, v.real);
        } else if (ext_const(*out)) {
            *out = ext_scale(v, out->real);
        } else {
            return NOT_VALUE; /* oo·oo, epsilon·oo: not a number z3 prints */
        }
        if (!ext_finite(*out))
            return BAD_VALUE;
    }
    return IS_VALUE;
}

/* The conservative double for a bound: ±INFINITY for an infinite term; a + k·epsilon
 * widens by one ulp in the direction that keeps the bound valid. */
static double ext_lower(ext e)
{
    if (e.inf != 0)
        return e.inf > 0 ? INFINITY : -INFINITY;
    return e.eps < 0 ? nextafter(e.real, -INFINITY) : e.real;
}

static double ext_upper(ext e)
{
    if (e.inf != 0)
        return e.inf > 0 ? INFINITY : -INFINITY;
    return e.eps > 0 ? nextafter(e.real, INFINITY) : e.real;
}

/* A true/false or a number into v (name untouched). */
static int read_value(const reader *r, int id, smug_value *v)
{
    if (atom_is(r, id, "true") || atom_is(r, id, "false")) {
        v->is_bool = 1;
        v->bool_value = atom_is(r, id, "true");
        v->number = v->bool_value;
        return IS_VALUE;
    }
    ext e;
    int rc = eval(r, id, 0, &e);
    v->is_bool = 0;
    v->bool_value = 0;
    v->number = e.real;
    return rc;
}

/* ---- responses --------------------------------------------------------------------- */

static int count_other(smug_solver_output *out)
{
    if (out->n_other < INT_MAX)
        out->n_other++;
    return 0;
}

typedef struct value_list {
    smug_value *v;
    int n, cap;
} value_list;

static void value_list_free(value_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].name);
    free(l->v);
    *l = (value_list){NULL, 0, 0};
}

static int value_list_add(reader *r, value_list *l, int name_id, const smug_value *v)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        smug_value *nv = l->cap > INT_MAX / 2 ? NULL : realloc(l->v, (size_t)cap * sizeof *nv);
        if (!nv)
            return smug_fail(r->err, SMUG_ERR_NOMEM, "out of memory");
        l->v = nv;
        l->cap = cap;
    }
    smug_value *dst = &l->v[l->n];
    *dst = *v;
    dst->name = smug_sx_name_dup(r, name_id);
    if (!dst->name)
        return smug_fail(r->err, SMUG_ERR_NOMEM, "out of memory");
    l->n++;
    return 0;
}

/* Makes `l` the output's values: the last response wins. */
static void take_values(smug_solver_output *out, value_list *l)
{
    value_list old = {out->values, out->n_values, out->n_values};
    value_list_free(&old);
    out->values = l->v;
    out->n_values = l->n;
    *l = (value_list){NULL, 0, 0};
}

static int is_pair(const reader *r, int id)
{
    return nd(r, id)->kind == N_LIST && nd(r, id)->n_children == 2;
}

/* ((name value) …): every item must be a pair with a readable value. */
static int read_get_value(reader *r, int root, smug_solver_output *out)
{
    value_list l = {NULL, 0, 0};
    for (int c = nd(r, root)->first; c >= 0; c = nd(r, c)->next) {
        if (!is_pair(r, c)) {
            value_list_free(&l);
            return smug_sx_fail_at(r, nd(r, c)->at,
                                   "get-value response: item is not a (name value) pair");
        }
        int name = nd(r, c)->first, val = nd(r, name)->next;
        smug_value v = {0};
        int rc =
            read_value(r, val, &v) != IS_VALUE
                ? smug_sx_fail_at(r, nd(r, val)->at, "get-value response: cannot read the value")
                : value_list_add(r, &l, name, &v);
        if (rc < 0) {
            value_list_free(&l);
            return -1;
        }
    }
    take_values(out, &l);
    return 0;
}

/* (define-fun name () Sort value) entries; functions with arguments, definitions whose body
 * is a term rather than a value (z3 prints define-fun'd terms such as `size` this way) and
 * other model items (declare-sort, …) are skipped. */
static int read_model(reader *r, int first, smug_solver_output *out)
{
    value_list l = {NULL, 0, 0};
    for (int c = first; c >= 0; c = nd(r, c)->next) {
        int head = list_head(r, c);
        if (head < 0 || !atom_is(r, head, "define-fun") || nd(r, c)->n_children != 5)
            continue;
        int name = child(r, c, 1), args = child(r, c, 2), body = child(r, c, 4);
        if ((nd(r, name)->kind != N_ATOM && nd(r, name)->kind != N_QSYM) ||
            nd(r, args)->kind != N_LIST || nd(r, args)->n_children != 0)
            continue;
        smug_value v = {0};
        int rc = read_value(r, body, &v);
        if (rc == NOT_VALUE)
            continue;
        rc = rc == BAD_VALUE ? smug_sx_fail_at(r, nd(r, body)->at, "model: cannot read the value")
                             : value_list_add(r, &l, name, &v);
        if (rc < 0) {
            value_list_free(&l);
            return -1;
        }
    }
    take_values(out, &l);
    return 0;
}

/* (objectives (name v) …) where v is a value, z3's oo/epsilon arithmetic or
 * (interval lo hi). Each entry is checked; the first one gives the bounds. */
static int read_objectives(reader *r, int root, smug_solver_output *out)
{
    int first = 1;
    for (int c = nd(r, nd(r, root)->first)->next; c >= 0; c = nd(r, c)->next) {
        if (!is_pair(r, c))
            return smug_sx_fail_at(r, nd(r, c)->at, "objectives: item is not a (name value) pair");
        int val = nd(r, nd(r, c)->first)->next, head = list_head(r, val);
        ext lo, hi;
        int ok;
        if (head >= 0 && atom_is(r, head, "interval")) {
            ok = nd(r, val)->n_children == 3 && eval(r, child(r, val, 1), 1, &lo) == IS_VALUE &&
                 eval(r, child(r, val, 2), 1, &hi) == IS_VALUE;
        } else {
            ok = eval(r, val, 1, &lo) == IS_VALUE;
            hi = lo;
        }
        if (!ok || !(ext_lower(lo) <= ext_upper(hi)))
            return smug_sx_fail_at(r, nd(r, val)->at, "objectives: cannot read the value");
        if (first) {
            out->has_objective = 1;
            out->objective_lo = ext_lower(lo);
            out->objective_hi = ext_upper(hi);
            first = 0;
        }
    }
    return first ? count_other(out) : 0;
}

/* (error "…"): the first one is kept; a malformed one keeps its raw text, never lost. */
static int read_error(reader *r, int root, smug_solver_output *out)
{
    if (out->error)
        return 0;
    out->error_after = out->n_answers;
    int msg = child(r, root, 1);
    if (msg >= 0 && nd(r, msg)->kind == N_STRING && nd(r, root)->n_children == 2)
        out->error = smug_sx_string_dup(r, msg);
    else
        out->error = smug_sx_name_dup(r, root);
    return smug_check_alloc(out->error, r->err);
}

static int add_answer(reader *r, smug_solver_output *out, smug_answer a, int *cap)
{
    if (out->n_answers == *cap) {
        int n = *cap ? 2 * *cap : 4;
        smug_answer *p = *cap > INT_MAX / 2 ? NULL : realloc(out->answers, (size_t)n * sizeof *p);
        if (!p)
            return smug_fail(r->err, SMUG_ERR_NOMEM, "out of memory");
        out->answers = p;
        *cap = n;
    }
    out->answers[out->n_answers++] = a;
    return 0;
}

static int is_model_item(const reader *r, int id)
{
    int head = list_head(r, id);
    if (head < 0)
        return 0;
    const node *h = nd(r, head);
    size_t n = h->end - h->at;
    const char *s = r->s + h->at;
    return (n > 7 && memcmp(s, "define-", 7) == 0) || (n > 8 && memcmp(s, "declare-", 8) == 0);
}

static int interpret(reader *r, int root, smug_solver_output *out, int *answers_cap)
{
    const node *x = nd(r, root);
    if (x->kind == N_ATOM) {
        if (atom_is(r, root, "sat"))
            return add_answer(r, out, SMUG_ANS_SAT, answers_cap);
        if (atom_is(r, root, "unsat"))
            return add_answer(r, out, SMUG_ANS_UNSAT, answers_cap);
        if (atom_is(r, root, "unknown"))
            return add_answer(r, out, SMUG_ANS_UNKNOWN, answers_cap);
    }
    if (x->kind != N_LIST)
        return count_other(out);
    if (x->n_children == 0) /* an empty model: cvc5 prints "(\n)" */
        return read_model(r, -1, out);
    int head = list_head(r, root);
    if (head >= 0 && atom_is(r, head, "error"))
        return read_error(r, root, out);
    if (head >= 0 && atom_is(r, head, "objectives"))
        return read_objectives(r, root, out);
    if (head >= 0 && atom_is(r, head, "model"))
        return read_model(r, nd(r, head)->next, out);
    if (is_model_item(r, x->first))
        return read_model(r, x->first, out);
    if (is_pair(r, x->first))
        return read_get_value(r, root, out);
    return count_other(out);
}

/* A format error names the solver's own error, if any: the first complete one, or the one
 * whose text could not be read (cvc5 does not escape quotes it copies from the input). */
static void add_solver_error(reader *r, smug_solver_output *out)
{
    if (r->err->code == SMUG_ERR_NOMEM)
        return;
    char *msg = out->error;
    if (!msg && r->n > 1 && r->nodes[0].kind == N_LIST && atom_is(r, r->nodes[0].first, "error")) {
        int m = r->nodes[r->nodes[0].first].next;
        if (m >= 0 && r->nodes[m].kind == N_STRING)
            msg = smug_sx_string_dup(r, m);
    }
    if (msg) {
        size_t n = strnlen(r->err->msg, sizeof r->err->msg - 1);
        snprintf(r->err->msg + n, sizeof r->err->msg - n, "; the solver's error: \"%s\"", msg);
    }
    if (msg != out->error)
        free(msg);
}

int smug_sexpr_parse(const char *text, size_t len, smug_solver_output *out, smug_error *err)
{
    smug_error local = SMUG_ERROR_INIT;
    if (!out)
        return smug_fail(err, SMUG_ERR_INTERNAL, "smug_sexpr_parse: no output");
    reader r = {text, text ? len : 0, 0, NULL, 0, 0, err ? err : &local};
    memset(out, 0, sizeof *out);
    int answers_cap = 0, rc = 0;
    for (;;) {
        int root;
        if ((rc = smug_sx_read_datum(&r, &root)) < 0 || root < 0)
            break;
        if ((rc = interpret(&r, root, out, &answers_cap)) < 0)
            break;
    }
    if (rc < 0) {
        add_solver_error(&r, out);
        smug_solver_output_clear(out);
    }
    free(r.nodes);
    return rc;
}

void smug_solver_output_clear(smug_solver_output *o)
{
    if (!o)
        return;
    free(o->answers);
    for (int i = 0; i < o->n_values; i++)
        free(o->values[i].name);
    free(o->values);
    free(o->error);
    memset(o, 0, sizeof *o);
}

smug_answer smug_solver_output_last_answer(const smug_solver_output *o)
{
    return o && o->n_answers > 0 ? o->answers[o->n_answers - 1] : SMUG_ANS_NONE;
}

const smug_value *smug_solver_output_find(const smug_solver_output *o, const char *name)
{
    if (!o || !name)
        return NULL;
    for (int i = 0; i < o->n_values; i++)
        if (strcmp(o->values[i].name, name) == 0)
            return &o->values[i];
    return NULL;
}
