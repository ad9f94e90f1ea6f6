/* test_branch.c — the branch and bound of src/mask/branch.c and the proofs it writes
 * (proof.c), against brute force over every mask of small random problems:
 *  - the outcome: SAT exactly when some mask of size ≤ B satisfies the rows (its mask then
 *    satisfies them exactly), UNSAT otherwise;
 *  - an UNSAT proof step covers every mask of size ≤ B, and a mask under a leaf closed by a
 *    certificate breaks a row or a fact (useless cells, dominance): no leaf, probing's
 *    included, rules out a mask worth finding; smug_proof_check accepts the step;
 *  - with the callback deciding leaves (brute force standing in for a solver) the same;
 *  - an LP made wrong on purpose (smug_lp_skew) never produces a wrong UNSAT: its
 *    certificates fail the exact check (counted) and the leaves go to the callback;
 *  - a tampered certificate, a wrong fact, or a lemma nobody proved make smug_proof_check
 *    refuse the proof; a replay file of a proof (replay.h) answers unsat to z3 and cvc5
 *    for every leaf (when installed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/bounds.h"
#include "smug/branch.h"
#include "smug/process.h"
#include "smug/replay.h"
#include "testutil.h"

#define MAX_N 12

static double coef(const smug_mask_problem *p, int j, int i)
{
    return smug_mask_problem_coef(p, j, i);
}

/* Random rows with copied and dominated columns, zeros and negative entries. */
static smug_mask_problem *random_problem(tu_rng *rng, int n, int k)
{
    smug_mask_problem *p = tu_tiny_problem(k, n);
    for (int i = 0; i < n; i++) {
        double kind = tu_rng_unit(rng);
        for (int j = 0; j < k; j++) {
            double v = tu_rng_unit(rng) * 2.0 - 0.6;
            if (i > 0 && kind < 0.15)
                v = coef(p, j, (int)tu_rng_below(rng, (size_t)i));
            else if (i > 0 && kind < 0.25)
                v = coef(p, j, 0) - tu_rng_unit(rng) * 0.3;
            else if (tu_rng_unit(rng) < 0.1)
                v = 0.0;
            tu_set_coef(p, j, i, v);
        }
    }
    for (int j = 0; j < k; j++) {
        double pos = 0.0;
        for (int i = 0; i < n; i++)
            pos += coef(p, j, i) > 0.0 ? coef(p, j, i) : 0.0;
        p->t[j] = pos * (0.2 + 0.6 * tu_rng_unit(rng));
    }
    return p;
}

static void bits(unsigned s, int n, uint8_t *m)
{
    for (int i = 0; i < n; i++)
        m[i] = (uint8_t)((s >> i) & 1u);
}

/* Rows summed here in long double, with a margin: the random rows are far from ties. */
static int holds(const smug_mask_problem *p, unsigned s)
{
    for (int j = 0; j < p->k; j++) {
        long double sum = 0.0L;
        for (int i = 0; i < p->n; i++)
            if ((s >> i) & 1u)
                sum += coef(p, j, i);
        if (!(sum > (long double)p->t[j]))
            return 0;
    }
    return 1;
}

static int respects_facts(const smug_bounds *b, unsigned s, int n)
{
    for (int i = 0; i < n; i++)
        if (b->useless[i] && ((s >> i) & 1u))
            return 0;
    for (int d = 0; d < b->n_dom; d++)
        if (((s >> b->dom_from[d]) & 1u) && !((s >> b->dom_to[d]) & 1u))
            return 0;
    return 1;
}

/* Smallest valid mask size, -1 when none. */
static int brute_opt(const smug_mask_problem *p)
{
    int best = -1;
    for (unsigned s = 0; s < (1u << p->n); s++)
        if (holds(p, s) && (best < 0 || __builtin_popcount(s) < best))
            best = __builtin_popcount(s);
    return best;
}

/* ---- the callback: brute force over the leaf (a solver that never errs) ------------- */

typedef struct oracle {
    const smug_mask_problem *p;
    const smug_bounds *b;
    int calls;
} oracle;

