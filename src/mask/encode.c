/* encode.c — the rows of the mask problem, a_jc = Σ_{p∈c} W1[j,p]·z_p (design §2).
 *
 * Each chosen neuron's receptive field is walked once with its weights, accumulating into
 * a per-cell scratch row that remembers which cells it touched; the row's nonzeros go
 * straight into a sparse list (no k × cells matrix, issue #12), and cells no row touches
 * are then dropped. For a token model z is the
 * embedding output and p ∈ c means "p is a dimension of a token in cell c", so a_jc is the
 * first layer's weights applied to token c's embedding within neuron j's window. Everything is in
 * double from the float32 weights and inputs, so o_j here is the exact value of the float data.
 */
#include "smug/encode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/forward.h"

#define SMUG_ROW_MARGIN 1e-5 /* δ_j = margin · Σ_c |a_jc|, see problem.h */

int smug_encode_first_input(const smug_net *net, const float *x, float *out_z, smug_error *err)
{
    size_t n = smug_shape_size(&net->layers[net->first].in);
    if (net->first == 0) {
        memcpy(out_z, x, n * sizeof *out_z);
        return 0;
    }
    smug_trace t;
    int rc = smug_forward(net, 0, net->first, x, 1, &t, err);
    if (rc == 0)
        memcpy(out_z, smug_trace_output(&t), n * sizeof *out_z);
    smug_trace_clear(&t);
    return rc;
}

/* One row's per-cell sums: dense scratch over the grid plus the list of cells touched, so
 * a row costs its receptive field, not the grid (issue #12). */
typedef struct row_acc {
    double *per_cell; /* [n_cells], zero outside the touched cells */
    uint8_t *seen;    /* [n_cells] */
    int *touched;     /* [n_cells] */
    int n_touched;
} row_acc;

static void acc_add(row_acc *r, int c, double v)
{
    if (!r->seen[c])
        r->seen[c] = 1, r->touched[r->n_touched++] = c;
    r->per_cell[c] += v;
}

/* Adds W1[j,p]·z_p into the row's cell sums over neuron j's receptive field; returns
 * o_j = b_j + Σ_p W1[j,p]·z_p. */
static double accumulate_row(const smug_layer *l, size_t j, const float *z, const int *cell_of,
                             row_acc *r)
{
    double o = l->bias[j / (smug_shape_size(&l->out) / (size_t)l->n_out)];
    if (l->kind == SMUG_LAYER_DENSE) {
        const float *w = l->weight + j * (size_t)l->n_in;
        for (int p = 0; p < l->n_in; p++) {
            double v = (double)w[p] * (double)z[p];
            acc_add(r, cell_of[p], v);
            o += v;
        }
        return o;
    }
    int ci, h, wd, co, ho, wo;
    smug_shape_chw(&l->in, &ci, &h, &wd);
    smug_shape_chw(&l->out, &co, &ho, &wo);
    const smug_window *win = &l->win;
    size_t plane = (size_t)ho * (size_t)wo;
    int ch = (int)(j / plane), oy = (int)(j % plane) / wo, ox = (int)(j % plane) % wo;
    for (int c = 0; c < ci; c++)
        for (int ky = 0; ky < win->kh; ky++) {
            int y = oy * win->sh - win->pad_top + ky;
            if (y < 0 || y >= h)
                continue;
            for (int kx = 0; kx < win->kw; kx++) {
                int xx = ox * win->sw - win->pad_left + kx;
                if (xx < 0 || xx >= wd)
                    continue;
                size_t p = ((size_t)c * (size_t)h + (size_t)y) * (size_t)wd + (size_t)xx;
                float w = l->weight[(((size_t)ch * (size_t)ci + (size_t)c) * (size_t)win->kh +
                                     (size_t)ky) *
                                        (size_t)win->kw +
                                    (size_t)kx];
                double v = (double)w * (double)z[p];
                acc_add(r, cell_of[p], v);
                o += v;
            }
        }
    return o;
}

static int by_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

/* The rows with o_j > 0, as (cell, a_jc ≠ 0) lists in increasing cell order. */
typedef struct rows {
    size_t *start; /* [kept + 1] */
    int *cell;     /* [len] (becomes the variable index in finish) */
    double *a;     /* [len] */
    size_t len, cap;
} rows;

/* Appends the row in r (cells in increasing order, as a dense loop visits them), clears r
 * and returns Σ_c |a_jc| summed in that order. */
static int rows_take(rows *rs, int kept, row_acc *r, int n_cells, double *out_abs)
{
    if (r->n_touched > n_cells / 8) { /* a dense row: a scan beats a sort */
        r->n_touched = 0;
        for (int c = 0; c < n_cells; c++)
            if (r->seen[c])
                r->touched[r->n_touched++] = c;
    } else {
        qsort(r->touched, (size_t)r->n_touched, sizeof *r->touched, by_int);
    }
    if (rs->len + (size_t)r->n_touched > rs->cap) {
        size_t cap = 2 * rs->cap + (size_t)r->n_touched;
        int *cell = realloc(rs->cell, cap * sizeof *cell);
        if (cell)
            rs->cell = cell;
        double *a = realloc(rs->a, cap * sizeof *a);
        if (a)
            rs->a = a;
        if (!cell || !a)
            return -1;
        rs->cap = cap;
    }
    double abs_sum = 0.0;
    for (int t = 0; t < r->n_touched; t++) {
        int c = r->touched[t];
        double a = r->per_cell[c];
        if (a != 0.0)
            rs->cell[rs->len] = c, rs->a[rs->len] = a, rs->len++;
        abs_sum += fabs(a);
        r->per_cell[c] = 0.0, r->seen[c] = 0;
    }
    r->n_touched = 0;
    rs->start[kept + 1] = rs->len;
    *out_abs = abs_sum;
    return 0;
}

