/* test_tokens.c — vocabulary files and the tokeniser (src/io/tokens.c): the documented rule,
 * agreement with tools/train_text.py on the held-out texts, padding, truncation, and every
 * error message (tests/data/tokens/README.md lists the fixtures). */
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

#include "smug/net.h"
#include "smug/onnx.h"
#include "smug/tokens.h"
#include "testutil.h"

static smug_vocab *load_vocab(const char *rel, int expected)
{
    smug_vocab *v = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_vocab_load(tu_path(rel), expected, &v, &err) != 0)
        fail_msg("%s", err.msg);
    return v;
}

/* Fails unless loading `rel` fails with `code` and a one-line message that starts with the
 * path and holds every word given (NULL-terminated). */
static void expect_vocab_error(const char *rel, int expected, smug_error_code code, ...)
{
    const char *path = tu_path(rel);
    smug_vocab *v = (smug_vocab *)&v;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_vocab_load(path, expected, &v, &err), -1);
    assert_null(v);
    if (err.code != code)
        fail_msg("%s: %s, expected %s: %s", rel, smug_error_code_name(err.code),
                 smug_error_code_name(code), err.msg);
    assert_true(tu_has_prefix(err.msg, path));
    assert_null(strchr(err.msg, '\n'));
    va_list ap;
    va_start(ap, code);
    for (const char *w; (w = va_arg(ap, const char *)) != NULL;)
        if (!strstr(err.msg, w))
            fail_msg("%s: message lacks '%s': %s", rel, w, err.msg);
    va_end(ap);
}

static void test_vocab_debian(void **state)
{
    (void)state;
    smug_net *net = tu_load_model("models/debian_text.onnx");
    assert_non_null(net);
    smug_vocab *v = load_vocab("models/debian_text.vocab", smug_net_vocab_size(net));
    assert_int_equal(smug_vocab_size(v), 3002);
    assert_string_equal(smug_vocab_word(v, 0), "<pad>");
    assert_string_equal(smug_vocab_word(v, 1), "<unk>");
    assert_null(smug_vocab_word(v, 3002));
    assert_null(smug_vocab_word(v, -1));
    for (int id = 0; id < smug_vocab_size(v); id++) {
        const char *w = smug_vocab_word(v, id);
        assert_int_equal(smug_vocab_id(v, w, strlen(w)), id);
    }
    assert_int_equal(smug_vocab_id(v, "zzzzqqq", 7), -1);
    assert_int_equal(smug_vocab_id(v, "the", 2), smug_vocab_id(v, "th", 2));
    smug_vocab_free(v);
    smug_net_free(net);
}

static void test_vocab_errors(void **state)
{
    (void)state;
    expect_vocab_error("models/debian_text.vocab", 3001, SMUG_ERR_FORMAT, "3002 tokens",
                       "embedding has 3001 rows", NULL);
    expect_vocab_error("tests/data/tokens/duplicate_token.vocab", -1, SMUG_ERR_FORMAT,
                       "duplicate_token.vocab:5:", "'foo'", "line 3", NULL);
    expect_vocab_error("tests/data/tokens/empty.vocab", -1, SMUG_ERR_FORMAT, "empty", NULL);
    expect_vocab_error("tests/data/tokens/empty_line.vocab", -1, SMUG_ERR_FORMAT,
                       "empty_line.vocab:3:", "empty token", NULL);
    expect_vocab_error("tests/data/tokens/no-such.vocab", -1, SMUG_ERR_IO, NULL);
    smug_vocab *v = load_vocab("tests/data/tokens/crlf_no_final_newline.vocab", 4);
    assert_string_equal(smug_vocab_word(v, 1), "<unk>");
    assert_string_equal(smug_vocab_word(v, 3), "bar");
    smug_vocab_free(v);
}

/* The rule of tokens.h on one line: ASCII lower-casing, runs of [a-z0-9], everything else
 * (punctuation, UTF-8 bytes of é and Ü) separates; the original spellings are kept. */
static void test_rule(void **state)
{
    (void)state;
    smug_vocab *v = load_vocab("models/debian_text.vocab", -1);
    const char *text = "Foo-bar's C++ 2.0 na\xc3\xafve \xc3\x9c"
                       "BER\tThe\n";
    static const char *const words[] = {"Foo", "bar", "s", "C", "2", "0", "na", "ve", "BER", "The"};
    smug_tokens_opts o = SMUG_TOKENS_OPTS_INIT;
    o.max_len = 12;
    smug_tokens t;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_tokenize(v, text, strlen(text), &o, "line", &t, &err), 0);
    assert_int_equal(t.n, 10);
    assert_int_equal(t.n_dropped, 0);
    assert_int_equal(t.max_len, 12);
    for (int i = 0; i < t.n; i++) {
        assert_string_equal(t.words[i], words[i]);
        assert_int_equal(t.len[i], strlen(words[i]));
        assert_memory_equal(t.text + t.start[i], words[i], t.len[i]);
        char low[16];
        for (size_t k = 0; k <= t.len[i]; k++)
            low[k] =
                (char)(words[i][k] >= 'A' && words[i][k] <= 'Z' ? words[i][k] + 32 : words[i][k]);
        int id = smug_vocab_id(v, low, t.len[i]);
        assert_true(t.ids[i] == (float)(id < 0 ? 1 : id));
    }
    int unknown = 0;
    for (int i = 0; i < t.n; i++)
        unknown += t.ids[i] == 1.0f;
    assert_int_equal(t.n_unknown, unknown);
    assert_true(t.ids[10] == 0.0f && t.ids[11] == 0.0f); /* padding */
    assert_string_equal(t.text, text);
    smug_tokens_clear(&t);
    smug_vocab_free(v);
}

