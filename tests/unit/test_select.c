/* test_select.c — smug_select_topk (src/explain/select.c) on hand-made arrays. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "smug/select.h"
#include "testutil.h"

static void test_orders_by_decreasing_ig(void **state)
{
    (void)state;
    const float pre[] = {1, 1, 1, 1, 1};
    const float ig[] = {0.1f, 0.5f, 0.3f, 0.9f, 0.2f};
    int out[5];
    assert_int_equal(smug_select_topk(pre, ig, 5, 3, out), 3);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 2);
    assert_int_equal(smug_select_topk(pre, ig, 5, 5, out), 5);
    const int all[] = {3, 1, 2, 4, 0};
    assert_memory_equal(out, all, sizeof all);
}

static void test_excludes_inactive_and_nonpositive_ig(void **state)
{
    (void)state;
    /* idx:              0     1      2     3     4      5     6 */
    const float pre[] = {-1.0f, 2.0f, 0.0f, 3.0f, 1.0f, 1.0f, 5.0f};
    const float ig[] = {9.0f, -0.5f, 8.0f, 0.0f, 0.25f, 0.75f, -0.0f};
    /* 0: negative pre-activation; 2: zero pre-activation (ReLU inactive); 1: negative IG;
     * 3 and 6: zero IG. Only 4 and 5 qualify. */
    int out[7];
    memset(out, 0xff, sizeof out);
    assert_int_equal(smug_select_topk(pre, ig, 7, 7, out), 2);
    assert_int_equal(out[0], 5);
    assert_int_equal(out[1], 4);
    assert_int_equal(out[2], -1); /* nothing written past the returned count */
}

static void test_ties_go_to_lower_index(void **state)
{
    (void)state;
    const float pre[] = {1, 1, 1, 1, 1, 1};
    const float ig[] = {0.5f, 0.7f, 0.5f, 0.7f, 0.5f, 0.1f};
    int out[6];
    assert_int_equal(smug_select_topk(pre, ig, 6, 4, out), 4);
    const int want[] = {1, 3, 0, 2};
    assert_memory_equal(out, want, sizeof want);
    /* k cuts inside a tie: the lower index wins */
    assert_int_equal(smug_select_topk(pre, ig, 6, 3, out), 3);
    assert_int_equal(out[2], 0);
    /* many equal values: must come out in index order whatever qsort does */
    enum { N = 257 };
    float p2[N], g2[N];
    int o2[N];
    for (int i = 0; i < N; i++)
        p2[i] = 1.0f, g2[i] = 1.0f;
    assert_int_equal(smug_select_topk(p2, g2, N, N, o2), N);
    for (int i = 0; i < N; i++)
        assert_int_equal(o2[i], i);
}

static void test_k_larger_than_candidates(void **state)
{
    (void)state;
    const float pre[] = {1, -1, 1};
    const float ig[] = {0.2f, 0.9f, 0.4f};
    int out[10];
    assert_int_equal(smug_select_topk(pre, ig, 3, 10, out), 2);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 0);
    /* no candidate at all, and n = 0 */
    const float neg[] = {-1, -2, -3};
    assert_int_equal(smug_select_topk(neg, ig, 3, 10, out), 0);
    assert_int_equal(smug_select_topk(pre, ig, 0, 10, out), 0);
    /* k = 0 selects nothing */
    assert_int_equal(smug_select_topk(pre, ig, 3, 0, out), 0);
}

static void test_nan_is_never_selected(void **state)
{
    (void)state;
    /* NaN compares false with everything: it is neither a positive pre-activation nor a
     * positive attribution, so it must not be selected (and must not upset the sort). */
    const float pre[] = {1, NAN, 1, 1};
    const float ig[] = {NAN, 0.5f, 0.25f, 0.75f};
    int out[4];
    assert_int_equal(smug_select_topk(pre, ig, 4, 4, out), 2);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 2);
}

static void test_large_random_matches_brute_force(void **state)
{
    (void)state;
    enum { N = 5000, K = 50 };
    static float pre[N], ig[N];
    static int out[K];
    tu_rng rng = {12345};
    for (int i = 0; i < N; i++) {
        pre[i] = (float)(tu_rng_unit(&rng) - 0.3);
        /* quantised so ties occur */
        ig[i] = (float)((int)(tu_rng_unit(&rng) * 200.0) - 60) / 100.0f;
    }
    assert_int_equal(smug_select_topk(pre, ig, N, K, out), K);
    /* brute force: repeatedly pick the best remaining (largest ig, then lowest index) */
    static char used[N];
    memset(used, 0, sizeof used);
    for (int r = 0; r < K; r++) {
        int best = -1;
        for (int i = 0; i < N; i++)
            if (!used[i] && pre[i] > 0 && ig[i] > 0 && (best < 0 || ig[i] > ig[best]))
                best = i;
        assert_true(best >= 0);
        used[best] = 1;
        assert_int_equal(out[r], best);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders_by_decreasing_ig),
        cmocka_unit_test(test_excludes_inactive_and_nonpositive_ig),
        cmocka_unit_test(test_ties_go_to_lower_index),
        cmocka_unit_test(test_k_larger_than_candidates),
        cmocka_unit_test(test_nan_is_never_selected),
        cmocka_unit_test(test_large_random_matches_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