static int brute_leaf(void *user, const int8_t *fix, int bound, int lemma, double seconds,
                      smug_leaf_verdict *v, uint8_t *out_mask, smug_error *err)
{
    (void)lemma, (void)seconds, (void)err;
    oracle *o = user;
    o->calls++;
    for (unsigned s = 0; s < (1u << o->p->n); s++) {
        int under = 1;
        for (int i = 0; i < o->p->n && under; i++)
            under = fix[i] < 0 || fix[i] == (int)((s >> i) & 1u);
        if (under && __builtin_popcount(s) <= bound && holds(o->p, s) &&
            respects_facts(o->b, s, o->p->n)) {
            bits(s, o->p->n, out_mask);
            v->answer = SMUG_LEAF_SAT;
            return 0;
        }
    }
    v->answer = SMUG_LEAF_UNSAT;
    v->solver = "brute";
    v->confirmer = NULL;
    return 0;
}

/* ---- the tree of a proof step against every mask ------------------------------------ */

typedef struct cover {
    const smug_mask_problem *p;
    const smug_bounds *b;
    int bound;
    unsigned *hits; /* [2^n] leaves each mask lies under */
    int leaves, cert_leaves, probe_like;
} cover;

static int cover_leaf(void *user, const smug_proof_node *leaf, const int8_t *fix)
{
    cover *c = user;
    c->leaves++;
    c->cert_leaves += leaf->kind == SMUG_NODE_CERT;
    for (unsigned s = 0; s < (1u << c->p->n); s++) {
        int under = 1;
        for (int i = 0; i < c->p->n && under; i++) /* facts' zeros are fixings too */
            under = fix[i] < 0 || fix[i] == (int)((s >> i) & 1u);
        if (!under)
            continue;
        c->hits[s]++;
        if (__builtin_popcount(s) <= c->bound && holds(c->p, s) && respects_facts(c->b, s, c->p->n))
            fail_msg("mask %#x (size %d) is valid but lies under a leaf closed by %s", s,
                     __builtin_popcount(s),
                     leaf->kind == SMUG_NODE_CERT ? "a certificate" : "a solver");
    }
    return 0;
}

/* Every mask lies under exactly one leaf (or is excluded by a useless cell at the root),
 * and none of them is a valid mask of size ≤ bound that respects the facts. */
static void check_step(const smug_mask_problem *p, const smug_bounds *b, const smug_proof *pr,
                       int s, int *out_cert, int *out_leaves)
{
    cover c = {p, b, pr->steps[s].bound, calloc(1u << p->n, sizeof(unsigned)), 0, 0, 0};
    assert_non_null(c.hits);
    char why[256];
    if (smug_proof_walk(pr, s, cover_leaf, &c, why, sizeof why) != 0)
        fail_msg("step %d: %s", s, why);
    for (unsigned m = 0; m < (1u << p->n); m++) {
        int excluded = 0;
        for (int i = 0; i < p->n; i++)
            excluded |= b->useless[i] && ((m >> i) & 1u);
        if (c.hits[m] != (excluded ? 0u : 1u))
            fail_msg("mask %#x lies under %u leaves", m, c.hits[m]);
    }
    *out_cert += c.cert_leaves;
    *out_leaves += c.leaves;
    free(c.hits);
}

typedef struct tally {
    int problems, sat, unsat, cert_leaves, leaves, callback, cert_failures, probes;
} tally;

