/* bounds.h — what the C side knows before any solver runs (design §2, mask/bounds.c).
 *
 *  - an incumbent: a greedy mask that satisfies every row exactly (an upper bound);
 *  - a lower bound: the LP relaxation (lp.h, with dominance rows and the useless cells at
 *    0) suggests ⌈LP⌉; it counts only as far as the root LP's duals, taken as a
 *    certificate (certify.h), prove it exactly. `lower` is that certified bound, and
 *    smug_branch_root_step (branch.h) turns it into a proof step;
 *  - useless cells: a_jc ≤ 0 in every row — dropping one from any mask keeps it valid;
 *  - dominance: a_·p ≥ a_·q on every row (ties broken by index) ⇒ some optimal mask has
 *    m_q → m_p (swap q for p in any optimum: every row sum grows, the size stays).
 * Both facts are comparisons of doubles, exact by nature (certify.h re-checks them).
 * The per-row bound (the fewest cells of largest coefficient that lift row j alone over
 * t_j) and the LP value are kept as information only, never as a proof step.
 * Reduced-cost fixing is relative to a bound B: a cell whose LP reduced cost lifts the LP
 * value above B is 0 in every mask of size ≤ B — each one is kept only if the root
 * certificate with that cell at 1 checks exactly (smug_bounds_fixings).
 */
#ifndef SMUG_BOUNDS_H
#define SMUG_BOUNDS_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/problem.h"

typedef struct smug_bounds {
    uint8_t *incumbent;         /* [n] greedy mask, satisfies every row */
    const char *incumbent_from; /* "greedy", or "glpk" after smug_bounds_mip improved it */
    int upper;                  /* its size */
    int lower;                  /* certified: no mask of size ≤ lower − 1 (root certificate) */
    int lower_row;              /* best per-row bound (information only) */
    double lp;                  /* LP relaxation optimum (floating point, a guide) */
    double *reduced;            /* [n] LP reduced costs (0 for basic variables) */
    double *root_y;             /* [k] the root LP's row duals: its certificate (μ = 1) */
    double *root_z;             /* [n_dom] its dominance duals */
    uint8_t *useless;           /* [n] 1 = coefficient ≤ 0 in every row */
    int *dom_from;              /* implications m_dom_from[i] → m_dom_to[i] */
    int *dom_to;
    int n_dom;
    double root_mu; /* the root certificate's size multiplier: 1 from the LP, the row's own
                       when the per-row fallback replaced the LP */
    char note[320]; /* what the deadline or GLPK cut ("LP relaxation: cut at the deadline"),
                       empty when nothing was: the bounds are then weaker, never wrong */
} smug_bounds;

/* Computes everything above. Fails (USAGE) when a row cannot hold even with every cell kept
 * (gamma too close to 1 for that neuron). *out is the caller's (smug_bounds_clear). */
int smug_bounds_compute(const smug_mask_problem *p, smug_bounds *out, smug_error *err);

/* The bounds of a problem with the whole network attached (problem.h's pl, fullnet.h),
 * where the row-only facts above are not valid (a row-greedy or dominating mask need not
 * keep the class): the incumbent is a greedy deletion from every variable kept that keeps
 * the rows and the class by twice the margin, lower 0, no useless cells, no dominance, LP
 * values 0 (so no reduced-cost fixing). The caller has checked that the
 * all-kept mask keeps the class (smug_fullnet_attach does). Fails (USAGE) like
 * smug_bounds_compute when a row cannot hold. */
int smug_bounds_all_kept(const smug_mask_problem *p, smug_bounds *out, smug_error *err);

/* The same by an absolute deadline (CLOCK_MONOTONIC seconds, 0: none), checked in each
 * phase: greedy cut keeps every cell as the incumbent, dominance keeps the pairs found so
 * far, the LP gets what is left as GLPK's time limit. When the root LP gives no optimum (the
 * deadline, an infeasible relaxation despite the incumbent, a GLPK failure) the lower bound
 * falls back to the per-row one, proved by that row's own certificate; out->note says what
 * was cut. Errors as smug_bounds_compute: a GLPK problem is never one. */
int smug_bounds_compute_until(const smug_mask_problem *p, double deadline, smug_bounds *out,
                              smug_error *err);

/* out_zero[n]: 1 for cells that are 0 in every mask of size ≤ B worth finding: useless
 * cells, and reduced-cost fixings for B whose certificate checks exactly. NOMEM only. */
int smug_bounds_fixings(const smug_mask_problem *p, const smug_bounds *b, int bound,
                        uint8_t *out_zero, smug_error *err);

/* Improves the incumbent with GLPK's branch and bound (cuts on) for at most `seconds`:
 * the solvers' hard part is finding a mask of the optimum's size (design §2), a MILP
 * search finds one in milliseconds. Only a mask that satisfies the strict rows exactly
 * replaces the incumbent; GLPK's own optimality claim is not used as a proof. */
int smug_bounds_mip(const smug_mask_problem *p, smug_bounds *b, double seconds, smug_error *err);

/* The root certificate as a smug_cert, in caller-provided arrays: y_row/y [k],
 * z_from/z_to/z [n_dom]. */
struct smug_cert;
void smug_bounds_root_cert(const smug_mask_problem *p, const smug_bounds *b, int *y_row, double *y,
                           int *z_from, int *z_to, double *z, struct smug_cert *out);

void smug_bounds_clear(smug_bounds *b);

#endif
