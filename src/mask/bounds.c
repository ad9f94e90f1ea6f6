/* bounds.c — incumbent, lower bounds, useless cells, dominance (bounds.h has the maths).
 *
 * This is where most of smug's speed comes from (design §2): solvers struggle to find a
 * mask of exactly the optimum size, so the C side hands them a valid mask to improve on, a
 * proven floor to stop at, and implications that prune symmetric choices. The LP (lp.h)
 * suggests; only what certify.c checks exactly becomes a bound or a fixing.
 */
#include "smug/bounds.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "smug/certify.h"
#include "smug/interrupt.h"
#include "smug/lp.h"
#include "smug/rowindex.h"

#define MAX_DOM_PER_CELL                                                                           \
    8 /* implications kept per dominated cell: enough to prune, few                                \
         enough that an emitted file stays small */

static double coef(const smug_mask_problem *p, int j, int i)
{
    return smug_mask_problem_coef(p, j, i);
}

static int by_value_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The deadline passed, or Ctrl-C asked smug to stop (interrupt.h): both end a stage early. */
static int past(double deadline)
{
    return (deadline > 0.0 && now() >= deadline) || smug_interrupted();
}

static void add_note(smug_bounds *b, const char *what)
{
    size_t len = strlen(b->note);
    snprintf(b->note + len, sizeof b->note - len, "%s%s", len ? "; " : "", what);
}

/* Fewest cells that lift row j over t_j on its own; -1 when even all of them cannot.
 * *out_mu: that many-th largest coefficient, the size multiplier of the row's own
 * certificate (y_j = 1, μ = it) that no mask of size ≤ need − 1 lifts it (certify.h). */
static int row_need(const smug_mask_problem *p, const smug_row_index *ix, int j, double *scratch,
                    double *out_mu)
{
    *out_mu = 0.0;
    if (p->t[j] < 0.0)
        return 0;
    int m = 0;
    for (size_t e = ix->pos_start[j]; e < ix->pos_start[j + 1]; e++)
        scratch[m++] = coef(p, j, ix->pos_cell[e]);
    qsort(scratch, (size_t)m, sizeof *scratch, by_value_desc);
    double s = 0.0;
    for (int i = 0; i < m; i++) {
        s += scratch[i];
        if (s > p->t[j]) {
            *out_mu = scratch[i];
            return i + 1;
        }
    }
    return -1;
}

/* Cell i's share of the remaining deficits, over its own rows in row order (the sum a
 * dense loop over every row makes: the other rows add nothing). */
static double gain_of(const smug_mask_problem *p, const smug_row_index *ix, const double *sum,
                      int i)
{
    double gain = 0.0;
    for (size_t e = ix->col_start[i]; e < ix->col_start[i + 1]; e++) {
        int j = ix->col_row[e];
        double deficit = p->t[j] - sum[j], a = coef(p, j, i);
        if (deficit < 0.0 || a <= 0.0)
            continue;
        double d = deficit > 1e-12 ? deficit : 1e-12;
        gain += fmin(a, d * 1.000001) / d;
    }
    return gain;
}

/* Drops cells (in index order: deterministic) while every row still holds strictly. A
 * row that fails already (nothing helped it) blocks every cell outside it, as a check over
 * all rows would; `failing` counts those rows. */
static void prune(const smug_mask_problem *p, const smug_row_index *ix, uint8_t *m, double *sum)
{
    int failing = 0;
    for (int j = 0; j < p->k; j++)
        failing += !(sum[j] > p->t[j]);
    for (int i = 0; i < p->n; i++) {
        if (!m[i])
            continue;
        int ok = 1, seen = 0;
        for (size_t e = ix->col_start[i]; e < ix->col_start[i + 1] && ok; e++) {
            int j = ix->col_row[e];
            seen += !(sum[j] > p->t[j]);
            ok = sum[j] - coef(p, j, i) > p->t[j];
        }
        if (!ok || seen < failing)
            continue;
        m[i] = 0;
        for (size_t e = ix->col_start[i]; e < ix->col_start[i + 1]; e++) {
            int j = ix->col_row[e];
            int was = !(sum[j] > p->t[j]);
            sum[j] -= coef(p, j, i);
            failing += !(sum[j] > p->t[j]) - was;
        }
    }
}

/* Greedy cover: add the cell covering the largest share of the remaining deficits, until
 * every row holds; then drop cells (weakest first) while the rows still hold. Gains are
 * kept per cell and recomputed only for the cells that share a row with the one just
 * kept (the rows' lists), not by a rescan of the k × n matrix. -1 at the deadline. */
