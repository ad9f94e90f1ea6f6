/* test_core.c — smug_error, smug_strbuf and the file helpers (src/core). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smug/error.h"
#include "smug/fsutil.h"
#include "smug/strbuf.h"
#include "testutil.h"

/* ---- smug_error --------------------------------------------------------------------- */

static void test_error_fail_and_prefix(void **state)
{
    (void)state;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_fail(&err, SMUG_ERR_FORMAT, "%s %d", "c", 3), -1);
    assert_int_equal(err.code, SMUG_ERR_FORMAT);
    assert_string_equal(err.msg, "c 3");
    assert_int_equal(smug_error_prefix(&err, "%s", "b"), -1);
    assert_int_equal(smug_error_prefix(&err, "a"), -1);
    assert_string_equal(err.msg, "a: b: c 3");
    assert_int_equal(err.code, SMUG_ERR_FORMAT); /* prefixing keeps the root cause's code */
    smug_error_clear(&err);
    assert_int_equal(err.code, SMUG_OK);
    assert_string_equal(err.msg, "");
    /* NULL error pointers are allowed and still report failure */
    assert_int_equal(smug_fail(NULL, SMUG_ERR_IO, "x"), -1);
    assert_int_equal(smug_error_prefix(NULL, "x"), -1);
}

static void test_error_names_and_alloc(void **state)
{
    (void)state;
    assert_string_equal(smug_error_code_name(SMUG_OK), "ok");
    assert_string_equal(smug_error_code_name(SMUG_ERR_USAGE), "usage");
    assert_string_equal(smug_error_code_name(SMUG_ERR_IO), "io");
    assert_string_equal(smug_error_code_name(SMUG_ERR_FORMAT), "format");
    assert_string_equal(smug_error_code_name(SMUG_ERR_UNSUPPORTED), "unsupported");
    assert_string_equal(smug_error_code_name(SMUG_ERR_NOMEM), "nomem");
    assert_string_equal(smug_error_code_name(SMUG_ERR_CHECK), "check");
    smug_error err = SMUG_ERROR_INIT;
    int x = 0;
    assert_int_equal(smug_check_alloc(&x, &err), 0);
    assert_int_equal(err.code, SMUG_OK);
    assert_int_equal(smug_check_alloc(NULL, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_NOMEM);
}

/* An error followed by a canary: any write past msg[SMUG_ERROR_MAX] lands in the canary. */
typedef struct guarded {
    smug_error err;
    unsigned char canary[256];
} guarded;

static void assert_canary(const guarded *g)
{
    for (size_t i = 0; i < sizeof g->canary; i++)
        assert_int_equal(g->canary[i], 0xA5);
}

static void test_error_long_messages_truncate(void **state)
{
    (void)state;
    guarded g;
    memset(&g, 0xA5, sizeof g);
    char big[3 * SMUG_ERROR_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';

    smug_fail(&g.err, SMUG_ERR_IO, "%s", big);
    assert_int_equal(strlen(g.err.msg), SMUG_ERROR_MAX - 1);
    assert_canary(&g);

    /* a short prefix on a full message: the prefix survives, the tail is cut */
    smug_error_prefix(&g.err, "ctx");
    assert_int_equal(strlen(g.err.msg), SMUG_ERROR_MAX - 1);
    assert_true(tu_has_prefix(g.err.msg, "ctx: xxx"));
    assert_canary(&g);

    /* a prefix longer than the whole buffer */
    big[0] = 'P';
    smug_error_prefix(&g.err, "%s", big);
    assert_int_equal(strlen(g.err.msg), SMUG_ERROR_MAX - 1);
    assert_int_equal(g.err.msg[0], 'P');
    assert_int_equal(g.err.code, SMUG_ERR_IO);
    assert_canary(&g);

    /* prefix of exactly MAX-2 characters: room for only one byte of ": " */
    char p[SMUG_ERROR_MAX];
    memset(p, 'p', SMUG_ERROR_MAX - 2);
    p[SMUG_ERROR_MAX - 2] = '\0';
    smug_fail(&g.err, SMUG_ERR_IO, "root");
    smug_error_prefix(&g.err, "%s", p);
    assert_int_equal(strlen(g.err.msg), SMUG_ERROR_MAX - 1);
    assert_int_equal(g.err.msg[SMUG_ERROR_MAX - 2], ':');
    assert_canary(&g);
}

/* ---- smug_strbuf -------------------------------------------------------------------- */

static void test_strbuf_append(void **state)
{
    (void)state;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_add(&sb, "ab", 2);
    smug_strbuf_adds(&sb, "cd");
    smug_strbuf_addf(&sb, "-%d-%s", 42, "x");
    assert_int_equal(sb.len, 9);
    assert_string_equal(sb.buf, "abcd-42-x");
    /* bytes including a NUL are kept verbatim */
    smug_strbuf_add(&sb, "\0z", 2);
    assert_int_equal(sb.len, 11);
    assert_memory_equal(sb.buf + 9, "\0z", 2);
    assert_int_equal(sb.buf[11], '\0');

    /* grow far past the initial capacity, with formatted and raw appends interleaved */
    smug_strbuf_reset(&sb);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.buf, "");
    for (int i = 0; i < 2000; i++) {
        if (i % 2)
            smug_strbuf_addf(&sb, "%04d", i);
        else
            smug_strbuf_adds(&sb, "....");
    }
    assert_int_equal(sb.len, 8000);
    assert_int_equal(strlen(sb.buf), 8000);
    assert_memory_equal(sb.buf + 4 * 1999, "1999", 4);
    assert_memory_equal(sb.buf + 4 * 1000, "....", 4);
    assert_memory_equal(sb.buf + 4 * 1001, "1001", 4);
    /* one format larger than the current capacity */
    char long_s[20000];
    memset(long_s, 'q', sizeof long_s - 1);
    long_s[sizeof long_s - 1] = '\0';
    smug_strbuf_addf(&sb, "[%s]", long_s);
    assert_int_equal(sb.len, 8000 + 2 + sizeof long_s - 1);
    assert_int_equal(sb.buf[sb.len - 1], ']');
    assert_int_equal(sb.buf[sb.len], '\0');
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_strbuf_check(&sb, &err), 0);
    smug_strbuf_clear(&sb);
    assert_null(sb.buf);
    assert_int_equal(sb.len, 0);
}

