/* keepclass.c — the --keep-class search (keepclass.h): the pipeline's mask stages over a
 * ladder of k and γ until the masked input's forward pass keeps the predicted class.
 *
 * It reuses the explanation's IG (one IG per input, whatever the ladder): the top-k of every
 * rung is a prefix of one ranking of all qualifying neurons (select.h's order is a total
 * order, so the prefix is exactly what smug_select_topk returns for that k). It does not prove
 * that no smaller mask keeps the class: it reports the smallest among the masks it tried.
 */
#include "smug/keepclass.h"

#include <stdlib.h>
#include <string.h>

#include "smug/select.h"

typedef struct search {
    const smug_net *net;
    const float *x;
    const smug_params *params;
    const smug_explanation *e;
    const smug_solver *solver;
    const smug_solver *confirm; /* --confirm: re-decides the solver's leaves, or NULL */
    int *order;                 /* [n_first] every qualifying neuron, by decreasing IG */
    int n_order;
    smug_keep_result *keep;
} search;

/* k, 2k, 4k, … and finally every qualifying neuron; returns how many rungs. */
static int k_ladder(int k0, int n_order, int *ks, int cap)
{
    int n = 0;
    long k = k0 < n_order ? k0 : n_order;
    ks[n++] = (int)k;
    while (k < n_order && n < cap) {
        k = 2 * k < n_order ? 2 * k : n_order;
        ks[n++] = (int)k;
    }
    return n;
}

/* One attempt at (k, gamma) into *r. Returns 0 with a verified mask, 1 when a later
 * attempt's solver failed (recorded, *r freed), -1 on an error that ends the search. */
static int attempt(search *s, int k, double gamma, int first, smug_mask_result *r, smug_error *err)
{
    smug_params p = *s->params;
    p.gamma = gamma;
    p.top_k = k > 0 ? k : 1;
    smug_explanation ek = *s->e;
    ek.neurons = s->order;
    ek.n_neurons = k;
    if (!first)
        ek.deadline = 0.0; /* a retry has its own timeout, as --keep-class documents */
    smug_keep_attempt *a = &s->keep->attempt[s->keep->n_attempts++];
    *a = (smug_keep_attempt){k, gamma, -1, -1, -1, 0};
    int rc;
    if (first) {
        rc = smug_pipeline_mask(s->net, s->x, &p, &ek, s->solver, s->confirm, r, err);
    } else {
        char note[512];
        rc =
            smug_pipeline_mask_or_note(s->net, s->x, &p, &ek, s->solver, r, note, sizeof note, err);
    }
    if (rc != 0)
        return rc;
    a->mask_size = r->solve.size;
    a->status = (int)r->solve.status;
    a->predicted = r->verdict.masked_predicted;
    a->keeps_class = smug_keeps_class(s->e, r);
    return 0;
}

/* *dst = *src, keeping solve.proved_by valid: it may point into src's own proved_by_buf,
 * which a plain struct copy would leave pointing at src (a stack frame about to go). */
static void move_result(smug_mask_result *dst, const smug_mask_result *src)
{
    *dst = *src;
    if (src->solve.proved_by == src->solve.proved_by_buf)
        dst->solve.proved_by = dst->solve.proved_by_buf;
}

/* Runs the rungs (k below `below`, when it is > 0) at gamma; a mask that keeps the class
 * and is smaller than *best replaces it. Stops at the first rung that keeps the class: a
 * larger k only adds rows, so its optimal mask is no smaller. */
static int ladder(search *s, const int *ks, int n_ks, double gamma, int below,
                  smug_mask_result *best, int *best_i, smug_error *err)
{
    for (int i = 0; i < n_ks && (below <= 0 || ks[i] < below); i++) {
        if (s->keep->n_attempts == SMUG_KEEP_MAX_ATTEMPTS)
            return 0;
        smug_mask_result r;
        memset(&r, 0, sizeof r);
        int rc = attempt(s, ks[i], gamma, 0, &r, err);
        if (rc < 0) {
            smug_mask_result_clear(&r);
            return -1;
        }
        if (rc == 1)
            continue;
        const smug_keep_attempt *a = &s->keep->attempt[s->keep->n_attempts - 1];
        if (a->keeps_class && (*best_i < 0 || a->mask_size < best->solve.size)) {
            smug_mask_result_clear(best);
            move_result(best, &r);
            *best_i = s->keep->n_attempts - 1;
            return 0;
        }
        smug_mask_result_clear(&r);
        if (a->keeps_class)
            return 0;
    }
    return 0;
}

/* e's neurons become the chosen attempt's. */
static int adopt_neurons(search *s, smug_explanation *e, int k, smug_error *err)
{
    int *n = realloc(e->neurons, (size_t)(k > 0 ? k : 1) * sizeof *n);
    if (!n)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    memcpy(n, s->order, (size_t)k * sizeof *n);
    e->neurons = n;
    e->n_neurons = k;
    return 0;
}

int smug_keep_class_search(const smug_net *net, const float *x, const smug_params *params,
                           smug_explanation *e, const smug_solver *solver,
                           const smug_solver *confirm, smug_mask_result *out,
                           smug_params *out_params, smug_keep_result *keep, smug_error *err)
{
    memset(out, 0, sizeof *out);
    memset(keep, 0, sizeof *keep);
    *out_params = *params;
    search s = {
        net, x,   params, e, solver, confirm, malloc((e->n_first ? e->n_first : 1) * sizeof(int)),
        0,   keep};
    if (!s.order)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    s.n_order = smug_select_topk(e->first_pre, e->ig_first, e->n_first, (int)e->n_first, s.order);
    int ks[SMUG_KEEP_MAX_ATTEMPTS / 2];
    int n_ks =
        s.n_order < 0 ? 0 : k_ladder(e->n_neurons, s.n_order, ks, SMUG_KEEP_MAX_ATTEMPTS / 2);
    int rc = s.n_order < 0 ? smug_fail(err, SMUG_ERR_NOMEM, "out of memory")
                           : attempt(&s, ks[0], params->gamma, 1, out, err);
    smug_mask_result best;
    memset(&best, 0, sizeof best);
    int best_i = rc == 0 && keep->attempt[0].keeps_class ? 0 : -1;
    if (rc == 0 && best_i < 0)
        rc = ladder(&s, ks + 1, n_ks - 1, params->gamma, 0, &best, &best_i, err);
    if (rc == 0 && params->keep_class_gamma > params->gamma && best_i != 0)
        rc = ladder(&s, ks, n_ks, params->keep_class_gamma,
                    best_i > 0 ? keep->attempt[best_i].k : 0, &best, &best_i, err);
    if (rc == 0 && best_i > 0) {
        smug_mask_result_clear(out);
        move_result(out, &best);
    } else {
        smug_mask_result_clear(&best);
    }
    keep->kept = best_i >= 0;
    keep->chosen = best_i >= 0 ? best_i : 0;
    if (rc == 0) {
        out_params->top_k = keep->attempt[keep->chosen].k;
        out_params->gamma = keep->attempt[keep->chosen].gamma;
        rc = adopt_neurons(&s, e, keep->attempt[keep->chosen].k, err);
    }
    free(s.order);
    return rc;
}