static int greedy(const smug_mask_problem *p, const smug_row_index *ix, double deadline, uint8_t *m,
                  double *sum, smug_error *err)
{
    memset(m, 0, (size_t)p->n);
    memset(sum, 0, (size_t)p->k * sizeof *sum);
    size_t n = p->n > 0 ? (size_t)p->n : 1;
    double *gain = malloc(n * sizeof *gain);
    int *touched = malloc(n * sizeof *touched);
    uint8_t *stale = calloc(n, 1);
    if (!gain || !touched || !stale) {
        free(gain), free(touched), free(stale);
        return smug_fail(err, SMUG_ERR_NOMEM, "bounds: out of memory");
    }
    for (int i = 0; i < p->n; i++)
        gain[i] = gain_of(p, ix, sum, i);
    int rc = 0;
    for (;;) {
        if (past(deadline)) {
            rc = 1;
            break;
        }
        int best = -1, nt = 0;
        double best_gain = 0.0;
        for (int i = 0; i < p->n; i++)
            if (!m[i] && gain[i] > best_gain)
                best_gain = gain[i], best = i;
        if (best < 0)
            break; /* every row holds, or nothing helps (caught by the caller) */
        m[best] = 1;
        for (size_t e = ix->col_start[best]; e < ix->col_start[best + 1]; e++) {
            int j = ix->col_row[e];
            sum[j] += coef(p, j, best);
            for (size_t f = ix->pos_start[j]; f < ix->pos_start[j + 1]; f++) {
                int c = ix->pos_cell[f];
                if (!m[c] && !stale[c])
                    stale[c] = 1, touched[nt++] = c;
            }
        }
        for (int t = 0; t < nt; t++)
            gain[touched[t]] = gain_of(p, ix, sum, touched[t]), stale[touched[t]] = 0;
    }
    if (rc == 0)
        prune(p, ix, m, sum);
    free(gain), free(touched), free(stale);
    return rc;
}

/* Implications for the dominated cells up to the deadline (fewer facts, all true). A cell
 * d dominates q only if a_jd ≥ a_jq > 0 on each row where q is positive, so d is looked
 * for among the positive cells of q's shortest such row, in index order: the pairs found
 * are the ones a scan of every cell finds. */
static int find_dominance(const smug_mask_problem *p, const smug_row_index *ix, double deadline,
                          smug_bounds *b)
{
    size_t cap = (size_t)p->n * MAX_DOM_PER_CELL + 1;
    b->dom_from = malloc(cap * sizeof *b->dom_from);
    b->dom_to = malloc(cap * sizeof *b->dom_to);
    if (!b->dom_from || !b->dom_to)
        return -1;
    for (int q = 0; q < p->n; q++) {
        if (b->useless[q])
            continue; /* already fixed to 0 (and positive in no row) */
        if ((q & 63) == 0 && past(deadline)) {
            add_note(b, "dominance: cut at the deadline");
            break;
        }
        int row = -1;
        for (size_t e = ix->col_start[q]; e < ix->col_start[q + 1]; e++) {
            int j = ix->col_row[e];
            if (coef(p, j, q) > 0.0 && (row < 0 || ix->pos_start[j + 1] - ix->pos_start[j] <
                                                       ix->pos_start[row + 1] - ix->pos_start[row]))
                row = j;
        }
        int found = 0;
        for (size_t e = ix->pos_start[row]; e < ix->pos_start[row + 1]; e++) {
            int d = ix->pos_cell[e];
            if (found == MAX_DOM_PER_CELL)
                break;
            if (d == q || b->useless[d] || !smug_certify_dominates(p, d, q))
                continue;
            b->dom_from[b->n_dom] = q;
            b->dom_to[b->n_dom] = d;
            b->n_dom++;
            found++;
        }
    }
    return 0;
}

/* The root LP (useless cells at 0): its value, reduced costs and row duals. Returns 1
 * when GLPK gave no usable optimum (the deadline, an infeasible relaxation despite a valid
 * incumbent, any GLPK failure): b->note says which, and the caller falls back. */
