/* process.h — run a solver as a child process, the git run-command way (design §4, style 6).
 *
 * A child is described by one smug_process (argv vector, stdin bytes, limits); it is never
 * run through a shell. The executable is resolved on PATH before fork; exec failure is
 * reported through a close-on-exec pipe. stdin/stdout/stderr are pumped with poll() so
 * neither side can deadlock; captured output is capped. The child gets its own process
 * group; at the deadline the group receives `stop_signal` (SIGTERM by default; z3 prints
 * its best model on SIGINT), then SIGKILL after `grace` seconds. A memory limit is applied
 * with setrlimit(RLIMIT_AS) in the child.
 *
 * The outcome is data, not an error: exited(code), signalled(sig), timed out, or could not
 * start(errno) are four different results. smug_error is only for failures of smug itself
 * (pipe/fork/out of memory).
 *
 * Nothing outlives the child: once it has exited, whatever it left running in its process
 * group is killed too (a solver's helper processes must not leak), and output is then read
 * until the pipes close or for at most one more second (a process that left the group can
 * hold them open). Writing to a child that closed its stdin never raises SIGPIPE in smug;
 * the rest of the input is dropped. No process-wide state (signal dispositions) is changed.
 *
 * Interrupts (interrupt.h): once smug_interrupted() is set, a running child is stopped as
 * at its deadline (outcome TIMEOUT, output up to then kept), smug_process_run starts no new
 * child (outcome TIMEOUT at once) and smug_session_read_until returns 0 as at its deadline.
 * A child is also killed by the kernel when smug dies (PR_SET_PDEATHSIG, SIGKILL).
 */
#ifndef SMUG_PROCESS_H
#define SMUG_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

#include "smug/error.h"
#include "smug/strbuf.h"

typedef struct smug_process {
    /* argv[0] is a name looked up on PATH, or a path with a '/'; NULL-terminated */
    const char *const *argv;
    /* bytes written to the child's stdin, which is then closed; NULL = empty stdin */
    const char *stdin_data;
    size_t stdin_len;
    double timeout;      /* seconds of wall time; 0 = none */
    int stop_signal;     /* sent to the group at the deadline; 0 = SIGTERM */
    double grace;        /* seconds between stop_signal and SIGKILL; 0 = 1 s */
    size_t mem_limit_mb; /* RLIMIT_AS in MiB; 0 = none */
    size_t output_cap;   /* max bytes kept per stream; 0 = 64 MiB; the rest is drained */
} smug_process;

#define SMUG_PROCESS_INIT                                                                          \
    {                                                                                              \
        NULL, NULL, 0, 0.0, 0, 0.0, 0, 0                                                           \
    }

typedef enum {
    SMUG_PROC_EXITED,   /* exit_code is valid */
    SMUG_PROC_SIGNALED, /* term_signal is valid (a crash, or killed by someone else) */
    SMUG_PROC_TIMEOUT,  /* smug stopped it at the deadline; output up to then is kept */
    SMUG_PROC_NOSTART   /* start_errno is valid: not found, not executable, … */
} smug_proc_outcome;

typedef struct smug_process_result {
    smug_proc_outcome outcome;
    int exit_code;
    int term_signal;
    int start_errno;
    smug_strbuf out;   /* captured stdout (owned; freed by smug_process_result_clear) */
    smug_strbuf err;   /* captured stderr */
    int out_truncated; /* more than output_cap bytes were produced */
    int err_truncated;
    double wall_seconds;
    long max_rss_kb; /* from wait4's rusage; 0 if unknown */
} smug_process_result;

/* Where running `name` as argv[0] would execute, found as execvp finds it: a name with a
 * '/' must name a regular file with execute permission; else the first regular file with execute
 * permission in a PATH directory (PATH unset: /usr/local/bin:/usr/bin:/bin; an empty entry, or an
 * empty PATH, is the current directory). On return *out_errno is 0 with the path in `out`, EACCES
 * (a match without execute permission) or ENOENT. The one PATH lookup of smug: `smug solvers` and
 * spawning must agree on what is installed (issue #15.2). Returns -1 only when out of memory. */
int smug_process_which(const char *name, smug_strbuf *out, int *out_errno);

/* Runs p to completion (or the deadline). *out is filled in every case where 0 is
 * returned; free it with smug_process_result_clear. Returns -1 only when smug itself
 * failed (err says why); then nothing is left running and *out is empty (freeing it is
 * still safe). A NULL or empty argv is such a failure (SMUG_ERR_INTERNAL). */
int smug_process_run(const smug_process *p, smug_process_result *out, smug_error *err);

