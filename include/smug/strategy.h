/* strategy.h — minimising the mask with an SMT solver, anytime (design §2, smt/strategy.c).
 *
 * Every strategy starts from the C side's proof state (bounds.h): a verified-by-rows greedy
 * incumbent of size U and a proved lower bound L. It stops as soon as L == U, so a problem
 * the bounds close never reaches a solver.
 *  - optimize:    one solver run with (minimize size) (solvers with the optimize
 *                 capability, z3). Stopped at the deadline, z3 still prints its best model
 *                 and the objective interval: both are used.
 *  - tighten:     decision problems size ≤ U−1 until unsat (every solver).
 *  - bisect:      decision problems at the middle of [L, U−1]; sat lowers U, unsat raises L.
 *  - base:        no minimisation at all: every variable kept (SMUG_base, design §11).
 *  - incremental: tighten's order in one solver process (solvers with the incremental
 *                 capability): the problem is sent once, each query inside (push)…(pop).
 * Below each decision bound the C side probes and branches on the LP first (bounds.h); the
 * solver decides the leaves the LP leaves open, and finds every smaller mask.
 * A solver answer is believed only as printed: "sat" with a model that satisfies every row
 * and the bound; "unsat" printed with no (error …) before it and the process not killed.
 * Anything else (crash, timeout, unknown, garbage, an error) ends the search with the best
 * mask so far and the reason — never as unsat. A solver with `format: lp` (CBC) goes to
 * cbc.h's driver instead, same contract. This module sees only the mask problem:
 * the forward-pass verification of the result is the caller's (verify.h).
 */
#ifndef SMUG_STRATEGY_H
#define SMUG_STRATEGY_H

#include <stdint.h>

#include "smug/bounds.h"
#include "smug/error.h"
#include "smug/problem.h"
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
    int skip_probing;   /* 1: no LP probing before each decision problem, so the solver alone
                           proves every bound (tests and benchmarks use this) */
} smug_solve_options;

typedef struct smug_solve_result {
    smug_solve_status status;
    smug_strategy strategy; /* the one actually used */
    uint8_t *mask;          /* [n] best mask (owned; smug_solve_result_free) */
    int size;
    int lower;                  /* proved lower bound */
    const char *proved_by;      /* "solver", "bounds" or NULL (not proved) */
    const char *incumbent_from; /* "greedy", "solver" or "base" */
    int solver_calls;
    double seconds;
    char note[512]; /* why the search stopped early, if it did: "cvc5 timed out
                       after 10.0 s", "z3 exited with status 1: (error …)" */
} smug_solve_result;

/* Runs the search. Fails only when the solver cannot be run at all (not installed,
 * cannot take this strategy) or smug itself fails; every solver misbehaviour after that is
 * reported in the result. *out is the caller's (smug_solve_result_free). */
int smug_solve(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
               const smug_solve_options *opts, smug_solve_result *out, smug_error *err);

void smug_solve_result_free(smug_solve_result *r);

/* What one solver transcript proves, for smug score reading the raw stdout of a plain
 * solver run on an emitted file (design §7). */
typedef enum {
    SMUG_READ_MASK,    /* a model that satisfies every row and size ≤ bound */
    SMUG_READ_OPTIMUM, /* optimize form, finished: the model is a proved optimum */
    SMUG_READ_UNSAT,   /* decision form: no mask of size ≤ bound (lower = bound + 1) */
    SMUG_READ_NOTHING  /* unknown, no answer, an error, a bad model: note says which */
} smug_read_kind;
typedef struct smug_reading {
    smug_read_kind kind;
    int size;       /* MASK, OPTIMUM: the model's size */
    int lower;      /* proved lower bound from this transcript (0: none) */
    char note[512]; /* NOTHING: why; otherwise empty */
} smug_reading;
/* Reads text (a solver's stdout on a problem of p: decision form asked at `bound`, or the
 * optimize form whose bound assertion is `bound`) with the rules of the search above:
 * a model must name every variable, satisfy every row and the bound; unsat only when
 * printed before any error. out_mask[p->n] receives the model (MASK, OPTIMUM). `who` names
 * the solver or file in notes. */
void smug_solve_read(const smug_mask_problem *p, const char *who, const char *text, size_t len,
                     int bound, int optimize, uint8_t *out_mask, smug_reading *out);

const char *smug_solve_status_name(smug_solve_status s); /* "optimal", "feasible", "timeout" */
const char *smug_strategy_name(smug_strategy s);

#endif
