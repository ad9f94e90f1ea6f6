/* proof.c — the proof of a lower bound as plain arrays, its walk and its check (proof.h).
 *
 * branch.c appends to a proof, smt/ writes it as replayable SMT-LIB, run/ as JSON, and
 * bundle scoring reads one back and hands it to smug_proof_check, which believes nothing it
 * was told: facts and certificates are recomputed exactly, and the tree shape itself is
 * what says the leaves cover every mask.
 */
#include "smug/proof.h"

#include "smug/component.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grows *v (elements of size sz) to hold need; 0 ok, -1 out of memory. */
static int grow(void **v, int *cap, int need, size_t sz)
{
    if (need <= *cap)
        return 0;
    int c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *g = realloc(*v, (size_t)c * sz);
    if (!g)
        return -1;
    *v = g, *cap = c;
    return 0;
}

void smug_proof_clear(smug_proof *pr)
{
    free(pr->steps), free(pr->nodes);
    free(pr->cy), free(pr->cz), free(pr->mu);
    free(pr->y_row), free(pr->y), free(pr->z_from), free(pr->z_to), free(pr->z);
    for (int i = 0; i < pr->n_names; i++)
        free(pr->names[i]);
    free(pr->names);
    free(pr->zero), free(pr->dom_from), free(pr->dom_to);
    free(pr->vo), free(pr->vcut), free(pr->vy);
    for (int c = 0; pr->part && c < pr->n_parts; c++)
        smug_proof_clear(&pr->part[c]);
    free(pr->part_start), free(pr->part_cells), free(pr->part);
    memset(pr, 0, sizeof *pr);
}

int smug_proof_set_parts(smug_proof *pr, int n_parts, const int *start, const int *cells,
                         smug_error *err)
{
    for (int c = 0; pr->part && c < pr->n_parts; c++)
        smug_proof_clear(&pr->part[c]);
    free(pr->part_start), free(pr->part_cells), free(pr->part);
    pr->n_parts = 0, pr->part = NULL, pr->part_start = NULL, pr->part_cells = NULL;
    int total = n_parts > 0 ? start[n_parts] : 0;
    pr->part_start = malloc((size_t)(n_parts + 1) * sizeof *pr->part_start);
    pr->part_cells = malloc((size_t)(total > 0 ? total : 1) * sizeof *pr->part_cells);
    pr->part = calloc((size_t)(n_parts > 0 ? n_parts : 1), sizeof *pr->part);
    if (!pr->part_start || !pr->part_cells || !pr->part) {
        free(pr->part_start), free(pr->part_cells), free(pr->part);
        pr->part = NULL, pr->part_start = NULL, pr->part_cells = NULL;
        return smug_fail(err, SMUG_ERR_NOMEM, "proof: out of memory");
    }
    memcpy(pr->part_start, start, (size_t)(n_parts + 1) * sizeof *start);
    if (total > 0)
        memcpy(pr->part_cells, cells, (size_t)total * sizeof *cells);
    pr->n_parts = n_parts;
    return 0;
}

int smug_proof_empty(const smug_proof *pr)
{
    return pr->n_steps == 0 && pr->n_parts == 0;
}

int smug_proof_set_facts(smug_proof *pr, int n, const uint8_t *zero, const int *dom_from,
                         const int *dom_to, int n_dom, smug_error *err)
{
    free(pr->zero), free(pr->dom_from), free(pr->dom_to);
    pr->n = n, pr->n_dom = n_dom;
    pr->zero = calloc(n > 0 ? (size_t)n : 1, 1);
    pr->dom_from = malloc((n_dom > 0 ? (size_t)n_dom : 1) * sizeof(int));
    pr->dom_to = malloc((n_dom > 0 ? (size_t)n_dom : 1) * sizeof(int));
    if (!pr->zero || !pr->dom_from || !pr->dom_to)
        return smug_fail(err, SMUG_ERR_NOMEM, "proof: out of memory");
    if (zero && n > 0)
        memcpy(pr->zero, zero, (size_t)n);
    if (n_dom > 0) {
        memcpy(pr->dom_from, dom_from, (size_t)n_dom * sizeof(int));
        memcpy(pr->dom_to, dom_to, (size_t)n_dom * sizeof(int));
    }
    return 0;
}

