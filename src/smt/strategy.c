/* strategy.c — the search for a minimum mask over solver runs (strategy.h, design §2).
 *
 * It chooses the bounds to ask (tighten, bisect, incremental) or runs one optimisation
 * (optimize); the branch and bound below each bound is mask/branch.c's, and this file is
 * the "decide this leaf" callback it calls: write the leaf as one self-contained SMT-LIB
 * problem (smtlib.h), run the solver (process.h), judge what it printed (judge.h), and with
 * --confirm have the second solver re-decide every leaf the first one closed. The search is
 * anytime: the incumbent always satisfies every row exactly, and `lower` always has the
 * proof that sits in the result.
 */
#include "smug/strategy.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/cbc.h"
#include "smug/interrupt.h"
#include "smug/process.h"
#include "smug/sexpr.h"
#include "smug/smtlib.h"

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
    smug_brancher *br;
    const smug_proof *facts;         /* smug_solve_leaf: the facts to assert instead of b's */
    const smug_solver *leaf_solver;  /* decides the branch and bound's leaves */
    const smug_solver *leaf_confirm; /* re-decides what leaf_solver closed, or NULL */
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

void smug_solve_result_clear(smug_solve_result *r)
{
    free(r->mask);
    r->mask = NULL;
    smug_proof_clear(&r->proof);
}

/* Records why the search stops (cut to fit: notes are one line of a report). */
static void set_note(search *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_note(search *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->r->note, sizeof s->r->note, fmt, ap);
    va_end(ap);
}

/* The problem text: header, body with every proved fact (size ≥ the proved lower bound
 * among them), the leaf's fixings (NULL: none), then the query. The facts are the search's
 * (bounds.h), or s->facts when set (smug_solve_leaf). */
static int problem_text(const search *s, int bound, int optimize, const int8_t *fix,
                        int with_values, smug_strbuf *out, smug_error *err)
{
    const smug_mask_problem *p = s->p;
    smug_smt_header(out, s->opts->source ? s->opts->source : "smug", "unknown");
    smug_smt_facts facts = {s->r->lower, NULL, NULL, NULL, 0};
    if (s->facts) {
        facts.zero = s->facts->zero, facts.dom_from = s->facts->dom_from;
        facts.dom_to = s->facts->dom_to, facts.n_dom = s->facts->n_dom;
    } else {
        facts.zero = s->b->useless, facts.dom_from = s->b->dom_from;
        facts.dom_to = s->b->dom_to, facts.n_dom = s->b->n_dom;
    }
    smug_smt_body(out, p, &facts);
    if (fix)
        smug_smt_assert_fixed(out, p, fix);
    if (optimize) { /* the incumbent bounds the search: z3's own first models are worse */
        smug_strbuf_addf(out, "(assert (<= size %d.0))\n", bound);
        smug_smt_optimize_query(out, p);
    } else {
        smug_smt_leaf_query(out, p, bound, with_values);
    }
    smug_smt_exit(out);
    return smug_strbuf_check(out, err);
}

/* Runs solver on text with the time that is left. Fails only if it cannot start. */
static int run_solver(search *s, const smug_solver *solver, const smug_strbuf *text,
                      smug_process_result *pr, smug_error *err)
{
    double left = s->deadline - smug_process_now();
    if (s->leaf_limit > 0 && s->leaf_limit < left)
        left = s->leaf_limit;
    char **argv;
    if (smug_solver_argv(solver, NULL, left > 0.001 ? left : 0.001, s->opts->mem_limit_mb, 0, &argv,
                         err) < 0)
        return -1;
    smug_process proc = SMUG_PROCESS_INIT;
    proc.argv = (const char *const *)argv;
    proc.stdin_data = text->buf;
    proc.stdin_len = text->len;
    proc.timeout = (left > 0.001 ? left : 0.001) + 1.0; /* its own limit first: it reports */
    proc.stop_signal = solver->stop_signal;
    proc.mem_limit_mb = (size_t)s->opts->mem_limit_mb;
    int rc = smug_process_run(&proc, pr, err);
    free(argv);
    s->r->solver_calls++;
    if (rc == 0 && pr->outcome == SMUG_PROC_NOSTART) {
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%s: could not start '%s': %s", solver->name,
                       solver->executable, strerror(pr->start_errno));
        smug_process_result_clear(pr);
    }
    return rc;
}

