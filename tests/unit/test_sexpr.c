/* test_sexpr.c — the solver-output parser (src/smt/sexpr.c): every real z3/cvc5 transcript
 * in tests/data/transcripts parses to the answers, values, objectives and errors it shows,
 * plus hand-written edge cases (number spellings, strings, comments, |quoted| symbols,
 * malformed and adversarial text). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smug/fsutil.h"
#include "smug/sexpr.h"
#include "smug/strbuf.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------------ */

static int parse_str(const char *s, smug_solver_output *o, smug_error *err)
{
    smug_error_clear(err);
    return smug_sexpr_parse(s, strlen(s), o, err);
}

/* Parses text that must be accepted. */
static void parse_ok(const char *s, smug_solver_output *o)
{
    smug_error err = SMUG_ERROR_INIT;
    if (parse_str(s, o, &err) != 0)
        fail_msg("parse of \"%s\" failed: %s", s, err.msg);
}

/* Parses text that must be rejected with FORMAT; the message must contain `needle`. */
static void parse_bad(const char *s, const char *needle)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_solver_output o;
    memset(&o, 0x5A, sizeof o);
    if (parse_str(s, &o, &err) == 0)
        fail_msg("parse of \"%s\" succeeded", s);
    assert_int_equal(err.code, SMUG_ERR_FORMAT);
    if (!strstr(err.msg, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
    /* a failed parse leaves nothing to free */
    assert_null(o.answers);
    assert_null(o.values);
    assert_null(o.error);
    assert_int_equal(o.n_answers, 0);
    assert_int_equal(o.n_values, 0);
}

static double num_of(const smug_solver_output *o, const char *name)
{
    const smug_value *v = smug_solver_output_find(o, name);
    if (!v)
        fail_msg("no value for %s", name);
    if (v->is_bool)
        fail_msg("%s is a Bool", name);
    return v->number;
}

static int bool_of(const smug_solver_output *o, const char *name)
{
    const smug_value *v = smug_solver_output_find(o, name);
    if (!v)
        fail_msg("no value for %s", name);
    if (!v->is_bool)
        fail_msg("%s is not a Bool", name);
    return v->bool_value;
}

/* One value of a single-value get-value response. */
static double value_of(const char *text)
{
    char buf[256];
    snprintf(buf, sizeof buf, "((x %s))", text);
    smug_solver_output o;
    parse_ok(buf, &o);
    double v = num_of(&o, "x");
    smug_solver_output_clear(&o);
    return v;
}

static void value_bad(const char *text)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "sat\n((x %s))\n", text);
    parse_bad(buf, "get-value response: cannot read the value at byte 8 (line 2)");
}

/* ---- real transcripts ---------------------------------------------------------------- */

/* What one transcript shows. `answers`: one letter per check-sat answer (s sat, u unsat,
 * ? unknown). `values`: every value in printed order, "name=T|F|number"; "grid6:<36 bits>"
 * stands for m_0_0 … m_5_5 in row-major order. */
typedef struct transcript {
    const char *file;
    const char *answers;
    const char *error; /* the exact first error message, or NULL */
    const char *values;
    int has_objective;
    double lo, hi;
    int n_other;
} transcript;