int smug_proof_name(smug_proof *pr, const char *name)
{
    for (int i = 0; i < pr->n_names; i++)
        if (strcmp(pr->names[i], name) == 0)
            return i;
    char **g = realloc(pr->names, (size_t)(pr->n_names + 1) * sizeof *g);
    if (!g)
        return -1;
    pr->names = g;
    if (!(g[pr->n_names] = strdup(name)))
        return -1;
    return pr->n_names++;
}

int smug_proof_add_cert(smug_proof *pr, const smug_cert *c)
{
    int cap_c = pr->cap_certs, cap_c2 = pr->cap_certs, cap_c3 = pr->cap_certs;
    if (grow((void **)&pr->cy, &cap_c, pr->n_certs + 2, sizeof(int)) < 0 ||
        grow((void **)&pr->cz, &cap_c2, pr->n_certs + 2, sizeof(int)) < 0 ||
        grow((void **)&pr->mu, &cap_c3, pr->n_certs + 2, sizeof(double)) < 0)
        return -1;
    pr->cap_certs = cap_c;
    int cap_y = pr->cap_y, cap_y2 = pr->cap_y;
    if (grow((void **)&pr->y_row, &cap_y, pr->n_y + c->n_y, sizeof(int)) < 0 ||
        grow((void **)&pr->y, &cap_y2, pr->n_y + c->n_y, sizeof(double)) < 0)
        return -1;
    pr->cap_y = cap_y;
    int cap_z = pr->cap_z, cap_z2 = pr->cap_z, cap_z3 = pr->cap_z;
    if (grow((void **)&pr->z_from, &cap_z, pr->n_z + c->n_z, sizeof(int)) < 0 ||
        grow((void **)&pr->z_to, &cap_z2, pr->n_z + c->n_z, sizeof(int)) < 0 ||
        grow((void **)&pr->z, &cap_z3, pr->n_z + c->n_z, sizeof(double)) < 0)
        return -1;
    pr->cap_z = cap_z;
    if (pr->n_certs == 0)
        pr->cy[0] = 0, pr->cz[0] = 0;
    if (c->n_y > 0) {
        memcpy(pr->y_row + pr->n_y, c->y_row, (size_t)c->n_y * sizeof(int));
        memcpy(pr->y + pr->n_y, c->y, (size_t)c->n_y * sizeof(double));
    }
    if (c->n_z > 0) {
        memcpy(pr->z_from + pr->n_z, c->z_from, (size_t)c->n_z * sizeof(int));
        memcpy(pr->z_to + pr->n_z, c->z_to, (size_t)c->n_z * sizeof(int));
        memcpy(pr->z + pr->n_z, c->z, (size_t)c->n_z * sizeof(double));
    }
    pr->n_y += c->n_y, pr->n_z += c->n_z;
    pr->mu[pr->n_certs] = c->mu;
    pr->n_certs++;
    pr->cy[pr->n_certs] = pr->n_y;
    pr->cz[pr->n_certs] = pr->n_z;
    return pr->n_certs - 1;
}

void smug_proof_cert(const smug_proof *pr, int i, smug_cert *out)
{
    out->n_y = pr->cy[i + 1] - pr->cy[i];
    out->y_row = pr->y_row + pr->cy[i];
    out->y = pr->y + pr->cy[i];
    out->n_z = pr->cz[i + 1] - pr->cz[i];
    out->z_from = pr->z_from + pr->cz[i];
    out->z_to = pr->z_to + pr->cz[i];
    out->z = pr->z + pr->cz[i];
    out->mu = pr->mu[i];
}

