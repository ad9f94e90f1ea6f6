/* evaluate.c — one input through every explanation method of `smug eval`, each scored by
 * LSC (evaluate.h, issue #5).
 *
 * SMUG and SMUG_base share the forward pass, the first-layer IG and the top-k neurons
 * (pipeline.h), computed once and charged to both. Each method yields a per-pixel map (or,
 * for the boxes, only a box); the map goes through lsc.h's threshold sweep. A method that
 * fails on this input becomes a note and a NaN, so one bad input never hides the others.
 */
#include "smug/evaluate.h"

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
#include "smug/plot.h"
#include "smug/prunegrad.h"
#include "smug/sanity.h"
#include "smug/score.h"
#include "smug/sis.h"
#include "smug/sparsity.h"

static const char *const method_names[SMUG_EVAL_N_METHODS] = {
    "smug", "smug_base", "ig",        "grad",   "gradcam",
    "sis",  "prunegrad", "centerbox", "maxbox", "optbox"};

const char *smug_eval_method_name(int m)
{
    return m >= 0 && m < SMUG_EVAL_N_METHODS ? method_names[m] : "?";
}

int smug_eval_method_find(const char *name)
{
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (strcmp(name, method_names[m]) == 0)
            return m;
    return -1;
}

int smug_eval_method_has_map(int m)
{
    return m >= 0 && m < SMUG_EVAL_CENTERBOX;
}

int smug_eval_methods_parse(const char *list, uint8_t *out_on, smug_error *err)
{
    memset(out_on, 0, SMUG_EVAL_N_METHODS);
    if (strcmp(list, "all") == 0) {
        memset(out_on, 1, SMUG_EVAL_N_METHODS);
        return 0;
    }
    int n = 0;
    for (const char *s = list; *s;) {
        size_t len = strcspn(s, ",");
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(len < 31 ? len : 31), s);
        int m = len < 31 ? smug_eval_method_find(name) : -1;
        if (m < 0)
            return smug_fail(err, SMUG_ERR_USAGE,
                             "--methods: unknown method '%s' (choose from smug, smug_base, ig, "
                             "grad, gradcam, sis, prunegrad, centerbox, maxbox, optbox, or "
                             "all)",
                             name);
        if (out_on[m])
            return smug_fail(err, SMUG_ERR_USAGE, "--methods: '%s' is listed twice", name);
        out_on[m] = 1;
        n++;
        s += len + (s[len] == ',');
    }
    return n ? 0 : smug_fail(err, SMUG_ERR_USAGE, "--methods: the list is empty");
}

void smug_eval_input_clear(smug_eval_input *e)
{
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++) {
        free(e->r[m].map);
        free(e->r[m].curve_frac), free(e->r[m].curve_del), free(e->r[m].curve_ins);
    }
    memset(e, 0, sizeof *e);
}

/* ---- the shared state of one input ---------------------------------------------------- */

typedef struct ev {
    const smug_net *net;
    const float *x;
    const smug_params *p;
    const smug_solver *solver;
    smug_eval_input *out;
    smug_explanation e; /* SMUG's neurons, once computed */
    int have_e;
    double seconds_neurons;
} ev;

static int need_neurons(ev *v, smug_error *err)
{
    if (v->have_e)
        return 0;
    double t0 = smug_now();
    if (smug_pipeline_neurons(v->net, v->x, v->p, &v->e, err) < 0)
        return -1;
    v->e.deadline = 0.0; /* methods share e: each mask search gets the whole timeout */
    v->seconds_neurons = smug_now() - t0;
    v->have_e = 1;
    return 0;
}

static float *new_map(const ev *v, smug_error *err)
{
    float *map = calloc((size_t)v->out->h * (size_t)v->out->w, sizeof *map);
    if (!map)
        smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    return map;
}

/* The LSC of r->map; methods without a mask keep the LSC box's area as sparsity. */
static int score_map(ev *v, smug_eval_result *r, smug_error *err)
{
    smug_lsc_map_opts o = SMUG_LSC_MAP_OPTS_INIT;
    o.levels = v->p->lsc_levels;
    if (smug_lsc_map(v->net, v->x, v->out->target, r->map, &o, &r->lsc, err) < 0)
        return -1;
    if (!r->has_mask)
        r->sparsity = r->lsc.area;
    r->ok = 1;
    return 0;
}

/* ---- the methods ---------------------------------------------------------------------- */

