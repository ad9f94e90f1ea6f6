/* summary.h — per-method summary of an evaluation table (eval/summary.c, issue #5).
 *
 * Input: per input i and method m (row-major, v[i·n_methods + m]) the LSC, the sparsity and
 * the seconds of that method on that input; NaN marks a method that did not run or failed
 * there. Per method, over the inputs where its LSC is not NaN (n):
 *  - lsc_mean, and lsc_sd, the sample standard deviation (divisor n − 1; 0 when n < 2);
 *  - sparsity_mean and seconds_mean over the same inputs (NaN values skipped);
 *  - win: smug_winrate's share among the methods with compete[m] set (ties split equally,
 *    tolerance SMUG_SUMMARY_WIN_TOL); NaN for methods that do not compete.
 * Every mean is NaN when n is 0.
 * Errors: USAGE for bad sizes or no competing method (from winrate.h). Nothing allocates
 * beyond the call; out[n_methods] is the caller's.
 */
#ifndef SMUG_SUMMARY_H
#define SMUG_SUMMARY_H

#include <stdint.h>

#include "smug/error.h"

#define SMUG_SUMMARY_WIN_TOL 1e-6

typedef struct smug_summary {
    int n; /* inputs with an LSC */
    double lsc_mean, lsc_sd;
    double win; /* share in [0, 1] */
    double sparsity_mean;
    double seconds_mean;
} smug_summary;

int smug_summarize(const double *lsc, const double *sparsity, const double *seconds, int n_inputs,
                   int n_methods, const uint8_t *compete, smug_summary *out, smug_error *err);

/* Mean and sample standard deviation (divisor n − 1; 0 when one value) of v[i·stride] for
 * i < n, NaN values skipped; *out_n counts the rest. Both NaN when none is left. */
void smug_mean_sd(const double *v, int n, int stride, double *out_mean, double *out_sd, int *out_n);

#endif
