/* certify.c — exact checks of infeasibility certificates, rows, dominance (certify.h).
 *
 * Where the LP (lp.c) and the branch and bound (branch.c) say "closed", this file is what
 * makes it true. Every double is split into an integer mantissa and a power of two, and
 * sums of products are accumulated as GMP integers scaled by a common power of two, so no
 * step rounds. It does not look for certificates (GLPK's duals are the candidates) and it
 * never trusts a tolerance: a check that fails only sends the leaf back to branching.
 */
#include "smug/certify.h"

#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A dyadic rational m·2^e; `set` is 0 while it is zero and has no exponent yet. */
typedef struct dy {
    mpz_t m;
    long e;
    int set;
} dy;

struct smug_certifier {
    const smug_mask_problem *p;
    size_t *row_start; /* [k + 1]: row j's nonzero a_jc are entries row_start[j] .. [j+1] */
    int *col;          /* [nonzeros] their cells c */
    int64_t *am;       /* [nonzeros] mantissas of a_jc (a zero adds nothing: not stored) */
    int *ae;           /* [nonzeros] their exponents */
    dy *c;             /* [n] c_i of the combination */
    dy sum, rhs;
    mpz_t term;
};

/* v = *m · 2^*e exactly, with *m odd (or 0). */
static void split(double v, int64_t *m, int *e)
{
    if (v == 0.0) {
        *m = 0, *e = 0;
        return;
    }
    int ex;
    double f = frexp(v, &ex); /* v = f·2^ex, 0.5 ≤ |f| < 1: f·2^53 is an integer */
    int64_t mm = (int64_t)ldexp(f, 53);
    int ee = ex - 53;
    while ((mm & 1) == 0)
        mm /= 2, ee++;
    *m = mm, *e = ee;
}

static void dy_init(dy *x)
{
    mpz_init(x->m);
    x->e = 0, x->set = 0;
}

static void dy_clear(dy *x)
{
    mpz_clear(x->m);
}

static void dy_zero(dy *x)
{
    mpz_set_ui(x->m, 0);
    x->e = 0, x->set = 0;
}

/* x += t·2^e (t is clobbered). */
static void dy_add(dy *x, mpz_t t, long e)
{
    if (mpz_sgn(t) == 0)
        return;
    if (!x->set) {
        mpz_set(x->m, t);
        x->e = e, x->set = 1;
    } else if (e >= x->e) {
        mpz_mul_2exp(t, t, (mp_bitcnt_t)(e - x->e));
        mpz_add(x->m, x->m, t);
    } else {
        mpz_mul_2exp(x->m, x->m, (mp_bitcnt_t)(x->e - e));
        x->e = e;
        mpz_add(x->m, x->m, t);
    }
}

/* x += a·b for doubles a, b (the product of two 53-bit mantissas is exact in mpz). */
static void dy_add_product(dy *x, mpz_t scratch, int64_t am, int ae, double b)
{
    int64_t bm;
    int be;
    split(b, &bm, &be);
    if (am == 0 || bm == 0)
        return;
    mpz_set_si(scratch, (long)am);
    mpz_mul_si(scratch, scratch, (long)bm);
    dy_add(x, scratch, (long)ae + be);
}

static void dy_add_double(dy *x, mpz_t scratch, double v)
{
    dy_add_product(x, scratch, 1, 0, v);
}

/* Sign of x − y, exact (both may be unset = 0). */
static int dy_cmp(const dy *x, const dy *y, mpz_t scratch)
{
    if (!x->set || !y->set)
        return !x->set && !y->set ? 0 : !x->set ? -mpz_sgn(y->m) : mpz_sgn(x->m);
    if (x->e >= y->e) {
        mpz_mul_2exp(scratch, x->m, (mp_bitcnt_t)(x->e - y->e));
        return mpz_cmp(scratch, y->m);
    }
    mpz_mul_2exp(scratch, y->m, (mp_bitcnt_t)(y->e - x->e));
    return mpz_cmp(x->m, scratch);
}

