/* family_index.c — what `smug family` says about its files: index.json, measured.csv and
 * the Markdown tables of measured difficulty (family.h).
 *
 * Everything here is a pure function of the decided files (family.c): sorted, no clock,
 * numbers as they were measured, so rebuilding the family gives the same bytes and a test
 * can check a committed family is current without running a solver.
 */
#include "family_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/fsutil.h"
#include "smug/json.h"

static const char *basename_of(const char *path)
{
    return strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
}

static int write_out(const family *f, const char *name, smug_strbuf *sb, smug_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", f->o->out, name);
    int rc = smug_strbuf_check(sb, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb->buf ? sb->buf : "", sb->len, err);
    smug_strbuf_clear(sb);
    return rc;
}

/* The solvers measured on the written files, sorted, without repeats. */
static int solver_names(const family *f, const char *names[FAM_MAX_SOLVERS])
{
    int n = 0;
    for (int i = 0; i < f->n_order; i++)
        for (int r = 0; r < f->order[i]->n_runs; r++) {
            const char *s = f->order[i]->runs[r]->solver;
            int at = 0;
            while (at < n && strcmp(names[at], s) < 0)
                at++;
            if ((at < n && strcmp(names[at], s) == 0) || n == FAM_MAX_SOLVERS)
                continue;
            memmove(names + at + 1, names + at, (size_t)(n - at) * sizeof *names);
            names[at] = s, n++;
        }
    return n;
}

static void index_file(smug_json *j, const family *f, const fam_file *e)
{
    const smug_bundle *b = e->b->b;
    const smug_bundle_problem *bp = e->bp;
    smug_json_object_begin(j, NULL);
    smug_json_string(j, "file", e->dest);
    smug_json_string(j, "formula_sha256", e->sha);
    smug_json_string(j, "status", e->status);
    smug_json_array_begin(j, "confirmed_by");
    for (const char *c = e->confirmed_by; *c;) {
        char name[64];
        size_t n = strcspn(c, ",");
        snprintf(name, sizeof name, "%.*s", (int)n, c);
        smug_json_string(j, NULL, name);
        c += n + (c[n] == ',');
    }
    smug_json_array_end(j);
    smug_json_null(j, "certificate"); /* a checked LP certificate, once smug writes them */
    smug_json_string(j, "difficulty", e->difficulty);
    smug_json_string(j, "claimed", e->claim);
    smug_json_object_begin(j, "runs");
    for (int r = 0; r < e->n_runs; r++) {
        smug_json_object_begin(j, e->runs[r]->solver);
        smug_json_string(j, "answer", e->runs[r]->answer);
        smug_json_number(j, "seconds", e->runs[r]->seconds);
        smug_json_number(j, "cpu_seconds", e->runs[r]->cpu);
        smug_json_object_end(j);
    }
    smug_json_object_end(j);
    smug_json_string(j, "model", basename_of(b->model_source));
    smug_json_string(j, "model_sha256", b->model_sha256);
    smug_json_string(j, "input", bp->input);
    smug_json_int(j, "target", bp->target);
    smug_json_ints(j, "neurons", bp->neurons, (size_t)bp->k);
    smug_json_number(j, "gamma", b->params.gamma);
    smug_json_int(j, "window", b->params.window);
    smug_json_string(j, "encoding", b->params.encoding == 0 ? "raw" : "assisted");
    smug_json_int(j, "variables", bp->n_vars);
    smug_json_int(j, "constraints", bp->n_rows);
    smug_json_int(j, "bound", e->bound);
    if (bp->optimum >= 0)
        smug_json_int(j, "optimum", bp->optimum);
    else
        smug_json_null(j, "optimum");
    smug_json_object_end(j);
    (void)f;
}

