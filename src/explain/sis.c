/* sis.c — the SIS baseline: backward selection over grid cells (sis.h; design §1 eval/).
 *
 * Everything reduces to one question asked many times: "among the kept cells, which one can
 * go while the target's probability stays highest?" (best_removal). Each question is one
 * batch — the current masked input with each candidate cell masked in turn — classified
 * through smug_net_logits in chunks that fit a fixed memory budget. Backward selection asks
 * it n times; the SIS is then read off the answers.
 */
#include "smug/sis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/forward.h"

#define SIS_BUDGET_BYTES ((size_t)32 << 20) /* candidate inputs + activations of one batch */

typedef struct sis_ctx {
    const smug_net *net;
    const smug_sis_opts *o;
    size_t size;   /* model input size */
    size_t *pos;   /* positions of every cell, cell c at pos[start[c] .. start[c+1]) */
    size_t *start; /* [n_cells + 1] */
    int n_cells;
    int rows;      /* candidates per forward pass */
    float *batch;  /* [rows x size] */
    float *logits; /* [rows x n_classes] */
    float *base;   /* [size]: x with the dropped cells at the baseline */
    int *cand;     /* [n_cells] */
    long evals;
} sis_ctx;

static double target_prob(const float *logits, int n, int target)
{
    float mx = logits[smug_argmax(logits, n)];
    double sum = 0.0;
    for (int k = 0; k < n; k++)
        sum += exp((double)logits[k] - (double)mx);
    return exp((double)logits[target] - (double)mx) / sum;
}

static void mask_cell(const sis_ctx *s, int cell, float *in)
{
    for (size_t k = s->start[cell]; k < s->start[cell + 1]; k++)
        in[s->pos[k]] = s->o->baseline;
}

/* s->base = x with every cell not in keep at the baseline. */
static void masked_input(sis_ctx *s, const float *x, const uint8_t *keep)
{
    memcpy(s->base, x, s->size * sizeof *s->base);
    for (int c = 0; c < s->n_cells; c++)
        if (!keep[c])
            mask_cell(s, c, s->base);
}

/* f of x with only the kept cells (one classification). */
static int prob_of(sis_ctx *s, const float *x, const uint8_t *keep, double *out, smug_error *err)
{
    masked_input(s, x, keep);
    if (smug_net_logits(s->net, s->base, 1, s->logits, err) < 0)
        return -1;
    s->evals++;
    *out = target_prob(s->logits, s->net->n_classes, s->o->target);
    return 0;
}

/* Among the kept cells (at least one), the one whose removal leaves f highest, the lowest
 * index on ties: *out_cell, and f after removing it: *out_p. */
static int best_removal(sis_ctx *s, const float *x, const uint8_t *keep, int *out_cell,
                        double *out_p, smug_error *err)
{
    int n = 0;
    for (int c = 0; c < s->n_cells; c++)
        if (keep[c])
            s->cand[n++] = c;
    masked_input(s, x, keep);
    *out_cell = -1;
    *out_p = -1.0;
    for (int i0 = 0; i0 < n; i0 += s->rows) {
        int nb = n - i0 < s->rows ? n - i0 : s->rows;
        for (int b = 0; b < nb; b++) {
            float *in = s->batch + (size_t)b * s->size;
            memcpy(in, s->base, s->size * sizeof *in);
            mask_cell(s, s->cand[i0 + b], in);
        }
        if (smug_net_logits(s->net, s->batch, nb, s->logits, err) < 0)
            return -1;
        s->evals += nb;
        for (int b = 0; b < nb; b++) {
            double p = target_prob(s->logits + (size_t)b * (size_t)s->net->n_classes,
                                   s->net->n_classes, s->o->target);
            if (p > *out_p) { /* strict: candidates ascend, so the lowest index keeps ties */
                *out_p = p;
                *out_cell = s->cand[i0 + b];
            }
        }
    }
    return 0;
}

/* Backward selection to the empty set: order[r] = the cell removed at step r, after[r] = f
 * of what is left after it. */
static int backward_select(sis_ctx *s, const float *x, int *order, double *after, smug_error *err)
{
    uint8_t *keep = malloc((size_t)s->n_cells);
    if (!keep)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    memset(keep, 1, (size_t)s->n_cells);
    int rc = 0;
    for (int r = 0; rc == 0 && r < s->n_cells; r++) {
        rc = best_removal(s, x, keep, &order[r], &after[r], err);
        if (rc == 0)
            keep[order[r]] = 0;
    }
    free(keep);
    return rc;
}

