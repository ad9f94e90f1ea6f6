/* solve_parts.h — the solve of one mask problem, part by part when it splits into
 * independent components (component.h, issue #12 item 3; run/solve_parts.c).
 *
 * At ImageNet size a row touches a few cells, and the cells fall apart into components once
 * the rows that no mask can break are left out (googlenet 224, k 3000, γ 0, window 8: 202
 * components, the largest 255 of 521 cells). One branch and bound over the whole problem
 * multiplies the parts' search trees; part by part they add, and each part's bound is
 * rounded up on its own. Each part is a sub-problem with its own bounds (greedy, LP, the
 * GLPK incumbent) solved by smug_solve, smallest first, all under the one deadline; the
 * mask is the union of the parts' masks (checked exactly against every row of p), the
 * lower bound the sum of theirs, and the proof holds each part's proof (proof.h's parts).
 *
 * The whole-network encoding, --strategy base, LP-format solvers (CBC) and runs without
 * LP probing (skip_probing) go to smug_solve unchanged, as does a problem with one part.
 */
#ifndef SMUG_SOLVE_PARTS_H
#define SMUG_SOLVE_PARTS_H

#include "smug/bounds.h"
#include "smug/error.h"
#include "smug/problem.h"
#include "smug/registry.h"
#include "smug/strategy.h"
#include "smug/strbuf.h"

/* smug_solve's contract (strategy.h), part by part when p splits. *out is the caller's
 * (smug_solve_result_clear). */
int smug_solve_parts(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
                     const smug_solve_options *opts, smug_solve_result *out, smug_error *err);

/* The replay file (replay.h) of pr over p, and one more file per part over its sub-problem,
 * joined with (reset) (smug_replay_join); ends with (exit). Check out->failed. */
void smug_solve_parts_replay(smug_strbuf *out, const smug_mask_problem *p, const smug_proof *pr,
                             const char *source);

#endif
