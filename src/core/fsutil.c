/* fsutil.c — whole-file reads and atomic writes, by path or inside an untrusted folder.
 *
 * Atomicity matters because smug's batches are resumable (design §7): a result file either
 * exists complete or not at all. The temporary lives in the target's directory so rename()
 * never crosses file systems. Bundles are untrusted input: inside them everything is
 * opened relative to a directory descriptor with O_NOFOLLOW, only regular files are read,
 * and new files are created with O_EXCL, so a planted link can neither redirect a write nor
 * leak an outside file into a report. This file does not decide what is inside a bundle
 * (bundle.c does); it only refuses to be led outside of it.
 */
#include "smug/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

/* "<where>/<name>", or name alone without a where, for messages. */
#define LABEL_FMT "%s%s%s"
#define LABEL(where, name)                                                                         \
    (where) ? (where) : "", (where) && *(where) && strcmp((where), "/") ? "/" : "", (name)

static const char *kind_text(mode_t m)
{
    return S_ISLNK(m)    ? "a symbolic link: not followed"
           : S_ISDIR(m)  ? "a directory, not a file"
           : S_ISFIFO(m) ? "a FIFO, not a regular file"
           : S_ISCHR(m)  ? "a character device, not a regular file"
           : S_ISBLK(m)  ? "a block device, not a regular file"
           : S_ISSOCK(m) ? "a socket, not a regular file"
                         : "not a regular file";
}

smug_fs_kind smug_fs_kind_at(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? SMUG_FS_MISSING : SMUG_FS_OTHER;
    return S_ISREG(st.st_mode) ? SMUG_FS_REGULAR : SMUG_FS_OTHER;
}

int smug_fs_refuse_at(int dirfd, const char *where, const char *name, smug_error *err)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": cannot stat: %s", LABEL(where, name),
                         strerror(errno));
    return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": is %s", LABEL(where, name),
                     kind_text(st.st_mode));
}

/* An open() that failed: a link met with O_NOFOLLOW (ELOOP) is said as such. */
static int open_failed(int dirfd, const char *where, const char *name, const char *what,
                       smug_error *err)
{
    int e = errno;
    if (dirfd >= 0 && (e == ELOOP || e == ENOTDIR) && smug_fs_kind_at(dirfd, name) == SMUG_FS_OTHER)
        return smug_fs_refuse_at(dirfd, where, name, err);
    return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": %s: %s", LABEL(where, name), what, strerror(e));
}

/* Reads fd to the end: a regular file of at most max_len bytes, checked by fstat before
 * the first read (a device or FIFO never gets read from), and again while reading (a file
 * that grows past the limit). */
static int read_fd(int fd, const char *where, const char *name, size_t max_len,
                   unsigned char **out_data, size_t *out_len, smug_error *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": cannot stat: %s", LABEL(where, name),
                         strerror(errno));
    if (!S_ISREG(st.st_mode))
        return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": is %s", LABEL(where, name),
                         kind_text(st.st_mode));
    if (st.st_size < 0 || (uintmax_t)st.st_size > max_len)
        return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": %jd bytes, more than the %zu it may have",
                         LABEL(where, name), (intmax_t)st.st_size, max_len);
    size_t cap = (size_t)st.st_size + 1, len = 0; /* + 1: EOF is seen without a regrow */
    unsigned char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf)
            return smug_fail(err, SMUG_ERR_NOMEM, LABEL_FMT ": out of memory", LABEL(where, name));
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": read error: %s", LABEL(where, name),
                             strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max_len) {
            free(buf);
            return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": grew past the %zu bytes it may have",
                             LABEL(where, name), max_len);
        }
        if (len == cap) {
            cap = cap * 2 < max_len + 1 ? cap * 2 : max_len + 1;
            unsigned char *g = realloc(buf, cap + 1);
            if (!g)
                free(buf);
            buf = g;
        }
    }
    buf[len] = '\0';
    *out_data = buf;
    *out_len = len;
    return 0;
}

/* O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it. */
#define READ_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

int smug_fs_read_max(const char *path, size_t max_len, unsigned char **out_data, size_t *out_len,
                     smug_error *err)
{
    int fd = open(path, READ_FLAGS);
    if (fd < 0)
        return open_failed(-1, NULL, path, "cannot open", err);
    int rc = read_fd(fd, NULL, path, max_len, out_data, out_len, err);
    close(fd);
    return rc;
}

int smug_fs_read_all(const char *path, unsigned char **out_data, size_t *out_len, smug_error *err)
{
    return smug_fs_read_max(path, SMUG_FS_READ_MAX, out_data, out_len, err);
}

