/* proof.h — a lower bound's proof, as data someone else can check (design §2 "Proofs";
 * mask/proof.c).
 *
 * A proof is a chain of steps. Step s says: no mask of size ≤ bound_s satisfies the rows
 * and the facts, given size ≥ lemma_s, which the steps before it proved (lemma_s ≤
 * bound_{s-1} + 1; 0 for the first). So the proof's lower bound is bound_last + 1.
 * Each step is a branch-and-bound tree, stored in preorder: a BRANCH node on cell v is
 * followed by its m_v = 1 subtree, then its m_v = 0 subtree; every leaf is closed either by
 * an LP certificate (certify.h, re-checked exactly by smug_proof_check) or by a named
 * solver's clean `unsat` (optionally re-decided by a second, confirming solver). Because the
 * tree is stored as a tree, its leaves cover every mask by construction: nothing to trust
 * there.
 *
 * The facts are part of the proof: cells fixed to 0 at the root (useless cells) and the
 * dominance implications m_from → m_to. Neither removes the last mask of any size (see
 * certify.h), and smug_proof_check re-checks both exactly.
 *
 * Parts (component.h): a proof may also hold proofs of disjoint parts of the cells, each over
 * its sub-problem (smug_component_problems, built from p and the proof's zero facts by the
 * checker itself). Each bounds the mask's size on its cells; over disjoint cells they add,
 * so the proof's lower bound is the larger of its steps' and the sum of its parts'. The
 * parts are independent: each part's tree stays the size of that part's search instead of
 * the product of all of them.
 *
 * Ownership: a smug_proof owns everything in it (smug_proof_clear); SMUG_PROOF_INIT or
 * memset 0 is an empty proof (lower bound 0, which needs no proof).
 */
#ifndef SMUG_PROOF_H
#define SMUG_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "smug/certify.h"
#include "smug/cover.h"
#include "smug/error.h"
#include "smug/problem.h"

typedef enum {
    SMUG_NODE_BRANCH, /* var: split on this cell */
    SMUG_NODE_CERT,   /* cert: index into the certificate pool; -1 = closed by the LP's
                         floating-point value alone (benchmarks only; never checks) */
    SMUG_NODE_SOLVER, /* solver (and confirmer, or -1): indices into names */
    SMUG_NODE_COVER   /* cert: index into the cover pool (cover.h), re-checked exactly */
} smug_node_kind;

typedef struct smug_proof_node {
    int kind;
    int var;
    int cert;
    int solver, confirmer;
} smug_proof_node;

typedef struct smug_proof_step {
    int bound, lemma;
    int first, n_nodes; /* nodes[first .. first + n_nodes) */
} smug_proof_step;

typedef struct smug_proof {
    smug_proof_step *steps;
    int n_steps, cap_steps;
    smug_proof_node *nodes;
    int n_nodes, cap_nodes;
    /* certificate pool: certificate c uses y entries [cy[c], cy[c+1]) and z entries
     * [cz[c], cz[c+1]) of the arrays below */
    int *cy, *cz;
    double *mu;
    int n_certs, cap_certs;
    int *y_row;
    double *y;
    int n_y, cap_y;
    int *z_from, *z_to;
    double *z;
    int n_z, cap_z;
    /* cover pool: cover certificate c uses entries [vo[c], vo[c+1]) of vcut and vy */
    int *vo;
    int n_covers, cap_covers;
    smug_cover_cut *vcut;
    double *vy;
    int n_v, cap_v;
    char **names; /* solver names */
    int n_names;
    /* facts every leaf assumes */
    int n;         /* variables */
    uint8_t *zero; /* [n] fixed to 0 at the root */
    int *dom_from, *dom_to;
    int n_dom;
    double seconds; /* spent building the steps */
    /* parts: part c is the variables part_cells[part_start[c] .. part_start[c + 1]) (ascending),
     * proved by part[c] over its sub-problem (whose variable v is part_cells[part_start[c] + v]) */
    int n_parts;
    int *part_start;         /* [n_parts + 1] */
    int *part_cells;         /* [part_start[n_parts]] */
    struct smug_proof *part; /* [n_parts], each owned */
} smug_proof;

#define SMUG_PROOF_INIT                                                                            \
    {                                                                                              \
        0                                                                                          \
    }

/* Frees the proof's arrays (not *pr, which is the caller's) and zeroes *pr. */
void smug_proof_clear(smug_proof *pr);

