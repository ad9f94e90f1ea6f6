/* bundle_solve.c — one child process per problem, results written atomically
 * (bundle_solve.h).
 *
 * Why processes and not threads: a child that dies (a bug, the OOM killer, a signal) takes
 * nothing else with it, the kernel drops its lock, and the parent only counts it. The
 * parent never touches a result file's contents while a child may be writing it: it learns
 * what happened from the exit status and then reads the finished file.
 */
#define _DEFAULT_SOURCE /* flock */
#include "smug/bundle_solve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smug/fsutil.h"
#include "smug/json.h"
#include "smug/process.h"
#include "smug/proof_json.h"
#include "smug/replay.h"
#include "smug/verify.h"

enum { CHILD_SOLVED = 0, CHILD_FAILED = 1, CHILD_SKIPPED = 3 };

const char *smug_bundle_result_path(const smug_bundle *b, const char *id, const char *solver,
                                    char *buf, size_t n)
{
    snprintf(buf, n, "%s/results/%s.%s.json", b->dir, id, solver);
    return buf;
}

static void sibling_path(const smug_bundle *b, const char *id, const char *solver, const char *what,
                         char *buf, size_t n)
{
    if (strcmp(what, "lock") == 0)
        snprintf(buf, n, "%s/results/.%s.%s.lock", b->dir, id, solver);
    else
        snprintf(buf, n, "%s/results/%s.%s.%s", b->dir, id, solver, what);
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
static int write_replay(const smug_bundle *b, const smug_bundle_problem *bp, const char *solver,
                        const smug_mask_result *m, smug_error *err)
{
    char path[4096], source[256];
    if (m->solve.proof.n_steps == 0)
        return 0;
    snprintf(path, sizeof path, "%s/results/%s.%s.proof.smt2", b->dir, bp->id, solver);
    snprintf(source, sizeof source, "smug %s bundle problem %s: proof of lower bound %d (%s)",
             SMUG_VERSION, bp->id, m->solve.lower, solver);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_replay_write(&sb, m->problem, &m->solve.proof, source);
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    smug_strbuf_free(&sb);
    return rc;
}

static int solve_problem(const smug_bundle *b, const smug_net *net, int i,
                         const smug_bundle_solve_options *o, const char *version, smug_error *err)
{
    const smug_bundle_problem *bp = &b->problems[i];
    float *x = NULL;
    smug_mask_result m;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_verdict v;
    char path[4096], source[256];
    snprintf(source, sizeof source, "smug %s bundle problem %s", SMUG_VERSION, bp->id);
    smug_solve_options so = {o->strategy, o->timeout, o->mem_limit_mb,   source, 0,
                             o->confirm,  0,          b->params.lp_share};
    int rc = smug_bundle_rebuild(b, net, i, 1, &x, &m, err);
    if (rc == 0)
        rc = smug_solve(m.problem, &m.bounds, o->solver, &so, &m.solve, err);
    if (rc == 0) {
        m.cells = malloc((size_t)m.problem->grid.n_cells);
        rc = m.cells ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    if (rc == 0) {
        smug_mask_problem_cells(m.problem, m.solve.mask, m.cells);
        rc = smug_verify_mask(net, x, m.problem, m.cells, bp->target, &v, err);
    }
    if (rc == 0 && !v.ok)
        rc = smug_fail(err, SMUG_ERR_SOLVER, "the mask fails the forward check at neuron %d",
                       v.failed_neuron);
    if (rc == 0) {
        result_json(bp, &m, o->solver->name, version, v.ok, &sb);
        rc = smug_strbuf_check(&sb, err);
    }
    smug_bundle_result_path(b, bp->id, o->solver->name, path, sizeof path);
    if (rc == 0) /* the proof file first: a result is there only when everything is */
        rc = write_replay(b, bp, o->solver->name, &m, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    smug_strbuf_free(&sb);
    smug_mask_result_free(&m);
    free(x);
    return rc;
}

/* The child: lock, check, solve, write; its exit status tells the parent which. */
static int child_main(const smug_bundle *b, const smug_net *net, int i,
                      const smug_bundle_solve_options *o, const char *version)
{
    const smug_bundle_problem *bp = &b->problems[i];
    char lock[4096], result[4096], errpath[4096];
    sibling_path(b, bp->id, o->solver->name, "lock", lock, sizeof lock);
    smug_bundle_result_path(b, bp->id, o->solver->name, result, sizeof result);
    sibling_path(b, bp->id, o->solver->name, "error", errpath, sizeof errpath);
    int fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0666);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
        return CHILD_SKIPPED;
    if (smug_fs_exists(result))
        return CHILD_SKIPPED; /* finished by another run between our scan and the lock */
    smug_error err = SMUG_ERROR_INIT;
    int rc = solve_problem(b, net, i, o, version, &err);
    smug_error ignore = SMUG_ERROR_INIT;
    if (rc < 0) {
        smug_fs_write_atomic(errpath, err.msg, strlen(err.msg), &ignore);
    } else {
        unlink(errpath);
        unlink(lock); /* a run that opened it already sees the result once it locks */
    }
    return rc < 0 ? CHILD_FAILED : CHILD_SOLVED;
}

typedef struct running {
    pid_t pid;
    int problem;
} running;

/* What a finished child's result says, for the counters. */
static void count_result(const smug_bundle *b, const char *id, const char *solver,
                         smug_bundle_solve_stats *st)
{
    char path[4096];
    smug_jval *root = NULL;
    smug_error err = SMUG_ERROR_INIT;
    smug_bundle_result_path(b, id, solver, path, sizeof path);
    st->done++;
    if (smug_jval_load(path, &root, &err) < 0)
        return;
    const char *status = smug_jval_str(smug_jval_get(root, "status"));
    st->optimal += status && strcmp(status, "optimal") == 0;
    st->timeouts += status && strcmp(status, "timeout") == 0;
    smug_jval_free(root);
}

static void reap(const smug_bundle *b, const smug_bundle_solve_options *o, running *run, int *n_run,
                 smug_bundle_solve_stats *st, smug_bundle_solve_cb cb, void *user)
{
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0)
        return;
    for (int r = 0; r < *n_run; r++) {
        if (run[r].pid != pid)
            continue;
        const char *id = b->problems[run[r].problem].id;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        char msg[SMUG_ERROR_MAX] = "";
        if (code == CHILD_SOLVED) {
            count_result(b, id, o->solver->name, st);
        } else if (code == CHILD_SKIPPED) {
            st->skipped++;
        } else {
            char path[4096];
            unsigned char *text = NULL;
            size_t len;
            smug_error ignore = SMUG_ERROR_INIT;
            sibling_path(b, id, o->solver->name, "error", path, sizeof path);
            if (code == CHILD_FAILED && smug_fs_read_all(path, &text, &len, &ignore) == 0)
                snprintf(msg, sizeof msg, "%s", (char *)text);
            else
                snprintf(msg, sizeof msg, "the worker process died (%s %d)",
                         WIFSIGNALED(status) ? "signal" : "status",
                         WIFSIGNALED(status) ? WTERMSIG(status) : code);
            free(text);
            st->failed++;
        }
        if (cb)
            cb(st, id, code == CHILD_SOLVED, msg[0] ? msg : NULL, user);
        run[r] = run[--*n_run];
        return;
    }
}

int smug_bundle_solve(const smug_bundle *b, const smug_net *net, const smug_bundle_solve_options *o,
                      smug_bundle_solve_stats *st, smug_bundle_solve_cb cb, void *user,
                      smug_error *err)
{
    memset(st, 0, sizeof *st);
    st->started = smug_process_now();
    char path[4096], version[256] = "unknown";
    smug_error ignore = SMUG_ERROR_INIT;
    smug_solver_version(o->solver, version, sizeof version, &ignore);
    snprintf(path, sizeof path, "%s/results", b->dir);
    if (smug_fs_mkdirs(path, err) < 0 || access(path, W_OK) < 0)
        return smug_fail(err, SMUG_ERR_IO, "%s: not writable", path);
    int *todo = malloc((size_t)(b->n > 0 ? b->n : 1) * sizeof *todo), n_todo = 0;
    running *run = malloc((size_t)o->jobs * sizeof *run);
    if (!todo || !run) {
        free(todo), free(run);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < b->n; i++) {
        if (!smug_bundle_in_shard(i, o->shard_index, o->shard_count))
            continue;
        st->total++;
        smug_bundle_result_path(b, b->problems[i].id, o->solver->name, path, sizeof path);
        if (smug_fs_exists(path))
            st->finished++;
        else
            todo[n_todo++] = i;
    }
    if (cb)
        cb(st, NULL, 1, NULL, user);
    int n_run = 0, next = 0, rc = 0;
    fflush(NULL); /* a child must not print the parent's buffered output again */
    while (next < n_todo || n_run > 0) {
        if (rc == 0 && next < n_todo && n_run < o->jobs) {
            pid_t pid = fork();
            if (pid == 0)
                _exit(child_main(b, net, todo[next], o, version));
            if (pid < 0) {
                rc = smug_fail(err, SMUG_ERR_IO, "fork failed: %s", strerror(errno));
                continue;
            }
            run[n_run++] = (running){pid, todo[next++]};
            continue;
        }
        if (n_run == 0)
            break;
        reap(b, o, run, &n_run, st, cb, user);
    }
    free(todo);
    free(run);
    return rc;
}