int smug_fs_read_at(int dirfd, const char *where, const char *name, size_t max_len,
                    unsigned char **out_data, size_t *out_len, smug_error *err)
{
    int fd = openat(dirfd, name, READ_FLAGS | O_NOFOLLOW);
    if (fd < 0)
        return open_failed(dirfd, where, name, "cannot open", err);
    int rc = read_fd(fd, where, name, max_len, out_data, out_len, err);
    close(fd);
    return rc;
}

static int write_fully(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The temporary, new: whatever already has its name (a stale one of a process that had our
 * pid, or a planted link) is unlinked, never opened. */
static int create_temp(int dirfd, const char *tmp)
{
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(dirfd, tmp, flags, 0666);
    if (fd < 0 && errno == EEXIST && unlinkat(dirfd, tmp, 0) == 0)
        fd = openat(dirfd, tmp, flags, 0666);
    return fd;
}

int smug_fs_write_at(int dirfd, const char *where, const char *name, const void *data, size_t len,
                     smug_error *err)
{
    char tmp[NAME_MAX + 1];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", name, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp)
        return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": file name too long", LABEL(where, name));
    int fd = create_temp(dirfd, tmp);
    if (fd < 0)
        return open_failed(dirfd, where, tmp, "cannot create", err);
    if (write_fully(fd, data, len) < 0 || fsync(fd) < 0) {
        int e = errno;
        close(fd);
        unlinkat(dirfd, tmp, 0);
        return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": write failed: %s", LABEL(where, name),
                         strerror(e));
    }
    if (close(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
        int e = errno;
        unlinkat(dirfd, tmp, 0);
        return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": cannot rename into place: %s",
                         LABEL(where, name), strerror(e));
    }
    return 0;
}

int smug_fs_dir_open(const char *path, int *out_fd, smug_error *err)
{
    *out_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*out_fd < 0)
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot open folder: %s", path, strerror(errno));
    return 0;
}

int smug_fs_subdir(int dirfd, const char *where, const char *name, int create, int *out_fd,
                   smug_error *err)
{
    if (create && mkdirat(dirfd, name, 0777) < 0 && errno != EEXIST)
        return open_failed(dirfd, where, name, "cannot create directory", err);
    *out_fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (*out_fd >= 0)
        return 0;
    if (errno == ENOENT && !create)
        return 0;
    int e = errno;
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
        return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": is %s", LABEL(where, name),
                         S_ISLNK(st.st_mode) ? kind_text(st.st_mode) : "not a directory");
    return smug_fail(err, SMUG_ERR_IO, LABEL_FMT ": cannot open folder: %s", LABEL(where, name),
                     strerror(e));
}

int smug_fs_write_atomic(const char *path, const void *data, size_t len, smug_error *err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char dir[4096];
    if (!*base)
        return smug_fail(err, SMUG_ERR_IO, "%s: not a file name", path);
    size_t dn = slash ? (size_t)(slash - path) : 0;
    if (dn >= sizeof dir)
        return smug_fail(err, SMUG_ERR_IO, "%s: path too long", path);
    memcpy(dir, path, dn);
    dir[dn] = '\0';
    if (slash && dn == 0)
        snprintf(dir, sizeof dir, "/");
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot open its folder: %s", path, strerror(errno));
    int rc = smug_fs_write_at(dfd, slash ? dir : NULL, base, data, len, err);
    close(dfd);
    return rc;
}

int smug_fs_mkdirs(const char *path, smug_error *err)
{
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf)
        return smug_fail(err, SMUG_ERR_IO, "%s: bad directory name", path);
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) < 0 && errno != EEXIST)
            return smug_fail(err, SMUG_ERR_IO, "%s: cannot create directory: %s", buf,
                             strerror(errno));
        buf[i] = saved;
    }
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return smug_fail(err, SMUG_ERR_IO, "%s: not a directory", path);
    return 0;
}

int smug_fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

void smug_sha256_hex(const void *data, size_t len, char out_hex[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out_hex + 2 * i, 3, "%02x", digest[i]);
}

int smug_fs_sha256(const char *path, char out_hex[65], smug_error *err)
{
    unsigned char *data;
    size_t len;
    if (smug_fs_read_all(path, &data, &len, err) < 0)
        return -1;
    smug_sha256_hex(data, len, out_hex);
    free(data);
    return 0;
}

int smug_fs_copy(const char *src, const char *dst, smug_error *err)
{
    unsigned char *data;
    size_t len;
    if (smug_fs_read_all(src, &data, &len, err) < 0)
        return -1;
    int rc = smug_fs_write_atomic(dst, data, len, err);
    free(data);
    return rc;
}
