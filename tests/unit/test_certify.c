/* test_certify.c — the exact checks of src/mask/certify.c and the exact row test of
 * problem.c:
 *  - a certificate worked out by hand holds, and the strict rows close an LP tie (the LP
 *    optimum equals the bound; only strictness rules the leaf out) that the same numbers
 *    with a weaker bound or no strict row do not;
 *  - multipliers that are negative, not finite or point outside the problem, and
 *    dominance pairs that do not dominate, are refused with a reason;
 *  - doubles are exact rationals: a row whose double sum rounds the wrong way (1e16 + 1 −
 *    1e16) is decided exactly, by smug_certify_row_sign and smug_mask_problem_satisfied,
 *    and a certificate that is off by one unit in the last place of t fails;
 *  - dominance and useless cells by the definitions of bounds.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "smug/certify.h"
#include "testutil.h"

static int check(smug_certifier *c, const int8_t *fix, int bound, const smug_cert *cert, char *why)
{
    return smug_certify_leaf(c, fix, bound, cert, why, 256);
}

/* m0 + m1 > 1 (both needed) and m1 + m2 > 0.5. */
static void test_by_hand_and_strictness(void **state)
{
    (void)state;
    const double a[] = {1, 1, 0, 0, 1, 1}, t[] = {1.0, 0.5};
    smug_mask_problem *p = tu_problem_from(2, 3, a, t);
    smug_certifier *c = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_certifier_new(p, &c, &err), 0);
    int8_t free3[3] = {-1, -1, -1};
    char why[256];
    int row0 = 0;
    double one = 1.0;
    /* y0 = 1, μ = 1: c = (0, 0, −1), max 0, rhs 1 − B */
    smug_cert cert = {1, &row0, &one, 0, NULL, NULL, NULL, 1.0};
    assert_true(check(c, free3, 0, &cert, why));
    /* B = 1: the LP reaches exactly 1 (m0 = m1 = 0.5 … or m0 = 1, m1 = 0 at the bound of ≥),
     * and max 0 ≤ rhs 0 holds only because row 0 is strict */
    assert_true(check(c, free3, 1, &cert, why));
    assert_false(check(c, free3, 2, &cert, why)); /* {m0, m1} is a mask of size 2 */
    assert_non_null(strstr(why, "not below"));
    /* the same combination without the strict row (its weight 0): refused at B = 1 */
    double zero = 0.0;
    smug_cert weak = {1, &row0, &zero, 0, NULL, NULL, NULL, 1.0};
    assert_false(check(c, free3, 1, &weak, why));
    /* a leaf with m0 fixed to 0: row 0 alone (y0 = 1, μ = 0) refutes it at any bound */
    int8_t fix0[3] = {0, -1, -1};
    smug_cert row_only = {1, &row0, &one, 0, NULL, NULL, NULL, 0.0};
    assert_true(check(c, fix0, 3, &row_only, why));
    assert_false(check(c, free3, 3, &row_only, why));
    /* two cells fixed to 1 exceed B = 1: the size row alone */
    int8_t two[3] = {1, 1, -1};
    smug_cert size_only = {0, NULL, NULL, 0, NULL, NULL, NULL, 1.0};
    assert_true(check(c, two, 1, &size_only, why));
    assert_false(check(c, two, 2, &size_only, why));
    smug_certifier_free(c);
    smug_mask_problem_free(p);
}

static void test_refuses_bad_multipliers(void **state)
{
    (void)state;
    const double a[] = {1, 1, 0, 0, 1, 1}, t[] = {1.0, 0.5};
    smug_mask_problem *p = tu_problem_from(2, 3, a, t);
    smug_certifier *c = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_certifier_new(p, &c, &err), 0);
    int8_t fix[3] = {-1, -1, -1};
    char why[256];
    int row0 = 0, row9 = 9;
    double neg = -1.0, inf = INFINITY, one = 1.0;
    smug_cert c1 = {1, &row0, &neg, 0, NULL, NULL, NULL, 1.0};
    assert_false(check(c, fix, 0, &c1, why));
    assert_non_null(strstr(why, "invalid"));
    smug_cert c2 = {1, &row0, &inf, 0, NULL, NULL, NULL, 1.0};
    assert_false(check(c, fix, 0, &c2, why));
    smug_cert c3 = {1, &row9, &one, 0, NULL, NULL, NULL, 1.0};
    assert_false(check(c, fix, 0, &c3, why));
    smug_cert c4 = {1, &row0, &one, 0, NULL, NULL, NULL, NAN};
    assert_false(check(c, fix, 0, &c4, why));
    /* m2 → m0 is no implication: cell 0 has 0 < 1 in row 1 */
    int from = 2, to = 0;
    smug_cert c5 = {1, &row0, &one, 1, &from, &to, &one, 1.0};
    assert_false(check(c, fix, 0, &c5, why));
    assert_non_null(strstr(why, "does not dominate"));
    smug_cert c6 = {1, &row0, &one, 0, NULL, NULL, NULL, 1.0};
    assert_false(check(c, fix, -1, &c6, why));
    smug_certifier_free(c);
    smug_mask_problem_free(p);
}

