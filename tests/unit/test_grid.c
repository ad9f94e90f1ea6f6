/* test_grid.c — the cell map (src/core/grid.c): which input positions one mask variable
 * switches, for images (1 and 3 channels), sequences (C, L) and flat vectors, with edge
 * cells smaller than the window, and the range check on the window. Every expectation is
 * computed here from the layout rule of grid.h (cell = r·cols + q covers rows
 * [r·win, min(H, (r+1)·win)) and columns [q·win, min(W, (q+1)·win)) of every channel). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/grid.h"
#include "testutil.h"

static smug_shape shape(int rank, int d0, int d1, int d2)
{
    smug_shape s;
    memset(&s, 0, sizeof s);
    s.rank = rank;
    s.dims[0] = d0;
    s.dims[1] = d1;
    s.dims[2] = d2;
    return s;
}

static int imin(int a, int b)
{
    return a < b ? a : b;
}

/* Checks a grid over a (c, h, w) input (already viewed as channels × rows × columns) with
 * window win against the rule of grid.h: the block counts, cell_of for every position,
 * the positions of every cell (exactly the expected set, in any order, each position in
 * exactly one cell), the position count of every cell and the largest cell. */
static void check_layout(const smug_shape *s, int c, int h, int w, int win)
{
    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_grid_init(&g, s, win, &err) != 0)
        fail_msg("grid_init %dx%dx%d win %d: %s", c, h, w, win, err.msg);
    int rows = (h + win - 1) / win, cols = (w + win - 1) / win;
    assert_int_equal(g.c, c);
    assert_int_equal(g.h, h);
    assert_int_equal(g.w, w);
    assert_int_equal(g.win, win);
    assert_int_equal(g.rows, rows);
    assert_int_equal(g.cols, cols);
    assert_int_equal(g.n_cells, rows * cols);

    size_t total = (size_t)c * (size_t)h * (size_t)w;
    for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                size_t idx = ((size_t)ch * (size_t)h + (size_t)y) * (size_t)w + (size_t)x;
                int want = (y / win) * cols + x / win;
                if (smug_grid_cell_of(&g, idx) != want)
                    fail_msg("win %d: position %zu (c %d, y %d, x %d) in cell %d, want %d", win,
                             idx, ch, y, x, smug_grid_cell_of(&g, idx), want);
            }

    int *seen = calloc(total, sizeof *seen);
    size_t cap = (size_t)c * (size_t)win * (size_t)win + 4;
    size_t *pos = malloc(cap * sizeof *pos);
    assert_true(seen && pos);
    size_t largest = 0;
    for (int cell = 0; cell < g.n_cells; cell++) {
        int r = cell / cols, q = cell % cols;
        int y0 = r * win, y1 = imin(h, (r + 1) * win), x0 = q * win, x1 = imin(w, (q + 1) * win);
        size_t want_n = (size_t)c * (size_t)(y1 - y0) * (size_t)(x1 - x0);
        size_t n = smug_grid_cell_positions(&g, cell, pos, cap);
        if (n != want_n)
            fail_msg("win %d: cell %d has %zu positions, want %zu", win, cell, n, want_n);
        largest = want_n > largest ? want_n : largest;
        for (size_t i = 0; i < n; i++) {
            assert_true(pos[i] < total);
            size_t in_plane = pos[i] % ((size_t)h * (size_t)w);
            int y = (int)(in_plane / (size_t)w), x = (int)(in_plane % (size_t)w);
            if (y < y0 || y >= y1 || x < x0 || x >= x1)
                fail_msg("win %d: cell %d lists position %zu (y %d, x %d) outside [%d,%d)x[%d,%d)",
                         win, cell, pos[i], y, x, y0, y1, x0, x1);
            seen[pos[i]]++;
        }
        /* a smaller buffer gets a prefix of the same list and the same total */
        if (n > 1) {
            size_t first = pos[0];
            pos[0] = (size_t)-1;
            assert_int_equal(smug_grid_cell_positions(&g, cell, pos, 1), n);
            assert_int_equal(pos[0], first);
            assert_int_equal(smug_grid_cell_positions(&g, cell, NULL, 0), n);
        }
    }
    for (size_t i = 0; i < total; i++)
        if (seen[i] != 1)
            fail_msg("win %d: position %zu is in %d cells", win, i, seen[i]);
    assert_int_equal(smug_grid_max_cell_size(&g), largest);
    free(seen);
    free(pos);
}

