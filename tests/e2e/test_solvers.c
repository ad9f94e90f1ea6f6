/* test_solvers.c — the mask search end to end with the real z3 and cvc5 (labels e2e, slow).
 *
 * For real problems from the dense fixture, every solver and strategy must end "optimal" at
 * the size GLPK's exact MIP finds independently, with a mask that passes the forward-pass
 * check. A problem too hard for a 1 s limit must end as "timeout" with a verified
 * incumbent, never as a claimed optimum. A solver that prints garbage, crashes or is
 * missing is reported as that (tests/helpers/misbehave stands in for a broken binary).
 */
#include <glpk.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "smug/bounds.h"
#include "smug/encode.h"
#include "smug/input.h"
#include "smug/pipeline.h"
#include "smug/registry.h"
#include "smug/strategy.h"
#include "smug/tokens.h"
#include "smug/verify.h"
#include "testutil.h"

typedef struct fixture {
    smug_net *net;
    float *x;
    smug_explanation e;
    smug_mask_problem *p;
    smug_bounds b;
} fixture;

static void fixture_load(fixture *f, const char *image, int k, double gamma, int window)
{
    smug_error err = SMUG_ERROR_INIT;
    memset(f, 0, sizeof *f);
    f->net = tu_load_model("models/fashion_fc.onnx");
    assert_non_null(f->net);
    char rel[256];
    snprintf(rel, sizeof rel, "data/fashion/%s.png", image);
    assert_int_equal(smug_input_load(tu_path(rel), &f->net->input, 0, 1, &f->x, &err), 0);
    smug_params prm;
    smug_params_defaults(&prm);
    prm.top_k = k;
    if (smug_pipeline_neurons(f->net, f->x, &prm, &f->e, &err) < 0)
        fail_msg("%s", err.msg);
    if (smug_encode(f->net, f->x, f->e.neurons, f->e.n_neurons, gamma, window, &f->p, &err) < 0 ||
        smug_bounds_compute(f->p, &f->b, &err) < 0)
        fail_msg("%s", err.msg);
}

static void fixture_free(fixture *f)
{
    smug_bounds_clear(&f->b);
    smug_mask_problem_free(f->p);
    smug_explanation_clear(&f->e);
    free(f->x);
    smug_net_free(f->net);
}

/* The exact optimum by GLPK's branch and bound: rows Σ a m ≥ t + 1e-9 (the problem's rows
 * are strict), integrality to 1e-9, the answer re-checked against the strict rows. */
static int mip_optimum(const smug_mask_problem *p)
{
    glp_prob *lp = glp_create_prob();
    glp_add_rows(lp, p->k);
    glp_add_cols(lp, p->n);
    int cap = p->k * p->n + 1, at = 0;
    int *ia = malloc((size_t)cap * sizeof *ia), *ja = malloc((size_t)cap * sizeof *ja);
    double *ar = malloc((size_t)cap * sizeof *ar);
    for (int j = 0; j < p->k; j++) {
        glp_set_row_bnds(lp, j + 1, GLP_LO, p->t[j] + 1e-9, 0.0);
        for (int i = 0; i < p->n; i++)
            if (smug_mask_problem_coef(p, j, i) != 0.0)
                at++, ia[at] = j + 1, ja[at] = i + 1, ar[at] = smug_mask_problem_coef(p, j, i);
    }
    for (int i = 0; i < p->n; i++) {
        glp_set_col_kind(lp, i + 1, GLP_BV);
        glp_set_obj_coef(lp, i + 1, 1.0);
    }
    glp_load_matrix(lp, at, ia, ja, ar);
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    parm.tol_int = 1e-9;
    assert_int_equal(glp_intopt(lp, &parm), 0);
    assert_int_equal(glp_mip_status(lp), GLP_OPT);
    uint8_t *m = malloc((size_t)p->n);
    for (int i = 0; i < p->n; i++)
        m[i] = glp_mip_col_val(lp, i + 1) > 0.5;
    assert_true(smug_mask_problem_satisfied(p, m));
    int best = smug_mask_count(m, p->n);
    free(m), free(ia), free(ja), free(ar);
    glp_delete_prob(lp);
    return best;
}

static const smug_solver *solver_named(smug_solvers **reg, const char *name)
{
    smug_error err = SMUG_ERROR_INIT;
    if (!*reg && smug_solvers_load(NULL, reg, &err) < 0)
        fail_msg("%s", err.msg);
    const smug_solver *s = smug_solvers_find(*reg, name);
    assert_non_null(s);
    return s;
}

