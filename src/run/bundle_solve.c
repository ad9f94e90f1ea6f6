/* bundle_solve.c — one child process per problem (run/workpool.c), results written atomically
 * (bundle_solve.h).
 *
 * Why processes and not threads: a child that dies (a bug, the OOM killer, a signal) takes
 * nothing else with it, the kernel drops its lock, and the parent only counts it. The
 * parent never touches a result file's contents while a child may be writing it: it learns
 * what happened from the exit status and then reads the finished file.
 */
#define _GNU_SOURCE /* flock */
#include "smug/bundle_solve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smug/fsutil.h"
#include "smug/interrupt.h"
#include "smug/json.h"
#include "smug/process.h"
#include "smug/proof_json.h"
#include "smug/replay.h"
#include "smug/verify.h"
#include "smug/workpool.h"

enum { CHILD_SOLVED = 0, CHILD_FAILED = 1, CHILD_SKIPPED = 3, CHILD_INTERRUPTED = 4 };

/* Results of solver runs are at most this big (cells and a note; a million cells fit). */
#define RESULT_MAX ((size_t)64 << 20)

/* What every worker shares: the bundle, and BUNDLE/results open as a directory, so that no
 * name inside it is ever resolved through a link (fsutil.h). */
typedef struct solve_ctx {
    const smug_bundle *b;
    const smug_net *net;
    const smug_bundle_solve_options *o;
    const char *version;
    int resfd;
    char where[4200]; /* "BUNDLE/results", for messages */
} solve_ctx;

const char *smug_bundle_result_path(const smug_bundle *b, const char *id, const char *solver,
                                    char *buf, size_t n)
{
    snprintf(buf, n, "%s/results/%s.%s.json", b->dir, id, solver);
    return buf;
}

/* The name of an id's file in results/: "json", "error" or "lock" (a dot file). */
static const char *file_name(const char *id, const char *solver, const char *what, char *buf,
                             size_t n)
{
    snprintf(buf, n, "%s%s.%s.%s", strcmp(what, "lock") == 0 ? "." : "", id, solver, what);
    return buf;
}

static void result_json(const smug_bundle_problem *bp, const smug_mask_result *m,
                        const char *solver, const char *version, int verified, smug_strbuf *sb)
{
    const smug_solve_result *s = &m->solve;
    const smug_mask_problem *p = m->problem;
    smug_json j;
    smug_json_init(&j, sb, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "smug", SMUG_VERSION);
    smug_json_string(&j, "id", bp->id);
    smug_json_string(&j, "rows_sha256", bp->rows_sha256);
    smug_json_string(&j, "solver", solver);
    smug_json_string(&j, "solver_version", version);
    smug_json_string(&j, "strategy", smug_strategy_name(s->strategy));
    smug_json_string(&j, "status", smug_solve_status_name(s->status));
    smug_json_int(&j, "mask_size", s->size);
    smug_json_int(&j, "lower_bound", s->lower);
    if (s->proved_by)
        smug_json_string(&j, "proved_by", s->proved_by);
    else
        smug_json_null(&j, "proved_by");
    smug_json_string(&j, "incumbent_from", s->incumbent_from ? s->incumbent_from : "greedy");
    smug_json_bool(&j, "verified", verified);
    smug_json_array_begin(&j, "cells");
    for (int i = 0; i < p->n; i++)
        if (s->mask[i])
            smug_json_int(&j, NULL, p->cell[i]);
    smug_json_array_end(&j);
    smug_json_int(&j, "solver_calls", s->solver_calls);
    smug_json_number(&j, "seconds", s->seconds);
    if (s->note[0])
        smug_json_string(&j, "note", s->note);
    else
        smug_json_null(&j, "note");
    smug_proof_json(&j, "proof", &s->proof); /* what smug score re-checks: lower_bound is not */
    smug_json_object_end(&j);
}

/* results/<id>.<solver>.proof.smt2: the proof for any SMT-LIB solver to replay. */
static int write_replay(const solve_ctx *sc, const smug_bundle_problem *bp, const char *solver,
                        const smug_mask_result *m, smug_error *err)
{
    char name[256], source[256];
    if (m->solve.proof.n_steps == 0)
        return 0;
    file_name(bp->id, solver, "proof.smt2", name, sizeof name);
    snprintf(source, sizeof source, "smug %s bundle problem %s: proof of lower bound %d (%s)",
             SMUG_VERSION, bp->id, m->solve.lower, solver);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_replay_write(&sb, m->problem, &m->solve.proof, source);
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_write_at(sc->resfd, sc->where, name, sb.buf, sb.len, err);
    smug_strbuf_clear(&sb);
    return rc;
}

