/* bundle_sources.c — result files of a bundle, read for what they prove (bundle_sources.h).
 *
 * The rule of this file: believe a source only as far as it proves something checkable,
 * and never let two sources that disagree quietly produce an answer. Every lower bound
 * ends up as a proof (proof.h) that smug_proof_check accepts; the best one is kept and
 * becomes the report's proof.
 */
#include "smug/bundle_sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/branch.h"
#include "smug/fsutil.h"
#include "smug/json.h"
#include "smug/proof_json.h"

/* g->error = "<file>: <msg>", cut to fit. */
static void fail_file(smug_merged *g, const char *file, const char *msg)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_addf(&sb, "%s: %s", file, msg);
    snprintf(g->error, sizeof g->error, "%.*s", (int)(sizeof g->error - 1),
             sb.buf ? sb.buf : "out of memory");
    smug_strbuf_clear(&sb);
}

static void add_source(smug_merged *g, const char *file, const char *reading)
{
    smug_json j;
    smug_json_init(&j, &g->sources, 0);
    j.count[0] = g->sources.len > 0;
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "file", file);
    smug_json_string(&j, "reading", reading);
    smug_json_object_end(&j);
}

static void add_solver(smug_merged *g, const char *solver)
{
    size_t len = strlen(g->solvers), sl = strlen(solver);
    for (const char *c = g->solvers; (c = strstr(c, solver)) != NULL; c++)
        if ((c == g->solvers || c[-1] == '+') && (c[sl] == '\0' || c[sl] == '+'))
            return;
    snprintf(g->solvers + len, sizeof g->solvers - len, "%s%s", len ? "+" : "", solver);
}

static void offer_mask(smug_merged *g, const char *file)
{
    int size = smug_mask_count(g->cand, g->p->n);
    if (size < g->size) {
        memcpy(g->best, g->cand, (size_t)g->p->n);
        g->size = size;
        snprintf(g->size_from, sizeof g->size_from, "%s", file);
    }
}

/* The facts and the certified root bound of the rebuilt problem, as a proof. */
static int root_proof(const smug_merged *g, smug_proof *pr, int *lower, smug_error *err)
{
    memset(pr, 0, sizeof *pr);
    const smug_bounds *b = g->b;
    if (smug_proof_set_facts(pr, g->p->n, b->useless, b->dom_from, b->dom_to, b->n_dom, err) < 0)
        return -1;
    return smug_branch_root_step(g->p, b, 0.0, pr, lower, err); /* no deadline: scoring checks */
}

int smug_merged_init(smug_merged *g, const smug_mask_problem *p, const smug_bounds *b,
                     const smug_score_options *o, smug_error *err)
{
    memset(g, 0, sizeof *g);
    g->p = p, g->b = b, g->o = o;
    size_t n = p->n > 0 ? (size_t)p->n : 1;
    g->best = malloc(n), g->cand = malloc(n);
    if (!g->best || !g->cand)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    memcpy(g->best, b->incumbent, (size_t)p->n);
    g->size = b->upper;
    snprintf(g->size_from, sizeof g->size_from, "manifest");
    snprintf(g->lower_from, sizeof g->lower_from, "certificate (smug's own bound)");
    return root_proof(g, &g->proof, &g->lower, err);
}

void smug_merged_clear(smug_merged *g)
{
    free(g->best), free(g->cand);
    smug_proof_clear(&g->proof);
    smug_strbuf_clear(&g->sources);
    memset(g, 0, sizeof *g);
}

/* ---- proofs: confirmed, checked, offered --------------------------------------------- */

typedef struct confirming {
    smug_merged *g;
    smug_proof *pr;
    const smug_proof_step *st;
    int agreed, undecided;
    smug_error *err;
} confirming;

