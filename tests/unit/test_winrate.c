/* test_winrate.c — Win% (src/eval/winrate.c): a clear winner per input, ties within the
 * tolerance split the win, a method left out of the comparison (OptBox) neither wins nor
 * takes wins away, NaN never wins, and shares add up to 1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "smug/winrate.h"
#include "testutil.h"

/* methods: SMUG, IG, Grad-CAM, OptBox (not competing) */
static void test_wins_ties_and_exclusion(void **state)
{
    (void)state;
    const double nan = NAN;
    const double lsc[] = {
        -1.0, 0.5,        0.2,        -9.0, /* SMUG wins (OptBox is better but does not compete) */
        0.3,  -0.2,       0.1,        -1.0, /* IG wins */
        0.4,  0.4,        0.4,        0.0,  /* three-way tie: 1/3 each */
        0.2,  0.2 + 1e-9, 0.2 + 1e-3, 0.0,  /* IG within tol of SMUG: 1/2 each; Grad-CAM not */
        nan,  1.0,        nan,        0.0,  /* SMUG failed: IG wins alone */
        nan,  nan,        nan,        0.0,  /* nothing to compare: not counted */
    };
    const uint8_t compete[4] = {1, 1, 1, 0};
    double share[4];
    int counted = -1;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_winrate(lsc, 6, 4, compete, 1e-6, share, &counted, &err), 0);
    assert_int_equal(counted, 5);
    tu_assert_close(share[0], (1.0 + 1.0 / 3 + 0.5) / 5, 1e-12);
    tu_assert_close(share[1], (1.0 + 1.0 / 3 + 0.5 + 1.0) / 5, 1e-12);
    tu_assert_close(share[2], (1.0 / 3) / 5, 1e-12);
    assert_true(isnan(share[3]));
    tu_assert_close(share[0] + share[1] + share[2], 1.0, 1e-12);

    /* tol 0: the 1e-9 gap decides, SMUG takes that input alone */
    assert_int_equal(smug_winrate(lsc, 6, 4, compete, 0.0, share, NULL, &err), 0);
    tu_assert_close(share[0], (1.0 + 1.0 / 3 + 1.0) / 5, 1e-12);
}

/* The shares do not depend on the order of the methods. */
static void test_order_does_not_matter(void **state)
{
    (void)state;
    const double a[] = {0.1, 0.1, 0.5, 0.3, 0.2, 0.2, 0.9, 0.1, 0.1};
    double b[9], sa[3], sb[3];
    for (int i = 0; i < 3; i++)
        for (int m = 0; m < 3; m++)
            b[i * 3 + m] = a[i * 3 + (2 - m)];
    const uint8_t all[3] = {1, 1, 1};
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_winrate(a, 3, 3, all, 0.0, sa, NULL, &err), 0);
    assert_int_equal(smug_winrate(b, 3, 3, all, 0.0, sb, NULL, &err), 0);
    for (int m = 0; m < 3; m++)
        tu_assert_close(sa[m], sb[2 - m], 1e-15);
}

static void test_errors(void **state)
{
    (void)state;
    const double lsc[2] = {0.0, 1.0};
    const uint8_t none[2] = {0, 0}, both[2] = {1, 1};
    double share[2];
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_winrate(lsc, 1, 2, none, 0.0, share, NULL, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_string_equal(err.msg, "win%: no method competes");
    assert_int_equal(smug_winrate(lsc, 1, 2, both, -1.0, share, NULL, &err), -1);
    assert_string_equal(err.msg, "win%: tie tolerance must be >= 0: got -1");
    int counted = -1;
    assert_int_equal(smug_winrate(lsc, 0, 2, both, 0.0, share, &counted, &err), 0);
    assert_int_equal(counted, 0);
    assert_true(isnan(share[0]) && isnan(share[1]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wins_ties_and_exclusion),
        cmocka_unit_test(test_order_does_not_matter),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
