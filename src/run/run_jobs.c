/* run_jobs.c — `smug run --jobs N` (run_input.h): inputs explained by forked workers
 * (run/workpool.c).
 *
 * Each worker explains one input into its own report fragment, written atomically to
 * DIR/.parts/<i>.json (or its fatal error to <i>.err); the parent keeps N workers busy and
 * then splices the fragments into report.json in input order, so the report is the same
 * as with one job. A worker is a process, not a thread: GLPK is not thread-safe, and a
 * worker that dies takes nothing else with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/fsutil.h"
#include "smug/interrupt.h"
#include "smug/run_input.h"
#include "smug/workpool.h"

enum { WORKER_OK = 0, WORKER_FATAL = 1, WORKER_INPUT_FAILED = 3 };

static void part_path(const smug_run_ctx *c, int i, const char *ext, char *buf, size_t n)
{
    snprintf(buf, n, "%s/.parts/%d.%s", c->plan->out_dir, i, ext);
}

static int worker(smug_run_ctx *c, const char *input, int i)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &sb, 1);
    c->json = &j;
    c->worker = 1; /* the parent draws the progress line */
    smug_error err = SMUG_ERROR_INIT, ignore = SMUG_ERROR_INIT;
    char path[4096];
    int rc = smug_run_input(c, input, &err);
    if (rc == 0)
        rc = smug_strbuf_check(&sb, &err);
    part_path(c, i, rc == 0 ? "json" : "err", path, sizeof path);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, &err);
    else {
        char text[SMUG_ERROR_MAX + 16]; /* "<code>\t<message>": the exit status needs both */
        int len = snprintf(text, sizeof text, "%d\t%s", (int)err.code, err.msg);
        smug_fs_write_atomic(path, text, (size_t)len < sizeof text ? (size_t)len : sizeof text - 1,
                             &ignore);
    }
    smug_strbuf_clear(&sb);
    return rc < 0 ? WORKER_FATAL : c->failures ? WORKER_INPUT_FAILED : WORKER_OK;
}

typedef struct run_pool {
    smug_run_ctx *c;
    char **paths;
    int n, done, fatal;
    smug_error *err; /* the first worker that died without saying why */
} run_pool;

static int pool_task(void *user, int task, int msg_fd)
{
    (void)msg_fd; /* a worker's error goes to its .err part, with its code */
    run_pool *rp = user;
    return worker(rp->c, rp->paths[task], task);
}

/* A worker ended: a fatal one stops new ones (its message is in its .err part, or is how
 * it died); the progress line counts it. */
static int pool_done(void *user, int task, int status, const char *msg)
{
    (void)task, (void)msg;
    run_pool *rp = user;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1, fatal = code == WORKER_FATAL;
    rp->c->failures += code == WORKER_INPUT_FAILED;
    if (code != WORKER_OK && code != WORKER_INPUT_FAILED && !fatal && rp->err->code == SMUG_OK &&
        !smug_interrupted()) {
        fatal = 1;
        smug_fail(rp->err, SMUG_ERR_INTERNAL, "a worker process %s %d",
                  WIFSIGNALED(status) ? "died of signal" : "exited with status",
                  WIFSIGNALED(status) ? WTERMSIG(status) : code);
    }
    rp->done++;
    rp->fatal |= fatal;
    if (rp->c->on_progress)
        rp->c->on_progress(rp->c, rp->done, rp->n);
    return fatal;
}

/* The fragments into the report, in input order; a fatal worker's message becomes err. */
static int splice_parts(smug_run_ctx *c, int n, smug_error *err)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        unsigned char *text = NULL;
        size_t len;
        smug_error ignore = SMUG_ERROR_INIT;
        part_path(c, i, "err", path, sizeof path);
        if (rc == 0 && smug_fs_read_all(path, &text, &len, &ignore) == 0) {
            char *tab = strchr((char *)text, '\t');
            rc = smug_fail(err, tab ? (smug_error_code)atoi((char *)text) : SMUG_ERR_INTERNAL, "%s",
                           tab ? tab + 1 : (char *)text);
        }
        free(text), text = NULL;
        unlink(path);
        part_path(c, i, "json", path, sizeof path);
        if (smug_fs_read_all(path, &text, &len, &ignore) == 0)
            smug_json_raw(c->json, NULL, (char *)text);
        free(text);
        unlink(path);
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/.parts", c->plan->out_dir);
    rmdir(dir);
    return rc;
}

int smug_run_parallel(smug_run_ctx *c, char **paths, int n, smug_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/.parts", c->plan->out_dir);
    if (smug_fs_mkdirs(dir, err) < 0)
        return -1;
    run_pool rp = {c, paths, n, 0, 0, err};
    smug_workpool pool = {c->plan->params.jobs, n, WORKER_FATAL, pool_task, pool_done, &rp};
    smug_error ferr = SMUG_ERROR_INIT;
    int fatal = smug_workpool_run(&pool, NULL, &ferr) < 0;
    if (fatal && err->code == SMUG_OK)
        *err = ferr;
    fatal |= rp.fatal;
    smug_error perr = SMUG_ERROR_INIT;
    int rc = splice_parts(c, n, &perr);
    if (rc < 0 && err->code == SMUG_OK)
        *err = perr; /* the first input's fatal error, as a single job would report it */
    return fatal || rc < 0 ? -1 : 0;
}