static int solve_root(const smug_mask_problem *p, double deadline, smug_bounds *b, smug_error *err)
{
    if (p->n == 0) { /* no variables (an all-zero input): GLPK rejects a column-less LP */
        b->lp = 0.0;
        return 0;
    }
    smug_lp *lp = NULL;
    smug_lp_facts f = {b->dom_from, b->dom_to, b->n_dom};
    int8_t *fix = malloc((size_t)p->n);
    int rc = fix ? smug_lp_new(p, &f, &lp, err) : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == 0 && i < p->n; i++)
        fix[i] = b->useless[i] ? 0 : -1;
    if (rc == 0) {
        smug_lp_deadline(lp, deadline);
        smug_error lerr = SMUG_ERROR_INIT;
        if (smug_lp_solve(lp, fix, &b->lp, &lerr) < 0) {
            if (lerr.code == SMUG_ERR_NOMEM)
                rc = -1, *err = lerr;
            else
                rc = 1, add_note(b, lerr.msg);
        } else if (isnan(b->lp)) {
            rc = 1, add_note(b, "LP relaxation: cut at the deadline");
        } else if (!isfinite(b->lp)) {
            rc = 1, add_note(b, "LP relaxation infeasible with a valid incumbent (GLPK's "
                                "tolerances)");
        }
    }
    smug_cert c;
    if (rc == 0 && smug_lp_certificate(lp, fix, 0, 0, &c, err) == 1) {
        smug_lp_reduced(lp, b->reduced);
        for (int t = 0; t < c.n_y; t++)
            b->root_y[c.y_row[t]] = c.y[t];
        for (int t = 0; t < c.n_z; t++) /* the pairs come back in b's order, zeros skipped */
            for (int d = 0; d < b->n_dom; d++)
                if (b->dom_from[d] == c.z_from[t] && b->dom_to[d] == c.z_to[t])
                    b->root_z[d] = c.z[t];
    }
    smug_lp_free(lp);
    free(fix);
    return rc;
}

/* Without the LP: the root certificate of the row that needs the most cells on its own
 * (row_need), y = that row, μ its own; the LP value is replaced by that need, as a guide. */
static void row_fallback(const smug_mask_problem *p, smug_bounds *b, int row, double mu)
{
    memset(b->root_y, 0, ((size_t)p->k + 1) * sizeof *b->root_y);
    memset(b->root_z, 0, ((size_t)b->n_dom + 1) * sizeof *b->root_z);
    memset(b->reduced, 0, (p->n > 0 ? (size_t)p->n : 1) * sizeof *b->reduced);
    b->lp = (double)b->lower_row;
    if (row >= 0 && b->lower_row > 0)
        b->root_y[row] = 1.0, b->root_mu = mu;
    add_note(b, "the lower bound is the per-row one, proved without the LP");
}

void smug_bounds_root_cert(const smug_mask_problem *p, const smug_bounds *b, int *y_row, double *y,
                           int *z_from, int *z_to, double *z, smug_cert *out)
{
    int ny = 0, nz = 0;
    for (int j = 0; j < p->k; j++)
        if (b->root_y && b->root_y[j] > 0.0)
            y_row[ny] = j, y[ny++] = b->root_y[j];
    for (int d = 0; d < b->n_dom; d++)
        if (b->root_z && b->root_z[d] > 0.0)
            z_from[nz] = b->dom_from[d], z_to[nz] = b->dom_to[d], z[nz++] = b->root_z[d];
    *out = (smug_cert){ny, y_row, y, nz, z_from, z_to, z, b->root_mu > 0.0 ? b->root_mu : 1.0};
}

/* Checks the root certificate against leaves: fix[n] at bound; 1 proved, 0 not, -1 NOMEM. */
typedef struct root_check {
    smug_certifier *cert;
    smug_cert c;
    int *yr, *zf, *zt;
    double *y, *z;
} root_check;

static int root_check_init(const smug_mask_problem *p, const smug_bounds *b, root_check *rc,
                           smug_error *err)
{
    memset(rc, 0, sizeof *rc);
    rc->yr = malloc((size_t)(p->k + 1) * sizeof(int));
    rc->y = malloc((size_t)(p->k + 1) * sizeof(double));
    rc->zf = malloc((size_t)(b->n_dom + 1) * sizeof(int));
    rc->zt = malloc((size_t)(b->n_dom + 1) * sizeof(int));
    rc->z = malloc((size_t)(b->n_dom + 1) * sizeof(double));
    if (!rc->yr || !rc->y || !rc->zf || !rc->zt || !rc->z)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    smug_bounds_root_cert(p, b, rc->yr, rc->y, rc->zf, rc->zt, rc->z, &rc->c);
    return smug_certifier_new(p, &rc->cert, err);
}

static void root_check_free(root_check *rc)
{
    smug_certifier_free(rc->cert);
    free(rc->yr), free(rc->y), free(rc->zf), free(rc->zt), free(rc->z);
}

/* The largest B < upper the root certificate proves (no mask of size ≤ B), from the LP
 * value down; lower = B + 1, or 0 when it proves nothing. The per-row bound is not used:
 * the LP contains every row, so ⌈LP⌉ matches it (ties aside, which the strict check of a
 * certificate closes too). */
