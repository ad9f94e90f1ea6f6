/* winrate.h — Win%: on what share of the inputs each method has the best LSC (eval/winrate.c,
 * issue #5).
 *
 * Input: a table lsc[i·n_methods + m] of LSC values (lsc.h; lower is better) for input i
 * and method m, and which methods compete (the paper leaves OptBox out: it is a bound, not an
 * explanation).
 *
 * Ties, deterministically: on each input, every competing method whose LSC is within `tol`
 * of that input's best (|lsc − best| <= tol) shares the win equally, 1/k each for k tied
 * methods. Shares therefore add up to 1 over the competing methods, and the result does not
 * depend on the order of the methods. tol absorbs float32 rounding when two methods pick the
 * same box but it is classified in different batches; 1e-6 is a sensible value, 0 demands
 * exact equality.
 * Missing values: a NaN LSC (a method that failed on that input) never wins; an input on
 * which every competing method is NaN is left out of the count (out_counted).
 *
 * Output: out_share[m] in [0, 1] = wins of m / counted inputs (multiply by 100 for a
 * percentage); NaN for methods that do not compete, and for every method when no input
 * counted. Errors: USAGE for negative sizes, negative or NaN tol, or no competing method.
 */
#ifndef SMUG_WINRATE_H
#define SMUG_WINRATE_H

#include <stdint.h>

#include "smug/error.h"

/* compete[n_methods]: nonzero = the method takes part. out_share[n_methods]; out_counted
 * (may be NULL): the number of inputs counted. */
int smug_winrate(const double *lsc, int n_inputs, int n_methods, const uint8_t *compete, double tol,
                 double *out_share, int *out_counted, smug_error *err);

#endif