/* One run of solver on a leaf: is there a mask of size ≤ bound with the cells fixed as in
 * fix? A solver without model_args that answers sat is asked again with (get-value …). */
static int ask_run(search *s, const smug_solver *solver, int bound, const int8_t *fix,
                   smug_judged *out, smug_error *err)
{
    smug_judge_rules rules = {s->p, solver->name, bound, 0, 0};
    for (int with_values = 0; with_values <= 1; with_values++) {
        smug_strbuf text = SMUG_STRBUF_INIT;
        smug_process_result pr;
        smug_solver_output o;
        int rc = problem_text(s, bound, 0, fix, with_values, &text, err);
        if (rc == 0)
            rc = run_solver(s, solver, &text, &pr, err);
        smug_strbuf_clear(&text);
        if (rc < 0)
            return -1;
        smug_judge(&pr, &rules, &o, s->candidate, out);
        int again = out->verdict == SMUG_JUDGE_NOTHING && !solver->model_args && o.n_values == 0 &&
                    smug_solver_output_last_answer(&o) == SMUG_ANS_SAT &&
                    smug_process_now() < s->deadline; /* no second run after the deadline */
        smug_process_result_clear(&pr);
        smug_solver_output_clear(&o);
        if (!again)
            break;
    }
    return 0;
}

/* One leaf in the open session; the echo marker tells where its answer ends. A session
 * that dies or misses the deadline stops the search like a failed run would. */
static int ask_session(search *s, int bound, const int8_t *fix, smug_judged *out, smug_error *err)
{
    char marker[32];
    snprintf(marker, sizeof marker, "smug-done-%d", ++s->n_queries);
    smug_strbuf text = SMUG_STRBUF_INIT, answer = SMUG_STRBUF_INIT;
    smug_strbuf_adds(&text, "(push 1)\n");
    if (fix)
        smug_smt_assert_fixed(&text, s->p, fix);
    smug_smt_leaf_query(&text, s->p, bound, 0);
    if (!s->solver->model_args) /* in a dialogue, get-value could wait for sat; kept simple */
        smug_smt_get_values(&text, s->p);
    smug_strbuf_addf(&text, "(pop 1)\n(echo \"%s\")\n", marker);
    smug_error serr = SMUG_ERROR_INIT;
    int rc = smug_strbuf_check(&text, err);
    double until = s->deadline;
    if (s->leaf_limit > 0 && smug_process_now() + s->leaf_limit < until)
        until = smug_process_now() + s->leaf_limit;
    int got = rc < 0 ? -1 : smug_session_write(s->sess, text.buf, text.len, &serr);
    if (rc == 0 && got == 0)
        got = smug_session_read_until(s->sess, marker, until + 1.0, &answer, &serr);
    s->r->solver_calls++;
    memset(out, 0, sizeof *out);
    out->verdict = SMUG_JUDGE_NOTHING;
    if (rc == 0 && got == 1) {
        smug_process_result pr;
        memset(&pr, 0, sizeof pr);
        pr.outcome = SMUG_PROC_EXITED;
        pr.out = answer;
        smug_judge_rules rules = {s->p, s->name, bound, 0, 1};
        smug_solver_output o;
        smug_judge(&pr, &rules, &o, s->candidate, out);
        smug_solver_output_clear(&o);
    } else if (rc == 0) {
        smug_strbuf t = SMUG_STRBUF_INIT;
        if (got == 0)
            smug_strbuf_addf(&t, "%s was stopped at the deadline", s->name);
        else
            smug_strbuf_addf(&t, "%s session ended: %s", s->name, serr.msg);
        memcpy(out->note, t.buf ? t.buf : "",
               t.len < sizeof out->note ? t.len : sizeof out->note - 1);
        out->out_of_time = got == 0;
        smug_strbuf_clear(&t);
    }
    smug_strbuf_clear(&text);
    smug_strbuf_clear(&answer);
    return rc;
}

