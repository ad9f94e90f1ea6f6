/* cover.c — cover cuts per row, the bound a packing or the cut LP gives, its exact check
 * (cover.h).
 *
 * It sits beside the LP bound of bounds.c/lp.c and reads the problem in one place
 * (row_sorted), so a change of the coefficient layout touches one function. GLPK and the
 * greedy packing only propose multipliers; smug_cover_check recomputes every cut and the
 * bound D in GMP rationals (a double is an exact rational) and is what the proof relies on.
 * It does not feed the cuts back into the node LPs of branch.c.
 */
#include "smug/cover.h"

#include <glpk.h>
#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smug/proof.h"

typedef struct pos {
    double a;
    int i;
} pos;

static int by_coef(const void *x, const void *y)
{
    const pos *a = x, *b = y;
    if (a->a != b->a)
        return a->a > b->a ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* P_j sorted (largest first, ties by lower index) into buf[n]; returns |P_j|. The only
 * reader of the coefficient layout in this file. */
static int row_sorted(const smug_mask_problem *p, int j, pos *buf)
{
    int np = 0;
    for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
        if (p->row_coef[e] > 0.0)
            buf[np++] = (pos){p->row_coef[e], p->row_var[e]};
    qsort(buf, (size_t)np, sizeof *buf, by_coef);
    return np;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Exactly: Σ_{s ≥ r} a_s + Σ_{s < q−1} a_s ≤ t_row (the cut's claim, see cover.h). */
static int valid_sorted(const smug_mask_problem *p, const smug_cover_cut *c, const pos *s, int np)
{
    if (c->q < 1 || c->r < c->q || c->r > np)
        return 0;
    mpq_t sum, v;
    mpq_init(sum), mpq_init(v);
    for (int u = 0; u < np; u++)
        if (u >= c->r || u < c->q - 1) {
            mpq_set_d(v, s[u].a);
            mpq_add(sum, sum, v);
        }
    mpq_set_d(v, p->t[c->row]);
    int ok = mpq_cmp(sum, v) <= 0;
    mpq_clear(sum), mpq_clear(v);
    return ok;
}

int smug_cover_cut_valid(const smug_mask_problem *p, const smug_cover_cut *cut)
{
    if (cut->row < 0 || cut->row >= p->k || !isfinite(p->t[cut->row]))
        return 0;
    pos *buf = malloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *buf);
    if (!buf)
        return 0; /* out of memory: proves nothing */
    int np = row_sorted(p, cut->row, buf);
    int ok = valid_sorted(p, cut, buf, np);
    free(buf);
    return ok;
}

int smug_cover_cut_cells(const smug_mask_problem *p, const smug_cover_cut *cut, int *out_cells)
{
    if (cut->row < 0 || cut->row >= p->k || cut->r < 1)
        return -1;
    pos *buf = malloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *buf);
    if (!buf)
        return -1;
    int np = row_sorted(p, cut->row, buf), r = cut->r <= np ? cut->r : -1;
    for (int v = 0; v < r; v++)
        out_cells[v] = buf[v].i;
    free(buf);
    return r;
}

/* Appends row j's cuts: for q = 1, 2, … up to the row's need (the fewest of its largest
 * cells worth more than t_j), the smallest r whose cut checks exactly. */
static int row_cuts(const smug_mask_problem *p, int j, int max_per_row, pos *s, double *pre,
                    smug_cover_cut **cuts, int *n, int *cap)
{
    int np = row_sorted(p, j, s);
    pre[0] = 0.0;
    for (int u = 0; u < np; u++)
        pre[u + 1] = pre[u] + s[u].a;
    double t = p->t[j];
    if (!(t >= 0.0) || pre[np] <= t)
        return 0; /* the empty mask satisfies it, or nothing does (bounds.c says so) */
    int need = 1;
    while (need < np && pre[need] <= t)
        need++;
    for (int q = 1; q <= need; q++) {
        if (q >= max_per_row && q != need)
            continue; /* the first few and the row's need */
        int r = q;
        while (r < np && pre[np] - pre[r] + pre[q - 1] > t)
            r++;
        smug_cover_cut c = {j, r, q};
        while (c.r <= np && !valid_sorted(p, &c, s, np))
            c.r++; /* the float sums rounded the wrong way: a larger S */
        if (c.r > np)
            continue;
        if (*n == *cap) {
            int nc = *cap ? 2 * *cap : 256;
            smug_cover_cut *g = realloc(*cuts, (size_t)nc * sizeof *g);
            if (!g)
                return -1;
            *cuts = g, *cap = nc;
        }
        (*cuts)[(*n)++] = c;
    }
    return 0;
}

/* Greedy packing: cuts over disjoint cells, those with the best q/r first. */
static void pack(const smug_mask_problem *p, smug_cover *c, pos *s, uint8_t *used, pos *row)
{
    for (int u = 0; u < c->n_cuts; u++)
        s[u] = (pos){(double)c->cuts[u].q / (double)c->cuts[u].r, u};
    qsort(s, (size_t)c->n_cuts, sizeof *s, by_coef);
    memset(used, 0, (size_t)p->n);
    for (int u = 0; u < c->n_cuts; u++) {
        const smug_cover_cut *cut = &c->cuts[s[u].i];
        row_sorted(p, cut->row, row);
        int free_ = 1;
        for (int v = 0; v < cut->r && free_; v++)
            free_ = !used[row[v].i];
        if (!free_)
            continue;
        for (int v = 0; v < cut->r; v++)
            used[row[v].i] = 1;
        c->y_pack[s[u].i] = 1.0;
    }
}

/* The cut LP: min Σ m s.t. every cut, 0 ≤ m ≤ 1 (GLPK; NULL when out of memory). */
static glp_prob *build_lp(const smug_mask_problem *p, const smug_cover_cut *cuts, int n_cuts,
                          pos *s)
{
    size_t nnz = 0;
    for (int u = 0; u < n_cuts; u++)
        nnz += (size_t)cuts[u].r;
    int *ia = malloc((nnz + 1) * sizeof *ia), *ja = malloc((nnz + 1) * sizeof *ja);
    double *ar = malloc((nnz + 1) * sizeof *ar);
    if (!ia || !ja || !ar || n_cuts == 0 || p->n == 0) {
        free(ia), free(ja), free(ar);
        return NULL;
    }
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_rows(lp, n_cuts);
    glp_add_cols(lp, p->n);
    size_t at = 1;
    for (int u = 0; u < n_cuts; u++) {
        row_sorted(p, cuts[u].row, s);
        for (int v = 0; v < cuts[u].r; v++)
            ia[at] = u + 1, ja[at] = s[v].i + 1, ar[at] = 1.0, at++;
        glp_set_row_bnds(lp, u + 1, GLP_LO, (double)cuts[u].q, 0.0);
    }
    for (int i = 0; i < p->n; i++) {
        glp_set_obj_coef(lp, i + 1, 1.0);
        glp_set_col_bnds(lp, i + 1, GLP_DB, 0.0, 1.0);
    }
    glp_load_matrix(lp, (int)nnz, ia, ja, ar);
    free(ia), free(ja), free(ar);
    return lp;
}

/* 1 with the LP optimum and y[n_cuts] (duals, clipped at 0), 0 when GLPK found none. */
static int solve_lp(glp_prob *lp, int n_cuts, double seconds, double *value, double *y)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.tm_lim = (int)fmax(1.0, fmin(seconds * 1000.0, 1e9));
    if (glp_simplex(lp, &parm) != 0 || glp_get_status(lp) != GLP_OPT)
        return 0;
    *value = glp_get_obj_val(lp);
    for (int u = 0; u < n_cuts; u++)
        y[u] = fmax(glp_get_row_dual(lp, u + 1), 0.0);
    return 1;
}

