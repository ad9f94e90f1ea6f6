/* test_resize.c — crop + bilinear resize (src/core/resize.c) against numbers printed by
 * torch 1.13's F.interpolate(mode="bilinear", align_corners=False) in float64 (the
 * convention resize.h promises), plus the identity and the box checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "smug/resize.h"
#include "testutil.h"

/* torch: F.interpolate([[1,2],[3,4]], size=(4,4)) */
static void test_two_by_two_to_four(void **state)
{
    (void)state;
    const float src[4] = {1, 2, 3, 4};
    const float want[16] = {1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f,
                            2.5f, 2.75f, 3.25f, 3.5f, 3.0f, 3.25f, 3.75f, 4.0f};
    float got[16];
    smug_box all = {0, 0, 2, 2};
    smug_resize_bilinear(src, 1, 2, 2, &all, 4, 4, got);
    for (int i = 0; i < 16; i++)
        tu_assert_close(got[i], want[i], 1e-6);
}

/* torch: img[1:4, 0:3] of the 4x5 image below resized to 5x7 (non-square, uneven scale in
 * each direction, and a crop that does not start at the origin); the second channel is
 * twice the first, so both planes are checked. */
static void test_crop_matches_torch(void **state)
{
    (void)state;
    const float plane[20] = {0, 7, 3, 10, 6, 3, 0, 8, 5, 2, 1, 10, 8, 6, 4, 5, 4, 3, 2, 1};
    const double want[35] = {3,   2.571428571, 1.285714286, 0,   3.428571429, 6.857142857, 8,
                             2.2, 2.457142857, 3.228571429, 4,   5.714285714, 7.428571429, 8,
                             1,   2.285714286, 6.142857143, 10,  9.142857143, 8.285714286, 8,
                             3.4, 3.828571429, 5.114285714, 6.4, 5.8,         5.2,         5,
                             5,   4.857142857, 4.428571429, 4,   3.571428571, 3.142857143, 3};
    float src[40], got[70];
    for (int i = 0; i < 20; i++) {
        src[i] = plane[i];
        src[20 + i] = 2.0f * plane[i];
    }
    smug_box b = {1, 0, 4, 3};
    smug_resize_bilinear(src, 2, 4, 5, &b, 5, 7, got);
    for (int i = 0; i < 35; i++) {
        tu_assert_close(got[i], want[i], 1e-5);
        tu_assert_close(got[35 + i], 2.0 * want[i], 2e-5);
    }
}

/* A crop resized to its own size is the crop, bit for bit. */
static void test_same_size_is_identity(void **state)
{
    (void)state;
    float src[6 * 7], got[3 * 4];
    for (int i = 0; i < 42; i++)
        src[i] = (float)sin(i * 0.7);
    smug_box b = {2, 1, 5, 5};
    smug_resize_bilinear(src, 1, 6, 7, &b, 3, 4, got);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 4; x++)
            assert_true(got[y * 4 + x] == src[(y + 2) * 7 + x + 1]);
}

static void test_box_checks(void **state)
{
    (void)state;
    smug_box ok = {0, 0, 28, 28}, empty = {3, 3, 3, 5}, out = {0, 0, 29, 28}, neg = {-1, 0, 2, 2};
    assert_true(smug_box_valid(&ok, 28, 28));
    assert_false(smug_box_valid(&empty, 28, 28));
    assert_false(smug_box_valid(&out, 28, 28));
    assert_false(smug_box_valid(&neg, 28, 28));
    assert_int_equal(smug_box_area(&ok), 784);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_by_two_to_four),
        cmocka_unit_test(test_crop_matches_torch),
        cmocka_unit_test(test_same_size_is_identity),
        cmocka_unit_test(test_box_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
