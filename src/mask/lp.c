/* lp.c — the LP relaxation in GLPK, and GLPK's MIP for incumbents (lp.h).
 *
 * The only GLPK user besides the tests. Everything GLPK returns is a guide: LP values steer
 * the branching, duals are candidate certificates that certify.c checks exactly, MIP masks
 * are re-checked by the caller. GLPK's internal errors abort the process by default; the
 * MIP (the one call that has hit one) is guarded by an error hook.
 */
#include "smug/lp.h"

#include <glpk.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <time.h>

struct smug_lp {
    const smug_mask_problem *p;
    smug_lp_facts f;
    glp_prob *lp;      /* min Σ m */
    glp_prob *elastic; /* min Σ violation s.t. Σ m ≤ B; built on first use */
    double skew;
    double deadline; /* smug_lp_deadline: GLPK's time limit is what is left of it */
    int last_optimal;
    /* certificate scratch */
    int *y_row, *z_from, *z_to;
    double *y, *z;
};

/* Rows Σ a m ≥ t + margin, dominance rows; with elastic, a slack column per row (cost 1),
 * the m columns cost 0, and one more row Σ m ≤ (set per call). */
static glp_prob *build(const smug_mask_problem *p, const smug_lp_facts *f, double margin,
                       int elastic)
{
    int rows = p->k + f->n_dom + (elastic ? 1 : 0);
    int cols = p->n + (elastic ? p->k + f->n_dom : 0);
    size_t nz = p->nnz + 3 * (size_t)f->n_dom + (size_t)p->k + (size_t)p->n;
    int *ia = malloc((nz + 1) * sizeof *ia), *ja = malloc((nz + 1) * sizeof *ja);
    double *ar = malloc((nz + 1) * sizeof *ar);
    if (!ia || !ja || !ar) {
        free(ia), free(ja), free(ar);
        return NULL;
    }
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_rows(lp, rows);
    glp_add_cols(lp, cols);
    size_t at = 0;
    for (int j = 0; j < p->k; j++) {
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++) /* nonzeros only */
            at++, ia[at] = j + 1, ja[at] = p->row_var[e] + 1, ar[at] = p->row_coef[e];
        if (elastic)
            at++, ia[at] = j + 1, ja[at] = p->n + j + 1, ar[at] = 1.0;
        glp_set_row_bnds(lp, j + 1, GLP_LO, p->t[j] + margin, 0.0);
    }
    for (int d = 0; d < f->n_dom; d++) { /* m_to − m_from ≥ 0 */
        int r = p->k + d + 1;
        glp_set_row_bnds(lp, r, GLP_LO, 0.0, 0.0);
        at++, ia[at] = r, ja[at] = f->dom_to[d] + 1, ar[at] = 1.0;
        at++, ia[at] = r, ja[at] = f->dom_from[d] + 1, ar[at] = -1.0;
        if (elastic)
            at++, ia[at] = r, ja[at] = p->n + p->k + d + 1, ar[at] = 1.0;
    }
    if (elastic) {
        int r = rows;
        glp_set_row_bnds(lp, r, GLP_UP, 0.0, 0.0);
        for (int i = 0; i < p->n; i++)
            at++, ia[at] = r, ja[at] = i + 1, ar[at] = 1.0;
    }
    for (int i = 0; i < cols; i++) {
        int slack = i >= p->n;
        glp_set_obj_coef(lp, i + 1, elastic ? (slack ? 1.0 : 0.0) : 1.0);
        glp_set_col_bnds(lp, i + 1, slack ? GLP_LO : GLP_DB, 0.0, 1.0);
    }
    glp_load_matrix(lp, (int)at, ia, ja, ar);
    free(ia), free(ja), free(ar);
    return lp;
}

int smug_lp_new(const smug_mask_problem *p, const smug_lp_facts *f, smug_lp **out, smug_error *err)
{
    smug_lp *lp = calloc(1, sizeof *lp);
    size_t k = (size_t)p->k + 1, d = (size_t)f->n_dom + 1;
    if (lp) {
        lp->p = p, lp->f = *f;
        lp->y_row = malloc(k * sizeof(int)), lp->y = malloc(k * sizeof(double));
        lp->z_from = malloc(d * sizeof(int)), lp->z_to = malloc(d * sizeof(int));
        lp->z = malloc(d * sizeof(double));
        lp->lp = build(p, f, 0.0, 0);
    }
    if (!lp || !lp->y_row || !lp->y || !lp->z_from || !lp->z_to || !lp->z || !lp->lp) {
        smug_lp_free(lp);
        return smug_fail(err, SMUG_ERR_NOMEM, "LP: out of memory");
    }
    *out = lp;
    return 0;
}