static void test_strbuf_detach(void **state)
{
    (void)state;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    size_t len = 99;
    char *empty = smug_strbuf_detach(&sb, &len);
    assert_non_null(empty);
    assert_int_equal(len, 0);
    assert_string_equal(empty, "");
    free(empty);

    smug_strbuf_addf(&sb, "hello %s", "world");
    char *s = smug_strbuf_detach(&sb, &len);
    assert_non_null(s);
    assert_int_equal(len, 11);
    assert_string_equal(s, "hello world");
    /* the buffer is left empty and reusable; the detached string is independent */
    assert_null(sb.buf);
    assert_int_equal(sb.len, 0);
    smug_strbuf_adds(&sb, "again");
    assert_string_equal(sb.buf, "again");
    assert_string_equal(s, "hello world");
    free(s);
    smug_strbuf_clear(&sb);

    /* a failed buffer reports NOMEM and detaches to NULL */
    smug_strbuf bad = SMUG_STRBUF_INIT;
    bad.failed = 1;
    smug_strbuf_adds(&bad, "ignored");
    assert_int_equal(bad.len, 0);
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_strbuf_check(&bad, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_NOMEM);
    assert_null(smug_strbuf_detach(&bad, NULL));
    smug_strbuf_clear(&bad);
}

/* ---- fsutil ------------------------------------------------------------------------- */

typedef struct tmpdir {
    char path[512];
} tmpdir;