/* Frees the captured output (not *r, which is the caller's) and zeroes *r. */
void smug_process_result_clear(smug_process_result *r);

/* "exited with status 3", "killed by signal 11 (Segmentation fault)", "timed out after
 * 2.0 s", "could not start: No such file or directory" into buf (n bytes, truncated to
 * fit); returns buf. The time is wall_seconds, so it includes the grace period when the
 * child needed SIGKILL. */
const char *smug_process_describe(const smug_process_result *r, char *buf, size_t n);

/* --- forked workers (smug solve, smug run --jobs) --------------------------------------- */

/* Waits at most `seconds` for one of the caller's children to end; returns its pid with its
 * wait status in *out_status, or 0 when none ended in that time (or there is none). Polls
 * every 20 ms: a signal handled by another thread would not interrupt a blocking wait, and
 * the caller must look at the interrupt flag (interrupt.h) between calls. */
pid_t smug_process_wait_any(double seconds, int *out_status);

/* The signal to send now to the worker processes still running in an interrupted smug,
 * `since` seconds after the interrupt: none (0) during the first SMUG_WORKER_GRACE s (a
 * terminal's Ctrl-C reached them too: they are stopping their solvers), then SIGTERM once,
 * then SIGKILL once after SMUG_WORKER_KILL s (their solvers die with them:
 * PR_SET_PDEATHSIG); 0 again after each was given. *stage starts at 0. */
#define SMUG_WORKER_GRACE 2.0
#define SMUG_WORKER_KILL  20.0
int smug_process_workers_signal(double since, int *stage);

/* In a freshly forked worker: SIGTERM when its parent dies (so an interrupted or killed smug
 * leaves no worker, and through it no solver, behind). Returns -1 when the parent is
 * already gone: the worker should exit. */
int smug_process_worker_init(pid_t parent);

/* --- interactive use (the `incremental` strategy: one solver, many check-sats) --------- */

typedef struct smug_session smug_session;

/* Seconds on CLOCK_MONOTONIC: the clock of smug_now() and of read_until's deadline
 * (smt/ may not include run/pipeline.h, hence this twin). */
double smug_process_now(void);

/* Starts argv with pipes to stdin/stdout/stderr (same PATH, group and rlimit rules).
 * *out is the caller's (smug_session_close). A child that cannot start is an error here
 * (SMUG_ERR_SOLVER, message naming argv[0] and errno). Of p's other fields, stdin_data
 * (if any) is written first, mem_limit_mb and grace apply, output_cap bounds the stdout
 * buffered but not yet returned by read_until, and timeout and stop_signal are not used
 * (each read_until has its own deadline). */
int smug_session_start(const smug_process *p, smug_session **out, smug_error *err);

/* Writes all of data to the child's stdin (pumping stdout/stderr meanwhile). Blocks until
 * the child has taken it all; fails (SMUG_ERR_SOLVER, with the stderr tail) when the child
 * exits or closes its stdin first. */
int smug_session_write(smug_session *s, const char *data, size_t len, smug_error *err);

/* Reads stdout until a line equal to `marker` arrives (the marker line is consumed and not
 * returned) or until `deadline` (absolute, smug_now() clock) passes or the child exits.
 * The text before the marker is appended to out. Returns SMUG_READ_MARKER (1), on the
 * deadline SMUG_READ_DEADLINE (0), on an error or child exit SMUG_READ_FAILED (-1: err says
 * which, with the child's stderr tail); the values keep `< 0` meaning failure.
 * Lines are compared without their "\n" or "\r\n". A line holding the marker in double
 * quotes matches too: (echo "m") prints m in z3 4.8 but "m" in cvc5 1.0.
 * On 0 nothing is consumed: text read so far, partial lines included, stays buffered for
 * the next call. On -1 everything the child printed and no call returned yet is appended
 * to out, so the caller can show it (z3 reports errors on stdout). */
typedef enum smug_read_status {
    SMUG_READ_FAILED = -1,
    SMUG_READ_DEADLINE = 0,
    SMUG_READ_MARKER = 1,
} smug_read_status;
smug_read_status smug_session_read_until(smug_session *s, const char *marker, double deadline,
                                         smug_strbuf *out, smug_error *err);

/* Closes stdin, waits up to `grace` seconds, then kills the group; fills *out_result if
 * not NULL (output fields empty: the session's reads consumed them; outcome TIMEOUT when
 * the child had to be killed). Frees s; s may be NULL. */
void smug_session_close(smug_session *s, smug_process_result *out_result);

#endif