void smug_lp_free(smug_lp *lp)
{
    if (!lp)
        return;
    if (lp->lp)
        glp_delete_prob(lp->lp);
    if (lp->elastic)
        glp_delete_prob(lp->elastic);
    free(lp->y_row), free(lp->y), free(lp->z_from), free(lp->z_to), free(lp->z);
    free(lp);
}

void smug_lp_skew(smug_lp *lp, double skew)
{
    lp->skew = skew;
    for (int j = 0; j < lp->p->k; j++)
        glp_set_row_bnds(lp->lp, j + 1, GLP_LO, lp->p->t[j] + skew, 0.0);
    if (lp->elastic)
        for (int j = 0; j < lp->p->k; j++)
            glp_set_row_bnds(lp->elastic, j + 1, GLP_LO, lp->p->t[j] + skew, 0.0);
}

static void set_fixings(glp_prob *lp, int n, const int8_t *fix)
{
    for (int i = 0; i < n; i++)
        if (fix[i] < 0)
            glp_set_col_bnds(lp, i + 1, GLP_DB, 0.0, 1.0);
        else
            glp_set_col_bnds(lp, i + 1, GLP_FX, (double)fix[i], (double)fix[i]);
}

/* Simplex from the current basis: 1 optimal, 0 infeasible, -1 anything else. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 1 optimal, 0 infeasible, 2 stopped at the deadline (GLPK's tm_lim), -1 anything else. */
static int simplex(glp_prob *lp, double deadline, smug_error *err)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    if (deadline > 0.0) {
        double left = deadline - now();
        if (left <= 0.0)
            return 2;
        parm.tm_lim = left < 2e6 ? (int)(left * 1000.0) + 1 : INT_MAX;
    }
    int rc = glp_simplex(lp, &parm), status = glp_get_status(lp);
    if (rc != 0 && rc != GLP_ETMLIM && glp_get_num_rows(lp) > 0) { /* a singular basis: once
                                                                       more from scratch */
        glp_adv_basis(lp, 0);
        rc = glp_simplex(lp, &parm), status = glp_get_status(lp);
    }
    if (rc == GLP_ETMLIM)
        return 2;
    if (rc == 0 && status == GLP_OPT)
        return 1;
    if (rc == 0 && (status == GLP_NOFEAS || glp_get_prim_stat(lp) == GLP_NOFEAS))
        return 0;
    return smug_fail(err, SMUG_ERR_INTERNAL, "LP relaxation: GLPK status %d (code %d)", status, rc);
}

void smug_lp_deadline(smug_lp *lp, double deadline)
{
    lp->deadline = deadline;
}

int smug_lp_solve(smug_lp *lp, const int8_t *fix, double *out_value, smug_error *err)
{
    set_fixings(lp->lp, lp->p->n, fix);
    lp->last_optimal = 0;
    int rc = simplex(lp->lp, lp->deadline, err);
    if (rc < 0)
        return -1;
    lp->last_optimal = rc == 1;
    *out_value = rc == 1 ? glp_get_obj_val(lp->lp) : rc == 0 ? INFINITY : NAN;
    return 0;
}

int smug_lp_branch(const smug_lp *lp, const int8_t *fix)
{
    double best = 1e-6;
    int branch = -1;
    for (int i = 0; lp->last_optimal && i < lp->p->n; i++) {
        double x = glp_get_col_prim(lp->lp, i + 1), frac = fmin(x, 1.0 - x);
        if (fix[i] < 0 && frac > best)
            best = frac, branch = i;
    }
    return branch;
}

void smug_lp_round(const smug_lp *lp, uint8_t *out_m)
{
    for (int i = 0; i < lp->p->n; i++)
        out_m[i] = glp_get_col_prim(lp->lp, i + 1) > 0.5;
}

void smug_lp_reduced(const smug_lp *lp, double *out)
{
    for (int i = 0; i < lp->p->n; i++)
        out[i] = glp_get_col_stat(lp->lp, i + 1) == GLP_NL ? glp_get_col_dual(lp->lp, i + 1) : 0.0;
}

/* Row duals of glp rows 1..k (mask rows) and k+1..k+n_dom (dominance) as a sparse
 * certificate; negative values (tolerances) become 0, which the exact check accounts for. */
static void duals(smug_lp *lp, glp_prob *g, smug_cert *out)
{
    const smug_mask_problem *p = lp->p;
    int ny = 0, nz = 0;
    for (int j = 0; j < p->k; j++) {
        double v = glp_get_row_dual(g, j + 1);
        if (v > 0.0 && isfinite(v))
            lp->y_row[ny] = j, lp->y[ny++] = v;
    }
    for (int d = 0; d < lp->f.n_dom; d++) {
        double v = glp_get_row_dual(g, p->k + d + 1);
        if (v > 0.0 && isfinite(v))
            lp->z_from[nz] = lp->f.dom_from[d], lp->z_to[nz] = lp->f.dom_to[d], lp->z[nz++] = v;
    }
    out->n_y = ny, out->y_row = lp->y_row, out->y = lp->y;
    out->n_z = nz, out->z_from = lp->z_from, out->z_to = lp->z_to, out->z = lp->z;
}

