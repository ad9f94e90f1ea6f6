/* test_smtlib.c — the SMT-LIB writer (src/smt/smtlib.c, design §3 and §12):
 *  - smug_smt_decimal: plain decimals only (no exponent, no bare minus, "(- x)" for
 *    negatives), each exactly the double's value (checked with GMP rationals), from the
 *    smallest subnormal to DBL_MAX;
 *  - whole files from a real fashion_fc problem (window 4, k 4): header order, variable
 *    names m_<row>_<col> of the grid cells, every numeral plain; then the real solvers
 *    (/usr/bin/z3 and /usr/bin/cvc5 -m) must accept them: the decision query at the
 *    incumbent's size answers sat with a mask that satisfies the rows, at lower − 1 unsat,
 *    z3's optimisation form an objective between lower and the incumbent size, and the
 *    push/pop form answers both queries in one run;
 *  - the edge arities: one variable, a row without terms, no variables at all.
 * A missing solver binary skips its part with a message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <float.h>
#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/bounds.h"
#include "smug/encode.h"
#include "smug/input.h"
#include "smug/params.h"
#include "smug/pipeline.h"
#include "smug/process.h"
#include "smug/sexpr.h"
#include "smug/smtlib.h"
#include "testutil.h"

#define Z3   "/usr/bin/z3"
#define CVC5 "/usr/bin/cvc5"

/* ---- decimals ----------------------------------------------------------------------- */

/* Prints v with smug_smt_decimal into a static buffer. */
static const char *dec(double v)
{
    static char out[2048];
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_smt_decimal(&sb, v);
    assert_false(sb.failed);
    assert_non_null(sb.buf);
    assert_true(sb.len < sizeof out);
    memcpy(out, sb.buf, sb.len + 1);
    smug_strbuf_clear(&sb);
    return out;
}

/* 1 when s is digits '.' digits and nothing else. */
static int plain_decimal(const char *s)
{
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p++ != '.' || !isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == '\0';
}

/* 1 when the plain decimal s (digits '.' digits) is exactly |v| as rationals. */
static int exactly(const char *s, double v)
{
    char digits[2048];
    size_t n = 0, places = 0;
    int after = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '.')
            after = 1;
        else
            digits[n++] = *p, places += (size_t)after;
    }
    digits[n] = '\0';
    mpq_t text, value;
    mpq_init(text), mpq_init(value);
    mpz_set_str(mpq_numref(text), digits, 10);
    mpz_ui_pow_ui(mpq_denref(text), 10, places);
    mpq_canonicalize(text);
    mpq_set_d(value, fabs(v));
    int same = mpq_equal(text, value);
    mpq_clear(text), mpq_clear(value);
    return same;
}

/* Checks the text printed for v and returns the value read back. */
static double check_decimal(double v)
{
    const char *s = dec(v);
    char inner[2048];
    if (v < 0.0) {
        size_t len = strlen(s);
        if (strncmp(s, "(- ", 3) != 0 || s[len - 1] != ')')
            fail_msg("%.17g printed as \"%s\": not (- x)", v, s);
        memcpy(inner, s + 3, len - 4);
        inner[len - 4] = '\0';
    } else {
        snprintf(inner, sizeof inner, "%s", s);
    }
    if (!plain_decimal(inner))
        fail_msg("%.17g printed as \"%s\": not a plain decimal", v, s);
    if (!exactly(inner, v))
        fail_msg("%.17g printed as \"%s\": not its exact value", v, s);
    double back = strtod(inner, NULL);
    return v < 0.0 ? -back : back;
}

