/* process.c — solver processes, the git run-command way (design §4, style habit 6).
 *
 * Every solver run of smt/ goes through here. argv[0] is resolved on PATH before fork and
 * executed directly, never through a shell; a close-on-exec pipe carries exec's errno back.
 * The child gets its own process group, an optional RLIMIT_AS, default signal handling and
 * no inherited descriptors. The parent pumps stdin, stdout and stderr through non-blocking
 * pipes with poll(), keeps a capped copy of the output and enforces the deadline on the
 * whole group. Sessions reuse the same spawn and pump for line-by-line solver dialogues.
 */
/* Before any include: pipe2(O_CLOEXEC) (so no other thread's fork inherits our pipes),
 * close_range(), wait4() for the child's rusage and NSIG are GNU/BSD, not POSIX. */
#define _GNU_SOURCE

#include "smug/process.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CAP   ((size_t)64 << 20)
#define CHUNK         32768 /* bytes per read() */
#define TAIL_KEEP     4096  /* bytes of a session's stderr kept for error messages */
#define TAIL_SHOWN    300   /* of which an error message shows at most this much */
#define DRAIN_SECONDS 1.0   /* reading on after the child exited, at most */
#define TICK_MS       100   /* poll wake-up when the kernel has no pidfd to watch the child */
#define WRITING       "while smug wrote its input"
#define FALLBACK_FDS  65536 /* descriptors closed one by one when close_range() is missing */

double smug_process_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fd_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* ---- the child, as the parent sees it ---------------------------------------------- */

typedef struct child {
    pid_t pid;
    int in, out, err;   /* the parent's pipe ends, non-blocking; -1 once closed */
    int pidfd;          /* readable once the child exits; -1 without kernel support */
    int exited;         /* seen exited; still a zombie until child_finish reaps it */
    siginfo_t info;     /* how it exited, once exited */
    double drain_until; /* once exited: stop reading then */
    double t0;
} child;

static void group_signal(const child *c, int sig)
{
    kill(-c->pid, sig); /* ESRCH: the group is already empty */
}

/* Notes the child's exit without reaping it (WNOWAIT): while the zombie holds its pid, the
 * process group id cannot be reused, so signalling the group stays safe. What the child
 * left in its group is killed then, so nothing outlives it. */
static void child_check_exit(child *c)
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
    group_signal(c, SIGKILL);
    fd_close(&c->pidfd);
    fd_close(&c->in);
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
static int child_finish(child *c, int stopped, smug_process_result *r, smug_error *err)
{
    if (!c->exited)
        group_signal(c, SIGKILL);
    fd_close(&c->in);
    fd_close(&c->out);
    fd_close(&c->err);
    fd_close(&c->pidfd);
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

/* ---- spawning ---------------------------------------------------------------------- */

/* execvp's search, but before fork, where allocating is still allowed: the first regular
 * file named `name` with execute permission in a PATH directory (an empty entry is ".").
 * A match without execute permission gives EACCES, as execvp does, and none ENOENT, both
 * in *out_errno. A name with a '/' is used as it is. Returns -1 only when out of memory. */
static int path_resolve(const char *name, smug_strbuf *out, int *out_errno)
{
    *out_errno = 0;
    if (strchr(name, '/')) {
        smug_strbuf_adds(out, name);
        return out->failed ? -1 : 0;
    }
    const char *dirs = getenv("PATH");
    if (!dirs)
        dirs = "/usr/local/bin:/usr/bin:/bin";
    int seen_noexec = 0;
    for (const char *d = dirs;; d++) {
        size_t n = strcspn(d, ":");
        smug_strbuf_reset(out);
        smug_strbuf_addf(out, "%.*s/%s", n ? (int)n : 1, n ? d : ".", name);
        if (out->failed)
            return -1;
        struct stat st;
        if (*name && stat(out->buf, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(out->buf, X_OK) == 0)
                return 0;
            seen_noexec = 1;
        }
        d += n;
        if (!*d)
            break;
    }
    *out_errno = seen_noexec ? EACCES : ENOENT;
    return 0;
}

enum { PIPE_IN, PIPE_OUT, PIPE_ERR, PIPE_REPORT, N_PIPES };

/* pipe2(O_CLOEXEC) with both ends above 2: the child dup2()s its ends onto 0, 1 and 2,
 * which must not clobber one another even when smug was started with those closed. */
static int pipe_make(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (fds[i] > 2)
            continue;
        int fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        int e = errno;
        close(fds[i]);
        fds[i] = fd;
        if (fd < 0) {
            close(fds[1 - i]);
            errno = e;
            return -1;
        }
    }
    return 0;
}

