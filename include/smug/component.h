/* component.h — the mask problem split into independent parts (issue #12 item 3;
 * mask/component.c).
 *
 * A conv neuron sees a small patch, so a row touches a few cells. Cells linked through a
 * row that some mask can break (Σ of its negative coefficients over the cells that are not
 * fixed to 0 is ≤ t_j: keeping all of them breaks it) form a component; a row no mask breaks
 * links nothing. The components' minimum masks are independent: their union is a minimum
 * mask of the whole, and the whole's lower bound is the sum of theirs.
 *
 * Soundness does not rest on the split being right. A component's sub-problem keeps the
 * rows of p whose nonzero coefficients outside the fixed-0 cells all lie in the component
 * (restricted to its cells they say the same under the facts) and drops the others
 * (fewer rows: a weaker problem). So every mask of p that keeps the facts is, on each
 * component's cells, a mask of that component's sub-problem, and a lower bound proved for
 * each sub-problem bounds that part of the mask; over disjoint components they add up.
 * A wrong split can only make the bound weaker, or the union of the parts' masks break
 * a row of p (which the caller checks exactly, as for any mask).
 *
 * Ownership: a smug_components owns its arrays (smug_components_clear); a sub-problem is the
 * caller's (smug_mask_problem_free).
 */
#ifndef SMUG_COMPONENT_H
#define SMUG_COMPONENT_H

#include <stdint.h>

#include "smug/error.h"
#include "smug/problem.h"

typedef struct smug_components {
    int n;      /* components */
    int *of;    /* [p->n] component of variable i, -1 for a cell fixed to 0 */
    int *start; /* [n + 1] */
    int *cells; /* variables of component c, ascending: cells[start[c] .. start[c + 1]) */
} smug_components;

/* The components of p's variables that zero[n] (NULL: none) does not fix to 0, numbered by
 * their smallest variable. NOMEM only. */
int smug_components_find(const smug_mask_problem *p, const uint8_t *zero, smug_components *out,
                         smug_error *err);
void smug_components_clear(smug_components *c);

/* 1 when some mask (over the cells zero does not fix to 0) breaks row j. */
int smug_component_row_binding(const smug_mask_problem *p, const uint8_t *zero, int j);

/* The sub-problems of n_parts disjoint parts, part c being the variables
 * cells[start[c] .. start[c + 1]) of p (ascending; its sub-problem's variable v is
 * cells[start[c] + v]): each binding row of p whose nonzero coefficients outside the cells
 * zero fixes to 0 all lie in part c goes to part c, restricted to its cells; t, o, neuron,
 * gamma and the grid as in p. out[n_parts] is the caller's (smug_mask_problem_free each).
 * FORMAT when the parts overlap or name a variable out of range (why in err), USAGE for the
 * whole-network encoding (p->pl: it has no independent parts), NOMEM. */
int smug_component_problems(const smug_mask_problem *p, const uint8_t *zero, int n_parts,
                            const int *start, const int *cells, smug_mask_problem **out,
                            smug_error *err);

#endif