#define ROW6 "m_0_0=F m_0_1=F m_0_2=F m_1_0=T m_1_1=T "
static const transcript transcripts[] = {
    {"z3_sat.out", "s", NULL, "m_0_0=F m_0_1=F m_0_2=T m_1_0=T m_1_1=F m_1_2=T size=3", 0, 0, 0, 0},
    {"cvc5_sat.out", "s", NULL, ROW6 "m_1_2=T size=3", 0, 0, 0, 0},
    {"cvc5_sat_nomodels.out", "s",
     "Cannot get value unless model generation is enabled (try --produce-models)", "", 0, 0, 0, 0},
    {"z3_unsat.out", "u", "line 18 column 53: model is not available", "", 0, 0, 0, 0},
    {"cvc5_unsat.out", "u", "Cannot get value unless after a SAT or UNKNOWN response.", "", 0, 0, 0,
     0},
    /* z3's model lists variables in its own order and prints size as its definition */
    {"z3_model.out", "s", NULL, "m_0_0=F m_0_2=T m_1_2=T m_1_1=F m_0_1=F m_1_0=T", 0, 0, 0, 0},
    {"cvc5_model.out", "s", NULL, ROW6 "m_1_2=T", 0, 0, 0, 0},
    /* the model after the get-value replaces it (test_transcript_values checks the latter) */
    {"z3_values.out", "s", NULL, "m_0_0=F y=2.5 x=-0.333333333333333 w=0.333333333333333 z=-4", 0,
     0, 0, 0},
    {"cvc5_values.out", "s", NULL, "m_0_0=F x=-0.333333333333333 y=2.5 z=-4 w=0.333333333333333", 0,
     0, 0, 0},
    {"z3_optimize.out", "s", NULL, ROW6 "m_1_2=F size=2", 1, 2, 2, 0},
    {"z3_optimize_definefun.out", "s", NULL, ROW6 "m_1_2=F size=2", 1, 2, 2, 0},
    {"cvc5_optimize.out", "",
     "Parse Error: optimize.smt2:17.9: expected SMT-LIBv2 command, got `minimize'.\n\n"
     "  (minimize size)\n   ^\n",
     "", 0, 0, 0, 0},
    {"z3_hard.out", "?", "line 49 column 233: model is not available", "", 0, 0, 0, 0},
    /* cvc5 --tlimit-per: "unknown", then all-false values that are not a model */
    {"cvc5_hard.out", "?", NULL, "grid6:000000000000000000000000000000000000 size=0", 0, 0, 0, 0},
    /* cvc5 --tlimit: aborted (exit 134) before printing anything */
    {"cvc5_hard_tlimit.out", "", NULL, "", 0, 0, 0, 0},
    /* stopped by -t:50: the objective interval and the best model so far */
    {"z3_hard_optimize.out", "?", NULL, "grid6:110111110110101010101101101011110010 size=23", 1, 0,
     23, 0},
    {"z3_hard_optimize_canceled.out", "", "line 49 column 10: canceled", "", 1, 0, 36, 0},
    /* z3 drops the assertion it cannot parse and answers for a weaker formula */
    {"z3_parse_error_exponent.out", "s", "line 12 column 28: unknown constant e-05",
     "m_0_0=F m_0_1=T m_0_2=F m_1_0=F m_1_1=T m_1_2=F size=2", 0, 0, 0, 0},
    {"cvc5_parse_error_exponent.out", "",
     "Parse Error: parse_error_exponent.smt2:12.32: Symbol e-05 is not declared.", "", 0, 0, 0, 0},
    {"z3_parse_error_negative.out", "s", NULL, ROW6 "m_1_2=F size=2", 0, 0, 0, 0},
    {"cvc5_parse_error_negative.out", "",
     "Parse Error: parse_error_negative.smt2:12.50: Symbol -0.5 is not declared.\n\n"
     "  (assert (> (+ (ite m_0_0 0.25 0.0) (ite m_0_1 -0.5 0.0) (ite m_0_2 0.7...\n"
     "                                                ^\n",
     "", 0, 0, 0, 0},
    {"z3_incremental.out", "us", NULL, ROW6 "m_1_2=F size=2", 0, 0, 0, 0},
    {"cvc5_incremental.out", "us", NULL, ROW6 "m_1_2=F size=2", 0, 0, 0, 0},
    {"cvc5_incremental_noflag.out", "",
     "Cannot push when not solving incrementally (use --incremental)", "", 0, 0, 0, 0},
    {"z3_print_success.out", "s", NULL, "m_1_0=F m_1_1=T size=2", 0, 0, 0, 14},
    {"cvc5_print_success.out", "s", NULL, "m_1_0=F m_1_1=T size=2", 0, 0, 0, 14},
};
#define N_TRANSCRIPTS (sizeof transcripts / sizeof *transcripts)

/* noinline: gcc 12 at -O3 mistakes the returned buffer for the inlined local `data` */
static __attribute__((noinline)) char *read_transcript(const char *file, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/transcripts/%s", file);
    unsigned char *data = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_fs_read_all(tu_path(rel), &data, len, &err) != 0)
        fail_msg("%s", err.msg);
    return (char *)data;
}