static void pipes_close(int fds[N_PIPES][2])
{
    for (int i = 0; i < N_PIPES; i++) {
        fd_close(&fds[i][0]);
        fd_close(&fds[i][1]);
    }
}

static int pipes_open(int fds[N_PIPES][2])
{
    for (int i = 0; i < N_PIPES; i++)
        fds[i][0] = fds[i][1] = -1;
    for (int i = 0; i < N_PIPES; i++) {
        if (pipe_make(fds[i]) < 0) {
            int e = errno;
            fds[i][0] = fds[i][1] = -1;
            pipes_close(fds);
            errno = e;
            return -1;
        }
    }
    return 0;
}

/* Everything the child needs, prepared before fork: between fork and exec only
 * async-signal-safe calls are allowed (smug has other threads), so no malloc there. */
typedef struct spawn_plan {
    const char *path;
    char *const *argv;
    int fds[3]; /* become the child's 0, 1, 2 */
    int report; /* exec-error pipe, write end (close-on-exec) */
    int limit_as;
    struct rlimit as;
    int max_fd; /* for the close_range() fallback */
    struct sigaction dfl;
} spawn_plan;

static void plan_init(spawn_plan *sp, const smug_process *p, const char *path, int fds[N_PIPES][2])
{
    memset(sp, 0, sizeof *sp);
    sp->path = path;
    sp->argv = (char *const *)p->argv; /* execv's historical prototype; it writes nothing */
    sp->fds[0] = fds[PIPE_IN][0];
    sp->fds[1] = fds[PIPE_OUT][1];
    sp->fds[2] = fds[PIPE_ERR][1];
    sp->report = fds[PIPE_REPORT][1];
    if (p->mem_limit_mb && getrlimit(RLIMIT_AS, &sp->as) == 0) {
        rlim_t want =
            p->mem_limit_mb > (RLIM_INFINITY >> 20) ? RLIM_INFINITY : (rlim_t)p->mem_limit_mb << 20;
        if (sp->as.rlim_max != RLIM_INFINITY && want > sp->as.rlim_max)
            want = sp->as.rlim_max; /* the hard limit can only go down */
        sp->as.rlim_cur = sp->as.rlim_max = want;
        sp->limit_as = 1;
    }
    long open_max = sysconf(_SC_OPEN_MAX);
    sp->max_fd = open_max < 0 || open_max > FALLBACK_FDS ? FALLBACK_FDS : (int)open_max;
    sp->dfl.sa_handler = SIG_DFL;
    sigemptyset(&sp->dfl.sa_mask);
}

static _Noreturn void child_report(int fd, int e)
{
    ssize_t n;
    do
        n = write(fd, &e, sizeof e);
    while (n < 0 && errno == EINTR);
    _exit(127);
}

/* Descriptors smug opened without O_CLOEXEC (or a library did) must not reach the solver.
 * Marking them close-on-exec rather than closing keeps the report pipe usable until exec. */
static void child_close_inherited(const spawn_plan *sp)
{
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    for (int fd = 3; fd < sp->max_fd; fd++) /* kernels before 5.11 */
        if (fd != sp->report)
            close(fd);
}

/* Ignored signals stay ignored across exec and the mask is inherited: a solver must start
 * with default handling of every signal, whatever smug (or its parent) set up. */