static void test_decimal_known(void **state)
{
    (void)state;
    assert_string_equal(dec(0.0), "0.0");
    assert_string_equal(dec(-0.0), "0.0");
    assert_string_equal(dec(1.0), "1.0");
    assert_string_equal(dec(3.0), "3.0");
    assert_string_equal(dec(0.25), "0.25");
    assert_string_equal(dec(-0.5), "(- 0.5)");
    assert_string_equal(dec(-2.0), "(- 2.0)");
    assert_string_equal(dec(100.0), "100.0");
    assert_string_equal(dec(1234.5), "1234.5");
    assert_string_equal(dec(1e20), "100000000000000000000.0");
    /* 1.5e-5 is not a double: the double nearest to it is printed, all of it */
    assert_string_equal(dec(1.5e-5), "0.00001500000000000000038001286145616930411961220670491456"
                                     "9854736328125");
    assert_string_equal(dec(-1.5e-5), "(- 0.0000150000000000000003800128614561693041196122067049"
                                      "14569854736328125)");
    assert_string_equal(dec(0.0009765625), "0.0009765625"); /* 2^-10 */
    check_decimal(0.1);
    check_decimal(1.0 / 3.0);
    check_decimal(-2.0 / 3.0);
    check_decimal(9.999999999999999e-31);
    check_decimal(1e-30);
    check_decimal(123456789012345678.0);
    check_decimal(99999999999999999999.0);
    check_decimal(999999999999999872.0);
    assert_string_equal(dec(999999999999999872.0), "999999999999999872.0");
    /* the extremes of double still fit the writer's buffer and read back */
    check_decimal(DBL_MAX);
    check_decimal(-DBL_MAX);
    check_decimal(DBL_MIN);
    assert_true(check_decimal(4.9406564584124654e-324) == 4.9406564584124654e-324);
}

static void test_decimal_magnitudes(void **state)
{
    (void)state;
    tu_rng rng = {42};
    for (int e = -30; e <= 20; e++)
        for (int i = 0; i < 60; i++) {
            double mant = i == 0 ? 1.0 : i == 1 ? 9.999999999999998 : 1.0 + 9.0 * tu_rng_unit(&rng);
            double v = mant * pow(10.0, e);
            if (v > 1e20 * 9.99 || v < 1e-30)
                continue;
            check_decimal(v);
            check_decimal(-v);
            check_decimal(nextafter(v, 0.0));
        }
    /* powers of two are exact decimals: they must come back exactly */
    for (int e = -99; e <= 66; e++) {
        double v = ldexp(1.0, e);
        assert_true(check_decimal(v) == v);
        assert_true(check_decimal(-v) == -v);
    }
}

/* ---- files -------------------------------------------------------------------------- */

static int have(const char *path)
{
    return access(path, X_OK) == 0;
}

/* Writes text to a fresh temporary directory as <dir>/<stem>.smt2; returns the path
 * (static buffer, valid until the next call). remove_temp deletes both. */