/* Checks o->values against a spec, in order and exactly. */
static void check_values(const char *file, const smug_solver_output *o, const char *spec)
{
    int i = 0;
    char item[128];
    for (const char *p = spec; *p;) {
        size_t n = strcspn(p, " ");
        assert_true(n > 0 && n < sizeof item);
        memcpy(item, p, n);
        item[n] = '\0';
        p += n + (p[n] == ' ');
        if (strncmp(item, "grid6:", 6) == 0) {
            assert_int_equal(strlen(item), 6 + 36);
            for (int c = 0; c < 36; c++, i++) {
                char name[16];
                snprintf(name, sizeof name, "m_%d_%d", c / 6, c % 6);
                if (i >= o->n_values)
                    fail_msg("%s: only %d values", file, o->n_values);
                assert_string_equal(o->values[i].name, name);
                assert_true(o->values[i].is_bool);
                assert_int_equal(o->values[i].bool_value, item[6 + c] == '1');
            }
            continue;
        }
        char *eq = strchr(item, '=');
        assert_non_null(eq);
        *eq = '\0';
        if (i >= o->n_values)
            fail_msg("%s: only %d values, expected %s", file, o->n_values, item);
        const smug_value *v = &o->values[i++];
        if (strcmp(v->name, item) != 0)
            fail_msg("%s: value %d is %s, expected %s", file, i - 1, v->name, item);
        assert_ptr_equal(smug_solver_output_find(o, item), v);
        if (strcmp(eq + 1, "T") == 0 || strcmp(eq + 1, "F") == 0) {
            assert_true(v->is_bool);
            assert_int_equal(v->bool_value, eq[1] == 'T');
        } else {
            assert_false(v->is_bool);
            tu_assert_close(v->number, strtod(eq + 1, NULL), 1e-12);
        }
    }
    if (i != o->n_values)
        fail_msg("%s: %d values, expected %d", file, o->n_values, i);
}

static void test_transcripts(void **state)
{
    (void)state;
    for (size_t t = 0; t < N_TRANSCRIPTS; t++) {
        const transcript *x = &transcripts[t];
        size_t len;
        char *text = read_transcript(x->file, &len);
        smug_solver_output o;
        smug_error err = SMUG_ERROR_INIT;
        if (smug_sexpr_parse(text, len, &o, &err) != 0)
            fail_msg("%s: %s", x->file, err.msg);
        assert_int_equal(o.n_answers, (int)strlen(x->answers));
        for (int i = 0; i < o.n_answers; i++) {
            char c = x->answers[i];
            assert_int_equal(o.answers[i], c == 's'   ? SMUG_ANS_SAT
                                           : c == 'u' ? SMUG_ANS_UNSAT
                                                      : SMUG_ANS_UNKNOWN);
        }
        if (o.n_answers == 0)
            assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_NONE);
        else
            assert_int_equal(smug_solver_output_last_answer(&o), o.answers[o.n_answers - 1]);
        if (x->error) {
            if (!o.error)
                fail_msg("%s: no error", x->file);
            assert_string_equal(o.error, x->error);
        } else if (o.error) {
            fail_msg("%s: unexpected error %s", x->file, o.error);
        }
        check_values(x->file, &o, x->values);
        assert_int_equal(o.has_objective, x->has_objective);
        if (x->has_objective) {
            assert_true(o.objective_lo == x->lo);
            assert_true(o.objective_hi == x->hi);
        }
        assert_int_equal(o.n_other, x->n_other);
        smug_solver_output_clear(&o);
        free(text);
    }
}

/* Every .out file in the folder has an entry above, so a new transcript gets checked. */
static void test_transcripts_all_listed(void **state)
{
    (void)state;
    DIR *d = opendir(tu_path("tests/data/transcripts"));
    assert_non_null(d);
    int n_out = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 4, ".out") != 0)
            continue;
        n_out++;
        size_t t = 0;
        while (t < N_TRANSCRIPTS && strcmp(transcripts[t].file, e->d_name) != 0)
            t++;
        if (t == N_TRANSCRIPTS)
            fail_msg("%s has no expectations in test_sexpr.c", e->d_name);
    }
    closedir(d);
    assert_int_equal(n_out, (int)N_TRANSCRIPTS);
}

/* The get-value responses before the models: both solvers' rational spellings and a value
 * named by a compound term. */
static void test_transcript_values(void **state)
{
    (void)state;
    const char *files[] = {"z3_values.out", "cvc5_values.out"};
    for (int f = 0; f < 2; f++) {
        size_t len;
        char *text = read_transcript(files[f], &len);
        char *model = strstr(text, "\n(\n");
        assert_non_null(model);
        smug_solver_output o;
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_sexpr_parse(text, (size_t)(model - text) + 1, &o, &err), 0);
        assert_int_equal(o.n_values, 6);
        assert_int_equal(bool_of(&o, "m_0_0"), 0);
        assert_true(num_of(&o, "x") == -1.0 / 3.0);
        assert_true(num_of(&o, "y") == 2.5);
        assert_true(num_of(&o, "z") == -4.0);
        assert_true(num_of(&o, "w") == 1.0 / 3.0);
        assert_true(num_of(&o, "(+ x y)") == 13.0 / 6.0);
        smug_solver_output_clear(&o);
        free(text);
    }
}

