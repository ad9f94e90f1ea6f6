/* solve_parts.c — one mask problem solved component by component (solve_parts.h).
 *
 * It sits between the pipeline and smt/strategy.c: it splits the problem (component.h),
 * gives each part its own bounds and smug_solve run, and puts the parts' masks, bounds and
 * proofs together. It lives in run/ because it uses both mask/ (components, bounds) and smt/
 * (the search); neither of those knows about parts. It proves nothing itself: the union
 * mask is checked exactly, and the proof's parts are checked by smug_proof_check.
 */
#include "smug/solve_parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/branch.h"
#include "smug/component.h"
#include "smug/interrupt.h"
#include "smug/process.h"
#include "smug/replay.h"

/* The parts worth solving: components with at least one row (a part no row needs has
 * minimum 0), as start/cells lists over p's variables, and their sub-problems. */
typedef struct parts {
    int n;
    int *start, *cells;
    smug_mask_problem **q;
} parts;

static void parts_clear(parts *ps)
{
    for (int c = 0; ps->q && c < ps->n; c++)
        smug_mask_problem_free(ps->q[c]);
    free(ps->start), free(ps->cells), free(ps->q);
    memset(ps, 0, sizeof *ps);
}

static int parts_build(const smug_mask_problem *p, const uint8_t *zero, parts *ps, smug_error *err)
{
    memset(ps, 0, sizeof *ps);
    smug_components c;
    if (smug_components_find(p, zero, &c, err) < 0)
        return -1;
    smug_mask_problem **all = calloc((size_t)c.n + 1, sizeof *all);
    ps->start = malloc(((size_t)c.n + 1) * sizeof *ps->start);
    ps->cells = malloc(((size_t)c.start[c.n] + 1) * sizeof *ps->cells);
    ps->q = calloc((size_t)c.n + 1, sizeof *ps->q);
    int rc = all && ps->start && ps->cells && ps->q
                 ? smug_component_problems(p, zero, c.n, c.start, c.cells, all, err)
                 : smug_fail(err, SMUG_ERR_NOMEM, "parts: out of memory");
    if (rc == 0) {
        ps->start[0] = 0;
        for (int i = 0; i < c.n; i++) {
            if (all[i]->k == 0) {
                smug_mask_problem_free(all[i]);
                continue;
            }
            int len = c.start[i + 1] - c.start[i];
            memcpy(ps->cells + ps->start[ps->n], c.cells + c.start[i], (size_t)len * sizeof(int));
            ps->q[ps->n] = all[i];
            ps->start[ps->n + 1] = ps->start[ps->n] + len;
            ps->n++;
        }
    }
    free(all);
    smug_components_clear(&c);
    if (rc < 0)
        parts_clear(ps);
    return rc;
}

/* {size, index} pairs, smallest part first: a deadline then cuts the big one only. */
static int by_size(const void *x, const void *y)
{
    const int *a = x, *b = y;
    return a[0] != b[0] ? (a[0] > b[0]) - (a[0] < b[0]) : (a[1] > b[1]) - (a[1] < b[1]);
}

static void add_stats(smug_branch_stats *to, const smug_branch_stats *s)
{
    to->nodes += s->nodes, to->certified += s->certified, to->covered += s->covered;
    to->cert_failures += s->cert_failures, to->solver_leaves += s->solver_leaves;
    to->certify_seconds += s->certify_seconds, to->lp_failures += s->lp_failures;
    to->probed += s->probed, to->lp_seconds += s->lp_seconds;
    to->cover_seconds += s->cover_seconds, to->probe_seconds += s->probe_seconds;
}

/* After a search that stopped with a gap: raise the part's lower bound one at a time from
 * below (is there a mask of size ≤ lower?) until the deadline. Tighten works down from the
 * incumbent, and where the gap is wide (googlenet window 4: 223 against 334 on a part of
 * 909 cells) its trees at the incumbent's end never close, while the ones just above the
 * proved bound are what the cover LP nearly closes already. */