static int confirm_leaf(void *user, const smug_proof_node *leaf, const int8_t *fix)
{
    confirming *c = user;
    smug_merged *g = c->g;
    const smug_solver *cf = g->o->confirm;
    if (leaf->kind != SMUG_NODE_SOLVER ||
        (leaf->confirmer >= 0 && strcmp(c->pr->names[leaf->confirmer], cf->name) == 0))
        return 0;
    smug_judged j;
    if (smug_solve_leaf(g->p, c->pr, cf, fix, c->st->bound, c->st->lemma, g->o->timeout,
                        g->o->mem_limit_mb, &j, g->cand, c->err) < 0)
        return -1;
    g->solver_calls++;
    if (j.verdict == SMUG_JUDGE_SAT) {
        snprintf(g->error, sizeof g->error,
                 "the solvers disagree: %s answered unsat on a leaf of size <= %d, %s found a "
                 "mask of size %d there that satisfies every row",
                 c->pr->names[leaf->solver], c->st->bound, cf->name,
                 smug_mask_count(g->cand, g->p->n));
        offer_mask(g, "confirming solver");
        return 1;
    }
    if (j.verdict != SMUG_JUDGE_UNSAT) {
        c->undecided++;
        return 0;
    }
    int idx = smug_proof_name(c->pr, cf->name);
    if (idx < 0)
        return smug_fail(c->err, SMUG_ERR_NOMEM, "out of memory");
    c->pr->nodes[leaf - c->pr->nodes].confirmer = idx;
    c->agreed++;
    return 0;
}

/* Re-decides pr's solver leaves with the confirming solver; 0, or -1 (g->error set, or a
 * failure in err). */
static int confirm_proof(smug_merged *g, smug_proof *pr, int *undecided, smug_error *err)
{
    *undecided = 0;
    for (int s = 0; g->o->confirm && s < pr->n_steps; s++) {
        confirming c = {g, pr, &pr->steps[s], 0, 0, err};
        char why[256];
        int rc = smug_proof_walk(pr, s, confirm_leaf, &c, why, sizeof why);
        *undecided += c.undecided;
        if (rc != 0)
            return -1; /* a disagreement (g->error), a failure (err), or a malformed tree,
                          which the check below reports */
    }
    return 0;
}

static int known(void *user, const char *name)
{
    const smug_merged *g = user;
    return (g->o->reg && smug_solvers_find(g->o->reg, name)) ||
           (g->o->confirm && strcmp(g->o->confirm->name, name) == 0);
}

/* Confirms (when asked to and a confirming solver is set), checks and keeps pr when it
 * proves more than the best so far (pr is then moved). Appends what it proves to reading.
 * -1 on failure or disagreement. */
static int offer_proof(smug_merged *g, smug_proof *pr, int confirm, const char *file, char *reading,
                       size_t n, smug_error *err)
{
    int undecided = 0, lower = 0;
    int crc = confirm ? confirm_proof(g, pr, &undecided, err) : 0;
    if (g->error[0] || (crc < 0 && err->code != SMUG_OK))
        return -1; /* a disagreement, or a failure; a malformed tree is the check's to say */
    char why[512] = "";
    int valid = smug_proof_check(g->p, pr, known, g, &lower, why, sizeof why, err);
    if (valid < 0)
        return -1;
    char by[160] = "";
    smug_proof_proved_by(pr, by, sizeof by);
    size_t len = strlen(reading);
    if (valid)
        snprintf(reading + len, n - len, "; proof checked: lower bound %d (%s)", lower, by);
    else
        snprintf(reading + len, n - len, "; proof counts up to lower bound %d: %s", lower, why);
    if (undecided) {
        len = strlen(reading);
        snprintf(reading + len, n - len, "; %s could not decide %d leaf(s)", g->o->confirm->name,
                 undecided);
    }
    if (lower > g->lower) {
        smug_proof_clear(&g->proof);
        g->proof = *pr;
        memset(pr, 0, sizeof *pr);
        g->lower = lower;
        snprintf(g->lower_from, sizeof g->lower_from, "%s", file);
        while (g->proof.n_steps > 0 && smug_proof_lower(&g->proof) > lower)
            smug_proof_drop_step(&g->proof); /* the steps past the valid prefix */
    }
    return 0;
}