static int solve_problem(const solve_ctx *sc, int i, smug_error *err)
{
    const smug_bundle *b = sc->b;
    const smug_bundle_solve_options *o = sc->o;
    const smug_bundle_problem *bp = &b->problems[i];
    float *x = NULL;
    smug_mask_result m;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_verdict v;
    char name[256], source[256];
    snprintf(source, sizeof source, "smug %s bundle problem %s", SMUG_VERSION, bp->id);
    smug_solve_options so = {o->strategy, o->timeout, o->mem_limit_mb,    source, 0,
                             o->confirm,  0,          b->params.lp_share, 0.0};
    int rc = smug_bundle_rebuild(b, sc->net, i, 1, &x, &m, err);
    if (rc == 0)
        rc = smug_solve(m.problem, &m.bounds, o->solver, &so, &m.solve, err);
    if (rc == 0) {
        m.cells = malloc((size_t)m.problem->grid.n_cells);
        rc = m.cells ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    if (rc == 0) {
        smug_mask_problem_cells(m.problem, m.solve.mask, m.cells);
        rc = smug_verify_mask(sc->net, x, m.problem, m.cells, bp->target, &v, err);
    }
    if (rc == 0 && !v.ok)
        rc = smug_fail(err, SMUG_ERR_CHECK, "the mask fails the forward check at neuron %d",
                       v.failed_neuron);
    if (rc == 0) {
        result_json(bp, &m, o->solver->name, sc->version, v.ok, &sb);
        rc = smug_strbuf_check(&sb, err);
    }
    file_name(bp->id, o->solver->name, "json", name, sizeof name);
    if (rc == 0 && smug_interrupted())
        rc = 1;  /* stopped early by Ctrl-C: not a result, a rerun solves it */
    if (rc == 0) /* the proof file first: a result is there only when everything is */
        rc = write_replay(sc, bp, o->solver->name, &m, err);
    if (rc == 0)
        rc = smug_fs_write_at(sc->resfd, sc->where, name, sb.buf, sb.len, err);
    smug_strbuf_clear(&sb);
    smug_mask_result_clear(&m);
    free(x);
    return rc;
}

typedef enum lock_status { LOCK_FAILED = -1, LOCK_BUSY = 0, LOCK_TAKEN = 1 } lock_status;

/* Takes the lock file `name` (flock, never waiting): LOCK_TAKEN (*out_fd), LOCK_BUSY (held by
 * another run) or LOCK_FAILED (an error; a link or a non-file there: refused). A run removes its
 * lock file when done, so one that took the lock of a file already removed (it had opened it
 * before) checks that the name still leads to its file and otherwise starts over: then every path
 * may remove the lock file, and no empty lock files are left behind. */
static lock_status lock_take(const solve_ctx *sc, const char *name, int *out_fd, smug_error *err)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd =
            openat(sc->resfd, name, O_CREAT | O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
        struct stat st, now;
        if (fd < 0 && smug_fs_kind_at(sc->resfd, name) == SMUG_FS_OTHER)
            return (lock_status)smug_fs_refuse_at(sc->resfd, sc->where, name, err);
        if (fd < 0)
            return (lock_status)smug_fail(err, SMUG_ERR_IO, "%s/%s: cannot create: %s", sc->where,
                                          name, strerror(errno));
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return (lock_status)smug_fs_refuse_at(sc->resfd, sc->where, name, err);
        }
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                return LOCK_BUSY;
            return (lock_status)smug_fail(err, SMUG_ERR_IO, "%s/%s: cannot lock: %s", sc->where,
                                          name, strerror(e));
        }
        if (fstatat(sc->resfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_ino == st.st_ino &&
            now.st_dev == st.st_dev) {
            *out_fd = fd;
            return LOCK_TAKEN;
        }
        close(fd); /* removed by the run that held it: try the current one */
    }
    return (lock_status)smug_fail(err, SMUG_ERR_IO, "%s/%s: the lock file keeps changing",
                                  sc->where, name);
}

static void lock_drop(const solve_ctx *sc, const char *name, int fd)
{
    unlinkat(sc->resfd, name, 0); /* while held: whoever opened it sees it gone */
    close(fd);
}

/* The child: lock, check, solve, write; its exit status tells the parent which. A failure
 * leaves its message in <id>.<solver>.error for the parent (and the user) to read. */