static void cut_lp(const smug_mask_problem *p, smug_cover *c, double seconds, pos *s)
{
    glp_prob *lp = build_lp(p, c->cuts, c->n_cuts, s);
    if (lp)
        solve_lp(lp, c->n_cuts, seconds, &c->lp, c->y_lp);
    if (lp)
        glp_delete_prob(lp);
}

int smug_cover_compute(const smug_mask_problem *p, int max_per_row, double lp_seconds,
                       smug_cover *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    size_t nn = (size_t)(p->n > 0 ? p->n : 1);
    pos *s = malloc(nn * sizeof *s);
    double *pre = malloc((nn + 1) * sizeof *pre);
    int cap = 0, rc = s && pre ? 0 : -1;
    double t0 = now();
    for (int j = 0; rc == 0 && j < p->k; j++)
        rc = row_cuts(p, j, max_per_row, s, pre, &out->cuts, &out->n_cuts, &cap);
    out->seconds_cuts = now() - t0;
    size_t nc = (size_t)(out->n_cuts > 0 ? out->n_cuts : 1);
    out->y_lp = rc == 0 ? calloc(nc, sizeof(double)) : NULL;
    out->y_pack = rc == 0 ? calloc(nc, sizeof(double)) : NULL;
    pos *ps = rc == 0 ? malloc((nc > nn ? nc : nn) * sizeof *ps) : NULL;
    uint8_t *used = malloc(nn);
    if (!out->y_lp || !out->y_pack || !ps || !used)
        rc = -1;
    if (rc == 0) {
        t0 = now();
        pack(p, out, ps, used, s);
        out->seconds_pack = now() - t0;
        t0 = now();
        if (lp_seconds > 0.0)
            cut_lp(p, out, lp_seconds, ps);
        out->seconds_lp = now() - t0;
        t0 = now();
        char why[160];
        smug_cover_cert lc = {out->n_cuts, out->cuts, out->y_lp};
        smug_cover_cert pc = {out->n_cuts, out->cuts, out->y_pack};
        if (smug_cover_check(p, NULL, &lc, &out->lower_lp, why, sizeof why, err) < 0 ||
            smug_cover_check(p, NULL, &pc, &out->lower_pack, why, sizeof why, err) < 0)
            rc = -2;
        out->seconds_check = now() - t0;
    }
    free(s), free(pre), free(ps), free(used);
    if (rc < 0) {
        smug_cover_free(out);
        return rc == -2 ? -1 : smug_fail(err, SMUG_ERR_NOMEM, "cover cuts: out of memory");
    }
    return 0;
}