/* z3's optimum run: size in the values equals the number of true cells and lies within the
 * objective interval. */
static void test_transcript_anytime_model(void **state)
{
    (void)state;
    size_t len;
    char *text = read_transcript("z3_hard_optimize.out", &len);
    smug_solver_output o;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_sexpr_parse(text, len, &o, &err), 0);
    int ones = 0;
    for (int i = 0; i < o.n_values; i++)
        ones += o.values[i].is_bool && o.values[i].bool_value;
    assert_true(num_of(&o, "size") == ones);
    assert_true(o.objective_lo <= ones && ones <= o.objective_hi);
    smug_solver_output_clear(&o);
    free(text);
}

/* ---- answers, errors, other items --------------------------------------------------- */

static void test_answers(void **state)
{
    (void)state;
    smug_solver_output o;
    parse_ok("", &o);
    assert_int_equal(o.n_answers, 0);
    assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_NONE);
    assert_null(o.error);
    assert_int_equal(o.n_other, 0);
    smug_solver_output_clear(&o);

    parse_ok(" \t\r\n; only a comment", &o);
    assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_NONE);
    smug_solver_output_clear(&o);

    parse_ok("success\nsuccess\nsat\r\nunsat\nunknown\nsuccess\nSAT\n\"sat\"\n|sat|\n", &o);
    assert_int_equal(o.n_answers, 3);
    assert_int_equal(o.answers[0], SMUG_ANS_SAT);
    assert_int_equal(o.answers[1], SMUG_ANS_UNSAT);
    assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_UNKNOWN);
    assert_int_equal(o.n_other, 6); /* 3 success, SAT, a string, a quoted symbol */
    smug_solver_output_clear(&o);

    /* other lists are counted, not read: get-info answers, empty objectives */
    parse_ok("(:name \"z3\")\n(:reason-unknown timeout)\n(objectives)\n((x))\n", &o);
    assert_int_equal(o.n_other, 4);
    assert_int_equal(o.has_objective, 0);
    smug_solver_output_clear(&o);
}

static void test_errors(void **state)
{
    (void)state;
    smug_solver_output o;
    /* an error before "sat" makes the output an error; only the first is kept */
    parse_ok("(error \"line 3 column 1: unknown constant e-05\")\nsat\n((m 1.0))\n"
             "(error \"second\")\n",
             &o);
    assert_non_null(o.error);
    assert_string_equal(o.error, "line 3 column 1: unknown constant e-05");
    assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_SAT);
    assert_true(num_of(&o, "m") == 1.0);
    smug_solver_output_clear(&o);

    /* SMT-LIB "" escapes, z3's \" and \\ escapes, newlines, parens and ';' in strings */
    parse_ok("(error \"he said \"\"hi\"\" (;) a\\\"b\\\\c \\n\nend\")", &o);
    assert_string_equal(o.error, "he said \"hi\" (;) a\"b\\c \\n\nend");
    smug_solver_output_clear(&o);
    parse_ok("(error \"\")", &o);
    assert_string_equal(o.error, "");
    smug_solver_output_clear(&o);

    /* an error without a string message is kept as printed */
    parse_ok("(error)\n", &o);
    assert_string_equal(o.error, "(error)");
    smug_solver_output_clear(&o);
    parse_ok("(error canceled 2)", &o);
    assert_string_equal(o.error, "(error canceled 2)");
    smug_solver_output_clear(&o);

    /* cvc5 1.0.3 quotes the input line of a parse error without escaping its '"' (real
     * output). With an even number of them the error is read, its text kept as printed ... */
    const char *cvc5_quotes = "(error \"Parse Error: q3.smt2:3.51: Symbol -1.0 is not declared.\n\n"
                              "  ...nfo :category \"industrial\") (assert (> x -1.0))\n"
                              "                                              ^\n\")\n";
    parse_ok(cvc5_quotes, &o);
    assert_non_null(o.error);
    assert_memory_equal(o.error, cvc5_quotes, strlen(cvc5_quotes) - 1);
    assert_int_equal(strlen(o.error), strlen(cvc5_quotes) - 1);
    smug_solver_output_clear(&o);
    /* ... with an odd number the text is unreadable: a format error that quotes the start */
    parse_bad("(error \"Parse Error: q.smt2:2.16: Symbol a\"b is not declared.\n\n"
              "  (assert (> |a\"b| 0.0))\n                ^\n\")\nsat\n",
              "unterminated string at byte 106 (line 5); the solver's error: \"Parse Error: "
              "q.smt2:2.16: Symbol a\"");
}