static int child_main(const solve_ctx *sc, int i, int msg_fd)
{
    const char *id = sc->b->problems[i].id, *solver = sc->o->solver->name;
    char lock[256], result[256], errname[256];
    file_name(id, solver, "lock", lock, sizeof lock);
    file_name(id, solver, "json", result, sizeof result);
    file_name(id, solver, "error", errname, sizeof errname);
    smug_error err = SMUG_ERROR_INIT, ignore = SMUG_ERROR_INIT;
    int fd = -1;
    lock_status got = lock_take(sc, lock, &fd, &err);
    if (got == LOCK_BUSY)
        return CHILD_SKIPPED;
    int rc = got == LOCK_FAILED ? -1 : 0;
    smug_fs_kind done = got == LOCK_TAKEN ? smug_fs_kind_at(sc->resfd, result) : SMUG_FS_MISSING;
    if (done == SMUG_FS_REGULAR) {
        lock_drop(sc, lock, fd);
        return CHILD_SKIPPED; /* finished by another run between our scan and the lock */
    }
    if (done == SMUG_FS_OTHER)
        rc = smug_fs_refuse_at(sc->resfd, sc->where, result, &err);
    else if (got == LOCK_TAKEN)
        rc = solve_problem(sc, i, &err);
    if (rc < 0) { /* the pipe first: it works on a full disk (one write < PIPE_BUF) */
        if (write(msg_fd, err.msg, strlen(err.msg)) < 0)
            err.msg[0] = '\0';
        smug_fs_write_at(sc->resfd, sc->where, errname, err.msg, strlen(err.msg), &ignore);
    } else if (rc == 0) {
        unlinkat(sc->resfd, errname, 0);
    }
    if (fd >= 0)
        lock_drop(sc, lock, fd);
    return rc < 0 ? CHILD_FAILED : rc > 0 ? CHILD_INTERRUPTED : CHILD_SOLVED;
}

/* What the pool's callbacks need (workpool.h): the shared context, the problems to do
 * (task k is problem todo[k]), and the counters. */
typedef struct solve_pool {
    const solve_ctx *sc;
    const int *todo;
    smug_bundle_solve_stats *st;
    smug_bundle_solve_cb cb;
    void *user;
} solve_pool;

static int pool_task(void *user, int task, int msg_fd)
{
    const solve_pool *sp = user;
    return child_main(sp->sc, sp->todo[task], msg_fd);
}

/* What a finished child's result says, for the counters. */
static void count_result(const solve_ctx *sc, const char *id, smug_bundle_solve_stats *st)
{
    char name[256];
    unsigned char *text = NULL;
    size_t len;
    smug_jval *root = NULL;
    smug_error err = SMUG_ERROR_INIT;
    file_name(id, sc->o->solver->name, "json", name, sizeof name);
    st->done++;
    if (smug_fs_read_at(sc->resfd, sc->where, name, RESULT_MAX, &text, &len, &err) == 0 &&
        smug_jval_parse((const char *)text, len, name, &root, &err) == 0) {
        const char *status = smug_jval_str(smug_jval_get(root, "status"));
        st->optimal += status && strcmp(status, "optimal") == 0;
        st->timeouts += status && strcmp(status, "timeout") == 0;
    }
    smug_jval_free(root);
    free(text);
}

/* A worker ended: counts what it did; a failure's message is what it said through the
 * pipe, else its .error file, else how it died. */
static int pool_done(void *user, int task, int status, const char *said)
{
    const solve_pool *sp = user;
    const solve_ctx *sc = sp->sc;
    smug_bundle_solve_stats *st = sp->st;
    const char *id = sc->b->problems[sp->todo[task]].id;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    char msg[SMUG_ERROR_MAX] = "";
    if (code == CHILD_SOLVED) {
        count_result(sc, id, st);
    } else if (code == CHILD_SKIPPED) {
        st->skipped++;
    } else if (code == CHILD_INTERRUPTED || (smug_interrupted() && WIFSIGNALED(status))) {
        st->interrupted++;
    } else {
        char name[256];
        unsigned char *text = NULL;
        size_t len;
        smug_error ignore = SMUG_ERROR_INIT;
        file_name(id, sc->o->solver->name, "error", name, sizeof name);
        if (code == CHILD_FAILED && said[0])
            snprintf(msg, sizeof msg, "%s", said);
        else if (code == CHILD_FAILED && smug_fs_read_at(sc->resfd, sc->where, name, SMUG_ERROR_MAX,
                                                         &text, &len, &ignore) == 0)
            snprintf(msg, sizeof msg, "%s", (char *)text);
        else
            snprintf(msg, sizeof msg, "the worker process died (%s %d)",
                     WIFSIGNALED(status) ? "signal" : "status",
                     WIFSIGNALED(status) ? WTERMSIG(status) : code);
        free(text);
        st->failed++;
    }
    if (sp->cb)
        sp->cb(st, id, code == CHILD_SOLVED, msg[0] ? msg : NULL, sp->user);
    return 0;
}

