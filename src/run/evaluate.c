/* evaluate.c — the one driver of `smug eval` on one input (evaluate.h): the method names,
 * the shared neurons, the classification on the full input and the method loop, for
 * images (eval_image.c) and token sequences (eval_text.c) alike.
 *
 * What a kind of input changes is behind eval_kind (eval_internal.h): its checks and
 * buffers, how each method runs and is measured, and what follows the methods. A method
 * that fails on this input becomes a note and NaNs in its kind, so one bad input never
 * hides the others; this file decides none of that.
 */
#include "smug/evaluate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"
#include "smug/forward.h"

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

int smug_eval_method_text(int m)
{
    return m == SMUG_EVAL_SMUG || m == SMUG_EVAL_SMUG_BASE || m == SMUG_EVAL_IG ||
           m == SMUG_EVAL_SIS;
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

int smug_eval_methods_parse_text(const char *list, uint8_t *out_on, smug_error *err)
{
    if (smug_eval_methods_parse(list ? list : "all", out_on, err) < 0)
        return -1;
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++) {
        if (!out_on[m] || smug_eval_method_text(m))
            continue;
        if (list && strcmp(list, "all") != 0)
            return smug_fail(err, SMUG_ERR_USAGE,
                             "--methods %s: not a text method (a token model takes smug, "
                             "smug_base, ig, sis)",
                             smug_eval_method_name(m));
        out_on[m] = 0;
    }
    if (out_on[SMUG_EVAL_IG] && !out_on[SMUG_EVAL_SMUG])
        return smug_fail(err, SMUG_ERR_USAGE,
                         "--methods ig on text needs smug: ig keeps as many words as smug did");
    return 0;
}

void smug_eval_input_clear(smug_eval_input *e)
{
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++) {
        smug_eval_result *r = &e->r[m];
        free(r->map);
        free(r->curve_frac), free(r->curve_del), free(r->curve_ins);
        free(r->kept), free(r->score);
    }
    memset(e, 0, sizeof *e);
}

int eval_need_neurons(eval_state *v, smug_error *err)
{
    if (v->have_e)
        return 0;
    double t0 = smug_now();
    if (smug_pipeline_neurons(v->net, v->x, &v->p, &v->e, err) < 0)
        return -1;
    v->e.deadline = 0.0; /* methods share e: each mask search gets the whole timeout */
    v->seconds_neurons = smug_now() - t0;
    v->have_e = 1;
    return 0;
}

int eval_smug_mask(eval_state *v, smug_eval_result *r, smug_mask_result *out, smug_error *err)
{
    if (eval_need_neurons(v, err) < 0)
        return -1;
    double t0 = smug_now();
    int got = smug_pipeline_mask_or_note(v->net, v->x, &v->p, &v->e, v->solver, out, r->note,
                                         sizeof r->note, err);
    if (got == 0)
        r->seconds = v->seconds_neurons + smug_now() - t0;
    return got;
}

/* Prediction, target and its probability on the full input. */
static int classify(eval_state *v, smug_error *err)
{
    const smug_net *net = v->net;
    if (!(v->logits = malloc((size_t)net->n_classes * sizeof *v->logits)))
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (smug_net_logits(net, v->x, 1, v->logits, err) < 0)
        return -1;
    v->out->predicted = smug_argmax(v->logits, net->n_classes);
    if (smug_pipeline_target(net, v->logits, v->p.target, &v->out->target, err) < 0)
        return -1;
    v->out->confidence = smug_class_score(v->logits, net->n_classes, v->out->target, 1);
    return 0;
}

/* Method m, its result marked as run with every number NaN until measured. */
static int run_method(const eval_kind *k, eval_state *v, int m, smug_error *err)
{
    smug_eval_result *r = &v->out->r[m];
    r->ran = 1;
    r->sparsity = r->lsc.lsc = r->auc_del = r->auc_ins = NAN;
    r->conf_kept = r->conf_removed = NAN;
    if (v->out->text) {
        r->kept = calloc((size_t)v->len, 1);
        r->score = calloc((size_t)v->len, sizeof *r->score);
        if (!r->kept || !r->score)
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    return k->method(v, m, err);
}

int smug_evaluate(const smug_net *net, const float *x, const smug_params *params,
                  const smug_solver *solver, const uint8_t *on, smug_eval_progress progress,
                  void *progress_arg, smug_eval_input *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    out->text = net->input_is_tokens;
    const eval_kind *k = out->text ? &smug_eval_text_kind : &smug_eval_image_kind;
    eval_state v;
    memset(&v, 0, sizeof v);
    v.net = net, v.x = x, v.p = *params, v.solver = solver, v.out = out;
    v.p.window = smug_net_window(net, params->window); /* 0 ("auto"): the model's own */
    int rc = k->setup(&v, on, err);
    if (rc == 0 && on[SMUG_EVAL_SMUG] && !solver)
        rc = smug_fail(err, SMUG_ERR_INTERNAL, "smug_evaluate: smug needs a solver");
    if (rc == 0)
        rc = classify(&v, err);
    for (int m = 0; rc == 0 && m < SMUG_EVAL_N_METHODS; m++) {
        if (!on[m])
            continue;
        if (progress)
            progress(progress_arg, m);
        if (run_method(k, &v, m, err) < 0)
            rc = smug_error_prefix(err, "%s", smug_eval_method_name(m));
    }
    if (rc == 0 && k->after)
        rc = k->after(&v, err);
    smug_explanation_clear(&v.e);
    k->clear(&v);
    free(v.logits);
    return rc;
}
