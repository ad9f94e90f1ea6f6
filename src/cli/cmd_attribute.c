/* cmd_attribute.c — `smug attribute`: gradients and Integrated Gradients of one input, at
 * the input or at the first-layer neurons; JSON for scripts, a summary for people. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "smug/backward.h"
#include "smug/forward.h"
#include "smug/ig.h"
#include "smug/input.h"
#include "smug/json.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"
#include "smug/attribute.h"

typedef struct attribution {
    int predicted, target, is_ig, is_pg, first_layer;
    float *logits, *first_pre, *attr;
    uint8_t *kept; /* prunegrad: [n_first] first-layer neurons that survive pruning */
    int pruned_layers;
    size_t n_attr;
    smug_ig_check check;
} attribution;

/* PruneGrad (attribute.h): at the input its pruned gradient; at the first layer each
 * neuron's signed Taylor importance, 0 for the pruned ones. */
static int prunegrad(const smug_net *net, const float *x, const smug_params *p, attribution *r,
                     smug_error *err)
{
    r->kept = malloc(smug_net_first_size(net) ? smug_net_first_size(net) : 1);
    if (!r->kept)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    return smug_attribute_prunegrad(net, x, p, r->target, r->first_layer, r->attr, r->kept,
                                    &r->pruned_layers, err);
}

static int compute(const smug_net *net, const float *x, const smug_params *p, attribution *r,
                   smug_error *err)
{
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
    if (smug_pipeline_target(net, r->logits, p->target, &r->target, err) < 0)
        return -1;
    int prob = p->ig_output == 1;
    if (r->is_pg)
        return prunegrad(net, x, p, r, err);
    if (r->is_ig) {
        smug_ig_opts o = {
            p->steps, r->target, prob, (float)p->baseline, 0, (size_t)p->ig_memory << 20, 0.0};
        return r->first_layer ? smug_ig_first(net, x, &o, r->attr, NULL, &r->check, err)
                              : smug_ig_input(net, x, &o, r->attr, &r->check, err);
    }
    if (!r->first_layer)
        return smug_grad_input(net, x, r->target, prob, r->attr, NULL, err);
    float *h = malloc(n_first * sizeof *h);
    int rc = h ? smug_net_first_activations(net, x, h, err)
               : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = smug_grad_from(net, net->first_out + 1, h, r->target, prob, r->attr, NULL, err);
    free(h);
    return rc;
}

static void print_json(const cli_args *a, const smug_net *net, const char *model, const char *input,
                       const attribution *r)
{
    smug_strbuf sb = SMUG_STRBUF_INIT, params = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &sb, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "model", model);
    smug_json_string(&j, "input", input);
    smug_json_string(&j, "method", r->is_ig ? "ig" : r->is_pg ? "prunegrad" : "grad");
    smug_json_string(&j, "layer", r->first_layer ? "first" : "input");
    char out_name[16];
    smug_json_string(
        &j, "output",
        smug_params_enum_name("ig_output", a->params.ig_output, out_name, sizeof out_name));
    smug_json_int(&j, "predicted", r->predicted);
    smug_json_int(&j, "target", r->target);
    smug_json_number(&j, "confidence",
                     smug_class_score(r->logits, net->n_classes, r->predicted, 1));
    smug_json_floats(&j, "logits", r->logits, (size_t)net->n_classes);
    const smug_shape *fs = &net->layers[net->first].out;
    smug_json_ints(&j, "first_layer_shape", fs->dims, (size_t)fs->rank);
    smug_json_floats(&j, "first_layer", r->first_pre, smug_net_first_size(net));
    const smug_shape *as = r->first_layer ? fs : &net->input;
    smug_json_ints(&j, "attributions_shape", as->dims, (size_t)as->rank);
    smug_json_floats(&j, "attributions", r->attr, r->n_attr);
    if (r->is_pg) {
        smug_json_number(&j, "prune_keep", a->params.prune_keep);
        smug_json_int(&j, "pruned_layers", r->pruned_layers);
        smug_json_array_begin(&j, "first_layer_kept");
        for (size_t i = 0; i < smug_net_first_size(net); i++)
            smug_json_int(&j, NULL, r->kept[i]);
        smug_json_array_end(&j);
    }
    if (r->is_ig) {
        smug_json_int(&j, "steps", a->params.steps);
        smug_json_object_begin(&j, "completeness");
        double delta = r->check.f_x - r->check.f_base;
        smug_json_number(&j, "sum", r->check.sum);
        smug_json_number(&j, "delta", delta);
        smug_json_number(&j, "relative_error",
                         delta != 0.0 ? fabs(r->check.sum - delta) / fabs(delta) : 0.0);
        smug_json_object_end(&j);
    }
    smug_params_json(&a->params, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_json_object_end(&j);
    if (sb.buf)
        fputs(sb.buf, stdout);
    smug_strbuf_clear(&sb);
    smug_strbuf_clear(&params);
}

