/* bounds.c — incumbent, lower bounds, useless cells, dominance (bounds.h has the maths).
 *
 * This is where most of smug's speed comes from (design §2): solvers struggle to find a
 * mask of exactly the optimum size, so the C side hands them a valid mask to improve on, a
 * proven floor to stop at, and implications that prune symmetric choices. The LP is solved
 * with GLPK's simplex rather than a hand-written one.
 */
#include "smug/bounds.h"

#include <glpk.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOM_PER_CELL                                                                           \
    8 /* implications kept per dominated cell: enough to prune, few                                \
         enough that an emitted file stays small */

static double coef(const smug_mask_problem *p, int j, int i)
{
    return p->a[(size_t)j * (size_t)p->n + (size_t)i];
}

static int by_value_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

/* Fewest cells that lift row j over t_j on its own; -1 when even all of them cannot. */
static int row_need(const smug_mask_problem *p, int j, double *scratch)
{
    if (p->t[j] < 0.0)
        return 0;
    int m = 0;
    for (int i = 0; i < p->n; i++)
        if (coef(p, j, i) > 0.0)
            scratch[m++] = coef(p, j, i);
    qsort(scratch, (size_t)m, sizeof *scratch, by_value_desc);
    double s = 0.0;
    for (int i = 0; i < m; i++) {
        s += scratch[i];
        if (s > p->t[j])
            return i + 1;
    }
    return -1;
}

/* Greedy cover: add the cell covering the largest share of the remaining deficits, until
 * every row holds; then drop cells (weakest first) while the rows still hold. */
static void greedy(const smug_mask_problem *p, uint8_t *m, double *sum)
{
    memset(m, 0, (size_t)p->n);
    memset(sum, 0, (size_t)p->k * sizeof *sum);
    for (;;) {
        int best = -1;
        double best_gain = 0.0;
        for (int i = 0; i < p->n; i++) {
            if (m[i])
                continue;
            double gain = 0.0;
            for (int j = 0; j < p->k; j++) {
                double deficit = p->t[j] - sum[j];
                if (deficit < 0.0 || coef(p, j, i) <= 0.0)
                    continue;
                double d = deficit > 1e-12 ? deficit : 1e-12;
                gain += fmin(coef(p, j, i), d * 1.000001) / d;
            }
            if (gain > best_gain)
                best_gain = gain, best = i;
        }
        if (best < 0)
            break; /* every row holds, or nothing helps (caught by the caller) */
        m[best] = 1;
        for (int j = 0; j < p->k; j++)
            sum[j] += coef(p, j, best);
    }
    for (int i = 0; i < p->n; i++) { /* prune in index order: deterministic */
        if (!m[i])
            continue;
        int ok = 1;
        for (int j = 0; j < p->k && ok; j++)
            ok = sum[j] - coef(p, j, i) > p->t[j];
        if (!ok)
            continue;
        m[i] = 0;
        for (int j = 0; j < p->k; j++)
            sum[j] -= coef(p, j, i);
    }
}

/* p ≻ q: at least as good on every row, and strictly better somewhere or lower index. */
static int dominates(const smug_mask_problem *p, int a, int b)
{
    int strict = 0;
    for (int j = 0; j < p->k; j++) {
        double x = coef(p, j, a), y = coef(p, j, b);
        if (x < y)
            return 0;
        strict |= x > y;
    }
    return strict || a < b;
}

static int find_dominance(const smug_mask_problem *p, smug_bounds *b)
{
    size_t cap = (size_t)p->n * MAX_DOM_PER_CELL + 1;
    b->dom_from = malloc(cap * sizeof *b->dom_from);
    b->dom_to = malloc(cap * sizeof *b->dom_to);
    if (!b->dom_from || !b->dom_to)
        return -1;
    for (int q = 0; q < p->n; q++) {
        if (b->useless[q])
            continue; /* already fixed to 0 */
        int found = 0;
        for (int d = 0; d < p->n && found < MAX_DOM_PER_CELL; d++) {
            if (d == q || b->useless[d] || !dominates(p, d, q))
                continue;
            b->dom_from[b->n_dom] = q;
            b->dom_to[b->n_dom] = d;
            b->n_dom++;
            found++;
        }
    }
    return 0;
}

/* The LP relaxation as a GLPK problem: min Σ m s.t. rows ≥ t + margin (strictness
 * relaxed: still a lower bound when margin is 0), 0 ≤ m ≤ 1, useless cells 0, m_q ≤ m_p for
 * dominance. NULL when out of memory. */
