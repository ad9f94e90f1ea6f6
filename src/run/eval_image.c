/* eval_image.c — the image kind of `smug eval` (evaluate.h, issue #5): each method yields a
 * per-pixel map (or, for the boxes, only a box) that goes through lsc.h's threshold sweep,
 * then deletion and insertion curves, and with params.sanity the randomisation check.
 *
 * The driver (evaluate.c) classifies the input, shares SMUG's neurons between smug and
 * smug_base and runs the method loop; this file only runs and measures one method on an
 * image. A method that fails on this input becomes a note and a NaN.
 */
#include "eval_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/backward.h"
#include "smug/curves.h"
#include "smug/encode.h"
#include "smug/forward.h"
#include "smug/gradcam.h"
#include "smug/ig.h"
#include "smug/pipeline.h"
#include "smug/prunegrad.h"
#include "smug/sanity.h"
#include "smug/score.h"
#include "smug/sis.h"
#include "smug/sparsity.h"

static float *new_map(const eval_state *v, smug_error *err)
{
    float *map = calloc((size_t)v->out->h * (size_t)v->out->w, sizeof *map);
    if (!map)
        smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    return map;
}

/* The LSC of r->map; methods without a mask keep the LSC box's area as sparsity. */
static int score_map(eval_state *v, smug_eval_result *r, smug_error *err)
{
    smug_lsc_map_opts o = SMUG_LSC_MAP_OPTS_INIT;
    o.levels = v->p.lsc_levels;
    if (smug_lsc_map(v->net, v->x, v->out->target, r->map, &o, &r->lsc, err) < 0)
        return -1;
    if (!r->has_mask)
        r->sparsity = r->lsc.area;
    r->ok = 1;
    return 0;
}

/* ---- the methods ---------------------------------------------------------------------- */

static int run_smug(eval_state *v, smug_eval_result *r, smug_error *err)
{
    smug_mask_result m;
    int got = eval_smug_mask(v, r, &m, err);
    if (got != 0)
        return got < 0 ? -1 : 0; /* a solver failure is this input's note */
    r->map = m.saliency;
    m.saliency = NULL;
    r->has_mask = 1;
    r->sparsity = smug_sparsity_cells(&m.problem->grid, m.cells);
    snprintf(r->note, sizeof r->note, "%s, %d of %d cells", smug_solve_status_name(m.solve.status),
             m.solve.size, m.problem->n);
    smug_mask_result_clear(&m);
    return score_map(v, r, err);
}

/* SMUG_base: strategy `base` keeps every cell a chosen neuron sees (a problem variable). */
static int run_smug_base(eval_state *v, smug_eval_result *r, smug_error *err)
{
    if (eval_need_neurons(v, err) < 0)
        return -1;
    double t0 = smug_now();
    smug_mask_problem *pb = NULL;
    if (smug_encode(v->net, v->x, v->e.neurons, v->e.n_neurons, v->p.gamma, v->p.window, &pb, err) <
        0)
        return -1;
    uint8_t *all = malloc((size_t)pb->n + 1), *cells = malloc((size_t)pb->grid.n_cells);
    int rc = 0;
    if (!all || !cells || !(r->map = new_map(v, err)))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0) {
        memset(all, 1, (size_t)pb->n + 1);
        smug_mask_problem_cells(pb, all, cells);
        r->sparsity = smug_sparsity_cells(&pb->grid, cells);
        r->has_mask = 1;
        rc = smug_score_base(v->net, v->e.neurons, v->e.n_neurons, v->e.ig_first,
                             (smug_score_rule)v->p.score, r->map, err);
    }
    r->seconds = v->seconds_neurons + smug_now() - t0;
    free(all);
    free(cells);
    smug_mask_problem_free(pb);
    return rc < 0 ? -1 : score_map(v, r, err);
}

/* Input-space attributions a[C·H·W] → per-pixel map: the channel sum (absmax = 0) or the
 * largest magnitude over channels (absmax = 1, the gradient saliency of Simonyan et al.). */
static void collapse_channels(const float *a, size_t size, size_t hw, int absmax, float *map)
{
    size_t c = hw ? size / hw : 0;
    for (size_t p = 0; p < hw; p++) {
        float s = 0.0f;
        for (size_t k = 0; k < c; k++) {
            float u = a[k * hw + p];
            if (absmax)
                s = fabsf(u) > s ? fabsf(u) : s;
            else
                s += u;
        }
        map[p] = s;
    }
}

