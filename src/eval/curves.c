/* curves.c — deletion and insertion curves (curves.h): rank cells by a map, change them in
 * that order, and read the target's probability after each step.
 *
 * All inputs of both curves go through the network as one batch (2·(S+1) rows, built in
 * chunks so a large input does not need S copies at once). It does not judge a method: the
 * AUCs are numbers for the table; which is better is the reader's call (curves.h).
 */
#include "smug/curves.h"

#include <stdlib.h>
#include <string.h>

#include "smug/forward.h"

enum { CHUNK = 32 }; /* inputs per forward batch */

double smug_curve_auc(const double *x, const double *y, int n)
{
    double a = 0.0;
    for (int i = 1; i < n; i++)
        a += 0.5 * (x[i] - x[i - 1]) * (y[i] + y[i - 1]);
    return a;
}

typedef struct ranked {
    double score;
    int cell;
} ranked;

static int by_score(const void *a, const void *b)
{
    const ranked *p = a, *q = b;
    if (p->score != q->score)
        return p->score > q->score ? -1 : 1;
    return p->cell - q->cell;
}

int smug_curve_order(const smug_grid *g, const float *map, int *out_order, smug_error *err)
{
    ranked *r = calloc((size_t)g->n_cells, sizeof *r);
    if (!r)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int c = 0; c < g->n_cells; c++)
        r[c].cell = c;
    size_t hw = (size_t)g->h * (size_t)g->w;
    for (size_t p = 0; p < hw; p++)
        r[smug_grid_cell_of(g, p)].score += map[p]; /* channel 0's positions: one per pixel */
    qsort(r, (size_t)g->n_cells, sizeof *r, by_score);
    for (int c = 0; c < g->n_cells; c++)
        out_order[c] = r[c].cell;
    free(r);
    return 0;
}

int smug_curve_points(const smug_grid *g, int steps)
{
    return (steps < g->n_cells ? steps : g->n_cells) + 1;
}

/* Cells changed at point i of S: round(i · n / S). */
static int changed_at(int i, int S, int n)
{
    return (int)(((long)i * n + S / 2) / S);
}

/* Sets the positions of cells order[from, to) of z to the values of src. */
static void copy_cells(const smug_grid *g, const int *order, int from, int to, const float *src,
                       float *z, size_t *pos, size_t cap)
{
    for (int k = from; k < to; k++) {
        size_t n = smug_grid_cell_positions(g, order[k], pos, cap);
        for (size_t i = 0; i < n && i < cap; i++)
            z[pos[i]] = src[pos[i]];
    }
}

/* Runs rows [0, n) of batch and writes the target's probability into out. */
static int probs(const smug_net *net, const float *batch, int n, int target, float *logits,
                 double *out, smug_error *err)
{
    if (smug_net_logits(net, batch, n, logits, err) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        out[i] = smug_class_score(logits + (size_t)i * (size_t)net->n_classes, net->n_classes,
                                  target, 1);
    return 0;
}

/* One curve: start from `from` and move cells, in order, to `to`. */
static int curve(const smug_net *net, const smug_grid *g, const int *order, int S, int target,
                 const float *from, const float *to, double *out, smug_error *err)
{
    size_t size = (size_t)g->c * (size_t)g->h * (size_t)g->w, cap = smug_grid_max_cell_size(g);
    float *batch = malloc((size_t)CHUNK * size * sizeof *batch);
    float *cur = malloc(size * sizeof *cur);
    float *logits = malloc((size_t)CHUNK * (size_t)net->n_classes * sizeof *logits);
    size_t *pos = malloc((cap ? cap : 1) * sizeof *pos);
    int rc = batch && cur && logits && pos ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        memcpy(cur, from, size * sizeof *cur);
    int done = 0; /* cells moved so far */
    for (int i0 = 0; rc == 0 && i0 <= S; i0 += CHUNK) {
        int n = S + 1 - i0 < CHUNK ? S + 1 - i0 : CHUNK;
        for (int r = 0; r < n; r++) {
            int want = changed_at(i0 + r, S, g->n_cells);
            copy_cells(g, order, done, want, to, cur, pos, cap);
            done = want;
            memcpy(batch + (size_t)r * size, cur, size * sizeof *cur);
        }
        rc = probs(net, batch, n, target, logits, out + i0, err);
    }
    free(batch), free(cur), free(logits), free(pos);
    return rc;
}

int smug_curves(const smug_net *net, const float *x, int target, const smug_grid *g,
                const int *order, int steps, float baseline, double *out_frac, double *out_del,
                double *out_ins, smug_error *err)
{
    int S = smug_curve_points(g, steps) - 1;
    size_t size = (size_t)g->c * (size_t)g->h * (size_t)g->w;
    float *base = malloc(size * sizeof *base);
    if (!base)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < size; i++)
        base[i] = baseline;
    for (int i = 0; i <= S; i++)
        out_frac[i] = (double)changed_at(i, S, g->n_cells) / g->n_cells;
    int rc = curve(net, g, order, S, target, x, base, out_del, err);
    if (rc == 0)
        rc = curve(net, g, order, S, target, base, x, out_ins, err);
    free(base);
    return rc;
}