static int run_smug(ev *v, smug_eval_result *r, smug_error *err)
{
    if (need_neurons(v, err) < 0)
        return -1;
    double t0 = smug_now();
    smug_mask_result m;
    int got = smug_pipeline_mask_or_note(v->net, v->x, v->p, &v->e, v->solver, &m, r->note,
                                         sizeof r->note, err);
    if (got != 0)
        return got < 0 ? -1 : 0; /* a solver failure is this input's note */
    r->seconds = v->seconds_neurons + smug_now() - t0;
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
static int run_smug_base(ev *v, smug_eval_result *r, smug_error *err)
{
    if (need_neurons(v, err) < 0)
        return -1;
    double t0 = smug_now();
    smug_mask_problem *pb = NULL;
    if (smug_encode(v->net, v->x, v->e.neurons, v->e.n_neurons, v->p->gamma, v->p->window, &pb,
                    err) < 0)
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
                             (smug_score_rule)v->p->score, r->map, err);
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
static int run_gradient(ev *v, smug_eval_result *r, int integrated, smug_error *err)
{
    double t0 = smug_now();
    size_t size = smug_shape_size(&v->net->input);
    float *a = malloc(size * sizeof *a);
    if (!a || !(r->map = new_map(v, err))) {
        free(a);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    int rc, prob = v->p->ig_output == 1;
    if (integrated == 2) {
        smug_prunegrad_opts o = {v->out->target, prob, v->p->prune_keep};
        rc = smug_prunegrad(v->net, v->x, &o, a, NULL, NULL, NULL, err);
    } else if (integrated) {
        smug_ig_opts o = SMUG_IG_OPTS_INIT;
        o.steps = v->p->steps;
        o.target = v->out->target;
        o.prob = prob;
        o.baseline = (float)v->p->baseline;
        o.budget = (size_t)v->p->ig_memory << 20;
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

static int run_gradcam(ev *v, smug_eval_result *r, smug_error *err)
{
    double t0 = smug_now();
    if (!(r->map = new_map(v, err)))
        return -1;
    smug_gradcam_opts o = SMUG_GRADCAM_OPTS_INIT;
    o.target = v->out->target;
    o.layer = v->p->gradcam_layer;
    o.prob = v->p->ig_output == 1;
    if (smug_gradcam(v->net, v->x, &o, r->map, err) < 0)
        return -1;
    r->seconds = smug_now() - t0;
    return score_map(v, r, err);
}

static int run_sis(ev *v, smug_eval_result *r, smug_error *err)
{
    double t0 = smug_now();
    smug_grid g;
    if (smug_grid_init(&g, &v->net->input, v->p->window, err) < 0)
        return -1;
    uint8_t *mask = malloc((size_t)g.n_cells);
    if (!mask || !(r->map = new_map(v, err))) {
        free(mask);
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    smug_sis_opts o = SMUG_SIS_OPTS_INIT;
    o.target = v->out->target;
    o.threshold = v->p->sis_threshold;
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

static int run_box(ev *v, smug_eval_result *r, int m, smug_error *err)
{
    double t0 = smug_now();
    int t = v->out->target, rc;
    if (m == SMUG_EVAL_CENTERBOX)
        rc = smug_lsc_centerbox(v->net, v->x, t, &r->lsc, err);
    else if (m == SMUG_EVAL_MAXBOX)
        rc = smug_lsc_maxbox(v->net, v->x, t, &r->lsc, err);
    else
        rc = smug_lsc_optbox(v->net, v->x, t, v->p->optbox_grid, &r->lsc, err);
    r->seconds = smug_now() - t0;
    if (rc < 0)
        return -1;
    r->sparsity = r->lsc.area;
    r->ok = 1;
    return 0;
}

/* Deletion and insertion curves of an ok map (curves.h); not counted in r->seconds. */
static int run_curves(ev *v, smug_eval_result *r, smug_error *err)
{
    smug_grid g;
    if (!r->ok || !r->map || smug_grid_init(&g, &v->net->input, v->p->window, err) < 0)
        return r->ok && r->map ? -1 : 0;
    if ((size_t)g.h * (size_t)g.w != (size_t)v->out->h * (size_t)v->out->w)
        return 0; /* a map that is not over the input's pixels has no cell order */
    int n = smug_curve_points(&g, v->p->curve_steps);
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
        rc = smug_curves(v->net, v->x, v->out->target, &g, order, v->p->curve_steps,
                         (float)v->p->baseline, r->curve_frac, r->curve_del, r->curve_ins, err);
    free(order);
    if (rc < 0)
        return -1;
    r->curve_n = n;
    r->auc_del = smug_curve_auc(r->curve_frac, r->curve_del, n);
    r->auc_ins = smug_curve_auc(r->curve_frac, r->curve_ins, n);
    return 0;
}

static int run_method_only(ev *v, int m, smug_error *err);

static int run_method(ev *v, int m, smug_error *err)
{
    smug_eval_result *r = &v->out->r[m];
    r->auc_del = r->auc_ins = NAN;
    if (run_method_only(v, m, err) < 0)
        return -1;
    return run_curves(v, r, err);
}

static int run_method_only(ev *v, int m, smug_error *err)
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

/* Prediction and target on the full input. */
static int classify(const smug_net *net, const float *x, const smug_params *p, smug_eval_input *out,
                    smug_error *err)
{
    float *logits = malloc((size_t)net->n_classes * sizeof *logits);
    if (!logits)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int rc = smug_net_eval(net, x, logits, NULL, err);
    if (rc == 0) {
        out->predicted = smug_argmax(logits, net->n_classes);
        rc = smug_pipeline_target(net, logits, p->target, &out->target, err);
    }
    if (rc == 0)
        out->confidence = smug_class_score(logits, net->n_classes, out->target, 1);
    free(logits);
    return rc;
}

/* The randomisation check (sanity.h) for every map method that ran and is ok: the same
 * method on each randomised copy, the same target, its map ranked against the original. */
static int run_sanity(ev *v, smug_error *err)
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
        smug_params rp = *v->p;
        rp.target = v->out->target; /* the class of the original model, not the random one's */
        ev rv = {rn, v->x, &rp, v->solver, &tmp, {0}, 0, 0.0};
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

int smug_eval_methods_run(const uint8_t *on, smug_eval_progress progress, void *progress_arg,
                          smug_eval_method_fn run, void *state, smug_error *err)
{
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++) {
        if (!on[m])
            continue;
        if (progress)
            progress(progress_arg, m);
        if (run(state, m, err) < 0)
            return smug_error_prefix(err, "%s", smug_eval_method_name(m));
    }
    return 0;
}

static int method_fn(void *state, int m, smug_error *err)
{
    return run_method(state, m, err);
}

int smug_evaluate(const smug_net *net, const float *x, const smug_params *params,
                  const smug_solver *solver, const uint8_t *on, smug_eval_progress progress,
                  void *progress_arg, smug_eval_input *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    smug_score_dims(net, &out->h, &out->w);
    if (on[SMUG_EVAL_SMUG] && !solver)
        return smug_fail(err, SMUG_ERR_INTERNAL, "smug_evaluate: smug needs a solver");
    smug_params p = *params; /* window 0 ("auto") is the model's own for every method */
    p.window = smug_net_window(net, params->window);
    ev v = {net, x, &p, solver, out, {0}, 0, 0.0};
    int rc = classify(net, x, &p, out, err);
    if (rc == 0)
        rc = smug_eval_methods_run(on, progress, progress_arg, method_fn, &v, err);
    if (rc == 0 && p.sanity)
        rc = run_sanity(&v, err);
    smug_explanation_clear(&v.e);
    return rc;
}

int smug_eval_write_curves(const char *path, const smug_eval_input *const *in, int n_in,
                           smug_error *err)
{
    enum { NM = SMUG_EVAL_N_METHODS };
    int n = 0; /* points of the first input's curves: one model, one grid, so everyone's */
    for (int i = 0; i < n_in && !n; i++)
        for (int m = 0; m < NM && !n; m++)
            n = in[i]->r[m].curve_n;
    if (!n)
        return 0; /* no method with a map ran */
    double *buf = calloc((size_t)NM * 3 * (size_t)n, sizeof *buf);
    if (!buf)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    smug_plot_series del[NM], ins[NM];
    int ns = 0;
    for (int m = 0; m < NM; m++) {
        double *x = buf + (size_t)m * 3 * (size_t)n, *yd = x + n, *yi = yd + n;
        int k = 0;
        for (int i = 0; i < n_in; i++) {
            const smug_eval_result *e = &in[i]->r[m];
            if (e->curve_n != n)
                continue;
            for (int t = 0; t < n; t++)
                x[t] = e->curve_frac[t], yd[t] += e->curve_del[t], yi[t] += e->curve_ins[t];
            k++;
        }
        if (!k)
            continue;
        for (int t = 0; t < n; t++)
            yd[t] /= k, yi[t] /= k;
        del[ns] = (smug_plot_series){smug_eval_method_name(m), m, x, yd, n};
        ins[ns++] = (smug_plot_series){smug_eval_method_name(m), m, x, yi, n};
    }
    smug_plot_chart charts[2] = {{"deletion", del, ns}, {"insertion", ins, ns}};
    int rc = smug_plot_write(path, charts, 2, err);
    free(buf);
    return rc;
}
