/* fsutil.c — whole-file reads and atomic writes.
 *
 * Atomicity matters because smug's batches are resumable (design §7): a result file either
 * exists complete or not at all. The temporary lives in the target's directory so rename()
 * never crosses file systems.
 */
#include "smug/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

int smug_fs_read_all(const char *path, unsigned char **out_data, size_t *out_len, smug_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            return smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory", path);
        }
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        cap *= 2;
        unsigned char *p = realloc(buf, cap);
        if (!p)
            free(buf);
        buf = p;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return smug_fail(err, SMUG_ERR_IO, "%s: read error", path);
    }
    buf[len] = '\0';
    *out_data = buf;
    *out_len = len;
    return 0;
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

int smug_fs_write_atomic(const char *path, const void *data, size_t len, smug_error *err)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp)
        return smug_fail(err, SMUG_ERR_IO, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    if (write_fully(fd, data, len) < 0 || fsync(fd) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return smug_fail(err, SMUG_ERR_IO, "%s: write failed: %s", path, strerror(e));
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot rename into place: %s", path, strerror(e));
    }
    return 0;
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