static const char *write_temp(const char *text, size_t len)
{
    static char path[96];
    char dir[] = "/tmp/smug_test_smtlib_XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/problem.smt2", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void remove_temp(const char *path)
{
    char dir[96];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    assert_non_null(slash);
    *slash = '\0';
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* Runs solver argv on the file; fills the parsed output (the caller frees it) and returns
 * the raw stdout (malloc'ed). */
static char *run_solver(const char *const *argv, smug_solver_output *out)
{
    smug_process pr = SMUG_PROCESS_INIT;
    pr.argv = argv;
    pr.timeout = 30.0;
    smug_process_result res;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_process_run(&pr, &res, &err) != 0)
        fail_msg("running %s: %s", argv[0], err.msg);
    if (res.outcome != SMUG_PROC_EXITED) {
        char why[128];
        fail_msg("%s %s: %s; stderr: %s", argv[0], argv[1],
                 smug_process_describe(&res, why, sizeof why), res.err.buf ? res.err.buf : "");
    }
    char *text = strdup(res.out.buf ? res.out.buf : "");
    assert_non_null(text);
    smug_process_result_clear(&res);
    if (smug_sexpr_parse(text, strlen(text), out, &err) != 0)
        fail_msg("%s output does not parse (%s):\n%s", argv[0], err.msg, text);
    return text;
}

typedef enum { SOLVER_Z3, SOLVER_CVC5 } solver_id;

/* Runs a whole file through one solver (cvc5 with -m, and --incremental when asked). */
static char *solve_file(solver_id s, const char *path, int incremental, smug_solver_output *out)
{
    if (s == SOLVER_Z3) {
        const char *argv[] = {Z3, path, NULL};
        return run_solver(argv, out);
    }
    const char *argv[] = {CVC5, "-m", incremental ? "--incremental" : path,
                          incremental ? path : NULL, NULL};
    return run_solver(argv, out);
}

/* The mask the solver's values describe; every variable must have a Bool value. */
static void mask_from_values(const smug_mask_problem *p, const smug_solver_output *o, uint8_t *m)
{
    for (int i = 0; i < p->n; i++) {
        char name[64];
        smug_mask_var_name(p, i, name, sizeof name);
        const smug_value *v = smug_solver_output_find(o, name);
        if (!v || !v->is_bool)
            fail_msg("no Bool value for %s", name);
        m[i] = (uint8_t)v->bool_value;
    }
}

static int count(const uint8_t *m, int n)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += m[i] != 0;
    return c;
}

/* First line of text is exactly `want`. */
static void first_line(const char *text, const char *want, const char *who)
{
    size_t n = strcspn(text, "\r\n");
    if (strlen(want) != n || strncmp(text, want, n) != 0)
        fail_msg("%s: first line is \"%.*s\", want \"%s\"\n%s", who, (int)n, text, want, text);
}

/* Text checks: header order, names, numerals. */
static void check_text(const smug_mask_problem *p, const char *text, const char *status)
{
    /* the header, in design §12's order, starting on line 1 */
    const char *keys[] = {"(set-info :smt-lib-version 2.6)\n",
                          "(set-logic QF_LRA)\n",
                          "(set-info :source |",
                          "(set-info :license ",
                          "(set-info :category \"industrial\")\n",
                          "(set-info :status "};
    const char *prev = text;
    assert_true(tu_has_prefix(text, keys[0]));
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const char *at = strstr(text, keys[i]);
        if (!at || at < prev)
            fail_msg("header line \"%s\" missing or out of order", keys[i]);
        if (at != text && at[-1] != '\n')
            fail_msg("header \"%s\" does not start a line", keys[i]);
        prev = at;
    }
    char st[64];
    snprintf(st, sizeof st, "(set-info :status %s)\n", status);
    assert_non_null(strstr(text, st));
    const char *s1 = strstr(text, "(set-info :status");
    assert_null(strstr(s1 + 1, "(set-info :status")); /* one status */
    const char *ex = strstr(text, "(exit)");
    assert_non_null(ex);
    assert_null(strstr(ex + 1, "(exit)"));

    /* declarations: variable i is named after its cell's block row and column */
    const char *d = text;
    for (int i = 0; i < p->n; i++) {
        d = strstr(d, "(declare-const ");
        assert_non_null(d);
        d += strlen("(declare-const ");
        char want[80];
        snprintf(want, sizeof want, "m_%d_%d Bool)", p->cell[i] / p->grid.cols,
                 p->cell[i] % p->grid.cols);
        if (strncmp(d, want, strlen(want)) != 0)
            fail_msg("variable %d (cell %d) declared as \"%.20s\", want \"%s\"", i, p->cell[i], d,
                     want);
    }
    assert_true(tu_has_prefix(strstr(d, "(declare-const "), "(declare-const size Real)"));

    /* numerals: outside comments and |quoted| symbols, every token that starts with a digit,
     * '.' or '-' is a plain decimal, a numeral or the minus sign alone */
    int rows = 0;
    for (const char *q = text; *q;) {
        if (*q == ';') {
            q += strcspn(q, "\n");
            continue;
        }
        if (*q == '|') {
            const char *end = strchr(q + 1, '|');
            assert_non_null(end);
            q = end + 1;
            continue;
        }
        if (*q == '"') {
            const char *end = strchr(q + 1, '"');
            assert_non_null(end);
            q = end + 1;
            continue;
        }
        if (strncmp(q, "(assert (> ", 11) == 0)
            rows++;
        if (*q == '(' || *q == ')' || isspace((unsigned char)*q)) {
            q++;
            continue;
        }
        size_t n = strcspn(q, "() \t\r\n");
        char tok[128];
        snprintf(tok, sizeof tok, "%.*s", (int)(n < 127 ? n : 127), q);
        if (isdigit((unsigned char)tok[0]) || tok[0] == '.' || tok[0] == '-') {
            int numeral = 1;
            for (const char *c = tok; *c; c++)
                numeral &= isdigit((unsigned char)*c) != 0;
            if (!(plain_decimal(tok) || numeral || strcmp(tok, "-") == 0))
                fail_msg("token \"%s\" is not a plain SMT-LIB number", tok);
        }
        q += n;
    }
    assert_int_equal(rows, p->k);
}

