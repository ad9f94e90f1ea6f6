/* attribute.h — what `smug attribute` computes: the model run once on one input, then
 * Integrated Gradients, the plain gradient or PruneGrad of the target class, at the
 * first-layer neurons or at the input (run/attribute.c). The command only parses its flags
 * and prints; loading, the passes and the JSON object are here.
 */
#ifndef SMUG_ATTRIBUTE_H
#define SMUG_ATTRIBUTE_H

#include <stddef.h>
#include <stdint.h>

#include "smug/error.h"
#include "smug/ig.h"
#include "smug/net.h"
#include "smug/params.h"
#include "smug/strbuf.h"

typedef enum { SMUG_ATTR_IG, SMUG_ATTR_GRAD, SMUG_ATTR_PRUNEGRAD } smug_attr_method;

/* One attribution. Owns net and every array; free with smug_attribution_clear. */
typedef struct smug_attribution {
    smug_net *net;
    smug_attr_method method;
    int first_layer; /* 1: at the first-layer neurons, 0: at the model input */
    int predicted, target;
    double confidence; /* softmax probability of the predicted class */
    float *logits;     /* [net->n_classes] */
    float *first_pre;  /* [smug_net_first_size(net)] first-layer pre-activations */
    float *attr;       /* [n_attr] in ONNX memory order */
    size_t n_attr;
    uint8_t *kept;       /* PruneGrad: [smug_net_first_size(net)] 1 = survived pruning */
    int pruned_layers;   /* PruneGrad: hidden layers pruned */
    smug_ig_check check; /* IG: completeness, sum vs F(x) - F(baseline) */
} smug_attribution;

/* Loads model and input (pixel range, steps, target, ig_output, baseline, prune_keep from p)
 * and attributes; *out is filled (cleared first) even on failure, for _clear. Errors name
 * the file, or come from the passes. */
int smug_attribute(const char *model, const char *input, const smug_params *p,
                   smug_attr_method method, int first_layer, smug_attribution *out,
                   smug_error *err);

/* The JSON object `smug attribute --json` prints (keys: cli/cmd_attribute.c's --help). */
void smug_attribution_json(const smug_attribution *r, const char *model, const char *input,
                           const smug_params *p, smug_strbuf *out);

/* Frees what r holds (not r) and leaves it empty. */
void smug_attribution_clear(smug_attribution *r);

#endif
