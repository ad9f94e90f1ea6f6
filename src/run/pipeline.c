/* pipeline.c — the stages of design §1 for one input, in order, with their timings.
 *
 * It passes plain values between modules (arrays of neuron ids, attributions), so the
 * modules never include each other: nn/ knows no explanation, explain/ knows no solver.
 */
#include "smug/pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smug/forward.h"
#include "smug/select.h"

double smug_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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

void smug_explanation_free(smug_explanation *e)
{
    free(e->logits);
    free(e->first_pre);
    free(e->ig_first);
    free(e->neurons);
    memset(e, 0, sizeof *e);
}

int smug_pipeline_neurons(const smug_net *net, const float *x, const smug_params *params,
                          smug_explanation *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
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
    double t0 = smug_now();
    if (smug_ig_first(net, x, &o, out->ig_first, NULL, &out->check, err) < 0)
        return -1;
    out->seconds_ig = smug_now() - t0;
    out->n_neurons =
        smug_select_topk(out->first_pre, out->ig_first, n, params->top_k, out->neurons);
    if (out->n_neurons < 0)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    return 0;
}