static void test_comments_and_quoted_symbols(void **state)
{
    (void)state;
    smug_solver_output o;
    parse_ok("; a comment (with an unbalanced paren\nsat ; sat\n"
             "((|x y| 1.5) ; one\n (|m;0| true) (|(| false) (|| 2) (m_0_1 3)) ; )\n",
             &o);
    assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_SAT);
    assert_int_equal(o.n_values, 5);
    assert_true(num_of(&o, "x y") == 1.5);
    assert_int_equal(bool_of(&o, "m;0"), 1);
    assert_int_equal(bool_of(&o, "("), 0);
    assert_true(num_of(&o, "") == 2.0);
    assert_true(num_of(&o, "m_0_1") == 3.0);
    assert_null(smug_solver_output_find(&o, "|x y|"));
    assert_null(smug_solver_output_find(&o, "missing"));
    assert_null(smug_solver_output_find(&o, NULL));
    assert_null(smug_solver_output_find(NULL, "x"));
    assert_int_equal(smug_solver_output_last_answer(NULL), SMUG_ANS_NONE);
    smug_solver_output_clear(&o);
    smug_solver_output_clear(&o); /* freeing twice is harmless */
    smug_solver_output_clear(NULL);

    /* atoms end at | and " */
    parse_ok("sat|x|\"s\"unsat", &o);
    assert_int_equal(o.n_answers, 2);
    assert_int_equal(o.n_other, 2);
    smug_solver_output_clear(&o);
}

/* ---- values ------------------------------------------------------------------------ */

static void test_number_spellings(void **state)
{
    (void)state;
    assert_true(value_of("5") == 5.0);
    assert_true(value_of("0") == 0.0);
    assert_true(value_of("5.0") == 5.0);
    assert_true(value_of("2.5") == 2.5);
    assert_true(value_of("0.125") == 0.125);
    assert_true(value_of("007.50") == 7.5);
    assert_true(value_of("(- 4.0)") == -4.0);
    assert_true(value_of("(- 0)") == 0.0);
    assert_true(value_of("(/ 1.0 3.0)") == 1.0 / 3.0);
    assert_true(value_of("(/ 1 3)") == 1.0 / 3.0);
    assert_true(value_of("(- (/ 1.0 3.0))") == -1.0 / 3.0);
    assert_true(value_of("(/ (- 1) 3)") == -1.0 / 3.0);
    assert_true(value_of("(/ (- 1.0) (- 3.0))") == 1.0 / 3.0);
    assert_true(value_of("(- (- 2))") == 2.0);
    assert_true(value_of("(/ (/ 1 2) 4)") == 0.125);
    assert_true(value_of("( /\n 13.0\t6.0 )") == 13.0 / 6.0);
    assert_true(value_of("(/ 123456789012345678901234567890 10)") == 1.2345678901234568e28);
    assert_true(value_of("0.1") == 0.1);

    value_bad("1.5e-05");
    value_bad("-1.0");
    value_bad("-1");
    value_bad("+1");
    value_bad("1.");
    value_bad(".5");
    value_bad("1.2.3");
    value_bad("#x0f");
    value_bad("oo");
    value_bad("epsilon");
    value_bad("(/ 1 0)");
    value_bad("(/ 1 0.0)");
    value_bad("(/ 1 2 3)");
    value_bad("(- 1 2)");
    value_bad("(-)");
    value_bad("(+ 1 2)");
    value_bad("(* 2 3)");
    value_bad("()");
    value_bad("(1)");
    value_bad("x");
    value_bad("|5|");
    value_bad("\"5\"");
    value_bad("(root-obj (+ (^ x 2) (- 2)) 1)");
    value_bad("(/ 1 (- 0))");
}

