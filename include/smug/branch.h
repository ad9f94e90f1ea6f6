/* branch.h — branch and bound over LP leaves, each leaf closed by a checked certificate or
 * by a "decide this leaf" callback (design §2 "Proofs"; mask/branch.c).
 *
 * The question is always one bound B: is there a mask of size ≤ B? Nodes fix some cells
 * to 0 or 1 (the root fixes the useless cells to 0); each node's LP (lp.h) is solved once:
 *  - LP value ≥ B (up to rounding): the node is closed if a certificate from its duals
 *    (or from the elastic LP) passes the exact check (certify.h). If it does not, the node
 *    stays open: floats guide, never prove.
 *  - an integral LP point: if it satisfies the rows exactly it is a mask of size ≤ B (SAT);
 *    otherwise the node is final: only the callback can decide it.
 *  - else it is split on its most fractional cell (m = 1 first).
 * At the root, LP probing first tries each free cell at 1 and at 0; a value the LP rules out
 * (certified) makes the node a branch whose one child is that certified leaf, so probing
 * is ordinary branching and needs no proof of its own.
 * For a share of the time the LP branches alone (depth-first); after that, a node whose LP
 * stays open and that is at least `split_depth` (root) or `resplit_depth` (a re-split leaf)
 * levels below is handed to the callback with `leaf_seconds`; a leaf the callback cannot
 * decide that fast is split again. UNSAT needs every leaf closed; the tree then becomes a
 * step of the proof (proof.h).
 *
 * The callback is the only way to a solver: mask/ never sees one, smt/ never sees the
 * tree. Everything happens in one process and thread; the explicit stack of open nodes
 * and the per-node deadline check are where parallel leaves and a global deadline would go.
 *
 * Ownership: smug_brancher_new's *out is the caller's (smug_brancher_free); it borrows p and
 * b, which must outlive it.
 */
#ifndef SMUG_BRANCH_H
#define SMUG_BRANCH_H

#include <stddef.h>
#include <stdint.h>

#include "smug/bounds.h"
#include "smug/error.h"
#include "smug/problem.h"
#include "smug/proof.h"

typedef enum {
    SMUG_LEAF_UNSAT,   /* no mask of size ≤ bound under the leaf (solver names it) */
    SMUG_LEAF_SAT,     /* out_mask holds one */
    SMUG_LEAF_UNKNOWN, /* the callback ran out of its time: split the leaf further */
    SMUG_LEAF_STOP     /* no answer worth retrying: the search stops (the callback says why) */
} smug_leaf_answer;

typedef struct smug_leaf_verdict {
    smug_leaf_answer answer;
    const char *solver;    /* UNSAT: whose clean unsat closed it (copied) */
    const char *confirmer; /* UNSAT: the solver that re-decided it, or NULL */
} smug_leaf_verdict;

/* Decides one leaf: is there a mask of size ≤ bound with the cells fixed as in fix[n]
 * (-1 free), the facts of bounds.h and size ≥ lemma? `seconds` > 0 limits the call; 0
 * means up to the deadline. SAT fills out_mask[n] (branch.c re-checks it exactly).
 * Returns 0, or -1 (err set) when smug itself failed. */
typedef int (*smug_leaf_fn)(void *user, const int8_t *fix, int bound, int lemma, double seconds,
                            smug_leaf_verdict *out, uint8_t *out_mask, smug_error *err);

typedef struct smug_branch_options {
    double deadline;     /* absolute, CLOCK_MONOTONIC seconds (smug_process_now); 0: none */
    double lp_share;     /* of the time left at each bound: LP branching alone */
    int split_depth;     /* LP levels below the root before leaves go to the callback */
    int resplit_depth;   /* LP levels below a leaf the callback could not decide */
    double leaf_seconds; /* callback limit for a leaf that can still be split */
    int probe;           /* LP probing at the root */
    int lp;              /* 0: no LP at all, the root goes to the callback whole */
    int trust_lp;        /* benchmarks only: an LP value above the bound closes a node without
                            a certificate (a proof that is not one: proved_by "unchecked") */
    double lp_skew;      /* tests only: smug_lp_skew, an LP wrong on purpose */
    int cover;           /* the cut LP of cover.h at every node too: closes nodes by a cover
                            certificate and picks the branching cell from its point */
} smug_branch_options;

#define SMUG_BRANCH_OPTIONS_INIT                                                                   \
    {                                                                                              \
        0.0, 0.5, 6, 6, 0.1, 1, 1, 0, 0.0, 1                                                       \
    }

typedef enum { SMUG_BRANCH_UNSAT, SMUG_BRANCH_SAT, SMUG_BRANCH_STOP } smug_branch_outcome;

typedef struct smug_branch_stats {
    int nodes;              /* LPs solved at nodes (probing included) */
    int certified;          /* leaves closed by an exact certificate */
    int covered;            /* of those, by a cover certificate (cover.h) */
    int cert_failures;      /* nodes the LP called closed whose certificate did not check */
    int solver_leaves;      /* leaves closed by the callback */
    double certify_seconds; /* in the exact checks */
    int lp_failures;        /* node LPs GLPK failed on: those nodes went to the callback */
    int probed;             /* of nodes, LPs of the root probing */
    double lp_seconds;      /* in the rows' LP at nodes (probing included) */
    double cover_seconds;   /* in the cut LP and its checks at nodes (cover.h) */
    double probe_seconds;   /* in the root probing, all of it */
} smug_branch_stats;

typedef struct smug_brancher smug_brancher;

/* NOMEM only. o is copied. */
int smug_brancher_new(const smug_mask_problem *p, const smug_bounds *b,
                      const smug_branch_options *o, smug_brancher **out, smug_error *err);
void smug_brancher_free(smug_brancher *br);

/* Sets the absolute deadline for the following calls. */
void smug_brancher_deadline(smug_brancher *br, double deadline);

/* Is there a mask of size ≤ bound? UNSAT appends a step (bound, lemma) to proof, whose
 * facts must be b's (smug_proof_set_facts); SAT fills out_mask[n] with a mask that
 * satisfies every row exactly; STOP: the deadline passed (note says so) or the callback
 * stopped. note[n_note] is left empty otherwise. -1 on failure. */
int smug_brancher_decide(smug_brancher *br, int bound, int lemma, smug_leaf_fn fn, void *user,
                         smug_branch_outcome *out, uint8_t *out_mask, smug_proof *proof, char *note,
                         size_t n_note, smug_error *err);

const smug_branch_stats *smug_brancher_stats(const smug_brancher *br);

/* The proof steps of the root. First the one bounds.c's root certificate gives: no mask of
 * size ≤ B for the largest B ≤ b->lower − 1 it proves when checked again (b->lower is not
 * believed). Appends it to proof (nothing when it proves nothing) and sets *out_lower =
 * B + 1 (or 0). Then a cover step (smug_cover_root_step) when the cover bound proves more;
 * its LP honours deadline (absolute CLOCK_MONOTONIC seconds, 0: none). NOMEM only. */
int smug_branch_root_step(const smug_mask_problem *p, const smug_bounds *b, double deadline,
                          smug_proof *proof, int *out_lower, smug_error *err);

/* The same without the cover step (cover.h): the root certificate of bounds.c alone. For
 * runs where the solver alone is to prove every bound (smug_solve_options.skip_probing). */
int smug_branch_root_step_lp(const smug_mask_problem *p, const smug_bounds *b, smug_proof *proof,
                             int *out_lower, smug_error *err);

#endif
