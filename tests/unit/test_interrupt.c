/* test_interrupt.c — Ctrl-C and SIGTERM as a request to stop (core/interrupt.c) and what
 * the process module does with it (smt/process.c, spawn.c): a running solver is stopped as
 * at its deadline, no new one starts, and a solver never outlives a killed smug
 * (PR_SET_PDEATHSIG). Each case runs in a forked child: the flag is process-wide and,
 * once set, stays set. Real processes only: misbehave stands for the solver.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smug/interrupt.h"
#include "smug/process.h"

#ifndef MISBEHAVE_PATH
#error "tests/CMakeLists.txt passes MISBEHAVE_PATH"
#endif

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* 1 once pid no longer runs (gone, or a zombie of a parent that does not reap); 2 s at most */
static int pid_gone(pid_t pid)
{
    for (int i = 0; i < 200; i++, sleep_ms(10)) {
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
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

/* Runs body in a child and asserts it exited 0 (its exit code names the failed check). */
static void in_child(int (*body)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(body());
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A helper process that sends sig to `to` after ms milliseconds. */
static void signal_later(pid_t to, int sig, long ms)
{
    if (fork() == 0) {
        sleep_ms(ms);
        kill(to, sig);
        _exit(0);
    }
}

static int body_flag_unset_without_signal(void)
{
    smug_error err = SMUG_ERROR_INIT;
    if (smug_interrupt_catch(&err) < 0)
        return 1;
    return smug_interrupted() == 0 ? 0 : 2;
}

/* SIGTERM to smug while a solver that ignores SIGTERM runs: it is stopped (stop signal,
 * then SIGKILL after the grace), the outcome is TIMEOUT, and smug itself lives on. */
static int body_sigterm_stops_a_stubborn_child(void)
{
    smug_error err = SMUG_ERROR_INIT;
    if (smug_interrupt_catch(&err) < 0)
        return 1;
    signal_later(getpid(), SIGTERM, 300);
    const char *argv[] = {MISBEHAVE_PATH, "ignore-term", "60", NULL};
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.timeout = 600;
    p.grace = 0.3;
    smug_process_result r;
    double t0 = smug_process_now();
    if (smug_process_run(&p, &r, &err) < 0)
        return 2;
    double took = smug_process_now() - t0;
    smug_proc_outcome outcome = r.outcome;
    smug_process_result_clear(&r);
    if (outcome != SMUG_PROC_TIMEOUT)
        return 3;
    if (took < 0.25 || took > 3.0)
        return 4;
    if (smug_interrupted() != SIGTERM)
        return 5;
    /* nothing new starts once interrupted */
    if (smug_process_run(&p, &r, &err) < 0 || r.outcome != SMUG_PROC_TIMEOUT ||
        r.wall_seconds != 0.0)
        return 6;
    return 0;
}

/* SIGINT during a session's read: read_until returns 0 (as at its deadline) promptly. */
static int body_sigint_ends_a_session_read(void)
{
    smug_error err = SMUG_ERROR_INIT;
    if (smug_interrupt_catch(&err) < 0)
        return 1;
    const char *argv[] = {MISBEHAVE_PATH, "lines", NULL};
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.grace = 0.3;
    smug_session *s;
    if (smug_session_start(&p, &s, &err) < 0)
        return 2;
    signal_later(getpid(), SIGINT, 300);
    smug_strbuf out = SMUG_STRBUF_INIT;
    double t0 = smug_process_now();
    int got = smug_session_read_until(s, "never", t0 + 600, &out, &err);
    double took = smug_process_now() - t0;
    smug_strbuf_clear(&out);
    smug_session_close(s, NULL);
    return got == 0 && took < 3.0 && smug_interrupted() == SIGINT ? 0 : 3;
}

/* smug killed outright (here: _exit with a solver still running, as after SIGKILL): the
 * kernel kills the solver (PR_SET_PDEATHSIG), which is in a process group of its own. */
static void test_solver_dies_with_smug(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *argv[] = {MISBEHAVE_PATH, "ignore-term", "60", NULL};
        smug_process p = SMUG_PROCESS_INIT;
        p.argv = argv;
        smug_session *s;
        smug_error err = SMUG_ERROR_INIT;
        if (smug_session_start(&p, &s, &err) < 0)
            _exit(1);
        sleep_ms(200);
        pid_t kids[64];
        int n = 0;
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)getpid(), (long)getpid());
        FILE *f = fopen(path, "r");
        long k;
        while (f && n < 64 && fscanf(f, "%ld", &k) == 1)
            kids[n++] = (pid_t)k;
        if (f)
            fclose(f);
        if (write(fds[1], kids, (size_t)n * sizeof *kids) < 0)
            _exit(2);
        _exit(0); /* no close: the solver is left running, as a SIGKILL would leave it */
    }
    close(fds[1]);
    pid_t kid = 0;
    ssize_t got = read(fds[0], &kid, sizeof kid);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(got, (ssize_t)sizeof kid);
    assert_true(kid > 0);
    assert_true(pid_gone(kid));
}

static void test_flag_unset_without_signal(void **state)
{
    (void)state;
    in_child(body_flag_unset_without_signal);
}

static void test_sigterm_stops_a_stubborn_child(void **state)
{
    (void)state;
    in_child(body_sigterm_stops_a_stubborn_child);
}

static void test_sigint_ends_a_session_read(void **state)
{
    (void)state;
    in_child(body_sigint_ends_a_session_read);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flag_unset_without_signal),
        cmocka_unit_test(test_sigterm_stops_a_stubborn_child),
        cmocka_unit_test(test_sigint_ends_a_session_read),
        cmocka_unit_test(test_solver_dies_with_smug),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