int smug_proof_add_cover(smug_proof *pr, const smug_cover_cert *c)
{
    if (grow((void **)&pr->vo, &pr->cap_covers, pr->n_covers + 2, sizeof(int)) < 0)
        return -1;
    int cap = pr->cap_v, cap2 = pr->cap_v;
    if (grow((void **)&pr->vcut, &cap, pr->n_v + c->n, sizeof(smug_cover_cut)) < 0 ||
        grow((void **)&pr->vy, &cap2, pr->n_v + c->n, sizeof(double)) < 0)
        return -1;
    pr->cap_v = cap;
    if (pr->n_covers == 0)
        pr->vo[0] = 0;
    if (c->n > 0) {
        memcpy(pr->vcut + pr->n_v, c->cut, (size_t)c->n * sizeof *c->cut);
        memcpy(pr->vy + pr->n_v, c->y, (size_t)c->n * sizeof *c->y);
    }
    pr->n_v += c->n;
    pr->vo[++pr->n_covers] = pr->n_v;
    return pr->n_covers - 1;
}

void smug_proof_cover(const smug_proof *pr, int i, smug_cover_cert *out)
{
    out->n = pr->vo[i + 1] - pr->vo[i];
    out->cut = pr->vcut + pr->vo[i];
    out->y = pr->vy + pr->vo[i];
}

int smug_proof_begin_step(smug_proof *pr, int bound, int lemma)
{
    if (grow((void **)&pr->steps, &pr->cap_steps, pr->n_steps + 1, sizeof *pr->steps) < 0)
        return -1;
    pr->steps[pr->n_steps++] = (smug_proof_step){bound, lemma, pr->n_nodes, 0};
    return 0;
}

int smug_proof_add_node(smug_proof *pr, const smug_proof_node *node)
{
    if (pr->n_steps == 0 ||
        grow((void **)&pr->nodes, &pr->cap_nodes, pr->n_nodes + 1, sizeof *pr->nodes) < 0)
        return -1;
    pr->nodes[pr->n_nodes++] = *node;
    pr->steps[pr->n_steps - 1].n_nodes++;
    return 0;
}

void smug_proof_drop_step(smug_proof *pr)
{
    if (pr->n_steps == 0)
        return;
    pr->n_nodes = pr->steps[--pr->n_steps].first;
}

int smug_proof_lower(const smug_proof *pr)
{
    int steps = pr->n_steps > 0 ? pr->steps[pr->n_steps - 1].bound + 1 : 0, parts = 0;
    for (int c = 0; c < pr->n_parts; c++)
        parts += smug_proof_lower(&pr->part[c]);
    return parts > steps ? parts : steps;
}

int smug_proof_walk(const smug_proof *pr, int s, smug_proof_leaf_fn fn, void *user, char *why,
                    size_t n_why)
{
    const smug_proof_step *st = &pr->steps[s];
    size_t n = pr->n > 0 ? (size_t)pr->n : 1;
    int8_t *fix = malloc(n);
    int *stack = malloc((size_t)(st->n_nodes > 0 ? st->n_nodes : 1) * sizeof *stack);
    if (!fix || !stack) {
        free(fix), free(stack);
        snprintf(why, n_why, "out of memory");
        return -1;
    }
    for (int i = 0; i < pr->n; i++)
        fix[i] = pr->zero && pr->zero[i] ? 0 : -1;
    int depth = 0, rc = 0, at = 0, done = 0;
    /* stack holds the open branches' variables; fix[var] is 1 while in the first subtree */
    while (rc == 0 && !done) {
        if (at >= st->n_nodes) {
            snprintf(why, n_why, "step %d: the tree ends early (%d nodes)", s, st->n_nodes);
            rc = -1;
            break;
        }
        const smug_proof_node *node = &pr->nodes[st->first + at++];
        if (node->kind == SMUG_NODE_BRANCH) {
            if (node->var < 0 || node->var >= pr->n || fix[node->var] >= 0) {
                snprintf(why, n_why, "step %d: node %d branches on cell %d, which is not free", s,
                         at - 1, node->var);
                rc = -1;
                break;
            }
            stack[depth++] = node->var;
            fix[node->var] = 1;
            continue;
        }
        if ((rc = fn(user, node, fix)) != 0)
            break;
        /* climb: close finished branches, switch the innermost unfinished one to m = 0 */
        while (depth > 0 && fix[stack[depth - 1]] == 0)
            fix[stack[--depth]] = -1;
        if (depth == 0)
            done = 1;
        else
            fix[stack[depth - 1]] = 0;
    }
    if (rc == 0 && at != st->n_nodes) {
        snprintf(why, n_why, "step %d: %d nodes after the tree's end", s, st->n_nodes - at);
        rc = -1;
    }
    free(fix), free(stack);
    return rc;
}