static int raise_lower(const smug_mask_problem *q, const smug_bounds *bq, const smug_solver *solver,
                       const smug_solve_options *opts, double deadline, smug_solve_result *r,
                       smug_error *err)
{
    uint8_t *m = malloc((size_t)(q->n > 0 ? q->n : 1));
    if (!m)
        return smug_fail(err, SMUG_ERR_NOMEM, "parts: out of memory");
    int rc = 0;
    while (rc == 0 && r->lower < r->size && smug_process_now() < deadline) {
        smug_branch_outcome out;
        char note[512];
        rc = smug_solve_bound(q, bq, solver, deadline - smug_process_now(), opts->mem_limit_mb,
                              r->lower, r->lower, &r->proof, &out, m, note, sizeof note, err);
        if (rc < 0 || out == SMUG_BRANCH_STOP)
            break;
        if (out == SMUG_BRANCH_SAT) { /* a mask of the proved bound's size: the optimum */
            memcpy(r->mask, m, (size_t)q->n);
            r->size = smug_mask_count(m, q->n);
            r->incumbent_from = "solver";
        }
        r->lower = smug_proof_lower(&r->proof);
    }
    free(m);
    return rc;
}

/* A part the deadline (or Ctrl-C) left no time for: its incumbent and the root LP's certified bound
 * only (smug_solve's cover step and search would each run past the deadline). */
static int past_deadline(const smug_mask_problem *q, const smug_bounds *bq,
                         const smug_solver *solver, const smug_solve_options *opts,
                         smug_solve_result *r, smug_error *err)
{
    r->mask = malloc((size_t)(q->n > 0 ? q->n : 1));
    if (!r->mask)
        return smug_fail(err, SMUG_ERR_NOMEM, "parts: out of memory");
    memcpy(r->mask, bq->incumbent, (size_t)q->n);
    r->size = bq->upper;
    r->incumbent_from = bq->incumbent_from;
    r->strategy = opts->strategy != SMUG_STRATEGY_AUTO ? opts->strategy
                                                       : (smug_strategy)solver->default_strategy;
    if (smug_interrupted())
        snprintf(r->note, sizeof r->note, "smug was interrupted (signal %d)", smug_interrupted());
    else
        snprintf(r->note, sizeof r->note, "time limit reached before this part was searched");
    if (smug_proof_set_facts(&r->proof, q->n, bq->useless, bq->dom_from, bq->dom_to, bq->n_dom,
                             err) < 0 ||
        smug_branch_root_step_lp(q, bq, &r->proof, &r->lower, err) < 0)
        return -1;
    return 0;
}

/* Part c: its bounds and smug_solve, its mask into out->mask, its proof into the parts. The
 * last (largest) part searches down from its incumbent for half of the time left, then up
 * from its lower bound (raise_lower). */