/* Solves f with solver/strategy and checks the result against the network itself. */
static void solve_checked(const fixture *f, const smug_solver *s, smug_strategy st, double timeout,
                          int probe, smug_solve_result *r)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_solve_options o = {st, timeout, 4096, "test_solvers", !probe, NULL, 0, 0.5, 0.0};
    if (smug_solve(f->p, &f->b, s, &o, r, &err) < 0)
        fail_msg("%s: %s", s->name, err.msg);
    assert_true(smug_mask_problem_satisfied(f->p, r->mask));
    assert_int_equal(smug_mask_count(r->mask, f->p->n), r->size);
    uint8_t *cells = malloc((size_t)f->p->grid.n_cells);
    smug_mask_problem_cells(f->p, r->mask, cells);
    smug_verdict v;
    assert_int_equal(smug_verify_mask(f->net, f->x, f->p, cells, f->e.target, &v, &err), 0);
    assert_true(v.ok);
    free(cells);
}

static void test_solvers_reach_the_mip_optimum(void **state)
{
    (void)state;
    static const struct {
        const char *image;
        int k;
        double gamma;
    } cases[] = {{"0000_ankle_boot", 8, 0.5}, {"0000_ankle_boot", 8, 0.9}, {"0018_bag", 8, 0.5},
                 {"0002_trouser", 8, 0.9},    {"0002_trouser", 8, 0.5},    {"0018_bag", 8, 0.9}};
    static const struct {
        const char *solver;
        smug_strategy strategy;
    } runs[] = {{"z3", SMUG_STRATEGY_TIGHTEN},     {"z3", SMUG_STRATEGY_BISECT},
                {"z3", SMUG_STRATEGY_INCREMENTAL}, {"cvc5", SMUG_STRATEGY_TIGHTEN},
                {"cvc5", SMUG_STRATEGY_BISECT},    {"cvc5", SMUG_STRATEGY_INCREMENTAL}};
    smug_solvers *reg = NULL;
    int by_solver = 0;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        fixture f;
        fixture_load(&f, cases[c].image, cases[c].k, cases[c].gamma, 4);
        int opt = mip_optimum(f.p);
        assert_true(f.b.lower <= opt && opt <= f.b.upper);
        for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
            smug_solve_result res;
            /* without probing, so the solver (not the LP) has to prove each bound */
            solve_checked(&f, solver_named(&reg, runs[r].solver), runs[r].strategy, 60.0, 0, &res);
            if (res.status != SMUG_SOLVE_OPTIMAL || res.size != opt)
                fail_msg("%s k=%d gamma=%g %s/%s: %s size %d (lower %d), MIP optimum %d: %s",
                         cases[c].image, cases[c].k, cases[c].gamma, runs[r].solver,
                         smug_strategy_name(runs[r].strategy), smug_solve_status_name(res.status),
                         res.size, res.lower, opt, res.note);
            assert_int_equal(res.lower, opt);
            assert_non_null(res.proved_by);
            by_solver += strncmp(res.proved_by, "solver:", 7) == 0;
            smug_solve_result_clear(&res);
        }
        fixture_free(&f);
    }
    assert_true(by_solver > 0); /* the solvers, not only the bounds, proved some optima */
    smug_solvers_free(reg);
}

/* With LP probing (the default) a window-2 problem the solvers alone cannot close in 10 s
 * ends optimal at the MIP optimum, proved by the LP or by the solver on what probing left. */
static void test_probing_closes_window_2(void **state)
{
    (void)state;
    smug_solvers *reg = NULL;
    fixture f;
    fixture_load(&f, "0008_sandal", 8, 0.5, 2);
    int opt = mip_optimum(f.p);
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_bounds_mip(f.p, &f.b, 2.0, &err), 0);
    assert_int_equal(f.b.upper, opt); /* GLPK found an optimal mask, checked exactly */
    const char *names[] = {"z3", "cvc5"};
    for (int i = 0; i < 2; i++) {
        smug_solve_result res;
        solve_checked(&f, solver_named(&reg, names[i]), SMUG_STRATEGY_TIGHTEN, 30.0, 1, &res);
        assert_int_equal(res.status, SMUG_SOLVE_OPTIMAL);
        assert_int_equal(res.size, opt);
        assert_non_null(res.proved_by);
        assert_string_equal(res.incumbent_from, "glpk");
        smug_solve_result_clear(&res);
    }
    fixture_free(&f);
    smug_solvers_free(reg);
}

