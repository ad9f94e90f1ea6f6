/* attribute.c — `smug attribute`'s work (attribute.h): load, run the model once, then IG,
 * the plain gradient or PruneGrad at the first layer or the input, and the JSON object.
 * It prints nothing; the command chooses between the JSON and its summary.
 */
#include "smug/attribute.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/backward.h"
#include "smug/forward.h"
#include "smug/input.h"
#include "smug/json.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"
#include "smug/prunegrad.h"

/* PruneGrad (prunegrad.h, keep = p->prune_keep): at the input the pruned network's
 * gradient; at the first layer each neuron's signed activation × gradient, 0 when pruned. */
static int prunegrad(const smug_params *p, smug_attribution *r, const float *x, smug_error *err)
{
    const smug_net *net = r->net;
    size_t n_first = smug_net_first_size(net), n_in = smug_shape_size(&net->input);
    r->kept = malloc(n_first ? n_first : 1);
    float *g = malloc(n_in * sizeof *g), *imp = malloc((n_first ? n_first : 1) * sizeof *imp);
    smug_prunegrad_opts o = {r->target, p->ig_output == 1, p->prune_keep};
    int rc = r->kept && g && imp ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_prunegrad(net, x, &o, g, imp, r->kept, &r->pruned_layers, err);
    for (size_t j = 0; rc == 0 && j < n_first; j++)
        imp[j] = r->kept[j] ? imp[j] : 0.0f;
    if (rc == 0)
        memcpy(r->attr, r->first_layer ? imp : g, r->n_attr * sizeof *g);
    free(g), free(imp);
    return rc;
}

static int gradient(const smug_params *p, smug_attribution *r, const float *x, smug_error *err)
{
    const smug_net *net = r->net;
    int prob = p->ig_output == 1;
    if (!r->first_layer)
        return smug_grad_input(net, x, r->target, prob, r->attr, NULL, err);
    size_t n_first = smug_net_first_size(net);
    float *h = malloc(n_first * sizeof *h);
    int rc = h ? smug_net_first_activations(net, x, h, err)
               : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_grad_from(net, net->first_out + 1, h, r->target, prob, r->attr, NULL, err);
    free(h);
    return rc;
}

static int compute(const smug_params *p, smug_attribution *r, const float *x, smug_error *err)
{
    const smug_net *net = r->net;
    size_t n_first = smug_net_first_size(net);
    r->logits = malloc((size_t)net->n_classes * sizeof(float));
    r->first_pre = malloc(n_first * sizeof(float));
    r->n_attr = r->first_layer ? n_first : smug_shape_size(&net->input);
    r->attr = malloc(r->n_attr * sizeof(float));
    if (!r->logits || !r->first_pre || !r->attr)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (smug_net_eval(net, x, r->logits, r->first_pre, err) < 0)
        return -1;
    r->predicted = smug_argmax(r->logits, net->n_classes);
    r->confidence = smug_class_score(r->logits, net->n_classes, r->predicted, 1);
    if (smug_pipeline_target(net, r->logits, p->target, &r->target, err) < 0)
        return -1;
    if (r->method == SMUG_ATTR_PRUNEGRAD)
        return prunegrad(p, r, x, err);
    if (r->method == SMUG_ATTR_GRAD)
        return gradient(p, r, x, err);
    smug_ig_opts o = {
        p->steps, r->target, p->ig_output == 1, (float)p->baseline, 0, (size_t)p->ig_memory << 20,
        0.0};
    return r->first_layer ? smug_ig_first(net, x, &o, r->attr, NULL, &r->check, err)
                          : smug_ig_input(net, x, &o, r->attr, &r->check, err);
}

int smug_attribute(const char *model, const char *input, const smug_params *p,
                   smug_attr_method method, int first_layer, smug_attribution *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    out->method = method, out->first_layer = first_layer;
    if (smug_onnx_load(model, &out->net, err) < 0)
        return -1;
    float *x = NULL;
    int rc = smug_input_load(input, &out->net->input, p->pixel_min, p->pixel_max, &x, err);
    if (rc == 0)
        rc = compute(p, out, x, err);
    free(x);
    return rc;
}

static const char *method_name(smug_attr_method m)
{
    return m == SMUG_ATTR_IG ? "ig" : m == SMUG_ATTR_PRUNEGRAD ? "prunegrad" : "grad";
}

void smug_attribution_json(const smug_attribution *r, const char *model, const char *input,
                           const smug_params *p, smug_strbuf *out)
{
    const smug_net *net = r->net;
    smug_strbuf params = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, out, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "model", model);
    smug_json_string(&j, "input", input);
    smug_json_string(&j, "method", method_name(r->method));
    smug_json_string(&j, "layer", r->first_layer ? "first" : "input");
    char out_name[16];
    smug_json_string(&j, "output",
                     smug_params_enum_name("ig_output", p->ig_output, out_name, sizeof out_name));
    smug_json_int(&j, "predicted", r->predicted);
    smug_json_int(&j, "target", r->target);
    smug_json_number(&j, "confidence", r->confidence);
    smug_json_floats(&j, "logits", r->logits, (size_t)net->n_classes);
    const smug_shape *fs = &net->layers[net->first].out;
    smug_json_ints(&j, "first_layer_shape", fs->dims, (size_t)fs->rank);
    smug_json_floats(&j, "first_layer", r->first_pre, smug_net_first_size(net));
    const smug_shape *as = r->first_layer ? fs : &net->input;
    smug_json_ints(&j, "attributions_shape", as->dims, (size_t)as->rank);
    smug_json_floats(&j, "attributions", r->attr, r->n_attr);
    if (r->method == SMUG_ATTR_PRUNEGRAD) {
        smug_json_number(&j, "prune_keep", p->prune_keep);
        smug_json_int(&j, "pruned_layers", r->pruned_layers);
        smug_json_array_begin(&j, "first_layer_kept");
        for (size_t i = 0; i < smug_net_first_size(net); i++)
            smug_json_int(&j, NULL, r->kept[i]);
        smug_json_array_end(&j);
    }
    if (r->method == SMUG_ATTR_IG) {
        smug_json_int(&j, "steps", p->steps);
        smug_json_object_begin(&j, "completeness");
        double delta = r->check.f_x - r->check.f_base;
        smug_json_number(&j, "sum", r->check.sum);
        smug_json_number(&j, "delta", delta);
        smug_json_number(&j, "relative_error",
                         delta != 0.0 ? fabs(r->check.sum - delta) / fabs(delta) : 0.0);
        smug_json_object_end(&j);
    }
    smug_params_json(p, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_json_object_end(&j);
    smug_strbuf_clear(&params);
}

void smug_attribution_clear(smug_attribution *r)
{
    free(r->logits), free(r->first_pre), free(r->attr), free(r->kept);
    smug_net_free(r->net);
    memset(r, 0, sizeof *r);
}