static void child_reset_signals(const spawn_plan *sp)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &sp->dfl, NULL); /* EINVAL for the C library's own signals */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static _Noreturn void child_exec(const spawn_plan *sp)
{
    if (setpgid(0, 0) < 0)
        child_report(sp->report, errno);
    if (sp->limit_as && setrlimit(RLIMIT_AS, &sp->as) < 0)
        child_report(sp->report, errno);
    for (int i = 0; i < 3; i++)
        if (dup2(sp->fds[i], i) < 0)
            child_report(sp->report, errno);
    child_close_inherited(sp);
    child_reset_signals(sp);
    execv(sp->path, sp->argv);
    child_report(sp->report, errno);
}

/* All signals stay blocked from fork until the child has reset their dispositions, so no
 * handler of smug's (its SIGINT flag, say) can run in the child. */
static pid_t fork_child(const spawn_plan *sp)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0)
        child_exec(sp);
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return pid;
}

/* The report pipe is closed by a successful exec (0 bytes) or carries exec's errno. */
static int read_exec_error(int fd)
{
    int e = 0;
    ssize_t n;
    do
        n = read(fd, &e, sizeof e);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof e ? (e ? e : EINVAL) : 0;
}

static int pidfd_for(pid_t pid)
{
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, pid, 0); /* close-on-exec by default */
    return fd >= 0 ? (int)fd : -1;
#else
    (void)pid;
    return -1;
#endif
}

static void child_started(child *c, int fds[N_PIPES][2])
{
    c->in = fds[PIPE_IN][1];
    c->out = fds[PIPE_OUT][0];
    c->err = fds[PIPE_ERR][0];
    fds[PIPE_IN][1] = fds[PIPE_OUT][0] = fds[PIPE_ERR][0] = -1;
    int ends[3] = {c->in, c->out, c->err};
    for (int i = 0; i < 3; i++)
        fcntl(ends[i], F_SETFL, fcntl(ends[i], F_GETFL) | O_NONBLOCK);
    c->pidfd = pidfd_for(c->pid);
}

/* Starts p's argv as c. Returns 0 with *out_errno set when it could not start (not found,
 * not executable, a failed setrlimit...; nothing is left running then), -1 when smug failed. */
static int spawn(const smug_process *p, child *c, int *out_errno, smug_error *err)
{
    memset(c, 0, sizeof *c);
    c->pid = -1;
    c->in = c->out = c->err = c->pidfd = -1;
    c->t0 = smug_process_now();
    *out_errno = 0;
    if (!p->argv || !p->argv[0])
        return smug_fail(err, SMUG_ERR_INTERNAL, "process: empty argv");
    smug_strbuf path = SMUG_STRBUF_INIT;
    if (path_resolve(p->argv[0], &path, out_errno) < 0 || *out_errno) {
        smug_strbuf_free(&path);
        return *out_errno ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    int fds[N_PIPES][2];
    if (pipes_open(fds) < 0) {
        smug_strbuf_free(&path);
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot create pipes: %s", p->argv[0],
                         strerror(errno));
    }
    spawn_plan sp;
    plan_init(&sp, p, path.buf, fds);
    c->pid = fork_child(&sp);
    int fork_errno = errno;
    smug_strbuf_free(&path);
    fd_close(&fds[PIPE_IN][0]);
    fd_close(&fds[PIPE_OUT][1]);
    fd_close(&fds[PIPE_ERR][1]);
    fd_close(&fds[PIPE_REPORT][1]);
    if (c->pid < 0) {
        pipes_close(fds);
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot fork: %s", p->argv[0], strerror(fork_errno));
    }
    *out_errno = read_exec_error(fds[PIPE_REPORT][0]);
    child_started(c, fds);
    pipes_close(fds);
    if (*out_errno) {
        smug_process_result ignored;
        memset(&ignored, 0, sizeof ignored);
        child_finish(c, 0, &ignored, NULL); /* reaps the child's _exit(127) */
    }
    return 0;
}

