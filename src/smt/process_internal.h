/* process_internal.h — shared by the parts of the process module: process.c (running a
 * child to completion, pumping its pipes), spawn.c (starting it without a shell) and
 * session.c (line-by-line dialogues). Not part of the public API (smug/process.h is).
 * Every part defines _GNU_SOURCE before any include (pipe2, close_range, wait4, NSIG).
 */
#ifndef SMUG_PROCESS_INTERNAL_H
#define SMUG_PROCESS_INTERNAL_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "smug/process.h"

#define DEFAULT_CAP   ((size_t)64 << 20)
#define CHUNK         32768 /* bytes per read() */
#define TAIL_KEEP     4096  /* bytes of a session's stderr kept for error messages */
#define TAIL_SHOWN    300   /* of which an error message shows at most this much */
#define DRAIN_SECONDS 1.0   /* reading on after the child exited, at most */
#define TICK_MS       100   /* poll wake-up: the interrupt flag, or an exit without a pidfd */
#define WRITING       "while smug wrote its input"
#define FALLBACK_FDS  65536 /* descriptors closed one by one when close_range() is missing */

typedef struct child {
    pid_t pid;
    int in, out, err;   /* the parent's pipe ends, non-blocking; -1 once closed */
    int pidfd;          /* readable once the child exits; -1 without kernel support */
    int exited;         /* seen exited; still a zombie until child_finish reaps it */
    siginfo_t info;     /* how it exited, once exited */
    double drain_until; /* once exited: stop reading then */
    double t0;
} child;

/* Where a stream's bytes go: the first `cap` bytes are kept and the rest drained and
 * dropped (truncated), or with `tail` the last cap..2·cap bytes are kept. */
typedef struct sink {
    smug_strbuf *buf;
    size_t cap;
    int tail;
    int truncated;
} sink;

typedef struct pump {
    child *c;
    const char *in_data; /* not yet written to stdin */
    size_t in_len;
    int in_broken; /* the child stopped reading: write() said EPIPE */
    sink *out, *err;
} pump;

/* SIGPIPE. Writing to a pipe nobody reads raises SIGPIPE, whose default action would kill
 * smug, and pipes have no MSG_NOSIGNAL. Changing the process-wide disposition is global
 * state that other threads (and the CLI) may rely on, so instead the pumping thread blocks
 * SIGPIPE while it writes. The SIGPIPE that write() raises is directed at the writing
 * thread, so it stays pending there; after an EPIPE, a zero-timeout sigtimedwait() takes
 * it off before the old mask is restored. A SIGPIPE pending before is left alone (the
 * technique of libcurl's sigpipe.h). */
typedef struct sigpipe_guard {
    sigset_t old;
    int was_pending;
} sigpipe_guard;

/* Closes *fd if open and sets it to -1. */
void proc_fd_close(int *fd);
/* Signals the child's whole process group. */
void proc_group_signal(const child *c, int sig);
/* Notices (without reaping) that the child exited. */
void proc_child_check_exit(child *c);
/* Reaps the child (killing its group first when stopped) and fills r. */
int proc_child_finish(child *c, int stopped, smug_process_result *r, smug_error *err);
/* Starts p's argv (spawn.c). *out_errno is exec's errno when it could not start. */
int proc_spawn(const smug_process *p, child *c, int *out_errno, smug_error *err);
/* One poll round: writes pending stdin, reads stdout/stderr into their sinks. */
int proc_pump_step(pump *pp, double until, int close_when_done, smug_error *err);
void proc_sigpipe_block(sigpipe_guard *g);
void proc_sigpipe_restore(const sigpipe_guard *g, int raised);
/* "exited with status N" / "killed by signal N (name)" into buf. */
void proc_describe_exit(char *buf, size_t n, int signaled, int value);

#endif