static glp_prob *build_lp(const smug_mask_problem *p, const smug_bounds *b, double margin)
{
    int rows = p->k + b->n_dom;
    size_t nz = (size_t)p->k * (size_t)p->n + 2 * (size_t)b->n_dom;
    int *ia = malloc((nz + 1) * sizeof *ia), *ja = malloc((nz + 1) * sizeof *ja);
    double *ar = malloc((nz + 1) * sizeof *ar);
    if (!ia || !ja || !ar) {
        free(ia), free(ja), free(ar);
        return NULL;
    }
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_rows(lp, rows);
    glp_add_cols(lp, p->n);
    size_t at = 0;
    for (int j = 0; j < p->k; j++) {
        double abs_sum = 0.0;
        for (int i = 0; i < p->n; i++)
            if (coef(p, j, i) != 0.0) {
                at++, ia[at] = j + 1, ja[at] = i + 1, ar[at] = coef(p, j, i);
                abs_sum += fabs(coef(p, j, i));
            }
        glp_set_row_bnds(lp, j + 1, GLP_LO, p->t[j] + margin * abs_sum, 0.0);
    }
    for (int d = 0; d < b->n_dom; d++) { /* m_to − m_from ≥ 0 */
        int r = p->k + d + 1;
        glp_set_row_bnds(lp, r, GLP_LO, 0.0, 0.0);
        at++, ia[at] = r, ja[at] = b->dom_to[d] + 1, ar[at] = 1.0;
        at++, ia[at] = r, ja[at] = b->dom_from[d] + 1, ar[at] = -1.0;
    }
    for (int i = 0; i < p->n; i++) {
        glp_set_obj_coef(lp, i + 1, 1.0);
        glp_set_col_bnds(lp, i + 1, b->useless[i] ? GLP_FX : GLP_DB, 0.0,
                         b->useless[i] ? 0.0 : 1.0);
    }
    glp_load_matrix(lp, (int)at, ia, ja, ar);
    free(ia), free(ja), free(ar);
    return lp;
}

/* Simplex from the current basis: the optimum, or +inf when the LP is infeasible. */
static int lp_value(glp_prob *lp, double *out, smug_error *err)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    int rc = glp_simplex(lp, &parm), status = glp_get_status(lp);
    if (rc == 0 && status == GLP_OPT)
        *out = glp_get_obj_val(lp);
    else if (rc == 0 && (status == GLP_NOFEAS || glp_get_prim_stat(lp) == GLP_NOFEAS))
        *out = INFINITY;
    else
        return smug_fail(err, SMUG_ERR_INTERNAL, "LP relaxation: GLPK status %d (code %d)", status,
                         rc);
    return 0;
}

