/* strategy.c — the search for a minimum mask over solver runs (strategy.h, design §2).
 *
 * Each step writes one self-contained SMT-LIB problem (smtlib.h), runs the solver on it as a
 * child process (process.h), reads what it printed (sexpr.h) and decides what that proves.
 * The decision rules are the point of this file: a model counts only if it satisfies every
 * row and the bound; unsat counts only if printed cleanly; everything else stops the search
 * with the best mask so far and says why. The search is anytime: the incumbent is always a
 * valid mask and lower is always proved.
 */
#include "smug/strategy.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/cbc.h"
#include "smug/interrupt.h"
#include "smug/process.h"
#include "smug/sexpr.h"
#include "smug/smtlib.h"

typedef enum { STEP_SAT, STEP_UNSAT, STEP_STOP } step_outcome;

typedef struct search {
    const smug_mask_problem *p;
    const smug_bounds *b;
    const char *name; /* the solver's, for notes */
    const smug_solver *solver;
    const smug_solve_options *opts;
    double deadline;
    smug_solve_result *r;
    uint8_t *candidate; /* [n] model of the last sat answer */
    smug_session *sess; /* incremental: the one solver process, NULL otherwise */
    int n_queries;      /* incremental: queries sent, numbers the echo markers */
    double leaf_limit;  /* > 0: seconds one solver run may take (a branch leaf) */
    int out_of_time;    /* the last run stopped at its time limit (unknown / timeout) */
} search;

const char *smug_solve_status_name(smug_solve_status s)
{
    switch (s) {
    case SMUG_SOLVE_OPTIMAL: return "optimal";
    case SMUG_SOLVE_FEASIBLE: return "feasible";
    case SMUG_SOLVE_TIMEOUT: return "timeout";
    }
    return "?";
}

const char *smug_strategy_name(smug_strategy s)
{
    static const char *names[] = {"auto", "optimize", "tighten", "bisect", "incremental", "base"};
    return s >= 0 && s <= SMUG_STRATEGY_BASE ? names[s] : "?";
}

void smug_solve_result_free(smug_solve_result *r)
{
    free(r->mask);
    r->mask = NULL;
}

/* The problem text: header, body with every proved fact, the cells probing fixed for this
 * bound (NULL: none), then the query. */
static int problem_text(const search *s, int bound, int optimize, const int8_t *fix,
                        smug_strbuf *out, smug_error *err)
{
    const smug_mask_problem *p = s->p;
    const smug_bounds *b = s->b;
    smug_smt_header(out, s->opts->source ? s->opts->source : "smug", "unknown");
    smug_smt_facts facts = {s->r->lower, b->useless, b->dom_from, b->dom_to, b->n_dom};
    smug_smt_body(out, p, &facts);
    if (fix)
        smug_smt_assert_fixed(out, p, fix);
    if (optimize) { /* the incumbent bounds the search: z3's own first models are worse */
        smug_strbuf_addf(out, "(assert (<= size %d.0))\n", bound);
        smug_smt_optimize_query(out, p);
    } else {
        smug_smt_decision_query(out, p, bound, NULL, 0, NULL);
    }
    smug_smt_exit(out);
    return smug_strbuf_check(out, err);
}

/* Runs the solver on text with the time that is left. Fails only if it cannot start. */
static int run_solver(search *s, const smug_strbuf *text, smug_process_result *pr, smug_error *err)
{
    double left = s->deadline - smug_process_now();
    if (s->leaf_limit > 0 && s->leaf_limit < left)
        left = s->leaf_limit;
    char **argv;
    if (smug_solver_argv(s->solver, NULL, left > 0.001 ? left : 0.001, s->opts->mem_limit_mb, 0,
                         &argv, err) < 0)
        return -1;
    smug_process proc = SMUG_PROCESS_INIT;
    proc.argv = (const char *const *)argv;
    proc.stdin_data = text->buf;
    proc.stdin_len = text->len;
    proc.timeout = (left > 0.001 ? left : 0.001) + 1.0; /* its own limit first: it reports */
    proc.stop_signal = s->solver->stop_signal;
    proc.mem_limit_mb = (size_t)s->opts->mem_limit_mb;
    int rc = smug_process_run(&proc, pr, err);
    free(argv);
    s->r->solver_calls++;
    if (rc == 0 && pr->outcome == SMUG_PROC_NOSTART) {
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%s: could not start '%s': %s", s->solver->name,
                       s->solver->executable, strerror(pr->start_errno));
        smug_process_result_free(pr);
    }
    return rc;
}