static int by_magnitude_desc(const void *x, const void *y, const float *v)
{
    float a = fabsf(v[*(const int *)x]), b = fabsf(v[*(const int *)y]);
    return a > b ? -1 : a < b;
}

static void print_summary(const smug_net *net, const attribution *r)
{
    printf("predicted class %d (p = %.4f), explaining class %d\n", r->predicted,
           (double)smug_class_score(r->logits, net->n_classes, r->predicted, 1), r->target);
    if (r->is_ig) {
        double delta = r->check.f_x - r->check.f_base;
        printf("completeness: sum of attributions %.6g, F(x) - F(baseline) %.6g\n", r->check.sum,
               delta);
    }
    /* the ten largest by magnitude: a tiny selection sort keeps this free of qsort_r */
    int top[10], n_top = 0;
    for (size_t i = 0; i < r->n_attr; i++) {
        int idx = (int)i, k;
        if (n_top < 10)
            k = n_top++;
        else if (by_magnitude_desc(&idx, &top[9], r->attr) < 0)
            k = 9;
        else
            continue;
        top[k] = idx;
        for (; k > 0 && by_magnitude_desc(&top[k], &top[k - 1], r->attr) < 0; k--) {
            int t = top[k];
            top[k] = top[k - 1];
            top[k - 1] = t;
        }
    }
    printf("largest attributions (%s index: value):\n", r->first_layer ? "neuron" : "input");
    for (int i = 0; i < n_top; i++)
        printf("  %6d: %+.6g\n", top[i], (double)r->attr[top[i]]);
}

static int run_attribute(const cli_args *a, smug_error *err)
{
    const char *model = cli_get(a, "model") ? cli_get(a, "model") : cli_default_model();
    const char *input = cli_get(a, "input") ? cli_get(a, "input") : cli_default_input();
    const char *method = cli_get(a, "method") ? cli_get(a, "method") : "ig";
    const char *layer = cli_get(a, "layer") ? cli_get(a, "layer") : "first";
    attribution r = {0};
    r.is_ig = strcmp(method, "ig") == 0;
    r.is_pg = strcmp(method, "prunegrad") == 0;
    r.first_layer = strcmp(layer, "first") == 0;
    if (!r.is_ig && !r.is_pg && strcmp(method, "grad") != 0)
        return smug_fail(err, SMUG_ERR_USAGE, "--method must be ig, grad or prunegrad: got '%s'",
                         method);
    if (!r.first_layer && strcmp(layer, "input") != 0)
        return smug_fail(err, SMUG_ERR_USAGE, "--layer must be first or input: got '%s'", layer);
    smug_net *net;
    if (smug_onnx_load(model, &net, err) < 0)
        return -1;
    float *x = NULL;
    int rc = smug_input_load(input, &net->input, a->params.pixel_min, a->params.pixel_max, &x, err);
    if (rc == 0)
        rc = compute(net, x, &a->params, &r, err);
    if (rc == 0 && cli_get(a, "json"))
        print_json(a, net, model, input, &r);
    else if (rc == 0)
        print_summary(net, &r);
    free(r.logits), free(r.first_pre), free(r.attr), free(r.kept), free(x);
    smug_net_free(net);
    return rc;
}

const cli_command cli_cmd_attribute = {
    .name = "attribute",
    .summary = "gradients, Integrated Gradients or PruneGrad of one input (JSON with --json)",
    .usage = "[--model M.onnx] [--input X.png|X.npy] [--method ig|grad|prunegrad]\n"
             "                 [--layer first|input] [--json]",
    .description =
        "Attributes the target class's score (its logit by default; --ig-output prob for\n"
        "its softmax probability) to the first-layer neurons (post-activation, baseline 0)\n"
        "or to the model input (baseline --baseline). IG uses --steps points, midpoint rule.\n"
        "JSON keys: predicted, target, logits, first_layer (pre-activations, ONNX order),\n"
        "attributions (flat, ONNX memory order: NCHW for conv), completeness {sum, delta}.\n"
        "PruneGrad (--prune-keep): hidden neurons pruned by |activation x gradient|, from the\n"
        "output towards the input; at the input the pruned network's gradient, at the first\n"
        "layer each neuron's activation x gradient (0 when pruned); JSON adds prune_keep,\n"
        "pruned_layers and first_layer_kept (0/1 per neuron).",
    .opts = {{"model", "M.onnx", 0, "ONNX model (default: the bundled Fashion-MNIST dense net)"},
             {"input", "FILE", 0, "PNG image or .npy array (default: a bundled test image)"},
             {"method", "ig|grad|prunegrad", 0,
              "Integrated Gradients (default), the plain gradient, or PruneGrad"},
             {"layer", "first|input", 0, "attribute to first-layer neurons (default) or input"},
             {"json", NULL, 0, "print one JSON object instead of a summary"},
             {0}},
    .takes_params = 1,
    .max_positional = 0,
    .run = run_attribute,
};
