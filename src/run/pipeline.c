/* pipeline.c — the stages of design §1 for one input, in order, with their timings.
 *
 * It passes plain values between modules (arrays of neuron ids, attributions), so the
 * modules never include each other: nn/ knows no explanation, explain/ knows no solver.
 */
#include "smug/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/encode.h"
#include "smug/forward.h"
#include "smug/fullnet.h"
#include "smug/process.h"
#include "smug/prunegrad.h"
#include "smug/score.h"
#include "smug/select.h"
#include "smug/solve_parts.h"

double smug_now(void)
{
    return smug_process_now(); /* one clock for stage timings and solver deadlines */
}

int smug_pipeline_target(const smug_net *net, const float *logits, int requested, int *out_target,
                         smug_error *err)
{
    *out_target = requested >= 0 ? requested : smug_argmax(logits, net->n_classes);
    if (*out_target >= net->n_classes)
        return smug_fail(err, SMUG_ERR_USAGE, "target must be below %d classes: got %d",
                         net->n_classes, *out_target);
    return 0;
}

void smug_explanation_clear(smug_explanation *e)
{
    free(e->logits);
    free(e->first_pre);
    free(e->ig_first);
    free(e->neurons);
    memset(e, 0, sizeof *e);
}

/* --select prunegrad: the top-k first-layer neurons by PruneGrad's signed Taylor importance
 * among those that survive its pruning (prunegrad.h); IG still scores the saliency map. */
