/* test_cover.c — the cover cuts and bounds of src/mask/cover.c:
 *  - a triangle of rows (each needs one of two cells) by hand: the cut LP proves 2 where
 *    the LP relaxation of the rows proves 1, and the proof step it makes passes
 *    smug_proof_check, also after a round trip through the proof's JSON;
 *  - against brute force on small random problems with γ-0-like thresholds: every cut
 *    holds for every mask, neither bound exceeds the true optimum, and at random leaves
 *    (cells fixed to 0 or 1) the certificate never proves more than the leaf's optimum, and
 *    the node hook (smug_cover_lp_close) closes a leaf only at bounds below its optimum;
 *  - wrong certificates made on purpose are refused: a cut that asks one cell too many, a
 *    set one cell too small, a negative or infinite multiplier, a row out of range, and a
 *    proof step that claims one more than its certificate gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smug/cover.h"
#include "smug/json.h"
#include "smug/proof.h"
#include "smug/proof_json.h"
#include "smug/strbuf.h"
#include "testutil.h"

/* The fewest cells of a mask that satisfies every row and agrees with fix (NULL: free);
 * n + 1 when none does. */
static int brute_opt(const smug_mask_problem *p, const int8_t *fix)
{
    int best = p->n + 1;
    uint8_t m[16];
    for (unsigned s = 0; s < (1u << p->n); s++) {
        int ok = 1, size = 0;
        for (int i = 0; i < p->n; i++) {
            m[i] = (uint8_t)((s >> i) & 1u);
            size += m[i];
            if (fix && fix[i] >= 0 && fix[i] != m[i])
                ok = 0;
        }
        if (ok && size < best && smug_mask_problem_satisfied(p, m))
            best = size;
    }
    return best;
}

/* 1 when every mask that satisfies the cut's row keeps at least q cells of its set. */
static int brute_cut(const smug_mask_problem *p, const smug_cover_cut *c)
{
    int cells[16];
    int r = smug_cover_cut_cells(p, c, cells);
    if (r < 0)
        return 0;
    for (unsigned s = 0; s < (1u << p->n); s++) {
        double sum = 0.0;
        int in = 0;
        for (int i = 0; i < p->n; i++)
            if ((s >> i) & 1u)
                sum += smug_mask_problem_coef(p, c->row, i);
        for (int v = 0; v < r; v++)
            in += (int)((s >> cells[v]) & 1u);
        if (sum > p->t[c->row] && in < c->q)
            return 0;
    }
    return 1;
}

/* Past the deadline the root step solves no cut LP: the triangle's packing bound (1) is
 * what it proves, not the LP's 2, and the step still checks. */
static void test_root_step_past_deadline(void **state)
{
    (void)state;
    const double a[] = {1, 1, 0, 0, 1, 1, 1, 0, 1}, t[] = {0.5, 0.5, 0.5};
    smug_mask_problem *p = tu_problem_from(3, 3, a, t);
    smug_error err = SMUG_ERROR_INIT;
    smug_proof pr = SMUG_PROOF_INIT;
    int lower = 0;
    assert_int_equal(smug_proof_set_facts(&pr, 3, NULL, NULL, NULL, 0, &err), 0);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double past = (double)ts.tv_sec - 1.0;
    assert_int_equal(smug_cover_root_step(p, past, &pr, &lower, &err), 0);
    assert_int_equal(lower, 1);
    int checked = 0;
    char why[512];
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &checked, why, sizeof why, &err), 1);
    smug_proof_clear(&pr);
    lower = 0;
    assert_int_equal(smug_proof_set_facts(&pr, 3, NULL, NULL, NULL, 0, &err), 0);
    assert_int_equal(smug_cover_root_step(p, (double)ts.tv_sec + 1e6, &pr, &lower, &err), 0);
    assert_int_equal(lower, 2);
    smug_proof_clear(&pr);
    smug_mask_problem_free(p);
}