void smug_cover_free(smug_cover *c)
{
    free(c->cuts), free(c->y_lp), free(c->y_pack);
    memset(c, 0, sizeof *c);
}

/* D of cover.h in exact rationals, for a certificate whose cuts all checked. */
static int bound_exact(const smug_mask_problem *p, const int8_t *fix, const smug_cover_cert *cert,
                       pos *s, mpq_t *col, int *out_lower)
{
    mpq_t d, v, one;
    mpq_init(d), mpq_init(v), mpq_init(one);
    mpq_set_ui(one, 1, 1);
    for (int i = 0; i < p->n; i++)
        mpq_set_ui(col[i], 0, 1);
    for (int u = 0; u < cert->n; u++) {
        if (cert->y[u] == 0.0)
            continue;
        mpq_set_d(v, cert->y[u]);
        row_sorted(p, cert->cut[u].row, s);
        for (int w = 0; w < cert->cut[u].r; w++)
            mpq_add(col[s[w].i], col[s[w].i], v);
        mpq_set_si(v, cert->cut[u].q, 1);
        mpq_t yq;
        mpq_init(yq);
        mpq_set_d(yq, cert->y[u]);
        mpq_mul(yq, yq, v);
        mpq_add(d, d, yq);
        mpq_clear(yq);
    }
    for (int i = 0; i < p->n; i++) {
        int f = fix ? fix[i] : -1;
        if (f == 0)
            continue;
        mpq_sub(v, col[i], one);
        if (f == 1 || mpq_sgn(v) > 0)
            mpq_sub(d, d, v);
    }
    /* the least integer ≥ D: no mask of smaller size */
    mpz_t c;
    mpz_init(c);
    mpz_cdiv_q(c, mpq_numref(d), mpq_denref(d));
    *out_lower = mpz_sgn(c) <= 0 ? 0 : mpz_fits_sint_p(c) ? (int)mpz_get_si(c) : p->n + 1;
    if (*out_lower > p->n + 1)
        *out_lower = p->n + 1;
    mpz_clear(c);
    mpq_clear(d), mpq_clear(v), mpq_clear(one);
    return 0;
}

