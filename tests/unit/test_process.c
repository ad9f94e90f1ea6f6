/* test_process.c — the process runner (src/smt/process.c) against real children: misbehave
 * (tests/helpers/misbehave.c, git's test-tool style), z3 and cvc5. Never a mock.
 *
 * Time bounds are behavioural ("stopped within timeout + grace + 2 s"), not performance
 * targets; the whole file runs in a few seconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smug/process.h"
#include "testutil.h"

#ifndef MISBEHAVE_PATH
#error "tests/CMakeLists.txt passes MISBEHAVE_PATH"
#endif
#define MB MISBEHAVE_PATH

/* ---- helpers ----------------------------------------------------------------------- */

static void run_ok(const smug_process *p, smug_process_result *r)
{
    smug_error err = SMUG_ERROR_INIT;
    if (smug_process_run(p, r, &err) < 0)
        fail_msg("smug_process_run: %s", err.msg);
}

/* Runs argv with a timeout (0: none) and grace (0: default). */
static void run_argv(const char *const *argv, double timeout, double grace, smug_process_result *r)
{
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.timeout = timeout;
    p.grace = grace;
    run_ok(&p, r);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* 1 once pid no longer runs: gone, or a zombie nobody reaps (it was reparented to PID 1,
 * which in a container may not reap). Waits up to 2 s for a SIGKILL to land. */
static int pid_gone(long pid)
{
    for (int i = 0; i < 200; i++, sleep_ms(10)) {
        if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
            return 1;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            return 1;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *rp = strrchr(buf, ')');
        if (rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'))
            return 1;
    }
    return 0;
}

static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, name);
        if (access(buf, X_OK) == 0)
            return 1;
        path += n + (path[n] == ':');
    }
    return 0;
}

#define SKIP_WITHOUT(name)                                                                         \
    do {                                                                                           \
        if (!on_path(name)) {                                                                      \
            tu_skip("%s is not on PATH", name);                                                    \
        }                                                                                          \
    } while (0)

/* A fresh directory under $TMPDIR (or /tmp) into buf. */
static void make_tmpdir(char *buf, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, n, "%s/smug-test-process-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(buf));
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

/* ---- outcomes ---------------------------------------------------------------------- */

static void test_exit_code(void **state)
{
    (void)state;
    const char *argv[] = {MB, "exit", "3", NULL};
    smug_process_result r;
    run_argv(argv, 0, 0, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 3);
    assert_int_equal(r.out.len, 0);
    assert_true(r.wall_seconds >= 0 && r.wall_seconds < 5);
    assert_true(r.max_rss_kb > 0);
    char buf[128];
    assert_string_equal(smug_process_describe(&r, buf, sizeof buf), "exited with status 3");
    smug_process_result_clear(&r);
}

static void test_nostart_missing(void **state)
{
    (void)state;
    /* not on PATH: found missing before fork */
    const char *a1[] = {"smug-test-no-such-program", NULL};
    smug_process_result r;
    run_argv(a1, 0, 0, &r);
    assert_int_equal(r.outcome, SMUG_PROC_NOSTART);
    assert_int_equal(r.start_errno, ENOENT);
    char buf[128];
    assert_string_equal(smug_process_describe(&r, buf, sizeof buf),
                        "could not start: No such file or directory");
    smug_process_result_clear(&r);
    /* a path: exec fails in the child and the errno comes back through the report pipe */
    const char *a2[] = {"/nonexistent/smug-test/solver", "-in", NULL};
    run_argv(a2, 0, 0, &r);
    assert_int_equal(r.outcome, SMUG_PROC_NOSTART);
    assert_int_equal(r.start_errno, ENOENT);
    smug_process_result_clear(&r);
}

static void test_nostart_not_executable(void **state)
{
    (void)state;
    char dir[512], file[600];
    make_tmpdir(dir, sizeof dir);
    snprintf(file, sizeof file, "%s/solver", dir);
    write_file(file, "#!/bin/sh\necho hi\n", 0644);
    const char *a1[] = {file, NULL};
    smug_process_result r;
    run_argv(a1, 0, 0, &r);
    assert_int_equal(r.outcome, SMUG_PROC_NOSTART);
    assert_int_equal(r.start_errno, EACCES);
    smug_process_result_clear(&r);

    /* through PATH: the only match is not executable, so EACCES as execvp says */
    char *saved = strdup(getenv("PATH"));
    setenv("PATH", dir, 1);
    const char *a2[] = {"solver", NULL};
    run_argv(a2, 0, 0, &r);
    setenv("PATH", saved, 1);
    free(saved);
    assert_int_equal(r.outcome, SMUG_PROC_NOSTART);
    assert_int_equal(r.start_errno, EACCES);
    smug_process_result_clear(&r);
    unlink(file);
    rmdir(dir);
}

/* The PATH search skips a non-executable file of the same name in an earlier directory. */
static void test_path_search(void **state)
{
    (void)state;
    char dir[512], decoy[600], path[2048];
    make_tmpdir(dir, sizeof dir);
    snprintf(decoy, sizeof decoy, "%s/misbehave", dir);
    write_file(decoy, "not a program\n", 0644);
    char real[1024];
    snprintf(real, sizeof real, "%s", MB);
    *strrchr(real, '/') = '\0';
    snprintf(path, sizeof path, "%s::%s", dir, real); /* the empty entry is "." */
    char *saved = strdup(getenv("PATH"));
    setenv("PATH", path, 1);
    const char *argv[] = {"misbehave", "exit", "5", NULL};
    smug_process_result r;
    run_argv(argv, 0, 0, &r);
    setenv("PATH", saved, 1);
    free(saved);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 5);
    smug_process_result_clear(&r);
    unlink(decoy);
    rmdir(dir);
}

