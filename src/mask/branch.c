/* branch.c — branch and bound below one bound, leaves closed by certificates or by the
 * "decide this leaf" callback (branch.h, design §2 "Proofs").
 *
 * The tree is kept explicitly (an arena of nodes with parent and child links, and a stack
 * of open ones) so that, when every leaf is closed, it can be written into the proof as it
 * is: the proof is the search tree, not a summary of it. Certificates found along the way
 * go to a scratch pool and are copied into the proof only when the bound is proved. This
 * file does not talk to solvers and does not choose bounds (smt/strategy.c does both).
 */
#include "smug/branch.h"

#include "smug/cover.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smug/interrupt.h"
#include "smug/lp.h"

enum { OPEN, BRANCH, CERT, SOLVER, COVER };

typedef struct tnode {
    int parent, value; /* value: the parent's branch variable on this side */
    int var;           /* BRANCH: the split cell */
    int child[2];
    int state;
    int cert, solver, confirmer; /* indices into the scratch proof */
    int budget;                  /* LP levels still to branch before the callback */
    int final;                   /* the LP cannot refine it: the callback decides, all time */
} tnode;

struct smug_brancher {
    const smug_mask_problem *p;
    const smug_bounds *b;
    smug_branch_options o;
    smug_lp *lp;          /* NULL without variables or with o.lp = 0 */
    smug_cover_lp *cover; /* NULL unless o.cover (and lp) */
    smug_certifier *cert;
    smug_proof scratch; /* certificates and names of the current tree */
    smug_branch_stats st;
    tnode *tree;
    int n_tree, cap_tree;
    int *open;
    int n_open, cap_open;
    int8_t *fix, *root; /* [n] */
    uint8_t *m;         /* [n] */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int smug_brancher_new(const smug_mask_problem *p, const smug_bounds *b,
                      const smug_branch_options *o, smug_brancher **out, smug_error *err)
{
    smug_brancher *br = calloc(1, sizeof *br);
    size_t n = p->n > 0 ? (size_t)p->n : 1;
    if (!br)
        return smug_fail(err, SMUG_ERR_NOMEM, "branch: out of memory");
    br->p = p, br->b = b, br->o = *o;
    br->fix = malloc(n), br->root = malloc(n), br->m = malloc(n);
    int rc = br->fix && br->root && br->m ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == 0 && i < p->n; i++)
        br->root[i] = b->useless[i] ? 0 : -1;
    if (rc == 0)
        rc = smug_certifier_new(p, &br->cert, err);
    if (rc == 0 && p->n > 0 && o->lp) {
        smug_lp_facts f = {b->dom_from, b->dom_to, b->n_dom};
        rc = smug_lp_new(p, &f, &br->lp, err);
        if (rc == 0)
            smug_lp_deadline(br->lp, o->deadline);
        if (rc == 0 && o->lp_skew != 0.0)
            smug_lp_skew(br->lp, o->lp_skew);
        if (rc == 0 && o->cover && !o->trust_lp)
            rc = smug_cover_lp_new(p, o->deadline, &br->cover, err);
        if (rc == 0 && br->cover && !(smug_cover_lp_root(br->cover) > b->lp + 1e-6)) {
            smug_cover_lp_free(br->cover); /* the cuts see no more than the rows (γ near 1) */
            br->cover = NULL;
        }
    }
    if (rc < 0) {
        smug_brancher_free(br);
        return -1;
    }
    *out = br;
    return 0;
}

void smug_brancher_free(smug_brancher *br)
{
    if (!br)
        return;
    smug_lp_free(br->lp);
    smug_cover_lp_free(br->cover);
    smug_certifier_free(br->cert);
    smug_proof_clear(&br->scratch);
    free(br->tree), free(br->open), free(br->fix), free(br->root), free(br->m);
    free(br);
}

void smug_brancher_deadline(smug_brancher *br, double deadline)
{
    br->o.deadline = deadline;
    if (br->lp)
        smug_lp_deadline(br->lp, deadline);
}

static int past(const smug_brancher *br)
{
    return br->o.deadline > 0.0 && now() >= br->o.deadline;
}

const smug_branch_stats *smug_brancher_stats(const smug_brancher *br)
{
    return &br->st;
}

static int new_node(smug_brancher *br, int parent, int value, int budget)
{
    if (br->n_tree == br->cap_tree) {
        int cap = br->cap_tree ? 2 * br->cap_tree : 256;
        tnode *g = realloc(br->tree, (size_t)cap * sizeof *g);
        if (!g)
            return -1;
        br->tree = g, br->cap_tree = cap;
    }
    br->tree[br->n_tree] = (tnode){parent, value, -1, {-1, -1}, OPEN, -1, -1, -1, budget, 0};
    return br->n_tree++;
}