static void test_triangle_by_hand(void **state)
{
    (void)state;
    const double a[] = {1, 1, 0, 0, 1, 1, 1, 0, 1}, t[] = {0.5, 0.5, 0.5};
    smug_mask_problem *p = tu_problem_from(3, 3, a, t);
    smug_cover c;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_cover_compute(p, 4, 5.0, &c, &err), 0);
    assert_int_equal(c.n_cuts, 3); /* one per row: at least 1 of its two cells */
    assert_true(fabs(c.lp - 1.5) < 1e-9);
    assert_int_equal(c.lower_lp, 2);
    assert_int_equal(c.lower_pack, 1); /* every two rows share a cell: one cut packs */
    assert_int_equal(brute_opt(p, NULL), 2);
    smug_cover_free(&c);

    smug_proof pr = SMUG_PROOF_INIT;
    int lower = 1; /* as if the LP root step had proved 1 */
    assert_int_equal(smug_proof_set_facts(&pr, 3, NULL, NULL, NULL, 0, &err), 0);
    assert_int_equal(smug_proof_begin_step(&pr, 0, 0), 0);
    smug_proof_node solver = {SMUG_NODE_SOLVER, -1, -1, smug_proof_name(&pr, "z3"), -1};
    assert_int_equal(smug_proof_add_node(&pr, &solver), 0);
    assert_int_equal(smug_cover_root_step(p, 0.0, &pr, &lower, &err), 0);
    assert_int_equal(lower, 2);
    assert_int_equal(pr.n_steps, 2);
    smug_proof_summary s;
    smug_proof_summarize(&pr, &s);
    assert_int_equal(s.by_cover, 1);
    int checked = 0;
    char why[512];
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &checked, why, sizeof why, &err), 1);
    assert_int_equal(checked, 2);
    /* through JSON (a bundle's result file) and back: the same cover leaf, checked again */
    smug_strbuf buf = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &buf, 0);
    smug_proof_json(&j, NULL, &pr);
    smug_jval *v = NULL;
    assert_int_equal(smug_jval_parse(buf.buf, buf.len, "proof.json", &v, &err), 0);
    smug_proof back = SMUG_PROOF_INIT;
    assert_int_equal(smug_proof_from_json(v, "proof.json", &back, &err), 0);
    assert_int_equal(back.n_covers, 1);
    assert_int_equal(smug_proof_check(p, &back, NULL, NULL, &checked, why, sizeof why, &err), 1);
    assert_int_equal(checked, 2);
    smug_proof_clear(&back);
    smug_jval_free(v);
    smug_strbuf_clear(&buf);
    /* the same step claiming size ≥ 3: refused */
    pr.steps[1].bound = 2;
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &checked, why, sizeof why, &err), 0);
    assert_non_null(strstr(why, "cover certificate 0 proves size >= 2"));
    pr.steps[1].bound = 1;
    /* a cut tampered to ask for both cells of its row: refused */
    pr.vcut[0].q = 2;
    assert_int_equal(smug_proof_check(p, &pr, NULL, NULL, &checked, why, sizeof why, &err), 0);
    assert_non_null(strstr(why, "does not hold"));
    smug_proof_clear(&pr);
    smug_mask_problem_free(p);
}

static void test_refuses_wrong_certificates(void **state)
{
    (void)state;
    /* row 0: 3 + 2 + 1 (+ a −5 cell) > 4 needs 2 of {0, 1, 2} and one of {0, 1} */
    const double a[] = {3, 2, 1, -5}, t[] = {4.0};
    smug_mask_problem *p = tu_problem_from(1, 4, a, t);
    smug_error err = SMUG_ERROR_INIT;
    char why[256];
    int lower = -1;
    smug_cover_cut good[] = {{0, 3, 2}, {0, 2, 1}};
    assert_true(smug_cover_cut_valid(p, &good[0]));
    assert_true(smug_cover_cut_valid(p, &good[1]));
    double one = 1.0;
    smug_cover_cert cert = {1, good, &one};
    assert_int_equal(smug_cover_check(p, NULL, &cert, &lower, why, sizeof why, &err), 1);
    assert_int_equal(lower, 2);
    assert_int_equal(brute_opt(p, NULL), 2);

    smug_cover_cut bad[] = {{0, 3, 3}, {0, 1, 2}, {1, 3, 1}, {0, 5, 1}};
    for (int b = 0; b < 4; b++) {
        smug_cover_cert wrong = {1, &bad[b], &one};
        assert_false(smug_cover_cut_valid(p, &bad[b]));
        assert_int_equal(smug_cover_check(p, NULL, &wrong, &lower, why, sizeof why, &err), 0);
    }
    double neg = -0.5, inf = INFINITY;
    smug_cover_cert negative = {1, good, &neg}, infinite = {1, good, &inf};
    assert_int_equal(smug_cover_check(p, NULL, &negative, &lower, why, sizeof why, &err), 0);
    assert_non_null(strstr(why, "multiplier"));
    assert_int_equal(smug_cover_check(p, NULL, &infinite, &lower, why, sizeof why, &err), 0);
    /* one unit in the last place of t decides whether 3 + 2 is enough */
    p->t[0] = nextafter(5.0, 0.0); /* 3 + 2 > t: still needs 2 of the 3 */
    assert_true(smug_cover_cut_valid(p, &good[0]));
    p->t[0] = 5.0; /* now 3 + 2 = t is not enough: all three */
    smug_cover_cut three = {0, 3, 3};
    assert_true(smug_cover_cut_valid(p, &three));
    p->t[0] = nextafter(5.0, 0.0);
    assert_false(smug_cover_cut_valid(p, &three));
    smug_mask_problem_free(p);
}

