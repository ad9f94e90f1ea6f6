/* gradcam.c — the Grad-CAM baseline of the evaluation (gradcam.h; design §1 eval/).
 *
 * Two passes over the network, both through nn/: a forward pass up to the chosen conv
 * block keeps A, then smug_grad_from runs the rest of the network on A and back, giving
 * ∂F/∂A without ever differentiating the layers below (so no gradient crosses an
 * embedding). The channel weights and the weighted sum are a few thousand flops; the
 * resize to input size is core/resize.c's, the same one LSC crops with.
 */
#include "smug/gradcam.h"

#include <stdlib.h>
#include <string.h>

#include "smug/backward.h"
#include "smug/forward.h"
#include "smug/resize.h"

int smug_gradcam_layer(const smug_net *net, int layer, int *out_layer, int *out_feature,
                       smug_error *err)
{
    if (layer == -1) {
        for (int i = 0; i < net->n_layers; i++)
            if (net->layers[i].kind == SMUG_LAYER_CONV)
                layer = i;
        if (layer == -1)
            return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                             "Grad-CAM: %s has no Conv layer (Grad-CAM needs convolutional "
                             "feature maps; use IG or the gradient for dense models)",
                             net->path ? net->path : "the model");
    }
    if (layer < 0 || layer >= net->n_layers || net->layers[layer].kind != SMUG_LAYER_CONV)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "Grad-CAM: layer %d is not a Conv layer of %s (-1 picks the last one)",
                         layer, net->path ? net->path : "the model");
    *out_layer = layer;
    /* the block: the ReLU right after the conv; in a graph, on to the first layer after
     * which the network reads nothing older than its output (a residual Add, an Inception
     * Concat), and the ReLU after that */
    int f = layer;
    for (;;) {
        const smug_layer *next = f + 1 < net->n_layers ? &net->layers[f + 1] : NULL;
        if (next && next->kind == SMUG_LAYER_RELU && next->src[0] == f)
            f++;
        else if (next && !smug_net_is_cut(net, f + 1))
            f++;
        else
            break;
    }
    if (net->layers[f].out.rank != net->layers[layer].out.rank)
        return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                         "Grad-CAM: the block of Conv layer '%s' ends in '%s', which has no "
                         "feature maps",
                         net->layers[layer].name, net->layers[f].name);
    *out_feature = f;
    return 0;
}

/* ∂F/∂A into grad, where A (size n) is the output of layer `feature`. */
static int feature_gradient(const smug_net *net, int feature, const float *a,
                            const smug_gradcam_opts *o, float *grad, smug_error *err)
{
    if (feature + 1 < net->n_layers)
        return smug_grad_from(net, feature + 1, a, o->target, o->prob, grad, NULL, err);
    /* the conv block is the network's last layer: A are the logits */
    smug_logit_seed(a, 1, net->n_classes, o->target, o->prob, grad);
    return 0;
}

/* cam[p] = ReLU(Σ_k α_k A[k,p]) with α_k the mean of grad over channel k's plane; the sums
 * run in double (acc[plane]) so that channels of opposite sign cancel without float32 loss. */
static void weighted_sum(const float *a, const float *grad, int c, size_t plane, double *acc,
                         float *cam)
{
    memset(acc, 0, plane * sizeof *acc);
    for (int k = 0; k < c; k++) {
        const float *ak = a + (size_t)k * plane, *gk = grad + (size_t)k * plane;
        double alpha = 0.0;
        for (size_t p = 0; p < plane; p++)
            alpha += gk[p];
        alpha /= (double)plane;
        for (size_t p = 0; p < plane; p++)
            acc[p] += alpha * ak[p];
    }
    for (size_t p = 0; p < plane; p++)
        cam[p] = acc[p] > 0.0 ? (float)acc[p] : 0.0f;
}

int smug_gradcam(const smug_net *net, const float *x, const smug_gradcam_opts *opts, float *out_map,
                 smug_error *err)
{
    int layer, feature;
    if (smug_gradcam_layer(net, opts->layer, &layer, &feature, err) < 0)
        return -1;
    if (opts->target < 0 || opts->target >= net->n_classes)
        return smug_fail(err, SMUG_ERR_USAGE, "Grad-CAM: target class %d is not in [0, %d)",
                         opts->target, net->n_classes);
    const smug_shape *fs = &net->layers[feature].out;
    int c, fh, fw, ic, h, w;
    smug_shape_chw(fs, &c, &fh, &fw);
    smug_shape_chw(&net->input, &ic, &h, &w);
    size_t n = smug_shape_size(fs), plane = (size_t)fh * (size_t)fw;
    float *grad = malloc(n * sizeof *grad), *cam = malloc(plane * sizeof *cam);
    double *acc = malloc(plane * sizeof *acc);
    smug_trace t = {0};
    int rc = grad && cam && acc ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "Grad-CAM: out of memory");
    if (rc == 0)
        rc = smug_forward(net, 0, feature + 1, x, 1, &t, err);
    if (rc == 0)
        rc = feature_gradient(net, feature, smug_trace_output(&t), opts, grad, err);
    if (rc == 0) {
        weighted_sum(smug_trace_output(&t), grad, c, plane, acc, cam);
        smug_box all = {0, 0, fh, fw};
        smug_resize_bilinear(cam, 1, fh, fw, &all, h, w, out_map);
    }
    smug_trace_clear(&t);
    free(grad);
    free(cam);
    free(acc);
    return rc < 0 ? smug_error_prefix(err, "Grad-CAM at layer '%s'", net->layers[layer].name) : 0;
}