/* Fills b->lp and b->reduced from the LP relaxation. */
static int solve_lp(const smug_mask_problem *p, smug_bounds *b, smug_error *err)
{
    if (p->n == 0) { /* no variables (an all-zero input): GLPK rejects a column-less LP */
        b->lp = 0.0;
        return 0;
    }
    glp_prob *lp = build_lp(p, b, 0.0);
    if (!lp)
        return smug_fail(err, SMUG_ERR_NOMEM, "LP: out of memory");
    int rc = lp_value(lp, &b->lp, err);
    if (rc == 0 && !isfinite(b->lp))
        rc = smug_fail(err, SMUG_ERR_INTERNAL, "LP relaxation infeasible with a valid incumbent");
    for (int i = 0; rc == 0 && i < p->n; i++)
        b->reduced[i] = glp_get_col_stat(lp, i + 1) == GLP_NL ? glp_get_col_dual(lp, i + 1) : 0.0;
    glp_delete_prob(lp);
    return rc;
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

int smug_bounds_mip(const smug_mask_problem *p, smug_bounds *b, double seconds, smug_error *err)
{
    if (p->n == 0 || b->lower >= b->upper || seconds <= 0.0)
        return 0;
    glp_prob *lp = build_lp(p, b, 1e-9);
    if (!lp)
        return smug_fail(err, SMUG_ERR_NOMEM, "MIP: out of memory");
    for (int i = 0; i < p->n; i++) {
        glp_set_col_kind(lp, i + 1, GLP_BV); /* resets the bounds: fix useless cells again */
        if (b->useless[i])
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
        return 0; /* GLPK failed inside; its memory is gone with it: the incumbent stands */
    }
    glp_term_out(term);
    uint8_t *m = malloc((size_t)p->n);
    if (m && (rc == 0 || rc == GLP_ETMLIM) && (status == GLP_OPT || status == GLP_FEAS)) {
        for (int i = 0; i < p->n; i++)
            m[i] = glp_mip_col_val(lp, i + 1) > 0.5;
        /* GLPK works in floating point with tolerances: only an exact check counts */
        if (smug_mask_problem_satisfied(p, m) && smug_mask_count(m, p->n) < b->upper) {
            memcpy(b->incumbent, m, (size_t)p->n);
            b->upper = smug_mask_count(m, p->n);
            b->incumbent_from = "glpk";
        }
    }
    free(m);
    glp_delete_prob(lp);
    return 0;
}

/* Tries each value of free cell i at bound B: 1 when a value was ruled out (and fixed). */
static int probe_cell(glp_prob *lp, int i, int bound, int8_t *fix, smug_error *err)
{
    for (int v = 1; v >= 0; v--) {
        double value;
        glp_set_col_bnds(lp, i + 1, GLP_FX, (double)v, (double)v);
        if (lp_value(lp, &value, err) < 0)
            return -1;
        if (value > (double)bound + 1e-6) { /* no mask of size ≤ B has m_i = v */
            fix[i] = (int8_t)(1 - v);
            glp_set_col_bnds(lp, i + 1, GLP_FX, (double)(1 - v), (double)(1 - v));
            return 1;
        }
    }
    glp_set_col_bnds(lp, i + 1, GLP_DB, 0.0, 1.0);
    return 0;
}

int smug_bounds_probe(const smug_mask_problem *p, const smug_bounds *b, int bound, int8_t *fix,
                      smug_error *err)
{
    for (int i = 0; i < p->n; i++)
        fix[i] = b->useless[i] ? 0 : -1;
    if (p->n == 0)
        return 0;
    glp_prob *lp = build_lp(p, b, 0.0);
    if (!lp)
        return smug_fail(err, SMUG_ERR_NOMEM, "probing: out of memory");
    double value;
    int rc = lp_value(lp, &value, err), closed = rc == 0 && value > (double)bound + 1e-6;
    for (int round = 0, changed = 1; rc == 0 && !closed && changed && round < 8; round++) {
        changed = 0;
        for (int i = 0; i < p->n && rc == 0; i++)
            if (fix[i] < 0 && (rc = probe_cell(lp, i, bound, fix, err)) > 0)
                changed = 1, rc = 0;
        if (rc == 0 && lp_value(lp, &value, err) < 0)
            rc = -1;
        closed = rc == 0 && value > (double)bound + 1e-6;
    }
    glp_delete_prob(lp);
    return rc < 0 ? -1 : closed;
}

static int too_close(const smug_mask_problem *p, int j, smug_error *err)
{
    return smug_fail(err, SMUG_ERR_USAGE,
                     "neuron %d cannot stay above gamma·o even with the whole input "
                     "(gamma %.6g too close to 1)",
                     p->neuron[j], p->gamma);
}

int smug_bounds_compute(const smug_mask_problem *p, smug_bounds *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = p->n > 0 ? (size_t)p->n : 1;
    out->incumbent = calloc(n, 1);
    out->useless = calloc(n, 1);
    out->reduced = calloc(n, sizeof *out->reduced);
    double *scratch = malloc((n > (size_t)p->k ? n : (size_t)p->k + 1) * sizeof *scratch);
    if (!out->incumbent || !out->useless || !out->reduced || !scratch) {
        free(scratch);
        return smug_fail(err, SMUG_ERR_NOMEM, "bounds: out of memory");
    }
    int rc = 0;
    for (int j = 0; j < p->k && rc == 0; j++) {
        int need = row_need(p, j, scratch);
        if (need < 0)
            rc = too_close(p, j, err);
        out->lower_row = need > out->lower_row ? need : out->lower_row;
    }
    for (int i = 0; i < p->n && rc == 0; i++) {
        int helps = 0;
        for (int j = 0; j < p->k && !helps; j++)
            helps = coef(p, j, i) > 0.0;
        out->useless[i] = !helps;
    }
    if (rc == 0) {
        greedy(p, out->incumbent, scratch);
        out->upper = smug_mask_count(out->incumbent, p->n);
        out->incumbent_from = "greedy";
        /* greedy stops short only on a row whose positive cells are all kept already: the
         * negative cells it kept for other rows sink it, and the whole input (all of them)
         * sinks it as well, so this is gamma's fault, not smug's */
        for (int j = 0; j < p->k && rc == 0; j++)
            if (!(smug_mask_problem_row_sum(p, j, out->incumbent) > p->t[j]))
                rc = too_close(p, j, err);
    }
    if (rc == 0 && find_dominance(p, out) < 0)
        rc = smug_fail(err, SMUG_ERR_NOMEM, "bounds: out of memory");
    if (rc == 0)
        rc = solve_lp(p, out, err);
    if (rc == 0) {
        int lp_bound = (int)ceil(out->lp - 1e-6);
        out->lower = lp_bound > out->lower_row ? lp_bound : out->lower_row;
        out->lower = out->lower < out->upper ? out->lower : out->upper;
    }
    free(scratch);
    return rc;
}

/* LP of the node whose cells are fixed as in fix; +inf when infeasible. The most
 * fractional free cell goes to *out_branch (-1 when the LP solution is integral). */
static int node_lp(glp_prob *lp, const smug_mask_problem *p, const int8_t *fix, double *value,
                   int *out_branch, smug_error *err)
{
    for (int i = 0; i < p->n; i++)
        if (fix[i] < 0)
            glp_set_col_bnds(lp, i + 1, GLP_DB, 0.0, 1.0);
        else
            glp_set_col_bnds(lp, i + 1, GLP_FX, (double)fix[i], (double)fix[i]);
    if (lp_value(lp, value, err) < 0)
        return -1;
    double best = 1e-6;
    *out_branch = -1;
    for (int i = 0; isfinite(*value) && i < p->n; i++) {
        double x = glp_get_col_prim(lp, i + 1), frac = fmin(x, 1.0 - x);
        if (fix[i] < 0 && frac > best)
            best = frac, *out_branch = i;
    }
    return 0;
}

int smug_bounds_split(const smug_mask_problem *p, const smug_bounds *b, int bound,
                      const int8_t *fix, int depth, int8_t **out_leaves, int *out_n,
                      smug_error *err)
{
    depth = depth < 0 ? 0 : depth > 10 ? 10 : depth; /* at most 1024 leaves */
    size_t n = p->n > 0 ? (size_t)p->n : 1, cap = (size_t)1 << depth;
    int8_t *open = malloc(cap * 2 * n), *leaves = malloc(cap * n);
    glp_prob *lp = p->n > 0 ? build_lp(p, b, 0.0) : NULL;
    *out_leaves = NULL;
    *out_n = 0;
    if (!open || !leaves || (p->n > 0 && !lp)) {
        free(open), free(leaves);
        if (lp)
            glp_delete_prob(lp);
        return smug_fail(err, SMUG_ERR_NOMEM, "split: out of memory");
    }
    /* breadth first: level d holds the open nodes at depth d */
    memcpy(open, fix, n);
    int n_open = 1, rc = 0, n_leaves = 0;
    for (int d = 0; rc == 0 && n_open > 0; d++) {
        int next = 0;
        for (int k = 0; rc == 0 && k < n_open; k++) {
            int8_t *node = open + (size_t)k * n;
            double value = 0.0;
            int branch = -1;
            if (p->n > 0 && node_lp(lp, p, node, &value, &branch, err) < 0) {
                rc = -1;
                break;
            }
            if (value > (double)bound + 1e-6)
                continue; /* no mask of size ≤ bound below this node */
            if (branch < 0 || d >= depth || (size_t)next + 2 > cap) {
                memcpy(leaves + (size_t)n_leaves++ * n, node, n);
                continue;
            }
            for (int v = 1; v >= 0; v--) { /* children go after the current level */
                int8_t *child = open + (cap + (size_t)next++) * n;
                memcpy(child, node, n);
                child[branch] = (int8_t)v;
            }
        }
        memmove(open, open + cap * n, (size_t)next * n);
        n_open = next;
    }
    if (lp)
        glp_delete_prob(lp);
    free(open);
    if (rc < 0) {
        free(leaves);
        return -1;
    }
    *out_leaves = leaves;
    *out_n = n_leaves;
    return 0;
}

void smug_bounds_fixings(const smug_bounds *b, int n, int bound, uint8_t *out_zero)
{
    for (int i = 0; i < n; i++)
        out_zero[i] = b->useless[i] || b->lp + b->reduced[i] > (double)bound + 1e-6;
}

void smug_bounds_free(smug_bounds *b)
{
    free(b->incumbent);
    free(b->useless);
    free(b->reduced);
    free(b->dom_from);
    free(b->dom_to);
    memset(b, 0, sizeof *b);
}
