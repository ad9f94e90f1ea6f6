/* smtlib.c — writes the mask problem of problem.h as SMT-LIB 2.6 (smtlib.h, design §3).
 *
 * The encoding is the compact one design §2 measured: k rows over the cells that matter,
 * each a sum of (ite m a 0.0) terms, rather than one product per pixel. Decimals are
 * printed by hand because printf's %g switches to exponent notation, which SMT-LIB lacks.
 */
#include "smug/smtlib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void smug_smt_decimal(smug_strbuf *out, double v)
{
    if (v == 0.0 || !isfinite(v)) {
        smug_strbuf_adds(out, "0.0");
        return;
    }
    /* printf rounds to 17 significant digits ("d.dddddddddddddddde±XX"); the decimal point
     * is then placed by hand, so huge values get zeros rather than more digits */
    char e[48], digits[24], buf[400];
    snprintf(e, sizeof e, "%.16e", fabs(v));
    int nd = 0;
    const char *p = e;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    int point = atoi(p + 1) + 1; /* digits before the decimal point */
    size_t len = 0;
    if (point <= 0) { /* 0.000ddd: at most 324 zeros for the smallest subnormal */
        buf[len++] = '0';
        buf[len++] = '.';
        for (int i = 0; i < -point; i++)
            buf[len++] = '0';
        memcpy(buf + len, digits, (size_t)nd);
        len += (size_t)nd;
    } else if (point >= nd) {
        memcpy(buf, digits, (size_t)nd);
        len = (size_t)nd;
        for (int i = nd; i < point; i++)
            buf[len++] = '0';
        buf[len++] = '.';
        buf[len++] = '0';
    } else {
        memcpy(buf, digits, (size_t)point);
        buf[point] = '.';
        memcpy(buf + point + 1, digits + point, (size_t)(nd - point));
        len = (size_t)nd + 1;
    }
    buf[len] = '\0';
    while (len > 2 && buf[len - 1] == '0' && buf[len - 2] != '.')
        buf[--len] = '\0';
    if (v < 0.0)
        smug_strbuf_addf(out, "(- %s)", buf);
    else
        smug_strbuf_adds(out, buf);
}

void smug_smt_header(smug_strbuf *out, const char *source, const char *status)
{
    smug_strbuf_adds(out, "(set-info :smt-lib-version 2.6)\n(set-logic QF_LRA)\n");
    smug_strbuf_addf(out, "(set-info :source |%s|)\n", source);
    smug_strbuf_adds(out, "(set-info :license \"https://creativecommons.org/licenses/by/4.0/\")\n"
                          "(set-info :category \"industrial\")\n");
    smug_strbuf_addf(out, "(set-info :status %s)\n", status);
}

static void var(smug_strbuf *out, const smug_mask_problem *p, int i)
{
    char name[64];
    smug_strbuf_adds(out, smug_mask_var_name(p, i, name, sizeof name));
}

/* (+ t1 t2 …) with the arities SMT-LIB allows: one term alone, none as 0.0. */
static void sum_open(smug_strbuf *out, int terms)
{
    if (terms == 0)
        smug_strbuf_adds(out, "0.0");
    else if (terms > 1)
        smug_strbuf_adds(out, "(+");
}

static void sum_close(smug_strbuf *out, int terms)
{
    if (terms > 1)
        smug_strbuf_adds(out, ")");
}

static void row(smug_strbuf *out, const smug_mask_problem *p, int j)
{
    const double *a = p->a + (size_t)j * (size_t)p->n;
    int terms = 0;
    for (int i = 0; i < p->n; i++)
        terms += a[i] != 0.0;
    smug_strbuf_addf(out, "; neuron %d: o = ", p->neuron[j]);
    smug_smt_decimal(out, p->o[j]);
    smug_strbuf_adds(out, "\n(assert (> ");
    sum_open(out, terms);
    for (int i = 0; i < p->n; i++) {
        if (a[i] == 0.0)
            continue;
        smug_strbuf_adds(out, terms > 1 ? " (ite " : "(ite ");
        var(out, p, i);
        smug_strbuf_adds(out, " ");
        smug_smt_decimal(out, a[i]);
        smug_strbuf_adds(out, " 0.0)");
    }
    sum_close(out, terms);
    smug_strbuf_adds(out, " ");
    smug_smt_decimal(out, p->t[j]);
    smug_strbuf_adds(out, "))\n");
}

