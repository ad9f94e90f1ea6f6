/* cmd_solve.c — `smug solve`: a bundle's problems through a solver, resumable, in parallel
 * and in shards (bundle_solve.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "smug/bundle_solve.h"
#include "smug/interrupt.h"

typedef struct progress {
    int tty;
    double timeout; /* the limits in force, said in the first line */
    int jobs;
} progress;

static void on_problem(const smug_bundle_solve_stats *st, const char *id, int ok,
                       const char *message, void *user)
{
    const progress *pg = user;
    int todo = st->total - st->finished;
    int handled = st->done + st->failed + st->skipped;
    if (!id) {
        printf("%d problems in this shard, %d already solved, %d to solve (%g s each, %d "
               "job%s)\n",
               st->total, st->finished, todo, pg->timeout, pg->jobs, pg->jobs == 1 ? "" : "s");
        fflush(stdout);
        return;
    }
    if (pg->tty)
        fprintf(stderr, "\r\033[K");
    if (message)
        fprintf(stderr, "%s: not solved: %s\n", id, message);
    (void)ok;
    if (!pg->tty)
        return;
    double spent = smug_now() - st->started;
    double eta = handled > 0 ? spent / handled * (todo - handled) : 0.0;
    fprintf(stderr, "[%d/%d] %d optimal, %d timeouts, %d failed, ETA %.0f s", handled, todo,
            st->optimal, st->timeouts, st->failed, eta);
}

/* --timeout, --strategy, --mem-limit, --jobs through params.def for their range checks.
 * The limits (timeout, mem-limit, jobs) are smug's defaults unless given here: the bundle's
 * manifest never sets them (bundle.h). */
static int solve_params(const cli_args *a, smug_params *p, smug_error *err)
{
    const char *names[] = {"timeout", "strategy", "mem-limit", "jobs", "solver", "confirm"};
    for (int i = 0; i < 6; i++) {
        const char *v = cli_get(a, names[i]);
        char where[32];
        snprintf(where, sizeof where, "--%s", names[i]);
        if (v && smug_params_set(p, names[i], v, where, err) < 0)
            return -1;
    }
    return 0;
}

static int run_solve(const cli_args *a, smug_error *err)
{
    if (a->n_positional != 1)
        return smug_fail(err, SMUG_ERR_USAGE, "solve needs the BUNDLE folder");
    smug_bundle *b = NULL;
    smug_net *net = NULL;
    smug_solvers *reg = NULL;
    smug_bundle_solve_options o = {0};
    o.shard_count = 1;
    int rc = smug_bundle_load(a->positional[0], &b, err);
    if (rc == 0)
        rc = solve_params(a, &b->params, err);
    if (rc == 0 && cli_get(a, "shard"))
        rc = smug_bundle_parse_shard(cli_get(a, "shard"), &o.shard_index, &o.shard_count, err);
    if (rc == 0)
        rc = smug_solvers_load(NULL, &reg, err);
    if (rc == 0)
        rc = smug_pick_solver(reg, b->params.solver, SMUG_PICK_INSTALLED, "solve", &o.solver,
                              err); /* CBC too (cbc.h) */
    if (rc == 0)
        rc = smug_pick_confirm(reg, &b->params, "solve", &o.confirm, err);
    if (rc == 0)
        rc = smug_bundle_net(b, &net, err);
    smug_bundle_solve_stats st;
    progress pg = {isatty(STDERR_FILENO), 0.0, 0};
    if (rc == 0) {
        o.strategy = (smug_strategy)b->params.strategy;
        o.timeout = b->params.timeout;
        o.mem_limit_mb = b->params.mem_limit;
        o.jobs = b->params.jobs;
        pg.timeout = o.timeout, pg.jobs = o.jobs;
        rc = smug_bundle_solve(b, net, &o, &st, on_problem, &pg, err);
    }
    if (pg.tty && rc == 0)
        fprintf(stderr, "\r\033[K");
    if (rc == 0)
        printf("solved %d (%d optimal, %d timeouts), %d failed, %d skipped (held by another "
               "run); results in %s/results\n",
               st.done, st.optimal, st.timeouts, st.failed, st.skipped, b->dir);
    if (rc == 0 && smug_interrupted())
        rc = smug_fail(err, SMUG_ERR_SOLVER,
                       "interrupted (signal %d): %d problem(s) left unsolved, no solver left "
                       "running; a rerun solves them",
                       smug_interrupted(), st.interrupted);
    if (rc == 0 && st.failed)
        rc = smug_fail(err, SMUG_ERR_SOLVER,
                       "%d problem(s) not solved (the reasons are in results/*.error); a rerun "
                       "retries them",
                       st.failed);
    smug_net_free(net);
    smug_solvers_free(reg);
    smug_bundle_free(b);
    return rc;
}

const cli_command cli_cmd_solve = {
    .name = "solve",
    .summary = "solve a bundle's problems (resumable, parallel, shardable)",
    .usage = "BUNDLE [--solver NAME] [--jobs N] [--shard I/N] [--timeout S] [--strategy S]\n"
             "       [--confirm NAME]",
    .description =
        "Solves every problem of BUNDLE (from smug emit) that has no result for this solver\n"
        "yet, with the bundle's own method parameters unless overridden here (limits -\n"
        "timeout, memory, jobs - come only from here, never from the bundle), writing\n"
        "BUNDLE/results/<id>.<solver>.json atomically, with the proof of its lower bound\n"
        "(also as results/<id>.<solver>.proof.smt2 for z3 or cvc5 --incremental to replay).\n"
        "A rerun skips finished problems;\n"
        "killing it loses only the problems in progress. --shard I/N takes problems I, I+N,\n"
        "I+2N, … of the manifest (0 <= I < N), so N runs together cover the bundle exactly\n"
        "once: e.g. a Slurm array with --shard $SLURM_ARRAY_TASK_ID/N (see smug emit\n"
        "--slurm). Progress goes to stderr on a terminal.",
    .opts = {{"solver", "NAME", 0, "a solver from solvers/*.yaml (default: the bundle's)"},
             {"jobs", "N", 0, "problems solved in parallel (default 1)"},
             {"shard", "I/N", 0, "solve only shard I of N (0-based)"},
             {"timeout", "S", 0, "seconds per problem (default 60)"},
             {"strategy", "S", 0, "auto, optimize, tighten, bisect or base"},
             {"mem-limit", "MB", 0, "memory limit of a solver process in MiB"},
             {"confirm", "NAME", 0,
              "a second solver that re-decides every leaf the first one proved unsat"},
             {0}},
    .takes_params = 0,
    .max_positional = 1,
    .run = run_solve,
};