static int ctx_init(sis_ctx *s, const smug_net *net, const smug_grid *g, const smug_sis_opts *o,
                    smug_error *err)
{
    memset(s, 0, sizeof *s);
    s->net = net;
    s->o = o;
    s->size = smug_shape_size(&net->input);
    s->n_cells = g->n_cells;
    size_t per = s->size;
    for (int i = 0; i < net->n_layers; i++)
        per += smug_shape_size(&net->layers[i].out);
    size_t rows = SIS_BUDGET_BYTES / (per * sizeof(float));
    s->rows = rows < 1 ? 1 : rows < (size_t)g->n_cells ? (int)rows : g->n_cells;
    s->pos = malloc(s->size * sizeof *s->pos);
    s->start = malloc(((size_t)g->n_cells + 1) * sizeof *s->start);
    s->batch = malloc((size_t)s->rows * s->size * sizeof *s->batch);
    s->logits = malloc((size_t)s->rows * (size_t)net->n_classes * sizeof *s->logits);
    s->base = malloc(s->size * sizeof *s->base);
    s->cand = malloc((size_t)g->n_cells * sizeof *s->cand);
    if (!s->pos || !s->start || !s->batch || !s->logits || !s->base || !s->cand)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    size_t at = 0;
    for (int c = 0; c < g->n_cells; c++) {
        s->start[c] = at;
        at += smug_grid_cell_positions(g, c, s->pos + at, s->size - at);
    }
    s->start[g->n_cells] = at;
    return 0;
}

static void ctx_free(sis_ctx *s)
{
    free(s->pos), free(s->start), free(s->batch), free(s->logits), free(s->base), free(s->cand);
}

static int check_args(const smug_net *net, const smug_grid *g, const smug_sis_opts *o,
                      smug_error *err)
{
    if (!(o->threshold > 0.0 && o->threshold <= 1.0))
        return smug_fail(err, SMUG_ERR_USAGE, "SIS: threshold must be in (0, 1]: got %g",
                         o->threshold);
    if (o->target < 0 || o->target >= net->n_classes)
        return smug_fail(err, SMUG_ERR_USAGE, "SIS: target class %d is not in [0, %d)", o->target,
                         net->n_classes);
    if ((size_t)g->c * (size_t)g->h * (size_t)g->w != smug_shape_size(&net->input))
        return smug_fail(err, SMUG_ERR_USAGE,
                         "SIS: the grid (%dx%dx%d) is not over this model's input", g->c, g->h,
                         g->w);
    return 0;
}

/* The per-pixel map of sis.h from the removal order and the final mask; score[n_cells] is
 * scratch. */
static void fill_map(const smug_grid *g, const int *order, const uint8_t *mask, double *score,
                     float *map)
{
    for (int r = 0; r < g->n_cells; r++)
        score[order[r]] = (double)(r + 1) / g->n_cells + (mask[order[r]] ? 1.0 : 0.0);
    for (size_t p = 0; p < (size_t)g->h * (size_t)g->w; p++)
        map[p] = (float)score[smug_grid_cell_of(g, p)];
}

/* Steps 2 and 3 of sis.h, once f(all) >= τ is known. */
static int find_sis(sis_ctx *s, const float *x, const smug_grid *g, uint8_t *mask, float *map,
                    smug_sis_result *out, smug_error *err)
{
    int n = g->n_cells;
    int *order = malloc((size_t)n * sizeof *order);
    double *after = malloc((size_t)n * sizeof *after);
    int rc = order && after ? backward_select(s, x, order, after, err)
                            : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    /* shortest suffix S_k reaching τ; f(S_k) is after[n − k − 1] (S_n: everything, S_0: none) */
    int k = 0;
    while (rc == 0 && k < n && !(after[n - k - 1] >= s->o->threshold))
        k++;
    if (rc == 0) {
        memset(mask, 0, (size_t)n);
        for (int r = n - k; r < n; r++)
            mask[order[r]] = 1;
        out->n_kept = k;
        out->confidence = k < n ? after[n - k - 1] : out->confidence_full;
    }
    if (rc == 0 && map) /* `after` is spent: its room holds the cell scores */
        fill_map(g, order, mask, after, map);
    free(order);
    free(after);
    return rc;
}

int smug_sis(const smug_net *net, const float *x, const smug_grid *g, const smug_sis_opts *opts,
             uint8_t *out_mask, float *out_map, smug_sis_result *out, smug_error *err)
{
    if (check_args(net, g, opts, err) < 0)
        return -1;
    memset(out, 0, sizeof *out);
    memset(out_mask, 0, (size_t)g->n_cells);
    if (out_map)
        memset(out_map, 0, (size_t)g->h * (size_t)g->w * sizeof *out_map);
    sis_ctx s;
    int rc = ctx_init(&s, net, g, opts, err);
    if (rc == 0) {
        memset(out_mask, 1, (size_t)g->n_cells);
        rc = prob_of(&s, x, out_mask, &out->confidence_full, err);
        memset(out_mask, 0, (size_t)g->n_cells);
    }
    out->found = rc == 0 && out->confidence_full >= opts->threshold;
    if (out->found)
        rc = find_sis(&s, x, g, out_mask, out_map, out, err);
    out->n_evals = s.evals;
    ctx_free(&s);
    return rc < 0 ? smug_error_prefix(err, "SIS") : 0;
}
