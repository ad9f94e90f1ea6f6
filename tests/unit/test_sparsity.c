/* test_sparsity.c — the fraction of the image a mask keeps (src/eval/sparsity.c): pixel
 * masks, and cell masks whose clipped edge cells count for the pixels they hold. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "smug/grid.h"
#include "smug/sparsity.h"
#include "testutil.h"

static void test_pixel_mask(void **state)
{
    (void)state;
    uint8_t keep[784];
    memset(keep, 0, sizeof keep);
    tu_assert_close(smug_sparsity(keep, 784), 0.0, 0.0);
    for (int p = 0; p < 78; p++)
        keep[p * 10] = (uint8_t)(p % 2 ? 1 : 255); /* any nonzero value is kept */
    tu_assert_close(smug_sparsity(keep, 784), 78.0 / 784.0, 1e-15);
    memset(keep, 1, sizeof keep);
    tu_assert_close(smug_sparsity(keep, 784), 1.0, 0.0);
    tu_assert_close(smug_sparsity(keep, 0), 0.0, 0.0);
}

/* 28×28 with window 8: 4×4 cells, the last row and column of cells 4 pixels wide. The
 * expectation counts pixels one by one through grid.h's cell_of. */
static void test_cell_mask_counts_pixels(void **state)
{
    (void)state;
    smug_shape s = {3, {1, 28, 28}};
    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_grid_init(&g, &s, 8, &err), 0);
    assert_int_equal(g.n_cells, 16);
    uint8_t mask[16] = {0};
    mask[0] = 1;  /* 8×8 = 64 */
    mask[3] = 1;  /* 8×4 = 32 */
    mask[15] = 1; /* 4×4 = 16 */
    int kept = 0;
    for (size_t p = 0; p < 784; p++)
        kept += mask[smug_grid_cell_of(&g, p)];
    assert_int_equal(kept, 112);
    tu_assert_close(smug_sparsity_cells(&g, mask), 112.0 / 784.0, 1e-15);
    memset(mask, 1, sizeof mask);
    tu_assert_close(smug_sparsity_cells(&g, mask), 1.0, 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pixel_mask),
        cmocka_unit_test(test_cell_mask_counts_pixels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
