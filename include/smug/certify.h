/* certify.h — exact (GMP) checks of what the C side claims about a mask problem (design §2
 * "Proofs", mask/certify.c).
 *
 * Floating point guides the search; this module decides. Every number of the problem (a_jc,
 * t_j of problem.h, δ margin included) is a double, and a double is an exact dyadic rational
 * m·2^e: the checks below compute with those rationals exactly, never with rounded sums.
 *
 * Infeasibility certificate of a leaf (a branch-and-bound node: some cells fixed to 0 or 1,
 * the rest free in [0, 1]) at bound B. It claims: no mask m with those fixings, Σ_c m_c ≤ B,
 * every row Σ_c a_jc m_c > t_j, and m_to ≥ m_from for its dominance pairs. Multipliers
 * y_j ≥ 0 (rows), z_d ≥ 0 (dominance pairs) and μ ≥ 0 (the size row B − Σ m ≥ 0) combine the
 * constraints into one: with c_i = Σ_j y_j a_ji + Σ_d z_d ([i = to_d] − [i = from_d]) − μ,
 * every such m has  Σ_i c_i m_i  ≥  rhs = Σ_j y_j t_j − μ·B,  strictly (>) as soon as some
 * y_j > 0, because each row is strict. Over the leaf's box the left side is at most
 * max = Σ_{free i} max(c_i, 0) + Σ_{i fixed to 1} c_i. So the leaf holds no mask when
 * max < rhs, or when max ≤ rhs and some y_j > 0 (the strict rows rule out equality: a leaf
 * whose LP optimum is exactly B is closed too). This is Farkas' lemma for the LP relaxation
 * with the strictness kept; the multipliers come from GLPK's duals (lp.h) and are used as
 * the exact rationals they are, so a rounding error in GLPK can only make a check fail,
 * never make a wrong one pass.
 *
 * Ownership: a smug_certifier holds the problem's coefficients in exact form (built once per
 * problem, smug_certifier_free); it borrows p, which must outlive it.
 */
#ifndef SMUG_CERTIFY_H
#define SMUG_CERTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "smug/error.h"
#include "smug/problem.h"

/* Sparse multipliers; arrays owned by whoever filled them (proof.h keeps them in a pool). */
typedef struct smug_cert {
    int n_y;
    const int *y_row; /* [n_y] row indices j */
    const double *y;  /* [n_y] y_j ≥ 0 */
    int n_z;
    const int *z_from, *z_to; /* [n_z] dominance pairs m_from → m_to */
    const double *z;          /* [n_z] z_d ≥ 0 */
    double mu;                /* size row, ≥ 0 */
} smug_cert;

typedef struct smug_certifier smug_certifier;

/* NOMEM only. */
int smug_certifier_new(const smug_mask_problem *p, smug_certifier **out, smug_error *err);
void smug_certifier_free(smug_certifier *c);

/* 1 when cert proves that the leaf (fix[n]: -1 free, 0 or 1 fixed) holds no mask of size
 * ≤ bound (see above); 0 when it does not, with the reason in why[n_why] (a negative
 * multiplier, a dominance pair that does not dominate, an index out of range, or
 * "max … ≥ rhs …"). A pair in z must pass smug_certify_dominates: the certificate may
 * only use implications that are true facts. */
int smug_certify_leaf(smug_certifier *c, const int8_t *fix, int bound, const smug_cert *cert,
                      char *why, size_t n_why);

/* Exact sign of Σ_c a_jc m_c − t_j for m[n] (0/1): 1, 0 or -1. */
int smug_certify_row_sign(const smug_mask_problem *p, int j, const uint8_t *m);

/* 1 when cell d dominates cell q in the sense of bounds.h (a_jd ≥ a_jq on every row, and
 * strictly somewhere or d < q): comparisons of doubles are exact, so this is too. Such
 * pairs form a strict partial order, so moving a kept cell from q to d (repeatedly)
 * turns any mask into one of the same size that satisfies every implication m_q → m_d and
 * every row it satisfied: asserting them never removes the last mask of a given size. */
int smug_certify_dominates(const smug_mask_problem *p, int d, int q);

/* 1 when cell i has no positive coefficient in any row: dropping it from a mask keeps every
 * row it satisfied and lowers the size, so it is 0 in some optimal mask. */
int smug_certify_useless(const smug_mask_problem *p, int i);

#endif
