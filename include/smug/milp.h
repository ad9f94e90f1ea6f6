/* milp.h — the mask problem in CPLEX LP format, for a MILP solver such as CBC (design §1,
 * smt/milp.c). Used by bench/solve as the practical limit to compare SMT solvers with.
 *
 * Variables x<i> (binary) are the problem's variables in order; rows are written as
 * Σ a x ≥ t + margin, because LP format has no strict inequality: margin = 1e-9·(1 + |t|)
 * keeps a MILP solution inside the strict row for all but ties, and the caller re-checks
 * the solution against the strict rows anyway.
 */
#ifndef SMUG_MILP_H
#define SMUG_MILP_H

#include "smug/problem.h"
#include "smug/strbuf.h"

void smug_milp_write(smug_strbuf *out, const smug_mask_problem *p);

#endif