static int push(smug_brancher *br, int id)
{
    if (br->n_open == br->cap_open) {
        int cap = br->cap_open ? 2 * br->cap_open : 256;
        int *g = realloc(br->open, (size_t)cap * sizeof *g);
        if (!g)
            return -1;
        br->open = g, br->cap_open = cap;
    }
    br->open[br->n_open++] = id;
    return 0;
}

/* br->fix for node id: the root's facts plus every branch above it. */
static void node_fix(smug_brancher *br, int id)
{
    memcpy(br->fix, br->root, (size_t)br->p->n);
    for (int c = id; br->tree[c].parent >= 0; c = br->tree[c].parent)
        br->fix[br->tree[br->tree[c].parent].var] = (int8_t)br->tree[c].value;
}

/* Splits id on var; the children inherit budget − 1. */
static int split(smug_brancher *br, int id, int var)
{
    int budget = br->tree[id].budget > 0 ? br->tree[id].budget - 1 : 0;
    int c1 = new_node(br, id, 1, budget), c0 = c1 < 0 ? -1 : new_node(br, id, 0, budget);
    if (c0 < 0)
        return -1;
    tnode *t = &br->tree[id];
    t->state = BRANCH, t->var = var, t->child[1] = c1, t->child[0] = c0;
    return push(br, c0) < 0 || push(br, c1) < 0 ? -1 : 0; /* m = 1 is popped first */
}

/* Tries the LP's certificate candidates for br->fix: the pool index of one that checks,
 * -2 when none does, -1 on failure. */
static int certify(smug_brancher *br, int bound, int lp_optimal, smug_error *err)
{
    for (int elastic = lp_optimal ? 0 : 1; elastic <= 1; elastic++) {
        smug_cert c;
        int found = smug_lp_certificate(br->lp, br->fix, bound, elastic, &c, err);
        if (found < 0)
            return -1;
        if (found == 0)
            continue;
        char why[256];
        double t0 = now();
        int ok = smug_certify_leaf(br->cert, br->fix, bound, &c, why, sizeof why);
        br->st.certify_seconds += now() - t0;
        if (ok) {
            int idx = smug_proof_add_cert(&br->scratch, &c);
            return idx >= 0 ? idx : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        }
    }
    return -2;
}

/* Node id's LP with br->fix: 1 when it is closed (CERT), 0 when open with *branch set to
 * its split cell (-1: the point is integral, or GLPK found none), -1 on failure. An
 * integral point that satisfies every row exactly is a mask: *sat = 1 and br->m holds it. */
static int lp_node(smug_brancher *br, int id, int bound, int *branch, int *sat, smug_error *err)
{
    double v;
    *branch = -1, *sat = 0;
    smug_error lerr = SMUG_ERROR_INIT;
    double t_lp = now();
    int solved = smug_lp_solve(br->lp, br->fix, &v, &lerr);
    br->st.lp_seconds += now() - t_lp;
    if (solved < 0) {
        if (lerr.code == SMUG_ERR_NOMEM) {
            *err = lerr;
            return -1;
        }
        br->st.lp_failures++; /* GLPK's trouble: the node goes to the callback, no proof lost */
        return 0;
    }
    if (isnan(v))
        return 0; /* GLPK stopped at the deadline: the search loop stops next */
    br->st.nodes++;
    double tol = 1e-6 * (bound > 1 ? (double)bound : 1.0);
    if (br->o.trust_lp && v > (double)bound + 1e-6) {
        br->tree[id].state = CERT, br->tree[id].cert = -1; /* no certificate: not a proof */
        return 1;
    }
    /* ≥ bound, not only >: the strict rows let a certificate close an LP tie (certify.h) */
    if (!br->o.trust_lp && v > (double)bound - tol) {
        int c = certify(br, bound, isfinite(v), err);
        if (c == -1)
            return -1;
        if (c >= 0) {
            br->tree[id].state = CERT, br->tree[id].cert = c;
            br->st.certified++;
            return 1;
        }
        br->st.cert_failures += v > (double)bound + 1e-6;
    }
    int cover_branch = -1;
    if (br->cover) { /* the hook of cover.h: its cuts see what the rows' LP does not */
        smug_cover_cert cc;
        double t0 = now();
        double left = br->o.deadline > 0.0 ? br->o.deadline - t0 : 10.0;
        int r = smug_cover_lp_close(br->cover, br->fix, bound, left < 10.0 ? left : 10.0, v, &cc,
                                    &cover_branch, err);
        br->st.certify_seconds += now() - t0;
        br->st.cover_seconds += now() - t0;
        if (r < 0)
            return -1;
        if (r == 1) {
            int idx = smug_proof_add_cover(&br->scratch, &cc);
            if (idx < 0)
                return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
            br->tree[id].state = COVER, br->tree[id].cert = idx;
            br->st.certified++, br->st.covered++;
            return 1;
        }
    }
    if (!isfinite(v))
        return 0; /* no LP point to branch on: the callback decides */
    *branch = smug_lp_branch(br->lp, br->fix);
    if (*branch >= 0 && cover_branch >= 0)
        *branch = cover_branch;
    if (*branch < 0) {
        smug_lp_round(br->lp, br->m);
        *sat =
            smug_mask_count(br->m, br->p->n) <= bound && smug_mask_problem_satisfied(br->p, br->m);
    }
    return 0;
}