static void test_huge_numbers(void **state)
{
    (void)state;
    char *buf = malloc(300000);
    assert_non_null(buf);
    /* 400 digits overflow a double: rejected, not infinity */
    strcpy(buf, "((x ");
    memset(buf + 4, '9', 400);
    strcpy(buf + 404, "))");
    smug_error err = SMUG_ERROR_INIT;
    smug_solver_output o;
    assert_int_equal(smug_sexpr_parse(buf, strlen(buf), &o, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_FORMAT);
    /* ... unless they are leading zeros */
    memset(buf + 4, '0', 100000);
    strcpy(buf + 100004, "12.5))");
    parse_ok(buf, &o);
    assert_true(num_of(&o, "x") == 12.5);
    smug_solver_output_clear(&o);
    /* a very long fraction is cut far below double precision */
    strcpy(buf, "((x 0.");
    memset(buf + 6, '3', 200000);
    strcpy(buf + 200006, "))");
    parse_ok(buf, &o);
    assert_true(num_of(&o, "x") == 1.0 / 3.0);
    smug_solver_output_clear(&o);
    strcpy(buf, "((x 0.");
    memset(buf + 6, '0', 200000);
    strcpy(buf + 200006, "1))");
    parse_ok(buf, &o);
    assert_true(num_of(&o, "x") == 0.0);
    smug_solver_output_clear(&o);
    /* a ratio of huge numbers overflows */
    value_bad("(/ 1 0.0000000000000000000000000000000000000000000000000000000000000000000000000"
              "0000000000000000000000000000000000000000000000000000000000000000000000000000000"
              "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
              "000000000000000000000000000000000000000000000000000000000000000000000000000001)");
    free(buf);
}

static void test_get_value_and_models(void **state)
{
    (void)state;
    smug_solver_output o;
    /* the last response wins; a model replaces a get-value response and vice versa */
    parse_ok("sat\n((a true) (b 1.0))\nsat\n((c false))\n", &o);
    assert_int_equal(o.n_values, 1);
    assert_null(smug_solver_output_find(&o, "a"));
    assert_int_equal(bool_of(&o, "c"), 0);
    smug_solver_output_clear(&o);

    /* (model …), with functions, definitions and other items skipped */
    parse_ok("sat\n((a true))\n(model\n  (define-fun m_0_1 () Bool true)\n"
             "  (define-fun f ((x Real)) Real x)\n  (define-fun s () Real (+ x 1.0))\n"
             "  (declare-sort U 0)\n  (define-fun |q r| () Real (- (/ 1 4)))\n"
             "  (define-fun bad () Real)\n  (define-fun n () Real (- 2.0)))\n",
             &o);
    assert_int_equal(o.n_values, 3);
    assert_int_equal(bool_of(&o, "m_0_1"), 1);
    assert_true(num_of(&o, "q r") == -0.25);
    assert_true(num_of(&o, "n") == -2.0);
    assert_null(smug_solver_output_find(&o, "a"));
    assert_null(smug_solver_output_find(&o, "s"));
    smug_solver_output_clear(&o);

    /* bare models: z3's define-fun list, cvc5's empty model "()" */
    parse_ok("((define-fun x () Real 0.5))", &o);
    assert_true(num_of(&o, "x") == 0.5);
    smug_solver_output_clear(&o);
    parse_ok("((x 1))\n(\n)\n", &o);
    assert_int_equal(o.n_values, 0);
    smug_solver_output_clear(&o);

    /* a value a model does print but smug cannot read is an error, not a skip */
    parse_bad("(model (define-fun x () Real (/ 1 0)))", "model: cannot read the value at byte 29");

    /* every get-value item must be a pair */
    parse_bad("((x 1) (y))", "get-value response: item is not a (name value) pair at byte 7");
    parse_bad("((x 1) y)", "item is not a (name value) pair at byte 7");
    parse_bad("((x 1) (y 2 3))", "item is not a (name value) pair");
    parse_bad("((x 1) (y z))", "get-value response: cannot read the value at byte 10");
}

/* ---- objectives -------------------------------------------------------------------- */

static void objective_is(const char *text, double lo, double hi)
{
    smug_solver_output o;
    parse_ok(text, &o);
    assert_int_equal(o.has_objective, 1);
    if (!(o.objective_lo == lo && o.objective_hi == hi))
        fail_msg("%s: [%.17g, %.17g], expected [%.17g, %.17g]", text, o.objective_lo,
                 o.objective_hi, lo, hi);
    smug_solver_output_clear(&o);
}

static void test_objectives(void **state)
{
    (void)state;
    objective_is("(objectives (size 5))", 5, 5);
    objective_is("(objectives\n (size  (interval 3 5))\n)", 3, 5);
    objective_is("(objectives (size (/ 3.0 2.0)))", 1.5, 1.5);
    objective_is("(objectives ((+ (ite m 1.0 0.0) (ite n 1.0 0.0)) 2))", 2, 2);
    objective_is("(objectives (a 1) (b (interval 0 9)))", 1, 1);
    objective_is("(objectives (a 1))\n(objectives (a (interval 0 4)))", 0, 4);
    /* infinite and infinitesimal terms, bounded conservatively */
    objective_is("(objectives (x oo))", INFINITY, INFINITY);
    objective_is("(objectives (x (* (- 1) oo)))", -INFINITY, -INFINITY);
    objective_is("(objectives (x (- oo)))", -INFINITY, -INFINITY);
    objective_is("(objectives (size (interval 0 oo)))", 0, INFINITY);
    objective_is("(objectives (size (interval (* (- 1) oo) 7)))", -INFINITY, 7);
    objective_is("(objectives (x (+ 3 (* (- 1) epsilon))))", nextafter(3, -INFINITY), 3);
    objective_is("(objectives (x (+ (/ 1 2) epsilon)))", 0.5, nextafter(0.5, INFINITY));
    objective_is("(objectives (x (interval (+ 2 epsilon) (- 4 epsilon))))", 2, 4);
    objective_is("(objectives (x (interval (- 2 epsilon) (+ 4 (* 2 epsilon)))))",
                 nextafter(2, -INFINITY), nextafter(4, INFINITY));
    objective_is("(objectives (x (+ (* 2 oo) 3 (* (- 1) epsilon))))", INFINITY, INFINITY);
    objective_is("(objectives (x (* 0 oo)))", 0, 0);
    objective_is("(objectives (x epsilon))", 0, nextafter(0, INFINITY));

    parse_bad("(objectives (size (interval 5 3)))", "objectives: cannot read the value at byte 18");
    parse_bad("(objectives (size (interval 5)))", "objectives: cannot read the value");
    parse_bad("(objectives (size foo))", "objectives: cannot read the value");
    parse_bad("(objectives (size (* oo oo)))", "objectives: cannot read the value");
    parse_bad("(objectives (size (/ 1 oo)))", "objectives: cannot read the value");
    parse_bad("(objectives (size (/ oo 0)))", "objectives: cannot read the value");
    parse_bad("(objectives (size 1) (t))", "objectives: item is not a (name value) pair");
    parse_bad("(objectives size)", "objectives: item is not a (name value) pair at byte 12");
}

/* ---- malformed and adversarial text ------------------------------------------------- */

static void test_malformed(void **state)
{
    (void)state;
    parse_bad(")", "unbalanced ')' at byte 0 (line 1)");
    parse_bad("sat\n((x 1)))\n", "unbalanced ')' at byte 11 (line 2)");
    parse_bad("sat\n((x 1)\n", "'(' never closed at byte 4 (line 2)");
    parse_bad("sat\n(error \"abc)\n", "unterminated string at byte 11 (line 2)");
    parse_bad("((|x 1))", "unterminated |quoted symbol| at byte 2");
    parse_bad("sat\n\"a\"\"", "unterminated string at byte 4");
    parse_bad("(error \"a\\\")", "unterminated string at byte 7");

    /* NUL bytes are never part of solver output */
    smug_error err = SMUG_ERROR_INIT;
    smug_solver_output o;
    assert_int_equal(smug_sexpr_parse("sat\0", 4, &o, &err), -1);
    assert_true(strstr(err.msg, "NUL byte at byte 3") != NULL);
    assert_int_equal(smug_sexpr_parse("\"a\0\"", 4, &o, &err), -1);
    assert_true(strstr(err.msg, "NUL byte in a string at byte 2") != NULL);
    assert_int_equal(smug_sexpr_parse("|a\0|", 4, &o, &err), -1);
    assert_true(strstr(err.msg, "NUL byte in a |quoted symbol| at byte 0") != NULL);
    /* ... but a comment may hold anything */
    assert_int_equal(smug_sexpr_parse(";\0\nsat", 6, &o, &err), 0);
    assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_SAT);
    smug_solver_output_clear(&o);
    /* the length is honoured: bytes past it are not read */
    assert_int_equal(smug_sexpr_parse("sat)", 3, &o, &err), 0);
    assert_int_equal(smug_solver_output_last_answer(&o), SMUG_ANS_SAT);
    smug_solver_output_clear(&o);
    assert_int_equal(smug_sexpr_parse(NULL, 0, &o, &err), 0);
    assert_int_equal(o.n_answers, 0);
    smug_solver_output_clear(&o);
    /* a NULL error pointer is allowed */
    assert_int_equal(smug_sexpr_parse(")", 1, &o, NULL), -1);

    /* a format error after a solver error quotes the solver */
    parse_bad("(error \"boom\")\n((x 1)",
              "never closed at byte 15 (line 2); the solver's error: \"boom\"");
}

