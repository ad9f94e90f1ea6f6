/* test_judge.c — what one solver answer proves (src/smt/judge.c, judge.h):
 *  - unsat counts only as the single clean answer with exit status 0: not with exit 1 (the
 *    issue's lying solver), not after sat, not twice, not with an (error …), not when the
 *    solver crashed or was stopped; a session's answer needs no status yet (its end does);
 *  - saved stdout (bundle .out files) has no status: unsat counts there, and the error the
 *    trailing (get-value …) of every bundle file provokes after it is accepted;
 *  - sat counts only with a model that satisfies every row exactly and the bound; variables
 *    the model leaves out are 0; a model from z3's and cvc5's real transcripts is read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>

#include "smug/judge.h"

/* m0 + m1 > 1.5 over cells (0,0) and (0,1): variables m_0_0 and m_0_1. */
static smug_mask_problem *two_cells(void)
{
    smug_mask_problem *p = smug_mask_problem_new(1, 2);
    assert_non_null(p);
    const double a[] = {1.0, 1.0};
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_mask_problem_set_dense(p, a, &err), 0);
    p->t[0] = 1.5;
    p->cell[0] = 0, p->cell[1] = 1;
    p->grid = (smug_grid){1, 1, 2, 1, 1, 2, 2};
    return p;
}

static smug_judged judge(const smug_mask_problem *p, const char *out, smug_proc_outcome how,
                         int code, int raw, int session)
{
    smug_process_result pr;
    memset(&pr, 0, sizeof pr);
    pr.outcome = how;
    pr.exit_code = how == SMUG_PROC_EXITED ? code : 0;
    pr.term_signal = how == SMUG_PROC_SIGNALED ? code : 0;
    pr.out.buf = (char *)out;
    pr.out.len = strlen(out);
    smug_judge_rules rules = {p, "liar", 2, raw, session};
    smug_solver_output o;
    smug_judged j;
    uint8_t m[2];
    smug_judge(&pr, &rules, &o, m, &j);
    smug_solver_output_clear(&o);
    return j;
}

static void test_clean_unsat_only(void **state)
{
    (void)state;
    smug_mask_problem *p = two_cells();
    assert_int_equal(judge(p, "unsat\n", SMUG_PROC_EXITED, 0, 0, 0).verdict, SMUG_JUDGE_UNSAT);
    smug_judged j = judge(p, "unsat\n", SMUG_PROC_EXITED, 1, 0, 0);
    assert_int_equal(j.verdict, SMUG_JUDGE_NOTHING);
    assert_non_null(strstr(j.note, "liar answered unsat but exited with status 1"));
    j = judge(p, "sat\nunsat\n", SMUG_PROC_EXITED, 0, 0, 0);
    assert_int_equal(j.verdict, SMUG_JUDGE_NOTHING);
    assert_non_null(strstr(j.note, "2 answers"));
    assert_int_equal(judge(p, "unsat\nunsat\n", SMUG_PROC_EXITED, 0, 0, 0).verdict,
                     SMUG_JUDGE_NOTHING);
    j = judge(p, "(error \"line 3: unknown constant m_9_9\")\nunsat\n", SMUG_PROC_EXITED, 0, 0, 0);
    assert_int_equal(j.verdict, SMUG_JUDGE_NOTHING);
    assert_non_null(strstr(j.note, "reported an error"));
    /* z3 after a (get-value …) that follows unsat: an error and status 1 */
    assert_int_equal(
        judge(p, "unsat\n(error \"model is not available\")\n", SMUG_PROC_EXITED, 1, 0, 0).verdict,
        SMUG_JUDGE_NOTHING);
    assert_int_equal(judge(p, "unsat\n", SMUG_PROC_SIGNALED, SIGSEGV, 0, 0).verdict,
                     SMUG_JUDGE_NOTHING);
    j = judge(p, "unsat\n", SMUG_PROC_TIMEOUT, 0, 0, 0);
    assert_int_equal(j.verdict, SMUG_JUDGE_NOTHING);
    assert_true(j.out_of_time);
    j = judge(p, "unknown\n", SMUG_PROC_EXITED, 0, 0, 0);
    assert_int_equal(j.verdict, SMUG_JUDGE_NOTHING);
    assert_true(j.out_of_time);
    assert_int_equal(judge(p, "", SMUG_PROC_EXITED, 0, 0, 0).verdict, SMUG_JUDGE_NOTHING);
    /* a session's answer block: the status comes at the session's end */
    assert_int_equal(judge(p, "unsat\n", SMUG_PROC_EXITED, 0, 0, 1).verdict, SMUG_JUDGE_UNSAT);
    assert_int_equal(judge(p, "sat\nunsat\n", SMUG_PROC_EXITED, 0, 0, 1).verdict,
                     SMUG_JUDGE_NOTHING);
    smug_mask_problem_free(p);
}