static int time_left(const search *s)
{
    return smug_process_now() < s->deadline;
}

/* What a solver's failure to decide means for the branch and bound: split further when it
 * only ran out of a leaf's time, else stop with its note. */
static smug_leaf_answer undecided(search *s, const smug_judged *j, double seconds)
{
    if (j->out_of_time && seconds > 0.0 && time_left(s))
        return SMUG_LEAF_UNKNOWN;
    set_note(s, "%s", j->note);
    return SMUG_LEAF_STOP;
}

/* The "decide this leaf" callback (branch.h): the leaf solver, then the confirming one. */
static int decide_leaf(void *user, const int8_t *fix, int bound, int lemma, double seconds,
                       smug_leaf_verdict *v, uint8_t *out_mask, smug_error *err)
{
    search *s = user;
    (void)lemma; /* problem_text asserts r->lower, which is the lemma */
    smug_judged j;
    const smug_solver *ls = s->leaf_solver;
    s->leaf_limit = seconds;
    int rc = s->sess && ls == s->solver ? ask_session(s, bound, fix, &j, err)
                                        : ask_run(s, ls, bound, fix, &j, err);
    if (rc < 0)
        return -1;
    v->solver = ls->name, v->confirmer = NULL;
    if (j.verdict == SMUG_JUDGE_SAT) {
        memcpy(out_mask, s->candidate, (size_t)s->p->n);
        v->answer = SMUG_LEAF_SAT;
        return 0;
    }
    if (j.verdict == SMUG_JUDGE_NOTHING) {
        v->answer = undecided(s, &j, seconds);
        return 0;
    }
    v->answer = SMUG_LEAF_UNSAT;
    const smug_solver *c = s->leaf_confirm;
    if (!c)
        return 0;
    smug_judged cj;
    if (ask_run(s, c, bound, fix, &cj, err) < 0)
        return -1;
    if (cj.verdict == SMUG_JUDGE_UNSAT) {
        v->confirmer = c->name;
        return 0;
    }
    if (cj.verdict == SMUG_JUDGE_SAT)
        return smug_fail(err, SMUG_ERR_SOLVER,
                         "the solvers disagree: %s answered unsat on a leaf of the bound size "
                         "<= %d, %s found a mask of size %d there that satisfies every row",
                         ls->name, bound, c->name, smug_mask_count(s->candidate, s->p->n));
    v->answer = undecided(s, &cj, seconds);
    if (v->answer == SMUG_LEAF_STOP)
        set_note(s, "confirming: %s", cj.note);
    return 0;
}

static void accept_candidate(search *s, const uint8_t *mask)
{
    memcpy(s->r->mask, mask, (size_t)s->p->n);
    s->r->size = smug_mask_count(mask, s->p->n);
    s->r->incumbent_from = "solver";
}

/* tighten and bisect: decision problems until the bounds meet or one proves nothing. */
static int search_decisions(search *s, smug_error *err)
{
    smug_solve_result *r = s->r;
    while (r->lower < r->size) {
        if (!time_left(s)) {
            set_note(s, "time limit reached before the bounds met");
            break;
        }
        int bound =
            r->strategy == SMUG_STRATEGY_BISECT ? (r->lower + r->size - 1) / 2 : r->size - 1;
        smug_branch_outcome out;
        char note[512];
        if (smug_brancher_decide(s->br, bound, r->lower, decide_leaf, s, &out, s->candidate,
                                 &r->proof, note, sizeof note, err) < 0)
            return -1;
        if (out == SMUG_BRANCH_SAT) {
            accept_candidate(s, s->candidate);
        } else if (out == SMUG_BRANCH_UNSAT) {
            r->lower = bound + 1;
        } else {
            if (note[0] && !r->note[0])
                set_note(s, "%s", note);
            break;
        }
    }
    return 0;
}

/* A proof step for "no mask of size ≤ bound" on the solver's word alone (one leaf, the
 * whole problem). With a confirming solver the claim is re-derived instead: the branch and
 * bound with the confirming solver at its leaves, whose tree becomes the step (a mask it
 * finds is a disagreement, an error naming both). 1 when the step was added, 0 when the
 * confirmation did not finish. */
