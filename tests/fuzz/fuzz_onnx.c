/* fuzz_onnx.c — libFuzzer target over the ONNX loader (smug_onnx_load_buffer).
 *
 * Any byte string must either load into a net whose invariants hold or fail with a
 * message; crashes, leaks and sanitizer reports are bugs. Inputs that once crashed live in
 * tests/fuzz/corpus/onnx as regressions.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "smug/onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_net(const smug_net *net)
{
    assert(net->n_layers > 0);
    assert(net->first >= 0 && net->first < net->n_layers);
    assert(net->first_out >= net->first && net->first_out < net->n_layers);
    for (int i = 1; i < net->n_layers; i++)
        assert(smug_shape_size(&net->layers[i].in) == smug_shape_size(&net->layers[i - 1].out));
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_net_describe(net, &sb);
    smug_strbuf_free(&sb);
    size_t idx[64];
    smug_net_receptive_field(net, 0, idx, 64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_net *net = NULL;
    if (smug_onnx_load_buffer(data, size, "fuzz.onnx", &net, &err) == 0) {
        check_net(net);
        smug_net_free(net);
    } else {
        assert(err.msg[0] != '\0');
    }
    return 0;
}
