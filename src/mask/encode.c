/* encode.c — the rows of the mask problem, a_jc = Σ_{p∈c} W1[j,p]·z_p (design §2).
 *
 * Each chosen neuron's receptive field is walked once with its weights, accumulating into
 * a per-cell vector; cells no row touches are then dropped. For a token model z is the
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

/* Adds W1[j,p]·z_p into per_cell[cell_of[p]] over neuron j's receptive field; returns
 * o_j = b_j + Σ_p W1[j,p]·z_p. */
static double accumulate_row(const smug_layer *l, size_t j, const float *z, const int *cell_of,
                             double *per_cell)
{
    double o = l->bias[j / (smug_shape_size(&l->out) / (size_t)l->n_out)];
    if (l->kind == SMUG_LAYER_DENSE) {
        const float *w = l->weight + j * (size_t)l->n_in;
        for (int p = 0; p < l->n_in; p++) {
            double v = (double)w[p] * (double)z[p];
            per_cell[cell_of[p]] += v;
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
                per_cell[cell_of[p]] += v;
                o += v;
            }
        }
    return o;
}

/* Copies the rows with o_j > 0 and the cells any of them touches into a new problem. */
static smug_mask_problem *compact(const double *rows, const double *o, const double *bias,
                                  const int *neurons, int k, int n_cells, double gamma)
{
    int kept = 0, n = 0;
    int *var_of = malloc((size_t)n_cells * sizeof *var_of);
    if (!var_of)
        return NULL;
    for (int c = 0; c < n_cells; c++)
        var_of[c] = -1;
    for (int j = 0; j < k; j++) {
        if (!(o[j] > 0.0))
            continue;
        kept++;
        for (int c = 0; c < n_cells; c++)
            if (rows[(size_t)j * (size_t)n_cells + (size_t)c] != 0.0 && var_of[c] < 0)
                var_of[c] = 0;
    }
    for (int c = 0; c < n_cells; c++)
        if (var_of[c] >= 0)
            var_of[c] = n++;
    smug_mask_problem *p = smug_mask_problem_new(kept, n);
    for (int c = 0; p && c < n_cells; c++)
        if (var_of[c] >= 0)
            p->cell[var_of[c]] = c;
    for (int j = 0, r = 0; p && j < k; j++) {
        if (!(o[j] > 0.0))
            continue;
        double abs_sum = 0.0;
        for (int c = 0; c < n_cells; c++) {
            double a = rows[(size_t)j * (size_t)n_cells + (size_t)c];
            if (var_of[c] >= 0)
                p->a[(size_t)r * (size_t)n + (size_t)var_of[c]] = a;
            abs_sum += fabs(a);
        }
        p->neuron[r] = neurons[j];
        p->o[r] = o[j];
        p->t[r] = gamma * o[j] - bias[j] + SMUG_ROW_MARGIN * abs_sum;
        r++;
    }
    if (p)
        p->gamma = gamma;
    free(var_of);
    return p;
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
    double *rows = calloc(kk * cells, sizeof *rows), *o = calloc(kk, sizeof *o);
    double *bias = calloc(kk, sizeof *bias);
    int rc =
        z && cell_of && rows && o && bias ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_encode_first_input(net, x, z, err);
    size_t per_out = smug_shape_size(&l->out) / (size_t)l->n_out;
    /* the cell of every first-layer input value: for tokens, the cell of the token whose
     * embedding holds it (all D dimensions of a token share one mask variable) */
    for (size_t p = 0; rc == 0 && p < n_in; p++)
        cell_of[p] = smug_grid_cell_of(&grid, smug_net_input_pos(net, p));
    for (int j = 0; rc == 0 && j < k; j++) {
        if (neurons[j] < 0 || (size_t)neurons[j] >= smug_net_first_size(net))
            rc = smug_fail(err, SMUG_ERR_INTERNAL, "neuron %d out of range", neurons[j]);
        else {
            o[j] = accumulate_row(l, (size_t)neurons[j], z, cell_of, rows + (size_t)j * cells);
            bias[j] = l->bias[(size_t)neurons[j] / per_out];
        }
    }
    smug_mask_problem *p = NULL;
    if (rc == 0 && !(p = compact(rows, o, bias, neurons, k, grid.n_cells, gamma)))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0 && p->k == 0)
        rc = smug_fail(err, SMUG_ERR_USAGE, "no chosen neuron has a positive pre-activation");
    if (rc == 0) {
        p->grid = grid;
        *out = p;
    } else {
        smug_mask_problem_free(p);
    }
    free(z), free(cell_of), free(rows), free(o), free(bias);
    return rc;
}
