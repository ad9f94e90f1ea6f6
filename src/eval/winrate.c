/* winrate.c — Win% over a table of LSC values (winrate.h).
 *
 * The last number of the evaluation table: per input, which compared method reached the
 * lowest LSC. Ties split the win, so the shares of a table add up to 100 % and reordering
 * the methods changes nothing (winrate.h says why that matters).
 */
#include "smug/winrate.h"

#include <math.h>
#include <stddef.h>

/* Lowest non-NaN LSC of the competing methods on one input row; NaN when there is none. */
static double row_best(const double *row, int n_methods, const uint8_t *compete)
{
    double best = NAN;
    for (int m = 0; m < n_methods; m++)
        if (compete[m] && !isnan(row[m]) && (isnan(best) || row[m] < best))
            best = row[m];
    return best;
}

int smug_winrate(const double *lsc, int n_inputs, int n_methods, const uint8_t *compete, double tol,
                 double *out_share, int *out_counted, smug_error *err)
{
    if (n_inputs < 0 || n_methods < 1)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "win%%: need inputs >= 0 and methods >= 1: got %d, %d", n_inputs,
                         n_methods);
    if (!(tol >= 0.0))
        return smug_fail(err, SMUG_ERR_USAGE, "win%%: tie tolerance must be >= 0: got %g", tol);
    int n_compete = 0, counted = 0;
    for (int m = 0; m < n_methods; m++) {
        n_compete += compete[m] != 0;
        out_share[m] = 0.0;
    }
    if (n_compete == 0)
        return smug_fail(err, SMUG_ERR_USAGE, "win%%: no method competes");
    for (int i = 0; i < n_inputs; i++) {
        const double *row = lsc + (size_t)i * (size_t)n_methods;
        double best = row_best(row, n_methods, compete);
        if (isnan(best))
            continue;
        int k = 0;
        for (int m = 0; m < n_methods; m++)
            k += compete[m] && !isnan(row[m]) && row[m] <= best + tol;
        for (int m = 0; m < n_methods; m++)
            if (compete[m] && !isnan(row[m]) && row[m] <= best + tol)
                out_share[m] += 1.0 / k;
        counted++;
    }
    for (int m = 0; m < n_methods; m++)
        out_share[m] = compete[m] && counted ? out_share[m] / counted : NAN;
    if (out_counted)
        *out_counted = counted;
    return 0;
}