static int count_leaf(void *user, const smug_proof_node *leaf, const int8_t *fix)
{
    (void)fix;
    smug_proof_summary *s = user;
    s->leaves++;
    if (leaf->kind == SMUG_NODE_COVER)
        s->by_certificate++, s->by_cover++;
    else if (leaf->kind == SMUG_NODE_CERT && leaf->cert >= 0)
        s->by_certificate++;
    else if (leaf->kind == SMUG_NODE_CERT)
        s->unchecked++;
    else
        s->by_solver++, s->confirmed += leaf->confirmer >= 0;
    return 0;
}

/* Adds name to the '+'-joined list unless it is there. */
static void add_solver(smug_proof_summary *out, const char *name)
{
    size_t len = strlen(out->solvers), nl = strlen(name);
    int seen = 0;
    for (const char *c = out->solvers; (c = strstr(c, name)) != NULL; c++)
        seen |= (c == out->solvers || c[-1] == '+') && (c[nl] == '\0' || c[nl] == '+');
    if (!seen && len + nl + 2 < sizeof out->solvers)
        snprintf(out->solvers + len, sizeof out->solvers - len, "%s%s", len ? "+" : "", name);
}

static void summarize(const smug_proof *pr, smug_proof_summary *out);

/* The parts' leaves and solvers, added to out. */
static void summarize_parts(const smug_proof *pr, smug_proof_summary *out)
{
    for (int c = 0; c < pr->n_parts; c++) {
        smug_proof_summary s;
        memset(&s, 0, sizeof s);
        summarize(&pr->part[c], &s);
        out->leaves += s.leaves, out->by_certificate += s.by_certificate;
        out->by_cover += s.by_cover, out->by_solver += s.by_solver;
        out->confirmed += s.confirmed, out->unchecked += s.unchecked;
        for (char *name = strtok(s.solvers, "+"); name; name = strtok(NULL, "+"))
            add_solver(out, name);
    }
}

void smug_proof_summarize(const smug_proof *pr, smug_proof_summary *out)
{
    memset(out, 0, sizeof *out);
    summarize(pr, out);
}

static void summarize(const smug_proof *pr, smug_proof_summary *out)
{
    summarize_parts(pr, out);
    char why[128];
    for (int s = 0; s < pr->n_steps; s++)
        smug_proof_walk(pr, s, count_leaf, out, why, sizeof why);
    for (int i = 0; i < pr->n_nodes; i++) {
        const smug_proof_node *nd = &pr->nodes[i];
        if (nd->kind != SMUG_NODE_SOLVER || nd->solver < 0 || nd->solver >= pr->n_names)
            continue;
        add_solver(out, pr->names[nd->solver]);
    }
}

/* The name of some confirming solver in pr or its parts, or NULL. */
static const char *confirmer_of(const smug_proof *pr)
{
    for (int i = 0; i < pr->n_nodes; i++)
        if (pr->nodes[i].kind == SMUG_NODE_SOLVER && pr->nodes[i].confirmer >= 0 &&
            pr->nodes[i].confirmer < pr->n_names)
            return pr->names[pr->nodes[i].confirmer];
    for (int c = 0; c < pr->n_parts; c++)
        if (confirmer_of(&pr->part[c]))
            return confirmer_of(&pr->part[c]);
    return NULL;
}