/* Records why the search stops (fmt has two %s: the solver's name, then detail). */
static step_outcome stop(search *s, const char *fmt, const char *detail)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_addf(&sb, fmt, s->name, detail ? detail : "");
    size_t n = sb.len < sizeof s->r->note - 1 ? sb.len : sizeof s->r->note - 1;
    if (sb.buf)
        memcpy(s->r->note, sb.buf, n);
    s->r->note[n] = '\0';
    smug_strbuf_free(&sb);
    return STEP_STOP;
}

/* The model's mask, if it names every variable, satisfies every row and the bound. */
static step_outcome take_model(search *s, const smug_solver_output *o, int bound)
{
    char name[64];
    for (int i = 0; i < s->p->n; i++) {
        const smug_value *v =
            smug_solver_output_find(o, smug_mask_var_name(s->p, i, name, sizeof name));
        if (!v || !v->is_bool)
            return stop(s, "%s answered sat without a value for %s", name);
        s->candidate[i] = (uint8_t)(v->bool_value != 0);
    }
    if (!smug_mask_problem_satisfied(s->p, s->candidate))
        return stop(s, "%s answered sat with a model that violates a row%s", NULL);
    if (smug_mask_count(s->candidate, s->p->n) > bound)
        return stop(s, "%s answered sat with a model larger than the bound%s", NULL);
    return STEP_SAT;
}

/* Reads one run's result: what it proves, or why it proves nothing. */
static step_outcome judge(search *s, const smug_process_result *pr, int bound,
                          smug_solver_output *o)
{
    char why[SMUG_ERROR_MAX];
    smug_error perr = SMUG_ERROR_INIT;
    if (pr->outcome == SMUG_PROC_SIGNALED)
        return stop(s, "%s crashed: %s", smug_process_describe(pr, why, sizeof why));
    if (smug_sexpr_parse(pr->out.buf ? pr->out.buf : "", pr->out.len, o, &perr) < 0)
        return stop(s, "%s printed output smug cannot read: %s", perr.msg);
    smug_answer a = smug_solver_output_last_answer(o);
    /* an error after an unsat or unknown answer is the trailing get-value's "no model" */
    int trailing = o->error_after >= o->n_answers && (a == SMUG_ANS_UNSAT || a == SMUG_ANS_UNKNOWN);
    if (o->error && !trailing)
        return stop(s, "%s reported an error: %s", o->error);
    s->out_of_time =
        a == SMUG_ANS_UNKNOWN || (pr->outcome == SMUG_PROC_TIMEOUT && a != SMUG_ANS_SAT);
    if (pr->outcome == SMUG_PROC_TIMEOUT && a != SMUG_ANS_SAT)
        return stop(s, "%s was stopped at the deadline%s", NULL);
    if (a == SMUG_ANS_SAT)
        return take_model(s, o, bound);
    if (a == SMUG_ANS_UNSAT)
        return STEP_UNSAT;
    if (a == SMUG_ANS_UNKNOWN)
        return stop(s, "%s answered unknown (its time limit, or incomplete)%s", NULL);
    return stop(s, "%s printed no answer: %s", smug_process_describe(pr, why, sizeof why));
}

static void accept_candidate(search *s)
{
    memcpy(s->r->mask, s->candidate, (size_t)s->p->n);
    s->r->size = smug_mask_count(s->candidate, s->p->n);
    s->r->incumbent_from = "solver";
}

/* One decision problem: is there a mask of size ≤ bound? */
/* One solver run: is there a mask of size ≤ bound with the cells fixed as in fix? */
static int ask_session(search *s, int bound, const int8_t *fix, step_outcome *out, smug_error *err);