/* Copies the facts (zero may be NULL: none). NOMEM only. */
int smug_proof_set_facts(smug_proof *pr, int n, const uint8_t *zero, const int *dom_from,
                         const int *dom_to, int n_dom, smug_error *err);

/* Index of a solver name, added when new; -1 on out of memory. */
int smug_proof_name(smug_proof *pr, const char *name);

/* Adds a certificate to the pool (copied); its index, or -1 on out of memory. */
int smug_proof_add_cert(smug_proof *pr, const smug_cert *c);

/* Certificate i of the pool, pointing into pr. */
void smug_proof_cert(const smug_proof *pr, int i, smug_cert *out);

/* Adds a cover certificate to its pool (copied); its index, or -1 on out of memory. */
int smug_proof_add_cover(smug_proof *pr, const smug_cover_cert *c);

/* Cover certificate i of the pool, pointing into pr. */
void smug_proof_cover(const smug_proof *pr, int i, smug_cover_cert *out);

/* Starts a step (its nodes are appended next); -1 on out of memory. */
int smug_proof_begin_step(smug_proof *pr, int bound, int lemma);
int smug_proof_add_node(smug_proof *pr, const smug_proof_node *node);
/* Drops the last step and its nodes (its certificates stay in the pool, unused). */
void smug_proof_drop_step(smug_proof *pr);

/* The larger of bound + 1 of the last step (or 0) and the sum of the parts' lower bounds. */
int smug_proof_lower(const smug_proof *pr);

/* Sets the parts (copied; each part's proof empty, to be filled by the caller: pr->part[c]).
 * Replaces any parts pr had. NOMEM only. */
int smug_proof_set_parts(smug_proof *pr, int n_parts, const int *start, const int *cells,
                         smug_error *err);

/* 1 when the proof proves nothing at all: no steps and no parts. */
int smug_proof_empty(const smug_proof *pr);

/* Calls fn for every leaf of step s, in preorder, with the cells fixed at that leaf
 * (fix[n]: the facts' zeros and the branches above it; -1 free). Returns 0 when the step is
 * a well-formed tree (every branch on a free cell, the nodes used exactly), -1 with why
 * otherwise, or whatever nonzero fn returned (which stops the walk). */
typedef int (*smug_proof_leaf_fn)(void *user, const smug_proof_node *leaf, const int8_t *fix);
int smug_proof_walk(const smug_proof *pr, int s, smug_proof_leaf_fn fn, void *user, char *why,
                    size_t n_why);

typedef struct smug_proof_summary {
    int leaves;
    int by_certificate; /* leaves closed by an LP or a cover certificate */
    int by_cover;       /* of those, by a cover certificate (cover.h) */
    int by_solver;      /* solver leaves */
    int confirmed;      /* of those, re-decided by a second solver */
    int unchecked;      /* closed by a floating-point LP value (benchmarks only) */
    char solvers[128];  /* the deciding solvers' names, '+'-joined */
} smug_proof_summary;

/* Counts leaves over every step, the parts' included. */
void smug_proof_summarize(const smug_proof *pr, smug_proof_summary *out);

/* "certificate" (every leaf certified), "solver:A" (some leaf rests on A's word),
 * "solvers:A+B" (every solver leaf decided by A and confirmed by B), "unchecked" (some leaf
 * closed by floats alone), or NULL for an empty proof. Into buf[n]; returns buf or NULL. */
const char *smug_proof_proved_by(const smug_proof *pr, char *buf, size_t n);

/* Re-checks pr against p with no trust in whoever built it: the facts exactly (each zero
 * cell useless, each pair a dominance), every step a well-formed tree whose lemma the steps
 * before proved, every certificate leaf exactly (smug_certify_leaf). Solver leaves count as
 * their solver's word when accept(user, name) returns 1 (accept NULL: all). *out_lower gets
 * the lower bound proved by the longest valid prefix of steps, or the sum of what the parts
 * prove when larger (each part checked the same way against its sub-problem, which the check
 * builds from p and the zero facts: parts that overlap or leave the variables make the proof
 * invalid); returns 1 when every step and part is valid, 0 when some is not (why says which
 * and why), -1 on failure (out of memory). */
typedef int (*smug_proof_accept_fn)(void *user, const char *solver);
int smug_proof_check(const smug_mask_problem *p, const smug_proof *pr, smug_proof_accept_fn accept,
                     void *user, int *out_lower, char *why, size_t n_why, smug_error *err);

#endif
