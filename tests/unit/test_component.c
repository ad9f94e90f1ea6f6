/* test_component.c — the split of a mask problem into independent parts (src/mask/
 * component.c) and proofs made of parts (proof.c):
 *  - by hand: two blocks linked only by a row no mask breaks, and a useless cell, make two
 *    components; their sub-problems hold the right rows and coefficients; parts that
 *    overlap, leave the variables or come out of order are refused with a message;
 *  - against brute force on small random problems made of blocks (random rows inside each,
 *    rows no mask breaks across them): the sum of the parts' optima is the optimum;
 *  - a proof of parts, each built by the branch and bound on its sub-problem (brute force
 *    standing in for the solver at the leaves), proves exactly the optimum with
 *    smug_proof_check; tampered copies are refused or prove less: a part's step claiming
 *    one more, a part's cells overlapping another's, a part's certificate changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/bounds.h"
#include "smug/branch.h"
#include "smug/component.h"
#include "smug/proof.h"
#include "testutil.h"

static double coef(const smug_mask_problem *p, int j, int i)
{
    return smug_mask_problem_coef(p, j, i);
}

/* Rows summed in long double: the random rows are far from ties. */
static int holds(const smug_mask_problem *p, unsigned s)
{
    for (int j = 0; j < p->k; j++) {
        long double sum = 0.0L;
        for (int i = 0; i < p->n; i++)
            if ((s >> i) & 1u)
                sum += coef(p, j, i);
        if (!(sum > (long double)p->t[j]))
            return 0;
    }
    return 1;
}

static int brute_opt(const smug_mask_problem *p)
{
    int best = -1;
    for (unsigned s = 0; s < (1u << p->n); s++)
        if (holds(p, s) && (best < 0 || __builtin_popcount(s) < best))
            best = __builtin_popcount(s);
    return best;
}

static void test_by_hand(void **state)
{
    (void)state;
    /* cells 0 1 | 2 3 | 4 (useless): rows 0-1 on {0,1}, row 2 on {2,3}, row 3 spans all but
     * no mask breaks it (its negative sum −1 stays above t −2), row 4 is on 4 and 0 with a
     * negative coefficient on 4 only */
    const double a[] = {
        1, 1,  0, 0,   0,    /* */
        1, -1, 0, 0,   0,    /* */
        0, 0,  1, 1,   0,    /* */
        1, -1, 1, 0.5, 0,    /* */
        1, 0,  0, 0,   -0.5, /* */
    };
    const double t[] = {0.5, 0.5, 0.5, -2.0, 0.25};
    smug_mask_problem *p = tu_problem_from(5, 5, a, t);
    uint8_t zero[5] = {0, 0, 0, 0, 1};
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_component_row_binding(p, zero, 3), 0);
    assert_int_equal(smug_component_row_binding(p, zero, 1), 1);
    smug_components c;
    assert_int_equal(smug_components_find(p, zero, &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.of[0], 0), assert_int_equal(c.of[1], 0);
    assert_int_equal(c.of[2], 1), assert_int_equal(c.of[3], 1);
    assert_int_equal(c.of[4], -1);
    smug_mask_problem *q[2];
    assert_int_equal(smug_component_problems(p, zero, c.n, c.start, c.cells, q, &err), 0);
    assert_int_equal(q[0]->n, 2), assert_int_equal(q[0]->k, 3); /* rows 0, 1 and 4 */
    assert_int_equal(q[1]->n, 2), assert_int_equal(q[1]->k, 1);
    assert_true(coef(q[0], 1, 1) == -1.0 && q[0]->t[2] == 0.25 && coef(q[0], 2, 0) == 1.0);
    assert_true(coef(q[1], 0, 1) == 1.0 && q[1]->t[0] == 0.5);
    assert_int_equal(brute_opt(q[0]) + brute_opt(q[1]), brute_opt(p));
    smug_mask_problem_free(q[0]), smug_mask_problem_free(q[1]);
    smug_components_clear(&c);

    /* parts the checker must refuse */
    const int start[] = {0, 2, 4};
    const int overlap[] = {0, 1, 1, 2}, order[] = {1, 0, 2, 3}, range[] = {0, 1, 2, 7};
    assert_int_equal(smug_component_problems(p, zero, 2, start, overlap, q, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "cell 1 is in parts 0 and 1"));
    err = (smug_error)SMUG_ERROR_INIT;
    assert_int_equal(smug_component_problems(p, zero, 2, start, order, q, &err), -1);
    assert_non_null(strstr(err.msg, "out of order"));
    err = (smug_error)SMUG_ERROR_INIT;
    assert_int_equal(smug_component_problems(p, zero, 2, start, range, q, &err), -1);
    assert_non_null(strstr(err.msg, "cell 7 out of range"));
    smug_mask_problem_free(p);
}

