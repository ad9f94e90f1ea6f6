/* summary.c — the per-method rows of `smug eval`'s table: mean and spread of LSC, Win%,
 * mean sparsity and time (summary.h). Pure arithmetic over a filled table.
 */
#include "smug/summary.h"

#include <math.h>
#include <stdlib.h>

#include "smug/winrate.h"

/* Mean of v[i·stride] over the inputs where lsc[i·stride] is a number and v is too. */
static double column_mean(const double *lsc, const double *v, int n, int stride)
{
    double s = 0.0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        double u = v[(size_t)i * (size_t)stride];
        if (!isnan(lsc[(size_t)i * (size_t)stride]) && !isnan(u))
            s += u, k++;
    }
    return k ? s / k : NAN;
}

static void summarize_one(const double *lsc, const double *sparsity, const double *seconds, int n,
                          int stride, smug_summary *o)
{
    o->n = 0;
    for (int i = 0; i < n; i++)
        o->n += !isnan(lsc[(size_t)i * (size_t)stride]);
    o->lsc_mean = column_mean(lsc, lsc, n, stride);
    double ss = 0.0;
    for (int i = 0; i < n && o->n >= 2; i++) {
        double d = lsc[(size_t)i * (size_t)stride] - o->lsc_mean;
        ss += isnan(d) ? 0.0 : d * d;
    }
    o->lsc_sd = o->n >= 2 ? sqrt(ss / (o->n - 1)) : o->n == 1 ? 0.0 : NAN;
    o->sparsity_mean = column_mean(lsc, sparsity, n, stride);
    o->seconds_mean = column_mean(lsc, seconds, n, stride);
}

int smug_summarize(const double *lsc, const double *sparsity, const double *seconds, int n_inputs,
                   int n_methods, const uint8_t *compete, smug_summary *out, smug_error *err)
{
    if (n_inputs < 0 || n_methods < 1)
        return smug_fail(err, SMUG_ERR_USAGE, "summary: %d inputs, %d methods", n_inputs,
                         n_methods);
    double *win = malloc((size_t)n_methods * sizeof *win);
    if (!win)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int rc = smug_winrate(lsc, n_inputs, n_methods, compete, SMUG_SUMMARY_WIN_TOL, win, NULL, err);
    for (int m = 0; rc == 0 && m < n_methods; m++) {
        summarize_one(lsc + m, sparsity + m, seconds + m, n_inputs, n_methods, &out[m]);
        out[m].win = win[m];
    }
    free(win);
    return rc;
}

void smug_mean_sd(const double *v, int n, int stride, double *out_mean, double *out_sd, int *out_n)
{
    double sum = 0.0, ss = 0.0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(v[(size_t)i * (size_t)stride]))
            sum += v[(size_t)i * (size_t)stride], k++;
    double mean = k ? sum / k : NAN;
    for (int i = 0; i < n; i++) {
        double d = v[(size_t)i * (size_t)stride] - mean;
        if (!isnan(d))
            ss += d * d;
    }
    *out_mean = mean;
    *out_sd = k >= 2 ? sqrt(ss / (k - 1)) : k == 1 ? 0.0 : NAN;
    *out_n = k;
}