/* Root probing (branch.h): extends the chain below *cur; 1 when *cur itself is closed. */
static int probe(smug_brancher *br, int bound, int *cur, smug_error *err)
{
    int branch, sat;
    node_fix(br, *cur);
    int rc = lp_node(br, *cur, bound, &branch, &sat, err);
    for (int round = 0, changed = 1; rc == 0 && changed && round < 8; round++) {
        changed = 0;
        for (int i = 0; rc == 0 && i < br->p->n; i++) {
            if (br->fix[i] >= 0)
                continue;
            if (past(br) || smug_interrupted())
                return 0; /* the search loop says why it stops */
            for (int v = 1; v >= 0 && rc == 0; v--) {
                int c = new_node(br, *cur, v, 0), other = c < 0 ? -1 : new_node(br, *cur, 1 - v, 0);
                if (other < 0)
                    return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
                br->fix[i] = (int8_t)v;
                rc = lp_node(br, c, bound, &branch, &sat, err);
                if (rc == 1) { /* m_i = v holds no mask: the rest lies below m_i = 1 − v */
                    tnode *t = &br->tree[*cur];
                    t->state = BRANCH, t->var = i, t->child[v] = c, t->child[1 - v] = other;
                    br->fix[i] = (int8_t)(1 - v);
                    *cur = other, changed = 1, rc = 0;
                    break;
                }
                br->n_tree -= 2; /* neither node is used */
                br->fix[i] = -1;
            }
        }
        if (rc == 0 && changed)
            rc = lp_node(br, *cur, bound, &branch, &sat, err);
    }
    return rc;
}

/* Hands node id (br->fix) to the callback. 1 done (closed, or re-queued), 2 SAT, 3 STOP. */
static int ask(smug_brancher *br, int id, int bound, int lemma, double seconds, smug_leaf_fn fn,
               void *user, char *note, size_t n_note, smug_error *err)
{
    smug_leaf_verdict v = {SMUG_LEAF_STOP, NULL, NULL};
    if (past(br)) { /* a solver that answers fast is still not called after the deadline */
        snprintf(note, n_note, "time limit reached before the bound %d was decided", bound);
        return 3;
    }
    if (fn(user, br->fix, bound, lemma, seconds, &v, br->m, err) < 0)
        return -1;
    tnode *t = &br->tree[id];
    switch (v.answer) {
    case SMUG_LEAF_UNSAT:
        t->state = SOLVER;
        t->solver = smug_proof_name(&br->scratch, v.solver ? v.solver : "?");
        t->confirmer = v.confirmer ? smug_proof_name(&br->scratch, v.confirmer) : -1;
        if (t->solver < 0 || (v.confirmer && t->confirmer < 0))
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        br->st.solver_leaves++;
        return 1;
    case SMUG_LEAF_SAT:
        if (smug_mask_count(br->m, br->p->n) <= bound && smug_mask_problem_satisfied(br->p, br->m))
            return 2;
        snprintf(note, n_note, "a leaf's mask breaks a row or the bound %d", bound);
        return 3;
    case SMUG_LEAF_UNKNOWN:
        if (seconds > 0.0 && (br->o.deadline <= 0.0 || now() < br->o.deadline) && br->lp) {
            t->budget = br->o.resplit_depth > 0 ? br->o.resplit_depth : 1;
            return push(br, id) < 0 ? smug_fail(err, SMUG_ERR_NOMEM, "out of memory") : 1;
        }
        return 3;
    case SMUG_LEAF_STOP: return 3;
    }
    return 3;
}