/* A real problem: fashion_fc, 0000_ankle_boot, window 4, k 4, gamma 0.5. */
static smug_mask_problem *real_problem(void)
{
    smug_net *net = tu_load_model("models/fashion_fc.onnx");
    assert_non_null(net);
    float *x = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_input_load(tu_path("data/fashion/0000_ankle_boot.png"), &net->input, 0.0, 1.0, &x,
                        &err) != 0)
        fail_msg("input: %s", err.msg);
    smug_params prm;
    smug_params_defaults(&prm);
    prm.top_k = 4;
    prm.window = 4;
    prm.steps = 32;
    smug_explanation ex;
    if (smug_pipeline_neurons(net, x, &prm, &ex, &err) != 0)
        fail_msg("pipeline: %s", err.msg);
    smug_mask_problem *p = NULL;
    if (smug_encode(net, x, ex.neurons, ex.n_neurons, 0.5, 4, &p, &err) != 0)
        fail_msg("encode: %s", err.msg);
    smug_explanation_clear(&ex);
    free(x);
    smug_net_free(net);
    assert_int_equal(p->grid.cols, 7);
    return p;
}

static const char *solver_name(solver_id s)
{
    return s == SOLVER_Z3 ? "z3" : "cvc5";
}

static int solver_present(solver_id s)
{
    const char *path = s == SOLVER_Z3 ? Z3 : CVC5;
    if (have(path))
        return 1;
    print_message("skipping %s: %s is missing\n", solver_name(s), path);
    return 0;
}

/* header + body + one decision query at `bound` + exit */
static char *decision_file(const smug_mask_problem *p, const smug_smt_facts *facts, int bound,
                           const char *status, size_t *len)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_smt_header(&sb, "smug test_smtlib: fashion_fc 0000_ankle_boot k 4 gamma 0.5 window 4",
                    status);
    smug_smt_body(&sb, p, facts);
    smug_smt_decision_query(&sb, p, bound, NULL, 0, NULL);
    smug_smt_exit(&sb);
    assert_false(sb.failed);
    return smug_strbuf_detach(&sb, len);
}

