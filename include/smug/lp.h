/* lp.h — the LP relaxation of a mask problem in GLPK (design §2; mask/lp.c).
 *
 *   min Σ_c m_c   s.t.  Σ_c a_jc m_c ≥ t_j (each row j),  m_to − m_from ≥ 0 (dominance),
 *                       0 ≤ m_c ≤ 1, cells fixed as a node says.
 * Strictness (> t_j) is relaxed to ≥, so the optimum is a lower bound for every mask under
 * the node — but only as a floating-point guide: GLPK works with tolerances. What proves a
 * node empty is a certificate (certify.h) built from this LP's duals and checked exactly.
 * One smug_lp serves a whole branch-and-bound: each solve changes the column bounds and
 * restarts from the previous basis.
 *
 * Ownership: smug_lp_new's *out is the caller's (smug_lp_free); it borrows p and the facts'
 * arrays, which must outlive it. A certificate filled by smug_lp_certificate points into
 * the smug_lp and is valid until its next call.
 */
#ifndef SMUG_LP_H
#define SMUG_LP_H

#include <stdint.h>

#include "smug/certify.h"
#include "smug/error.h"
#include "smug/problem.h"

typedef struct smug_lp_facts {
    const int *dom_from; /* implications m_from → m_to (bounds.h) */
    const int *dom_to;
    int n_dom;
} smug_lp_facts;

typedef struct smug_lp smug_lp;

/* p->n must be > 0 (GLPK rejects a problem without columns). NOMEM only. */
int smug_lp_new(const smug_mask_problem *p, const smug_lp_facts *f, smug_lp **out, smug_error *err);
void smug_lp_free(smug_lp *lp);

/* For tests: moves every row's right-hand side of the GLPK model by `skew`, making the LP
 * wrong on purpose (the exact checks still use the true rows). */
void smug_lp_skew(smug_lp *lp, double skew);

/* Sets an absolute deadline (CLOCK_MONOTONIC seconds, 0: none) for the following solves:
 * GLPK's time limit (tm_lim) is what is left of it. */
void smug_lp_deadline(smug_lp *lp, double deadline);

/* Solves with the cells fixed as in fix[n] (-1 free, 0, 1). *out_value is the optimum,
 * +INFINITY when GLPK finds no point, or NaN when it stopped at the deadline (nothing is
 * known). Fails (INTERNAL) when GLPK reports anything else. */
int smug_lp_solve(smug_lp *lp, const int8_t *fix, double *out_value, smug_error *err);

/* After an optimal solve: the free cell whose value is farthest from 0 and 1 (ties to the
 * lower index), or -1 when every free cell is within 1e-6 of an integer. */
int smug_lp_branch(const smug_lp *lp, const int8_t *fix);

/* After an optimal solve: the point, rounded to 0/1 (x > 0.5), into out_m[n]. */
void smug_lp_round(const smug_lp *lp, uint8_t *out_m);

/* After an optimal solve: reduced costs of the columns into out[n] (0 for basic ones). */
void smug_lp_reduced(const smug_lp *lp, double *out);

/* A candidate certificate that the node fix holds no mask of size ≤ bound (certify.h).
 * elastic 0: from the duals of the last solve, which must have been optimal (μ = 1).
 * elastic 1: from a second LP that minimises the rows' total violation under Σ m ≤ bound,
 * for nodes GLPK finds infeasible or whose first candidate failed. Returns 1 with *out
 * filled, 0 when there is no candidate (a node with more fixed ones than the bound gets the
 * trivial one: μ = 1 alone), -1 on failure. */
int smug_lp_certificate(smug_lp *lp, const int8_t *fix, int bound, int elastic, smug_cert *out,
                        smug_error *err);

/* GLPK's branch and bound (cuts on) for at most `seconds`, on the rows Σ a m ≥ t + 1e-9,
 * the dominance rows and cells with zero[i] = 1 fixed to 0. Returns 1 with a 0/1 mask in
 * out_m[n] when GLPK found one (the caller must still check it exactly), 0 when not
 * (including an internal GLPK failure, which is recovered from), -1 on out of memory. */
int smug_lp_mip(const smug_mask_problem *p, const smug_lp_facts *f, const uint8_t *zero,
                double seconds, uint8_t *out_m, smug_error *err);

#endif