static void test_raw_outputs(void **state)
{
    (void)state;
    smug_mask_problem *p = two_cells();
    assert_int_equal(judge(p, "unsat\n(error \"line 9 column 10: model is not available\")\n",
                           SMUG_PROC_EXITED, 0, 1, 0)
                         .verdict,
                     SMUG_JUDGE_UNSAT);
    assert_int_equal(judge(p, "(error \"x\")\nunsat\n", SMUG_PROC_EXITED, 0, 1, 0).verdict,
                     SMUG_JUDGE_NOTHING);
    assert_int_equal(judge(p, "sat\nunsat\n", SMUG_PROC_EXITED, 0, 1, 0).verdict,
                     SMUG_JUDGE_NOTHING);
    uint8_t m[2];
    smug_reading r;
    smug_solve_read(p, "x.out", "unsat\n", 6, 1, 0, m, &r);
    assert_int_equal(r.kind, SMUG_READ_UNSAT);
    assert_int_equal(r.lower, 2);
    smug_solve_read(p, "x.out", "unsat\n", 6, 2, 1, m, &r); /* unsat to the optimum form */
    assert_int_equal(r.kind, SMUG_READ_NOTHING);
    smug_mask_problem_free(p);
}

static void test_models(void **state)
{
    (void)state;
    smug_mask_problem *p = two_cells();
    /* z3 dump_models=true and cvc5 --dump-models, as they print */
    const char *z3 = "sat\n(\n  (define-fun m_0_1 () Bool\n    true)\n  (define-fun m_0_0 () Bool\n"
                     "    true)\n  (define-fun size () Real\n    2.0)\n)\n";
    const char *cvc5 = "sat\n(\n(define-fun m_0_0 () Bool true)\n(define-fun m_0_1 () Bool true)\n"
                       "(define-fun size () Real 2.0)\n)\n";
    assert_int_equal(judge(p, z3, SMUG_PROC_EXITED, 0, 0, 0).verdict, SMUG_JUDGE_SAT);
    assert_int_equal(judge(p, cvc5, SMUG_PROC_EXITED, 0, 0, 0).verdict, SMUG_JUDGE_SAT);
    /* a model is checked, not believed: m_0_1 left out is 0, and then the row fails */
    smug_judged j = judge(p, "sat\n((m_0_0 true))\n", SMUG_PROC_EXITED, 0, 0, 0);
    assert_int_equal(j.verdict, SMUG_JUDGE_NOTHING);
    assert_non_null(strstr(j.note, "violates a row"));
    j = judge(p, "sat\n", SMUG_PROC_EXITED, 0, 0, 0);
    assert_non_null(strstr(j.note, "without a model"));
    /* a sat model needs no clean exit: it is checked exactly */
    assert_int_equal(judge(p, z3, SMUG_PROC_EXITED, 1, 0, 0).verdict, SMUG_JUDGE_SAT);
    smug_mask_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_unsat_only),
        cmocka_unit_test(test_raw_outputs),
        cmocka_unit_test(test_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