static int ask(search *s, int bound, const int8_t *fix, step_outcome *out, smug_error *err)
{
    if (s->sess)
        return ask_session(s, bound, fix, out, err);
    smug_strbuf text = SMUG_STRBUF_INIT;
    smug_process_result pr;
    smug_solver_output o = {0};
    int rc = problem_text(s, bound, 0, fix, &text, err);
    if (rc == 0)
        rc = run_solver(s, &text, &pr, err);
    if (rc == 0) {
        *out = judge(s, &pr, bound, &o);
        smug_process_result_free(&pr);
    }
    smug_solver_output_free(&o);
    smug_strbuf_free(&text);
    return rc;
}

/* Measured on bench/solve.sh (the issue note has the figures): the LP branching alone for
 * half the time left closes every window-2/4 problem of the 240-problem grid within 5 s,
 * where leaf runs of the solvers left 8 % open; a leaf the solver cannot decide in 0.1 s is
 * branched again 6 levels deeper (0.25 s / 4 levels proved less). */
#define SPLIT_DEPTH   6   /* the first split below each bound */
#define LEAF_SECONDS  0.1 /* a leaf the solver cannot decide this fast is split again */
#define RESPLIT_DEPTH 6
#define LP_SHARE      0.5 /* of the time left, for LP-only branching below each bound */

/* Open branch leaves still to decide: fixing vectors of n entries plus one flag byte
 * (1 = the split could not refine it further: decide it with all the time left). */
typedef struct leaf_stack {
    int8_t *v;
    size_t width; /* n + 1 */
    int n, cap;
} leaf_stack;

static int leaf_push(leaf_stack *st, const int8_t *fix, int final, smug_error *err)
{
    if (st->n == st->cap) {
        int cap = st->cap ? 2 * st->cap : 64;
        int8_t *g = realloc(st->v, (size_t)cap * st->width);
        if (!g)
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        st->v = g, st->cap = cap;
    }
    int8_t *slot = st->v + (size_t)st->n++ * st->width;
    memcpy(slot, fix, st->width - 1);
    slot[st->width - 1] = (int8_t) final;
    return 0;
}

/* A leaf the solver ran out of time on: branch below it on the LP and queue the children
 * (none when the LP closes them all). A leaf the split cannot refine is queued as final. */
static int resplit(search *s, int bound, const int8_t *leaf, leaf_stack *st, smug_error *err)
{
    int8_t *kids = NULL;
    int n_kids = 0, n = s->p->n;
    if (smug_bounds_split(s->p, s->b, bound, leaf, RESPLIT_DEPTH, &kids, &n_kids, err) < 0)
        return -1;
    int same = n_kids == 1 && memcmp(kids, leaf, (size_t)n) == 0;
    int rc = 0;
    for (int k = 0; rc == 0 && k < n_kids; k++)
        rc = leaf_push(st, kids + (size_t)k * (size_t)n, same, err);
    free(kids);
    return rc;
}

/* Is there a mask of size ≤ bound? LP probing, then LP-guided branching, depth first: for
 * LP_SHARE of the time left the LP branches alone, then the solver decides each open leaf
 * and a leaf it cannot decide in LEAF_SECONDS is branched again (a small branch and bound
 * with the SMT solver at the leaves). A leaf the LP cannot refine (an integral LP point)
 * always goes to the solver, which finds every model. UNSAT needs every leaf ruled out;
 * *by_bounds says whether the LP alone did it. With skip_probing the solver decides the
 * whole problem itself. */