const char *smug_proof_proved_by(const smug_proof *pr, char *buf, size_t n)
{
    if (smug_proof_empty(pr))
        return NULL;
    smug_proof_summary s;
    smug_proof_summarize(pr, &s);
    if (s.unchecked > 0)
        snprintf(buf, n, "unchecked");
    else if (s.by_solver == 0)
        snprintf(buf, n, "certificate");
    else if (s.confirmed < s.by_solver)
        snprintf(buf, n, "solver:%s", s.solvers);
    else {
        const char *confirmer = confirmer_of(pr);
        snprintf(buf, n, "solvers:%s+%s", s.solvers, confirmer ? confirmer : "?");
    }
    return buf;
}

typedef struct checker {
    const smug_proof *pr;
    smug_certifier *cert;
    const smug_mask_problem *p;
    int bound;
    smug_proof_accept_fn accept;
    void *user;
    char *why;
    size_t n_why;
} checker;

static int check_leaf(void *user, const smug_proof_node *leaf, const int8_t *fix)
{
    checker *ck = user;
    const smug_proof *pr = ck->pr;
    char why[400];
    if (leaf->kind == SMUG_NODE_CERT) {
        smug_cert c;
        if (leaf->cert < 0 || leaf->cert >= pr->n_certs) {
            snprintf(ck->why, ck->n_why, "a leaf closed by a floating-point LP value");
            return 1;
        }
        smug_proof_cert(pr, leaf->cert, &c);
        if (!smug_certify_leaf(ck->cert, fix, ck->bound, &c, why, sizeof why)) {
            snprintf(ck->why, ck->n_why, "certificate %d does not check: %s", leaf->cert, why);
            return 1;
        }
        return 0;
    }
    if (leaf->kind == SMUG_NODE_COVER) {
        smug_cover_cert c;
        int lower = 0;
        smug_error err = SMUG_ERROR_INIT;
        if (leaf->cert < 0 || leaf->cert >= pr->n_covers) {
            snprintf(ck->why, ck->n_why, "a leaf names cover certificate %d of %d", leaf->cert,
                     pr->n_covers);
            return 1;
        }
        smug_proof_cover(pr, leaf->cert, &c);
        int rc = smug_cover_check(ck->p, fix, &c, &lower, why, sizeof why, &err);
        if (rc < 0)
            snprintf(ck->why, ck->n_why, "%s", err.msg);
        else if (rc == 0)
            snprintf(ck->why, ck->n_why, "cover certificate %d does not check: %s", leaf->cert,
                     why);
        else if (lower <= ck->bound)
            snprintf(ck->why, ck->n_why,
                     "cover certificate %d proves size >= %d, not the step's %d", leaf->cert, lower,
                     ck->bound + 1);
        return rc == 1 && lower > ck->bound ? 0 : 1;
    }
    if (leaf->kind != SMUG_NODE_SOLVER || leaf->solver < 0 || leaf->solver >= pr->n_names) {
        snprintf(ck->why, ck->n_why, "a leaf of unknown kind %d", leaf->kind);
        return 1;
    }
    const char *name = pr->names[leaf->solver];
    const char *conf =
        leaf->confirmer >= 0 && leaf->confirmer < pr->n_names ? pr->names[leaf->confirmer] : NULL;
    if (ck->accept && !ck->accept(ck->user, name) && !(conf && ck->accept(ck->user, conf))) {
        snprintf(ck->why, ck->n_why, "a leaf rests on solver '%s', which is not accepted here",
                 name);
        return 1;
    }
    return 0;
}

static int check_steps(const smug_mask_problem *p, const smug_proof *pr,
                       smug_proof_accept_fn accept, void *user, int *out_lower, char *why,
                       size_t n_why, smug_error *err);

/* The parts: each one's sub-problem built here from p and the zero facts, its proof checked
 * against it; *out_sum gets the sum of what they prove (a part that is not valid counts with
 * the prefix it proves, as a step chain does). 1 all valid, 0 not, -1 out of memory. */
