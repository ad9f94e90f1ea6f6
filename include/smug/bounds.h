/* bounds.h — what the C side proves before any solver runs (design §2, mask/bounds.c).
 *
 *  - an incumbent: a greedy mask that satisfies every row (an upper bound on the optimum);
 *  - lower bounds: per row (the fewest cells of largest coefficient that lift row j alone
 *    over t_j) and the LP relaxation (GLPK simplex, with the fixings and dominance below
 *    added as constraints), rounded up;
 *  - useless cells: a_jc ≤ 0 in every row — dropping one from any mask keeps it valid;
 *  - dominance: a_·p ≥ a_·q on every row (ties broken by index) ⇒ some optimal mask has
 *    m_q → m_p (swap q for p in any optimum: every row sum grows, the size stays).
 * Reduced-cost fixing is relative to a bound B: a cell whose LP reduced cost lifts the LP
 * value above B is 0 in every mask of size ≤ B (smug_bounds_fixings).
 * When lower == upper the incumbent is optimal, proved by bounds alone.
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
    int lower;                  /* max(lower_row, ⌈lp⌉) */
    int lower_row;              /* best per-row bound */
    double lp;                  /* LP relaxation optimum */
    double *reduced;            /* [n] LP reduced costs (0 for basic variables) */
    uint8_t *useless;           /* [n] 1 = coefficient ≤ 0 in every row */
    int *dom_from;              /* implications m_dom_from[i] → m_dom_to[i] */
    int *dom_to;
    int n_dom;
} smug_bounds;

/* Computes everything above. Fails (USAGE) when a row cannot hold even with every cell kept
 * (gamma too close to 1 for that neuron). *out is the caller's (smug_bounds_free). */
int smug_bounds_compute(const smug_mask_problem *p, smug_bounds *out, smug_error *err);

/* out_zero[n]: 1 for cells that are 0 in every mask of size ≤ B worth finding (useless
 * cells, and reduced-cost fixings for B). */
void smug_bounds_fixings(const smug_bounds *b, int n, int bound, uint8_t *out_zero);

/* Improves the incumbent with GLPK's branch and bound (cuts on) for at most `seconds`:
 * the solvers' hard part is finding a mask of the optimum's size (design §2), a MILP
 * search finds one in milliseconds. Only a mask that satisfies the strict rows exactly
 * replaces the incumbent; GLPK's own optimality claim is not used as a proof. */
int smug_bounds_mip(const smug_mask_problem *p, smug_bounds *b, double seconds, smug_error *err);

/* LP probing at bound B, for masks of size ≤ B that respect the facts above: each free cell
 * is tried at 1 and at 0; a value whose LP optimum exceeds B is impossible, so the cell is
 * fixed to the other one, until nothing changes. out_fix[n]: -1 free, 0 or 1 fixed.
 * Returns 1 when the LP itself exceeds B (no mask of size ≤ B: B + 1 is a lower bound),
 * 0 otherwise, -1 on failure. */
int smug_bounds_probe(const smug_mask_problem *p, const smug_bounds *b, int bound, int8_t *fix,
                      smug_error *err);

/* LP-guided branching below bound B, from the cells fixed in fix[n]: each node fixes its
 * most fractional cell to 1 and to 0; a node whose LP exceeds B holds no mask of size ≤ B
 * and is closed. The open nodes at `depth` (or with an integral LP) are returned as
 * *out_n fixing vectors of n entries each in one malloc'ed block (caller frees): every mask
 * of size ≤ B that respects the facts lies below one of them, so B + 1 is proved once each
 * is shown to hold none. *out_n == 0 means the LP closed every node. */
int smug_bounds_split(const smug_mask_problem *p, const smug_bounds *b, int bound,
                      const int8_t *fix, int depth, int8_t **out_leaves, int *out_n,
                      smug_error *err);

void smug_bounds_free(smug_bounds *b);

#endif