static void test_image_1x28x28(void **state)
{
    (void)state;
    smug_shape s = shape(3, 1, 28, 28);
    const int wins[] = {1, 2, 3, 4, 5, 7, 27, 28};
    for (size_t i = 0; i < sizeof wins / sizeof *wins; i++)
        check_layout(&s, 1, 28, 28, wins[i]);
}

/* Spot values written out by hand, in case the general check shared a mistake with the
 * code. */
static void test_image_known_values(void **state)
{
    (void)state;
    smug_shape s = shape(3, 1, 28, 28);
    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    size_t pos[16];

    assert_int_equal(smug_grid_init(&g, &s, 1, &err), 0);
    assert_int_equal(g.n_cells, 784);
    assert_int_equal(smug_grid_cell_of(&g, 783), 783);
    assert_int_equal(smug_grid_cell_positions(&g, 100, pos, 16), 1);
    assert_int_equal(pos[0], 100);
    assert_int_equal(smug_grid_max_cell_size(&g), 1);

    assert_int_equal(smug_grid_init(&g, &s, 2, &err), 0);
    assert_int_equal(g.n_cells, 196);
    assert_int_equal(smug_grid_cell_of(&g, 0), 0);
    assert_int_equal(smug_grid_cell_of(&g, 29), 0);          /* y 1, x 1 */
    assert_int_equal(smug_grid_cell_of(&g, 2 * 28 + 2), 15); /* y 2, x 2 → r 1, q 1 */
    assert_int_equal(smug_grid_cell_positions(&g, 15, pos, 16), 4);
    assert_int_equal(pos[0] + pos[1] + pos[2] + pos[3], 58 + 59 + 86 + 87);

    /* win 3: 10 × 10 blocks, the last row and column 1 pixel thick */
    assert_int_equal(smug_grid_init(&g, &s, 3, &err), 0);
    assert_int_equal(g.rows, 10);
    assert_int_equal(g.cols, 10);
    assert_int_equal(smug_grid_cell_positions(&g, 0, pos, 16), 9);
    assert_int_equal(smug_grid_cell_positions(&g, 9, pos, 16), 3);  /* right edge: 3 × 1 */
    assert_int_equal(smug_grid_cell_positions(&g, 90, pos, 16), 3); /* bottom edge: 1 × 3 */
    assert_int_equal(smug_grid_cell_positions(&g, 99, pos, 16), 1); /* corner */
    assert_int_equal(pos[0], 783);
    assert_int_equal(smug_grid_cell_of(&g, 27 * 28 + 27), 99);
    assert_int_equal(smug_grid_cell_of(&g, 26 * 28 + 27), 89);
    assert_int_equal(smug_grid_max_cell_size(&g), 9);

    /* win 28: the whole image is one cell */
    assert_int_equal(smug_grid_init(&g, &s, 28, &err), 0);
    assert_int_equal(g.n_cells, 1);
    assert_int_equal(smug_grid_cell_of(&g, 783), 0);
    assert_int_equal(smug_grid_cell_positions(&g, 0, NULL, 0), 784);
    assert_int_equal(smug_grid_max_cell_size(&g), 784);
}