/* integrated: 0 the plain gradient, 1 IG, 2 PruneGrad's pruned gradient. */
static int run_gradient(eval_state *v, smug_eval_result *r, int integrated, smug_error *err)
{
    double t0 = smug_now();
    size_t size = smug_shape_size(&v->net->input);
    float *a = malloc(size * sizeof *a);
    if (!a || !(r->map = new_map(v, err))) {
        free(a);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    int rc, prob = v->p.ig_output == 1;
    if (integrated == 2) {
        smug_prunegrad_opts o = {v->out->target, prob, v->p.prune_keep};
        rc = smug_prunegrad(v->net, v->x, &o, a, NULL, NULL, NULL, err);
    } else if (integrated) {
        smug_ig_opts o = SMUG_IG_OPTS_INIT;
        o.steps = v->p.steps;
        o.target = v->out->target;
        o.prob = prob;
        o.baseline = (float)v->p.baseline;
        o.budget = (size_t)v->p.ig_memory << 20;
        rc = smug_ig_input(v->net, v->x, &o, a, NULL, err);
    } else {
        rc = smug_grad_input(v->net, v->x, v->out->target, prob, a, NULL, err);
    }
    if (rc == 0)
        collapse_channels(a, size, (size_t)v->out->h * (size_t)v->out->w, integrated != 1, r->map);
    free(a);
    r->seconds = smug_now() - t0;
    return rc < 0 ? -1 : score_map(v, r, err);
}

static int run_gradcam(eval_state *v, smug_eval_result *r, smug_error *err)
{
    double t0 = smug_now();
    if (!(r->map = new_map(v, err)))
        return -1;
    smug_gradcam_opts o = SMUG_GRADCAM_OPTS_INIT;
    o.target = v->out->target;
    o.layer = v->p.gradcam_layer;
    o.prob = v->p.ig_output == 1;
    if (smug_gradcam(v->net, v->x, &o, r->map, err) < 0)
        return -1;
    r->seconds = smug_now() - t0;
    return score_map(v, r, err);
}

static int run_sis(eval_state *v, smug_eval_result *r, smug_error *err)
{
    double t0 = smug_now();
    smug_grid g;
    if (smug_grid_init(&g, &v->net->input, v->p.window, err) < 0)
        return -1;
    uint8_t *mask = malloc((size_t)g.n_cells);
    if (!mask || !(r->map = new_map(v, err))) {
        free(mask);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    smug_sis_opts o = SMUG_SIS_OPTS_INIT;
    o.target = v->out->target;
    o.threshold = v->p.sis_threshold;
    smug_sis_result s;
    int rc = smug_sis(v->net, v->x, &g, &o, mask, r->map, &s, err);
    r->seconds = smug_now() - t0;
    if (rc == 0 && s.found) {
        r->has_mask = 1;
        r->sparsity = smug_sparsity_cells(&g, mask);
        snprintf(r->note, sizeof r->note, "%d cells, p = %.3f", s.n_kept, s.confidence);
    } else if (rc == 0) {
        snprintf(r->note, sizeof r->note, "no SIS: p = %.3f is below sis_threshold %g",
                 s.confidence_full, o.threshold);
    }
    free(mask);
    if (rc < 0)
        return -1;
    return s.found ? score_map(v, r, err) : 0;
}

static int run_box(eval_state *v, smug_eval_result *r, int m, smug_error *err)
{
    double t0 = smug_now();
    int t = v->out->target, rc;
    if (m == SMUG_EVAL_CENTERBOX)
        rc = smug_lsc_centerbox(v->net, v->x, t, &r->lsc, err);
    else if (m == SMUG_EVAL_MAXBOX)
        rc = smug_lsc_maxbox(v->net, v->x, t, &r->lsc, err);
    else
        rc = smug_lsc_optbox(v->net, v->x, t, v->p.optbox_grid, &r->lsc, err);
    r->seconds = smug_now() - t0;
    if (rc < 0)
        return -1;
    r->sparsity = r->lsc.area;
    r->ok = 1;
    return 0;
}

/* Deletion and insertion curves of an ok map (curves.h); not counted in r->seconds. */
static int run_curves(eval_state *v, smug_eval_result *r, smug_error *err)
{
    smug_grid g;
    if (!r->ok || !r->map || smug_grid_init(&g, &v->net->input, v->p.window, err) < 0)
        return r->ok && r->map ? -1 : 0;
    if ((size_t)g.h * (size_t)g.w != (size_t)v->out->h * (size_t)v->out->w)
        return 0; /* a map that is not over the input's pixels has no cell order */
    int n = smug_curve_points(&g, v->p.curve_steps);
    int *order = malloc((size_t)g.n_cells * sizeof *order);
    r->curve_frac = malloc((size_t)n * sizeof(double));
    r->curve_del = malloc((size_t)n * sizeof(double));
    r->curve_ins = malloc((size_t)n * sizeof(double));
    int rc = order && r->curve_frac && r->curve_del && r->curve_ins
                 ? 0
                 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_curve_order(&g, r->map, order, err);
    if (rc == 0)
        rc = smug_curves(v->net, v->x, v->out->target, &g, order, v->p.curve_steps,
                         (float)v->p.baseline, r->curve_frac, r->curve_del, r->curve_ins, err);
    free(order);
    if (rc < 0)
        return -1;
    r->curve_n = n;
    r->auc_del = smug_curve_auc(r->curve_frac, r->curve_del, n);
    r->auc_ins = smug_curve_auc(r->curve_frac, r->curve_ins, n);
    return 0;
}

/* Method m alone (the randomisation check runs it on other models too). */
static int run_method_only(eval_state *v, int m, smug_error *err)
{
    smug_eval_result *r = &v->out->r[m];
    r->ran = 1;
    r->lsc.lsc = NAN;
    r->sparsity = NAN;
    switch (m) {
    case SMUG_EVAL_SMUG: return run_smug(v, r, err);
    case SMUG_EVAL_SMUG_BASE: return run_smug_base(v, r, err);
    case SMUG_EVAL_IG:
    case SMUG_EVAL_GRAD: return run_gradient(v, r, m == SMUG_EVAL_IG, err);
    case SMUG_EVAL_GRADCAM: return run_gradcam(v, r, err);
    case SMUG_EVAL_SIS: return run_sis(v, r, err);
    case SMUG_EVAL_PRUNEGRAD: return run_gradient(v, r, 2, err);
    default: return run_box(v, r, m, err);
    }
}

/* The randomisation check (sanity.h) for every map method that ran and is ok: the same
 * method on each randomised copy, the same target, its map ranked against the original. */
static int run_sanity(eval_state *v, smug_error *err)
{
    int steps = smug_sanity_layers(v->net);
    steps = steps < SMUG_EVAL_MAX_RHO ? steps : SMUG_EVAL_MAX_RHO;
    size_t hw = (size_t)v->out->h * (size_t)v->out->w;
    int rc = 0;
    for (int s = 1; rc == 0 && s <= steps; s++) {
        smug_net *rn = NULL;
        if (smug_sanity_net(v->net, s, 0x5eed0000u + (uint64_t)s, &rn, err) < 0)
            return -1;
        smug_eval_input tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.predicted = v->out->predicted, tmp.target = v->out->target;
        tmp.h = v->out->h, tmp.w = v->out->w;
        eval_state rv;
        memset(&rv, 0, sizeof rv);
        rv.net = rn, rv.x = v->x, rv.p = v->p, rv.solver = v->solver, rv.out = &tmp;
        rv.p.target = v->out->target; /* the class of the original model, not the random one's */
        for (int m = 0; rc == 0 && m < SMUG_EVAL_N_METHODS; m++) {
            smug_eval_result *r = &v->out->r[m];
            if (!r->ran || !r->ok || !r->map || !smug_eval_method_has_map(m))
                continue;
            rc = run_method_only(&rv, m, err);
            r->rho[r->n_rho++] = rc == 0 && tmp.r[m].ok && tmp.r[m].map
                                     ? smug_spearman(r->map, tmp.r[m].map, hw)
                                     : NAN;
        }
        smug_explanation_clear(&rv.e);
        smug_eval_input_clear(&tmp);
        smug_sanity_net_free(rn);
    }
    return rc;
}

/* ---- the kind ------------------------------------------------------------------------- */

static int image_setup(eval_state *v, const uint8_t *on, smug_error *err)
{
    (void)on, (void)err;
    smug_score_dims(v->net, &v->out->h, &v->out->w);
    return 0;
}

/* The method, then its deletion and insertion curves. */
static int image_method(eval_state *v, int m, smug_error *err)
{
    if (run_method_only(v, m, err) < 0)
        return -1;
    return run_curves(v, &v->out->r[m], err);
}

static int image_after(eval_state *v, smug_error *err)
{
    return v->p.sanity ? run_sanity(v, err) : 0;
}

static void image_clear(eval_state *v)
{
    (void)v; /* an image keeps nothing beyond the results */
}

const eval_kind smug_eval_image_kind = {image_setup, image_method, image_after, image_clear};