static int decide(search *s, int bound, step_outcome *out, int *by_bounds, smug_error *err)
{
    int n = s->p->n;
    size_t w = (size_t)(n > 0 ? n : 1);
    int8_t *fix = malloc(w), *leaves = NULL;
    leaf_stack st = {NULL, (size_t)n + 1, 0, 0};
    int n_leaves = 1, solver_unsat = 0;
    int rc = fix ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == 0 && i < n; i++)
        fix[i] = -1;
    int adaptive = !s->opts->skip_probing;
    if (rc == 0 && !s->opts->skip_probing) {
        rc = smug_bounds_probe(s->p, s->b, bound, fix, err);
        if (rc == 0)
            rc = smug_bounds_split(s->p, s->b, bound, fix, SPLIT_DEPTH, &leaves, &n_leaves, err);
        else if (rc == 1)
            n_leaves = 0, rc = 0; /* the LP alone rules out every mask of size ≤ bound */
    }
    for (int l = n_leaves - 1; rc == 0 && l >= 0; l--)
        rc = leaf_push(&st, leaves ? leaves + (size_t)l * w : fix, !adaptive, err);
    *out = STEP_UNSAT;
    /* the LP branches alone first, for a share of the time left: on the dense problems
     * that stay open it closes in about a second what costs the solvers minutes of leaf
     * runs; a leaf the LP cannot refine (final) always goes to the solver */
    double lp_until = smug_process_now() + LP_SHARE * (s->deadline - smug_process_now());
    while (rc == 0 && st.n > 0 && *out == STEP_UNSAT) {
        if (smug_interrupted()) { /* Ctrl-C: end as at the deadline (interrupt.h) */
            *out = STEP_STOP;
            break;
        }
        int8_t *leaf = st.v + (size_t)--st.n * st.width;
        memcpy(fix, leaf, (size_t)n); /* the stack may move when children are pushed */
        if (!leaf[st.width - 1] && smug_process_now() < lp_until) {
            rc = resplit(s, bound, fix, &st, err);
            continue;
        }
        s->leaf_limit = leaf[st.width - 1] ? 0.0 : LEAF_SECONDS;
        rc = ask(s, bound, fix, out, err);
        solver_unsat += rc == 0 && *out == STEP_UNSAT;
        if (rc == 0 && *out == STEP_STOP && s->out_of_time && s->leaf_limit > 0 &&
            smug_process_now() < s->deadline) {
            s->r->note[0] = '\0';
            *out = STEP_UNSAT;
            rc = resplit(s, bound, fix, &st, err);
        }
    }
    s->leaf_limit = 0.0;
    *by_bounds = solver_unsat == 0;
    free(st.v);
    free(fix);
    free(leaves);
    return rc;
}

/* tighten and bisect: decision problems until the bounds meet or a run proves nothing. */
static int search_decisions(search *s, smug_error *err)
{
    smug_solve_result *r = s->r;
    const char *lower_by = "bounds"; /* who proved the current lower bound */
    while (r->lower < r->size) {
        if (smug_process_now() >= s->deadline) {
            snprintf(r->note, sizeof r->note, "time limit reached before the bounds met");
            break;
        }
        int bound =
            r->strategy == SMUG_STRATEGY_BISECT ? (r->lower + r->size - 1) / 2 : r->size - 1;
        step_outcome step = STEP_STOP;
        int by_bounds = 0;
        if (decide(s, bound, &step, &by_bounds, err) < 0)
            return -1;
        if (step == STEP_SAT)
            accept_candidate(s);
        else if (step == STEP_UNSAT)
            r->lower = bound + 1, lower_by = by_bounds ? "bounds" : "solver";
        else
            break;
        if (r->lower >= r->size)
            r->proved_by = lower_by;
    }
    return 0;
}

/* optimize: one run with (minimize size); a stopped z3 still gives its best model and the
 * objective's proved interval. */
static int search_optimize(search *s, smug_error *err)
{
    smug_solve_result *r = s->r;
    smug_strbuf text = SMUG_STRBUF_INIT;
    smug_process_result pr;
    smug_solver_output o = {0};
    int rc = problem_text(s, r->size, 1, NULL, &text, err);
    if (rc == 0)
        rc = run_solver(s, &text, &pr, err);
    if (rc == 0) {
        step_outcome step = judge(s, &pr, r->size, &o);
        int sat_model =
            step == STEP_SAT || (smug_solver_output_last_answer(&o) == SMUG_ANS_UNKNOWN &&
                                 !o.error && take_model(s, &o, r->size) == STEP_SAT);
        if (sat_model && smug_mask_count(s->candidate, s->p->n) < r->size)
            accept_candidate(s);
        if (o.has_objective && isfinite(o.objective_lo) && !o.error) {
            int lo = (int)ceil(o.objective_lo - 1e-9);
            r->lower = lo > r->lower ? lo : r->lower;
        }
        if (step == STEP_SAT && smug_solver_output_last_answer(&o) == SMUG_ANS_SAT)
            r->lower = r->size; /* sat from an optimiser: its model is the optimum */
        if (r->lower >= r->size) {
            r->lower = r->size;
            r->proved_by = "solver";
            r->note[0] = '\0';
        } else if (sat_model && !r->note[0]) {
            snprintf(r->note, sizeof r->note, "%s stopped before proving its best model optimal",
                     s->name);
        }
        smug_process_result_free(&pr);
    }
    smug_solver_output_free(&o);
    smug_strbuf_free(&text);
    return rc;
}

