/* process.c — solver processes, the git run-command way (design §4, style habit 6).
 *
 * Every solver run of smt/ goes through here: spawn.c starts the child (no shell, its own
 * process group, rlimits), this file pumps stdin, stdout and stderr through non-blocking
 * pipes with poll(), keeps a capped copy of the output and enforces the deadline on the
 * whole group; session.c reuses the same spawn and pump for line-by-line dialogues.
 */
#define _GNU_SOURCE

#include "process_internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smug/interrupt.h"

double smug_process_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void proc_fd_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* ---- the child, as the parent sees it ---------------------------------------------- */

void proc_group_signal(const child *c, int sig)
{
    kill(-c->pid, sig); /* ESRCH: the group is already empty */
}

/* Notes the child's exit without reaping it (WNOWAIT): while the zombie holds its pid, the
 * process group id cannot be reused, so signalling the group stays safe. What the child
 * left in its group is killed then, so nothing outlives it. */
void proc_child_check_exit(child *c)
{
    if (c->exited)
        return;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r;
    do
        r = waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT);
    while (r < 0 && errno == EINTR);
    if (r == 0 && si.si_pid != c->pid)
        return; /* still running */
    c->exited = 1;
    c->info = si;
    c->drain_until = smug_process_now() + DRAIN_SECONDS;
    proc_group_signal(c, SIGKILL);
    proc_fd_close(&c->pidfd);
    proc_fd_close(&c->in);
}

