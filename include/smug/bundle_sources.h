/* bundle_sources.h — what a bundle's result files prove, re-derived (design §7; run/
 * bundle_sources.c). smug score's reading of BUNDLE/results/, one problem at a time.
 *
 * A bundle may come from anyone, so nothing in it is believed as stated:
 *  - the manifest's lower_bound is a hint only; the floor is smug's own certified root bound
 *    of the rebuilt problem (bounds.h), as a proof;
 *  - a JSON result counts by its proof (proof_json.h), re-checked with smug_proof_check: its
 *    certificates exactly, its solver leaves as the word of the solver they name — only a
 *    solver smug knows (a file in solvers/) or, with a confirming solver, one that agreed;
 *    lower_bound and proved_by in the file are ignored;
 *  - a raw solver output (<stem>.<solver>.out) counts only when problems/<stem>.smt2 is
 *    exactly the file smug writes for this problem (its size ≥ assertion being smug's own
 *    certified bound, its fixings certified): its unsat is then one solver leaf, under a
 *    chain of branches whose other sides are the fixings' certificates; a solver smug does
 *    not know counts only when the confirming solver agrees;
 *  - with a confirming solver every solver leaf is re-decided; a mask found where a proof
 *    says there is none is a disagreement: that problem becomes an error naming both.
 * A mask counts when it satisfies every row exactly (then the forward pass, score's job).
 */
#ifndef SMUG_BUNDLE_SOURCES_H
#define SMUG_BUNDLE_SOURCES_H

#include "smug/bundle.h"
#include "smug/registry.h"
#include "smug/strategy.h"

typedef struct smug_score_options {
    const smug_solvers *reg;    /* the solvers smug knows (NULL: none) */
    const smug_solver *confirm; /* NULL, or re-decides every solver leaf */
    double timeout;             /* seconds for one confirming run */
    int mem_limit_mb;
} smug_score_options;

typedef struct smug_merged {
    const smug_mask_problem *p;
    const smug_bounds *b;
    const smug_score_options *o;
    uint8_t *best, *cand; /* [n] smallest mask so far; scratch */
    int size;
    char size_from[600]; /* "manifest" or a file name */
    smug_proof proof;    /* the best checked proof */
    int lower;
    char lower_from[600];
    char solvers[256];
    smug_strategy strategy;
    int solver_calls;
    char error[SMUG_ERROR_MAX]; /* non-empty: the problem failed */
    smug_strbuf sources;        /* JSON array text of {file, reading} */
} smug_merged;

/* Starts from the rebuilt problem: its incumbent, and its root certificate as a proof.
 * *g is the caller's (smug_merged_clear, also after a failure). NOMEM only. */
int smug_merged_init(smug_merged *g, const smug_mask_problem *p, const smug_bounds *b,
                     const smug_score_options *o, smug_error *err);
void smug_merged_clear(smug_merged *g);

/* A result or raw output is at most this big (smug's own output cap for a solver). */
#define SMUG_SOURCE_MAX ((size_t)64 << 20)

/* Reads BUNDLE/results/<file> for problem bp: a JSON result of `solver`, or a raw
 * output of `solver` on the problem file of `form` ("", "opt", "sat", "unsat"). What it
 * proves is merged into g; what it is goes to g->sources; a file that cannot be read or a
 * disagreement sets g->error. Files are read through results_fd (BUNDLE/results, open) and
 * b->dirfd without following links, regular files only (fsutil.h): a link or a non-file is
 * such an unreadable source, and nothing it points at is read. */
void smug_sources_read_json(smug_merged *g, const smug_bundle_problem *bp, const smug_bundle *b,
                            int results_fd, const char *file, const char *solver);
void smug_sources_read_raw(smug_merged *g, const smug_bundle_problem *bp, const smug_bundle *b,
                           int results_fd, const char *file, const char *form, const char *solver);

#endif