static int select_prunegrad(const smug_net *net, const float *x, const smug_params *params,
                            smug_explanation *out, smug_error *err)
{
    size_t n = out->n_first;
    float *grad = malloc(smug_shape_size(&net->input) * sizeof *grad);
    float *imp = malloc(n * sizeof *imp);
    uint8_t *kept = malloc(n ? n : 1);
    smug_prunegrad_opts o = {out->target, params->ig_output == 1, params->prune_keep};
    int rc = grad && imp && kept ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_prunegrad(net, x, &o, grad, imp, kept, NULL, err);
    for (size_t j = 0; rc == 0 && j < n; j++)
        imp[j] = kept[j] ? imp[j] : 0.0f; /* a pruned neuron does not qualify */
    if (rc == 0) {
        out->n_neurons = smug_select_topk(out->first_pre, imp, n, params->top_k, out->neurons);
        if (out->n_neurons < 0)
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    free(grad), free(imp), free(kept);
    return rc;
}

/* The share of an input's time that IG may take (see smug_pipeline_neurons). */
#define IG_SHARE 0.75

int smug_pipeline_neurons(const smug_net *net, const float *x, const smug_params *params,
                          smug_explanation *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    out->deadline = smug_now() + params->timeout; /* one deadline for the whole input */
    size_t n = smug_net_first_size(net);
    out->n_first = n;
    out->logits = malloc((size_t)net->n_classes * sizeof(float));
    out->first_pre = malloc(n * sizeof(float));
    out->ig_first = malloc(n * sizeof(float));
    out->neurons = malloc((size_t)params->top_k * sizeof(int));
    if (!out->logits || !out->first_pre || !out->ig_first || !out->neurons)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (smug_net_eval(net, x, out->logits, out->first_pre, err) < 0)
        return -1;
    out->predicted = smug_argmax(out->logits, net->n_classes);
    if (smug_pipeline_target(net, out->logits, params->target, &out->target, err) < 0)
        return -1;
    out->confidence = smug_class_score(out->logits, net->n_classes, out->target, 1);
    smug_ig_opts o = SMUG_IG_OPTS_INIT;
    o.steps = params->steps;
    o.target = out->target;
    o.prob = params->ig_output == 1;
    o.budget = (size_t)params->ig_memory << 20;
    /* IG may use at most IG_SHARE of the input's time: the mask phases after it (encoding,
     * the search, the verifying forward pass, the files) need the rest, and at 224x224 a
     * deadline-cut IG that ran to the deadline left them nothing (--timeout 8: 9.3 s). */
    o.deadline = smug_now() + IG_SHARE * params->timeout;
    double t0 = smug_now();
    if (smug_ig_first(net, x, &o, out->ig_first, NULL, &out->check, err) < 0)
        return -1;
    out->seconds_ig = smug_now() - t0;
    if (params->select == 1) /* --select prunegrad */
        return select_prunegrad(net, x, params, out, err);
    out->n_neurons =
        smug_select_topk(out->first_pre, out->ig_first, n, params->top_k, out->neurons);
    if (out->n_neurons < 0)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    return 0;
}

void smug_mask_result_clear(smug_mask_result *r)
{
    smug_mask_problem_free(r->problem);
    smug_bounds_clear(&r->bounds);
    smug_solve_result_clear(&r->solve);
    free(r->cells);
    free(r->base_map);
    free(r->saliency);
    memset(r, 0, sizeof *r);
}

static int solve_stage(const smug_params *params, const smug_solver *solver,
                       const smug_solver *confirm, double deadline, smug_mask_result *out,
                       smug_error *err)
{
    char source[256];
    const smug_mask_problem *p = out->problem;
    snprintf(source, sizeof source, "smug %s: %d neurons, gamma %g, %dx%d cells of %d pixels",
             SMUG_VERSION, p->k, p->gamma, p->grid.rows, p->grid.cols, p->grid.win);
    smug_solve_options o = {(smug_strategy)params->strategy,
                            params->timeout,
                            params->mem_limit,
                            source,
                            0,
                            confirm,
                            0,
                            params->lp_share,
                            deadline};
    double t0 = smug_now();
    int rc = smug_solve_parts(p, &out->bounds, solver, &o, &out->solve, err);
    out->seconds_solve = smug_now() - t0;
    return rc;
}

static int score_stage(const smug_net *net, const smug_params *params, const smug_explanation *e,
                       smug_mask_result *out, smug_error *err)
{
    smug_score_dims(net, &out->map_h, &out->map_w);
    size_t n = (size_t)out->map_h * (size_t)out->map_w;
    out->base_map = malloc(n * sizeof *out->base_map);
    out->saliency = malloc(n * sizeof *out->saliency);
    if (!out->base_map || !out->saliency)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (smug_score_base(net, out->problem->neuron, out->problem->k, e->ig_first,
                        (smug_score_rule)params->score, out->base_map, err) < 0)
        return -1;
    smug_score_masked(&out->problem->grid, out->cells, out->base_map, out->saliency);
    return 0;
}

/* The class the full-net encoding keeps on top: the target parameter, or the prediction. */
static int full_target(const smug_net *net, const float *x, const smug_params *params,
                       int *out_target, smug_error *err)
{
    smug_trace t;
    int rc = smug_forward(net, 0, net->n_layers, x, 1, &t, err);
    if (rc == 0)
        rc = smug_pipeline_target(net, smug_trace_output(&t), params->target, out_target, err);
    smug_trace_clear(&t);
    return rc;
}

/* --net-encoding full: the claim "keeps the class" is made only when smug's own evaluation
 * of the encoding and the float32 forward pass both agree with the solver. */
static void class_check(const smug_explanation *e, smug_mask_result *out)
{
    const smug_mask_problem *p = out->problem;
    const smug_pl_net *pl = p->pl;
    double margin = smug_pl_margin(p, out->solve.mask);
    out->class_margin = margin;
    /* the solver's exact answer may sit on the margin; double evaluation errs far less */
    int in_encoding = margin >= pl->delta * (1.0 - 1e-6);
    int forward = out->verdict.masked_predicted == pl->target && e->predicted == pl->target;
    out->class_proved = in_encoding && forward;
    if (!in_encoding)
        snprintf(out->class_note, sizeof out->class_note,
                 "full-net encoding: the mask puts class %d only %.6g above the next class in "
                 "smug's evaluation of the encoding, below the margin %g: the solver's claim is "
                 "not taken",
                 pl->target, margin, pl->delta);
    else if (!forward)
        snprintf(out->class_note, sizeof out->class_note,
                 "full-net encoding: the mask keeps class %d by %.6g >= %g in exact arithmetic, "
                 "but the float32 forward pass predicts %d: the margin is too small for float "
                 "rounding (raise --margin); keeps_class is the forward pass's",
                 pl->target, margin, pl->delta, out->verdict.masked_predicted);
}

/* Appends "; what" (or "what") to the stage notes of out. */
static void add_note(smug_mask_result *out, const char *what)
{
    size_t len = strlen(out->note);
    snprintf(out->note + len, sizeof out->note - len, "%s%s", len ? "; " : "", what);
}

int smug_pipeline_problem(const smug_net *net, const float *x, const smug_params *params,
                          const int *neurons, int k, double deadline, smug_mask_result *out,
                          smug_error *err)
{
    memset(out, 0, sizeof *out);
    double t0 = smug_now();
    /* a quarter of the time limit, at most 2 s, for GLPK to find a better incumbent; with a
     * deadline, a quarter of what is left of it */
    double span = deadline > 0.0 ? deadline - t0 : params->timeout;
    double mip_seconds = span / 4 < 2.0 ? span / 4 : 2.0;
    if (smug_encode(net, x, neurons, k, params->gamma, params->window, &out->problem, err) < 0)
        return -1;
    if (params->net_encoding == 1) {
        int target = -1;
        if (full_target(net, x, params, &target, err) < 0 ||
            smug_fullnet_attach(net, x, target, params->margin, &out->problem, err) < 0 ||
            smug_bounds_all_kept(out->problem, &out->bounds, err) < 0)
            return -1;
    } else {
        if (smug_bounds_compute_until(out->problem, deadline, &out->bounds, err) < 0)
            return -1;
        if (deadline > 0.0 && deadline - smug_now() < 4 * mip_seconds)
            mip_seconds = (deadline - smug_now()) / 4; /* encoding and bounds took their share */
        if (smug_bounds_mip(out->problem, &out->bounds, mip_seconds, err) < 0)
            return -1;
        if (out->bounds.note[0])
            add_note(out, out->bounds.note);
    }
    out->seconds_encode = smug_now() - t0;
    return 0;
}

int smug_pipeline_finish(const smug_net *net, const float *x, const smug_params *params,
                         const smug_explanation *e, const char *solver_name, smug_mask_result *out,
                         smug_error *err)
{
    double t0 = smug_now();
    out->cells = malloc((size_t)out->problem->grid.n_cells);
    if (!out->cells)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    smug_mask_problem_cells(out->problem, out->solve.mask, out->cells);
    if (smug_verify_mask(net, x, out->problem, out->cells, e->target, &out->verdict, err) < 0)
        return -1;
    out->seconds_verify = smug_now() - t0;
    if (!out->verdict.ok)
        return smug_fail(err, SMUG_ERR_CHECK,
                         "the mask from %s (%s) fails the forward check at neuron %d "
                         "(slack %.3g)",
                         out->solve.incumbent_from, solver_name, out->verdict.failed_neuron,
                         out->verdict.min_slack);
    if (out->problem->pl)
        class_check(e, out);
    return score_stage(net, params, e, out, err);
}

int smug_pipeline_mask(const smug_net *net, const float *x, const smug_params *params,
                       const smug_explanation *e, const smug_solver *solver,
                       const smug_solver *confirm, smug_mask_result *out, smug_error *err)
{
    double deadline = e->deadline > 0.0 ? e->deadline : smug_now() + params->timeout;
    if (smug_pipeline_problem(net, x, params, e->neurons, e->n_neurons, deadline, out, err) < 0)
        return -1;
    if (e->check.steps_done > 0 && e->check.steps_done < params->steps) {
        char later[sizeof out->note], what[128]; /* IG came first: its note does too */
        snprintf(later, sizeof later, "%s", out->note);
        snprintf(what, sizeof what, "IG: %d of %d path points by the deadline", e->check.steps_done,
                 params->steps);
        out->note[0] = '\0';
        add_note(out, what);
        if (later[0])
            add_note(out, later);
    }
    if (solve_stage(params, solver, confirm, deadline, out, err) < 0)
        return -1;
    return smug_pipeline_finish(net, x, params, e, solver->name, out, err);
}

int smug_pipeline_mask_or_note(const smug_net *net, const float *x, const smug_params *params,
                               const smug_explanation *e, const smug_solver *solver,
                               smug_mask_result *out, char *note, size_t n, smug_error *err)
{
    smug_error merr = SMUG_ERROR_INIT;
    if (smug_pipeline_mask(net, x, params, e, solver, NULL, out, &merr) == 0)
        return 0;
    smug_mask_result_clear(out);
    if (merr.code != SMUG_ERR_SOLVER && merr.code != SMUG_ERR_CHECK) {
        *err = merr;
        return -1;
    }
    snprintf(note, n, "%s", merr.msg);
    return 1;
}
