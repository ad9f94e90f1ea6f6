/* cmd_inspect.c — `smug inspect MODEL.onnx`: what smug sees in a model before explaining. */
#include <stdio.h>

#include "cli.h"
#include "smug/onnx.h"

static int run_inspect(const cli_args *a, smug_error *err)
{
    if (a->n_positional != 1)
        return smug_fail(err, SMUG_ERR_USAGE, "inspect needs one MODEL.onnx argument");
    smug_net *net;
    if (smug_onnx_load(a->positional[0], &net, err) < 0)
        return -1;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_net_describe(net, &sb);
    int rc = smug_strbuf_check(&sb, err);
    if (rc == 0)
        fputs(sb.buf, stdout);
    smug_strbuf_clear(&sb);
    smug_net_free(net);
    return rc;
}

const cli_command cli_cmd_inspect = {
    .name = "inspect",
    .summary = "show a model's layers, shapes and the first layer smug explains through",
    .usage = "MODEL.onnx",
    .description = "Loads an ONNX model the way every other command does and prints its layer\n"
                   "chain (after folding batch norm and constant scale/shift), the input\n"
                   "shape and the first Dense/Conv layer, whose neurons smug constrains.",
    .opts = {{0}},
    .takes_params = 0,
    .max_positional = 1,
    .run = run_inspect,
};
