/* strategy.h — minimising the mask with an SMT solver, anytime (design §2, smt/strategy.c).
 *
 * Every strategy starts from the C side's proof state (bounds.h): a greedy incumbent of
 * size U that satisfies every row exactly and a certified lower bound L. It stops as soon
 * as L == U, so a problem the bounds close never reaches a solver.
 *  - optimize:    one solver run with (minimize size) (solvers with the optimize
 *                 capability, z3). Stopped at the deadline, z3 still prints its best model
 *                 and the objective interval: both are used (the interval as z3's word).
 *  - tighten:     decision problems size ≤ U−1 until unsat (every solver).
 *  - bisect:      decision problems at the middle of [L, U−1]; sat lowers U, unsat raises L.
 *  - base:        no minimisation at all: every variable kept (SMUG_base, design §11).
 *  - incremental: tighten's order in one solver process (solvers with the incremental
 *                 capability): the problem is sent once, each leaf inside (push)…(pop).
 * Each decision problem is a branch and bound in mask/ (branch.h): LP leaves closed by
 * exact certificates, the rest decided by the solver through the "decide this leaf"
 * callback of this module, which sees the problem and the leaf's fixings only.
 * A solver answer is judged by judge.h: unsat only as the single clean answer (exit status
 * 0; for a session, the session's own exit status 0 at its end, or none of its unsat
 * answers count); sat only with a model that satisfies every row exactly. With a confirming
 * solver, every leaf the first one closed is re-decided by the second; a leaf the second
 * finds a mask in is a disagreement and an error naming both. Anything else (crash,
 * timeout, unknown, garbage, an error) ends the search with the best mask so far and the
 * reason — never as unsat. The proof of the final lower bound is in the result (proof.h).
 * A solver with `format: lp` (CBC) goes to cbc.h's driver instead, same contract.
 * This module sees only the mask problem: the forward-pass verification of the result is
 * the caller's (verify.h).
 */
#ifndef SMUG_STRATEGY_H
#define SMUG_STRATEGY_H

#include <stdint.h>

#include "smug/bounds.h"
#include "smug/branch.h"
#include "smug/error.h"
#include "smug/judge.h"
#include "smug/problem.h"
#include "smug/proof.h"
#include "smug/registry.h"

/* Same numbering as params.def's strategy enum. */
typedef enum {
    SMUG_STRATEGY_AUTO = 0,
    SMUG_STRATEGY_OPTIMIZE,
    SMUG_STRATEGY_TIGHTEN,
    SMUG_STRATEGY_BISECT,
    SMUG_STRATEGY_INCREMENTAL,
    SMUG_STRATEGY_BASE
} smug_strategy;

typedef enum {
    SMUG_SOLVE_OPTIMAL,  /* size == lower: proved (see proved_by) */
    SMUG_SOLVE_FEASIBLE, /* a valid mask, gap lower < size (stopped early, or base) */
    SMUG_SOLVE_TIMEOUT   /* the deadline ended the search: best mask so far, with the gap */
} smug_solve_status;

typedef struct smug_solve_options {
    smug_strategy strategy; /* AUTO: the solver's default_strategy */
    double timeout;         /* seconds for the whole search */
    int mem_limit_mb;
    const char *source; /* :source text for emitted problems */
    int skip_probing;   /* 1: no LP below each bound and no cover step at the root: the solver
                           decides each decision problem whole, so it alone proves every
                           bound (tests and benchmarks) */
    const smug_solver *confirm; /* NULL, or a second solver that re-decides every leaf the
                                   first one closed (--confirm) */
    int trust_lp;               /* benchmarks only: LP values close nodes without certificates */
    double lp_share;            /* of the time left at each bound, LP branching alone (branch.h) */
    double deadline; /* absolute (smug_process_now clock): the input's deadline, which the
                        stages before the solve already used up part of; 0: now + timeout */
} smug_solve_options;

typedef struct smug_solve_result {
    smug_solve_status status;
    smug_strategy strategy; /* the one actually used */
    uint8_t *mask;          /* [n] best mask (owned; smug_solve_result_clear) */
    int size;
    int lower;                  /* proved lower bound: proof's */
    const char *proved_by;      /* when optimal: "certificate", "solver:NAME",
                                   "solvers:A+B" (proof.h); NULL otherwise */
    const char *incumbent_from; /* "greedy", "solver" or "base" */
    int solver_calls;
    double seconds;
    char note[512];          /* why the search stopped early, if it did: "cvc5 timed out
                                after 10.0 s", "z3 exited with status 1: (error …)" */
    smug_proof proof;        /* proves `lower` (owned) */
    smug_branch_stats stats; /* of the branch and bound */
    char proved_by_buf[160];
} smug_solve_result;

/* Runs the search. Fails only when the solver cannot be run at all (not installed,
 * cannot take this strategy) or smug itself fails; every solver misbehaviour after that is
 * reported in the result. *out is the caller's (smug_solve_result_clear). */
int smug_solve(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
               const smug_solve_options *opts, smug_solve_result *out, smug_error *err);

/* Frees the mask and the proof (not *r, which is the caller's); the numbers stay. */
void smug_solve_result_clear(smug_solve_result *r);

/* One leaf decided by solver outside a search (smug score --confirm): is there a mask of
 * size ≤ bound with the cells fixed as in fix[n], the facts of `facts` (its zero cells and
 * dominance pairs, proof.h) and size ≥ lemma? The answer is judged by judge.h into *out;
 * out_mask[n] receives a SAT model. Fails only when the solver cannot be run. */
int smug_solve_leaf(const smug_mask_problem *p, const smug_proof *facts, const smug_solver *solver,
                    const int8_t *fix, int bound, int lemma, double timeout, int mem_limit_mb,
                    smug_judged *out, uint8_t *out_mask, smug_error *err);

/* One bound decided by the branch and bound (branch.h) with solver at its leaves, within
 * timeout seconds: smug score --confirm re-derives a claim this way rather than asking for
 * the whole problem at once. proof must hold b's facts; UNSAT appends the step (bound,
 * lemma); SAT fills out_mask[n]; STOP says why in note. */
int smug_solve_bound(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
                     double timeout, int mem_limit_mb, int bound, int lemma, smug_proof *proof,
                     smug_branch_outcome *out, uint8_t *out_mask, char *note, size_t n_note,
                     smug_error *err);

const char *smug_solve_status_name(smug_solve_status s); /* "optimal", "feasible", "timeout" */
const char *smug_strategy_name(smug_strategy s);

#endif
