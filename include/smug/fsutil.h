/* fsutil.h — files: read whole, write atomically, make directories.
 *
 * Every output smug writes goes through smug_fs_write_atomic: a temporary file beside the
 * target, fsync, then rename, so a reader (or a resumed batch) never sees half a file.
 */
#ifndef SMUG_FSUTIL_H
#define SMUG_FSUTIL_H

#include <stddef.h>

#include "smug/error.h"

/* Reads all of `path`. On success *out_data is malloc'ed (caller frees), NUL-terminated
 * one byte past *out_len. Errors name the path. */
int smug_fs_read_all(const char *path, unsigned char **out_data, size_t *out_len, smug_error *err);

/* Writes `data` to `path` via "<path>.tmp.<pid>" + fsync + rename. On failure no file at
 * `path` is created or changed and the temporary is removed. */
int smug_fs_write_atomic(const char *path, const void *data, size_t len, smug_error *err);

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