/* ---- JSON results of smug solve ----------------------------------------------------- */

/* The cells of a JSON result as a mask over the problem's variables. */
static int cells_to_mask(const smug_jval *cells, const smug_mask_problem *p, uint8_t *mask,
                         char *why, size_t n)
{
    memset(mask, 0, (size_t)p->n);
    for (size_t c = 0; c < smug_jval_len(cells); c++) {
        long cell;
        int found = 0;
        if (smug_jval_int(smug_jval_at(cells, c), &cell) < 0) {
            snprintf(why, n, "cells[%zu] is not an integer", c);
            return -1;
        }
        for (int i = 0; i < p->n && !found; i++)
            if (p->cell[i] == cell)
                mask[i] = 1, found = 1;
        if (!found) {
            snprintf(why, n, "cell %ld is not a variable of this problem", cell);
            return -1;
        }
    }
    return 0;
}

void smug_sources_read_json(smug_merged *g, const smug_bundle_problem *bp, const smug_bundle *b,
                            int results_fd, const char *file, const char *solver)
{
    char where[4200], why[512] = "", reading[1400];
    smug_jval *root = NULL;
    smug_error err = SMUG_ERROR_INIT;
    const smug_mask_problem *p = g->p;
    unsigned char *text = NULL;
    size_t len = 0;
    snprintf(where, sizeof where, "%s/results", b->dir);
    const char *id, *sha, *status, *strategy;
    long size, calls = 0;
    if (smug_fs_read_at(results_fd, where, file, SMUG_SOURCE_MAX, &text, &len, &err) < 0 ||
        smug_jval_parse((const char *)text, len, file, &root, &err) < 0 ||
        smug_jreq_str(root, "id", file, &id, &err) < 0 ||
        smug_jreq_str(root, "rows_sha256", file, &sha, &err) < 0 ||
        smug_jreq_str(root, "status", file, &status, &err) < 0 ||
        smug_jreq_str(root, "strategy", file, &strategy, &err) < 0 ||
        smug_jreq_int(root, "mask_size", file, 0, p->n, &size, &err) < 0) {
        snprintf(g->error, sizeof g->error, "%s", err.msg);
    } else if (strcmp(id, bp->id) != 0 || strcmp(sha, bp->rows_sha256) != 0) {
        snprintf(g->error, sizeof g->error, "%s: a result for another problem (id %s)", file, id);
    } else if (cells_to_mask(smug_jval_get(root, "cells"), p, g->cand, why, sizeof why) < 0 ||
               smug_mask_count(g->cand, p->n) != size) {
        snprintf(g->error, sizeof g->error, "%s: %s", file,
                 why[0] ? why : "mask_size does not match its cells");
    } else if (!smug_mask_problem_satisfied(p, g->cand)) {
        snprintf(g->error, sizeof g->error, "%s: its mask violates a row of the problem", file);
    } else {
        smug_jval_int(smug_jval_get(root, "solver_calls"), &calls);
        g->solver_calls += (int)calls;
        offer_mask(g, file);
        for (int s = SMUG_STRATEGY_OPTIMIZE; s <= SMUG_STRATEGY_BASE; s++)
            if (strcmp(strategy, smug_strategy_name((smug_strategy)s)) == 0)
                g->strategy = (smug_strategy)s;
        add_solver(g, solver);
        snprintf(reading, sizeof reading, "%s, mask %ld", status, size);
        smug_proof pr;
        const smug_jval *jp = smug_jval_get(root, "proof");
        if (!jp || smug_jval_is_null(jp)) {
            snprintf(reading + strlen(reading), sizeof reading - strlen(reading),
                     "; no proof: its lower bound does not count");
        } else if (smug_proof_from_json(jp, file, &pr, &err) < 0) {
            snprintf(g->error, sizeof g->error, "%s", err.msg);
        } else if (offer_proof(g, &pr, 1, file, reading, sizeof reading, &err) < 0 &&
                   !g->error[0]) {
            fail_file(g, file, err.msg);
        }
        if (jp && !smug_jval_is_null(jp))
            smug_proof_clear(&pr);
        if (!g->error[0])
            add_source(g, file, reading);
    }
    smug_jval_free(root);
    free(text);
}