/* The kept rows and the cells any of them touches, as a new problem (cells in grid order
 * become variables 0, 1, …, so each row stays in increasing variable order). */
static int finish(rows *rs, int kept, int n_cells, smug_mask_problem **out, smug_error *err)
{
    int n = 0;
    int *var_of = malloc(((size_t)n_cells + 1) * sizeof *var_of);
    if (!var_of)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int c = 0; c < n_cells; c++)
        var_of[c] = -1;
    for (size_t e = 0; e < rs->len; e++)
        var_of[rs->cell[e]] = 0;
    for (int c = 0; c < n_cells; c++)
        if (var_of[c] >= 0)
            var_of[c] = n++;
    smug_mask_problem *p = smug_mask_problem_new(kept, n);
    int rc = p ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int c = 0; rc == 0 && c < n_cells; c++)
        if (var_of[c] >= 0)
            p->cell[var_of[c]] = c;
    for (size_t e = 0; rc == 0 && e < rs->len; e++)
        rs->cell[e] = var_of[rs->cell[e]];
    if (rc == 0)
        rc = smug_mask_problem_set_rows(p, rs->start, rs->cell, rs->a, err);
    free(var_of);
    if (rc < 0)
        smug_mask_problem_free(p), p = NULL;
    *out = p;
    return rc;
}

int smug_encode(const smug_net *net, const float *x, const int *neurons, int k, double gamma,
                int window, smug_mask_problem **out, smug_error *err)
{
    *out = NULL;
    const smug_layer *l = &net->layers[net->first];
    size_t n_in = smug_shape_size(&l->in);
    if (net->input_is_tokens ? net->layers[0].kind != SMUG_LAYER_EMBED
                             : n_in != smug_shape_size(&net->input))
        return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                         "the first layer's input (%zu values) is neither the model input "
                         "reshaped nor its token embeddings",
                         n_in);
    smug_grid grid;
    if (smug_grid_init(&grid, &net->input, smug_net_window(net, window), err) < 0)
        return -1;
    size_t cells = (size_t)grid.n_cells, kk = k > 0 ? (size_t)k : 1;
    float *z = malloc(n_in * sizeof *z);
    int *cell_of = malloc(n_in * sizeof *cell_of);
    row_acc acc = {calloc(cells + 1, sizeof *acc.per_cell), calloc(cells + 1, 1),
                   malloc((cells + 1) * sizeof *acc.touched), 0};
    rows rs = {calloc(kk + 1, sizeof *rs.start), NULL, NULL, 0, 0};
    int rc = z && cell_of && acc.per_cell && acc.seen && acc.touched && rs.start
                 ? 0
                 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_encode_first_input(net, x, z, err);
    size_t per_out = smug_shape_size(&l->out) / (size_t)l->n_out;
    /* the cell of every first-layer input value: for tokens, the cell of the token whose
     * embedding holds it (all D dimensions of a token share one mask variable) */
    for (size_t p = 0; rc == 0 && p < n_in; p++)
        cell_of[p] = smug_grid_cell_of(&grid, smug_net_input_pos(net, p));
    /* t_j etc. go into these until the row count is known */
    int *kept_neuron = malloc(kk * sizeof *kept_neuron);
    double *kept_o = malloc(kk * sizeof *kept_o), *kept_t = malloc(kk * sizeof *kept_t);
    if (rc == 0 && (!kept_neuron || !kept_o || !kept_t))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int kept = 0;
    for (int j = 0; rc == 0 && j < k; j++) {
        if (neurons[j] < 0 || (size_t)neurons[j] >= smug_net_first_size(net)) {
            rc = smug_fail(err, SMUG_ERR_INTERNAL, "neuron %d out of range", neurons[j]);
            break;
        }
        double o = accumulate_row(l, (size_t)neurons[j], z, cell_of, &acc);
        double bias = l->bias[(size_t)neurons[j] / per_out], abs_sum = 0.0;
        if (!(o > 0.0)) { /* no row: forget its sums */
            for (int t = 0; t < acc.n_touched; t++)
                acc.per_cell[acc.touched[t]] = 0.0, acc.seen[acc.touched[t]] = 0;
            acc.n_touched = 0;
            continue;
        }
        if (rows_take(&rs, kept, &acc, grid.n_cells, &abs_sum) < 0) {
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
            break;
        }
        kept_neuron[kept] = neurons[j], kept_o[kept] = o;
        kept_t[kept] = gamma * o - bias + SMUG_ROW_MARGIN * abs_sum;
        kept++;
    }
    smug_mask_problem *p = NULL;
    if (rc == 0)
        rc = finish(&rs, kept, grid.n_cells, &p, err);
    for (int r = 0; rc == 0 && r < kept; r++)
        p->neuron[r] = kept_neuron[r], p->o[r] = kept_o[r], p->t[r] = kept_t[r];
    if (rc == 0)
        p->gamma = gamma;
    if (rc == 0 && p->k == 0)
        rc = smug_fail(err, SMUG_ERR_USAGE, "no chosen neuron has a positive pre-activation");
    if (rc == 0) {
        p->grid = grid;
        *out = p;
    } else {
        smug_mask_problem_free(p);
    }
    free(z), free(cell_of), free(acc.per_cell), free(acc.seen), free(acc.touched);
    free(rs.start), free(rs.cell), free(rs.a), free(kept_neuron), free(kept_o), free(kept_t);
    return rc;
}
