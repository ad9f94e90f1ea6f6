/* eval_text.c — the text kind of `smug eval` (evaluate.h, issue #6): the methods on one
 * token sequence, scored by what the model still believes from the kept words.
 *
 * Every method ends the same way: a set of kept positions (restricted to seen words) and a
 * score per word; finish() turns that into the metrics, so the methods differ only in how
 * they choose words. The chosen neurons (the driver's, evaluate.c) and their mask problem
 * are computed once: SMUG and SMUG_base build on them, and every method's kept words are
 * verified against them.
 */
#include "eval_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/encode.h"
#include "smug/forward.h"
#include "smug/ig.h"
#include "smug/pipeline.h"
#include "smug/score.h"
#include "smug/sis.h"
#include "smug/verify.h"

/* The chosen neurons' mask problem (for SMUG_base and verification), built on first use. */
static int need_problem(eval_state *v, smug_error *err)
{
    if (v->pb)
        return 0;
    if (eval_need_neurons(v, err) < 0)
        return -1;
    double t1 = smug_now();
    if (smug_encode(v->net, v->x, v->e.neurons, v->e.n_neurons, v->p.gamma, v->p.window, &v->pb,
                    err) < 0)
        return -1;
    v->seconds_encode = smug_now() - t1;
    v->out->n_neurons = v->e.n_neurons;
    if (!(v->cells = malloc((size_t)v->pb->grid.n_cells)))
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    return 0;
}

/* Softmax probability of the target with the positions where kept[i] == drop_kept set to
 * pad_id. */
static int conf_with(eval_state *v, const uint8_t *kept, int drop_kept, double *out,
                     smug_error *err)
{
    for (int i = 0; i < v->len; i++)
        v->tmp[i] = (kept[i] != 0) == drop_kept ? (float)v->p.pad_id : v->x[i];
    if (smug_net_logits(v->net, v->tmp, 1, v->logits, err) < 0)
        return -1;
    *out = smug_class_score(v->logits, v->net->n_classes, v->out->target, 1);
    return 0;
}

/* r->kept is chosen: the metrics (evaluate.h). */
static int finish(eval_state *v, smug_eval_result *r, smug_error *err)
{
    r->n_kept = 0;
    for (int i = 0; i < v->len; i++)
        r->n_kept += r->kept[i] = r->kept[i] && v->seen[i];
    r->sparsity = (double)r->n_kept / (double)v->out->n_seen;
    if (conf_with(v, r->kept, 0, &r->conf_kept, err) < 0 ||
        conf_with(v, r->kept, 1, &r->conf_removed, err) < 0 || need_problem(v, err) < 0)
        return -1;
    memset(v->cells, 0, (size_t)v->pb->grid.n_cells);
    for (int i = 0; i < v->len; i++)
        if (r->kept[i])
            v->cells[smug_grid_cell_of(&v->pb->grid, (size_t)i)] = 1;
    smug_verdict vd;
    if (smug_verify_mask(v->net, v->x, v->pb, v->cells, v->out->target, &vd, err) < 0)
        return -1;
    r->verified = vd.ok;
    r->ok = 1;
    return 0;
}

/* ---- the methods ---------------------------------------------------------------------- */

static int run_smug(eval_state *v, smug_eval_result *r, smug_error *err)
{
    if (need_problem(v, err) < 0)
        return -1;
    smug_mask_result m;
    int got = eval_smug_mask(v, r, &m, err);
    if (got != 0)
        return got < 0 ? -1 : 0; /* a solver failure is this input's note */
    smug_score_mask_pixels(&m.problem->grid, m.cells, r->kept);
    memcpy(r->score, m.saliency, (size_t)v->len * sizeof *r->score);
    snprintf(r->note, sizeof r->note, "%s%s%s, %d of %d words",
             smug_solve_status_name(m.solve.status), m.solve.proved_by ? " by " : "",
             m.solve.proved_by ? m.solve.proved_by : "", m.solve.size, m.problem->n);
    smug_mask_result_clear(&m);
    return finish(v, r, err);
}

/* SMUG_base: every word a chosen neuron sees (every problem variable). */
static int run_smug_base(eval_state *v, smug_eval_result *r, smug_error *err)
{
    if (need_problem(v, err) < 0)
        return -1;
    double t0 = smug_now();
    uint8_t *all = malloc((size_t)v->pb->n + 1);
    if (!all)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    memset(all, 1, (size_t)v->pb->n + 1);
    smug_mask_problem_cells(v->pb, all, v->cells);
    smug_score_mask_pixels(&v->pb->grid, v->cells, r->kept);
    free(all);
    if (smug_score_base(v->net, v->e.neurons, v->e.n_neurons, v->e.ig_first,
                        (smug_score_rule)v->p.score, r->score, err) < 0)
        return -1;
    r->seconds = v->seconds_neurons + v->seconds_encode + smug_now() - t0;
    return finish(v, r, err);
}

