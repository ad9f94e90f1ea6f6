/* cbc.h — a MILP solver (CBC, a solver file with `format: lp`) as a back end of the mask
 * search (design §1, smt/cbc.c). strategy.h's smug_solve hands such a solver here.
 *
 * The problem goes to the solver as an LP file (milp.h) in $TMPDIR (created with O_EXCL,
 * removed afterwards); one run minimises the kept cells under the time limit; the solution
 * table it prints ("-solu -") is read back into a mask. That mask is believed only if it
 * satisfies every row of the problem exactly as smug evaluates them (strict rows, the
 * incumbent rule of strategy.h): then it replaces the incumbent when smaller.
 *
 * What CBC's "Optimal" is not: a proof. CBC decides optimality with floating-point LP
 * bounds and tolerances (integrality 1e-7, primal 1e-7, its own cut-off rounding), and
 * milp.h's strict rows are written as Σ a x ≥ t + 1e-9·(1 + |t|): a mask CBC rules out by a
 * tolerance or by that margin may still be valid. So the lower bound stays the one smug
 * proved (bounds.h) and CBC's claim is kept as a note; the status is "optimal" only when
 * that proved bound meets the mask (proved_by "bounds"), else "feasible" (or "timeout"
 * when CBC stopped at the limit).
 */
#ifndef SMUG_CBC_H
#define SMUG_CBC_H

#include "smug/strategy.h"

/* The search of smug_solve (same contract) with an LP-format solver. */
int smug_cbc_solve(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
                   const smug_solve_options *opts, smug_solve_result *out, smug_error *err);

/* Reads a CBC transcript (stdout of `cbc FILE.lp … -solu -`) for a problem of n variables:
 * out_mask[n] gets the solution table's values (> 0.5 = kept, variables x<i>), *out_claim
 * CBC's status line ("Optimal", "Stopped on time", …; "" when none). Returns 1 when a
 * solution table was found, 0 when not. */
int smug_cbc_read(const char *text, int n, uint8_t *out_mask, char *out_claim, size_t claim_n);

#endif
