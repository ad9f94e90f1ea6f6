/* spawn.c — starting a solver without a shell (process module, process_internal.h).
 *
 * argv[0] is resolved on PATH before fork and executed directly; a close-on-exec pipe
 * carries exec's errno back. The child gets its own process group, an optional RLIMIT_AS,
 * default signal handling, no inherited descriptors, and SIGKILL when smug dies
 * (PR_SET_PDEATHSIG: its group is no longer smug's terminal's, so nothing else would).
 */
#define _GNU_SOURCE

#include "process_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- spawning ---------------------------------------------------------------------- */

/* execvp's search before fork, where allocating is still allowed (process.h). */
int smug_process_which(const char *name, smug_strbuf *out, int *out_errno)
{
    *out_errno = 0;
    if (strchr(name, '/')) {
        smug_strbuf_adds(out, name);
        if (out->failed)
            return -1;
        struct stat st;
        if (stat(name, &st) < 0)
            *out_errno = errno == ENOENT || errno == ENOTDIR ? ENOENT : errno;
        else if (!S_ISREG(st.st_mode) || access(name, X_OK) < 0)
            *out_errno = EACCES;
        return 0;
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
        proc_fd_close(&fds[i][0]);
        proc_fd_close(&fds[i][1]);
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
    pid_t parent; /* smug: when it dies, the solver dies too */
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
    sp->parent = getpid();
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
    /* smug killed outright (SIGKILL, a crash, a second Ctrl-C) cannot stop the solver: the
     * kernel does then. A smug that died before this line is noticed by the pid check. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        child_report(sp->report, errno);
    if (getppid() != sp->parent)
        child_report(sp->report, ESRCH);
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
int proc_spawn(const smug_process *p, child *c, int *out_errno, smug_error *err)
{
    memset(c, 0, sizeof *c);
    c->pid = -1;
    c->in = c->out = c->err = c->pidfd = -1;
    c->t0 = smug_process_now();
    *out_errno = 0;
    if (!p->argv || !p->argv[0])
        return smug_fail(err, SMUG_ERR_INTERNAL, "process: empty argv");
    smug_strbuf path = SMUG_STRBUF_INIT;
    if (smug_process_which(p->argv[0], &path, out_errno) < 0 || *out_errno) {
        smug_strbuf_clear(&path);
        return *out_errno ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    int fds[N_PIPES][2];
    if (pipes_open(fds) < 0) {
        smug_strbuf_clear(&path);
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot create pipes: %s", p->argv[0],
                         strerror(errno));
    }
    spawn_plan sp;
    plan_init(&sp, p, path.buf, fds);
    c->pid = fork_child(&sp);
    int fork_errno = errno;
    smug_strbuf_clear(&path);
    proc_fd_close(&fds[PIPE_IN][0]);
    proc_fd_close(&fds[PIPE_OUT][1]);
    proc_fd_close(&fds[PIPE_ERR][1]);
    proc_fd_close(&fds[PIPE_REPORT][1]);
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
        proc_child_finish(c, 0, &ignored, NULL); /* reaps the child's _exit(127) */
    }
    return 0;
}