/* Blocks of 2-4 cells with random rows inside each (some cells negative, some zero), and
 * rows across blocks that no mask breaks. n ≤ 12. */
static smug_mask_problem *block_problem(tu_rng *rng, int *out_blocks)
{
    int size[4], n = 0, blocks = 2 + (int)tu_rng_below(rng, 2);
    for (int b = 0; b < blocks; b++)
        size[b] = 2 + (int)tu_rng_below(rng, 2), n += size[b];
    int per = 2, cross = 2, k = blocks * per + cross;
    smug_mask_problem *p = tu_tiny_problem(k, n);
    double *a = calloc((size_t)k * (size_t)n, sizeof *a);
    assert_non_null(a);
    int first = 0, j = 0;
    for (int b = 0; b < blocks; b++) {
        for (int r = 0; r < per; r++, j++) {
            double pos = 0.0;
            for (int i = first; i < first + size[b]; i++) {
                double v = tu_rng_unit(rng) * 2.0 - 0.5;
                if (tu_rng_unit(rng) < 0.1)
                    v = 0.0;
                a[(size_t)j * (size_t)n + (size_t)i] = v;
                pos += v > 0.0 ? v : 0.0;
            }
            p->t[j] = pos * (0.1 + 0.5 * tu_rng_unit(rng));
        }
        first += size[b];
    }
    for (; j < k; j++) { /* across: Σ negatives stays above t */
        double neg = 0.0;
        for (int i = 0; i < n; i++) {
            double v = tu_rng_unit(rng) * 2.0 - 1.0;
            a[(size_t)j * (size_t)n + (size_t)i] = v;
            neg += v < 0.0 ? v : 0.0;
        }
        p->t[j] = neg - 0.5;
    }
    tu_set_dense(p, a);
    free(a);
    *out_blocks = blocks;
    return p;
}

static void test_random_against_brute(void **state)
{
    (void)state;
    tu_rng rng = {0x5eedc0ffeeULL};
    int checked = 0;
    for (int round = 0; round < 300; round++) {
        int blocks;
        smug_mask_problem *p = block_problem(&rng, &blocks);
        int opt = brute_opt(p);
        if (opt < 0) {
            smug_mask_problem_free(p);
            continue;
        }
        smug_error err = SMUG_ERROR_INIT;
        smug_components c;
        assert_int_equal(smug_components_find(p, NULL, &c, &err), 0);
        assert_true(c.n >= blocks); /* a block may fall apart further, never merge */
        smug_mask_problem *q[16];
        assert_int_equal(smug_component_problems(p, NULL, c.n, c.start, c.cells, q, &err), 0);
        int sum = 0;
        for (int i = 0; i < c.n; i++) {
            sum += brute_opt(q[i]);
            smug_mask_problem_free(q[i]);
        }
        assert_int_equal(sum, opt);
        smug_components_clear(&c);
        smug_mask_problem_free(p);
        checked++;
    }
    assert_true(checked > 100);
}

/* ---- proofs of parts ------------------------------------------------------------------- */

typedef struct oracle {
    const smug_mask_problem *p;
} oracle;

/* Brute force over the leaf, standing in for a solver. */
static int brute_leaf(void *user, const int8_t *fix, int bound, int lemma, double seconds,
                      smug_leaf_verdict *v, uint8_t *out_mask, smug_error *err)
{
    (void)lemma, (void)seconds, (void)err;
    const smug_mask_problem *p = ((oracle *)user)->p;
    for (unsigned s = 0; s < (1u << p->n); s++) {
        int under = 1;
        for (int i = 0; i < p->n && under; i++)
            under = fix[i] < 0 || fix[i] == (int)((s >> i) & 1u);
        if (under && __builtin_popcount(s) <= bound && holds(p, s)) {
            for (int i = 0; i < p->n; i++)
                out_mask[i] = (uint8_t)((s >> i) & 1u);
            v->answer = SMUG_LEAF_SAT;
            return 0;
        }
    }
    v->answer = SMUG_LEAF_UNSAT, v->solver = "brute", v->confirmer = NULL;
    return 0;
}

/* The proof of sub-problem q: its facts, its root steps, then the branch and bound from
 * the optimum down (one step: no mask of size ≤ opt − 1). */