static void test_crash(void **state)
{
    (void)state;
    const char *argv[] = {MB, "crash", NULL};
    smug_process_result r;
    run_argv(argv, 0, 0, &r);
    assert_int_equal(r.outcome, SMUG_PROC_SIGNALED);
    assert_int_equal(r.term_signal, SIGSEGV);
    char buf[128];
    assert_string_equal(smug_process_describe(&r, buf, sizeof buf),
                        "killed by signal 11 (Segmentation fault)");
    smug_process_result_clear(&r);
}

static void test_empty_argv_is_an_error(void **state)
{
    (void)state;
    const char *argv[] = {NULL};
    smug_process p = SMUG_PROCESS_INIT;
    smug_process_result r;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_process_run(&p, &r, &err), -1);
    p.argv = argv;
    assert_int_equal(smug_process_run(&p, &r, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_INTERNAL);
    smug_process_result_clear(&r);
}

/* ---- deadlines and process groups --------------------------------------------------- */

/* SIGTERM at the deadline reaches the whole group: the grandchild that holds stdout dies
 * too (otherwise the run would last until its 30 s sleep ends). */
static void test_timeout_kills_group(void **state)
{
    (void)state;
    const char *argv[] = {MB, "child-sleep", "30", NULL};
    smug_process_result r;
    run_argv(argv, 0.5, 1.0, &r);
    assert_int_equal(r.outcome, SMUG_PROC_TIMEOUT);
    assert_int_equal(r.term_signal, SIGTERM);
    assert_true(r.wall_seconds >= 0.45);
    assert_true(r.wall_seconds < 0.5 + 1.0 + 2.0);
    long grandchild = atol(r.out.buf ? r.out.buf : "0");
    assert_true(grandchild > 0);
    assert_true(pid_gone(grandchild));
    char buf[128];
    smug_process_describe(&r, buf, sizeof buf);
    assert_true(tu_has_prefix(buf, "timed out after 0."));
    smug_process_result_clear(&r);
}

static void test_timeout_escalates_to_sigkill(void **state)
{
    (void)state;
    const char *argv[] = {MB, "ignore-term", "30", NULL};
    smug_process_result r;
    run_argv(argv, 0.3, 0.5, &r);
    assert_int_equal(r.outcome, SMUG_PROC_TIMEOUT);
    assert_int_equal(r.term_signal, SIGKILL);
    assert_true(r.wall_seconds >= 0.3 + 0.5 - 0.05);
    assert_true(r.wall_seconds < 0.3 + 0.5 + 2.0);
    smug_process_result_clear(&r);
}