/* ---- raw outputs of solvers run on the problem files --------------------------------- */

/* 1 when path is "problems/<id>.<form>.smt2". */
static int is_file(const char *path, const char *id, const char *form)
{
    char want[600];
    snprintf(want, sizeof want, "problems/%s.%s.smt2", id, form);
    return path && strcmp(path, want) == 0;
}

/* Which problem file a raw output answers: bound, form, and the size ≥ lemma it asserts
 * (smug's own certified bound, as an assisted emit wrote it; raw files and family files
 * have none), or -1. The objective file asks for masks below the incumbent, so its bound
 * is upper − 1; family files are <id>.b<bound>.smt2. */
static int raw_form(const smug_merged *g, const smug_bundle *b, const smug_bundle_problem *bp,
                    const char *form, int *bound, smug_form *fm, int *lemma, const char **rel)
{
    *fm = SMUG_FORM_DECISION, *lemma = b->params.encoding == 1 ? g->b->lower : 0;
    if (!form[0] && bp->decision)
        *bound = bp->bound, *rel = bp->decision;
    else if (strcmp(form, "opt") == 0 && bp->optimize)
        *bound = bp->upper - 1, *fm = SMUG_FORM_OBJECTIVE, *rel = bp->optimize;
    else if (is_file(bp->family_sat, bp->id, form) && bp->optimum >= 0)
        *bound = bp->optimum, *fm = SMUG_FORM_BENCHMARK, *lemma = 0, *rel = bp->family_sat;
    else if (is_file(bp->family_unsat, bp->id, form) && bp->optimum > 0)
        *bound = bp->optimum - 1, *fm = SMUG_FORM_BENCHMARK, *lemma = 0, *rel = bp->family_unsat;
    else if (is_file(bp->family_unknown, bp->id, form))
        *bound = bp->bound, *fm = SMUG_FORM_BENCHMARK, *lemma = 0, *rel = bp->family_unknown;
    else
        return -1;
    return 0;
}

/* 1 when BUNDLE/<rel> is, after its header lines, exactly the text smug writes for this
 * problem (bound, form, lemma): then an answer to the file is an answer to that. rel comes
 * from the manifest: only problems/<name> is read, through the bundle's descriptor without
 * following a link (fsutil.h); anything else is not a problem smug wrote (0). */
static int same_problem(const smug_merged *g, const smug_bundle *b, const char *rel, int lemma,
                        int bound, smug_form form, smug_error *err)
{
    char where[4200];
    unsigned char *text = NULL;
    size_t len;
    const char *name = rel + strlen("problems/");
    if (strncmp(rel, "problems/", strlen("problems/")) != 0 || !name[0] || strchr(name, '/'))
        return 0;
    int fd;
    snprintf(where, sizeof where, "%s/problems", b->dir);
    if (smug_fs_subdir(b->dirfd, b->dir, "problems", 0, &fd, err) < 0)
        return -1;
    if (fd < 0)
        return 0; /* no problems/ folder: nothing to compare with */
    int rrc = smug_fs_read_at(fd, where, name, SMUG_SOURCE_MAX, &text, &len, err);
    close(fd);
    if (rrc < 0)
        return -1;
    smug_strbuf want = SMUG_STRBUF_INIT;
    int rc = smug_bundle_problem_text(g->p, g->b, lemma, bound, form, b->params.encoding == 1,
                                      &want, err);
    const char *body = strstr((const char *)text, "\n(declare-const ");
    int same = rc == 0 && body &&
               (size_t)(text + len - (const unsigned char *)body - 1) == want.len &&
               memcmp(body + 1, want.buf, want.len) == 0;
    smug_strbuf_clear(&want);
    free(text);
    return rc < 0 ? -1 : same;
}