static int certified_lower(const smug_mask_problem *p, smug_bounds *b, smug_error *err)
{
    b->lower = 0;
    if (p->n == 0 || b->upper == 0)
        return 0;
    root_check rc;
    int8_t *fix = malloc((size_t)p->n);
    int r = fix ? root_check_init(p, b, &rc, err) : smug_fail(err, SMUG_ERR_NOMEM, "oom");
    for (int i = 0; r == 0 && i < p->n; i++)
        fix[i] = b->useless[i] ? 0 : -1;
    int top = (int)floor(b->lp + 1e-6);
    top = top < b->upper - 1 ? top : b->upper - 1;
    char why[256];
    for (int bound = top; r == 0 && bound >= 0 && bound >= top - 3; bound--)
        if (smug_certify_leaf(rc.cert, fix, bound, &rc.c, why, sizeof why)) {
            b->lower = bound + 1;
            break;
        }
    if (fix)
        root_check_free(&rc);
    free(fix);
    return r;
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
    return smug_bounds_compute_until(p, 0.0, out, err);
}

int smug_bounds_compute_until(const smug_mask_problem *p, double deadline, smug_bounds *out,
                              smug_error *err)
{
    memset(out, 0, sizeof *out);
    out->root_mu = 1.0;
    size_t n = p->n > 0 ? (size_t)p->n : 1;
    out->incumbent = calloc(n, 1);
    out->useless = calloc(n, 1);
    out->reduced = calloc(n, sizeof *out->reduced);
    out->root_y = calloc((size_t)p->k + 1, sizeof *out->root_y);
    double *scratch = malloc((n > (size_t)p->k ? n : (size_t)p->k + 1) * sizeof *scratch);
    if (!out->incumbent || !out->useless || !out->reduced || !out->root_y || !scratch) {
        free(scratch);
        return smug_fail(err, SMUG_ERR_NOMEM, "bounds: out of memory");
    }
    smug_row_index ix;
    int rc = smug_row_index_build(p, &ix, err), row = -1;
    double row_mu = 0.0;
    for (int j = 0; j < p->k && rc == 0; j++) {
        double mu;
        int need = row_need(p, &ix, j, scratch, &mu);
        if (need < 0)
            rc = too_close(p, j, err);
        if (need > out->lower_row)
            out->lower_row = need, row = j, row_mu = mu;
    }
    for (int i = 0; i < p->n && rc == 0; i++)
        out->useless[i] = (uint8_t)smug_certify_useless(p, i);
    if (rc == 0) {
        rc = greedy(p, &ix, deadline, out->incumbent, scratch, err);
        if (rc == 1) {
            memset(out->incumbent, 1, (size_t)p->n); /* valid whenever any mask is */
            add_note(out, "greedy: cut at the deadline, the incumbent is every cell");
            rc = 0;
        }
        out->incumbent_from = "greedy";
        /* greedy decides in floating point; the incumbent must hold exactly, and the whole
         * input (every variable kept) does whenever gamma allows any mask */
        if (!smug_mask_problem_satisfied(p, out->incumbent))
            memset(out->incumbent, 1, (size_t)p->n);
        out->upper = smug_mask_count(out->incumbent, p->n);
        /* greedy stops short only on a row whose positive cells are all kept already: the
         * negative cells it kept for other rows sink it, and the whole input (all of them)
         * sinks it as well, so this is gamma's fault, not smug's */
        for (int j = 0; j < p->k && rc == 0; j++)
            if (smug_certify_row_sign(p, j, out->incumbent) <= 0)
                rc = too_close(p, j, err);
    }
    if (rc == 0 && find_dominance(p, &ix, deadline, out) < 0)
        rc = smug_fail(err, SMUG_ERR_NOMEM, "bounds: out of memory");
    if (rc == 0 && !(out->root_z = calloc((size_t)out->n_dom + 1, sizeof *out->root_z)))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "bounds: out of memory");
    if (rc == 0)
        rc = solve_root(p, deadline, out, err);
    if (rc == 1) { /* numerical trouble or the deadline: a weaker bound, never a failure */
        row_fallback(p, out, row, row_mu);
        rc = 0;
    }
    if (rc == 0)
        rc = certified_lower(p, out, err);
    smug_row_index_free(&ix);
    free(scratch);
    return rc;
}