int smug_certifier_new(const smug_mask_problem *p, smug_certifier **out, smug_error *err)
{
    smug_certifier *c = calloc(1, sizeof *c);
    size_t n = p->n > 0 ? (size_t)p->n : 1, nz = p->nnz;
    if (c) {
        c->row_start = malloc(((size_t)(p->k > 0 ? p->k : 0) + 1) * sizeof *c->row_start);
        c->col = malloc((nz ? nz : 1) * sizeof *c->col);
        c->am = malloc((nz ? nz : 1) * sizeof *c->am);
        c->ae = malloc((nz ? nz : 1) * sizeof *c->ae);
        c->c = malloc(n * sizeof *c->c);
    }
    if (!c || !c->row_start || !c->col || !c->am || !c->ae || !c->c) {
        if (c)
            free(c->row_start), free(c->col), free(c->am), free(c->ae), free(c->c);
        free(c);
        return smug_fail(err, SMUG_ERR_NOMEM, "certify: out of memory");
    }
    c->p = p;
    size_t at = 0;
    for (int j = 0; j < p->k; j++) { /* sparse: a conv row touches a few cells (issue #12) */
        c->row_start[j] = at;
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
            c->col[at] = p->row_var[e], split(p->row_coef[e], &c->am[at], &c->ae[at]), at++;
    }
    c->row_start[p->k > 0 ? p->k : 0] = at;
    for (size_t i = 0; i < n; i++)
        dy_init(&c->c[i]);
    dy_init(&c->sum);
    dy_init(&c->rhs);
    mpz_init(c->term);
    *out = c;
    return 0;
}

void smug_certifier_free(smug_certifier *c)
{
    if (!c)
        return;
    size_t n = c->p->n > 0 ? (size_t)c->p->n : 1;
    for (size_t i = 0; i < n; i++)
        dy_clear(&c->c[i]);
    dy_clear(&c->sum);
    dy_clear(&c->rhs);
    mpz_clear(c->term);
    free(c->row_start), free(c->col), free(c->am), free(c->ae), free(c->c);
    free(c);
}

static int nonneg(double v)
{
    return isfinite(v) && v >= 0.0;
}

/* The certificate's own shape: indices in range, multipliers finite and ≥ 0, dominance
 * pairs true. */
static int cert_shape(const smug_mask_problem *p, int bound, const smug_cert *cert, char *why,
                      size_t n_why)
{
    if (bound < 0) {
        snprintf(why, n_why, "bound %d < 0: nothing to refute", bound);
        return 0;
    }
    if (!nonneg(cert->mu)) {
        snprintf(why, n_why, "size multiplier %g is not a finite value >= 0", cert->mu);
        return 0;
    }
    for (int t = 0; t < cert->n_y; t++)
        if (cert->y_row[t] < 0 || cert->y_row[t] >= p->k || !nonneg(cert->y[t])) {
            snprintf(why, n_why, "row multiplier %d (row %d, %g) is invalid", t, cert->y_row[t],
                     cert->y[t]);
            return 0;
        }
    for (int t = 0; t < cert->n_z; t++) {
        int f = cert->z_from[t], to = cert->z_to[t];
        if (f < 0 || f >= p->n || to < 0 || to >= p->n || !nonneg(cert->z[t])) {
            snprintf(why, n_why, "dominance multiplier %d is invalid", t);
            return 0;
        }
        if (!smug_certify_dominates(p, to, f)) {
            snprintf(why, n_why, "cell %d does not dominate cell %d", to, f);
            return 0;
        }
    }
    return 1;
}