/* Which problems of the shard still need a result (todo) and which have something other
 * than a regular file under their result's name (bad: a link…, refused). */
static void scan(const solve_ctx *sc, int *todo, int *n_todo, int *bad, int *n_bad,
                 smug_bundle_solve_stats *st)
{
    const smug_bundle *b = sc->b;
    *n_todo = *n_bad = 0;
    for (int i = 0; i < b->n; i++) {
        if (!smug_bundle_in_shard(i, sc->o->shard_index, sc->o->shard_count))
            continue;
        char name[256];
        st->total++;
        file_name(b->problems[i].id, sc->o->solver->name, "json", name, sizeof name);
        smug_fs_kind kind = smug_fs_kind_at(sc->resfd, name);
        if (kind == SMUG_FS_REGULAR)
            st->finished++;
        else if (kind == SMUG_FS_MISSING)
            todo[(*n_todo)++] = i;
        else
            bad[(*n_bad)++] = i;
    }
}

/* The refused ones count as failed, each said in one line. */
static void refuse_bad(const solve_ctx *sc, const int *bad, int n_bad, smug_bundle_solve_stats *st,
                       smug_bundle_solve_cb cb, void *user)
{
    for (int k = 0; k < n_bad; k++) {
        const char *id = sc->b->problems[bad[k]].id;
        char name[256];
        smug_error why = SMUG_ERROR_INIT;
        file_name(id, sc->o->solver->name, "json", name, sizeof name);
        smug_fs_refuse_at(sc->resfd, sc->where, name, &why);
        st->failed++;
        if (cb)
            cb(st, id, 0, why.msg, user);
    }
}

int smug_bundle_solve(const smug_bundle *b, const smug_net *net, const smug_bundle_solve_options *o,
                      smug_bundle_solve_stats *st, smug_bundle_solve_cb cb, void *user,
                      smug_error *err)
{
    memset(st, 0, sizeof *st);
    st->started = smug_process_now();
    char version[256] = "unknown";
    smug_error ignore = SMUG_ERROR_INIT;
    size_t name_len = strlen(o->solver->name);
    if (name_len == 0 || name_len > SMUG_BUNDLE_SOLVER_MAX || strchr(o->solver->name, '.'))
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver name '%.64s' cannot name result files: 1 to %d characters "
                         "without '.'",
                         o->solver->name, SMUG_BUNDLE_SOLVER_MAX);
    smug_solver_version(o->solver, version, sizeof version, &ignore);
    solve_ctx sc = {b, net, o, version, -1, ""};
    snprintf(sc.where, sizeof sc.where, "%s/results", b->dir);
    if (smug_fs_subdir(b->dirfd, b->dir, "results", 1, &sc.resfd, err) < 0)
        return -1;
    if (faccessat(sc.resfd, ".", W_OK, 0) < 0) {
        close(sc.resfd);
        return smug_fail(err, SMUG_ERR_IO, "%s: not writable", sc.where);
    }
    int *todo = malloc((size_t)(b->n > 0 ? b->n : 1) * sizeof *todo), n_todo = 0;
    int *bad = malloc((size_t)(b->n > 0 ? b->n : 1) * sizeof *bad), n_bad = 0;
    if (!todo || !bad) {
        free(todo), free(bad);
        close(sc.resfd);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    scan(&sc, todo, &n_todo, bad, &n_bad, st);
    if (cb)
        cb(st, NULL, 1, NULL, user);
    refuse_bad(&sc, bad, n_bad, st, cb, user);
    free(bad);
    solve_pool sp = {&sc, todo, st, cb, user};
    smug_workpool pool = {o->jobs, n_todo, CHILD_INTERRUPTED, pool_task, pool_done, &sp};
    int next = 0, rc = smug_workpool_run(&pool, &next, err);
    st->interrupted += n_todo - next; /* never started */
    free(todo);
    close(sc.resfd);
    return rc;
}
