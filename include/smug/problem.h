/* problem.h — the minimal-mask problem, solver-independent and in memory (design §2).
 *
 * Variables are mask cells m_c ∈ {0, 1} (1 = the cell is kept). Row j (one chosen
 * first-layer neuron) holds when Σ_c a_jc · m_c > t_j, where
 *   a_jc = Σ_{p ∈ c ∩ RF(j)} W1[j, p] · z_p      (z: the first layer's input, i.e. the model
 *                                                 input after its preprocessing)
 *   t_j  = γ · o_j − b_j + δ_j                    (o_j = Σ_p W1[j, p] z_p + b_j, unmasked)
 * and δ_j = 1e-5 · Σ_c |a_jc| is a safety margin: a mask that satisfies the exact rational
 * rows then also passes the float32 forward check in verify.c. A masked position of z is 0.
 * The objective is Σ_c m_c. Only neurons with o_j > 0 get a row. Cells with a zero
 * coefficient in every row are not variables at all (their mask value is 0).
 *
 * Header rule (design §9): smt/ includes this header and core only — never the network.
 */
#ifndef SMUG_PROBLEM_H
#define SMUG_PROBLEM_H

#include <stddef.h>
#include <stdint.h>

#include "smug/error.h"
#include "smug/grid.h"

/* The whole network as constraints over the mask (the full-net encoding; mask/fullnet.c
 * builds it, smt/smtlib.c writes it). Node i's value v_i is a function of the mask m:
 *   AFFINE  v_i = bias + Σ_t coef_t · term_t
 *   RELU    v_i = max(0, bias + Σ_t coef_t · term_t)
 *   MAX     v_i = max over the terms (coef 1), and also bias when with_const
 * where term_t is node ref_t (ref_t ≥ 0, an earlier node) or mask variable −1−ref_t, whose
 * value is m_i (so coef · term is a_ic · m_i, the first layer's per-cell weight sum).
 * [lo, hi] encloses v_i for every m ∈ [0, 1]^n (interval propagation, widened past double
 * rounding); a RELU node exists only where lo < 0 < hi of its argument (unstable): stable
 * ones were folded into the nodes that read them. A logit is s · v_ref + c (ref −1: the
 * constant c). The class is kept by proof when logit[target] − logit[o] ≥ delta for every
 * other class o. Terms of node i are ref/coef[start[i] .. start[i+1]). */
typedef enum { SMUG_PL_AFFINE, SMUG_PL_RELU, SMUG_PL_MAX } smug_pl_kind;

typedef struct smug_pl_node {
    smug_pl_kind kind;
    int with_const; /* MAX: bias is one of the candidates */
    int layer;      /* the network layer it comes from (for comments in the SMT-LIB text) */
    double bias;
    double lo, hi;
    double pre_lo; /* RELU: lower bound of its argument (lo is 0); its upper bound is hi */
} smug_pl_node;

typedef struct smug_pl_net {
    int n_nodes, n_terms;
    smug_pl_node *node; /* [n_nodes] in topological order */
    int *start;         /* [n_nodes + 1] */
    int *ref;           /* [n_terms] */
    double *coef;       /* [n_terms] */
    int n_logits;
    int *logit_ref;  /* [n_logits] node, or −1 for a constant logit */
    double *logit_s; /* [n_logits] */
    double *logit_c; /* [n_logits] */
    int target;
    double delta;
} smug_pl_net;

/* Frees everything a pl net owns, then the net. NULL is fine. */
void smug_pl_free(smug_pl_net *pl);

/* Evaluates every node in double at m[n] (reals in [0, 1]; 0/1 for a mask) into
 * out_v[n_nodes], and the logits into out_logits[n_logits] (NULL: not wanted). */
void smug_pl_eval(const smug_pl_net *pl, const double *m, double *out_v, double *out_logits);

