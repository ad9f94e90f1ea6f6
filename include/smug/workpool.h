/* workpool.h — one pool of forked worker processes for `smug run --jobs` and `smug solve`
 * (run/workpool.c). (pool.h is nn's MaxPool/AveragePool, hence the name.)
 *
 * Tasks 0..n_tasks-1 each run in a child process of their own, at most `jobs` at a time.
 * A worker is a process, not a thread: GLPK is not thread-safe, and a worker that dies (a
 * bug, the OOM killer, a signal) takes nothing else with it. The pool owns everything
 * about the processes and nothing about the work:
 *  - each child first calls smug_process_worker_init (SIGTERM when smug dies, so no worker
 *    and through it no solver is left behind); when the parent is already gone it exits
 *    with `init_failed_status` without running its task;
 *  - each child gets the write end of a close-on-exec, non-blocking pipe (`msg_fd`) on which
 *    it may say one short message (< PIPE_BUF bytes, so it works on a full disk); the
 *    parent reads it when the child has ended and hands it to `done`;
 *  - Ctrl-C (interrupt.h): no new task starts; the running ones stop their solvers as at
 *    a deadline, or are told to (smug_process_workers_signal), and are waited for;
 *  - a task whose `done` returns nonzero, or a fork that fails, stops new tasks from
 *    starting too; the running ones are still waited for and reported.
 * Output buffered in stdio is flushed before the first fork, so no child prints it again,
 * and the process is set to one BLAS/OpenMP thread (smug_set_threads(1)) for good: the
 * parallelism is the workers', and a child forked beside a live OpenMP pool cannot use it.
 */
#ifndef SMUG_WORKPOOL_H
#define SMUG_WORKPOOL_H
#include <sys/types.h>

#include "smug/error.h"

/* In the child: runs task `task` and returns its exit status (0..255; the meaning is the
 * caller's). msg_fd is the pipe described above; the child must not close it. */
typedef int (*smug_workpool_task_fn)(void *user, int task, int msg_fd);

/* In the parent, once per started task, when its child has ended: `status` is the wait
 * status (sys/wait.h: WIFEXITED…), `msg` what the child said on its pipe ("" if nothing).
 * Returns nonzero to start no further task (the running ones are still waited for). */
typedef int (*smug_workpool_done_fn)(void *user, int task, int status, const char *msg);

typedef struct smug_workpool {
    int jobs;               /* at most this many children at once (>= 1) */
    int n_tasks;            /* tasks 0..n_tasks-1, started in order */
    int init_failed_status; /* a child's exit status when its parent is already gone */
    smug_workpool_task_fn task;
    smug_workpool_done_fn done;
    void *user;
} smug_workpool;

/* Runs the tasks as above and returns once no child is left. *out_started (may be NULL) is
 * the number of tasks started: the others were never begun (an interrupt, a stop from
 * `done`, a failed fork). Returns -1 (SMUG_ERR_IO or SMUG_ERR_NOMEM in err) only when the
 * pool itself failed: a fork or a pipe could not be made, or no memory; a task's failure
 * is the caller's to judge in `done`. */
int smug_workpool_run(const smug_workpool *p, int *out_started, smug_error *err);

#endif