/* A proof for a raw claim: smug's root step, then no mask of size ≤ bound given lemma:
 * a branch on each cell the file fixes to 0 (its m = 1 side the root certificate's leaf)
 * down to one leaf, the solver's. */
static int claim_proof(const smug_merged *g, int bound, int lemma, int optimize, const char *solver,
                       smug_proof *pr, smug_error *err)
{
    int root_lower = 0;
    if (root_proof(g, pr, &root_lower, err) < 0)
        return -1;
    const smug_mask_problem *p = g->p;
    uint8_t *zero = calloc(p->n > 0 ? (size_t)p->n : 1, 1);
    int *yr = malloc((size_t)(p->k + 1) * sizeof *yr);
    double *y = malloc((size_t)(p->k + 1) * sizeof *y), *z = malloc((size_t)(g->b->n_dom + 1) * 8);
    int *zf = malloc((size_t)(g->b->n_dom + 1) * sizeof *zf);
    int *zt = malloc((size_t)(g->b->n_dom + 1) * sizeof *zt);
    int rc = zero && yr && y && z && zf && zt ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "oom");
    if (rc == 0 && !optimize)
        rc = smug_bounds_fixings(p, g->b, bound, zero, err);
    smug_cert c;
    int cert = -1;
    if (rc == 0) {
        smug_bounds_root_cert(p, g->b, yr, y, zf, zt, z, &c);
        cert = smug_proof_add_cert(pr, &c);
    }
    smug_proof_node node = {SMUG_NODE_SOLVER, -1, -1, smug_proof_name(pr, solver), -1};
    if (rc == 0 && (cert < 0 || node.solver < 0 || smug_proof_begin_step(pr, bound, lemma) < 0))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == 0 && i < p->n; i++) {
        if (!zero[i] || g->b->useless[i])
            continue;
        smug_proof_node br = {SMUG_NODE_BRANCH, i, -1, -1, -1};
        smug_proof_node leaf = {SMUG_NODE_CERT, -1, cert, -1, -1};
        if (smug_proof_add_node(pr, &br) < 0 || smug_proof_add_node(pr, &leaf) < 0)
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && smug_proof_add_node(pr, &node) < 0)
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    free(zero), free(yr), free(y), free(z), free(zf), free(zt);
    return rc;
}

/* A raw claim "no mask of size ≤ claim − 1" (given lemma) of solver: with a confirming
 * solver, re-derived by the branch and bound with it at the leaves (a mask it finds is a
 * disagreement); otherwise, or when that does not finish, as the solver's own leaf, which
 * counts only for a solver smug knows. */
static int raw_claim(smug_merged *g, const char *file, const char *solver, int claim, int lemma,
                     int optimize, char *reading, size_t n, smug_error *err)
{
    smug_proof pr;
    int root_lower = 0, rc = 0;
    const smug_solver *c = g->o->confirm;
    if (c) {
        smug_branch_outcome out;
        char note[512] = "";
        rc = root_proof(g, &pr, &root_lower, err);
        if (rc == 0)
            rc = smug_solve_bound(g->p, g->b, c, g->o->timeout, g->o->mem_limit_mb, claim - 1,
                                  root_lower, &pr, &out, g->cand, note, sizeof note, err);
        if (rc == 0 && out == SMUG_BRANCH_SAT) {
            snprintf(g->error, sizeof g->error,
                     "the solvers disagree: %s (%s) answered unsat for size <= %d, %s found a "
                     "mask of size %d that satisfies every row",
                     solver, file, claim - 1, c->name, smug_mask_count(g->cand, g->p->n));
            rc = -1;
        } else if (rc == 0 && out == SMUG_BRANCH_UNSAT) {
            size_t l = strlen(reading);
            snprintf(reading + l, n - l, "; re-derived with %s at the leaves", c->name);
            rc = offer_proof(g, &pr, 0, file, reading, n, err);
            smug_proof_clear(&pr);
            return rc;
        } else if (rc == 0) {
            size_t l = strlen(reading);
            snprintf(reading + l, n - l, "; %s could not re-derive it: %s", c->name, note);
        }
        smug_proof_clear(&pr);
        if (rc < 0)
            return -1;
    }
    rc = claim_proof(g, claim - 1, lemma, optimize, solver, &pr, err);
    if (rc == 0)
        rc = offer_proof(g, &pr, 0, file, reading, n, err);
    smug_proof_clear(&pr);
    return rc;
}

