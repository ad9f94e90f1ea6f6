/* gradcam.h — Grad-CAM (Selvaraju et al. 2017), an evaluation baseline (explain/gradcam.c).
 *
 * For a conv layer with feature maps A_k (k = channel, over an h'×w' grid):
 *     α_k = (1 / h'w') Σ_ij ∂F/∂A_kij,      cam_ij = ReLU(Σ_k α_k A_kij),
 * and the map is cam resized bilinearly from h'×w' to the input's H×W (resize.h's
 * half-pixel convention, as cv2.resize in the reference implementations), so it can be
 * thresholded like any other saliency map. F is the target's logit (Grad-CAM's y^c, before
 * the softmax) or, with prob set, its softmax probability. The map is not normalised: its
 * values are in units of F; LSC's quantile sweep (lsc.h) does not depend on the scale.
 *
 * A_k is what the conv "block" outputs: the output of the ReLU that directly follows the
 * chosen Conv layer, or the Conv's own output when no ReLU follows (a BatchNormalization
 * after the conv is already folded into it, see net.h). In a graph the block extends to the
 * first layer after which the network reads nothing older than that layer's output (the
 * ReLU after a residual Add, an Inception Concat), so that F is a function of A alone. The
 * default layer is the last Conv of the network, the usual choice; any Conv layer index can
 * be asked for.
 *
 * Map layout: [H·W] per pixel, as score.h (rank 3 (C, H, W); rank 2 (C, L) and rank 1 (N)
 * are one row). A 1-D conv's (C, L') output is one row too, so token models with a conv
 * (text CNNs) work as well: the gradient never crosses the embedding.
 *
 * Errors: UNSUPPORTED when the network has no Conv layer (a dense-only model; the message
 * names the model file), USAGE when `layer` is not a Conv layer or the target is out of
 * range, NOMEM, and whatever the forward/backward passes report.
 * Ownership: out_map is the caller's; nothing returned needs freeing.
 */
#ifndef SMUG_GRADCAM_H
#define SMUG_GRADCAM_H

#include "smug/error.h"
#include "smug/net.h"

typedef struct smug_gradcam_opts {
    int target; /* class index */
    int layer;  /* index into net->layers of a Conv layer; -1: the last Conv layer */
    int prob;   /* 1: F is the softmax probability instead of the logit */
} smug_gradcam_opts;

#define SMUG_GRADCAM_OPTS_INIT                                                                     \
    {                                                                                              \
        0, -1, 0                                                                                   \
    }

/* Resolves opts-style `layer` (-1 = last Conv) to a Conv layer index: *out_layer, and
 * *out_feature = the layer whose output is A (that Conv, the ReLU right after it, or the end
 * of its block in a graph). */
int smug_gradcam_layer(const smug_net *net, int layer, int *out_layer, int *out_feature,
                       smug_error *err);

/* The Grad-CAM map of x (size(net->input)) into out_map [H·W]; values >= 0. */
int smug_gradcam(const smug_net *net, const float *x, const smug_gradcam_opts *opts, float *out_map,
                 smug_error *err);

#endif