static double unit(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (double)((*s >> 8) & 0xffffu) / 65536.0;
}

static void test_against_brute_force(void **state)
{
    (void)state;
    unsigned seed = 7;
    smug_error err = SMUG_ERROR_INIT;
    int improved = 0, node_closed = 0;
    for (int trial = 0; trial < 300; trial++) {
        int n = 4 + (int)(unit(&seed) * 9), k = 1 + (int)(unit(&seed) * 8);
        double a[8 * 12], t[8];
        for (int j = 0; j < k; j++) {
            double row = 0.0;
            for (int i = 0; i < n; i++) {
                double v = unit(&seed) < 0.35 ? 0.0 : unit(&seed) * 2.0 - 0.6;
                a[j * n + i] = v, row += v;
            }
            /* γ 0: a small threshold, sometimes a larger one, sometimes negative */
            double mode = unit(&seed);
            t[j] = mode < 0.6 ? 0.01 : mode < 0.9 ? unit(&seed) * fmax(row, 0.1) : -0.2;
        }
        smug_mask_problem *p = tu_problem_from(k, n, a, t);
        int opt = brute_opt(p, NULL);
        smug_cover c;
        smug_cover_lp *node_lp = NULL;
        assert_int_equal(smug_cover_compute(p, 3, 5.0, &c, &err), 0);
        assert_int_equal(smug_cover_lp_new(p, 0.0, &node_lp, &err), 0);
        for (int u = 0; u < c.n_cuts; u++)
            assert_true(brute_cut(p, &c.cuts[u]));
        if (opt <= n) {
            assert_true(c.lower_lp <= opt);
            assert_true(c.lower_pack <= opt);
        }
        improved += c.lower_lp > 1;
        /* random leaves: never more than the leaf's optimum */
        for (int leaf = 0; leaf < 4; leaf++) {
            int8_t fix[12];
            for (int i = 0; i < n; i++) {
                double u = unit(&seed);
                fix[i] = (int8_t)(u < 0.15 ? 0 : u < 0.3 ? 1 : -1);
            }
            int lopt = brute_opt(p, fix), lower = 0;
            char why[256];
            smug_cover_cert cert = {c.n_cuts, c.cuts, c.y_lp};
            assert_int_equal(smug_cover_check(p, fix, &cert, &lower, why, sizeof why, &err), 1);
            if (lopt <= n)
                assert_true(lower <= lopt);
            /* the node hook of branch.c closes a leaf only at bounds below its optimum */
            for (int bound = 0; bound <= n; bound++) {
                smug_cover_cert nc;
                int branch = -2;
                int closed =
                    smug_cover_lp_close(node_lp, fix, bound, 5.0, -1.0, &nc, &branch, &err);
                assert_true(closed == 0 || closed == 1);
                if (closed)
                    assert_true(lopt > bound), node_closed++;
                else
                    assert_true(branch == -1 || (branch >= 0 && branch < n && fix[branch] < 0));
            }
        }
        smug_cover_lp_free(node_lp);
        smug_cover_free(&c);
        smug_mask_problem_free(p);
    }
    assert_true(improved > 10); /* the bound does bite on these */
    assert_true(node_closed > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_triangle_by_hand),
        cmocka_unit_test(test_root_step_past_deadline),
        cmocka_unit_test(test_refuses_wrong_certificates),
        cmocka_unit_test(test_against_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
