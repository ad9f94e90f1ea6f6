/* solver_run.c — a smug_solver description → the argv that runs it, whether its executable
 * is on PATH, and its version line (registry.h).
 *
 * The argv builder substitutes placeholders into single elements; no string ever reaches a
 * shell. The version query is the only place this module starts a process. Reading the YAML
 * is solver_schema.c; the folder of descriptions is registry.c.
 */
#include "smug/registry.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smug/process.h"
#include "smug/strbuf.h"
#include "solver_internal.h"

typedef struct limits {
    const char *file;
    long long ms, s, mb;
} limits;

/* Appends template t with its placeholders replaced, plus the NUL that ends the element. */
static void expand(smug_strbuf *sb, const char *t, const limits *l)
{
    for (size_t k = 0; t[k];) {
        size_t len = smug_solver_placeholder_len(t + k);
        if (len && strncmp(t + k, "{file}", len) == 0) {
            smug_strbuf_addf(sb, "%s%s", l->file[0] == '-' ? "./" : "", l->file);
        } else if (len && strncmp(t + k, "{ms}", len) == 0) {
            smug_strbuf_addf(sb, "%lld", l->ms);
        } else if (len && strncmp(t + k, "{s}", len) == 0) {
            smug_strbuf_addf(sb, "%lld", l->s);
        } else if (len && strncmp(t + k, "{mb}", len) == 0) {
            smug_strbuf_addf(sb, "%lld", l->mb);
        } else {
            len = len ? len : 1;
            smug_strbuf_add(sb, t + k, len);
        }
        k += len;
    }
    smug_strbuf_add(sb, "", 1);
}

static int expand_all(smug_strbuf *sb, char *const *v, const limits *l)
{
    int n = 0;
    for (; v && v[n]; n++)
        expand(sb, v[n], l);
    return n;
}

/* Packs n NUL-separated strings into one block: the vector, then the bytes. */
static char **pack(const smug_strbuf *sb, int n)
{
    size_t head = ((size_t)n + 1) * sizeof(char *);
    char **v = malloc(head + sb->len);
    if (!v)
        return NULL;
    char *bytes = (char *)v + head;
    memcpy(bytes, sb->buf, sb->len);
    for (int i = 0; i < n; i++) {
        v[i] = bytes;
        bytes += strlen(bytes) + 1;
    }
    v[n] = NULL;
    return v;
}

static int check_run(const smug_solver *s, const char *file, int incremental, smug_error *err)
{
    if (file && !s->file_args)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver %s cannot read a problem file (%s has no file_args)", s->name,
                         s->path);
    if (!file && !s->stdin_args)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver %s cannot read a problem on stdin (%s has no stdin_args)", s->name,
                         s->path);
    if (incremental && !s->incremental)
        return smug_fail(err, SMUG_ERR_USAGE, "solver %s is not incremental (%s)", s->name,
                         s->path);
    return 0;
}

int smug_solver_argv(const smug_solver *s, const char *file, double timeout, int mem_mb,
                     int incremental, char ***out_argv, smug_error *err)
{
    if (check_run(s, file, incremental, err) < 0)
        return -1;
    limits l = {file ? file : "", 0, 0, mem_mb};
    if (timeout > 0) {
        double ms = ceil(timeout * 1000.0);
        l.ms = ms < 1e15 ? (long long)ms : (long long)1e15;
        l.s = (l.ms + 999) / 1000;
    }
    smug_strbuf sb = SMUG_STRBUF_INIT;
    int n = 1;
    smug_strbuf_add(&sb, s->executable, strlen(s->executable) + 1); /* a name: no placeholders */
    n += expand_all(&sb, s->args, &l);
    if (s->model_args)
        n += expand_all(&sb, s->model_args, &l);
    if (incremental)
        n += expand_all(&sb, s->incremental_args, &l);
    n += expand_all(&sb, file ? s->file_args : s->stdin_args, &l);
    if (timeout > 0)
        n += expand_all(&sb, s->time_limit, &l);
    if (mem_mb > 0)
        n += expand_all(&sb, s->memory_limit, &l);
    n += expand_all(&sb, s->trailing_args, &l);
    char **v = sb.failed ? NULL : pack(&sb, n);
    smug_strbuf_clear(&sb);
    if (!v)
        return smug_check_alloc(NULL, err);
    *out_argv = v;
    return 0;
}

int smug_solver_installed(const smug_solver *s, char *buf, size_t n)
{
    smug_strbuf path = SMUG_STRBUF_INIT;
    int e = 0;
    int found = smug_process_which(s->executable, &path, &e) == 0 && e == 0;
    if (found)
        snprintf(buf, n, "%s", path.buf);
    smug_strbuf_clear(&path);
    return found;
}

/* The line of `text` that names a version, else its first non-empty line. */
static int pick_version_line(const char *text, char *buf, size_t n)
{
    const char *first = NULL;
    size_t first_len = 0;
    for (const char *line = text; line && *line;) {
        size_t len = strcspn(line, "\r\n");
        while (len && isspace((unsigned char)line[len - 1]))
            len--;
        for (size_t i = 0; i + 7 <= len; i++)
            if (strncasecmp(line + i, "version", 7) == 0) {
                snprintf(buf, n, "%.*s", (int)len, line);
                return 1;
            }
        if (!first && len)
            first = line, first_len = len;
        line += strcspn(line, "\n");
        line += *line == '\n';
    }
    if (first)
        snprintf(buf, n, "%.*s", (int)first_len, first);
    return first != NULL;
}

int smug_solver_version(const smug_solver *s, char *buf, size_t n, smug_error *err)
{
    size_t k = 0;
    while (s->version_args[k])
        k++;
    const char **argv = calloc(k + 2, sizeof *argv);
    if (!argv)
        return smug_check_alloc(NULL, err);
    argv[0] = s->executable;
    for (size_t i = 0; i < k; i++)
        argv[i + 1] = s->version_args[i];
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.timeout = 10.0;
    p.output_cap = 1 << 16;
    smug_process_result r;
    int rc = smug_process_run(&p, &r, err);
    free(argv);
    if (rc < 0)
        return smug_error_prefix(err, "%s", s->name);
    char how[256];
    if (r.outcome == SMUG_PROC_NOSTART || r.outcome == SMUG_PROC_TIMEOUT)
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%s: version query: %s", s->name,
                       smug_process_describe(&r, how, sizeof how));
    else if (!pick_version_line(r.out.buf, buf, n) && !pick_version_line(r.err.buf, buf, n))
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%s: version query printed nothing (%s)", s->name,
                       smug_process_describe(&r, how, sizeof how));
    smug_process_result_clear(&r);
    return rc;
}