static void test_real_files(void **state)
{
    (void)state;
    smug_mask_problem *p = real_problem();
    smug_bounds b;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_bounds_compute(p, &b, &err) != 0)
        fail_msg("bounds: %s", err.msg);
    uint8_t *zero = malloc((size_t)p->n), *m = malloc((size_t)p->n);
    assert_true(zero && m);
    assert_int_equal(smug_bounds_fixings(p, &b, b.upper, zero, &err), 0);
    smug_smt_facts facts = {b.lower, zero, b.dom_from, b.dom_to, b.n_dom};
    print_message("fashion_fc 0000 k 4 window 4: %d rows, %d cells, lower %d, upper %d, %d "
                  "implications, %d fixed\n",
                  p->k, p->n, b.lower, b.upper, b.n_dom, count(zero, p->n));
    int negatives = 0;
    for (size_t e = 0; e < p->nnz; e++)
        negatives += p->row_coef[e] < 0.0;
    assert_true(negatives > 0); /* so "(- …)" is exercised */

    /* decision at the incumbent size: sat, and the mask holds */
    size_t len;
    char *sat_text = decision_file(p, &facts, b.upper, "sat", &len);
    check_text(p, sat_text, "sat");
    assert_non_null(strstr(sat_text, "(- "));
    const char *sat_path = write_temp(sat_text, len);
    char sat_file[96];
    snprintf(sat_file, sizeof sat_file, "%s", sat_path);

    /* decision at lower − 1: unsat */
    char unsat_file[96] = "";
    if (b.lower >= 1) {
        char *t = decision_file(p, &facts, b.lower - 1, "unsat", &len);
        check_text(p, t, "unsat");
        snprintf(unsat_file, sizeof unsat_file, "%s", write_temp(t, len));
        free(t);
    }

    /* z3's optimisation form */
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_smt_header(&sb, "smug test_smtlib optimize", "sat");
    smug_smt_body(&sb, p, &facts);
    smug_smt_optimize_query(&sb, p);
    smug_smt_exit(&sb);
    char *opt_text = smug_strbuf_detach(&sb, &len);
    check_text(p, opt_text, "sat");
    char opt_file[96];
    snprintf(opt_file, sizeof opt_file, "%s", write_temp(opt_text, len));

    /* push/pop: both queries in one run */
    smug_strbuf_reset(&sb);
    smug_smt_header(&sb, "smug test_smtlib incremental", "unknown");
    smug_smt_body(&sb, p, &facts);
    smug_smt_decision_query(&sb, p, b.upper, NULL, 1, "smug-mark-1");
    smug_smt_decision_query(&sb, p, b.lower >= 1 ? b.lower - 1 : 0, zero, 1, "smug-mark-2");
    smug_smt_exit(&sb);
    char *inc_text = smug_strbuf_detach(&sb, &len);
    assert_non_null(strstr(inc_text, "(push 1)\n(assert (<= size "));
    assert_non_null(strstr(inc_text, "(pop 1)\n(echo \"smug-mark-1\")\n"));
    char inc_file[96];
    snprintf(inc_file, sizeof inc_file, "%s", write_temp(inc_text, len));

    for (solver_id s = SOLVER_Z3; s <= SOLVER_CVC5; s++) {
        if (!solver_present(s))
            continue;
        const char *who = solver_name(s);
        smug_solver_output o;
        char *out = solve_file(s, sat_file, 0, &o);
        if (strstr(out, "(error") || o.error)
            fail_msg("%s on the sat file: %s", who, out);
        first_line(out, "sat", who);
        assert_int_equal(o.n_answers, 1);
        assert_int_equal(o.answers[0], SMUG_ANS_SAT);
        mask_from_values(p, &o, m);
        if (!smug_mask_problem_satisfied(p, m))
            fail_msg("%s's mask violates a row", who);
        for (int i = 0; i < p->n; i++)
            assert_true(!zero[i] || !m[i]);
        const smug_value *size = smug_solver_output_find(&o, "size");
        assert_non_null(size);
        assert_false(size->is_bool);
        assert_true(size->number == (double)count(m, p->n));
        assert_true(count(m, p->n) <= b.upper);
        assert_true(count(m, p->n) >= b.lower);
        smug_solver_output_clear(&o);
        free(out);

        if (unsat_file[0]) {
            out = solve_file(s, unsat_file, 0, &o);
            first_line(out, "unsat", who);
            assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_UNSAT);
            if (o.error) /* only the get-value after unsat may complain */
                assert_int_equal(o.error_after, 1);
            smug_solver_output_clear(&o);
            free(out);
        }

        out = solve_file(s, inc_file, 1, &o);
        if (o.error && o.error_after < 2)
            fail_msg("%s on the push/pop file: %s", who, out);
        assert_int_equal(o.n_answers, 2);
        assert_int_equal(o.answers[0], SMUG_ANS_SAT);
        assert_int_equal(o.answers[1], b.lower >= 1 ? SMUG_ANS_UNSAT : SMUG_ANS_SAT);
        assert_non_null(strstr(out, "smug-mark-1"));
        assert_non_null(strstr(out, "smug-mark-2"));
        smug_solver_output_clear(&o);
        free(out);
    }

    if (solver_present(SOLVER_Z3)) {
        smug_solver_output o;
        char *out = solve_file(SOLVER_Z3, opt_file, 0, &o);
        if (strstr(out, "(error") || o.error)
            fail_msg("z3 on the optimize file: %s", out);
        first_line(out, "sat", "z3 optimize");
        assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_SAT);
        assert_true(o.has_objective);
        assert_true(o.objective_hi <= b.upper);
        assert_true(o.objective_lo >= b.lower);
        mask_from_values(p, &o, m);
        assert_true(smug_mask_problem_satisfied(p, m));
        assert_true(count(m, p->n) <= o.objective_hi);
        print_message("z3 optimum %.0f (incumbent %d, lower %d)\n", o.objective_hi, b.upper,
                      b.lower);
        smug_solver_output_clear(&o);
        free(out);
    }

    remove_temp(sat_file);
    if (unsat_file[0])
        remove_temp(unsat_file);
    remove_temp(opt_file);
    remove_temp(inc_file);
    free(sat_text), free(opt_text), free(inc_text), free(zero), free(m);
    smug_bounds_clear(&b);
    smug_mask_problem_free(p);
}

