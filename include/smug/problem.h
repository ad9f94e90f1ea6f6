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

#include "smug/grid.h"

typedef struct smug_mask_problem {
    int k;       /* rows */
    int n;       /* variables */
    int *neuron; /* [k] first-layer neuron (flat index into the first layer's output) */
    double *o;   /* [k] unmasked pre-activation o_j */
    double *t;   /* [k] threshold: the row holds when Σ_c a_jc m_c > t_j */
    double *a;   /* [k × n] row-major coefficients */
    int *cell;   /* [n] grid cell of variable i */
    double gamma;
    smug_grid grid; /* the cell map the variables index into */
} smug_mask_problem;

/* Allocates a problem with k rows and n variables (arrays zeroed). Caller frees with
 * smug_mask_problem_free. NULL when out of memory. */
smug_mask_problem *smug_mask_problem_new(int k, int n);

void smug_mask_problem_free(smug_mask_problem *p);

/* Σ_c a_jc · m_c for row j, with m over variables (uint8 0/1, [n]). */
double smug_mask_problem_row_sum(const smug_mask_problem *p, int j, const uint8_t *m);

/* 1 when every row holds strictly for m (over variables), decided exactly (see problem.c). */
int smug_mask_problem_satisfied(const smug_mask_problem *p, const uint8_t *m);

/* Number of ones in m[n]. */
int smug_mask_count(const uint8_t *m, int n);

/* Expands a variable mask m[n] into a cell mask out_cells[grid.n_cells] (cells that are not
 * variables get 0). */
void smug_mask_problem_cells(const smug_mask_problem *p, const uint8_t *m, uint8_t *out_cells);

/* Stable SMT-LIB name of variable i: "m_<row>_<col>" of its grid cell. */
const char *smug_mask_var_name(const smug_mask_problem *p, int i, char *buf, size_t n);

#endif