static void test_timeout_stop_signal(void **state)
{
    (void)state;
    const char *argv[] = {MB, "sleep", "30", NULL};
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.timeout = 0.3;
    p.stop_signal = SIGINT;
    smug_process_result r;
    run_ok(&p, &r);
    assert_int_equal(r.outcome, SMUG_PROC_TIMEOUT);
    assert_int_equal(r.term_signal, SIGINT);
    smug_process_result_clear(&r);
}

/* Stopped by smug, the child exits by itself with a code: still a timeout. */
static void test_timeout_then_own_exit(void **state)
{
    (void)state;
    const char *argv[] = {MB, "term-exit", "7", NULL};
    smug_process_result r;
    run_argv(argv, 0.3, 0, &r);
    assert_int_equal(r.outcome, SMUG_PROC_TIMEOUT);
    assert_int_equal(r.exit_code, 7);
    assert_true(r.wall_seconds < 0.3 + 2.0);
    smug_process_result_clear(&r);
}

/* The leader exits at once; the grandchild it left holding stdout is killed with the group
 * instead of keeping the run (and the pipe) alive for 30 s. */
static void test_exit_kills_leftovers(void **state)
{
    (void)state;
    const char *argv[] = {MB, "orphan", "30", NULL};
    smug_process_result r;
    run_argv(argv, 0, 0, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 0);
    assert_true(r.wall_seconds < 3.0);
    long grandchild = atol(r.out.buf ? r.out.buf : "0");
    assert_true(grandchild > 0);
    assert_true(pid_gone(grandchild));
    smug_process_result_clear(&r);
}

/* ---- pipes ------------------------------------------------------------------------- */

static void test_output_cap(void **state)
{
    (void)state;
    const char *argv[] = {MB, "flood", "1000000", NULL};
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.output_cap = 1000;
    smug_process_result r;
    run_ok(&p, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED); /* drained, so it could finish */
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.out.len, 1000);
    assert_true(r.out_truncated);
    assert_false(r.err_truncated);
    smug_process_result_clear(&r);
}

/* 8 MiB through a child that echoes as it reads: both pipes fill up many times over, which
 * deadlocks unless stdin and stdout are pumped together. */
static void test_large_stdin_echo(void **state)
{
    (void)state;
    size_t n = (size_t)8 << 20;
    char *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + (i * 7 + i / 4093) % 26);
    const char *argv[] = {MB, "echo", NULL};
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.stdin_data = data;
    p.stdin_len = n;
    p.timeout = 60; /* a deadlock fails the test instead of hanging it */
    smug_process_result r;
    run_ok(&p, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.out.len, n);
    assert_false(r.out_truncated);
    assert_memory_equal(r.out.buf, data, n);
    smug_process_result_clear(&r);
    free(data);
}

/* A child that closes stdin and lives on makes write() fail with EPIPE: smug must not die
 * of SIGPIPE, and must leave the signal's disposition, mask and pending set as they were. */
static void test_stdin_closed_early(void **state)
{
    (void)state;
    size_t n = (size_t)8 << 20;
    char *data = calloc(n, 1);
    assert_non_null(data);
    const char *argv[] = {MB, "close-stdin", "0.3", NULL};
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.stdin_data = data;
    p.stdin_len = n;
    smug_process_result r;
    run_ok(&p, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 0);
    smug_process_result_clear(&r);
    free(data);

    sigset_t mask, pending;
    assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
    assert_false(sigismember(&mask, SIGPIPE));
    assert_int_equal(sigpending(&pending), 0);
    assert_false(sigismember(&pending, SIGPIPE));
    struct sigaction sa;
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    assert_true(sa.sa_handler == SIG_DFL);
}

static void test_stderr_separate(void **state)
{
    (void)state;
    const char *argv[] = {MB, "stderr", "to stderr", "to stdout", NULL};
    smug_process_result r;
    run_argv(argv, 0, 0, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_string_equal(r.out.buf, "to stdout\n");
    assert_string_equal(r.err.buf, "to stderr\n");
    smug_process_result_clear(&r);
}

/* A descriptor smug opened without O_CLOEXEC does not reach the child. */
static void test_fds_not_inherited(void **state)
{
    (void)state;
    int fd = open("/dev/null", O_RDONLY);
    assert_true(fd > 2);
    const char *argv[] = {MB, "fds", NULL};
    smug_process_result r;
    run_argv(argv, 0, 0, &r);
    close(fd);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.out.len, 0);
    smug_process_result_clear(&r);
}