/* ---- pumping ----------------------------------------------------------------------- */

/* Where a stream's bytes go: the first `cap` bytes are kept and the rest drained and
 * dropped (truncated), or with `tail` the last cap..2·cap bytes are kept. */
typedef struct sink {
    smug_strbuf *buf;
    size_t cap;
    int tail;
    int truncated;
} sink;

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
        fd_close(fd);
}

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

static void sigpipe_block(sigpipe_guard *g)
{
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &g->old);
    sigemptyset(&pending);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE) == 1;
}

static void sigpipe_restore(const sigpipe_guard *g, int raised)
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
            fd_close(&pp->c->in);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        pp->in_broken = 1;
        pp->in_len = 0;
        fd_close(&pp->c->in);
    }
}

/* poll()'s timeout for an absolute `until` (< 0: none), rounded up so that the deadline
 * has passed when poll returns; capped at TICK_MS when only a timer can notice an exit. */
static int poll_ms(double until, int need_tick)
{
    int ms = -1;
    if (until >= 0) {
        double d = (until - smug_process_now()) * 1e3;
        ms = d <= 0 ? 0 : d > 1e6 ? 1000000 : (int)d + 1;
    }
    if (need_tick && (ms < 0 || ms > TICK_MS))
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
static int pump_step(pump *pp, double until, int close_when_done, smug_error *err)
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
    if (poll(pfd, n, poll_ms(until, c->pidfd < 0 && !c->exited)) < 0) {
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
        group_signal(c, d->stop_signal);
        d->stopped = 1;
        d->kill_at = now + d->grace;
    }
    if (d->kill_at >= 0 && now >= d->kill_at) {
        group_signal(c, SIGKILL);
        d->kill_at = -1;
    }
    return d->stopped ? d->kill_at : d->stop_at;
}

/* Pumps until the child has exited and its output is drained, enforcing the deadline. */
static int run_loop(pump *pp, run_deadline *d, smug_error *err)
{
    child *c = pp->c;
    for (;;) {
        child_check_exit(c);
        double now = smug_process_now();
        if (c->exited && ((c->out < 0 && c->err < 0) || now >= c->drain_until))
            return 0;
        double until = c->exited ? c->drain_until : deadline_check(d, c, now);
        if (pump_step(pp, until, 1, err) < 0)
            return -1;
    }
}

int smug_process_run(const smug_process *p, smug_process_result *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    child c;
    int start_errno = 0;
    if (spawn(p, &c, &start_errno, err) < 0)
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
        fd_close(&c.in);
    run_deadline d;
    deadline_init(&d, p, c.t0);
    sigpipe_guard g;
    sigpipe_block(&g);
    int rc = run_loop(&pp, &d, err);
    sigpipe_restore(&g, pp.in_broken);
    if (rc == 0)
        rc = child_finish(&c, d.stopped, out, err);
    else
        child_finish(&c, d.stopped, out, NULL);
    out->out_truncated = so.truncated;
    out->err_truncated = se.truncated;
    if (rc < 0)
        smug_process_result_free(out);
    return rc;
}

void smug_process_result_free(smug_process_result *r)
{
    smug_strbuf_free(&r->out);
    smug_strbuf_free(&r->err);
    memset(r, 0, sizeof *r);
}

static void describe_exit(char *buf, size_t n, int signaled, int value)
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
    case SMUG_PROC_EXITED: describe_exit(buf, n, 0, r->exit_code); break;
    case SMUG_PROC_SIGNALED: describe_exit(buf, n, 1, r->term_signal); break;
    case SMUG_PROC_TIMEOUT: snprintf(buf, n, "timed out after %.1f s", r->wall_seconds); break;
    case SMUG_PROC_NOSTART:
        snprintf(buf, n, "could not start: %s", strerror(r->start_errno));
        break;
    default: snprintf(buf, n, "unknown outcome %d", (int)r->outcome); break;
    }
    return buf;
}

