/* cbc.c — CBC, an LP-format MILP solver, as a back end of the mask search (cbc.h).
 *
 * smt/strategy.c hands every `format: lp` solver here: the problem is written once as an LP
 * file (milp.c), CBC minimises it under the time limit and prints its solution table, and
 * the mask read from that table is checked against the rows before it counts. This file
 * never raises the proved lower bound: CBC's optimality is a floating-point claim (cbc.h
 * says why), so it is reported as a note, not as a proof. It does no branching of its own.
 */
#define _DEFAULT_SOURCE /* mkstemps */
#include "smug/cbc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/branch.h"
#include "smug/interrupt.h"
#include "smug/milp.h"
#include "smug/process.h"

/* CBC's status lines, as it prints them before the solution table; from
 * NO_SOLUTION_FROM on, the table that follows is no solution. */
static const char *const claims[] = {
    "Optimal",        "Stopped on time", "Stopped on iterations", "Stopped on nodes",
    "Stopped on gap", "Infeasible",      "Integer infeasible",    "Unbounded"};
#define NO_SOLUTION_FROM 5

int smug_cbc_read(const char *text, int n, uint8_t *out_mask, char *out_claim, size_t claim_n)
{
    memset(out_mask, 0, (size_t)(n > 0 ? n : 0));
    if (claim_n)
        out_claim[0] = '\0';
    int table = 0, no_solution = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        for (size_t c = 0; c < sizeof claims / sizeof *claims; c++) {
            if (strncmp(line, claims[c], strlen(claims[c])) != 0)
                continue;
            if (claim_n)
                snprintf(out_claim, claim_n, "%s", claims[c]);
            /* after these CBC still prints a table of its last (invalid) point */
            no_solution = c >= NO_SOLUTION_FROM;
            table = 0;
            memset(out_mask, 0, (size_t)(n > 0 ? n : 0));
        }
        int row, var, used = 0;
        double value, cost;
        char buf[160];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf - 1 ? len : sizeof buf - 1), line);
        if (!no_solution &&
            sscanf(buf, " %d x%d %lf %lf %n", &row, &var, &value, &cost, &used) == 4 &&
            buf[used] == '\0' && var >= 0 && var < n) {
            out_mask[var] = value > 0.5;
            table = 1;
        }
        line = end ? end + 1 : NULL;
    }
    return table;
}