/* One variable (no "(+" with one term), a row without any term ("0.0"), and a problem
 * without variables ("(= size 0.0)", "(get-value (size))"): both solvers accept them. */
static void test_edge_arities(void **state)
{
    (void)state;
    for (int shape = 0; shape < 2; shape++) {
        int n = shape == 0 ? 1 : 0;
        smug_mask_problem *p = smug_mask_problem_new(2, n);
        assert_non_null(p);
        p->grid = (smug_grid){1, 3, 3, 1, 3, 3, 9};
        if (n == 1) {
            p->cell[0] = 4; /* block row 1, column 1 */
            tu_set_coef(p, 0, 0, 0.75);
        }
        p->t[0] = n == 1 ? 0.5 : -0.5;
        p->t[1] = -0.25; /* row 1 has no terms at all */
        p->neuron[0] = 3, p->neuron[1] = 7;
        smug_strbuf sb = SMUG_STRBUF_INIT;
        smug_smt_header(&sb, "smug test_smtlib edge", "sat");
        smug_smt_body(&sb, p, NULL);
        smug_smt_decision_query(&sb, p, n, NULL, 0, NULL);
        smug_smt_exit(&sb);
        size_t len;
        char *text = smug_strbuf_detach(&sb, &len);
        check_text(p, text, "sat");
        if (n == 1) {
            assert_non_null(strstr(text, "(assert (= size (ite m_1_1 1.0 0.0)))"));
            assert_non_null(strstr(text, "(assert (> (ite m_1_1 0.75 0.0) 0.5))"));
        } else {
            assert_non_null(strstr(text, "(assert (= size 0.0))"));
            assert_non_null(strstr(text, "(get-value (size))"));
        }
        assert_non_null(strstr(text, "(assert (> 0.0 (- 0.25)))"));
        char path[96];
        snprintf(path, sizeof path, "%s", write_temp(text, len));
        for (solver_id s = SOLVER_Z3; s <= SOLVER_CVC5; s++) {
            if (!solver_present(s))
                continue;
            smug_solver_output o;
            char *out = solve_file(s, path, 0, &o);
            if (strstr(out, "(error") || o.error)
                fail_msg("%s: %s", solver_name(s), out);
            first_line(out, "sat", solver_name(s));
            if (n == 1) {
                uint8_t m[1];
                mask_from_values(p, &o, m);
                assert_int_equal(m[0], 1);
            }
            smug_solver_output_clear(&o);
            free(out);
        }
        remove_temp(path);
        free(text);
        smug_mask_problem_free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_known),
        cmocka_unit_test(test_decimal_magnitudes),
        cmocka_unit_test(test_real_files),
        cmocka_unit_test(test_edge_arities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