/* IG per word, then the k seen words of highest score (the earlier on ties). */
static int run_ig(eval_state *v, smug_eval_result *r, smug_error *err)
{
    const smug_eval_result *s = &v->out->r[SMUG_EVAL_SMUG];
    if (!s->ok) {
        snprintf(r->note, sizeof r->note, "no smug mask on this input: no word count to match");
        return 0;
    }
    double t0 = smug_now();
    smug_ig_opts o = SMUG_IG_OPTS_INIT;
    o.steps = v->p.steps;
    o.target = v->out->target;
    o.prob = v->p.ig_output == 1;
    o.budget = (size_t)v->p.ig_memory << 20;
    if (smug_ig_tokens(v->net, v->x, &o, r->score, NULL, err) < 0)
        return -1;
    for (int k = 0; k < s->n_kept; k++) {
        int best = -1;
        for (int i = 0; i < v->len; i++)
            if (v->seen[i] && !r->kept[i] && (best < 0 || r->score[i] > r->score[best]))
                best = i;
        if (best < 0)
            break;
        r->kept[best] = 1;
    }
    r->seconds = smug_now() - t0;
    snprintf(r->note, sizeof r->note, "top %d words by IG (as many as smug)", s->n_kept);
    return finish(v, r, err);
}

static int run_sis(eval_state *v, smug_eval_result *r, smug_error *err)
{
    double t0 = smug_now();
    smug_grid g;
    if (smug_grid_init(&g, &v->net->input, 1, err) < 0)
        return -1;
    uint8_t *mask = malloc((size_t)g.n_cells);
    if (!mask)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    smug_sis_opts o = SMUG_SIS_OPTS_INIT;
    o.target = v->out->target;
    o.threshold = v->p.sis_threshold;
    o.baseline = (float)v->p.pad_id;
    smug_sis_result s;
    int rc = smug_sis(v->net, v->x, &g, &o, mask, r->score, &s, err);
    r->seconds = smug_now() - t0;
    if (rc == 0)
        smug_score_mask_pixels(&g, mask, r->kept);
    free(mask);
    if (rc < 0)
        return -1;
    if (!s.found) {
        snprintf(r->note, sizeof r->note, "no SIS: p = %.3f is below sis_threshold %g",
                 s.confidence_full, o.threshold);
        return 0;
    }
    snprintf(r->note, sizeof r->note, "p = %.3f on the subset", s.confidence);
    return finish(v, r, err);
}

static int text_method(eval_state *v, int m, smug_error *err)
{
    smug_eval_result *r = &v->out->r[m];
    switch (m) {
    case SMUG_EVAL_SMUG: return run_smug(v, r, err);
    case SMUG_EVAL_SMUG_BASE: return run_smug_base(v, r, err);
    case SMUG_EVAL_IG: return run_ig(v, r, err);
    default: return run_sis(v, r, err);
    }
}

/* ---- setup ---------------------------------------------------------------------------- */

/* Masking by pad_id removes a word only when its embedding row is zero. */
static int check_pad(const smug_net *net, int pad, smug_error *err)
{
    const smug_layer *l = &net->layers[0];
    if (!net->input_is_tokens || l->kind != SMUG_LAYER_EMBED)
        return smug_fail(err, SMUG_ERR_UNSUPPORTED, "text evaluation needs a token model");
    if (pad < 0 || pad >= l->n_in)
        return smug_fail(err, SMUG_ERR_USAGE, "pad_id %d is not in the vocabulary [0, %d)", pad,
                         l->n_in);
    for (int d = 0; d < l->n_out; d++)
        if (l->weight[(size_t)pad * (size_t)l->n_out + (size_t)d] != 0.0f)
            return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                             "pad_id %d: its embedding row is not zero, so padding a word would "
                             "not remove it",
                             pad);
    return 0;
}

static int text_setup(eval_state *v, const uint8_t *on, smug_error *err)
{
    v->len = (int)smug_shape_size(&v->net->input);
    v->out->len = v->len;
    if (check_pad(v->net, v->p.pad_id, err) < 0)
        return -1;
    if (v->p.window != 1)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "text evaluation takes one word a cell: window must be 1 (or 0, auto), "
                         "got %d",
                         v->p.window);
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (on[m] && !smug_eval_method_text(m))
            return smug_fail(err, SMUG_ERR_USAGE, "%s is not a text method",
                             smug_eval_method_name(m));
    v->seen = malloc((size_t)v->len);
    v->tmp = malloc((size_t)v->len * sizeof *v->tmp);
    if (!v->seen || !v->tmp)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < v->len; i++)
        v->out->n_seen += v->seen[i] = (int)v->x[i] != v->p.pad_id;
    if (v->out->n_seen == 0)
        return smug_fail(err, SMUG_ERR_USAGE, "the input has no word that is not padding");
    return 0;
}

static void text_clear(eval_state *v)
{
    smug_mask_problem_free(v->pb);
    free(v->seen), free(v->tmp), free(v->cells);
}

const eval_kind smug_eval_text_kind = {text_setup, text_method, NULL, text_clear};
