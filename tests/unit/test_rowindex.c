/* test_rowindex.c — the index lists of mask/rowindex.c against the dense coefficients: each
 * cell's nonzero rows and each row's positive cells, complete and in increasing order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "smug/problem.h"
#include "smug/rowindex.h"
#include "testutil.h"

static double at(const smug_mask_problem *p, int j, int i)
{
    return smug_mask_problem_coef(p, j, i);
}

static void check(const smug_mask_problem *p, const smug_row_index *ix)
{
    for (int i = 0; i < p->n; i++) { /* cell i: exactly its nonzero rows, increasing */
        size_t e = ix->col_start[i];
        for (int j = 0; j < p->k; j++)
            if (at(p, j, i) != 0.0) {
                assert_true(e < ix->col_start[i + 1]);
                assert_int_equal(ix->col_row[e++], j);
            }
        assert_true(e == ix->col_start[i + 1]);
    }
    for (int j = 0; j < p->k; j++) { /* row j: exactly its positive cells, increasing */
        size_t e = ix->pos_start[j];
        for (int i = 0; i < p->n; i++)
            if (at(p, j, i) > 0.0) {
                assert_true(e < ix->pos_start[j + 1]);
                assert_int_equal(ix->pos_cell[e++], i);
            }
        assert_true(e == ix->pos_start[j + 1]);
    }
}

static void test_random(void **state)
{
    (void)state;
    tu_rng rng = {20261203};
    for (int trial = 0; trial < 200; trial++) {
        int k = (int)tu_rng_below(&rng, 12), n = (int)tu_rng_below(&rng, 30);
        smug_mask_problem *p = smug_mask_problem_new(k, n);
        assert_non_null(p);
        double *a = calloc((size_t)k * (size_t)n + 1, sizeof *a);
        assert_non_null(a);
        for (size_t x = 0; x < (size_t)k * (size_t)n; x++) {
            double u = tu_rng_unit(&rng); /* mostly zero, as a conv row is */
            a[x] = u < 0.6 ? 0.0 : u < 0.8 ? -u : u;
        }
        tu_set_dense(p, a);
        free(a);
        smug_row_index ix;
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_row_index_build(p, &ix, &err), 0);
        check(p, &ix);
        smug_row_index_free(&ix);
        smug_mask_problem_free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_random)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
