/* test_labels.c — labels.csv for `smug eval` (src/io/labels.c): the committed fixture, any
 * column order, CRLF, lookups by file name, and each malformed file's message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "smug/labels.h"
#include "testutil.h"

static void test_fixture(void **state)
{
    (void)state;
    smug_labels l;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_labels_load(SMUG_SOURCE_DIR "/data/fashion/labels.csv", &l, &err), 0);
    assert_int_equal(l.n, 20);
    assert_int_equal(smug_labels_find(&l, "0000_ankle_boot.png"), 9);
    assert_int_equal(smug_labels_find(&l, "/some/dir/0002_trouser.png"), 1);
    assert_int_equal(smug_labels_find(&l, "nope.png"), -1);
    smug_labels_clear(&l);
}

static void test_order_and_crlf(void **state)
{
    (void)state;
    const char *t = "label,file\r\n3,a.png\r\n\r\n0,b.png\r\n";
    smug_labels l;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_labels_parse(t, strlen(t), "x.csv", &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(smug_labels_find(&l, "a.png"), 3);
    assert_int_equal(smug_labels_find(&l, "b.png"), 0);
    smug_labels_clear(&l);
}

static void expect_error(const char *text, const char *msg)
{
    smug_labels l;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_labels_parse(text, strlen(text), "x.csv", &l, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_FORMAT);
    if (!strstr(err.msg, msg))
        fail_msg("'%s' lacks '%s'", err.msg, msg);
    smug_labels_clear(&l);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("", "x.csv: empty");
    expect_error("name,class\na,1\n", "x.csv:1: the header must name a 'file' and a 'label'");
    expect_error("file,index,label\na.png,0\n", "x.csv:2: 2 fields");
    expect_error("file,label\na.png,cat\n", "x.csv:2: label 'cat' is not a class index");
    expect_error("file,label\na.png,-1\n", "label '-1'");
    expect_error("file,label\na.png,1\na.png,2\n", "x.csv:3: file 'a.png' is listed twice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_order_and_crlf),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
