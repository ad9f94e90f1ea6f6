/* cover.h — a lower bound that works at γ 0: cover cuts per row and a packing of them
 * (design §2 "Proofs"; mask/cover.c).
 *
 * At γ 0 the rows are nearly homogeneous (t_j close to 0) and the LP relaxation sets a
 * sliver of one cell per row: its bound sits at 1. Integrality says more. Let P_j be the
 * cells with a_jc > 0, sorted by coefficient (largest first, ties by lower index), and S_r
 * its first r cells. A kept negative cell only lowers the sum, so a mask that satisfies
 * row j keeps positive cells worth more than t_j. When the cells of P_j outside S_r plus
 * the q − 1 largest of S_r are worth at most t_j, every mask that satisfies row j keeps at
 * least q cells of S_r: the cover cut  Σ_{c ∈ S_r} m_c ≥ q  (row, r, q). Its validity is a
 * comparison of a sum of doubles with t_j, decided exactly (GMP rationals).
 *
 * A bound from cuts: multipliers y_c ≥ 0 with col_i = Σ_{cuts c ∋ i} y_c give, for every
 * mask, Σ_i m_i ≥ Σ_c y_c q_c − Σ_i max(0, col_i − 1) = D (each m_i ≤ 1). That is weak LP
 * duality for the LP of the cuts; disjoint cuts with y = 1 (a packing) are the simplest
 * case. At a leaf (fix: -1 free, 0, 1) a cell fixed to 0 adds nothing and a cell fixed
 * to 1 counts col_i − 1 exactly, so the leaf holds no mask of size ≤ B when D > B. The
 * check recomputes P_j, the cuts and D in exact rationals from the problem alone: the
 * multipliers (from GLPK or a greedy packing) are candidates, never trusted.
 *
 * Ownership: arrays of a smug_cover are the caller's (smug_cover_free); a smug_cover_cert
 * borrows its arrays.
 */
#ifndef SMUG_COVER_H
#define SMUG_COVER_H

#include <stddef.h>
#include <stdint.h>

#include "smug/error.h"
#include "smug/problem.h"

/* Σ_{c ∈ S_r(row)} m_c ≥ q */
typedef struct smug_cover_cut {
    int row, r, q;
} smug_cover_cut;

/* A bound from cuts: cut[i] with multiplier y[i] ≥ 0. */
typedef struct smug_cover_cert {
    int n;
    const smug_cover_cut *cut;
    const double *y;
} smug_cover_cert;

/* The cuts of a problem, and the bounds they give (floating-point guides). */
typedef struct smug_cover {
    smug_cover_cut *cuts;
    int n_cuts;
    double *y_lp;   /* [n_cuts] duals of the cut LP */
    double lp;      /* its optimum (a guide) */
    double *y_pack; /* [n_cuts] 1 on a greedy set of disjoint cuts, else 0 */
    int lower_lp;   /* what y_lp proves, checked exactly (0: nothing) */
    int lower_pack; /* what y_pack proves, checked exactly */
    double seconds_cuts, seconds_lp, seconds_pack, seconds_check;
} smug_cover;

/* Derives the cuts (for each row with t_j ≥ 0 and each q up to the row's need, at most
 * max_per_row of them, the smallest r), checks each exactly, and computes both bounds: the
 * cut LP (GLPK, at most lp_seconds; 0 skips it) and the greedy packing. A row that no mask
 * can satisfy gives no cut (bounds.c reports it). *out is the caller's (smug_cover_free).
 * NOMEM only; a GLPK failure only leaves lower_lp at 0. */
int smug_cover_compute(const smug_mask_problem *p, int max_per_row, double lp_seconds,
                       smug_cover *out, smug_error *err);
void smug_cover_free(smug_cover *c);

/* 1 when the cut holds for every mask, decided exactly. */
int smug_cover_cut_valid(const smug_mask_problem *p, const smug_cover_cut *cut);

/* The cells of S_r of the cut into out_cells[n] (sorted as above); returns r, or -1 when
 * the cut is out of range (row, or r above |P_row|) or memory ran out. */
int smug_cover_cut_cells(const smug_mask_problem *p, const smug_cover_cut *cut, int *out_cells);

/* Checks cert at the leaf fix[n] (NULL: all free) exactly: every cut with y > 0 valid and in
 * range, every y ≥ 0 and finite. Sets *out_lower to the least integer > ... that it proves:
 * the leaf holds no mask of size < *out_lower (⌈D⌉, at least 0). Returns 1 when the
 * certificate is well formed, 0 with the reason in why[n_why] when not, -1 on out of
 * memory (err). */
int smug_cover_check(const smug_mask_problem *p, const int8_t *fix, const smug_cover_cert *cert,
                     int *out_lower, char *why, size_t n_why, smug_error *err);

/* The cut LP at branch-and-bound nodes (branch.c's hook): built once per problem, solved
 * with each node's fixings. *out is the caller's (smug_cover_lp_free); it borrows p. Its
 * root LP honours deadline as smug_cover_root_step's does. */
typedef struct smug_cover_lp smug_cover_lp;
int smug_cover_lp_new(const smug_mask_problem *p, double deadline, smug_cover_lp **out,
                      smug_error *err);
void smug_cover_lp_free(smug_cover_lp *c);

/* The cut LP's optimum at the root (no fixings; 0 when GLPK found none): a guide to whether
 * the cuts see more than the rows' LP. */
double smug_cover_lp_root(const smug_cover_lp *c);

/* 1 when a cover certificate closes the node fix[n] at bound (checked exactly, *out points
 * into c until the next call); 0 when not, with *out_branch the most fractional free cell of
 * the cut LP's point when its value beats rows_lp (the rows' LP value at the node), else -1;
 * -1 on failure. GLPK gets at most `seconds` (≤ 0: only a cut the fixings leave too few
 * cells for is tried). */
int smug_cover_lp_close(smug_cover_lp *c, const int8_t *fix, int bound, double seconds,
                        double rows_lp, smug_cover_cert *out, int *out_branch, smug_error *err);

/* The hook of smug_branch_root_step: when the better of the two cover bounds proves more
 * than *lower (the LP root step's), appends a step closed by that cover certificate to
 * proof (lemma *lower) and raises *lower. deadline: absolute CLOCK_MONOTONIC seconds, 0:
 * none; the cut LP gets at most 10 s and never past it, and past it only the packing bound
 * (no LP) is tried. NOMEM only. */
struct smug_proof;
int smug_cover_root_step(const smug_mask_problem *p, double deadline, struct smug_proof *proof,
                         int *lower, smug_error *err);

#endif