void smug_sources_read_raw(smug_merged *g, const smug_bundle_problem *bp, const smug_bundle *b,
                           int results_fd, const char *file, const char *form, const char *solver)
{
    char where[4200], reading[1400];
    int bound, lemma;
    smug_form fm;
    const char *rel;
    unsigned char *text = NULL;
    size_t len;
    smug_error err = SMUG_ERROR_INIT;
    snprintf(where, sizeof where, "%s/results", b->dir);
    if (raw_form(g, b, bp, form, &bound, &fm, &lemma, &rel) < 0) {
        snprintf(g->error, sizeof g->error, "%s: the bundle has no problem file '%s%s%s.smt2'",
                 file, bp->id, form[0] ? "." : "", form);
        return;
    }
    if (smug_fs_read_at(results_fd, where, file, SMUG_SOURCE_MAX, &text, &len, &err) < 0) {
        snprintf(g->error, sizeof g->error, "%s", err.msg);
        return;
    }
    int optimize = fm == SMUG_FORM_OBJECTIVE;
    smug_reading r;
    smug_solve_read(g->p, file, (const char *)text, len, bound, optimize, g->cand, &r);
    free(text);
    add_solver(g, solver);
    g->solver_calls++;
    if (optimize && g->strategy == SMUG_STRATEGY_AUTO)
        g->strategy = SMUG_STRATEGY_OPTIMIZE;
    switch (r.kind) {
    case SMUG_READ_MASK:
    case SMUG_READ_OPTIMUM:
        offer_mask(g, file);
        snprintf(reading, sizeof reading, "%s: mask %d",
                 r.kind == SMUG_READ_OPTIMUM ? "optimum" : "sat", r.size);
        break;
    case SMUG_READ_UNSAT:
        snprintf(reading, sizeof reading, "unsat: no mask of size <= %d", bound);
        break;
    case SMUG_READ_NOTHING: snprintf(reading, sizeof reading, "no answer: %s", r.note); break;
    }
    /* z3's objective interval counts only when it says more than the file assumed */
    int claim = r.kind == SMUG_READ_UNSAT ? bound + 1 : r.lower;
    if (claim > lemma && claim > 0) {
        int same = same_problem(g, b, rel, lemma, bound, fm, &err);
        size_t l = strlen(reading);
        if (same < 0)
            snprintf(g->error, sizeof g->error, "%s", err.msg);
        else if (!same)
            snprintf(reading + l, sizeof reading - l,
                     "; does not count: %s is not the problem smug writes for this bundle "
                     "(edited, or from another smug)",
                     rel);
        else if (optimize && b->params.encoding == 1) /* see raw_form */
            snprintf(reading + l, sizeof reading - l,
                     "; does not count: the guarded fixings of the assisted objective form "
                     "are not steps of smug's proofs");
        else if (raw_claim(g, file, solver, claim, lemma, optimize, reading, sizeof reading, &err) <
                     0 &&
                 !g->error[0])
            fail_file(g, file, err.msg);
    }
    if (!g->error[0])
        add_source(g, file, reading);
}