static int setup_tmpdir(void **state)
{
    tmpdir *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    const char *base = getenv("TMPDIR");
    snprintf(t->path, sizeof t->path, "%s/smug-test-core-XXXXXX", base && base[0] ? base : "/tmp");
    if (!mkdtemp(t->path)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

/* rm -r of the (shallow) trees these tests create */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int teardown_tmpdir(void **state)
{
    tmpdir *t = *state;
    remove_tree(t->path);
    free(t);
    return 0;
}

/* Number of directory entries whose name contains ".tmp." */
static int count_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void assert_file_is(const char *path, const void *data, size_t len)
{
    unsigned char *got = NULL;
    size_t got_len = 0;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_fs_read_all(path, &got, &got_len, &err), 0);
    assert_int_equal(got_len, len);
    if (len)
        assert_memory_equal(got, data, len);
    assert_int_equal(got[len], '\0');
    free(got);
}

static void test_fs_write_atomic(void **state)
{
    tmpdir *t = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/out.json", t->path);
    smug_error err = SMUG_ERROR_INIT;
    const char *a = "{\"first\": 1}\n";
    assert_int_equal(smug_fs_write_atomic(path, a, strlen(a), &err), 0);
    assert_file_is(path, a, strlen(a));
    assert_int_equal(count_temporaries(t->path), 0);

    /* replacing a longer file with a shorter one leaves no trailing old bytes */
    const char *b = "{}";
    assert_int_equal(smug_fs_write_atomic(path, b, strlen(b), &err), 0);
    assert_file_is(path, b, strlen(b));
    /* empty content is a valid file */
    assert_int_equal(smug_fs_write_atomic(path, "", 0, &err), 0);
    assert_file_is(path, "", 0);
    assert_int_equal(count_temporaries(t->path), 0);

    /* binary content bigger than any single write buffer */
    size_t n = 300000;
    unsigned char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (unsigned char)(i * 7 + i / 256);
    assert_int_equal(smug_fs_write_atomic(path, big, n, &err), 0);
    assert_file_is(path, big, n);
    free(big);
    assert_int_equal(count_temporaries(t->path), 0);
}

static void test_fs_write_atomic_missing_dir(void **state)
{
    tmpdir *t = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/no/such/dir/out.json", t->path);
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_fs_write_atomic(path, "x", 1, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_non_null(strstr(err.msg, "out.json"));
    assert_int_equal(smug_fs_exists(path), 0);
    assert_int_equal(count_temporaries(t->path), 0);

    /* the target is a directory: rename fails, the temporary must be cleaned up and the
     * directory left alone */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/isdir", t->path);
    assert_int_equal(mkdir(dir, 0777), 0);
    char inner[1100];
    snprintf(inner, sizeof inner, "%s/keep", dir);
    assert_int_equal(smug_fs_write_atomic(inner, "k", 1, &err), 0);
    smug_error_clear(&err);
    assert_int_equal(smug_fs_write_atomic(dir, "x", 1, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_int_equal(count_temporaries(t->path), 0);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_file_is(inner, "k", 1);
}

static void test_fs_mkdirs(void **state)
{
    tmpdir *t = *state;
    char path[1024];
    smug_error err = SMUG_ERROR_INIT;
    snprintf(path, sizeof path, "%s/a/b/c/d", t->path);
    assert_int_equal(smug_fs_mkdirs(path, &err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* again: existing directories are fine, also with a trailing slash */
    assert_int_equal(smug_fs_mkdirs(path, &err), 0);
    strcat(path, "/");
    assert_int_equal(smug_fs_mkdirs(path, &err), 0);
    /* a path through a regular file fails and names the path */
    char file[1024], through[1100];
    snprintf(file, sizeof file, "%s/a/plain", t->path);
    assert_int_equal(smug_fs_write_atomic(file, "p", 1, &err), 0);
    snprintf(through, sizeof through, "%s/sub", file);
    assert_int_equal(smug_fs_mkdirs(through, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_non_null(strstr(err.msg, "plain"));
    smug_error_clear(&err);
    assert_int_equal(smug_fs_mkdirs(file, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_int_equal(smug_fs_mkdirs("", &err), -1);
}

static void test_fs_read_all(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    char path[1024];
    snprintf(path, sizeof path, "%s/does-not-exist.onnx", t->path);
    unsigned char *data = (unsigned char *)"untouched";
    size_t len = 12345;
    assert_int_equal(smug_fs_read_all(path, &data, &len, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(smug_fs_exists(path), 0);

    /* sizes around the reader's internal buffer growth (4096, doubling) */
    const size_t sizes[] = {0, 1, 4094, 4095, 4096, 4097, 8191, 8192, 100000};
    snprintf(path, sizeof path, "%s/blob", t->path);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        unsigned char *buf = malloc(n ? n : 1);
        assert_non_null(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (unsigned char)(i * 31 + s);
        assert_int_equal(smug_fs_write_atomic(path, buf, n, &err), 0);
        assert_int_equal(smug_fs_exists(path), 1);
        assert_file_is(path, buf, n);
        free(buf);
    }
    /* a directory is not readable as a file */
    assert_int_equal(smug_fs_read_all(t->path, &data, &len, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
}

/* Inside an untrusted folder: links are refused or replaced, never followed; only
 * regular files are read, refused by size before reading. */
static void test_fs_at_refuses_links(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    char path[1024], outside[1024], link[1100];
    snprintf(path, sizeof path, "%s/bundle", t->path);
    snprintf(outside, sizeof outside, "%s/outside", t->path);
    assert_int_equal(mkdir(path, 0777), 0);
    assert_int_equal(smug_fs_write_atomic(outside, "secret", 6, &err), 0);
    int dfd;
    assert_int_equal(smug_fs_dir_open(path, &dfd, &err), 0);

    /* a link as a file to read: refused, said in one line */
    snprintf(link, sizeof link, "%s/r.json", path);
    assert_int_equal(symlink(outside, link), 0);
    unsigned char *data = NULL;
    size_t len = 0;
    assert_int_equal(smug_fs_read_at(dfd, "B", "r.json", 100, &data, &len, &err), -1);
    assert_string_equal(err.msg, "B/r.json: is a symbolic link: not followed");
    assert_int_equal(smug_fs_kind_at(dfd, "r.json"), SMUG_FS_OTHER);
    assert_int_equal(smug_fs_kind_at(dfd, "none"), SMUG_FS_MISSING);

    /* a link as the target or the temporary of a write: replaced, the outside untouched */
    snprintf(link, sizeof link, "%s/w.json.tmp.%ld", path, (long)getpid());
    assert_int_equal(symlink(outside, link), 0);
    assert_int_equal(smug_fs_write_at(dfd, "B", "w.json", "mine", 4, &err), 0);
    assert_int_equal(smug_fs_write_at(dfd, "B", "r.json", "mine", 4, &err), 0);
    assert_file_is(outside, "secret", 6);
    assert_int_equal(smug_fs_kind_at(dfd, "r.json"), SMUG_FS_REGULAR);
    assert_int_equal(smug_fs_read_at(dfd, "B", "w.json", 4, &data, &len, &err), 0);
    assert_int_equal(len, 4);
    free(data);
    assert_int_equal(count_temporaries(path), 0);

    /* sizes: refused before reading when larger than the limit */
    assert_int_equal(smug_fs_read_at(dfd, "B", "w.json", 3, &data, &len, &err), -1);
    assert_string_equal(err.msg, "B/w.json: 4 bytes, more than the 3 it may have");

    /* sub-folders: made, opened; a link refused; a missing one is no error without create */
    int sub;
    assert_int_equal(smug_fs_subdir(dfd, "B", "results", 1, &sub, &err), 0);
    assert_true(sub >= 0);
    close(sub);
    assert_int_equal(smug_fs_subdir(dfd, "B", "missing", 0, &sub, &err), 0);
    assert_int_equal(sub, -1);
    snprintf(link, sizeof link, "%s/scored", path);
    assert_int_equal(symlink(t->path, link), 0);
    assert_int_equal(smug_fs_subdir(dfd, "B", "scored", 1, &sub, &err), -1);
    assert_string_equal(err.msg, "B/scored: is a symbolic link: not followed");
    assert_int_equal(smug_fs_subdir(dfd, "B", "w.json", 0, &sub, &err), -1);
    assert_string_equal(err.msg, "B/w.json: is not a directory");
    close(dfd);
}

/* Devices and FIFOs are never read from (a read of /dev/zero would not end, a FIFO's open
 * would wait for a writer). */
static void test_fs_read_refuses_non_files(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    unsigned char *data = NULL;
    size_t len = 0;
    assert_int_equal(smug_fs_read_all("/dev/zero", &data, &len, &err), -1);
    assert_string_equal(err.msg, "/dev/zero: is a character device, not a regular file");
    char fifo[1024];
    snprintf(fifo, sizeof fifo, "%s/fifo", t->path);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(smug_fs_read_max(fifo, 10, &data, &len, &err), -1);
    assert_non_null(strstr(err.msg, "fifo: is a FIFO, not a regular file"));
    assert_int_equal(smug_fs_read_all(t->path, &data, &len, &err), -1);
    assert_non_null(strstr(err.msg, ": is a directory, not a file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_fail_and_prefix),
        cmocka_unit_test(test_error_names_and_alloc),
        cmocka_unit_test(test_error_long_messages_truncate),
        cmocka_unit_test(test_strbuf_append),
        cmocka_unit_test(test_strbuf_detach),
        cmocka_unit_test_setup_teardown(test_fs_write_atomic, setup_tmpdir, teardown_tmpdir),
        cmocka_unit_test_setup_teardown(test_fs_write_atomic_missing_dir, setup_tmpdir,
                                        teardown_tmpdir),
        cmocka_unit_test_setup_teardown(test_fs_mkdirs, setup_tmpdir, teardown_tmpdir),
        cmocka_unit_test_setup_teardown(test_fs_read_all, setup_tmpdir, teardown_tmpdir),
        cmocka_unit_test_setup_teardown(test_fs_at_refuses_links, setup_tmpdir, teardown_tmpdir),
        cmocka_unit_test_setup_teardown(test_fs_read_refuses_non_files, setup_tmpdir,
                                        teardown_tmpdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