/* z3's optimisation form on a problem it closes quickly. */
static void test_z3_optimize(void **state)
{
    (void)state;
    smug_solvers *reg = NULL;
    fixture f;
    fixture_load(&f, "0002_trouser", 8, 0.9, 4);
    smug_solve_result res;
    solve_checked(&f, solver_named(&reg, "z3"), SMUG_STRATEGY_OPTIMIZE, 60.0, 1, &res);
    assert_int_equal(res.status, SMUG_SOLVE_OPTIMAL);
    assert_int_equal(res.size, mip_optimum(f.p));
    smug_solve_result_clear(&res);
    fixture_free(&f);
    smug_solvers_free(reg);
}

/* Too hard for one second: the verified greedy incumbent and the proved bound, no claim. */
static void test_timeout_keeps_the_incumbent(void **state)
{
    (void)state;
    smug_solvers *reg = NULL;
    fixture f;
    fixture_load(&f, "0000_ankle_boot", 8, 0.5, 2);
    assert_true(f.b.lower < f.b.upper);
    const char *names[] = {"z3", "cvc5", "z3", "cvc5"};
    for (int i = 0; i < 4; i++) {
        smug_solve_result res;
        double t0 = smug_now();
        smug_strategy st = i < 2 ? SMUG_STRATEGY_TIGHTEN : SMUG_STRATEGY_INCREMENTAL;
        solve_checked(&f, solver_named(&reg, names[i]), st, 1.0, 0, &res);
        assert_true(smug_now() - t0 < 5.0); /* a deadline, not a benchmark: 1 s + grace */
        if (res.status == SMUG_SOLVE_OPTIMAL)
            fail_msg("%s proved a window-2 k=8 problem in 1 s: pick a harder case", names[i]);
        assert_int_equal(res.status, SMUG_SOLVE_TIMEOUT);
        assert_null(res.proved_by);
        assert_true(res.size <= f.b.upper && res.lower >= f.b.lower && res.lower < res.size);
        assert_non_null(strstr(res.note, names[i]));
        smug_solve_result_clear(&res);
    }
    fixture_free(&f);
    smug_solvers_free(reg);
}

/* A solvers folder whose only solver is misbehave doing `what`. */
static const smug_solver *broken_solver(smug_solvers **reg, char *dir, const char *what)
{
    smug_error err = SMUG_ERROR_INIT;
    char path[600];
    snprintf(path, sizeof path, "%s/broken.yaml", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "name: broken\nexecutable: %s\nargs: [%s]\nstdin_args: []\nversion_args: []\n"
            "capabilities: {optimize: false, incremental: true, get_value: true}\n"
            "default_strategy: tighten\n",
            MISBEHAVE_PATH, what);
    fclose(fp);
    if (smug_solvers_load(dir, reg, &err) < 0)
        fail_msg("%s", err.msg);
    return smug_solvers_find(*reg, "broken");
}

static void test_broken_solvers_are_never_unsat(void **state)
{
    (void)state;
    static const struct {
        const char *args, *note, *inc_note; /* what tighten and incremental say */
    } cases[] = {{"flood, \"100\"", "cannot read", "session ended"},
                 {"crash", "crashed", "session ended"},
                 {"exit, \"3\"", "no answer", "session ended"},
                 {"sleep, \"30\"", "deadline", "deadline"}};
    fixture f;
    fixture_load(&f, "0004_shirt", 8, 0.5, 4);
    assert_true(f.b.lower < f.b.upper);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char dir[] = "/tmp/smug_test_solvers_XXXXXX";
        assert_non_null(mkdtemp(dir));
        smug_solvers *reg = NULL;
        const smug_solver *s = broken_solver(&reg, dir, cases[c].args);
        for (int inc = 0; inc < 2; inc++) {
            smug_solve_result res;
            solve_checked(&f, s, inc ? SMUG_STRATEGY_INCREMENTAL : SMUG_STRATEGY_TIGHTEN, 2.0, 0,
                          &res);
            const char *want = inc ? cases[c].inc_note : cases[c].note;
            if (!strstr(res.note, want))
                fail_msg("misbehave %s (%s): note '%s' lacks '%s'", cases[c].args,
                         inc ? "incremental" : "tighten", res.note, want);
            assert_int_not_equal(res.status, SMUG_SOLVE_OPTIMAL);
            assert_int_equal(res.lower, f.b.lower); /* nothing was proved */
            assert_int_equal(res.size, f.b.upper);
            smug_solve_result_clear(&res);
        }
        smug_solvers_free(reg);
        char path[600];
        snprintf(path, sizeof path, "%s/broken.yaml", dir);
        unlink(path);
        rmdir(dir);
    }
    fixture_free(&f);
}