static char *nested(int depth, const char *inner)
{
    size_t n = strlen(inner);
    char *s = malloc(2 * (size_t)depth + n + 1);
    assert_non_null(s);
    memset(s, '(', (size_t)depth);
    memcpy(s + depth, inner, n);
    memset(s + depth + n, ')', (size_t)depth);
    s[2 * (size_t)depth + n] = '\0';
    return s;
}

static void test_depth_limit(void **state)
{
    (void)state;
    smug_solver_output o;
    char *s = nested(SMUG_SEXPR_MAX_DEPTH, "x");
    parse_ok(s, &o);
    assert_int_equal(o.n_other, 1);
    smug_solver_output_clear(&o);
    free(s);

    s = nested(SMUG_SEXPR_MAX_DEPTH + 1, "x");
    char needle[64];
    snprintf(needle, sizeof needle, "nested too deeply at byte %d", SMUG_SEXPR_MAX_DEPTH);
    parse_bad(s, needle);
    free(s);

    s = nested(1000000, "");
    parse_bad(s, "nested too deeply");
    free(s);

    /* a value nested to the limit still evaluates */
    size_t cap = 8 * SMUG_SEXPR_MAX_DEPTH;
    char *v = malloc(cap);
    assert_non_null(v);
    strcpy(v, "((x ");
    int depth = SMUG_SEXPR_MAX_DEPTH - 2;
    for (int i = 0; i < depth; i++)
        strcat(v, "(- ");
    strcat(v, "1");
    for (int i = 0; i < depth; i++)
        strcat(v, ")");
    strcat(v, "))");
    parse_ok(v, &o);
    assert_true(num_of(&o, "x") == 1.0); /* an even number of negations */
    smug_solver_output_clear(&o);
    free(v);
}

