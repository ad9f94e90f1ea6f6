/* misbehave.c — a child that behaves badly on purpose, for test_process.c only (git's
 * test-tool): it sleeps, crashes, floods, ignores SIGTERM, leaves grandchildren behind or
 * talks line by line, so src/smt/process.c is tested against real processes, never a mock.
 *
 * It is built without sanitizers (tests/CMakeLists.txt) even in the ASan build: like z3 and
 * cvc5 it stands for a foreign binary; ASan's shadow memory would not fit under the RLIMIT_AS
 * test and ASan's SIGSEGV handler would turn `crash` into an exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_s(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* flood BYTES: that many bytes of stdout */
static int cmd_flood(const char *arg)
{
    static const char chunk[65536] = {'x'};
    long long left = atoll(arg);
    while (left > 0) {
        size_t n = left < (long long)sizeof chunk ? (size_t)left : sizeof chunk;
        if (write_all(1, chunk, n) < 0)
            return 1;
        left -= (long long)n;
    }
    return 0;
}

/* echo: stdin to stdout, a pipe chunk at a time (the deadlock test) */
static int cmd_echo(void)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0;
        if (write_all(1, buf, (size_t)n) < 0)
            return 1;
    }
}

/* exit code for term-exit's handler: a test helper may keep one global */
static volatile sig_atomic_t term_exit_code;

static void on_term(int sig)
{
    (void)sig;
    _exit(term_exit_code);
}

/* term-exit CODE: exits with CODE on SIGTERM (a solver printing its answer when stopped) */
static int cmd_term_exit(const char *arg)
{
    term_exit_code = atoi(arg);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sleep_s(30);
    return 0;
}

/* child-sleep SECONDS / orphan SECONDS: a grandchild in the same process group sleeps,
 * holding stdout; its pid is printed first. The leader sleeps too, or (orphan) exits. */
static int cmd_grandchild(const char *arg, int leader_sleeps)
{
    double seconds = atof(arg);
    pid_t g = fork();
    if (g < 0)
        return 1;
    if (g == 0) {
        sleep_s(seconds);
        _exit(0);
    }
    printf("%ld\n", (long)g);
    fflush(stdout);
    if (leader_sleeps) {
        sleep_s(seconds);
        waitpid(g, NULL, 0);
    }
    return 0;
}

/* alloc MB: allocates and touches MB MiB; exit 3 if the allocation fails */
static int cmd_alloc(const char *arg)
{
    size_t n = (size_t)atoll(arg) << 20;
    char *p = malloc(n);
    if (!p) {
        fputs("misbehave: alloc failed\n", stderr);
        return 3;
    }
    volatile char *v = p; /* volatile: the stores must really happen */
    for (size_t i = 0; i < n; i += 4096)
        v[i] = 1;
    free(p);
    return 0;
}

/* fds: prints every open descriptor above 2 (there should be none) */
static int cmd_fds(void)
{
    for (int fd = 3; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            printf("%d\n", fd);
    return 0;
}

/* sigstate: the SigBlk and SigIgn lines of /proc/self/status */
static int cmd_sigstate(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 1;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7))
            fputs(line, stdout);
    fclose(f);
    return 0;
}

/* lines: a line-by-line dialogue for the session tests. "ping N" → "pong N" and "done";
 * "half" → "half-", a pause, "line" and "done" (a partial line across reads); "err TEXT"
 * → TEXT on stderr; "exit N" → exits with N. Output is flushed after every line. */
static int cmd_lines(void)
{
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        int n;
        if (sscanf(line, "ping %d", &n) == 1) {
            printf("pong %d\ndone\n", n);
        } else if (!strcmp(line, "half")) {
            printf("half-");
            fflush(stdout);
            sleep_s(0.3);
            printf("line\ndone\n");
        } else if (!strncmp(line, "err ", 4)) {
            fprintf(stderr, "%s\n", line + 4);
        } else if (!strncmp(line, "exit ", 5)) {
            fflush(stdout);
            return atoi(line + 5);
        }
        fflush(stdout);
    }
    return 0;
}

static int usage(void)
{
    fputs("usage: misbehave sleep S | crash | exit CODE | flood BYTES | echo | stderr TEXT [OUT] |"
          " ignore-term S | term-exit CODE | child-sleep S | orphan S | alloc MB |"
          " close-stdin S | fds | sigstate | lines\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *cmd = argv[1], *arg = argc > 2 ? argv[2] : "0";
    if (!strcmp(cmd, "sleep")) {
        sleep_s(atof(arg));
        return 0;
    }
    if (!strcmp(cmd, "crash")) {
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV);
        return 1;
    }
    if (!strcmp(cmd, "exit"))
        return atoi(arg);
    if (!strcmp(cmd, "flood"))
        return cmd_flood(arg);
    if (!strcmp(cmd, "echo"))
        return cmd_echo();
    if (!strcmp(cmd, "stderr")) {
        fprintf(stderr, "%s\n", arg);
        if (argc > 3)
            printf("%s\n", argv[3]);
        return 0;
    }
    if (!strcmp(cmd, "ignore-term")) {
        signal(SIGTERM, SIG_IGN);
        sleep_s(atof(arg));
        return 0;
    }
    if (!strcmp(cmd, "term-exit"))
        return cmd_term_exit(arg);
    if (!strcmp(cmd, "child-sleep") || !strcmp(cmd, "orphan"))
        return cmd_grandchild(arg, !strcmp(cmd, "child-sleep"));
    if (!strcmp(cmd, "alloc"))
        return cmd_alloc(arg);
    if (!strcmp(cmd, "close-stdin")) {
        close(0);
        sleep_s(atof(arg));
        return 0;
    }
    if (!strcmp(cmd, "fds"))
        return cmd_fds();
    if (!strcmp(cmd, "sigstate"))
        return cmd_sigstate();
    if (!strcmp(cmd, "lines"))
        return cmd_lines();
    return usage();
}