/* ---- incremental: one solver process, the body sent once, a (push)…(pop) per query ---- */

/* One query in the open session; the echo marker tells where its answer ends. A session
 * that dies or misses the deadline stops the search like a failed run would. */
static int ask_session(search *s, int bound, const int8_t *fix, step_outcome *out, smug_error *err)
{
    char marker[32];
    snprintf(marker, sizeof marker, "smug-done-%d", ++s->n_queries);
    smug_strbuf text = SMUG_STRBUF_INIT, answer = SMUG_STRBUF_INIT;
    smug_strbuf_adds(&text, "(push 1)\n");
    if (fix)
        smug_smt_assert_fixed(&text, s->p, fix);
    smug_smt_decision_query(&text, s->p, bound, NULL, 0, NULL);
    smug_strbuf_addf(&text, "(pop 1)\n(echo \"%s\")\n", marker);
    smug_error serr = SMUG_ERROR_INIT;
    int rc = smug_strbuf_check(&text, err);
    int got = rc < 0 ? -1 : smug_session_write(s->sess, text.buf, text.len, &serr);
    if (rc == 0 && got == 0)
        got = smug_session_read_until(s->sess, marker, s->deadline + 1.0, &answer, &serr);
    s->r->solver_calls++;
    if (rc == 0 && got == 1) {
        smug_process_result pr;
        memset(&pr, 0, sizeof pr);
        pr.outcome = SMUG_PROC_EXITED;
        pr.out = answer;
        smug_solver_output o = {0};
        *out = judge(s, &pr, bound, &o);
        smug_solver_output_free(&o);
    } else if (rc == 0) {
        *out = got == 0 ? stop(s, "%s was stopped at the deadline%s", NULL)
                        : stop(s, "%s session ended: %s", serr.msg);
    }
    smug_strbuf_free(&text);
    smug_strbuf_free(&answer);
    return rc;
}

static int search_incremental(search *s, smug_error *err)
{
    smug_strbuf body = SMUG_STRBUF_INIT;
    const smug_bounds *b = s->b;
    smug_smt_header(&body, s->opts->source ? s->opts->source : "smug", "unknown");
    smug_smt_facts facts = {s->r->lower, b->useless, b->dom_from, b->dom_to, b->n_dom};
    smug_smt_body(&body, s->p, &facts);
    double left = s->deadline - smug_process_now();
    char **argv = NULL;
    int rc = smug_strbuf_check(&body, err);
    if (rc == 0)
        rc = smug_solver_argv(s->solver, NULL, left > 0.001 ? left : 0.001, s->opts->mem_limit_mb,
                              1, &argv, err);
    if (rc == 0) {
        smug_process proc = SMUG_PROCESS_INIT;
        proc.argv = (const char *const *)argv;
        proc.mem_limit_mb = (size_t)s->opts->mem_limit_mb;
        rc = smug_session_start(&proc, &s->sess, err); /* fails only if it cannot start */
    }
    smug_error serr = SMUG_ERROR_INIT;
    if (rc == 0 && smug_session_write(s->sess, body.buf, body.len, &serr) < 0)
        stop(s, "%s session ended: %s", serr.msg); /* it died reading the problem */
    else if (rc == 0)
        rc = search_decisions(s, err); /* ask() goes through the session from here */
    smug_session_close(s->sess, NULL);
    s->sess = NULL;
    free(argv);
    smug_strbuf_free(&body);
    return rc;
}

static int pick_strategy(const smug_solver *solver, smug_strategy want, smug_strategy *out,
                         smug_error *err)
{
    smug_strategy st = want == SMUG_STRATEGY_AUTO ? (smug_strategy)solver->default_strategy : want;
    if (st == SMUG_STRATEGY_OPTIMIZE && !solver->optimize)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver %s cannot optimize (see %s): use --strategy tighten or bisect",
                         solver->name, solver->path);
    if (st == SMUG_STRATEGY_INCREMENTAL && !solver->incremental)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver %s has no incremental mode (see %s): use tighten or bisect",
                         solver->name, solver->path);
    *out = st;
    return 0;
}