static void prove_part(const smug_mask_problem *q, smug_proof *pr)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_bounds b;
    assert_int_equal(smug_bounds_compute(q, &b, &err), 0);
    /* no dominance facts: brute_leaf does not know them, and the test is about parts */
    b.n_dom = 0;
    assert_int_equal(smug_proof_set_facts(pr, q->n, b.useless, NULL, NULL, 0, &err), 0);
    int lower = 0, opt = brute_opt(q);
    assert_int_equal(smug_branch_root_step(q, &b, 0.0, pr, &lower, &err), 0);
    if (lower < opt) {
        smug_branch_options o = SMUG_BRANCH_OPTIONS_INIT;
        smug_brancher *br;
        assert_int_equal(smug_brancher_new(q, &b, &o, &br, &err), 0);
        oracle orc = {q};
        smug_branch_outcome out;
        uint8_t m[16];
        char note[128];
        assert_int_equal(smug_brancher_decide(br, opt - 1, lower, brute_leaf, &orc, &out, m, pr,
                                              note, sizeof note, &err),
                         0);
        assert_int_equal(out, SMUG_BRANCH_UNSAT);
        smug_brancher_free(br);
    }
    assert_int_equal(smug_proof_lower(pr), opt);
    smug_bounds_clear(&b);
}

static void test_parts_proof(void **state)
{
    (void)state;
    tu_rng rng = {0xfeedfaceULL};
    int proved = 0, refused = 0;
    for (int round = 0; round < 60; round++) {
        int blocks;
        smug_mask_problem *p = block_problem(&rng, &blocks);
        int opt = brute_opt(p);
        if (opt <= 0) {
            smug_mask_problem_free(p);
            continue;
        }
        smug_error err = SMUG_ERROR_INIT;
        smug_components c;
        smug_mask_problem *q[16];
        assert_int_equal(smug_components_find(p, NULL, &c, &err), 0);
        assert_int_equal(smug_component_problems(p, NULL, c.n, c.start, c.cells, q, &err), 0);
        smug_proof pr = SMUG_PROOF_INIT;
        assert_int_equal(smug_proof_set_facts(&pr, p->n, NULL, NULL, NULL, 0, &err), 0);
        assert_int_equal(smug_proof_set_parts(&pr, c.n, c.start, c.cells, &err), 0);
        for (int i = 0; i < c.n; i++)
            if (q[i]->k > 0)
                prove_part(q[i], &pr.part[i]);
        assert_int_equal(smug_proof_lower(&pr), opt);
        int lower = 0;
        char why[512];
        assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err), 1);
        assert_int_equal(lower, opt);
        proved++;

        /* a part's last step claims one more: that part proves less, the proof is refused
         * (a part closed by certificates alone: brute force's word is taken as given) */
        int victim = -1;
        for (int i = 0; i < c.n; i++) {
            smug_proof_summary sum;
            smug_proof_summarize(&pr.part[i], &sum);
            if (pr.part[i].n_steps > 0 && smug_proof_lower(&pr.part[i]) > 0 && sum.by_solver == 0)
                victim = i;
        }
        if (victim >= 0) {
            smug_proof_step *st = &pr.part[victim].steps[pr.part[victim].n_steps - 1];
            st->bound++;
            assert_true(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err) != 1 ||
                        lower <= opt);
            assert_true(lower <= opt);
            st->bound--;
            /* a certificate's multiplier scaled up in that part */
            smug_proof *pp = &pr.part[victim];
            if (pp->n_v > 0 || pp->n_y > 0) {
                double *y = pp->n_v > 0 ? &pp->vy[0] : &pp->y[0];
                double keep = *y;
                *y = -1.0;
                assert_int_equal(
                    smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err), 0);
                assert_non_null(strstr(why, "part "));
                assert_true(lower <= opt);
                *y = keep;
                refused++;
            }
        }
        /* overlapping parts */
        if (c.n >= 2 && c.start[1] - c.start[0] >= 1) {
            int keep = pr.part_cells[c.start[1]];
            pr.part_cells[c.start[1]] = pr.part_cells[0];
            assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err),
                             0);
            assert_non_null(strstr(why, "components: "));
            pr.part_cells[c.start[1]] = keep;
        }
        assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &lower, why, sizeof why, &err), 1);
        smug_proof_clear(&pr);
        for (int i = 0; i < c.n; i++)
            smug_mask_problem_free(q[i]);
        smug_components_clear(&c);
        smug_mask_problem_free(p);
    }
    assert_true(proved > 20);
    assert_true(refused > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_random_against_brute),
        cmocka_unit_test(test_parts_proof),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