/* A signal blocked or ignored in smug is neither in the child: it starts with defaults. */
static void test_signals_reset(void **state)
{
    (void)state;
    sigset_t usr1, old_mask;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old_mask);
    struct sigaction ign, old_usr2;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGUSR2, &ign, &old_usr2);
    const char *argv[] = {MB, "sigstate", NULL};
    smug_process_result r;
    run_argv(argv, 0, 0, &r);
    sigaction(SIGUSR2, &old_usr2, NULL);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_non_null(r.out.buf);
    assert_non_null(strstr(r.out.buf, "SigBlk:"));
    assert_non_null(strstr(r.out.buf, "SigIgn:"));
    for (char *line = strtok(r.out.buf, "\n"); line; line = strtok(NULL, "\n"))
        if (strtoull(strchr(line, ':') + 1, NULL, 16) != 0)
            fail_msg("child's signal state not reset: %s", line);
    smug_process_result_clear(&r);
}

static void test_mem_limit(void **state)
{
    (void)state;
    const char *big[] = {MB, "alloc", "256", NULL};
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = big;
    p.mem_limit_mb = 64;
    smug_process_result r;
    run_ok(&p, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 3); /* malloc failed under RLIMIT_AS */
    assert_string_equal(r.err.buf, "misbehave: alloc failed\n");
    smug_process_result_clear(&r);

    const char *small[] = {MB, "alloc", "32", NULL};
    p.argv = small;
    run_ok(&p, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 0);
    assert_true(r.max_rss_kb >= 30 * 1024); /* wait4's rusage saw the touched pages */
    smug_process_result_clear(&r);
}

static void test_describe(void **state)
{
    (void)state;
    smug_process_result r;
    memset(&r, 0, sizeof r);
    char buf[128];
    r.outcome = SMUG_PROC_EXITED;
    r.exit_code = 0;
    assert_string_equal(smug_process_describe(&r, buf, sizeof buf), "exited with status 0");
    r.outcome = SMUG_PROC_SIGNALED;
    r.term_signal = SIGKILL;
    assert_string_equal(smug_process_describe(&r, buf, sizeof buf), "killed by signal 9 (Killed)");
    r.outcome = SMUG_PROC_TIMEOUT;
    r.wall_seconds = 2.0;
    assert_string_equal(smug_process_describe(&r, buf, sizeof buf), "timed out after 2.0 s");
    r.outcome = SMUG_PROC_NOSTART;
    r.start_errno = EACCES;
    assert_string_equal(smug_process_describe(&r, buf, sizeof buf),
                        "could not start: Permission denied");
    char small[8];
    assert_string_equal(smug_process_describe(&r, small, sizeof small), "could n");
}

static void test_z3_run(void **state)
{
    (void)state;
    SKIP_WITHOUT("z3");
    const char *argv[] = {"z3", "-in", NULL};
    const char *script = "(declare-const a Bool)(assert a)(check-sat)\n";
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.stdin_data = script;
    p.stdin_len = strlen(script);
    p.timeout = 30;
    smug_process_result r;
    run_ok(&p, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out.buf, "sat\n");
    smug_process_result_clear(&r);
}

/* ---- sessions ---------------------------------------------------------------------- */

static smug_session *session_start(const char *const *argv, double grace)
{
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.grace = grace;
    smug_session *s = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_session_start(&p, &s, &err) < 0)
        fail_msg("smug_session_start: %s", err.msg);
    return s;
}

static void session_say(smug_session *s, const char *text)
{
    smug_error err = SMUG_ERROR_INIT;
    if (smug_session_write(s, text, strlen(text), &err) < 0)
        fail_msg("smug_session_write: %s", err.msg);
}

/* read_until with a deadline `seconds` from now; out is reset first. */
static int session_read(smug_session *s, const char *marker, double seconds, smug_strbuf *out,
                        smug_error *err)
{
    smug_strbuf_reset(out);
    return smug_session_read_until(s, marker, smug_process_now() + seconds, out, err);
}