/* Every bound from 0 to upper with options o; the proof of each UNSAT checked. */
static void run_bounds(const smug_mask_problem *p, const smug_branch_options *o, tally *t)
{
    smug_bounds b;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_bounds_compute(p, &b, &err) < 0)
        return; /* gamma-style impossibility: bounds.c's own test covers it */
    int opt = brute_opt(p);
    assert_true(opt >= 0 && opt <= b.upper);
    assert_true(b.lower <= opt);
    smug_brancher *br = NULL;
    assert_int_equal(smug_brancher_new(p, &b, o, &br, &err), 0);
    oracle orc = {p, &b, 0};
    uint8_t m[MAX_N + 1];
    t->problems++;
    for (int bound = 0; bound <= b.upper; bound++) {
        smug_proof pr = SMUG_PROOF_INIT;
        assert_int_equal(
            smug_proof_set_facts(&pr, p->n, b.useless, b.dom_from, b.dom_to, b.n_dom, &err), 0);
        smug_branch_outcome out;
        char note[256];
        if (smug_brancher_decide(br, bound, 0, brute_leaf, &orc, &out, m, &pr, note, sizeof note,
                                 &err) < 0)
            fail_msg("%s", err.msg);
        if (bound >= opt) {
            if (out != SMUG_BRANCH_SAT)
                fail_msg("bound %d >= optimum %d: outcome %d (%s)", bound, opt, out, note);
            assert_true(smug_mask_problem_satisfied(p, m));
            assert_true(smug_mask_count(m, p->n) <= bound);
            t->sat++;
        } else {
            if (out != SMUG_BRANCH_UNSAT)
                fail_msg("bound %d < optimum %d: outcome %d (%s)", bound, opt, out, note);
            check_step(p, &b, &pr, 0, &t->cert_leaves, &t->leaves);
            int lower = 0;
            char why[256];
            assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err),
                             1);
            assert_int_equal(lower, bound + 1);
            for (int i = 0; i + 1 < pr.n_nodes; i++) /* a branch whose m = 1 side is a leaf */
                t->probes +=
                    pr.nodes[i].kind == SMUG_NODE_BRANCH && pr.nodes[i + 1].kind == SMUG_NODE_CERT;
            t->unsat++;
        }
        smug_proof_clear(&pr);
    }
    t->callback += orc.calls;
    t->cert_failures += smug_brancher_stats(br)->cert_failures;
    smug_brancher_free(br);
    smug_bounds_clear(&b);
}

static void sweep(const smug_branch_options *o, unsigned long long seed, tally *t)
{
    tu_rng rng = {seed};
    for (int trial = 0; trial < 120; trial++) {
        int n = 2 + (int)tu_rng_below(&rng, MAX_N - 1);
        int k = 1 + (int)tu_rng_below(&rng, 4);
        smug_mask_problem *p = random_problem(&rng, n, k);
        unsigned all = (1u << n) - 1u;
        if (holds(p, all))
            run_bounds(p, o, t);
        smug_mask_problem_free(p);
    }
}

/* LP alone (no deadline: the LP branches until every leaf is closed or integral). */
static void test_lp_alone(void **state)
{
    (void)state;
    smug_branch_options o = SMUG_BRANCH_OPTIONS_INIT;
    tally t = {0};
    sweep(&o, 7, &t);
    print_message("LP alone: %d problems, %d SAT, %d UNSAT bounds, %d leaves (%d certified), "
                  "%d callback leaves, %d probing fixings\n",
                  t.problems, t.sat, t.unsat, t.leaves, t.cert_leaves, t.callback, t.probes);
    assert_true(t.problems > 50 && t.unsat > 100 && t.cert_leaves > 100 && t.probes > 0);
}

/* No LP time at all: after split_depth levels every open leaf goes to the callback. */
static void test_callback_leaves(void **state)
{
    (void)state;
    smug_branch_options o = SMUG_BRANCH_OPTIONS_INIT;
    o.deadline = smug_process_now() + 3600.0;
    o.lp_share = 0.0;
    o.split_depth = 1;
    o.probe = 0;
    tally t = {0};
    sweep(&o, 11, &t);
    print_message("callback: %d problems, %d UNSAT bounds, %d leaves, %d callback calls\n",
                  t.problems, t.unsat, t.leaves, t.callback);
    assert_true(t.unsat > 100 && t.callback > 30);
}

/* The LP raised on purpose: its "infeasible" is wrong, and the exact check says so. */
static void test_wrong_lp_is_caught(void **state)
{
    (void)state;
    smug_branch_options o = SMUG_BRANCH_OPTIONS_INIT;
    o.deadline = smug_process_now() + 3600.0;
    o.lp_share = 0.0;
    o.lp_skew = 0.8;
    tally t = {0};
    sweep(&o, 13, &t);
    print_message("wrong LP: %d problems, %d SAT, %d UNSAT, %d certificate failures, %d callback "
                  "leaves\n",
                  t.problems, t.sat, t.unsat, t.cert_failures, t.callback);
    assert_true(t.cert_failures > 50 && t.callback > 50);
    o.lp_skew = -0.8; /* too optimistic: it closes less, never wrongly */
    sweep(&o, 13, &t);
}

