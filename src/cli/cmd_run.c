/* cmd_run.c — `smug run`: the whole job for each input. Today that is the model stages
 * (forward, IG on the first layer, top-k neurons); the mask stages are not built yet and
 * the command says so rather than pretending. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "smug/forward.h"
#include "smug/fsutil.h"
#include "smug/input.h"
#include "smug/json.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"

static void print_neurons(const char *input, const smug_explanation *e)
{
    printf("%s: predicted %d (p = %.4f), explaining %d; IG completeness %.5g vs %.5g\n", input,
           e->predicted, (double)e->confidence, e->target, e->check.sum,
           e->check.f_x - e->check.f_base);
    printf("  top-%d first-layer neurons (index: IG, pre-activation):", e->n_neurons);
    for (int i = 0; i < e->n_neurons; i++)
        printf("%s %d: %.4g, %.4g", i % 4 ? "" : "\n   ", e->neurons[i],
               (double)e->ig_first[e->neurons[i]], (double)e->first_pre[e->neurons[i]]);
    printf("\n");
}

static void json_input(smug_json *j, const char *input, const smug_explanation *e, int classes)
{
    smug_json_object_begin(j, NULL);
    smug_json_string(j, "input", input);
    smug_json_int(j, "predicted", e->predicted);
    smug_json_int(j, "target", e->target);
    smug_json_number(j, "confidence", e->confidence);
    smug_json_floats(j, "logits", e->logits, (size_t)classes);
    smug_json_array_begin(j, "neurons");
    for (int i = 0; i < e->n_neurons; i++) {
        smug_json_object_begin(j, NULL);
        smug_json_int(j, "index", e->neurons[i]);
        smug_json_number(j, "ig", e->ig_first[e->neurons[i]]);
        smug_json_number(j, "activation", e->first_pre[e->neurons[i]]);
        smug_json_object_end(j);
    }
    smug_json_array_end(j);
    smug_json_object_begin(j, "times");
    smug_json_number(j, "ig", e->seconds_ig);
    smug_json_object_end(j);
    smug_json_object_end(j);
}

static int explain_all(const smug_net *net, const cli_args *a, char **paths, int n, smug_json *j,
                       smug_error *err)
{
    int tty = isatty(STDERR_FILENO);
    for (int i = 0; i < n; i++) {
        if (tty && n > 1)
            fprintf(stderr, "\r[%d/%d] %s\033[K", i + 1, n, paths[i]);
        float *x;
        if (smug_input_load(paths[i], &net->input, a->params.pixel_min, a->params.pixel_max, &x,
                            err) < 0)
            return -1;
        smug_explanation e;
        int rc = smug_pipeline_neurons(net, x, &a->params, &e, err);
        if (rc == 0) {
            if (tty && n > 1)
                fprintf(stderr, "\r\033[K");
            print_neurons(paths[i], &e);
            json_input(j, paths[i], &e, net->n_classes);
        } else {
            smug_error_prefix(err, "%s", paths[i]);
        }
        smug_explanation_free(&e);
        free(x);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int collect_inputs(const cli_args *a, char ***out, int *n, smug_error *err)
{
    *out = NULL;
    *n = 0;
    int n_given = a->n_multi ? a->n_multi : 1;
    for (int g = 0; g < n_given; g++) {
        const char *p = a->n_multi ? a->multi[g] : cli_default_input();
        char **more;
        int m;
        if (smug_input_expand(p, &more, &m, err) < 0)
            return -1;
        char **all = realloc(*out, (size_t)(*n + m) * sizeof *all);
        if (!all) {
            smug_input_paths_free(more, m);
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        }
        memcpy(all + *n, more, (size_t)m * sizeof *more);
        free(more);
        *out = all;
        *n += m;
    }
    return 0;
}

static int run_run(const cli_args *a, smug_error *err)
{
    const char *model = cli_get(a, "model") ? cli_get(a, "model") : cli_default_model();
    const char *out_dir = cli_get(a, "out") ? cli_get(a, "out") : "smug-out";
    smug_net *net;
    if (smug_onnx_load(model, &net, err) < 0)
        return -1;
    char **paths = NULL;
    int n = 0;
    smug_strbuf sb = SMUG_STRBUF_INIT, params = SMUG_STRBUF_INIT;
    smug_json j;
    smug_json_init(&j, &sb, 1);
    smug_json_object_begin(&j, NULL);
    smug_json_string(&j, "model", model);
    smug_params_json(&a->params, &params);
    smug_json_raw(&j, "params", params.buf ? params.buf : "{}");
    smug_json_array_begin(&j, "inputs");
    int rc = collect_inputs(a, &paths, &n, err);
    if (rc == 0)
        rc = explain_all(net, a, paths, n, &j, err);
    smug_json_array_end(&j);
    smug_json_object_end(&j);
    char path[4096];
    snprintf(path, sizeof path, "%s/neurons.json", out_dir);
    if (rc == 0)
        rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        rc = smug_fs_mkdirs(out_dir, err);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, sb.buf, sb.len, err);
    if (rc == 0)
        printf("wrote %s\nmask solving (encode, z3/cvc5, verify, saliency maps): not implemented "
               "yet\n",
               path);
    smug_strbuf_free(&sb);
    smug_strbuf_free(&params);
    smug_input_paths_free(paths, n);
    smug_net_free(net);
    return rc;
}

const cli_command cli_cmd_run = {
    .name = "run",
    .summary = "explain inputs: first-layer IG and top-k neurons (mask solving: not yet)",
    .usage = "[--model M.onnx] [--input P]... [--out DIR] [method parameters]",
    .description =
        "For each input: forward pass, Integrated Gradients of the target class w.r.t. the\n"
        "first-layer neurons, and the top-k neurons SMUG will constrain. Writes\n"
        "DIR/neurons.json. With no arguments it runs the bundled default model and image.\n"
        "The minimal-mask stages (SMT encoding, z3/cvc5, verification, saliency maps) are not\n"
        "built yet.",
    .opts = {{"model", "M.onnx", 0, "ONNX model (default: the bundled Fashion-MNIST dense net)"},
             {"input", "P", 1, "a PNG/.npy file, or a folder of them (default: a bundled image)"},
             {"out", "DIR", 0, "output folder (default smug-out)"},
             {0}},
    .takes_params = 1,
    .max_positional = 0,
    .run = run_run,
};