static int check_parts(const smug_mask_problem *p, const smug_proof *pr,
                       smug_proof_accept_fn accept, void *user, int *out_sum, char *why,
                       size_t n_why, smug_error *err)
{
    *out_sum = 0;
    smug_mask_problem **q = calloc((size_t)pr->n_parts, sizeof *q);
    if (!q)
        return smug_fail(err, SMUG_ERR_NOMEM, "proof check: out of memory");
    smug_error perr = SMUG_ERROR_INIT;
    int valid = 1;
    if (smug_component_problems(p, pr->zero, pr->n_parts, pr->part_start, pr->part_cells, q,
                                &perr) < 0) {
        free(q);
        if (perr.code == SMUG_ERR_NOMEM) {
            *err = perr;
            return -1;
        }
        snprintf(why, n_why, "%s", perr.msg);
        return 0;
    }
    for (int c = 0; c < pr->n_parts && valid >= 0; c++) {
        int lower = 0;
        char pwhy[400] = "";
        int ok = smug_proof_check(q[c], &pr->part[c], accept, user, &lower, pwhy, sizeof pwhy, err);
        if (ok < 0)
            valid = -1;
        else if (ok == 0 && valid == 1) {
            snprintf(why, n_why, "part %d: %s", c, pwhy);
            valid = 0;
        }
        *out_sum += ok >= 0 ? lower : 0;
    }
    for (int c = 0; c < pr->n_parts; c++)
        smug_mask_problem_free(q[c]);
    free(q);
    return valid;
}

static int check_facts(const smug_mask_problem *p, const smug_proof *pr, char *why, size_t n)
{
    if (pr->n != p->n) {
        snprintf(why, n, "the proof has %d variables, the problem %d", pr->n, p->n);
        return 0;
    }
    for (int i = 0; pr->zero && i < p->n; i++)
        if (pr->zero[i] && !smug_certify_useless(p, i)) {
            snprintf(why, n, "cell %d is fixed to 0 but has a positive coefficient", i);
            return 0;
        }
    for (int d = 0; d < pr->n_dom; d++)
        if (!smug_certify_dominates(p, pr->dom_to[d], pr->dom_from[d])) {
            snprintf(why, n, "implication %d: cell %d does not dominate cell %d", d, pr->dom_to[d],
                     pr->dom_from[d]);
            return 0;
        }
    return 1;
}

int smug_proof_check(const smug_mask_problem *p, const smug_proof *pr, smug_proof_accept_fn accept,
                     void *user, int *out_lower, char *why, size_t n_why, smug_error *err)
{
    *out_lower = 0;
    if (smug_proof_empty(pr))
        return 1;
    if (!check_facts(p, pr, why, n_why))
        return 0;
    int valid = pr->n_steps > 0 ? check_steps(p, pr, accept, user, out_lower, why, n_why, err) : 1;
    if (valid < 0 || pr->n_parts == 0)
        return valid;
    int parts = 0;
    int pvalid = check_parts(p, pr, accept, user, &parts, why, n_why, err);
    if (pvalid < 0)
        return -1;
    if (parts > *out_lower)
        *out_lower = parts;
    return valid && pvalid;
}

static int check_steps(const smug_mask_problem *p, const smug_proof *pr,
                       smug_proof_accept_fn accept, void *user, int *out_lower, char *why,
                       size_t n_why, smug_error *err)
{
    smug_certifier *cert = NULL;
    if (smug_certifier_new(p, &cert, err) < 0)
        return -1;
    checker ck = {pr, cert, p, 0, accept, user, why, n_why};
    int valid = 1;
    for (int s = 0; s < pr->n_steps && valid; s++) {
        const smug_proof_step *st = &pr->steps[s];
        if (st->bound < 0 || st->lemma > *out_lower) {
            snprintf(why, n_why, "step %d (bound %d) assumes size >= %d, proved only up to %d", s,
                     st->bound, st->lemma, *out_lower);
            valid = 0;
            break;
        }
        ck.bound = st->bound;
        char wwhy[400] = "";
        int rc = smug_proof_walk(pr, s, check_leaf, &ck, wwhy, sizeof wwhy);
        if (rc < 0)
            snprintf(why, n_why, "%s", wwhy);
        if (rc != 0) {
            valid = 0;
            break;
        }
        if (st->bound + 1 > *out_lower)
            *out_lower = st->bound + 1;
    }
    smug_certifier_free(cert);
    return valid;
}