int smug_lp_certificate(smug_lp *lp, const int8_t *fix, int bound, int elastic, smug_cert *out,
                        smug_error *err)
{
    const smug_mask_problem *p = lp->p;
    memset(out, 0, sizeof *out);
    int ones = 0;
    for (int i = 0; i < p->n; i++)
        ones += fix[i] == 1;
    if (ones > bound) { /* Σ m ≥ ones > B: the size row alone */
        out->mu = 1.0;
        return 1;
    }
    if (!elastic) {
        if (!lp->last_optimal)
            return 0;
        duals(lp, lp->lp, out);
        out->mu = 1.0;
        return 1;
    }
    if (!lp->elastic) {
        lp->elastic = build(p, &lp->f, 0.0, 1);
        if (!lp->elastic)
            return smug_fail(err, SMUG_ERR_NOMEM, "LP: out of memory");
        if (lp->skew != 0.0)
            smug_lp_skew(lp, lp->skew);
    }
    glp_set_row_bnds(lp->elastic, p->k + lp->f.n_dom + 1, GLP_UP, 0.0, (double)bound);
    set_fixings(lp->elastic, p->n, fix);
    int rc = simplex(lp->elastic, lp->deadline, err);
    if (rc < 0)
        return -1;
    if (rc != 1 || !(glp_get_obj_val(lp->elastic) > 0.0))
        return 0; /* no violation needed: the relaxation has a point, nothing to refute */
    duals(lp, lp->elastic, out);
    double mu = -glp_get_row_dual(lp->elastic, p->k + lp->f.n_dom + 1);
    out->mu = mu > 0.0 && isfinite(mu) ? mu : 0.0;
    return 1;
}

static void glpk_abort(void *info)
{
    longjmp(*(jmp_buf *)info, 1);
}

/* glp_intopt, but an internal GLPK error (it calls abort() by default) unwinds here
 * instead: GLPK's whole environment, lp included, is then freed (glp_free_env, as its
 * manual prescribes) and -1 returned. The MIP only improves an incumbent, so losing it is
 * no failure; losing the process would be. */
static int guarded_intopt(glp_prob *lp, const glp_iocp *parm, int *rc, int *status)
{
    jmp_buf env;
    glp_error_hook(glpk_abort, &env);
    if (setjmp(env)) {
        glp_error_hook(NULL, NULL);
        glp_free_env();
        return -1;
    }
    *rc = glp_intopt(lp, parm);
    *status = glp_mip_status(lp);
    glp_error_hook(NULL, NULL);
    return 0;
}

int smug_lp_mip(const smug_mask_problem *p, const smug_lp_facts *f, const uint8_t *zero,
                double seconds, uint8_t *out_m, smug_error *err)
{
    glp_prob *lp = build(p, f, 1e-9, 0);
    if (!lp)
        return smug_fail(err, SMUG_ERR_NOMEM, "MIP: out of memory");
    for (int i = 0; i < p->n; i++) {
        glp_set_col_kind(lp, i + 1, GLP_BV); /* resets the bounds: fix the zeros again */
        if (zero && zero[i])
            glp_set_col_bnds(lp, i + 1, GLP_FX, 0.0, 0.0);
    }
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    /* no cover cuts: GLPK 5.0's glp_cov_init aborts the process (glp_add_cols: ncs = 0)
     * when the presolved problem leaves it no knapsack row to work on (fashion_cnn, test
     * image 6, window 4). No clique cuts: glp_clq_cut frees a block twice (AddressSanitizer,
     * smug run --model models/debian_text.onnx --input data/text/admin_0.txt --top-k 4) */
    parm.gmi_cuts = parm.mir_cuts = GLP_ON;
    parm.tol_int = 1e-9;
    parm.tm_lim = (int)(seconds * 1000.0);
    /* GLPK's cut generators print to stdout even with msg_lev off; its terminal switch is
     * process-wide, so it is restored right after */
    int term = glp_term_out(GLP_OFF);
    int rc, status;
    if (guarded_intopt(lp, &parm, &rc, &status) < 0) {
        glp_term_out(term);
        return 0; /* GLPK failed inside; its memory is gone with it */
    }
    glp_term_out(term);
    int found = (rc == 0 || rc == GLP_ETMLIM) && (status == GLP_OPT || status == GLP_FEAS);
    for (int i = 0; found && i < p->n; i++)
        out_m[i] = glp_mip_col_val(lp, i + 1) > 0.5;
    glp_delete_prob(lp);
    return found;
}