static void test_session_ping_pong(void **state)
{
    (void)state;
    const char *argv[] = {MB, "lines", NULL};
    smug_session *s = session_start(argv, 1.0);
    smug_strbuf out = SMUG_STRBUF_INIT;
    smug_error err = SMUG_ERROR_INIT;
    session_say(s, "ping 1\n");
    assert_int_equal(session_read(s, "done", 10, &out, &err), 1);
    assert_string_equal(out.buf, "pong 1\n");
    /* two answers in one read: the second stays buffered for the next call */
    session_say(s, "ping 2\nping 3\n");
    assert_int_equal(session_read(s, "done", 10, &out, &err), 1);
    assert_string_equal(out.buf, "pong 2\n");
    assert_int_equal(session_read(s, "done", 10, &out, &err), 1);
    assert_string_equal(out.buf, "pong 3\n");
    smug_strbuf_clear(&out);
    smug_process_result r;
    smug_session_close(s, &r); /* EOF on stdin ends `lines` */
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.out.len, 0);
}

/* The deadline passes in the middle of a line: 0, and the partial line is kept. */
static void test_session_deadline_and_partial_line(void **state)
{
    (void)state;
    const char *argv[] = {MB, "lines", NULL};
    smug_session *s = session_start(argv, 1.0);
    smug_strbuf out = SMUG_STRBUF_INIT;
    smug_error err = SMUG_ERROR_INIT;
    session_say(s, "half\n");
    double t0 = smug_process_now();
    assert_int_equal(session_read(s, "done", 0.1, &out, &err), 0);
    double waited = smug_process_now() - t0;
    assert_true(waited >= 0.09 && waited < 0.29); /* "half-" came, the rest is 0.3 s away */
    assert_int_equal(out.len, 0);
    assert_int_equal(session_read(s, "done", 10, &out, &err), 1);
    assert_string_equal(out.buf, "half-line\n");
    /* a deadline already past still finds a marker that is there */
    session_say(s, "ping 9\n");
    sleep_ms(200);
    assert_int_equal(session_read(s, "done", -1, &out, &err), 1);
    assert_string_equal(out.buf, "pong 9\n");
    smug_strbuf_clear(&out);
    smug_session_close(s, NULL);
}

static void test_session_child_exits(void **state)
{
    (void)state;
    const char *argv[] = {MB, "lines", NULL};
    smug_session *s = session_start(argv, 1.0);
    smug_strbuf out = SMUG_STRBUF_INIT;
    smug_error err = SMUG_ERROR_INIT;
    session_say(s, "ping 1\nerr boom: bad input\nexit 3\n");
    assert_int_equal(session_read(s, "never", 10, &out, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_SOLVER);
    assert_non_null(strstr(err.msg, "exited with status 3 before printing \"never\""));
    assert_non_null(strstr(err.msg, ": boom: bad input"));
    assert_string_equal(out.buf, "pong 1\ndone\n"); /* what it printed is handed over */
    smug_strbuf_clear(&out);
    smug_process_result r;
    smug_session_close(s, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 3);
}

static void test_session_write_to_closed_stdin(void **state)
{
    (void)state;
    const char *argv[] = {MB, "close-stdin", "0.3", NULL};
    smug_session *s = session_start(argv, 1.0);
    size_t n = (size_t)1 << 20;
    char *data = calloc(n, 1);
    assert_non_null(data);
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_session_write(s, data, n, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_SOLVER);
    assert_non_null(strstr(err.msg, "while smug wrote its input"));
    free(data);
    smug_session_close(s, NULL);
    sigset_t pending;
    sigpending(&pending);
    assert_false(sigismember(&pending, SIGPIPE));
}

/* A child that ignores EOF on stdin is killed after the grace period. */
static void test_session_close_kills(void **state)
{
    (void)state;
    const char *argv[] = {MB, "sleep", "30", NULL};
    smug_session *s = session_start(argv, 0.2);
    double t0 = smug_process_now();
    smug_process_result r;
    smug_session_close(s, &r);
    double took = smug_process_now() - t0;
    assert_int_equal(r.outcome, SMUG_PROC_TIMEOUT);
    assert_int_equal(r.term_signal, SIGKILL);
    assert_true(took >= 0.15 && took < 0.2 + 2.0);
    smug_session_close(NULL, NULL);
}

static void test_session_start_missing(void **state)
{
    (void)state;
    const char *argv[] = {"smug-test-no-such-solver", NULL};
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    smug_session *s = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_session_start(&p, &s, &err), -1);
    assert_null(s);
    assert_int_equal(err.code, SMUG_ERR_SOLVER);
    assert_string_equal(err.msg,
                        "cannot start smug-test-no-such-solver: No such file or directory");
}