int smug_cover_check(const smug_mask_problem *p, const int8_t *fix, const smug_cover_cert *cert,
                     int *out_lower, char *why, size_t n_why, smug_error *err)
{
    *out_lower = 0;
    size_t nn = (size_t)(p->n > 0 ? p->n : 1);
    pos *s = malloc(nn * sizeof *s);
    mpq_t *col = malloc(nn * sizeof *col);
    if (!s || !col) {
        free(s), free(col);
        return smug_fail(err, SMUG_ERR_NOMEM, "cover check: out of memory");
    }
    int ok = 1;
    for (int u = 0; ok && u < cert->n; u++) {
        const smug_cover_cut *c = &cert->cut[u];
        if (!(cert->y[u] >= 0.0) || !isfinite(cert->y[u])) {
            snprintf(why, n_why, "cover cut %d: multiplier %g is not a finite number >= 0", u,
                     cert->y[u]);
            ok = 0;
        } else if (cert->y[u] > 0.0 && (c->row < 0 || c->row >= p->k)) {
            snprintf(why, n_why, "cover cut %d: row %d out of range", u, c->row);
            ok = 0;
        } else if (cert->y[u] > 0.0 && !valid_sorted(p, c, s, row_sorted(p, c->row, s))) {
            snprintf(why, n_why,
                     "cover cut %d (row %d: at least %d of its %d largest cells) does not hold", u,
                     c->row, c->q, c->r);
            ok = 0;
        }
    }
    if (ok) {
        for (size_t i = 0; i < (size_t)p->n; i++)
            mpq_init(col[i]);
        bound_exact(p, fix, cert, s, col, out_lower);
        for (size_t i = 0; i < (size_t)p->n; i++)
            mpq_clear(col[i]);
    }
    free(s), free(col);
    return ok;
}

/* The root cut LP's time: at most 10 s, never past the deadline (0: none), and none at all
 * past it (the packing bound needs no LP). */
static double root_lp_seconds(double deadline)
{
    if (deadline <= 0.0)
        return 10.0;
    double left = deadline - now();
    return left <= 0.0 ? 0.0 : fmin(10.0, left);
}

int smug_cover_root_step(const smug_mask_problem *p, double deadline, smug_proof *proof, int *lower,
                         smug_error *err)
{
    smug_cover c;
    if (smug_cover_compute(p, 4, root_lp_seconds(deadline), &c, err) < 0)
        return -1;
    const double *y = c.lower_lp >= c.lower_pack ? c.y_lp : c.y_pack;
    int best = c.lower_lp >= c.lower_pack ? c.lower_lp : c.lower_pack;
    int rc = 0;
    if (best > *lower) {
        /* keep only the cuts the certificate uses */
        int m = 0;
        for (int u = 0; u < c.n_cuts; u++)
            if (y[u] > 0.0)
                c.cuts[m] = c.cuts[u], c.y_lp[m] = y[u], m++;
        smug_cover_cert cert = {m, c.cuts, c.y_lp};
        smug_proof_node node = {SMUG_NODE_COVER, -1, smug_proof_add_cover(proof, &cert), -1, -1};
        if (node.cert < 0 || smug_proof_begin_step(proof, best - 1, *lower) < 0 ||
            smug_proof_add_node(proof, &node) < 0)
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        else
            *lower = best;
    }
    smug_cover_free(&c);
    return rc;
}

/* ---- the cut LP at branch-and-bound nodes ------------------------------------------- */

struct smug_cover_lp {
    const smug_mask_problem *p;
    smug_cover cover; /* the cuts */
    glp_prob *lp;
    double *y;  /* [n_cuts] the node's multipliers */
    int *at;    /* [n_cuts + 1] cut u's cells are cells[at[u] .. at[u+1]) */
    int *cells; /* S of every cut, flattened */
};

