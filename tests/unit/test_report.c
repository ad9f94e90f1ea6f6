/* test_report.c — report.json entries (src/run/report.c) and the JSON writer and reader
 * under them (src/io/json.c), read back with the reader: an input whose mask stages failed,
 * and strings that need escaping (issue #15.6: these were covered only end to end). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "smug/json.h"
#include "smug/report.h"
#include "testutil.h"

/* Parses sb (freed) into *out, failing the test on a parse error. */
static smug_jval *parse(smug_strbuf *sb)
{
    smug_jval *root = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_strbuf_check(sb, &err), 0);
    if (smug_jval_parse(sb->buf, sb->len, "report", &root, &err) < 0)
        fail_msg("%s\n%s", err.msg, sb->buf);
    smug_strbuf_clear(sb);
    return root;
}

static double num(const smug_jval *obj, const char *key)
{
    double v = NAN;
    assert_int_equal(smug_jval_num(smug_jval_get(obj, key), &v), 0);
    return v;
}

static void test_failed_input(void **state)
{
    (void)state;
    float pre[6] = {0.5f, -1.0f, 2.25f, 3.0f, 0.125f, 4.0f};
    float ig[6] = {0.1f, 0.0f, 0.75f, 1.5f, 0.0f, 0.25f};
    int neurons[3] = {3, 2, 5};
    smug_explanation e = {.predicted = 7,
                          .target = 7,
                          .confidence = 0.875f,
                          .n_first = 6,
                          .first_pre = pre,
                          .ig_first = ig,
                          .neurons = neurons,
                          .n_neurons = 3};
    smug_params p;
    smug_params_defaults(&p);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &sb, 1);
    smug_json_array_begin(&j, NULL);
    const char *why = "solver z3: crashed (signal 11) \"quoted\"\nsecond line";
    smug_report_input(&j, "data/x \"y\".png", &e, NULL, "z3", &p, NULL, why, 1.5, NULL);
    smug_json_array_end(&j);
    smug_jval *root = parse(&sb);
    assert_int_equal(smug_jval_len(root), 1);
    const smug_jval *in = smug_jval_at(root, 0);
    assert_string_equal(smug_jval_str(smug_jval_get(in, "input")), "data/x \"y\".png");
    assert_string_equal(smug_jval_str(smug_jval_get(in, "status")), "error");
    assert_string_equal(smug_jval_str(smug_jval_get(in, "error")), why);
    assert_string_equal(smug_jval_str(smug_jval_get(in, "solver")), "z3");
    assert_true(num(in, "predicted") == e.predicted);
    assert_true(fabs(num(in, "confidence") - e.confidence) < 1e-6);
    const smug_jval *ns = smug_jval_get(in, "neurons");
    assert_int_equal(smug_jval_len(ns), 3);
    for (int k = 0; k < 3; k++) { /* in the order chosen, each with its own IG and o_j */
        const smug_jval *n = smug_jval_at(ns, (size_t)k);
        int idx = neurons[k];
        assert_true(num(n, "index") == idx);
        assert_true(fabs(num(n, "ig") - ig[idx]) < 1e-6);
        assert_true(fabs(num(n, "activation") - pre[idx]) < 1e-6);
    }
    smug_jval_free(root);
}

static void test_writer_round_trip(void **state)
{
    (void)state;
    const char *odd = "tab\there, \"quotes\", back\\slash, bell\a, caf\xc3\xa9, \x01";
    float fl[3] = {1.5f, -0.0f, 3.25e-7f};
    int in[4] = {0, -1, 2147483647, 42};
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &sb, 0);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, odd, odd); /* keys are escaped too */
    smug_json_number(&j, "pi", 3.141592653589793);
    smug_json_number(&j, "nan", NAN);
    smug_json_int(&j, "big", -9007199254740991L);
    smug_json_bool(&j, "yes", 1);
    smug_json_null(&j, "none");
    smug_json_floats(&j, "floats", fl, 3);
    smug_json_ints(&j, "ints", in, 4);
    smug_json_array_begin(&j, "empty");
    smug_json_array_end(&j);
    smug_json_raw(&j, "raw", "{\"a\": [1, 2]}");
    smug_json_object_end(&j);
    smug_jval *root = parse(&sb);
    assert_string_equal(smug_jval_str(smug_jval_get(root, odd)), odd);
    /* numbers keep 9 significant digits (json.h): enough for any float32 */
    assert_true((float)num(root, "pi") == (float)3.141592653589793);
    assert_true(fabs(num(root, "pi") - 3.141592653589793) < 5e-9);
    assert_true(smug_jval_is_null(smug_jval_get(root, "nan"))); /* JSON has no NaN */
    long big = 0;
    assert_int_equal(smug_jval_int(smug_jval_get(root, "big"), &big), 0);
    assert_true(big == -9007199254740991L);
    assert_non_null(smug_jval_get(root, "yes"));
    assert_true(smug_jval_is_null(smug_jval_get(root, "none")));
    const smug_jval *f = smug_jval_get(root, "floats"), *i = smug_jval_get(root, "ints");
    assert_int_equal(smug_jval_len(f), 3);
    for (size_t k = 0; k < 3; k++) { /* a float32 survives its text exactly */
        double v;
        assert_int_equal(smug_jval_num(smug_jval_at(f, k), &v), 0);
        assert_true((float)v == fl[k]);
    }
    for (size_t k = 0; k < 4; k++) {
        long v;
        assert_int_equal(smug_jval_int(smug_jval_at(i, k), &v), 0);
        assert_true(v == in[k]);
    }
    assert_int_equal(smug_jval_len(smug_jval_get(root, "empty")), 0);
    assert_int_equal(smug_jval_len(smug_jval_get(smug_jval_get(root, "raw"), "a")), 2);
    smug_jval_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_input),
        cmocka_unit_test(test_writer_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
