/* test_cbc.c — CBC as a back end (smt/cbc.c): its transcripts read back (real CBC 2.10.8
 * output in tests/data/cbc), and smug_solve with solvers/cbc.yaml on a small mask problem:
 * the mask is checked against the rows, and CBC's "Optimal" never becomes a proved bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/bounds.h"
#include "smug/cbc.h"
#include "smug/fsutil.h"
#include "smug/problem.h"
#include "smug/registry.h"
#include "testutil.h"

static char *read_fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/cbc/%s", SMUG_SOURCE_DIR, name);
    unsigned char *data;
    size_t len;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_fs_read_all(path, &data, &len, &err) < 0)
        fail_msg("%s", err.msg);
    return (char *)data;
}

static void test_read_optimal(void **state)
{
    (void)state;
    char *text = read_fixture("optimal.out");
    uint8_t mask[3];
    char claim[32];
    assert_int_equal(smug_cbc_read(text, 3, mask, claim, sizeof claim), 1);
    assert_string_equal(claim, "Optimal");
    assert_int_equal(mask[0], 1);
    assert_int_equal(mask[1], 0);
    assert_int_equal(mask[2], 1);
    free(text);
}

static void test_read_infeasible_has_no_solution(void **state)
{
    (void)state;
    char *text = read_fixture("infeasible.out");
    uint8_t mask[2] = {7, 7};
    char claim[32];
    assert_int_equal(smug_cbc_read(text, 2, mask, claim, sizeof claim), 0);
    assert_string_equal(claim, "Infeasible");
    assert_int_equal(mask[0], 0);
    assert_int_equal(mask[1], 0);
    free(text);
}

static void test_read_garbage(void **state)
{
    (void)state;
    uint8_t mask[2];
    char claim[32];
    assert_int_equal(smug_cbc_read("", 2, mask, claim, sizeof claim), 0);
    assert_string_equal(claim, "");
    /* a row naming a variable the problem does not have is ignored */
    assert_int_equal(
        smug_cbc_read("      0 x7  1  1\n  1 x1 1 1 trailing\n", 2, mask, claim, sizeof claim), 0);
}

/* k rows over n ≤ 16 cells, coefficients in [-0.3, 1) from a fixed seed, thresholds at
 * 40 % of each row's positive mass (so the whole input satisfies it). */
static smug_mask_problem *random_problem(int k, int n, unsigned long long seed)
{
    smug_mask_problem *p = smug_mask_problem_new(k, n);
    assert_non_null(p);
    p->gamma = 0.5;
    p->grid = (smug_grid){1, 1, n, 1, 1, n, n};
    tu_rng r = {seed};
    for (int i = 0; i < n; i++)
        p->cell[i] = i;
    for (int j = 0; j < k; j++) {
        double pos = 0.0;
        for (int i = 0; i < n; i++) {
            double a = tu_rng_unit(&r) * 1.3 - 0.3;
            tu_set_coef(p, j, i, a);
            pos += a > 0 ? a : 0.0;
        }
        p->neuron[j] = j, p->o[j] = 1.0, p->t[j] = 0.4 * pos;
    }
    return p;
}

/* The exact optimum by brute force over every subset. */
static int min_mask_size(const smug_mask_problem *p)
{
    int best = p->n + 1;
    uint8_t m[16];
    for (unsigned s = 0; s < 1u << p->n; s++) {
        for (int i = 0; i < p->n; i++)
            m[i] = (uint8_t)(s >> i & 1u);
        if (smug_mask_count(m, p->n) < best && smug_mask_problem_satisfied(p, m))
            best = smug_mask_count(m, p->n);
    }
    return best;
}

/* Random problems of 3 rows over 14 cells: CBC finds the optimum, smug checks it against
 * the rows, and the proved lower bound stays the C side's whatever CBC claims. */
static void test_solve_with_cbc(void **state)
{
    (void)state;
    if (access("/usr/bin/cbc", X_OK) != 0)
        tu_skip("/usr/bin/cbc is not installed (Debian coinor-cbc)");
    smug_solvers *reg = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_solvers_load(NULL, &reg, &err), 0);
    const smug_solver *cbc = smug_solvers_find(reg, "cbc");
    assert_non_null(cbc);
    smug_mask_problem *p = NULL;
    smug_bounds b;
    smug_solve_options o = {SMUG_STRATEGY_AUTO, 10.0, 1024, "test", 0, NULL, 0, 0.5, 0.0};
    int calls = 0;
    for (unsigned long long seed = 1; seed <= 5; seed++) {
        if (p) {
            smug_bounds_clear(&b);
            smug_mask_problem_free(p);
        }
        p = random_problem(3, 14, seed);
        assert_int_equal(smug_bounds_compute(p, &b, &err), 0);
        smug_solve_result r;
        assert_int_equal(smug_solve(p, &b, cbc, &o, &r, &err), 0);
        assert_true(smug_mask_problem_satisfied(p, r.mask));
        assert_int_equal(smug_mask_count(r.mask, p->n), r.size);
        assert_true(r.size <= b.upper);
        assert_int_equal(r.lower, b.lower); /* never raised by CBC's claim */
        if (r.status == SMUG_SOLVE_OPTIMAL) {
            assert_string_equal(r.proved_by, "certificate");
        } else {
            assert_null(r.proved_by);
            assert_non_null(strstr(r.note, "a floating-point claim, not a proof"));
        }
        assert_int_equal(r.size, min_mask_size(p));
        calls += r.solver_calls;
        smug_solve_result_clear(&r);
    }
    assert_true(calls > 0); /* the bounds did not close them all: CBC was asked */

    o.strategy = SMUG_STRATEGY_TIGHTEN;
    smug_solve_result r;
    assert_int_equal(smug_solve(p, &b, cbc, &o, &r, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "its only strategy is optimize"));
    smug_bounds_clear(&b);
    smug_mask_problem_free(p);
    smug_solvers_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_optimal),
        cmocka_unit_test(test_read_infeasible_has_no_solution),
        cmocka_unit_test(test_read_garbage),
        cmocka_unit_test(test_solve_with_cbc),
    };
    return tu_exit_status(cmocka_run_group_tests(tests, NULL, NULL));
}