static void test_missing_solver_is_an_error(void **state)
{
    (void)state;
    fixture f;
    fixture_load(&f, "0004_shirt", 8, 0.5, 4);
    smug_solver s;
    smug_solvers *reg = NULL;
    memcpy(&s, solver_named(&reg, "cvc5"), sizeof s);
    s.executable = "/nonexistent/cvc5-not-here";
    smug_error err = SMUG_ERROR_INIT;
    smug_solve_options o = {SMUG_STRATEGY_TIGHTEN, 5.0, 1024, "test", 1, NULL, 0, 0.5, 0.0};
    smug_solve_result res;
    assert_int_equal(smug_solve(f.p, &f.b, &s, &o, &res, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_SOLVER);
    assert_non_null(strstr(err.msg, "could not start"));
    assert_non_null(strstr(err.msg, "cvc5-not-here"));
    smug_solvers_free(reg);
    fixture_free(&f);
}

/* Text (issue #6): on short held-out descriptions of models/debian_text.onnx the C-side
 * bounds already prove every word-mask optimum, so smug run never asks a solver. Here the
 * bounds are withdrawn (lower bound 0, no LP, no fixings, no probing) so z3 and cvc5 must
 * find and prove the optimum themselves: they must agree with each other and with GLPK's
 * exact MIP, and the mask must pass the forward pass on the masked token sequence. */
static void test_text_solvers_agree(void **state)
{
    (void)state;
    static const char *const texts[] = {"admin_6", "devel_2", "science_1"};
    smug_solvers *reg = NULL;
    const char *names[] = {"z3", "cvc5"};
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        smug_error err = SMUG_ERROR_INIT;
        fixture f;
        memset(&f, 0, sizeof f);
        f.net = tu_load_model("models/debian_text.onnx");
        assert_non_null(f.net);
        smug_vocab *v;
        if (smug_vocab_load(tu_path("models/debian_text.vocab"), smug_net_vocab_size(f.net), &v,
                            &err) < 0)
            fail_msg("%s", err.msg);
        char rel[256];
        snprintf(rel, sizeof rel, "data/text/%s.txt", texts[t]);
        smug_tokens_opts o = SMUG_TOKENS_OPTS_INIT;
        o.max_len = (int)smug_shape_size(&f.net->input);
        smug_tokens tk;
        if (smug_tokens_load_text(tu_path(rel), v, &o, &tk, &err) < 0)
            fail_msg("%s", err.msg);
        f.x = malloc((size_t)o.max_len * sizeof *f.x);
        memcpy(f.x, tk.ids, (size_t)o.max_len * sizeof *f.x);
        smug_tokens_clear(&tk);
        smug_vocab_free(v);
        smug_params prm;
        smug_params_defaults(&prm);
        if (smug_pipeline_neurons(f.net, f.x, &prm, &f.e, &err) < 0 ||
            smug_encode(f.net, f.x, f.e.neurons, f.e.n_neurons, 0.5, 0, &f.p, &err) < 0 ||
            smug_bounds_compute(f.p, &f.b, &err) < 0)
            fail_msg("%s: %s", texts[t], err.msg);
        assert_int_equal(f.p->grid.win, 1); /* window 0 = auto: one word a cell */
        int opt = mip_optimum(f.p);
        f.b.lower = f.b.lower_row = 0;
        f.b.lp = 0.0;
        memset(f.b.reduced, 0, (size_t)f.p->n * sizeof *f.b.reduced);
        int sizes[2];
        for (int i = 0; i < 2; i++) {
            smug_solve_result r;
            solve_checked(&f, solver_named(&reg, names[i]), SMUG_STRATEGY_TIGHTEN, 30.0, 0, &r);
            assert_int_equal(r.status, SMUG_SOLVE_OPTIMAL);
            char want[64];
            snprintf(want, sizeof want, "solver:%s", names[i]);
            assert_string_equal(r.proved_by, want);
            sizes[i] = r.size;
            printf("  %s: %s %d words of %d variables (GLPK %d), %d solver calls\n", texts[t],
                   names[i], r.size, f.p->n, opt, r.solver_calls);
            smug_solve_result_clear(&r);
        }
        assert_int_equal(sizes[0], sizes[1]);
        assert_int_equal(sizes[0], opt);
        fixture_free(&f);
    }
    smug_solvers_free(reg);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solvers_reach_the_mip_optimum),
        cmocka_unit_test(test_z3_optimize),
        cmocka_unit_test(test_probing_closes_window_2),
        cmocka_unit_test(test_timeout_keeps_the_incumbent),
        cmocka_unit_test(test_broken_solvers_are_never_unsat),
        cmocka_unit_test(test_missing_solver_is_an_error),
        cmocka_unit_test(test_text_solvers_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
