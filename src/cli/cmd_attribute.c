/* cmd_attribute.c — `smug attribute`: gradients and Integrated Gradients of one input, at
 * the input or at the first-layer neurons; JSON for scripts, a summary for people. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "smug/attribute.h"

static int by_magnitude_desc(const void *x, const void *y, const float *v)
{
    float a = fabsf(v[*(const int *)x]), b = fabsf(v[*(const int *)y]);
    return a > b ? -1 : a < b;
}

static void print_summary(const smug_attribution *r)
{
    printf("predicted class %d (p = %.4f), explaining class %d\n", r->predicted, r->confidence,
           r->target);
    if (r->method == SMUG_ATTR_IG) {
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
    smug_attr_method m = strcmp(method, "ig") == 0          ? SMUG_ATTR_IG
                         : strcmp(method, "prunegrad") == 0 ? SMUG_ATTR_PRUNEGRAD
                                                            : SMUG_ATTR_GRAD;
    int first_layer = strcmp(layer, "first") == 0;
    if (m == SMUG_ATTR_GRAD && strcmp(method, "grad") != 0)
        return smug_fail(err, SMUG_ERR_USAGE, "--method must be ig, grad or prunegrad: got '%s'",
                         method);
    if (!first_layer && strcmp(layer, "input") != 0)
        return smug_fail(err, SMUG_ERR_USAGE, "--layer must be first or input: got '%s'", layer);
    smug_attribution r;
    int rc = smug_attribute(model, input, &a->params, m, first_layer, &r, err);
    if (rc == 0 && cli_get(a, "json")) {
        smug_strbuf sb = SMUG_STRBUF_INIT;
        smug_attribution_json(&r, model, input, &a->params, &sb);
        if (sb.buf)
            fputs(sb.buf, stdout);
        smug_strbuf_clear(&sb);
    } else if (rc == 0) {
        print_summary(&r);
    }
    smug_attribution_clear(&r);
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