static int child_reap(const child *c, int *status, struct rusage *ru)
{
    for (;;) {
        pid_t r = wait4(c->pid, status, 0, ru);
        if (r == c->pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* Kills what is left of the group (nothing after a normal exit), closes the pipes and reaps
 * the child into r: outcome, wall time, peak RSS. `stopped`: smug ended it (TIMEOUT). */
int proc_child_finish(child *c, int stopped, smug_process_result *r, smug_error *err)
{
    if (!c->exited)
        proc_group_signal(c, SIGKILL);
    proc_fd_close(&c->in);
    proc_fd_close(&c->out);
    proc_fd_close(&c->err);
    proc_fd_close(&c->pidfd);
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (child_reap(c, &status, &ru) < 0)
        return smug_fail(err, SMUG_ERR_INTERNAL, "cannot reap child %ld: %s (SIGCHLD ignored?)",
                         (long)c->pid, strerror(errno));
    r->wall_seconds = smug_process_now() - c->t0;
    r->max_rss_kb = ru.ru_maxrss; /* KiB on Linux */
    if (WIFEXITED(status)) {
        r->outcome = SMUG_PROC_EXITED;
        r->exit_code = WEXITSTATUS(status);
    } else {
        r->outcome = SMUG_PROC_SIGNALED;
        r->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    if (stopped)
        r->outcome = SMUG_PROC_TIMEOUT;
    return 0;
}

/* ---- pumping ----------------------------------------------------------------------- */

static void sink_add(sink *s, const char *data, size_t n)
{
    smug_strbuf *b = s->buf;
    size_t take = n;
    if (!s->tail && b->len + n > s->cap) {
        take = s->cap > b->len ? s->cap - b->len : 0;
        s->truncated = 1;
    }
    smug_strbuf_add(b, data, take);
    if (s->tail && b->len > 2 * s->cap && !b->failed) {
        memmove(b->buf, b->buf + b->len - s->cap, s->cap);
        b->len = s->cap;
        b->buf[b->len] = '\0';
        s->truncated = 1;
    }
}

/* One read; EOF or a read error closes the stream. */
static void sink_read(int *fd, sink *s, char *scratch)
{
    ssize_t n = read(*fd, scratch, CHUNK);
    if (n > 0)
        sink_add(s, scratch, (size_t)n);
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        proc_fd_close(fd);
}

void proc_sigpipe_block(sigpipe_guard *g)
{
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &g->old);
    sigemptyset(&pending);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE) == 1;
}

void proc_sigpipe_restore(const sigpipe_guard *g, int raised)
{
    if (raised && !g->was_pending) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        struct timespec zero = {0, 0};
        while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* Writes what fits. When everything is written, a run closes stdin so the child sees EOF;
 * a session keeps it open for more. EPIPE (the child closed its stdin or exited) drops the
 * rest: the outcome will say what happened. Call with SIGPIPE blocked. */
static void pump_write(pump *pp, int close_when_done)
{
    ssize_t n = write(pp->c->in, pp->in_data, pp->in_len);
    if (n > 0) {
        pp->in_data += n;
        pp->in_len -= (size_t)n;
        if (pp->in_len == 0 && close_when_done)
            proc_fd_close(&pp->c->in);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        pp->in_broken = 1;
        pp->in_len = 0;
        proc_fd_close(&pp->c->in);
    }
}

/* poll()'s timeout for an absolute `until` (< 0: none), rounded up so that the deadline
 * has passed when poll returns; capped at TICK_MS, so that the interrupt flag is seen
 * (interrupt.h: the signal may be handled by another thread, which does not wake this
 * poll) and, without a pidfd, the child's exit. */
static int poll_ms(double until)
{
    int ms = -1;
    if (until >= 0) {
        double d = (until - smug_process_now()) * 1e3;
        ms = d <= 0 ? 0 : d > 1e6 ? 1000000 : (int)d + 1;
    }
    if (ms < 0 || ms > TICK_MS)
        ms = TICK_MS;
    return ms;
}

enum { ROLE_IN, ROLE_OUT, ROLE_ERR, ROLE_EXIT };

static void poll_add(struct pollfd *pfd, int *role, nfds_t *n, int fd, short events, int r)
{
    pfd[*n].fd = fd;
    pfd[*n].events = events;
    pfd[*n].revents = 0;
    role[(*n)++] = r;
}

/* One poll() round over the child's pipes (and its pidfd, which wakes us when it exits),
 * waiting at most until `until`. Fails only when poll() or an allocation does. */
int proc_pump_step(pump *pp, double until, int close_when_done, smug_error *err)
{
    child *c = pp->c;
    struct pollfd pfd[4];
    int role[4];
    nfds_t n = 0;
    if (c->in >= 0 && pp->in_len > 0)
        poll_add(pfd, role, &n, c->in, POLLOUT, ROLE_IN);
    if (c->out >= 0)
        poll_add(pfd, role, &n, c->out, POLLIN, ROLE_OUT);
    if (c->err >= 0)
        poll_add(pfd, role, &n, c->err, POLLIN, ROLE_ERR);
    if (c->pidfd >= 0)
        poll_add(pfd, role, &n, c->pidfd, POLLIN, ROLE_EXIT);
    if (poll(pfd, n, poll_ms(until)) < 0) {
        if (errno == EINTR)
            return 0;
        return smug_fail(err, SMUG_ERR_IO, "poll: %s", strerror(errno));
    }
    char scratch[CHUNK];
    for (nfds_t i = 0; i < n; i++) {
        if (!pfd[i].revents)
            continue;
        if (role[i] == ROLE_IN && c->in >= 0)
            pump_write(pp, close_when_done);
        else if (role[i] == ROLE_OUT && c->out >= 0)
            sink_read(&c->out, pp->out, scratch);
        else if (role[i] == ROLE_ERR && c->err >= 0)
            sink_read(&c->err, pp->err, scratch);
    }
    if (pp->out->buf->failed || pp->err->buf->failed)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory capturing the output of a process");
    return 0;
}

/* ---- running to completion --------------------------------------------------------- */

typedef struct run_deadline {
    double stop_at; /* send stop_signal then; < 0: no timeout */
    double kill_at; /* send SIGKILL then; < 0: not (or no longer) scheduled */
    double grace;
    int stop_signal;
    int stopped;
} run_deadline;

static void deadline_init(run_deadline *d, const smug_process *p, double t0)
{
    d->stop_at = p->timeout > 0 ? t0 + p->timeout : -1;
    d->kill_at = -1;
    d->grace = p->grace > 0 ? p->grace : 1.0;
    d->stop_signal = p->stop_signal ? p->stop_signal : SIGTERM;
    d->stopped = 0;
}

/* Signals the group when its time has come; returns when to look again (< 0: never). */
static double deadline_check(run_deadline *d, const child *c, double now)
{
    if (!d->stopped && d->stop_at >= 0 && now >= d->stop_at) {
        proc_group_signal(c, d->stop_signal);
        d->stopped = 1;
        d->kill_at = now + d->grace;
    }
    if (d->kill_at >= 0 && now >= d->kill_at) {
        proc_group_signal(c, SIGKILL);
        d->kill_at = -1;
    }
    return d->stopped ? d->kill_at : d->stop_at;
}

/* Pumps until the child has exited and its output is drained, enforcing the deadline. An
 * interrupt (interrupt.h) brings the deadline forward to now. */
static int run_loop(pump *pp, run_deadline *d, smug_error *err)
{
    child *c = pp->c;
    for (;;) {
        proc_child_check_exit(c);
        double now = smug_process_now();
        if (!d->stopped && smug_interrupted() && (d->stop_at < 0 || d->stop_at > now))
            d->stop_at = now;
        if (c->exited && ((c->out < 0 && c->err < 0) || now >= c->drain_until))
            return 0;
        double until = c->exited ? c->drain_until : deadline_check(d, c, now);
        if (proc_pump_step(pp, until, 1, err) < 0)
            return -1;
    }
}

int smug_process_run(const smug_process *p, smug_process_result *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    if (smug_interrupted()) { /* smug is stopping: nothing new starts */
        out->outcome = SMUG_PROC_TIMEOUT;
        return 0;
    }
    child c;
    int start_errno = 0;
    if (proc_spawn(p, &c, &start_errno, err) < 0)
        return -1;
    if (start_errno) {
        out->outcome = SMUG_PROC_NOSTART;
        out->start_errno = start_errno;
        out->wall_seconds = smug_process_now() - c.t0;
        return 0;
    }
    size_t cap = p->output_cap ? p->output_cap : DEFAULT_CAP;
    sink so = {&out->out, cap, 0, 0}, se = {&out->err, cap, 0, 0};
    pump pp = {&c, p->stdin_data, p->stdin_data ? p->stdin_len : 0, 0, &so, &se};
    if (pp.in_len == 0)
        proc_fd_close(&c.in);
    run_deadline d;
    deadline_init(&d, p, c.t0);
    sigpipe_guard g;
    proc_sigpipe_block(&g);
    int rc = run_loop(&pp, &d, err);
    proc_sigpipe_restore(&g, pp.in_broken);
    if (rc == 0)
        rc = proc_child_finish(&c, d.stopped, out, err);
    else
        proc_child_finish(&c, d.stopped, out, NULL);
    out->out_truncated = so.truncated;
    out->err_truncated = se.truncated;
    if (rc < 0)
        smug_process_result_clear(out);
    return rc;
}

void smug_process_result_clear(smug_process_result *r)
{
    smug_strbuf_clear(&r->out);
    smug_strbuf_clear(&r->err);
    memset(r, 0, sizeof *r);
}

void proc_describe_exit(char *buf, size_t n, int signaled, int value)
{
    if (signaled)
        snprintf(buf, n, "killed by signal %d (%s)", value, strsignal(value));
    else
        snprintf(buf, n, "exited with status %d", value);
}

const char *smug_process_describe(const smug_process_result *r, char *buf, size_t n)
{
    if (!n)
        return buf;
    switch (r->outcome) {
    case SMUG_PROC_EXITED: proc_describe_exit(buf, n, 0, r->exit_code); break;
    case SMUG_PROC_SIGNALED: proc_describe_exit(buf, n, 1, r->term_signal); break;
    case SMUG_PROC_TIMEOUT: snprintf(buf, n, "timed out after %.1f s", r->wall_seconds); break;
    case SMUG_PROC_NOSTART:
        snprintf(buf, n, "could not start: %s", strerror(r->start_errno));
        break;
    default: snprintf(buf, n, "unknown outcome %d", (int)r->outcome); break;
    }
    return buf;
}

/* ---- forked workers ---------------------------------------------------------------- */

pid_t smug_process_wait_any(double seconds, int *out_status)
{
    double until = smug_process_now() + seconds;
    for (;;) {
        pid_t pid = waitpid(-1, out_status, WNOHANG);
        if (pid != 0)
            return pid > 0 ? pid : 0; /* < 0: no children (ECHILD) */
        double left = until - smug_process_now();
        if (left <= 0)
            return 0;
        struct timespec ts = {0, (long)((left < 0.02 ? left : 0.02) * 1e9)};
        nanosleep(&ts, NULL); /* EINTR: look again at once */
    }
}

int smug_process_workers_signal(double since, int *stage)
{
    int want = since >= SMUG_WORKER_KILL ? 2 : since >= SMUG_WORKER_GRACE ? 1 : 0;
    if (want <= *stage)
        return 0;
    *stage = want;
    return want == 2 ? SIGKILL : SIGTERM;
}

int smug_process_worker_init(pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
        return -1;
    return 0;
}