/* 1e16 + 1 − 1e16 is 1 exactly, 0 in double arithmetic. */
static void test_exact_rows(void **state)
{
    (void)state;
    const double a[] = {1e16, 1.0, -1e16}, t[] = {0.5};
    smug_mask_problem *p = tu_problem_from(1, 3, a, t);
    uint8_t all[3] = {1, 1, 1}, none[3] = {0, 0, 0};
    double naive = (a[0] + a[1]) + a[2];
    assert_true(naive == 0.0); /* the rounding this test is about */
    assert_int_equal(smug_certify_row_sign(p, 0, all), 1);
    assert_true(smug_mask_problem_satisfied(p, all));
    p->t[0] = 1.0; /* exactly on the threshold: strict, so no */
    assert_int_equal(smug_certify_row_sign(p, 0, all), 0);
    assert_false(smug_mask_problem_satisfied(p, all));
    p->t[0] = nextafter(1.0, 0.0);
    assert_true(smug_mask_problem_satisfied(p, all));
    assert_int_equal(smug_certify_row_sign(p, 0, none), -1);

    /* a certificate that needs t exactly: m0 + m1 > 1 has no mask of size 1 (a single cell
     * gives 1, not more), and the strict check says so; with t one ulp below 1 a single
     * cell is a mask, and the same certificate must fail */
    const double b2[] = {1.0, 1.0}, t2[] = {1.0};
    smug_mask_problem *q = tu_problem_from(1, 2, b2, t2);
    smug_certifier *c = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_certifier_new(q, &c, &err), 0);
    int8_t fix[2] = {-1, -1};
    int row0 = 0;
    double y = 1.0;
    char why[256];
    smug_cert cert = {1, &row0, &y, 0, NULL, NULL, NULL, 1.0};
    assert_true(smug_certify_leaf(c, fix, 1, &cert, why, sizeof why));
    q->t[0] = nextafter(1.0, 0.0);
    smug_certifier_free(c);
    assert_int_equal(smug_certifier_new(q, &c, &err), 0);
    assert_false(smug_certify_leaf(c, fix, 1, &cert, why, sizeof why));
    smug_certifier_free(c);
    smug_mask_problem_free(q);
    smug_mask_problem_free(p);
}

static void test_dominance_and_useless(void **state)
{
    (void)state;
    /* columns: c0 = (1, 2), c1 = (1, 1), c2 = (1, 2), c3 = (0, -1) */
    const double a[] = {1, 1, 1, 0, 2, 1, 2, -1}, t[] = {1, 1};
    smug_mask_problem *p = tu_problem_from(2, 4, a, t);
    assert_true(smug_certify_dominates(p, 0, 1));  /* ≥ everywhere, > in row 1 */
    assert_false(smug_certify_dominates(p, 1, 0)); /* the other way */
    assert_true(smug_certify_dominates(p, 0, 2));  /* equal columns: the lower index wins */
    assert_false(smug_certify_dominates(p, 2, 0));
    assert_false(smug_certify_dominates(p, 0, 0));
    assert_false(smug_certify_dominates(p, 0, 9));
    assert_true(smug_certify_useless(p, 3));
    assert_false(smug_certify_useless(p, 1));
    smug_mask_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand_and_strictness),
        cmocka_unit_test(test_refuses_bad_multipliers),
        cmocka_unit_test(test_exact_rows),
        cmocka_unit_test(test_dominance_and_useless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