/* The LP file in $TMPDIR: a new file (mkstemps: O_EXCL), its name into path. */
static int write_lp(const smug_mask_problem *p, char *path, size_t n, smug_error *err)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, n, "%s/smug-XXXXXX.lp", dir && *dir ? dir : "/tmp");
    int fd = mkstemps(path, 3); /* CBC picks its reader by the .lp extension */
    if (fd < 0)
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    smug_strbuf text = SMUG_STRBUF_INIT;
    smug_milp_write(&text, p);
    int rc = smug_strbuf_check(&text, err);
    for (size_t off = 0; rc == 0 && off < text.len;) {
        ssize_t w = write(fd, text.buf + off, text.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = smug_fail(err, SMUG_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        else
            off += (size_t)w;
    }
    if (close(fd) < 0 && rc == 0)
        rc = smug_fail(err, SMUG_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    smug_strbuf_clear(&text);
    if (rc < 0)
        unlink(path);
    return rc;
}

/* One CBC run on the LP file with the time left; its result into r (caller frees). */
static int run_cbc(const smug_solver *solver, const char *path, const smug_solve_options *opts,
                   smug_process_result *r, smug_error *err)
{
    char **argv = NULL;
    double left = opts->deadline > 0.0 ? opts->deadline - smug_process_now() : opts->timeout;
    left = left > 0.001 ? left : 0.001;
    if (smug_solver_argv(solver, path, left, opts->mem_limit_mb, 0, &argv, err) < 0)
        return -1;
    smug_process proc = SMUG_PROCESS_INIT;
    proc.argv = (const char *const *)argv;
    proc.timeout = left + 1.0; /* its own limit first: it prints its best solution */
    proc.stop_signal = solver->stop_signal;
    proc.mem_limit_mb = (size_t)opts->mem_limit_mb;
    int rc = smug_process_run(&proc, r, err);
    free(argv);
    if (rc == 0 && r->outcome == SMUG_PROC_NOSTART) {
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%s: could not start '%s': %s", solver->name,
                       solver->executable, strerror(r->start_errno));
        smug_process_result_clear(r);
    }
    return rc;
}

/* What the run gives: a smaller mask that satisfies every row, and the note on CBC's claim. */
static void judge(const smug_mask_problem *p, const smug_solver *solver,
                  const smug_process_result *r, uint8_t *cand, smug_solve_result *out)
{
    char claim[32], why[160];
    int table = smug_cbc_read(r->out.buf ? r->out.buf : "", p->n, cand, claim, sizeof claim);
    int size = smug_mask_count(cand, p->n);
    if (table && smug_mask_problem_satisfied(p, cand) && size < out->size) {
        memcpy(out->mask, cand, (size_t)p->n);
        out->size = size;
        out->incumbent_from = "solver";
    }
    if (!table && !claim[0])
        snprintf(out->note, sizeof out->note, "%s printed no solution: %s", solver->name,
                 smug_process_describe(r, why, sizeof why));
    else if (table && !smug_mask_problem_satisfied(p, cand))
        snprintf(out->note, sizeof out->note,
                 "%s's solution violates a row (its tolerances): kept the incumbent", solver->name);
    else if (out->lower < out->size)
        snprintf(out->note, sizeof out->note,
                 "%s says \"%s\" at %d: a floating-point claim, not a proof; proved lower "
                 "bound %d",
                 solver->name, claim[0] ? claim : "no status", size, out->lower);
}

int smug_cbc_solve(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
                   const smug_solve_options *opts, smug_solve_result *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    double t0 = smug_process_now();
    out->strategy = SMUG_STRATEGY_OPTIMIZE;
    out->mask = malloc(p->n > 0 ? (size_t)p->n : 1);
    uint8_t *cand = malloc(p->n > 0 ? (size_t)p->n : 1);
    int rc = out->mask && cand ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0 && opts->strategy != SMUG_STRATEGY_AUTO && opts->strategy != SMUG_STRATEGY_OPTIMIZE)
        rc = smug_fail(err, SMUG_ERR_USAGE,
                       "solver %s reads LP files: its only strategy is optimize (got %s)",
                       solver->name, smug_strategy_name(opts->strategy));
    if (rc == 0) /* the lower bound is the root certificate's, checked again (proof.h) */
        rc = smug_proof_set_facts(&out->proof, p->n, b->useless, b->dom_from, b->dom_to, b->n_dom,
                                  err);
    if (rc == 0)
        rc = smug_branch_root_step(p, b, opts->deadline, &out->proof, &out->lower, err);
    if (rc == 0) {
        memcpy(out->mask, b->incumbent, (size_t)p->n);
        out->size = b->upper;
        out->incumbent_from = b->incumbent_from ? b->incumbent_from : "greedy";
    }
    int stopped = 0;
    if (rc == 0 && out->lower < out->size) {
        char path[4096];
        smug_process_result r;
        rc = write_lp(p, path, sizeof path, err);
        if (rc == 0) {
            rc = run_cbc(solver, path, opts, &r, err);
            unlink(path);
        }
        if (rc == 0) {
            out->solver_calls = 1;
            judge(p, solver, &r, cand, out);
            stopped = r.outcome == SMUG_PROC_TIMEOUT ||
                      (r.out.buf && strstr(r.out.buf, "Stopped on time"));
            smug_process_result_clear(&r);
        }
    }
    if (rc == 0 && out->lower >= out->size) { /* an empty proof: size 0, nothing to refute */
        out->proved_by =
            smug_proof_proved_by(&out->proof, out->proved_by_buf, sizeof out->proved_by_buf);
        if (!out->proved_by)
            out->proved_by = strcpy(out->proved_by_buf, "certificate");
        out->note[0] = '\0';
    }
    if (rc == 0 && smug_interrupted() && out->lower < out->size)
        snprintf(out->note, sizeof out->note, "smug was interrupted (signal %d)",
                 smug_interrupted()),
            stopped = 1;
    out->seconds = smug_process_now() - t0;
    out->status = out->lower >= out->size ? SMUG_SOLVE_OPTIMAL
                  : stopped               ? SMUG_SOLVE_TIMEOUT
                                          : SMUG_SOLVE_FEASIBLE;
    free(cand);
    if (rc < 0)
        smug_solve_result_clear(out);
    return rc;
}