static int solve_part(const parts *ps, int c, int last, const smug_solver *solver,
                      const smug_solve_options *opts, double deadline, double reserve,
                      smug_solve_result *out, smug_solve_result *from, smug_error *err)
{
    const smug_mask_problem *q = ps->q[c];
    smug_bounds bq;
    memset(&bq, 0, sizeof bq);
    double left = deadline - smug_process_now();
    int rc = smug_bounds_compute_until(q, deadline, &bq, err);
    /* GLPK's incumbent on a part big enough to need it (the search settles small ones) */
    if (rc == 0 && left > 0.0 && q->n >= 16)
        rc = smug_bounds_mip(q, &bq, left / 8 < 1.0 ? left / 8 : 1.0, err);
    smug_solve_options o = *opts;
    left = deadline - smug_process_now();
    o.deadline = last && left > 0.0 ? deadline - left / 2 : deadline;
    smug_solve_result r;
    memset(&r, 0, sizeof r);
    if (rc == 0 && left > 0.0 && !smug_interrupted())
        rc = smug_solve(q, &bq, solver, &o, &r, err);
    else if (rc == 0)
        rc = past_deadline(q, &bq, solver, opts, &r, err);
    /* the steps raise_lower adds are checked and written out after the deadline's solve (a
     * few thousand leaves take seconds): it stops a tenth of the solve's time early */
    if (rc == 0 && last && r.lower < r.size && r.strategy != SMUG_STRATEGY_OPTIMIZE &&
        r.strategy != SMUG_STRATEGY_INCREMENTAL)
        rc = raise_lower(q, &bq, solver, opts, deadline - reserve, &r, err);
    smug_bounds_clear(&bq);
    if (rc < 0) {
        smug_solve_result_clear(&r);
        return -1;
    }
    for (int v = 0; v < q->n; v++)
        out->mask[ps->cells[ps->start[c] + v]] = r.mask[v];
    out->proof.part[c] = r.proof; /* moved */
    memset(&r.proof, 0, sizeof r.proof);
    out->solver_calls += r.solver_calls;
    out->strategy = r.strategy;
    add_stats(&out->stats, &r.stats);
    /* the incumbent's origin: a solver's mask over GLPK's over the greedy one */
    if (r.incumbent_from &&
        (!from->incumbent_from || !strcmp(r.incumbent_from, "solver") ||
         (!strcmp(r.incumbent_from, "glpk") && strcmp(from->incumbent_from, "solver"))))
        from->incumbent_from = r.incumbent_from;
    if (r.lower < r.size && r.note[0] && !out->note[0])
        snprintf(out->note, sizeof out->note, "%.400s (in a part of %d cells)", r.note, q->n);
    smug_solve_result_clear(&r);
    return 0;
}

/* The union of the parts' masks, or b's incumbent when that is smaller or the union breaks
 * a row of p (a split that the floating-point test of binding rows got wrong). */
static void settle_mask(const smug_mask_problem *p, const smug_bounds *b, const char *from,
                        smug_solve_result *out)
{
    int size = smug_mask_count(out->mask, p->n);
    if (size < b->upper && smug_mask_problem_satisfied(p, out->mask)) {
        out->size = size;
        out->incumbent_from = from ? from : "greedy";
    } else {
        memcpy(out->mask, b->incumbent, (size_t)p->n);
        out->size = b->upper;
        out->incumbent_from = b->incumbent_from ? b->incumbent_from : "greedy";
    }
}

static int solve_all(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
                     const smug_solve_options *opts, const parts *ps, smug_solve_result *out,
                     smug_error *err)
{
    double t0 = smug_process_now();
    double deadline = opts->deadline > 0.0 ? opts->deadline : t0 + opts->timeout;
    out->mask = calloc((size_t)(p->n > 0 ? p->n : 1), 1);
    int *order = malloc(2 * (size_t)ps->n * sizeof *order);
    int rc = out->mask && order ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "parts: out of memory");
    if (rc == 0)
        rc = smug_proof_set_facts(&out->proof, p->n, b->useless, b->dom_from, b->dom_to, b->n_dom,
                                  err);
    if (rc == 0)
        rc = smug_proof_set_parts(&out->proof, ps->n, ps->start, ps->cells, err);
    for (int c = 0; rc == 0 && c < ps->n; c++)
        order[2 * c] = ps->q[c]->n, order[2 * c + 1] = c;
    if (rc == 0)
        qsort(order, (size_t)ps->n, 2 * sizeof *order, by_size);
    smug_solve_result from; /* only its incumbent_from */
    memset(&from, 0, sizeof from);
    long cells_left = 0;
    for (int c = 0; rc == 0 && c < ps->n; c++)
        cells_left += ps->q[c]->n;
    for (int i = 0; rc == 0 && i < ps->n; i++) {
        /* a part before the last gets the time left in proportion to its cells, so one hard
         * part cannot starve the parts after it down to their (weak, at gamma 0) root LP
         * bounds; what a part leaves unused goes on to the next */
        int c = order[2 * i + 1], last = i == ps->n - 1;
        double reserve = (deadline - t0) / 10, now = smug_process_now();
        double share = deadline - reserve - now;
        double until = last || share <= 0.0 || cells_left <= 0
                           ? deadline
                           : now + share * (double)ps->q[c]->n / (double)cells_left;
        rc = solve_part(ps, c, last, solver, opts, until, reserve, out, &from, err);
        cells_left -= ps->q[c]->n;
    }
    free(order);
    if (rc < 0)
        return -1;
    settle_mask(p, b, from.incumbent_from, out);
    out->lower = smug_proof_lower(&out->proof);
    if (out->lower > out->size)
        out->lower = out->size; /* cannot happen with sound proofs; never claim past a mask */
    out->seconds = smug_process_now() - t0;
    out->proof.seconds = out->seconds;
    /* raise_lower stops a tenth early (solve_part): that is the deadline too */
    out->status = out->lower >= out->size                                 ? SMUG_SOLVE_OPTIMAL
                  : smug_process_now() >= deadline - (deadline - t0) / 10 ? SMUG_SOLVE_TIMEOUT
                                                                          : SMUG_SOLVE_FEASIBLE;
    if (out->status == SMUG_SOLVE_OPTIMAL) {
        out->proved_by =
            smug_proof_proved_by(&out->proof, out->proved_by_buf, sizeof out->proved_by_buf);
        if (!out->proved_by)
            out->proved_by = strcpy(out->proved_by_buf, "certificate");
        out->note[0] = '\0';
    }
    return 0;
}