static int solver_step(search *s, int bound, smug_error *err)
{
    smug_proof *pr = &s->r->proof;
    const smug_solver *c = s->opts->confirm;
    if (c) {
        smug_branch_outcome out;
        char note[512];
        s->leaf_solver = c, s->leaf_confirm = NULL;
        if (smug_brancher_decide(s->br, bound, s->r->lower, decide_leaf, s, &out, s->candidate, pr,
                                 note, sizeof note, err) < 0)
            return -1;
        if (out == SMUG_BRANCH_SAT)
            return smug_fail(err, SMUG_ERR_SOLVER,
                             "the solvers disagree: %s proved no mask of size <= %d, %s found "
                             "one of size %d that satisfies every row",
                             s->name, bound, c->name, smug_mask_count(s->candidate, s->p->n));
        if (out == SMUG_BRANCH_STOP) {
            set_note(s, "confirming %s's bound with %s: %s", s->name, c->name,
                     note[0] ? note : s->r->note);
            return 0;
        }
        return 1;
    }
    smug_proof_node node = {SMUG_NODE_SOLVER, -1, -1, smug_proof_name(pr, s->name), -1};
    if (node.solver < 0 || smug_proof_begin_step(pr, bound, s->r->lower) < 0 ||
        smug_proof_add_node(pr, &node) < 0)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    return 1;
}

/* optimize: one run with (minimize size); a stopped z3 still gives its best model and the
 * objective's proved interval. Its optimum (a clean sat, exit status 0) or interval is a
 * proof step on its word. */
static int search_optimize(search *s, smug_error *err)
{
    smug_solve_result *r = s->r;
    if (!time_left(s)) {
        set_note(s, "time limit reached before the solver ran");
        return 0;
    }
    smug_strbuf text = SMUG_STRBUF_INIT;
    smug_process_result pr;
    smug_solver_output o;
    int rc = problem_text(s, r->size, 1, NULL, 1, &text, err);
    if (rc == 0)
        rc = run_solver(s, s->solver, &text, &pr, err);
    smug_strbuf_clear(&text);
    if (rc < 0)
        return -1;
    smug_judge_rules rules = {s->p, s->name, r->size, 0, 0};
    smug_judged j;
    smug_judge(&pr, &rules, &o, s->candidate, &j);
    smug_answer last = smug_solver_output_last_answer(&o);
    int sat_model = j.verdict == SMUG_JUDGE_SAT ||
                    (last == SMUG_ANS_UNKNOWN && !o.error &&
                     smug_judge_model(&o, &rules, s->candidate, j.note, sizeof j.note));
    if (sat_model && smug_mask_count(s->candidate, s->p->n) < r->size)
        accept_candidate(s, s->candidate);
    int claim = 0; /* the lower bound z3 claims */
    if (o.has_objective && isfinite(o.objective_lo) && !o.error)
        claim = (int)ceil(o.objective_lo - 1e-9);
    if (j.verdict == SMUG_JUDGE_SAT && last == SMUG_ANS_SAT && pr.outcome == SMUG_PROC_EXITED &&
        pr.exit_code == 0)
        claim = r->size; /* a finished optimiser: its model is the optimum */
    claim = claim < r->size ? claim : r->size;
    if (claim > r->lower) {
        rc = solver_step(s, claim - 1, err);
        if (rc == 1)
            r->lower = claim;
    }
    if (rc >= 0 && r->lower < r->size && !r->note[0])
        set_note(s, "%s",
                 sat_model ? "the solver stopped before proving its best model optimal" : j.note);
    smug_process_result_clear(&pr);
    smug_solver_output_clear(&o);
    return rc < 0 ? -1 : 0;
}

/* Whatever rests on the session's unsat answers goes when the session did not end cleanly:
 * the steps from the first one with a leaf of this solver on. */
