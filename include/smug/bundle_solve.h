/* bundle_solve.h — `smug solve`: a bundle's problems through a solver, resumable and
 * shardable (design §7; run/bundle_solve.c).
 *
 * Each problem is solved in a child process of its own (at most `jobs` at a time), which
 * rebuilds the problem from the bundle (bundle.h), runs the strategy (strategy.h), checks
 * the mask by a forward pass and writes results/<id>.<solver>.json atomically. So:
 *  - killing smug at any moment loses only the problems being solved, never a written
 *    result, and never leaves half a file;
 *  - a rerun skips every id with a result; an id whose child failed (smug could not run
 *    the solver, the rows did not match…) has no result and is retried, and its last
 *    failure is kept in results/<id>.<solver>.error until then;
 *  - two runs on one bundle (overlapping shards, a resubmitted Slurm task) never solve an
 *    id twice at the same time: each child holds an flock on results/.<id>.<solver>.lock
 *    while it works (released by the kernel if it dies) and checks for a result after
 *    taking it; it removes the lock file when done, whatever happened (a killed child
 *    leaves it, empty and unlocked: the next run takes it);
 *  - everything in results/ is opened through the folder's descriptor without following
 *    links (fsutil.h): a link planted as a result, lock or temporary file is refused or
 *    replaced, never written through; a result name holding a link is a failure, said.
 * A solver crash, timeout or error is not a failure here: it is a result whose status says
 * so (feasible / timeout, with the note), like smug run reports it.
 */
#ifndef SMUG_BUNDLE_SOLVE_H
#define SMUG_BUNDLE_SOLVE_H
#include "smug/bundle.h"
#include "smug/strategy.h"

/* A solver's name becomes part of result file names: at most this long, and no '.'. */
#define SMUG_BUNDLE_SOLVER_MAX 48

typedef struct smug_bundle_solve_options {
    const smug_solver *solver;
    smug_strategy strategy;
    double timeout; /* per problem */
    int mem_limit_mb;
    int jobs;                     /* parallel child processes, ≥ 1 */
    int shard_index, shard_count; /* this run's slice (count 1: everything) */
} smug_bundle_solve_options;

typedef struct smug_bundle_solve_stats {
    int total;       /* problems in this shard */
    int finished;    /* of those, with a result before this run */
    int done;        /* solved in this run (a result written) */
    int optimal;     /* of done: proved optimal */
    int timeouts;    /* of done: stopped by the time limit */
    int failed;      /* no result (see the .error file) */
    int skipped;     /* another run held the id, or finished it meanwhile */
    int interrupted; /* stopped or never started because smug was interrupted (no result) */
    double started;
} smug_bundle_solve_stats;

/* Called in the parent after each problem (ok: a result was written; message: the failure,
 * or NULL) and once with id NULL before the first, so a caller can draw progress. */
typedef void (*smug_bundle_solve_cb)(const smug_bundle_solve_stats *st, const char *id, int ok,
                                     const char *message, void *user);

/* Solves every problem of the shard that has no result yet. Fails only when nothing can be
 * done (results/ not writable, fork failing); per-problem failures are counted in *st. On
 * an interrupt (interrupt.h) no new problem starts, the running ones stop their solvers and
 * write no result (st->interrupted), and it returns once every worker is gone. */
int smug_bundle_solve(const smug_bundle *b, const smug_net *net, const smug_bundle_solve_options *o,
                      smug_bundle_solve_stats *st, smug_bundle_solve_cb cb, void *user,
                      smug_error *err);

/* BUNDLE/results/<id>.<solver>.json into buf. */
const char *smug_bundle_result_path(const smug_bundle *b, const char *id, const char *solver,
                                    char *buf, size_t n);
#endif