/* Long outputs parse in linear time: a quadratic step would take minutes here. */
static void test_long_outputs(void **state)
{
    (void)state;
    const int n = 200000;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    for (int i = 0; i < n; i++)
        smug_strbuf_adds(&sb, "success\n");
    smug_strbuf_adds(&sb, "sat\n(");
    for (int i = 0; i < n; i++)
        smug_strbuf_addf(&sb, "(m_%d_%d %s) ", i / 1000, i % 1000, i % 3 ? "true" : "false");
    smug_strbuf_adds(&sb, "(size (/ 2.0 8.0)))\n(error \"");
    for (int i = 0; i < n; i++)
        smug_strbuf_adds(&sb, "\"\"x");
    smug_strbuf_adds(&sb, "\")\n");
    for (int i = 0; i < n; i++)
        smug_strbuf_adds(&sb, "unknown\n");
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_strbuf_check(&sb, &err), 0);

    clock_t t0 = clock();
    smug_solver_output o;
    assert_int_equal(smug_sexpr_parse(sb.buf, sb.len, &o, &err), 0);
    double seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(o.n_other, n);
    assert_int_equal(o.n_answers, n + 1);
    assert_int_equal(o.n_values, n + 1);
    assert_int_equal(bool_of(&o, "m_0_1"), 1);
    assert_int_equal(bool_of(&o, "m_199_998"), 0);
    assert_true(num_of(&o, "size") == 0.25);
    assert_int_equal(strlen(o.error), 2 * (size_t)n);
    assert_true(seconds < 20);
    smug_solver_output_clear(&o);
    smug_strbuf_clear(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transcripts),
        cmocka_unit_test(test_transcripts_all_listed),
        cmocka_unit_test(test_transcript_values),
        cmocka_unit_test(test_transcript_anytime_model),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_comments_and_quoted_symbols),
        cmocka_unit_test(test_number_spellings),
        cmocka_unit_test(test_huge_numbers),
        cmocka_unit_test(test_get_value_and_models),
        cmocka_unit_test(test_objectives),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_long_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