int fam_write_index(const family *f, smug_error *err)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &sb, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_int(&j, "format", 1);
    smug_json_string(&j, "about",
                     "SMT-LIB benchmarks from smug (minimal input masks, the SMUG method): each "
                     "file asks whether a mask of at most `bound` cells keeps the chosen "
                     "neurons active. status: confirmed by the solvers in confirmed_by "
                     "(at least two, within `timeout`), else unknown; claimed: what smug "
                     "emit's own proof said (LP bounds and branching with z3 at the leaves), "
                     "which no solver answer contradicted");
    smug_json_number(&j, "timeout", f->o->timeout);
    smug_json_object_begin(&j, "difficulty");
    smug_json_string(&j, "measure", "CPU seconds of the second confirming answer");
    smug_json_number(&j, "easy_below", SMUG_FAMILY_EASY);
    smug_json_number(&j, "medium_below", SMUG_FAMILY_MEDIUM);
    smug_json_string(&j, "open", "fewer than two solvers answered within the timeout");
    smug_json_object_end(&j);
    const char *names[FAM_MAX_SOLVERS];
    int ns = solver_names(f, names);
    smug_json_object_begin(&j, "solvers"); /* the versions that were measured */
    for (int s = 0; s < ns; s++) {
        smug_json_array_begin(&j, names[s]);
        const char *seen[8];
        int nseen = 0;
        for (int i = 0; i < f->n_order; i++)
            for (int r = 0; r < f->order[i]->n_runs; r++) {
                const fam_run *run = f->order[i]->runs[r];
                int dup = strcmp(run->solver, names[s]) != 0 || nseen == 8;
                for (int k = 0; k < nseen && !dup; k++)
                    dup = strcmp(seen[k], run->version) == 0;
                if (!dup)
                    seen[nseen++] = run->version, smug_json_string(&j, NULL, run->version);
            }
        smug_json_array_end(&j);
    }
    smug_json_object_end(&j);
    smug_json_array_begin(&j, "files");
    for (int i = 0; i < f->n_order; i++)
        index_file(&j, f, f->order[i]);
    smug_json_array_end(&j);
    smug_json_object_end(&j);
    smug_strbuf_adds(&sb, "\n");
    return write_out(f, "index.json", &sb, err);
}

static int cmp_run(const void *a, const void *b)
{
    const fam_run *x = *(const fam_run *const *)a, *y = *(const fam_run *const *)b;
    int c = strcmp(x->sha, y->sha);
    return c ? c : strcmp(x->solver, y->solver);
}

int fam_write_measured(const family *f, smug_error *err)
{
    size_t n = 0;
    for (int i = 0; i < f->n_order; i++)
        n += (size_t)f->order[i]->n_runs;
    const fam_run **v = malloc((n > 0 ? n : 1) * sizeof *v);
    if (!v)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    n = 0;
    for (int i = 0; i < f->n_order; i++)
        for (int r = 0; r < f->order[i]->n_runs; r++)
            v[n++] = f->order[i]->runs[r];
    qsort(v, n, sizeof *v, cmp_run);
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_adds(&sb, "formula_sha256,solver,version,answer,seconds,cpu_seconds\n");
    for (size_t i = 0; i < n; i++)
        smug_strbuf_addf(&sb, "%s,%s,%s,%s,%.3f,%.3f\n", v[i]->sha, v[i]->solver, v[i]->version,
                         v[i]->answer, v[i]->seconds, v[i]->cpu);
    free(v);
    return write_out(f, "measured.csv", &sb, err);
}

