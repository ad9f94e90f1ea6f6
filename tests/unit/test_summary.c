/* test_summary.c — the per-method rows of `smug eval` (src/eval/summary.c): mean, sample
 * standard deviation, Win% with ties and failed methods, and the NaN conventions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "smug/summary.h"
#include "testutil.h"

/* 3 inputs × 3 methods (a, b, box); box does not compete. */
static void test_mean_sd_win(void **state)
{
    (void)state;
    double lsc[] = {1.0, 2.0, 0.0, /* a wins */
                    3.0, 3.0, 0.0, /* a and b tie: half each */
                    5.0, 1.0, 0.0 /* b wins */};
    double sp[] = {0.1, 0.2, 0.5, 0.3, 0.2, 0.5, 0.2, 0.2, 0.5};
    double sec[] = {1, 2, 3, 1, 2, 3, 1, 2, 3};
    uint8_t compete[] = {1, 1, 0};
    smug_summary s[3];
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_summarize(lsc, sp, sec, 3, 3, compete, s, &err), 0);
    assert_int_equal(s[0].n, 3);
    tu_assert_close(s[0].lsc_mean, 3.0, 1e-12);
    tu_assert_close(s[0].lsc_sd, 2.0, 1e-12); /* (4 + 0 + 4) / 2 = 4 */
    tu_assert_close(s[0].win, 0.5, 1e-12);
    tu_assert_close(s[1].win, 0.5, 1e-12);
    assert_true(isnan(s[2].win));
    tu_assert_close(s[0].sparsity_mean, 0.2, 1e-12);
    tu_assert_close(s[1].seconds_mean, 2.0, 1e-12);
    tu_assert_close(s[2].lsc_sd, 0.0, 0.0);
}

/* A failed method (NaN) is left out of its mean and never wins. */
static void test_failed_inputs(void **state)
{
    (void)state;
    double lsc[] = {NAN, 2.0, 1.0, 3.0};
    double sp[] = {NAN, 0.5, 0.25, 0.5};
    double sec[] = {9.0, 1.0, 1.0, 1.0};
    uint8_t compete[] = {1, 1};
    smug_summary s[2];
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_summarize(lsc, sp, sec, 2, 2, compete, s, &err), 0);
    assert_int_equal(s[0].n, 1);
    tu_assert_close(s[0].lsc_mean, 1.0, 0.0);
    tu_assert_close(s[0].lsc_sd, 0.0, 0.0);
    tu_assert_close(s[0].seconds_mean, 1.0, 0.0); /* the failed input's 9 s is not counted */
    tu_assert_close(s[0].win, 0.5, 0.0);          /* input 1 */
    tu_assert_close(s[1].win, 0.5, 0.0);          /* input 0, where method 0 failed */
    tu_assert_close(s[1].lsc_sd, sqrt(0.5), 1e-12);
}

static void test_no_inputs_and_errors(void **state)
{
    (void)state;
    uint8_t compete[] = {1};
    smug_summary s[1];
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_summarize(NULL, NULL, NULL, 0, 1, compete, s, &err), 0);
    assert_int_equal(s[0].n, 0);
    assert_true(isnan(s[0].lsc_mean) && isnan(s[0].lsc_sd) && isnan(s[0].win));
    uint8_t none[] = {0};
    double v[] = {1.0};
    assert_int_equal(smug_summarize(v, v, v, 1, 1, none, s, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
}

/* smug_mean_sd: NaN skipped, sample sd, stride, the empty and single cases. */
static void test_mean_sd(void **state)
{
    (void)state;
    double v[] = {1.0, 9.0, NAN, 9.0, 3.0, 9.0, 5.0, 9.0};
    double mean, sd;
    int n;
    smug_mean_sd(v, 4, 2, &mean, &sd, &n); /* 1, NaN, 3, 5 */
    assert_int_equal(n, 3);
    assert_true(fabs(mean - 3.0) < 1e-12 && fabs(sd - 2.0) < 1e-12);
    smug_mean_sd(v, 1, 1, &mean, &sd, &n);
    assert_true(n == 1 && mean == 1.0 && sd == 0.0);
    smug_mean_sd(v + 2, 1, 1, &mean, &sd, &n);
    assert_true(n == 0 && isnan(mean) && isnan(sd));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mean_sd_win),
        cmocka_unit_test(test_failed_inputs),
        cmocka_unit_test(test_no_inputs_and_errors),
        cmocka_unit_test(test_mean_sd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