typedef struct smug_mask_problem {
    int k;       /* rows */
    int n;       /* variables */
    int *neuron; /* [k] first-layer neuron (flat index into the first layer's output) */
    double *o;   /* [k] unmasked pre-activation o_j */
    double *t;   /* [k] threshold: the row holds when Σ_c a_jc m_c > t_j */
    /* The coefficients a_ji, sparse (a conv row touches a few cells: issue #12). Only
     * nonzeros are stored, by row and by column, each list in increasing index order, so a
     * walk over a row visits its cells in the order a dense loop would (same float sums):
     *   row j:      row_var / row_coef  [row_start[j] .. row_start[j + 1])
     *   variable i: col_row / col_coef  [col_start[i] .. col_start[i + 1])
     * Set them with smug_mask_problem_set_rows or _set_dense, never by hand. */
    size_t nnz;
    size_t *row_start; /* [k + 1] */
    int *row_var;      /* [nnz] */
    double *row_coef;  /* [nnz] */
    size_t *col_start; /* [n + 1] */
    int *col_row;      /* [nnz] */
    double *col_coef;  /* [nnz] */
    int *cell;         /* [n] grid cell of variable i */
    double gamma;
    smug_grid grid;  /* the cell map the variables index into */
    smug_pl_net *pl; /* NULL, or the whole network (full-net encoding, owned): then a mask
                        must also keep the target class by pl->delta, and cells outside
                        every chosen neuron's view are variables too */
} smug_mask_problem;

/* Allocates a problem with k rows and n variables (arrays zeroed, every row empty: no
 * coefficients until _set_rows or _set_dense). Caller frees with smug_mask_problem_free.
 * NULL when out of memory. */
smug_mask_problem *smug_mask_problem_new(int k, int n);

void smug_mask_problem_free(smug_mask_problem *p);

/* Replaces the coefficients by the rows given in CSR form: row j holds var[e], coef[e] for
 * e in [start[j], start[j + 1]) (copied; start[0] = 0). Zero coefficients are dropped;
 * a row's entries may come in any order (they are sorted by variable). Fails (INTERNAL)
 * on a variable outside [0, n), a variable twice in one row or a non-finite
 * coefficient; NOMEM when out of memory. On failure the problem's rows are unchanged. */
int smug_mask_problem_set_rows(smug_mask_problem *p, const size_t *start, const int *var,
                               const double *coef, smug_error *err);

/* The same from a dense row-major k × n matrix a (small problems and tests). */
int smug_mask_problem_set_dense(smug_mask_problem *p, const double *a, smug_error *err);

/* a_ji (0 when not stored): a binary search in row j, for the rare random access; loops
 * walk the row or column lists instead. */
double smug_mask_problem_coef(const smug_mask_problem *p, int j, int i);

/* Bytes the problem owns (struct, rows, columns, per-row and per-variable arrays; not the
 * attached network), for memory reports. */
size_t smug_mask_problem_bytes(const smug_mask_problem *p);

/* Σ_c a_jc · m_c for row j, with m over variables (uint8 0/1, [n]). */
double smug_mask_problem_row_sum(const smug_mask_problem *p, int j, const uint8_t *m);

/* 1 when every row holds strictly for m (over variables), decided exactly (see problem.c),
 * and, when the network is attached (pl), m keeps the target class: smug_pl_margin at least
 * delta·(1 − 1e-6) (a solver's exact model may sit on the margin; double evaluation errs
 * by far less than that slack). */
int smug_mask_problem_satisfied(const smug_mask_problem *p, const uint8_t *m);

/* The attached network's target logit minus the largest other logit at mask m (0/1 over
 * variables), evaluated in double. p->pl must be set. INFINITY when there is one class. */
double smug_pl_margin(const smug_mask_problem *p, const uint8_t *m);

/* Number of ones in m[n]. */
int smug_mask_count(const uint8_t *m, int n);

/* Expands a variable mask m[n] into a cell mask out_cells[grid.n_cells] (cells that are not
 * variables get 0). */
void smug_mask_problem_cells(const smug_mask_problem *p, const uint8_t *m, uint8_t *out_cells);

/* Stable SMT-LIB name of variable i: "m_<row>_<col>" of its grid cell. */
const char *smug_mask_var_name(const smug_mask_problem *p, int i, char *buf, size_t n);

#endif