int smug_bounds_fixings(const smug_mask_problem *p, const smug_bounds *b, int bound,
                        uint8_t *out_zero, smug_error *err)
{
    root_check rc;
    int8_t *fix = malloc(p->n > 0 ? (size_t)p->n : 1);
    int r = fix ? root_check_init(p, b, &rc, err) : smug_fail(err, SMUG_ERR_NOMEM, "oom");
    for (int i = 0; r == 0 && i < p->n; i++)
        fix[i] = b->useless[i] ? 0 : -1;
    char why[256];
    for (int i = 0; r == 0 && i < p->n; i++) {
        out_zero[i] = b->useless[i];
        if (out_zero[i] || !(b->lp + b->reduced[i] > (double)bound + 1e-6))
            continue;
        /* the root duals with m_i = 1: reduced-cost fixing is this certificate */
        fix[i] = 1;
        out_zero[i] = (uint8_t)smug_certify_leaf(rc.cert, fix, bound, &rc.c, why, sizeof why);
        fix[i] = -1;
    }
    if (fix)
        root_check_free(&rc);
    free(fix);
    return r;
}

int smug_bounds_mip(const smug_mask_problem *p, smug_bounds *b, double seconds, smug_error *err)
{
    if (p->n == 0 || b->lower >= b->upper || seconds <= 0.0)
        return 0;
    uint8_t *m = malloc((size_t)p->n);
    if (!m)
        return smug_fail(err, SMUG_ERR_NOMEM, "MIP: out of memory");
    smug_lp_facts f = {b->dom_from, b->dom_to, b->n_dom};
    int found = smug_lp_mip(p, &f, b->useless, seconds, m, err);
    /* GLPK works in floating point with tolerances: only an exact check counts */
    if (found == 1 && smug_mask_problem_satisfied(p, m) && smug_mask_count(m, p->n) < b->upper) {
        memcpy(b->incumbent, m, (size_t)p->n);
        b->upper = smug_mask_count(m, p->n);
        b->incumbent_from = "glpk";
    }
    free(m);
    return found < 0 ? -1 : 0;
}

int smug_bounds_all_kept(const smug_mask_problem *p, smug_bounds *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = p->n > 0 ? (size_t)p->n : 1;
    out->incumbent = malloc(n);
    out->useless = calloc(n, 1);
    out->reduced = calloc(n, sizeof *out->reduced);
    out->root_y = calloc((size_t)p->k + 1, sizeof *out->root_y);
    out->root_z = calloc(1, sizeof *out->root_z);
    if (!out->incumbent || !out->useless || !out->reduced || !out->root_y || !out->root_z)
        return smug_fail(err, SMUG_ERR_NOMEM, "bounds: out of memory");
    memset(out->incumbent, 1, n);
    out->incumbent_from = "all cells";
    out->upper = p->n;
    for (int j = 0; j < p->k; j++)
        if (smug_certify_row_sign(p, j, out->incumbent) <= 0)
            return too_close(p, j, err);
    if (!p->pl)
        return 0;
    /* greedy deletion, cells that help the rows least first: each drop must keep the rows
     * (exactly) and the class by twice the margin (double evaluation; the slack δ dwarfs its
     * rounding), so the solver starts below every cell kept */
    int *order = malloc(n * sizeof *order);
    double *gain = malloc(n * sizeof *gain);
    if (!order || !gain) {
        free(order), free(gain);
        return smug_fail(err, SMUG_ERR_NOMEM, "bounds: out of memory");
    }
    for (int i = 0; i < p->n; i++) {
        order[i] = i, gain[i] = 0.0;
        for (size_t e = p->col_start[i]; e < p->col_start[i + 1]; e++) /* rows in order */
            gain[i] += p->col_coef[e];
    }
    for (int i = 1; i < p->n; i++) /* insertion sort: n is small for the full net */
        for (int q = i; q > 0 && gain[order[q]] < gain[order[q - 1]]; q--) {
            int t = order[q];
            order[q] = order[q - 1], order[q - 1] = t;
        }
    for (int q = 0; q < p->n; q++) {
        uint8_t *m = out->incumbent;
        m[order[q]] = 0;
        if (smug_mask_problem_satisfied(p, m) && smug_pl_margin(p, m) >= 2.0 * p->pl->delta)
            out->upper--;
        else
            m[order[q]] = 1;
    }
    if (out->upper < p->n)
        out->incumbent_from = "greedy";
    free(order), free(gain);
    return 0;
}

void smug_bounds_clear(smug_bounds *b)
{
    free(b->incumbent);
    free(b->useless);
    free(b->reduced);
    free(b->root_y);
    free(b->root_z);
    free(b->dom_from);
    free(b->dom_to);
    memset(b, 0, sizeof *b);
}
