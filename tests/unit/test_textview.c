/* test_textview.c — io/textview.c: the HTML page escapes the user's text, marks exactly the
 * kept words, greys the unseen tail of a truncated text; the ANSI text colours kept words and
 * drops control bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/fsutil.h"
#include "smug/textview.h"
#include "smug/tokens.h"
#include "testutil.h"

static const char vocab[] = "<pad>\n<unk>\nplay\nchess\nthe\n";

static void tokenize(const char *text, int max_len, smug_vocab **v, smug_tokens *t)
{
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_vocab_parse("v", vocab, strlen(vocab), -1, v, &err), 0);
    smug_tokens_opts o = SMUG_TOKENS_OPTS_INIT;
    o.max_len = max_len;
    assert_int_equal(smug_tokenize(*v, text, strlen(text), &o, "t.txt", t, &err), 0);
}

static smug_textview view(const smug_tokens *t, const uint8_t *kept, const float *score)
{
    smug_textview v = {t, kept, score, "a<b>.txt", "games", 0.9, 1, 3, "optimal", "bounds", 1};
    return v;
}

static char *html_of(const smug_textview *v)
{
    char path[] = "/tmp/test_textview_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_textview_html(path, v, &err), 0);
    unsigned char *data;
    size_t n;
    assert_int_equal(smug_fs_read_all(path, &data, &n, &err), 0);
    unlink(path);
    char *s = malloc(n + 1);
    memcpy(s, data, n);
    s[n] = '\0';
    free(data);
    return s;
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static void test_html_escapes_and_marks(void **state)
{
    (void)state;
    smug_vocab *v;
    smug_tokens t;
    tokenize("Play <chess> & \"the\" 'x'", 8, &v, &t);
    assert_int_equal(t.n, 4);
    uint8_t kept[] = {0, 1, 0, 0};
    float score[] = {0, 2.5f, 0, 0};
    smug_textview tv = view(&t, kept, score);
    char *h = html_of(&tv);
    assert_non_null(strstr(h, "&lt;<mark style=\"background:rgba(220,40,40,1.00)\""));
    assert_non_null(strstr(h, ">chess</mark>&gt; &amp; &quot;the&quot; &#39;x&#39;"));
    assert_non_null(strstr(h, "<title>smug: a&lt;b&gt;.txt</title>"));
    assert_non_null(strstr(h, "predicted <b>games</b>"));
    assert_null(strstr(h, "<chess>"));
    assert_int_equal(count(h, "<mark "), 1 + 2); /* the kept word and the key's two */
    assert_null(strstr(h, "<span class=\"unseen\" title"));
    free(h);
    smug_tokens_clear(&t);
    smug_vocab_free(v);
}

static void test_html_greys_the_unseen_tail(void **state)
{
    (void)state;
    smug_vocab *v;
    smug_tokens t;
    tokenize("play chess the end", 2, &v, &t);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.n_dropped, 2);
    uint8_t kept[] = {1, 0};
    float score[] = {1, 0};
    smug_textview tv = view(&t, kept, score);
    char *h = html_of(&tv);
    assert_non_null(strstr(h, "chess<span class=\"unseen\" title=\"not seen: the model reads 2 "
                              "tokens\"> the end</span>"));
    free(h);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_textview_ansi(&tv, &sb);
    assert_string_equal(sb.buf, "  \033[1;97;41mplay\033[0m chess\033[2m the end\033[0m\n");
    smug_strbuf_clear(&sb);
    smug_tokens_clear(&t);
    smug_vocab_free(v);
}

static void test_ansi_drops_control_bytes(void **state)
{
    (void)state;
    smug_vocab *v;
    smug_tokens t;
    tokenize("the\033[31m chess\nplay\n", 8, &v, &t);
    uint8_t kept[8] = {0};
    float score[8] = {0};
    kept[t.n - 1] = 1;
    smug_textview tv = view(&t, kept, score);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_textview_ansi(&tv, &sb);
    assert_string_equal(sb.buf, "  the[31m chess\n  \033[1;97;41mplay\033[0m\n");
    smug_strbuf_clear(&sb);
    smug_tokens_clear(&t);
    smug_vocab_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escapes_and_marks),
        cmocka_unit_test(test_html_greys_the_unseen_tail),
        cmocka_unit_test(test_ansi_drops_control_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