int smug_solve(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
               const smug_solve_options *opts, smug_solve_result *out, smug_error *err)
{
    if (solver->format == SMUG_SOLVER_LP) /* a MILP back end: its own driver (cbc.h) */
        return smug_cbc_solve(p, b, solver, opts, out, err);
    memset(out, 0, sizeof *out);
    double t0 = smug_process_now();
    search s = {p, b, solver->name, solver, opts, t0 + opts->timeout, out, NULL, NULL, 0, 0.0, 0};
    out->mask = malloc(p->n > 0 ? (size_t)p->n : 1);
    s.candidate = malloc(p->n > 0 ? (size_t)p->n : 1);
    int rc = out->mask && s.candidate ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = pick_strategy(solver, opts->strategy, &out->strategy, err);
    if (rc == 0 && out->strategy == SMUG_STRATEGY_BASE) {
        memset(out->mask, 1, (size_t)p->n); /* every cell some chosen neuron sees */
        out->size = p->n;
        out->lower = b->lower;
        out->incumbent_from = "base";
    } else if (rc == 0) {
        memcpy(out->mask, b->incumbent, (size_t)p->n);
        out->size = b->upper;
        out->lower = b->lower;
        out->incumbent_from = b->incumbent_from ? b->incumbent_from : "greedy";
        if (out->lower >= out->size)
            out->proved_by = "bounds";
        else if (out->strategy == SMUG_STRATEGY_OPTIMIZE)
            rc = search_optimize(&s, err);
        else if (out->strategy == SMUG_STRATEGY_INCREMENTAL)
            rc = search_incremental(&s, err);
        else
            rc = search_decisions(&s, err);
    }
    if (rc == 0 && smug_interrupted() && out->lower < out->size) { /* a timeout, said why */
        s.deadline = smug_process_now();
        snprintf(out->note, sizeof out->note, "smug was interrupted (signal %d)",
                 smug_interrupted());
    }
    out->seconds = smug_process_now() - t0;
    out->status = out->lower >= out->size            ? SMUG_SOLVE_OPTIMAL
                  : smug_process_now() >= s.deadline ? SMUG_SOLVE_TIMEOUT
                                                     : SMUG_SOLVE_FEASIBLE;
    free(s.candidate);
    if (rc < 0)
        smug_solve_result_free(out);
    return rc;
}

void smug_solve_read(const smug_mask_problem *p, const char *who, const char *text, size_t len,
                     int bound, int optimize, uint8_t *out_mask, smug_reading *out)
{
    memset(out, 0, sizeof *out);
    smug_solve_result r;
    memset(&r, 0, sizeof r);
    r.mask = out_mask;
    search s = {p, NULL, who, NULL, NULL, 0.0, &r, out_mask, NULL, 0, 0.0, 0};
    smug_process_result pr;
    memset(&pr, 0, sizeof pr);
    pr.outcome = SMUG_PROC_EXITED;
    pr.out.buf = (char *)text;
    pr.out.len = len;
    smug_solver_output o = {0};
    step_outcome step = judge(&s, &pr, bound, &o);
    smug_answer last = smug_solver_output_last_answer(&o);
    if (optimize && step != STEP_SAT && last == SMUG_ANS_UNKNOWN && !o.error)
        step = take_model(&s, &o, bound); /* z3 stopped: its best model so far */
    if (step == STEP_SAT) {
        out->kind = optimize && last == SMUG_ANS_SAT ? SMUG_READ_OPTIMUM : SMUG_READ_MASK;
        out->size = smug_mask_count(out_mask, p->n);
        out->note[0] = '\0';
    } else if (step == STEP_UNSAT) {
        out->kind = SMUG_READ_UNSAT;
        out->lower = bound + 1;
    } else {
        out->kind = SMUG_READ_NOTHING;
        memcpy(out->note, r.note, sizeof out->note);
    }
    if (optimize && o.has_objective && isfinite(o.objective_lo) && !o.error) {
        int lo = (int)ceil(o.objective_lo - 1e-9);
        out->lower = lo > out->lower ? lo : out->lower;
    }
    if (out->kind == SMUG_READ_OPTIMUM)
        out->lower = out->size;
    smug_solver_output_free(&o);
}