/* ---- tables --------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The value at fraction q of sorted v[n] (nearest rank). */
static double rank(const double *v, int n, double q)
{
    int i = (int)(q * n + 0.999999) - 1;
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static const fam_run *run_of(const fam_file *e, const char *solver)
{
    for (int r = 0; r < e->n_runs; r++)
        if (strcmp(e->runs[r]->solver, solver) == 0)
            return e->runs[r];
    return NULL;
}

/* Per solver: how many files it answered right within the timeout, and how fast. */
static void solver_table(const family *f, const char *const *names, int ns, smug_strbuf *out)
{
    double *t = malloc((size_t)(f->n_order > 0 ? f->n_order : 1) * sizeof *t);
    if (!t) {
        out->failed = 1;
        return;
    }
    smug_strbuf_adds(out, "| solver | answered (of files with a status) | sat | unsat | no answer "
                          "| median CPU s | 90th pct | slowest |\n"
                          "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int s = 0; s < ns; s++) {
        int n = 0, sat = 0, unsat = 0, known = 0, none = 0;
        for (int i = 0; i < f->n_order; i++) {
            const fam_file *e = f->order[i];
            const fam_run *r = run_of(e, names[s]);
            int right = r && strcmp(e->status, "unknown") != 0 &&
                        strcmp(r->answer, e->status) == 0 && r->cpu <= f->o->timeout;
            known += strcmp(e->status, "unknown") != 0;
            none += r && !right;
            if (right) {
                t[n++] = r->cpu;
                sat += strcmp(e->status, "sat") == 0;
                unsat += strcmp(e->status, "unsat") == 0;
            }
        }
        qsort(t, (size_t)n, sizeof *t, cmp_double);
        smug_strbuf_addf(out, "| %s | %d of %d | %d | %d | %d |", names[s], n, known, sat, unsat,
                         none);
        if (n)
            smug_strbuf_addf(out, " %.2f | %.2f | %.2f |\n", rank(t, n, 0.5), rank(t, n, 0.9),
                             t[n - 1]);
        else
            smug_strbuf_adds(out, " – | – | – |\n");
    }
    free(t);
}

static const char *const classes[] = {"easy", "medium", "hard", "open"};

/* Files per difficulty class, by encoding and status. */
static void class_table(const family *f, smug_strbuf *out)
{
    smug_strbuf_adds(out, "| difficulty | files | raw | assisted | sat | unsat |\n"
                          "|---|---:|---:|---:|---:|---:|\n");
    int total[5] = {0};
    for (int c = 0; c < 4; c++) {
        int n[5] = {0};
        for (int i = 0; i < f->n_order; i++) {
            const fam_file *e = f->order[i];
            if (strcmp(e->difficulty, classes[c]) != 0)
                continue;
            n[0]++;
            n[e->b->b->params.encoding == 0 ? 1 : 2]++;
            n[3] += strcmp(e->status, "sat") == 0;
            n[4] += strcmp(e->status, "unsat") == 0;
        }
        smug_strbuf_addf(out, "| %s | %d | %d | %d | %d | %d |\n", classes[c], n[0], n[1], n[2],
                         n[3], n[4]);
        for (int k = 0; k < 5; k++)
            total[k] += n[k];
    }
    smug_strbuf_addf(out, "| all | %d | %d | %d | %d | %d |\n", total[0], total[1], total[2],
                     total[3], total[4]);
}

/* Files per bundle (the knobs: model, window, k, gamma, encoding) and class. */
static void bundle_table(const family *f, smug_strbuf *out)
{
    smug_strbuf_adds(out, "| folder | files | easy | medium | hard | open |\n"
                          "|---|---:|---:|---:|---:|---:|\n");
    for (int b = 0; b < f->n_bundles; b++) {
        int n[5] = {0};
        for (int i = 0; i < f->n_order; i++)
            if (f->order[i]->b == &f->bundles[b])
                for (int c = 0; c < 4; c++)
                    if (strcmp(f->order[i]->difficulty, classes[c]) == 0)
                        n[0]++, n[c + 1]++;
        if (n[0])
            smug_strbuf_addf(out, "| `%s` | %d | %d | %d | %d | %d |\n", f->bundles[b].name, n[0],
                             n[1], n[2], n[3], n[4]);
    }
}

void fam_tables(const family *f, smug_strbuf *out)
{
    const char *names[FAM_MAX_SOLVERS];
    int ns = solver_names(f, names);
    smug_strbuf_addf(out,
                     "Measured per solver (an answer counts when it is the confirmed status and "
                     "came within %g s of CPU time; times are CPU seconds):\n\n",
                     f->o->timeout);
    solver_table(f, names, ns, out);
    smug_strbuf_adds(out, "\nDifficulty: the CPU time of the second confirming answer (easy < 1 "
                          "s, medium < 5 s, hard up to the timeout; open: not confirmed).\n\n");
    class_table(f, out);
    smug_strbuf_adds(out, "\n");
    bundle_table(f, out);
}
