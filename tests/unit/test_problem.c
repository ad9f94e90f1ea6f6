/* test_problem.c — the mask problem's sparse storage (mask/problem.c): rows given in any
 * order come out sorted, zeros dropped, the column lists mirror the rows, the one random
 * access agrees with a dense reference, bad rows are refused with a message naming the row,
 * and the facts read through the columns (dominance, useless cells) and the row sums are
 * the ones a dense loop gives, to the bit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/certify.h"
#include "smug/problem.h"
#include "testutil.h"

/* A k × n dense matrix, mostly zero as a conv row is, with some negative entries. */
static double *random_dense(tu_rng *rng, int k, int n)
{
    double *a = calloc((size_t)k * (size_t)n + 1, sizeof *a);
    assert_non_null(a);
    for (size_t x = 0; x < (size_t)k * (size_t)n; x++) {
        double u = tu_rng_unit(rng);
        a[x] = u < 0.5 ? 0.0 : u < 0.7 ? -u : u < 0.8 ? 0.5 : u; /* ties: dominance by index */
    }
    return a;
}

/* The rows and columns of p hold exactly the nonzeros of a, in increasing order. */
static void check_lists(const smug_mask_problem *p, const double *a)
{
    size_t nz = 0;
    for (int j = 0; j < p->k; j++) {
        size_t e = p->row_start[j];
        for (int i = 0; i < p->n; i++) {
            double v = a[(size_t)j * (size_t)p->n + (size_t)i];
            assert_true(smug_mask_problem_coef(p, j, i) == v);
            if (v == 0.0)
                continue;
            nz++;
            assert_true(e < p->row_start[j + 1]);
            assert_int_equal(p->row_var[e], i);
            assert_true(p->row_coef[e++] == v);
        }
        assert_true(e == p->row_start[j + 1]);
    }
    assert_true(nz == p->nnz);
    for (int i = 0; i < p->n; i++) {
        size_t e = p->col_start[i];
        for (int j = 0; j < p->k; j++) {
            double v = a[(size_t)j * (size_t)p->n + (size_t)i];
            if (v == 0.0)
                continue;
            assert_true(e < p->col_start[i + 1]);
            assert_int_equal(p->col_row[e], j);
            assert_true(p->col_coef[e++] == v);
        }
        assert_true(e == p->col_start[i + 1]);
    }
}

/* Rows handed over shuffled and with explicit zeros are sorted and pruned. */
static void test_set_rows_sorts(void **state)
{
    (void)state;
    tu_rng rng = {20261203};
    for (int trial = 0; trial < 200; trial++) {
        int k = (int)tu_rng_below(&rng, 9), n = 1 + (int)tu_rng_below(&rng, 25);
        double *a = random_dense(&rng, k, n);
        size_t *start = calloc((size_t)k + 1, sizeof *start);
        int *var = malloc(((size_t)k * (size_t)n + 1) * sizeof *var);
        double *coef = malloc(((size_t)k * (size_t)n + 1) * sizeof *coef);
        assert_true(start && var && coef);
        size_t at = 0;
        for (int j = 0; j < k; j++) { /* every entry, zeros too, in a shuffled order */
            start[j] = at;
            for (int i = 0; i < n; i++)
                var[at] = i, coef[at] = a[(size_t)j * (size_t)n + (size_t)i], at++;
            for (size_t e = at - 1; e > start[j]; e--) {
                size_t f = start[j] + tu_rng_below(&rng, e - start[j] + 1);
                int tv = var[e];
                double tc = coef[e];
                var[e] = var[f], coef[e] = coef[f], var[f] = tv, coef[f] = tc;
            }
        }
        start[k] = at;
        smug_mask_problem *p = tu_tiny_problem(k, n);
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_mask_problem_set_rows(p, start, var, coef, &err), 0);
        check_lists(p, a);
        assert_true(smug_mask_problem_bytes(p) >= p->nnz * 2 * (sizeof(int) + sizeof(double)));
        smug_mask_problem_free(p);
        free(a), free(start), free(var), free(coef);
    }
}

