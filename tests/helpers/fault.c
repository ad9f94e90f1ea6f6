/* fault.c — SQLite-style fault injection for the smug-fault binary (tests only).
 *
 * smug-fault is the smug command linked from the same objects with
 * -Wl,--wrap=malloc,… (tests/CMakeLists.txt), so every call smug's own code makes to
 * malloc, calloc, realloc, strdup, strndup, write, fsync and renameat lands here first;
 * calls inside shared libraries (libc's, GLPK's, jansson's) do not. The release `smug`
 * binary has none of this: no hook is compiled into the library.
 *
 * A call site is the caller's return address minus this file's anchor (stable across runs
 * of one PIE binary). Two modes, from the environment:
 *   SMUG_FAULT_LIST=FILE   appends "<kind> <site>" to FILE the first time a site is called
 *                          (forked workers append too; the test removes duplicates);
 *   SMUG_FAULT_FAIL=KIND:SITE   the first call at that site fails: an allocation returns
 *                          NULL (ENOMEM), a write ENOSPC, an fsync or rename EIO; every
 *                          other call goes through.
 * The wrappers are async-signal-safe (no allocation, raw system calls), because smug calls
 * write() between fork and exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fsync(int fd);
int __wrap_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/* Test-only state (this file is never part of smug or its library). */
#define MAX_SITES 4096
static struct {
    int ready;
    const char *list; /* SMUG_FAULT_LIST */
    char kind[16];    /* SMUG_FAULT_FAIL's kind, "" when none */
    uintptr_t site;
    int fired;
    uintptr_t seen[MAX_SITES];
    int n_seen;
} st;

static void anchor(void) {}

static void init(void)
{
    if (st.ready)
        return;
    st.ready = 1;
    st.list = getenv("SMUG_FAULT_LIST");
    const char *f = getenv("SMUG_FAULT_FAIL");
    const char *colon = f ? strchr(f, ':') : NULL;
    if (colon && (size_t)(colon - f) < sizeof st.kind) {
        memcpy(st.kind, f, (size_t)(colon - f));
        st.kind[colon - f] = '\0';
        st.site = (uintptr_t)strtoull(colon + 1, NULL, 16);
    }
}

static void list_site(const char *kind, uintptr_t site)
{
    for (int i = 0; i < st.n_seen; i++)
        if (st.seen[i] == site)
            return;
    if (st.n_seen < MAX_SITES)
        st.seen[st.n_seen++] = site;
    int fd = open(st.list, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0)
        return;
    char line[64];
    int n = snprintf(line, sizeof line, "%s %lx\n", kind, (unsigned long)site);
    if (n > 0)
        __real_write(fd, line, (size_t)n);
    close(fd);
}

/* 1 when this call (of `kind`, from `ret`) is the one to fail. */
static int should_fail(const char *kind, void *ret)
{
    init();
    uintptr_t site = (uintptr_t)ret - (uintptr_t)&anchor;
    if (st.list)
        list_site(kind, site);
    if (st.fired || !st.kind[0] || site != st.site || strcmp(kind, st.kind) != 0)
        return 0;
    st.fired = 1;
    return 1;
}

#define CALLER __builtin_return_address(0)

void *__wrap_malloc(size_t n)
{
    if (should_fail("alloc", CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (should_fail("alloc", CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (should_fail("alloc", CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    if (should_fail("alloc", CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    if (should_fail("alloc", CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_strndup(s, n);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    if (should_fail("write", CALLER)) {
        errno = ENOSPC;
        return -1;
    }
    return __real_write(fd, buf, n);
}

int __wrap_fsync(int fd)
{
    if (should_fail("write", CALLER)) {
        errno = EIO;
        return -1;
    }
    return __real_fsync(fd);
}

int __wrap_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
    if (should_fail("rename", CALLER)) {
        errno = EIO;
        return -1;
    }
    return __real_renameat(olddirfd, oldpath, newdirfd, newpath);
}
