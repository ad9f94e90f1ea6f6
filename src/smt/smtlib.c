/* smtlib.c — writes the mask problem of problem.h as SMT-LIB 2.6 (smtlib.h, design §3).
 *
 * The encoding is the compact one design §2 measured: k rows over the cells that matter,
 * each a sum of (ite m a 0.0) terms, rather than one product per pixel. Decimals are
 * printed by hand, exactly (GMP): printf's %g switches to exponent notation, which SMT-LIB
 * lacks, and 17 rounded digits would be a slightly different problem from the one smug's
 * certificates check.
 */
#include "smug/smtlib.h"

#include <gmp.h>
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
    /* |v| = m·2^e exactly; for e < 0 that is m·5^-e / 10^-e: the digits of m·5^-e with -e
     * of them after the point. So the text is the double's exact value, which the exact
     * certificate checks (certify.h) and every solver then read alike. */
    int ex;
    double f = frexp(fabs(v), &ex);
    mpz_t d;
    mpz_init_set_d(d, ldexp(f, 53)); /* an integer: the 53-bit mantissa */
    long e = (long)ex - 53;
    while (e < 0 && mpz_even_p(d))
        mpz_tdiv_q_2exp(d, d, 1), e++;
    long places = 0;
    if (e >= 0) {
        mpz_mul_2exp(d, d, (mp_bitcnt_t)e);
    } else {
        mpz_t five;
        mpz_init(five);
        mpz_ui_pow_ui(five, 5, (unsigned long)-e);
        mpz_mul(d, d, five);
        mpz_clear(five);
        places = -e;
    }
    char *digits = mpz_get_str(NULL, 10, d);
    size_t nd = strlen(digits);
    if (v < 0.0)
        smug_strbuf_adds(out, "(- ");
    if (places == 0) {
        smug_strbuf_adds(out, digits);
        smug_strbuf_adds(out, ".0");
    } else if ((size_t)places >= nd) {
        smug_strbuf_adds(out, "0.");
        for (size_t i = nd; i < (size_t)places; i++)
            smug_strbuf_adds(out, "0");
        smug_strbuf_adds(out, digits);
    } else {
        smug_strbuf_add(out, digits, nd - (size_t)places);
        smug_strbuf_adds(out, ".");
        smug_strbuf_adds(out, digits + nd - (size_t)places);
    }
    if (v < 0.0)
        smug_strbuf_adds(out, ")");
    void (*release)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &release);
    release(digits, nd + 1);
    mpz_clear(d);
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