int smug_solve_parts(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
                     const smug_solve_options *opts, smug_solve_result *out, smug_error *err)
{
    if (p->pl || opts->skip_probing || solver->format == SMUG_SOLVER_LP ||
        opts->strategy == SMUG_STRATEGY_BASE || p->n == 0)
        return smug_solve(p, b, solver, opts, out, err);
    parts ps;
    if (parts_build(p, b->useless, &ps, err) < 0)
        return -1;
    if (ps.n < 2) {
        parts_clear(&ps);
        return smug_solve(p, b, solver, opts, out, err);
    }
    memset(out, 0, sizeof *out);
    int rc = solve_all(p, b, solver, opts, &ps, out, err);
    parts_clear(&ps);
    if (rc < 0)
        smug_solve_result_clear(out);
    return rc;
}

void smug_solve_parts_replay(smug_strbuf *out, const smug_mask_problem *p, const smug_proof *pr,
                             const char *source)
{
    smug_strbuf one = SMUG_STRBUF_INIT;
    one.limit = out->limit; /* a part alone may be over it: stop building there */
    smug_replay_write(&one, p, pr, source);
    if (one.failed)
        out->failed = one.failed;
    smug_replay_join(out, one.buf ? one.buf : "", one.len);
    smug_strbuf_clear(&one);
    smug_mask_problem **q = calloc((size_t)pr->n_parts + 1, sizeof *q);
    smug_error err = SMUG_ERROR_INIT;
    if (!q || smug_component_problems(p, pr->zero, pr->n_parts, pr->part_start, pr->part_cells, q,
                                      &err) < 0) {
        smug_strbuf_adds(out, "; the proof's parts could not be rebuilt\n");
        pr = NULL;
    }
    for (int c = 0; pr && c < pr->n_parts && !out->failed; c++) {
        smug_strbuf_addf(&one, "; part %d of %d: %d cells, its own sub-problem (proof.h)\n", c + 1,
                         pr->n_parts, q[c]->n);
        smug_replay_write(&one, q[c], &pr->part[c], source);
        if (one.failed)
            out->failed = one.failed;
        smug_replay_join(out, one.buf ? one.buf : "", one.len);
        smug_strbuf_clear(&one);
    }
    for (int c = 0; q && pr && c < pr->n_parts; c++)
        smug_mask_problem_free(q[c]);
    free(q);
    smug_strbuf_adds(out, "(exit)\n");
}