int smug_certify_leaf(smug_certifier *c, const int8_t *fix, int bound, const smug_cert *cert,
                      char *why, size_t n_why)
{
    const smug_mask_problem *p = c->p;
    if (!cert_shape(p, bound, cert, why, n_why))
        return 0;
    int strict = 0;
    for (int i = 0; i < p->n; i++)
        dy_zero(&c->c[i]);
    dy_zero(&c->rhs);
    /* c_i = Σ_j y_j a_ji + Σ_d z_d ([i = to_d] − [i = from_d]) − μ;  rhs = Σ_j y_j t_j − μ·B */
    for (int t = 0; t < cert->n_y; t++) {
        int j = cert->y_row[t];
        double y = cert->y[t];
        if (y == 0.0)
            continue;
        strict = 1; /* a strict row with a positive weight: the combination is strict */
        for (size_t e = c->row_start[j]; e < c->row_start[j + 1]; e++)
            dy_add_product(&c->c[c->col[e]], c->term, c->am[e], c->ae[e], y);
        int64_t tm;
        int te;
        split(p->t[j], &tm, &te);
        dy_add_product(&c->rhs, c->term, tm, te, y);
    }
    for (int t = 0; t < cert->n_z; t++) {
        dy_add_double(&c->c[cert->z_to[t]], c->term, cert->z[t]);
        dy_add_double(&c->c[cert->z_from[t]], c->term, -cert->z[t]);
    }
    int64_t mum;
    int mue;
    split(cert->mu, &mum, &mue);
    for (int i = 0; i < p->n; i++)
        dy_add_product(&c->c[i], c->term, mum, mue, -1.0);
    dy_add_product(&c->rhs, c->term, mum, mue, -(double)bound); /* B is a small integer */
    /* the maximum of Σ c_i m_i over the leaf's box */
    dy_zero(&c->sum);
    for (int i = 0; i < p->n; i++) {
        if (fix[i] == 0 || !c->c[i].set)
            continue;
        if (fix[i] == 1 || mpz_sgn(c->c[i].m) > 0) {
            mpz_set(c->term, c->c[i].m);
            dy_add(&c->sum, c->term, c->c[i].e);
        }
    }
    int s = dy_cmp(&c->sum, &c->rhs, c->term);
    if (s < 0 || (s == 0 && strict))
        return 1;
    snprintf(why, n_why, "the combination's maximum %.17g over the leaf is not below %.17g",
             c->sum.set ? ldexp(mpz_get_d(c->sum.m), (int)c->sum.e) : 0.0,
             c->rhs.set ? ldexp(mpz_get_d(c->rhs.m), (int)c->rhs.e) : 0.0);
    return 0;
}

int smug_certify_row_sign(const smug_mask_problem *p, int j, const uint8_t *m)
{
    dy s;
    mpz_t t;
    dy_init(&s);
    mpz_init(t);
    for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
        if (m[p->row_var[e]])
            dy_add_double(&s, t, p->row_coef[e]);
    dy_add_double(&s, t, -p->t[j]);
    int sign = s.set ? mpz_sgn(s.m) : 0;
    mpz_clear(t);
    dy_clear(&s);
    return sign;
}

int smug_certify_dominates(const smug_mask_problem *p, int d, int q)
{
    if (d == q || d < 0 || q < 0 || d >= p->n || q >= p->n)
        return 0;
    /* a merge of the two columns (rows in increasing order); rows in neither compare 0 = 0 */
    int strict = 0;
    size_t e = p->col_start[d], f = p->col_start[q];
    while (e < p->col_start[d + 1] || f < p->col_start[q + 1]) {
        int jd = e < p->col_start[d + 1] ? p->col_row[e] : p->k;
        int jq = f < p->col_start[q + 1] ? p->col_row[f] : p->k;
        double x = jd <= jq ? p->col_coef[e] : 0.0, y = jq <= jd ? p->col_coef[f] : 0.0;
        e += jd <= jq, f += jq <= jd;
        if (x < y)
            return 0;
        strict |= x > y;
    }
    return strict || d < q;
}

int smug_certify_useless(const smug_mask_problem *p, int i)
{
    for (size_t e = p->col_start[i]; e < p->col_start[i + 1]; e++)
        if (p->col_coef[e] > 0.0)
            return 0;
    return 1;
}