/* ---- sessions ---------------------------------------------------------------------- */

struct smug_session {
    child c;
    smug_strbuf pending;  /* stdout not yet returned by read_until */
    size_t scanned;       /* pending[0, scanned) is whole lines, none of them the marker */
    smug_strbuf err_tail; /* the end of stderr, for error messages */
    sink out, err;
    double grace;
    char name[256]; /* argv[0], for messages */
};

static void session_pump_init(smug_session *s, pump *pp, const char *data, size_t len)
{
    pp->c = &s->c;
    pp->in_data = data;
    pp->in_len = len;
    pp->in_broken = 0;
    pp->out = &s->out;
    pp->err = &s->err;
}

static int session_step(smug_session *s, pump *pp, double until, smug_error *err)
{
    if (pump_step(pp, until, 0, err) < 0)
        return -1;
    child_check_exit(&s->c);
    return 0;
}

/* The end of stderr as one line for an error message: ": <last lines>" or "". */
static void tail_line(const smug_strbuf *t, char *buf, size_t n)
{
    size_t len = t->len, o = 0;
    while (len && isspace((unsigned char)t->buf[len - 1]))
        len--;
    buf[0] = '\0';
    if (!len)
        return;
    size_t i = len > TAIL_SHOWN ? len - TAIL_SHOWN : 0;
    for (const char *p = ": "; *p; p++)
        buf[o++] = *p;
    for (; i < len && o + 3 < n; i++) {
        char ch = t->buf[i];
        if (ch == '\n') {
            buf[o++] = ';';
            ch = ' ';
        }
        buf[o++] = (ch == '\r' || ch == '\t') ? ' ' : ch;
    }
    buf[o] = '\0';
}

/* The child exited or closed a pipe (`closed`: "closed its stdout"): wait a little for its
 * exit status and the rest of its stderr, hand the unread stdout to out (if not NULL) and
 * say what happened, `when` ("before printing ..."). */
static int session_gone(smug_session *s, const char *closed, const char *when, smug_strbuf *out,
                        smug_error *err)
{
    pump pp;
    session_pump_init(s, &pp, NULL, 0);
    double until = smug_process_now() + DRAIN_SECONDS;
    while ((!s->c.exited || s->c.out >= 0 || s->c.err >= 0) && smug_process_now() < until)
        if (session_step(s, &pp, until, err) < 0)
            return -1;
    if (out)
        smug_strbuf_add(out, s->pending.buf ? s->pending.buf : "", s->pending.len);
    smug_strbuf_reset(&s->pending);
    s->scanned = 0;
    char what[160];
    snprintf(what, sizeof what, "%s", closed);
    if (s->c.exited)
        describe_exit(what, sizeof what, s->c.info.si_code != CLD_EXITED, s->c.info.si_status);
    char tail[TAIL_SHOWN + 64];
    tail_line(&s->err_tail, tail, sizeof tail);
    return smug_fail(err, SMUG_ERR_SOLVER, "%s %s %s%s", s->name, what, when, tail);
}

int smug_session_write(smug_session *s, const char *data, size_t len, smug_error *err)
{
    if (s->c.in < 0)
        return session_gone(s, "closed its stdin", WRITING, NULL, err);
    pump pp;
    session_pump_init(s, &pp, data, len);
    sigpipe_guard g;
    sigpipe_block(&g);
    int rc = 0;
    while (rc == 0 && pp.in_len > 0 && s->c.in >= 0)
        rc = session_step(s, &pp, -1, err);
    sigpipe_restore(&g, pp.in_broken);
    if (rc == 0 && (pp.in_len > 0 || pp.in_broken))
        return session_gone(s, "closed its stdin", WRITING, NULL, err);
    return rc;
}