static void zero_fixings(smug_strbuf *out, const smug_mask_problem *p, const uint8_t *zero)
{
    for (int i = 0; zero && i < p->n; i++)
        if (zero[i]) {
            smug_strbuf_adds(out, "(assert (not ");
            var(out, p, i);
            smug_strbuf_adds(out, "))\n");
        }
}

void smug_smt_body(smug_strbuf *out, const smug_mask_problem *p, const smug_smt_facts *facts)
{
    for (int i = 0; i < p->n; i++) {
        smug_strbuf_adds(out, "(declare-const ");
        var(out, p, i);
        smug_strbuf_adds(out, " Bool)\n");
    }
    smug_strbuf_adds(out, "(declare-const size Real)\n(assert (= size ");
    sum_open(out, p->n);
    for (int i = 0; i < p->n; i++) {
        smug_strbuf_adds(out, p->n > 1 ? " (ite " : "(ite ");
        var(out, p, i);
        smug_strbuf_adds(out, " 1.0 0.0)");
    }
    sum_close(out, p->n);
    smug_strbuf_adds(out, "))\n");
    for (int j = 0; j < p->k; j++)
        row(out, p, j);
    if (!facts)
        return;
    smug_strbuf_adds(out, "; proved before solving: lower bound, dominance, useless cells\n");
    if (facts->lower > 0)
        smug_strbuf_addf(out, "(assert (>= size %d.0))\n", facts->lower);
    for (int d = 0; d < facts->n_dom; d++) {
        smug_strbuf_adds(out, "(assert (=> ");
        var(out, p, facts->dom_from[d]);
        smug_strbuf_adds(out, " ");
        var(out, p, facts->dom_to[d]);
        smug_strbuf_adds(out, "))\n");
    }
    zero_fixings(out, p, facts->zero);
}

static void get_value(smug_strbuf *out, const smug_mask_problem *p)
{
    smug_strbuf_adds(out, "(get-value (");
    for (int i = 0; i < p->n; i++) {
        var(out, p, i);
        smug_strbuf_adds(out, " ");
    }
    smug_strbuf_adds(out, "size))\n");
}

void smug_smt_decision_query(smug_strbuf *out, const smug_mask_problem *p, int bound,
                             const uint8_t *zero, int push_pop, const char *marker)
{
    if (push_pop)
        smug_strbuf_adds(out, "(push 1)\n");
    smug_strbuf_addf(out, "(assert (<= size %d.0))\n", bound);
    zero_fixings(out, p, zero);
    smug_strbuf_adds(out, "(check-sat)\n");
    get_value(out, p);
    if (push_pop)
        smug_strbuf_addf(out, "(pop 1)\n(echo \"%s\")\n", marker ? marker : "done");
}

void smug_smt_leaf_query(smug_strbuf *out, const smug_mask_problem *p, int bound, int with_values)
{
    smug_strbuf_addf(out, "(assert (<= size %d.0))\n(check-sat)\n", bound);
    if (with_values)
        get_value(out, p);
}

void smug_smt_get_values(smug_strbuf *out, const smug_mask_problem *p)
{
    get_value(out, p);
}

void smug_smt_optimize_query(smug_strbuf *out, const smug_mask_problem *p)
{
    smug_strbuf_adds(out, "(minimize size)\n(check-sat)\n(get-objectives)\n");
    get_value(out, p);
}

void smug_smt_exit(smug_strbuf *out)
{
    smug_strbuf_adds(out, "(exit)\n");
}

void smug_smt_assert_fixed(smug_strbuf *out, const smug_mask_problem *p, const int8_t *fix)
{
    for (int i = 0; i < p->n; i++) {
        if (fix[i] < 0)
            continue;
        smug_strbuf_adds(out, fix[i] ? "(assert " : "(assert (not ");
        var(out, p, i);
        smug_strbuf_adds(out, fix[i] ? ")\n" : "))\n");
    }
}