/* A cell covers the same block in every channel. */
static void test_three_channels(void **state)
{
    (void)state;
    smug_shape s = shape(3, 3, 5, 7);
    for (int win = 1; win <= 7; win++)
        check_layout(&s, 3, 5, 7, win);

    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_grid_init(&g, &s, 2, &err), 0);
    assert_int_equal(g.n_cells, 3 * 4);
    size_t pos[32];
    /* cell 0: (y, x) in {0,1}² of channels 0, 1, 2 → 12 positions */
    assert_int_equal(smug_grid_cell_positions(&g, 0, pos, 32), 12);
    size_t want[] = {0, 1, 7, 8, 35, 36, 42, 43, 70, 71, 77, 78};
    for (size_t i = 0; i < 12; i++) {
        int found = 0;
        for (size_t j = 0; j < 12; j++)
            found |= pos[j] == want[i];
        if (!found)
            fail_msg("cell 0 lacks position %zu", want[i]);
    }
    /* the same pixel in channels 0 and 2 */
    assert_int_equal(smug_grid_cell_of(&g, 2 * 7 + 6), smug_grid_cell_of(&g, 70 + 2 * 7 + 6));
    assert_int_equal(smug_grid_cell_of(&g, 70 + 4 * 7 + 6), 11);
    assert_int_equal(smug_grid_max_cell_size(&g), 12);
}

/* Rank 2 (C, L): L positions with C features each, a cell is 1 × win positions of every
 * feature. */
static void test_sequence(void **state)
{
    (void)state;
    smug_shape s = shape(2, 4, 10, 0);
    for (int win = 1; win <= 10; win++)
        check_layout(&s, 4, 1, 10, win);

    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_grid_init(&g, &s, 3, &err), 0);
    assert_int_equal(g.rows, 1);
    assert_int_equal(g.cols, 4);
    assert_int_equal(smug_grid_cell_of(&g, 3 * 10 + 9), 3); /* feature 3, position 9 */
    assert_int_equal(smug_grid_cell_of(&g, 1 * 10 + 5), 1);
    assert_int_equal(smug_grid_cell_positions(&g, 3, NULL, 0), 4);
    assert_int_equal(smug_grid_cell_positions(&g, 0, NULL, 0), 12);
    assert_int_equal(smug_grid_max_cell_size(&g), 12);
}

/* Rank 1 (N): N positions of one channel. */
static void test_vector(void **state)
{
    (void)state;
    smug_shape s = shape(1, 13, 0, 0);
    for (int win = 1; win <= 13; win++)
        check_layout(&s, 1, 1, 13, win);

    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_grid_init(&g, &s, 5, &err), 0);
    assert_int_equal(g.c, 1);
    assert_int_equal(g.n_cells, 3);
    assert_int_equal(smug_grid_cell_of(&g, 12), 2);
    assert_int_equal(smug_grid_cell_positions(&g, 2, NULL, 0), 3);
    assert_int_equal(smug_grid_max_cell_size(&g), 5);
}

static void expect_usage(const smug_shape *s, int win, const char *needle)
{
    smug_grid g;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_grid_init(&g, s, win, &err) == 0)
        fail_msg("window %d accepted", win);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    if (!strstr(err.msg, "window"))
        fail_msg("message \"%s\" does not name the window", err.msg);
    if (!strstr(err.msg, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_window_out_of_range(void **state)
{
    (void)state;
    smug_shape img = shape(3, 1, 28, 28), seq = shape(2, 4, 10, 0), vec = shape(1, 13, 0, 0);
    expect_usage(&img, 0, "got 0");
    expect_usage(&img, -3, "got -3");
    expect_usage(&img, 29, "got 29");
    expect_usage(&img, 29, "28");
    expect_usage(&img, 1000000, "got 1000000");
    expect_usage(&seq, 11, "got 11");
    expect_usage(&seq, 0, "got 0");
    expect_usage(&vec, 14, "got 14");
    expect_usage(&vec, 14, "13");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_1x28x28),  cmocka_unit_test(test_image_known_values),
        cmocka_unit_test(test_three_channels), cmocka_unit_test(test_sequence),
        cmocka_unit_test(test_vector),         cmocka_unit_test(test_window_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