int smug_session_start(const smug_process *p, smug_session **out, smug_error *err)
{
    *out = NULL;
    smug_session *s = calloc(1, sizeof *s);
    if (!s)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int start_errno = 0;
    if (spawn(p, &s->c, &start_errno, err) < 0 || start_errno) {
        free(s);
        if (!start_errno)
            return -1;
        return smug_fail(err, SMUG_ERR_SOLVER, "cannot start %s: %s", p->argv[0],
                         strerror(start_errno));
    }
    snprintf(s->name, sizeof s->name, "%s", p->argv[0]);
    s->out = (sink){&s->pending, p->output_cap ? p->output_cap : DEFAULT_CAP, 0, 0};
    s->err = (sink){&s->err_tail, TAIL_KEEP, 1, 0};
    s->grace = p->grace > 0 ? p->grace : 1.0;
    if (p->stdin_data && p->stdin_len &&
        smug_session_write(s, p->stdin_data, p->stdin_len, err) < 0) {
        smug_session_close(s, NULL);
        return -1;
    }
    *out = s;
    return 0;
}

/* Moves the text before the first marker line to out and drops it with the marker line. */
static int session_take_marker(smug_session *s, const char *marker, smug_strbuf *out)
{
    smug_strbuf *pb = &s->pending;
    size_t mlen = strlen(marker);
    while (s->scanned < pb->len) {
        char *line = pb->buf + s->scanned;
        char *nl = memchr(line, '\n', pb->len - s->scanned);
        if (!nl)
            return 0;
        size_t len = (size_t)(nl - line);
        if (len && line[len - 1] == '\r')
            len--;
        int quoted = len == mlen + 2 && line[0] == '"' && line[len - 1] == '"' &&
                     memcmp(line + 1, marker, mlen) == 0; /* cvc5's (echo "m") */
        if ((len == mlen && memcmp(line, marker, mlen) == 0) || quoted) {
            smug_strbuf_add(out, pb->buf, s->scanned);
            size_t rest = pb->len - (size_t)(nl + 1 - pb->buf);
            memmove(pb->buf, nl + 1, rest);
            pb->len = rest;
            pb->buf[rest] = '\0';
            s->scanned = 0;
            return 1;
        }
        s->scanned = (size_t)(nl + 1 - pb->buf);
    }
    return 0;
}

int smug_session_read_until(smug_session *s, const char *marker, double deadline, smug_strbuf *out,
                            smug_error *err)
{
    pump pp;
    session_pump_init(s, &pp, NULL, 0);
    char when[128];
    snprintf(when, sizeof when, "before printing \"%.100s\"", marker);
    for (int last_round = 0;;) {
        if (session_take_marker(s, marker, out))
            return 1;
        if (s->out.truncated)
            return smug_fail(err, SMUG_ERR_SOLVER, "%s printed more than %zu bytes %s", s->name,
                             s->out.cap, when);
        double now = smug_process_now();
        if (s->c.out < 0 || (s->c.exited && now >= s->c.drain_until))
            return session_gone(s, "closed its stdout", when, out, err);
        if (last_round)
            return 0;
        last_round = now >= deadline; /* then one non-blocking look at what already came */
        if (session_step(s, &pp, s->c.exited ? s->c.drain_until : deadline, err) < 0)
            return -1;
    }
}

void smug_session_close(smug_session *s, smug_process_result *out_result)
{
    smug_process_result r;
    memset(&r, 0, sizeof r);
    if (s) {
        fd_close(&s->c.in);
        pump pp;
        session_pump_init(s, &pp, NULL, 0);
        double until = smug_process_now() + s->grace;
        while (!s->c.exited && smug_process_now() < until) {
            smug_strbuf_reset(&s->pending); /* nobody reads it any more */
            if (session_step(s, &pp, until, NULL) < 0)
                break;
        }
        child_finish(&s->c, !s->c.exited, &r, NULL);
        smug_strbuf_free(&s->pending);
        smug_strbuf_free(&s->err_tail);
        free(s);
    }
    if (out_result)
        *out_result = r;
}
