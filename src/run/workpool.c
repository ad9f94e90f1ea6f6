/* workpool.c — the fork worker pool of `smug run --jobs` and `smug solve` (workpool.h).
 *
 * The parent loop starts a child while there is a task, room and no reason to stop, and
 * otherwise waits a little (smug_process_wait_any) for one to end, so it looks at the
 * interrupt flag at least every 0.1 s. It knows nothing of inputs, bundles or reports:
 * what a task does and what its exit status means are the caller's.
 */
#define _GNU_SOURCE /* pipe2 */
#include "smug/workpool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/forward.h"
#include "smug/interrupt.h"
#include "smug/process.h"

typedef struct worker {
    pid_t pid;
    int task;
    int msg_fd; /* read end of the child's message pipe */
} worker;

/* Ctrl-C: the signal to pass on now, per smug_process_workers_signal's schedule. */
static void stop_on_interrupt(const worker *w, int n, double *since, int *stage)
{
    if (!smug_interrupted())
        return;
    double now = smug_process_now();
    if (*since < 0)
        *since = now;
    int sig = smug_process_workers_signal(now - *since, stage);
    for (int i = 0; sig && i < n; i++)
        kill(w[i].pid, sig);
}

/* Waits a little for one child; when one ended, reads its message and tells `done`.
 * Returns done's answer (nonzero: start nothing more), 0 when none ended. */
static int reap(const smug_workpool *p, worker *w, int *n)
{
    int status;
    pid_t pid = smug_process_wait_any(0.1, &status);
    if (pid <= 0)
        return 0;
    for (int i = 0; i < *n; i++) {
        if (w[i].pid != pid)
            continue;
        char msg[SMUG_ERROR_MAX];
        ssize_t got = read(w[i].msg_fd, msg, sizeof msg - 1);
        msg[got > 0 ? got : 0] = '\0';
        close(w[i].msg_fd);
        int task = w[i].task;
        w[i] = w[--*n];
        return p->done ? p->done(p->user, task, status, msg) : 0;
    }
    return 0; /* not ours (cannot happen: the caller has no other children meanwhile) */
}

/* Forks the child for `task`; its pid and pipe go into *out. */
static int start(const smug_workpool *p, int task, pid_t parent, worker *out, smug_error *err)
{
    int fds[2] = {-1, -1};
    pid_t pid = pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0 ? -1 : fork();
    if (pid == 0) {
        close(fds[0]);
        int status = smug_process_worker_init(parent) < 0 ? p->init_failed_status
                                                          : p->task(p->user, task, fds[1]);
        fflush(NULL); /* what the task's callbacks printed: _exit flushes no stdio buffer */
        _exit(status);
    }
    if (pid < 0) {
        int e = errno;
        if (fds[0] >= 0)
            close(fds[0]), close(fds[1]);
        return smug_fail(err, SMUG_ERR_IO, "cannot start a worker: %s", strerror(e));
    }
    close(fds[1]);
    *out = (worker){pid, task, fds[0]};
    return 0;
}

int smug_workpool_run(const smug_workpool *p, int *out_started, smug_error *err)
{
    if (out_started)
        *out_started = 0;
    int jobs = p->jobs > 0 ? p->jobs : 1;
    worker *w = malloc((size_t)jobs * sizeof *w);
    if (!w)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    pid_t parent = getpid();
    int n_run = 0, next = 0, stop = 0, rc = 0, stage = 0;
    double since = -1.0;
    /* one BLAS/OpenMP thread from here on: the parallelism is the workers', and a fork with
     * an OpenMP pool alive leaves the child a pool it cannot use */
    smug_set_threads(1);
    fflush(NULL); /* a child must not print the parent's buffered output again */
    while (next < p->n_tasks || n_run > 0) {
        if (!stop && !smug_interrupted() && next < p->n_tasks && n_run < jobs) {
            if (start(p, next, parent, &w[n_run], err) < 0) {
                rc = -1, stop = 1; /* the running ones are still waited for */
                continue;
            }
            n_run++, next++;
            continue;
        }
        if (n_run == 0)
            break;
        stop_on_interrupt(w, n_run, &since, &stage);
        if (reap(p, w, &n_run))
            stop = 1;
    }
    free(w);
    if (out_started)
        *out_started = next;
    return rc;
}