/* A tiny hand-made problem and its proof, then edits of that proof. */
static void test_check_refuses_edits(void **state)
{
    (void)state;
    smug_mask_problem *p = tu_tiny_problem(2, 4);
    const double r0[] = {1.0, 1.0, 1.0, 0.5}, r1[] = {0.5, 1.0, 0.25, 1.0};
    tu_set_row(p, 0, r0);
    tu_set_row(p, 1, r1);
    p->t[0] = 2.0, p->t[1] = 1.5; /* m0 + m1 + m2 alone is not enough: strict */
    smug_bounds b;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_bounds_compute(p, &b, &err), 0);
    int opt = brute_opt(p);
    smug_proof pr = SMUG_PROOF_INIT;
    assert_int_equal(
        smug_proof_set_facts(&pr, p->n, b.useless, b.dom_from, b.dom_to, b.n_dom, &err), 0);
    int lower = 0;
    assert_int_equal(smug_branch_root_step(p, &b, 0.0, &pr, &lower, &err), 0);
    smug_branch_options o = SMUG_BRANCH_OPTIONS_INIT;
    smug_brancher *br = NULL;
    assert_int_equal(smug_brancher_new(p, &b, &o, &br, &err), 0);
    oracle orc = {p, &b, 0};
    uint8_t m[8];
    smug_branch_outcome out;
    char note[128], why[256];
    assert_int_equal(smug_brancher_decide(br, opt - 1, lower, brute_leaf, &orc, &out, m, &pr, note,
                                          sizeof note, &err),
                     0);
    assert_int_equal(out, SMUG_BRANCH_UNSAT);
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err), 1);
    assert_int_equal(lower, opt);
    smug_brancher_free(br);
    /* a certificate emptied, then with a negative multiplier: neither checks */
    int c = -1;
    for (int i = 0; i < pr.n_nodes && c < 0; i++)
        if (pr.nodes[i].kind == SMUG_NODE_CERT &&
            pr.cy[pr.nodes[i].cert + 1] > pr.cy[pr.nodes[i].cert])
            c = pr.nodes[i].cert;
    assert_true(c >= 0);
    double saved[8], mu = pr.mu[c];
    int ny = pr.cy[c + 1] - pr.cy[c];
    assert_true(ny <= 8);
    for (int t = 0; t < ny; t++)
        saved[t] = pr.y[pr.cy[c] + t], pr.y[pr.cy[c] + t] = 0.0;
    pr.mu[c] = 0.0;
    for (int t = pr.cz[c]; t < pr.cz[c + 1]; t++)
        pr.z[t] = 0.0;
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err), 0);
    assert_non_null(strstr(why, "does not check"));
    pr.mu[c] = mu;
    for (int t = 0; t < ny; t++)
        pr.y[pr.cy[c] + t] = saved[t];
    pr.y[pr.cy[c]] = -saved[0];
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err), 0);
    assert_non_null(strstr(why, "invalid"));
    pr.y[pr.cy[c]] = saved[0];
    /* a step that assumes more than the steps before it proved */
    int lemma = pr.steps[pr.n_steps - 1].lemma;
    pr.steps[pr.n_steps - 1].lemma = opt + 1;
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err), 0);
    assert_non_null(strstr(why, "assumes size >="));
    pr.steps[pr.n_steps - 1].lemma = lemma;
    /* a cell that helps, claimed useless */
    pr.zero[0] = 1;
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err), 0);
    assert_non_null(strstr(why, "fixed to 0"));
    pr.zero[0] = 0;
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err), 1);
    smug_proof_clear(&pr);
    smug_bounds_clear(&b);
    smug_mask_problem_free(p);
}

/* Runs solver argv on text: the number of "unsat" lines, or -1 when it printed anything
 * else. */