static void drop_session_steps(search *s)
{
    smug_proof *pr = &s->r->proof;
    int name = -1;
    for (int i = 0; i < pr->n_names; i++)
        if (strcmp(pr->names[i], s->name) == 0)
            name = i;
    int first = pr->n_steps;
    for (int st = pr->n_steps - 1; st >= 0; st--)
        for (int i = 0; i < pr->steps[st].n_nodes; i++)
            if (pr->nodes[pr->steps[st].first + i].kind == SMUG_NODE_SOLVER &&
                pr->nodes[pr->steps[st].first + i].solver == name)
                first = st;
    while (pr->n_steps > first)
        smug_proof_drop_step(pr);
    s->r->lower = smug_proof_lower(pr);
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
        set_note(s, "%s session ended: %s", s->name, serr.msg);
    else if (rc == 0)
        rc = search_decisions(s, err); /* the leaves go through the session from here */
    if (s->sess) {
        smug_process_result end;
        smug_session_close(s->sess, &end);
        s->sess = NULL;
        /* an answer in a session is provisional: the solver's exit status comes last */
        if (!(end.outcome == SMUG_PROC_EXITED && end.exit_code == 0)) {
            int before = s->r->lower;
            drop_session_steps(s);
            char why[128];
            if (s->r->lower < before)
                set_note(s, "%s's session %s: its unsat answers do not count", s->name,
                         smug_process_describe(&end, why, sizeof why));
        }
        smug_process_result_clear(&end);
    }
    free(argv);
    smug_strbuf_clear(&body);
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

/* The proof's facts and its first step, the certified root bound. */
static int start_proof(search *s, smug_error *err)
{
    const smug_bounds *b = s->b;
    smug_solve_result *r = s->r;
    if (smug_proof_set_facts(&r->proof, s->p->n, b->useless, b->dom_from, b->dom_to, b->n_dom,
                             err) < 0 ||
        (s->opts->skip_probing
             ? smug_branch_root_step_lp(s->p, b, &r->proof, &r->lower, err)
             : smug_branch_root_step(s->p, b, s->deadline, &r->proof, &r->lower, err)) < 0)
        return -1;
    smug_branch_options bo = SMUG_BRANCH_OPTIONS_INIT;
    bo.deadline = s->deadline;
    /* with the whole network attached (problem.h's pl) an LP-integral mask satisfies the
     * rows only, not the network: the solver decides every leaf whole */
    bo.lp = !s->opts->skip_probing && !s->p->pl;
    bo.trust_lp = s->opts->trust_lp;
    bo.lp_share = s->opts->lp_share;
    s->leaf_solver = s->solver, s->leaf_confirm = s->opts->confirm;
    return smug_brancher_new(s->p, b, &bo, &s->br, err);
}

static int run_strategy(search *s, smug_error *err)
{
    smug_solve_result *r = s->r;
    const smug_bounds *b = s->b;
    memcpy(r->mask, b->incumbent, (size_t)s->p->n);
    r->size = b->upper;
    r->incumbent_from = b->incumbent_from ? b->incumbent_from : "greedy";
    if (start_proof(s, err) < 0)
        return -1;
    if (r->strategy == SMUG_STRATEGY_BASE) {
        memset(r->mask, 1, (size_t)s->p->n); /* every cell some chosen neuron sees */
        r->size = s->p->n;
        r->incumbent_from = "base";
        return 0;
    }
    if (r->lower >= r->size)
        return 0;
    if (r->strategy == SMUG_STRATEGY_OPTIMIZE)
        return search_optimize(s, err);
    if (r->strategy == SMUG_STRATEGY_INCREMENTAL)
        return search_incremental(s, err);
    return search_decisions(s, err);
}

int smug_solve(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
               const smug_solve_options *opts, smug_solve_result *out, smug_error *err)
{
    if (solver->format == SMUG_SOLVER_LP && p->pl)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver %s reads LP files, which cannot hold the full-net encoding "
                         "(--net-encoding full): use an SMT solver",
                         solver->name);
    if (solver->format == SMUG_SOLVER_LP) /* a MILP back end: its own driver (cbc.h) */
        return smug_cbc_solve(p, b, solver, opts, out, err);
    memset(out, 0, sizeof *out);
    double t0 = smug_process_now();
    double deadline = opts->deadline > 0.0 ? opts->deadline : t0 + opts->timeout;
    search s = {p,    b, solver->name, solver, opts, deadline, out, NULL,
                NULL, 0, 0.0,          NULL,   NULL, NULL,     NULL};
    out->mask = malloc(p->n > 0 ? (size_t)p->n : 1);
    s.candidate = malloc(p->n > 0 ? (size_t)p->n : 1);
    int rc = out->mask && s.candidate ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = pick_strategy(solver, opts->strategy, &out->strategy, err);
    if (rc == 0)
        rc = run_strategy(&s, err);
    if (s.br)
        out->stats = *smug_brancher_stats(s.br);
    smug_brancher_free(s.br);
    if (rc == 0 && smug_interrupted() && out->lower < out->size) { /* a timeout, said why */
        s.deadline = smug_process_now();
        snprintf(out->note, sizeof out->note, "smug was interrupted (signal %d)",
                 smug_interrupted());
    }
    out->seconds = smug_process_now() - t0;
    out->proof.seconds = out->seconds;
    out->status = out->lower >= out->size            ? SMUG_SOLVE_OPTIMAL
                  : smug_process_now() >= s.deadline ? SMUG_SOLVE_TIMEOUT
                                                     : SMUG_SOLVE_FEASIBLE;
    if (out->status == SMUG_SOLVE_OPTIMAL) {
        /* an empty proof proves lower 0, so size 0: nothing to refute */
        out->proved_by =
            smug_proof_proved_by(&out->proof, out->proved_by_buf, sizeof out->proved_by_buf);
        if (!out->proved_by)
            out->proved_by = strcpy(out->proved_by_buf, "certificate");
        out->note[0] = '\0';
    }
    free(s.candidate);
    if (rc < 0)
        smug_solve_result_clear(out);
    return rc;
}