/* C and Python agree: the ids of the reference texts are exactly those train_text.py fed
 * torch; every sample text fits in L = 64 tokens. */
static void test_matches_training_tokens(void **state)
{
    (void)state;
    smug_vocab *v = load_vocab("models/debian_text.vocab", 3002);
    smug_tokens_opts o = SMUG_TOKENS_OPTS_INIT;
    o.max_len = 64;
    smug_error err = SMUG_ERROR_INIT;
    for (int i = 0; i < TU_N_TEXT_REFS; i++) {
        tu_text_ref *r = tu_text_ref_load(i);
        smug_tokens t;
        if (smug_tokens_load_text(r->text, v, &o, &t, &err) != 0)
            fail_msg("%s", err.msg);
        assert_int_equal(t.n, r->n_tokens);
        assert_int_equal(t.n_dropped, 0);
        assert_int_equal(r->tokens.n, 64);
        for (int p = 0; p < 64; p++)
            if (t.ids[p] != r->tokens.v[p])
                fail_msg("%s: position %d: id %g, train_text.py gave %g", r->text, p,
                         (double)t.ids[p], (double)r->tokens.v[p]);
        smug_tokens_clear(&t);
        tu_text_ref_free(r);
    }
    DIR *d = opendir(tu_path("data/text"));
    assert_non_null(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0)
            continue;
        char rel[300];
        snprintf(rel, sizeof rel, "data/text/%s", e->d_name);
        smug_tokens t;
        if (smug_tokens_load_text(tu_path(rel), v, &o, &t, &err) != 0)
            fail_msg("%s", err.msg);
        assert_true(t.n >= 5);
        assert_int_equal(t.n_dropped, 0);
        smug_tokens_clear(&t);
        files++;
    }
    closedir(d);
    assert_int_equal(files, 42);
    smug_vocab_free(v);
}

/* Longer than L: truncated to the first L tokens (n_dropped for the caller's warning) by
 * default; an error naming both lengths with truncate = 0. */
static void test_truncation(void **state)
{
    (void)state;
    smug_vocab *v = load_vocab("models/debian_text.vocab", -1);
    const char *path = tu_path("tests/data/tokens/long_100_tokens.txt");
    smug_tokens_opts o = SMUG_TOKENS_OPTS_INIT;
    o.max_len = 64;
    smug_tokens t;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_tokens_load_text(path, v, &o, &t, &err), 0);
    assert_int_equal(t.n, 64);
    assert_int_equal(t.n_dropped, 36);
    assert_string_equal(t.words[63], "w63");
    smug_tokens_clear(&t);
    o.truncate = 0;
    assert_int_equal(smug_tokens_load_text(path, v, &o, &t, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_FORMAT);
    assert_true(tu_has_prefix(err.msg, path));
    assert_non_null(strstr(err.msg, "100 tokens"));
    assert_non_null(strstr(err.msg, "at most 64"));
    assert_null(t.ids); /* cleared on failure: freeing again is harmless */
    smug_tokens_clear(&t);
    /* exactly L tokens is not truncation */
    o.max_len = 100;
    assert_int_equal(smug_tokens_load_text(path, v, &o, &t, &err), 0);
    assert_int_equal(t.n, 100);
    assert_int_equal(t.n_dropped, 0);
    smug_tokens_clear(&t);
    smug_vocab_free(v);
}

static void test_text_errors(void **state)
{
    (void)state;
    smug_vocab *v = load_vocab("models/debian_text.vocab", -1);
    smug_tokens_opts o = SMUG_TOKENS_OPTS_INIT;
    o.max_len = 64;
    smug_tokens t;
    smug_error err = SMUG_ERROR_INIT;
    const char *empties[] = {"tests/data/tokens/empty.txt", "tests/data/tokens/no_tokens.txt"};
    for (int i = 0; i < 2; i++) {
        const char *path = tu_path(empties[i]);
        assert_int_equal(smug_tokens_load_text(path, v, &o, &t, &err), -1);
        assert_int_equal(err.code, SMUG_ERR_FORMAT);
        assert_true(tu_has_prefix(err.msg, path));
        assert_non_null(strstr(err.msg, "no tokens"));
    }
    assert_int_equal(smug_tokens_load_text(tu_path("data/text/none.txt"), v, &o, &t, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    o.pad_id = 3002;
    assert_int_equal(smug_tokenize(v, "a b", 3, &o, "x.txt", &t, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "padding id 3002"));
    o.pad_id = 0;
    o.max_len = 0;
    assert_int_equal(smug_tokenize(v, "a b", 3, &o, "x.txt", &t, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    smug_vocab_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vocab_debian), cmocka_unit_test(test_vocab_errors),
        cmocka_unit_test(test_rule),         cmocka_unit_test(test_matches_training_tokens),
        cmocka_unit_test(test_truncation),   cmocka_unit_test(test_text_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
