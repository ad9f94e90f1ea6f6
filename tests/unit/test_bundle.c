/* test_bundle.c — the cli-free parts of a bundle (src/run/bundle.c): a manifest read from
 * the committed fixture, a manifest's defects and their messages, shards that split the
 * problems exactly, and ids made from input names (issue #15.6: these were covered only end
 * to end). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/bundle.h"
#include "smug/fsutil.h"
#include "testutil.h"

#define FIXTURE SMUG_SOURCE_DIR "/tests/data/manifest/fc_both_forms.json"

static char *read_fixture(size_t *len)
{
    unsigned char *text = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_fs_read_all(FIXTURE, &text, len, &err), 0);
    return (char *)text;
}

static void test_fixture(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture(&len);
    smug_bundle *b = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_bundle_parse(text, len, "manifest.json", "some/dir", &b, &err), 0);
    assert_int_equal(b->n, 3);
    assert_string_equal(b->dir, "some/dir");
    assert_int_equal(b->dirfd, -1);
    assert_string_equal(b->problems[0].id, "0000_ankle_boot");
    assert_string_equal(b->problems[2].id, "0002_trouser");
    assert_string_equal(b->params.solver, "z3");
    assert_int_equal(b->params.top_k, 8);
    assert_int_equal((int)strlen(b->model_sha256), 64);
    for (int i = 0; i < b->n; i++) { /* what each problem states about itself holds together */
        const smug_bundle_problem *p = &b->problems[i];
        assert_true(p->lower <= p->upper);
        assert_true(p->n_vars > 0 && p->n_rows > 0);
        for (int c = 0; c < p->upper; c++)
            assert_true(p->incumbent[c] >= 0);
    }
    smug_bundle_free(b);
    free(text);
}

/* The fixture with `from` (which must occur in it) replaced by `to`: must fail naming
 * `msg`. */
static void expect_defect(const char *from, const char *to, const char *msg)
{
    size_t len;
    char *text = read_fixture(&len), *at = strstr(text, from);
    assert_non_null(at);
    size_t nf = strlen(from), nt = strlen(to);
    char *bad = malloc(len - nf + nt + 1);
    assert_non_null(bad);
    memcpy(bad, text, (size_t)(at - text));
    memcpy(bad + (at - text), to, nt);
    memcpy(bad + (at - text) + nt, at + nf, len - (size_t)(at - text) - nf + 1);
    smug_bundle *b = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_bundle_parse(bad, strlen(bad), "m.json", ".", &b, &err), -1);
    assert_null(b);
    assert_int_equal(err.code, SMUG_ERR_FORMAT);
    if (!strstr(err.msg, msg))
        fail_msg("expected '%s' in: %s", msg, err.msg);
    free(bad);
    free(text);
}

static void test_defects(void **state)
{
    (void)state;
    expect_defect("\"format\": 1", "\"format\": 99", "m.json: bundle format 99");
    expect_defect("\"0001_pullover\"", "\"0000_ankle_boot\"", "id '0000_ankle_boot' repeats");
    /* an id becomes part of file names: no dot, no way out of results/, not empty */
    expect_defect("\"0001_pullover\"", "\"a.b\"", "id 'a.b' must be non-empty, of letters");
    expect_defect("\"0001_pullover\"", "\"../x\"", "id '../x' must be non-empty");
    expect_defect("\"0001_pullover\"", "\"\"", "id '' must be non-empty");
    expect_defect("{\n  \"smug\"", "[\n  \"smug\"", "m.json"); /* not an object */
}

static void test_shards(void **state)
{
    (void)state;
    int index = -1, count = -1;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_bundle_parse_shard("2/5", &index, &count, &err), 0);
    assert_int_equal(index, 2);
    assert_int_equal(count, 5);
    const char *bad[] = {"5/5", "-1/3", "1/0", "1", "a/b", "1/2x", ""};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        smug_error_clear(&err);
        assert_int_equal(smug_bundle_parse_shard(bad[k], &index, &count, &err), -1);
        assert_int_equal(err.code, SMUG_ERR_USAGE);
        assert_non_null(strstr(err.msg, "--shard"));
    }
    for (int n = 1; n <= 7; n++) /* every problem is in exactly one shard of n */
        for (int i = 0; i < 50; i++) {
            int in = 0;
            for (int s = 0; s < n; s++)
                in += smug_bundle_in_shard(i, s, n);
            assert_int_equal(in, 1);
        }
}

static int id_chars_ok(const char *id)
{
    for (; *id; id++)
        if (!isalnum((unsigned char)*id) && *id != '_' && *id != '-')
            return 0;
    return 1;
}

static void test_ids(void **state)
{
    (void)state;
    char buf[SMUG_BUNDLE_ID_MAX + 1], other[SMUG_BUNDLE_ID_MAX + 1];
    assert_string_equal(smug_bundle_id_for("data/fashion/0000_ankle_boot.png", buf, sizeof buf),
                        "0000_ankle_boot");
    /* up to the first dot of the file name, characters outside [A-Za-z0-9_-] replaced */
    assert_string_equal(smug_bundle_id_for("a.dir/my cat+dog.v2.png", buf, sizeof buf),
                        "my_cat_dog");
    char long_a[300], long_b[300];
    memset(long_a, 'x', 250), long_a[250] = '\0';
    memcpy(long_b, long_a, sizeof long_a), long_b[249] = 'y';
    smug_bundle_id_for(long_a, buf, sizeof buf);
    smug_bundle_id_for(long_b, other, sizeof other);
    assert_int_equal((int)strlen(buf), SMUG_BUNDLE_ID_HASHED);
    assert_int_equal(buf[SMUG_BUNDLE_ID_HASHED - 9], '-'); /* "-" and 8 hex digits of sha256 */
    assert_true(id_chars_ok(buf));
    assert_string_not_equal(buf, other); /* names alike but for their tail stay apart */
    assert_memory_equal(buf, other, SMUG_BUNDLE_ID_HASHED - 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_defects),
        cmocka_unit_test(test_shards),
        cmocka_unit_test(test_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