/* A problem without variables: only the empty mask, decided exactly. */
static int no_variables(smug_brancher *br, int bound, smug_branch_outcome *out)
{
    for (int j = 0; j < br->p->k; j++) {
        if (smug_certify_row_sign(br->p, j, br->m) > 0)
            continue;
        double one = 1.0;
        smug_cert c = {1, &j, &one, 0, NULL, NULL, NULL, 0.0};
        char why[128];
        int idx = smug_certify_leaf(br->cert, br->fix, bound, &c, why, sizeof why)
                      ? smug_proof_add_cert(&br->scratch, &c)
                      : -1;
        if (idx < 0)
            return -1;
        br->tree[0].state = CERT, br->tree[0].cert = idx;
        *out = SMUG_BRANCH_UNSAT;
        return 0;
    }
    *out = SMUG_BRANCH_SAT;
    return 0;
}

/* Writes the finished tree as a proof step: preorder, certificates and names copied. */
static int emit_step(smug_brancher *br, int bound, int lemma, smug_proof *proof, smug_error *err)
{
    int *stack = malloc((size_t)br->n_tree * sizeof *stack), n = 0, rc = 0;
    if (!stack || smug_proof_begin_step(proof, bound, lemma) < 0) {
        free(stack);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    stack[n++] = 0;
    while (rc == 0 && n > 0) {
        const tnode *t = &br->tree[stack[--n]];
        smug_proof_node node = {SMUG_NODE_BRANCH, t->var, -1, -1, -1};
        if (t->state == BRANCH) {
            stack[n++] = t->child[0];
            stack[n++] = t->child[1];
        } else if (t->state == COVER) {
            smug_cover_cert c;
            smug_proof_cover(&br->scratch, t->cert, &c);
            node.kind = SMUG_NODE_COVER;
            node.cert = smug_proof_add_cover(proof, &c);
            rc = node.cert < 0 ? -1 : 0;
        } else if (t->state == CERT) {
            node.kind = SMUG_NODE_CERT;
            if (t->cert >= 0) {
                smug_cert c;
                smug_proof_cert(&br->scratch, t->cert, &c);
                node.cert = smug_proof_add_cert(proof, &c);
                rc = node.cert < 0 ? -1 : 0;
            }
        } else {
            node.kind = SMUG_NODE_SOLVER;
            node.solver = smug_proof_name(proof, br->scratch.names[t->solver]);
            node.confirmer =
                t->confirmer >= 0 ? smug_proof_name(proof, br->scratch.names[t->confirmer]) : -1;
            rc = node.solver < 0 || (t->confirmer >= 0 && node.confirmer < 0) ? -1 : 0;
        }
        if (rc == 0)
            rc = smug_proof_add_node(proof, &node);
    }
    free(stack);
    if (rc < 0) {
        smug_proof_drop_step(proof);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    return 0;
}

static void reset(smug_brancher *br)
{
    br->n_tree = br->n_open = 0;
    smug_proof_clear(&br->scratch);
}

/* The search proper; 1 UNSAT, 2 SAT, 3 STOP, -1 failure. */
static int search(smug_brancher *br, int bound, int lemma, smug_leaf_fn fn, void *user, char *note,
                  size_t n_note, smug_error *err)
{
    int cur = 0, rc = 0, branch, sat;
    if (br->o.probe) {
        double t_probe = now();
        int before = br->st.nodes;
        rc = probe(br, bound, &cur, err);
        br->st.probe_seconds += now() - t_probe;
        br->st.probed += br->st.nodes - before;
        if (rc != 0)
            return rc; /* 1: the root chain is closed */
    }
    br->tree[cur].budget = br->o.split_depth;
    if (push(br, cur) < 0)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    double t0 = now(), dl = br->o.deadline;
    double lp_until = dl > 0.0 ? t0 + br->o.lp_share * (dl - t0) : INFINITY;
    while (br->n_open > 0) {
        if (dl > 0.0 && now() >= dl) {
            snprintf(note, n_note, "time limit reached before the bound %d was decided", bound);
            return 3;
        }
        if (smug_interrupted()) { /* Ctrl-C: end as at the deadline (interrupt.h) */
            snprintf(note, n_note, "smug was interrupted (signal %d)", smug_interrupted());
            return 3;
        }
        int id = br->open[--br->n_open];
        node_fix(br, id);
        if (br->tree[id].final) {
            rc = ask(br, id, bound, lemma, 0.0, fn, user, note, n_note, err);
        } else {
            rc = lp_node(br, id, bound, &branch, &sat, err);
            if (rc < 0)
                return -1;
            if (rc == 1)
                continue; /* closed by a certificate */
            if (sat)
                return 2;
            if (branch < 0) {
                br->tree[id].final = 1;
                rc = push(br, id) < 0 ? -1 : 1;
            } else if (now() < lp_until || br->tree[id].budget > 0) {
                rc = split(br, id, branch) < 0 ? -1 : 1;
            } else {
                rc = ask(br, id, bound, lemma, br->o.leaf_seconds, fn, user, note, n_note, err);
            }
            if (rc == -1 && err->code == SMUG_OK)
                smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        }
        if (rc < 0 || rc == 2 || rc == 3)
            return rc;
    }
    return 1;
}

int smug_brancher_decide(smug_brancher *br, int bound, int lemma, smug_leaf_fn fn, void *user,
                         smug_branch_outcome *out, uint8_t *out_mask, smug_proof *proof, char *note,
                         size_t n_note, smug_error *err)
{
    note[0] = '\0';
    *out = SMUG_BRANCH_STOP;
    reset(br);
    if (bound < 0)
        return smug_fail(err, SMUG_ERR_INTERNAL, "branch: bound %d < 0", bound);
    if (new_node(br, -1, 0, 0) < 0)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    memcpy(br->fix, br->root, (size_t)br->p->n);
    int rc;
    if (br->p->n == 0) {
        memset(br->m, 0, 1);
        rc = no_variables(br, bound, out) < 0 ? smug_fail(err, SMUG_ERR_NOMEM, "out of memory") : 0;
        rc = rc < 0 ? -1 : *out == SMUG_BRANCH_UNSAT ? 1 : 2;
    } else if (!br->lp) {
        br->tree[0].final = 1;
        rc = ask(br, 0, bound, lemma, 0.0, fn, user, note, n_note, err);
        rc = rc == 1 && br->tree[0].state == SOLVER ? 1 : rc == 1 ? 3 : rc;
    } else {
        rc = search(br, bound, lemma, fn, user, note, n_note, err);
    }
    if (rc < 0)
        return -1;
    if (rc == 2) {
        memcpy(out_mask, br->m, (size_t)(br->p->n > 0 ? br->p->n : 0));
        *out = SMUG_BRANCH_SAT;
        return 0;
    }
    if (rc == 3)
        return 0;
    *out = SMUG_BRANCH_UNSAT;
    return emit_step(br, bound, lemma, proof, err);
}

int smug_branch_root_step_lp(const smug_mask_problem *p, const smug_bounds *b, smug_proof *proof,
                             int *out_lower, smug_error *err)
{
    *out_lower = 0;
    if (b->lower <= 0 || p->n == 0)
        return 0;
    smug_cert c;
    smug_certifier *ck = NULL;
    int *yr = malloc((size_t)(p->k + 1) * sizeof *yr);
    int *zf = malloc((size_t)(b->n_dom + 1) * sizeof *zf);
    int *zt = malloc((size_t)(b->n_dom + 1) * sizeof *zt);
    double *y = malloc((size_t)(p->k + 1) * sizeof *y);
    double *z = malloc((size_t)(b->n_dom + 1) * sizeof *z);
    int8_t *fix = malloc((size_t)p->n);
    int rc = yr && zf && zt && y && z && fix ? smug_certifier_new(p, &ck, err)
                                             : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == 0 && i < p->n; i++)
        fix[i] = b->useless[i] ? 0 : -1;
    if (rc == 0)
        smug_bounds_root_cert(p, b, yr, y, zf, zt, z, &c);
    /* b->lower is checked again, not believed: a caller may have set it */
    char why[256];
    int bound = b->lower - 1;
    while (rc == 0 && bound >= 0 && !smug_certify_leaf(ck, fix, bound, &c, why, sizeof why))
        bound--;
    if (rc == 0 && bound >= 0) {
        smug_proof_node node = {SMUG_NODE_CERT, -1, smug_proof_add_cert(proof, &c), -1, -1};
        rc = node.cert < 0 || smug_proof_begin_step(proof, bound, 0) < 0 ||
                     smug_proof_add_node(proof, &node) < 0
                 ? smug_fail(err, SMUG_ERR_NOMEM, "out of memory")
                 : 0;
        *out_lower = bound + 1;
    }
    smug_certifier_free(ck);
    free(yr), free(zf), free(zt), free(y), free(z), free(fix);
    return rc;
}

int smug_branch_root_step(const smug_mask_problem *p, const smug_bounds *b, double deadline,
                          smug_proof *proof, int *out_lower, smug_error *err)
{
    /* then the cover bound (cover.h), a step of its own when it proves more (γ 0) */
    if (smug_branch_root_step_lp(p, b, proof, out_lower, err) < 0)
        return -1;
    return p->n > 0 ? smug_cover_root_step(p, deadline, proof, out_lower, err) : 0;
}