int smug_cover_lp_new(const smug_mask_problem *p, double deadline, smug_cover_lp **out,
                      smug_error *err)
{
    *out = NULL;
    smug_cover_lp *c = calloc(1, sizeof *c);
    if (!c)
        return smug_fail(err, SMUG_ERR_NOMEM, "cover LP: out of memory");
    c->p = p;
    if (smug_cover_compute(p, 4, root_lp_seconds(deadline), &c->cover, err) < 0) {
        free(c);
        return -1;
    }
    size_t nn = (size_t)(p->n > 0 ? p->n : 1), nc = (size_t)(c->cover.n_cuts + 1), nnz = 1;
    for (int u = 0; u < c->cover.n_cuts; u++)
        nnz += (size_t)c->cover.cuts[u].r;
    pos *s = malloc(nn * sizeof *s);
    c->y = malloc(nc * sizeof *c->y);
    c->at = malloc(nc * sizeof *c->at);
    c->cells = malloc(nnz * sizeof *c->cells);
    if (!s || !c->y || !c->at || !c->cells) {
        free(s);
        smug_cover_lp_free(c);
        return smug_fail(err, SMUG_ERR_NOMEM, "cover LP: out of memory");
    }
    c->at[0] = 0;
    for (int u = 0; u < c->cover.n_cuts; u++) {
        row_sorted(p, c->cover.cuts[u].row, s);
        for (int v = 0; v < c->cover.cuts[u].r; v++)
            c->cells[c->at[u] + v] = s[v].i;
        c->at[u + 1] = c->at[u] + c->cover.cuts[u].r;
    }
    c->lp = build_lp(p, c->cover.cuts, c->cover.n_cuts, s);
    free(s);
    *out = c;
    return 0;
}

void smug_cover_lp_free(smug_cover_lp *c)
{
    if (!c)
        return;
    if (c->lp)
        glp_delete_prob(c->lp);
    smug_cover_free(&c->cover);
    free(c->y), free(c->at), free(c->cells);
    free(c);
}

/* A cut that the fixings leave too few cells for: its multiplier alone, large enough. */
static int infeasible_cut(smug_cover_lp *c, const int8_t *fix, int bound)
{
    for (int u = 0; u < c->cover.n_cuts; u++) {
        int avail = 0;
        for (int v = c->at[u]; v < c->at[u + 1]; v++)
            avail += fix[c->cells[v]] != 0;
        if (avail < c->cover.cuts[u].q) {
            memset(c->y, 0, (size_t)c->cover.n_cuts * sizeof *c->y);
            c->y[u] = (double)bound + 2.0; /* D ≥ y + q − 1 > bound (cover.h) */
            return 1;
        }
    }
    return 0;
}

double smug_cover_lp_root(const smug_cover_lp *c)
{
    return c->cover.lp;
}

int smug_cover_lp_close(smug_cover_lp *c, const int8_t *fix, int bound, double seconds,
                        double rows_lp, smug_cover_cert *out, int *out_branch, smug_error *err)
{
    *out_branch = -1;
    if (!c->lp)
        return 0;
    for (int i = 0; i < c->p->n; i++) {
        if (fix[i] < 0)
            glp_set_col_bnds(c->lp, i + 1, GLP_DB, 0.0, 1.0);
        else
            glp_set_col_bnds(c->lp, i + 1, GLP_FX, (double)fix[i], (double)fix[i]);
    }
    double v = 0.0;
    int solved = seconds > 0.0 && solve_lp(c->lp, c->cover.n_cuts, seconds, &v, c->y);
    if (!solved && !infeasible_cut(c, fix, bound))
        return 0;
    if (solved && v <= (double)bound - 1e-6) {
        if (!(v > rows_lp + 1e-6))
            return 0;      /* the rows' LP is as strong here: its point is the better guide */
        double best = 0.5; /* the most fractional free cell of the cut LP's point */
        for (int i = 0; i < c->p->n; i++) {
            double x = glp_get_col_prim(c->lp, i + 1), d = fabs(x - 0.5);
            if (fix[i] < 0 && d < best - 1e-9)
                best = d, *out_branch = i;
        }
        return 0;
    }
    *out = (smug_cover_cert){c->cover.n_cuts, c->cover.cuts, c->y};
    int lower = 0;
    char why[160];
    int rc = smug_cover_check(c->p, fix, out, &lower, why, sizeof why, err);
    return rc < 0 ? -1 : rc == 1 && lower > bound ? 1 : 0;
}