int smug_solve_leaf(const smug_mask_problem *p, const smug_proof *facts, const smug_solver *solver,
                    const int8_t *fix, int bound, int lemma, double timeout, int mem_limit_mb,
                    smug_judged *out, uint8_t *out_mask, smug_error *err)
{
    smug_solve_options o = {
        SMUG_STRATEGY_TIGHTEN, timeout, mem_limit_mb, "smug: one leaf", 0, NULL, 0, 0.5, 0.0};
    smug_solve_result r;
    memset(&r, 0, sizeof r);
    r.lower = lemma;
    search s = {p,     NULL,     solver->name, solver, &o,  smug_process_now() + timeout,
                &r,    out_mask, NULL,         0,      0.0, NULL,
                facts, solver,   NULL};
    return ask_run(&s, solver, bound, fix, out, err);
}

int smug_solve_bound(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *solver,
                     double timeout, int mem_limit_mb, int bound, int lemma, smug_proof *proof,
                     smug_branch_outcome *out, uint8_t *out_mask, char *note, size_t n_note,
                     smug_error *err)
{
    smug_solve_options o = {
        SMUG_STRATEGY_TIGHTEN, timeout, mem_limit_mb, "smug: one bound", 0, NULL, 0, 0.5, 0.0};
    smug_solve_result r;
    memset(&r, 0, sizeof r);
    r.lower = lemma;
    double t0 = smug_process_now();
    search s = {p,    b, solver->name, solver, &o,   t0 + timeout, &r,  out_mask,
                NULL, 0, 0.0,          NULL,   NULL, solver,       NULL};
    smug_branch_options bo = SMUG_BRANCH_OPTIONS_INIT;
    bo.deadline = s.deadline;
    int rc = smug_brancher_new(p, b, &bo, &s.br, err);
    if (rc == 0)
        rc = smug_brancher_decide(s.br, bound, lemma, decide_leaf, &s, out, out_mask, proof, note,
                                  n_note, err);
    if (rc == 0 && *out == SMUG_BRANCH_STOP && !note[0])
        snprintf(note, n_note, "%s", r.note);
    smug_brancher_free(s.br);
    return rc;
}
