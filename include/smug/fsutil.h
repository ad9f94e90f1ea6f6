/* fsutil.h — files: read whole, write atomically, make directories; and the same inside a
 * folder whose contents nobody vouches for (a bundle, design §7).
 *
 * Every output smug writes goes through smug_fs_write_atomic / smug_fs_write_at: a
 * temporary file beside the target created with O_EXCL|O_NOFOLLOW (a file or link planted
 * under the temporary's name is never written through), fsync, then rename, so a reader (or
 * a resumed batch) never sees half a file. Every read takes regular files only, refused
 * before any byte is read when they are something else (a device such as /dev/zero, a FIFO,
 * a directory) or larger than the caller's limit, so no read can hang or fill memory.
 *
 * The _at functions work relative to a directory descriptor and never follow a symbolic
 * link: a link (or any non-regular file) where a file or folder is expected is refused with
 * one line naming it ("<where>/<name>: is a symbolic link: not followed"). `where` is only
 * the folder's name for messages.
 */
#ifndef SMUG_FSUTIL_H
#define SMUG_FSUTIL_H

#include <stddef.h>

#include "smug/error.h"

/* The most smug_fs_read_all reads: no file smug reads is near it (a model is megabytes). */
#define SMUG_FS_READ_MAX ((size_t)1 << 32)

/* Reads all of `path`, a regular file (followed if a link: the user named it) of at most
 * SMUG_FS_READ_MAX bytes. On success *out_data is malloc'ed (caller frees), NUL-terminated
 * one byte past *out_len. Errors name the path. */
int smug_fs_read_all(const char *path, unsigned char **out_data, size_t *out_len, smug_error *err);

/* The same with a caller's limit: a larger file is refused by its size, before reading. */
int smug_fs_read_max(const char *path, size_t max_len, unsigned char **out_data, size_t *out_len,
                     smug_error *err);

/* Writes `data` to `path` via "<path>.tmp.<pid>" (O_EXCL|O_NOFOLLOW) + fsync + rename. The
 * folder part of path is followed as given; a link at `path` itself is replaced, never
 * written through. On failure no file at `path` is created or changed and the temporary is
 * removed. */
int smug_fs_write_atomic(const char *path, const void *data, size_t len, smug_error *err);

/* ---- inside an untrusted folder: relative to a directory descriptor, links refused ---- */

/* Opens the folder `path` (followed: the user named it) as *out_fd (O_DIRECTORY,
 * close-on-exec; the caller closes it). */
int smug_fs_dir_open(const char *path, int *out_fd, smug_error *err);

/* Opens the sub-folder `name` of dirfd as *out_fd, creating it first when `create`. A link
 * or a non-folder there is refused. Without `create`, a missing folder is ENOENT in
 * *out_fd == -1 and returns 0 (nothing there yet); every other failure returns -1. */
int smug_fs_subdir(int dirfd, const char *where, const char *name, int create, int *out_fd,
                   smug_error *err);

/* smug_fs_read_max for the file `name` in dirfd, without following a link. */
int smug_fs_read_at(int dirfd, const char *where, const char *name, size_t max_len,
                    unsigned char **out_data, size_t *out_len, smug_error *err);

/* smug_fs_write_atomic for the file `name` in dirfd: "<name>.tmp.<pid>" is created with
 * O_EXCL|O_NOFOLLOW (something already there under that name is removed first: a link is
 * unlinked, never followed) and renamed over `name`. */
int smug_fs_write_at(int dirfd, const char *where, const char *name, const void *data, size_t len,
                     smug_error *err);

typedef enum {
    SMUG_FS_MISSING = 0,
    SMUG_FS_REGULAR, /* a regular file */
    SMUG_FS_OTHER    /* a link, folder, device, FIFO, socket… (or unreadable metadata) */
} smug_fs_kind;

/* What `name` in dirfd is, not following a link. */
smug_fs_kind smug_fs_kind_at(int dirfd, const char *name);

/* "<where>/<name>: is a symbolic link: not followed" (or "is a FIFO", "is a directory", …)
 * into err for a `name` whose kind is SMUG_FS_OTHER; returns -1. */
int smug_fs_refuse_at(int dirfd, const char *where, const char *name, smug_error *err);

/* mkdir -p with mode 0777 (before umask). Existing directories are fine. */
int smug_fs_mkdirs(const char *path, smug_error *err);

/* 1 if `path` exists (any type), else 0. */
int smug_fs_exists(const char *path);

/* SHA-256 of len bytes as 64 lowercase hex digits + NUL (nettle). */
void smug_sha256_hex(const void *data, size_t len, char out_hex[65]);

/* SHA-256 of a whole file. Errors name the path. */
int smug_fs_sha256(const char *path, char out_hex[65], smug_error *err);

/* Copies src to dst atomically (smug_fs_read_all + smug_fs_write_atomic). */
int smug_fs_copy(const char *src, const char *dst, smug_error *err);

#endif
