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

#include "smug/backward.h"
#include "smug/forward.h"
#include "smug/onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_net(const smug_net *net)
{
    assert(net->n_layers > 0);
    assert(net->first >= 0 && net->first < net->n_layers);
    assert(net->first_out >= net->first && net->first_out < net->n_layers);
    size_t total = smug_shape_size(&net->input);
    for (int i = 0; i < net->n_layers; i++) {
        const smug_layer *l = &net->layers[i];
        assert(l->n_src >= 1);
        for (int j = 0; j < l->n_src; j++)
            assert(l->src[j] >= -1 && l->src[j] < i); /* topological order */
        assert(smug_shape_size(&l->in) == smug_shape_size(smug_net_src_shape(net, l, 0)));
        total += smug_shape_size(&l->out);
    }
    assert(net->n_classes == (int)smug_shape_size(&net->layers[net->n_layers - 1].out));
    if (total < ((size_t)1 << 20) && !net->input_is_tokens) { /* small enough to run */
        float *x = calloc(smug_shape_size(&net->input), sizeof *x);
        float *g = calloc(smug_shape_size(&net->input), sizeof *g);
        float *seed = calloc((size_t)net->n_classes, sizeof *seed);
        smug_trace t;
        smug_error err = SMUG_ERROR_INIT;
        assert(x && g && seed);
        seed[0] = 1.0f;
        if (smug_forward(net, 0, net->n_layers, x, 1, &t, &err) == 0)
            smug_backward(&t, seed, g, &err);
        smug_trace_clear(&t);
        free(x), free(g), free(seed);
    }
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_net_describe(net, &sb);
    smug_strbuf_clear(&sb);
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