static void expect_refused(smug_mask_problem *p, const size_t *start, const int *var,
                           const double *coef, const char *msg)
{
    smug_error err = SMUG_ERROR_INIT;
    size_t nnz = p->nnz;
    assert_int_equal(smug_mask_problem_set_rows(p, start, var, coef, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_INTERNAL);
    assert_string_equal(err.msg, msg);
    assert_true(p->nnz == nnz); /* unchanged: the old rows stay */
    assert_true(smug_mask_problem_coef(p, 0, 0) == 1.0);
}

static void test_set_rows_refuses(void **state)
{
    (void)state;
    smug_mask_problem *p = tu_tiny_problem(2, 3);
    const double dense[] = {1.0, 0.0, 2.0, 0.0, 3.0, 0.0};
    tu_set_dense(p, dense);
    const size_t start[] = {0, 2, 3};
    const int out_of_range[] = {0, 3, 1}, twice[] = {0, 1, 2};
    const int twice_row1[] = {0, 1, 1};
    const size_t start2[] = {0, 1, 3};
    const double ok[] = {1.0, 1.0, 1.0}, nan_coef[] = {1.0, NAN, 1.0};
    expect_refused(p, start, out_of_range, ok, "mask problem: row 0: variable 3 outside [0, 3)");
    expect_refused(p, start2, twice_row1, ok, "mask problem: row 1: variable 1 appears twice");
    expect_refused(p, start, twice, nan_coef,
                   "mask problem: row 0: coefficient of variable 1 is not finite");
    smug_mask_problem_free(p);
}

/* Sparse row sums, dominance and useless cells against the dense definitions. */
static void test_against_dense(void **state)
{
    (void)state;
    tu_rng rng = {7};
    int dominated = 0, useless = 0;
    for (int trial = 0; trial < 300; trial++) {
        int k = 1 + (int)tu_rng_below(&rng, 6), n = 1 + (int)tu_rng_below(&rng, 10);
        double *a = random_dense(&rng, k, n);
        smug_mask_problem *p = tu_tiny_problem(k, n);
        tu_set_dense(p, a);
        uint8_t m[16];
        for (int i = 0; i < n; i++)
            m[i] = (uint8_t)tu_rng_below(&rng, 2);
        for (int j = 0; j < k; j++) {
            double s = 0.0; /* the dense loop, zeros included, in cell order */
            for (int i = 0; i < n; i++)
                s += m[i] ? a[(size_t)j * (size_t)n + (size_t)i] : 0.0;
            assert_memory_equal(&s, &(double){smug_mask_problem_row_sum(p, j, m)}, sizeof s);
        }
        for (int d = 0; d < n; d++)
            for (int q = 0; q < n; q++) {
                int ge = 1, strict = 0;
                for (int j = 0; j < k; j++) {
                    double x = a[(size_t)j * (size_t)n + (size_t)d];
                    double y = a[(size_t)j * (size_t)n + (size_t)q];
                    ge &= x >= y, strict |= x > y;
                }
                int want = d != q && ge && (strict || d < q);
                assert_int_equal(smug_certify_dominates(p, d, q), want);
                dominated += want;
            }
        for (int i = 0; i < n; i++) {
            int pos = 0;
            for (int j = 0; j < k; j++)
                pos |= a[(size_t)j * (size_t)n + (size_t)i] > 0.0;
            assert_int_equal(smug_certify_useless(p, i), !pos);
            useless += !pos;
        }
        smug_mask_problem_free(p);
        free(a);
    }
    assert_true(dominated > 100 && useless > 50); /* both answers exercised */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_rows_sorts),
        cmocka_unit_test(test_set_rows_refuses),
        cmocka_unit_test(test_against_dense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
