/* test_workpool.c — the fork worker pool of run --jobs and solve (src/run/workpool.c): every
 * task runs once in a child, its exit status and pipe message reach `done`, a nonzero
 * answer from `done` starts nothing more while the running ones are still reported, and a
 * child killed by a signal is reported as such. (Ctrl-C is tested end to end by
 * tests/e2e/test_hostile.sh, with real solvers.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smug/workpool.h"
#include "testutil.h"

#define N_TASKS 7

typedef struct seen {
    int calls[N_TASKS];
    int status[N_TASKS];
    char msg[N_TASKS][64];
    int stop_after; /* done answers 1 after this many calls; -1 never */
    int n_done;
} seen;

/* Exit status 10 + task; odd tasks say "task <i>" on the pipe; task 5 dies of SIGKILL
 * when asked to (user->stop_after == -2). */
static int task(void *user, int i, int msg_fd)
{
    const seen *s = user;
    if (s->stop_after == -2 && i == 5)
        raise(SIGKILL);
    if (i % 2) {
        char m[32];
        int n = snprintf(m, sizeof m, "task %d", i);
        if (write(msg_fd, m, (size_t)n) != n)
            return 99;
    }
    return 10 + i;
}

static int done(void *user, int i, int status, const char *msg)
{
    seen *s = user;
    s->calls[i]++;
    s->status[i] = status;
    snprintf(s->msg[i], sizeof s->msg[i], "%s", msg);
    s->n_done++;
    return s->stop_after >= 0 && s->n_done >= s->stop_after;
}

static void run(int jobs, seen *s, int *started, int expect_rc)
{
    smug_workpool p = {jobs, N_TASKS, 77, task, done, s};
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_workpool_run(&p, started, &err), expect_rc);
}

static void test_every_task_once(void **state)
{
    (void)state;
    for (int jobs = 1; jobs <= 3; jobs++) {
        seen s = {.stop_after = -1};
        int started = -1;
        run(jobs, &s, &started, 0);
        assert_int_equal(started, N_TASKS);
        for (int i = 0; i < N_TASKS; i++) {
            assert_int_equal(s.calls[i], 1);
            assert_true(WIFEXITED(s.status[i]));
            assert_int_equal(WEXITSTATUS(s.status[i]), 10 + i);
            char want[32] = "";
            if (i % 2)
                snprintf(want, sizeof want, "task %d", i);
            assert_string_equal(s.msg[i], want);
        }
    }
}

static void test_stop_from_done(void **state)
{
    (void)state;
    seen s = {.stop_after = 2};
    int started = -1;
    run(1, &s, &started, 0); /* one at a time: exactly two begun */
    assert_int_equal(started, 2);
    assert_int_equal(s.n_done, 2);
    assert_int_equal(s.calls[0] + s.calls[1], 2);
    for (int i = 2; i < N_TASKS; i++)
        assert_int_equal(s.calls[i], 0);

    seen t = {.stop_after = 1};
    run(3, &t, &started, 0); /* the ones running when told to stop are still reported */
    assert_true(started >= 1 && started <= 3);
    assert_int_equal(t.n_done, started);
}

static void test_killed_child(void **state)
{
    (void)state;
    seen s = {.stop_after = -2};
    int started = -1;
    run(2, &s, &started, 0); /* a dead child is the caller's to judge, not the pool's error */
    assert_int_equal(started, N_TASKS);
    assert_true(WIFSIGNALED(s.status[5]));
    assert_int_equal(WTERMSIG(s.status[5]), SIGKILL);
    assert_string_equal(s.msg[5], "");
    assert_int_equal(WEXITSTATUS(s.status[4]), 14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_task_once),
        cmocka_unit_test(test_stop_from_done),
        cmocka_unit_test(test_killed_child),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