static int unsat_lines(const char *const *argv, const char *text, size_t len)
{
    smug_process proc = SMUG_PROCESS_INIT;
    proc.argv = argv;
    proc.stdin_data = text;
    proc.stdin_len = len;
    proc.timeout = 60.0;
    smug_process_result r;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_process_run(&proc, &r, &err), 0);
    int n = 0;
    const char *s = r.out.buf ? r.out.buf : "";
    for (const char *line = s; *line;) {
        const char *nl = strchr(line, '\n');
        size_t l = nl ? (size_t)(nl - line) : strlen(line);
        if (l == 5 && strncmp(line, "unsat", 5) == 0)
            n++;
        else if (l > 0)
            n = -1000000;
        line += l + (nl ? 1 : 0);
    }
    int ok = r.outcome == SMUG_PROC_EXITED && r.exit_code == 0;
    smug_process_result_clear(&r);
    return ok && n >= 0 ? n : -1;
}

/* Proofs of random problems (certificates and callback leaves) replayed by the solvers. */
static void test_replay(void **state)
{
    (void)state;
    const char *z3[] = {"z3", "-smt2", "-in", NULL};
    const char *cvc5[] = {"cvc5", "--incremental", "--lang=smt2", NULL};
    int have_z3 = access("/usr/bin/z3", X_OK) == 0, have_cvc5 = access("/usr/bin/cvc5", X_OK) == 0;
    if (!have_z3 && !have_cvc5) {
        print_message("z3 and cvc5 missing: replay not run\n");
        return;
    }
    tu_rng rng = {99};
    int replayed = 0, solver_leaves = 0;
    for (int trial = 0; trial < 60 && replayed < 10; trial++) {
        smug_mask_problem *p = random_problem(&rng, 4 + (int)tu_rng_below(&rng, 7), 3);
        smug_bounds b;
        smug_error err = SMUG_ERROR_INIT;
        if (!holds(p, (1u << p->n) - 1u) || smug_bounds_compute(p, &b, &err) < 0) {
            smug_mask_problem_free(p);
            continue;
        }
        int opt = brute_opt(p);
        smug_proof pr = SMUG_PROOF_INIT;
        int lower = 0;
        assert_int_equal(
            smug_proof_set_facts(&pr, p->n, b.useless, b.dom_from, b.dom_to, b.n_dom, &err), 0);
        if (trial % 2 == 0) /* else no root certificate, and the callback decides the root */
            assert_int_equal(smug_branch_root_step(p, &b, 0.0, &pr, &lower, &err), 0);
        smug_branch_options o = SMUG_BRANCH_OPTIONS_INIT;
        o.deadline = smug_process_now() + 3600.0;
        o.lp_share = 0.0;
        o.lp = trial % 2 == 0;
        smug_brancher *br = NULL;
        assert_int_equal(smug_brancher_new(p, &b, &o, &br, &err), 0);
        oracle orc = {p, &b, 0};
        uint8_t m[MAX_N + 1];
        smug_branch_outcome out = SMUG_BRANCH_UNSAT;
        char note[128];
        if (opt - 1 >= lower)
            assert_int_equal(smug_brancher_decide(br, opt - 1, lower, brute_leaf, &orc, &out, m,
                                                  &pr, note, sizeof note, &err),
                             0);
        assert_int_equal(out, SMUG_BRANCH_UNSAT);
        smug_brancher_free(br);
        smug_proof_summary sum;
        smug_proof_summarize(&pr, &sum);
        if (sum.leaves > 0) {
            smug_strbuf sb = SMUG_STRBUF_INIT;
            smug_replay_write(&sb, p, &pr, "test_branch");
            assert_false(sb.failed);
            if (have_z3)
                assert_int_equal(unsat_lines(z3, sb.buf, sb.len), sum.leaves);
            if (have_cvc5)
                assert_int_equal(unsat_lines(cvc5, sb.buf, sb.len), sum.leaves);
            smug_strbuf_clear(&sb);
            replayed++;
            solver_leaves += sum.by_solver;
        }
        smug_proof_clear(&pr);
        smug_bounds_clear(&b);
        smug_mask_problem_free(p);
    }
    print_message("replayed %d proofs (%d solver leaves)\n", replayed, solver_leaves);
    assert_true(replayed >= 4 && solver_leaves >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lp_alone),
        cmocka_unit_test(test_callback_leaves),
        cmocka_unit_test(test_wrong_lp_is_caught),
        cmocka_unit_test(test_check_refuses_edits),
        cmocka_unit_test(test_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