/* push/pop, two check-sats, (echo "marker") after each: cvc5 1.0 prints the quotes. */
static void test_session_cvc5(void **state)
{
    (void)state;
    SKIP_WITHOUT("cvc5");
    const char *argv[] = {"cvc5", "--incremental", "--lang", "smt2", NULL};
    smug_session *s = session_start(argv, 1.0);
    smug_strbuf out = SMUG_STRBUF_INIT;
    smug_error err = SMUG_ERROR_INIT;
    session_say(s, "(set-logic QF_LIA)(declare-const x Int)\n"
                   "(push 1)(assert (> x 0))(check-sat)(pop 1)(echo \"marker\")\n");
    if (session_read(s, "\"marker\"", 30, &out, &err) != 1)
        fail_msg("cvc5: %s", err.msg);
    assert_string_equal(out.buf, "sat\n");
    session_say(s, "(push 1)(assert (and (> x 0) (< x 0)))(check-sat)(pop 1)(echo \"marker\")\n");
    if (session_read(s, "\"marker\"", 30, &out, &err) != 1)
        fail_msg("cvc5: %s", err.msg);
    assert_string_equal(out.buf, "unsat\n");
    smug_strbuf_clear(&out);
    smug_process_result r;
    smug_session_close(s, &r);
    assert_int_equal(r.outcome, SMUG_PROC_EXITED);
    assert_int_equal(r.exit_code, 0);
}

/* The same dialogue with z3, whose echo prints the bare string. */
static void test_session_z3(void **state)
{
    (void)state;
    SKIP_WITHOUT("z3");
    const char *argv[] = {"z3", "-in", NULL};
    smug_session *s = session_start(argv, 1.0);
    smug_strbuf out = SMUG_STRBUF_INIT;
    smug_error err = SMUG_ERROR_INIT;
    session_say(s, "(declare-const x Int)(push 1)(assert (> x 0))(check-sat)(pop 1)"
                   "(echo \"marker\")\n");
    if (session_read(s, "marker", 30, &out, &err) != 1)
        fail_msg("z3: %s", err.msg);
    assert_string_equal(out.buf, "sat\n");
    session_say(s, "(push 1)(assert (and (> x 0) (< x 0)))(check-sat)(pop 1)(echo \"marker\")\n");
    if (session_read(s, "marker", 30, &out, &err) != 1)
        fail_msg("z3: %s", err.msg);
    assert_string_equal(out.buf, "unsat\n");
    smug_strbuf_clear(&out);
    smug_session_close(s, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_code),
        cmocka_unit_test(test_nostart_missing),
        cmocka_unit_test(test_nostart_not_executable),
        cmocka_unit_test(test_path_search),
        cmocka_unit_test(test_crash),
        cmocka_unit_test(test_empty_argv_is_an_error),
        cmocka_unit_test(test_timeout_kills_group),
        cmocka_unit_test(test_timeout_escalates_to_sigkill),
        cmocka_unit_test(test_timeout_stop_signal),
        cmocka_unit_test(test_timeout_then_own_exit),
        cmocka_unit_test(test_exit_kills_leftovers),
        cmocka_unit_test(test_output_cap),
        cmocka_unit_test(test_large_stdin_echo),
        cmocka_unit_test(test_stdin_closed_early),
        cmocka_unit_test(test_stderr_separate),
        cmocka_unit_test(test_fds_not_inherited),
        cmocka_unit_test(test_signals_reset),
        cmocka_unit_test(test_mem_limit),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_z3_run),
        cmocka_unit_test(test_session_ping_pong),
        cmocka_unit_test(test_session_deadline_and_partial_line),
        cmocka_unit_test(test_session_child_exits),
        cmocka_unit_test(test_session_write_to_closed_stdin),
        cmocka_unit_test(test_session_close_kills),
        cmocka_unit_test(test_session_start_missing),
        cmocka_unit_test(test_session_cvc5),
        cmocka_unit_test(test_session_z3),
    };
    return tu_exit_status(cmocka_run_group_tests(tests, NULL, NULL));
}
