/* lsc.h — the LSC metric and the boxes it is measured on (design §1 eval/, issue #5).
 *
 * LSC(a, c) = log(max(0.05, a)) − log(c)   (natural logarithms; lower is better)
 *  a: the box's area / the image's area;
 *  c: the softmax probability of `target` (the class predicted on the full image) when the
 *     crop is resized back to the model's input size and classified.
 * A crop keeps every channel; it is cut from the model input x (model-input space, after the
 * PNG scaling of input.h) and resized bilinearly with resize.h's convention (torch's
 * align_corners=False); because that resize is affine in the pixel values, this equals
 * cropping the raw image as the original code did. log(c) comes from the logits in double
 * (log-softmax), so a vanishing confidence gives a large LSC rather than infinity.
 *
 * Boxes (resize.h's smug_box: half-open pixel rows [y0, y1) and columns [x0, x1)):
 *  - MaxBox: the whole image, so its LSC is −log c(x).
 *  - CenterBox: the centred box of about half the area: sides round(H/√2) × round(W/√2)
 *    (each at least 1), offset ⌊(H − side)/2⌋ (and the same across); for a one-row input
 *    (a sequence) the centred half of its length.
 *  - OptBox: a g×g grid (line k of g+1 at ⌊k·H/g⌋ rows down, ⌊k·W/g⌋ columns across);
 *    every rectangle whose corners are grid points is evaluated — (g(g+1)/2)² of them
 *    (3025 for g = 10; the original code kept only boxes of at least 2×2 cells) — and the
 *    lowest LSC is reported. g = 10 is the paper's default; 7 or 14 divide 28 evenly. A
 *    one-row input gets one row of g cells.
 *  - a saliency map, thresholded (smug_lsc_map below).
 * Crops are classified in batches through smug_net_logits (at most ~32 MB of crops and
 * activations per batch).
 *
 * The image is the model input viewed as (C, H, W) as score.h views it: rank 3 (C, H, W);
 * rank 2 (C, L) is H = 1, W = L; rank 1 (N) is H = 1, W = N. Token-id inputs cannot be
 * resized: UNSUPPORTED.
 *
 * Errors: USAGE (class out of range, box outside the image, g out of [1, min(H, W)],
 * levels < 1), UNSUPPORTED (token inputs), NOMEM, and whatever the forward pass reports.
 * Ownership: callers own every array; nothing returned needs freeing.
 */
#ifndef SMUG_LSC_H
#define SMUG_LSC_H

#include "smug/error.h"
#include "smug/net.h"
#include "smug/resize.h"

#define SMUG_LSC_MIN_AREA 0.05 /* a is clipped below at this, as in the paper */

typedef struct smug_lsc_result {
    smug_box box;      /* the box measured (the best one for map and OptBox) */
    double area;       /* a = box area / image area, in (0, 1] */
    double confidence; /* c = softmax probability of the target on the resized crop */
    double lsc;        /* log(max(SMUG_LSC_MIN_AREA, a)) − log(c) */
    double threshold;  /* smug_lsc_map: the map value the box was cut at; 0 when the map had
                          no positive value (MaxBox fallback); 0 for the other functions */
    int n_boxes;       /* distinct boxes evaluated (1 for a single box) */
} smug_lsc_result;

/* The LSC formula itself: log(max(SMUG_LSC_MIN_AREA, area)) − log_conf. */
double smug_lsc_value(double area, double log_conf);

/* Image view of the model input (see above): channels, rows, columns. */
void smug_lsc_dims(const smug_net *net, int *out_c, int *out_h, int *out_w);

/* Crops `box` out of x (the model input, size(net->input)) and resizes it to the model's
 * input size into out_x (size(net->input), caller-allocated). */
int smug_lsc_crop(const smug_net *net, const float *x, const smug_box *box, float *out_x,
                  smug_error *err);

/* LSC of one box for class `target`. */
int smug_lsc_box(const smug_net *net, const float *x, int target, const smug_box *box,
                 smug_lsc_result *out, smug_error *err);

int smug_lsc_maxbox(const smug_net *net, const float *x, int target, smug_lsc_result *out,
                    smug_error *err);

int smug_lsc_centerbox(const smug_net *net, const float *x, int target, smug_lsc_result *out,
                       smug_error *err);

/* The best (lowest) LSC over every grid rectangle of a g×g grid; ties keep the first box in
 * the order (y0, y1, x0, x1) of grid lines, each ascending. */
int smug_lsc_optbox(const smug_net *net, const float *x, int target, int g, smug_lsc_result *out,
                    smug_error *err);

/* Threshold sweep of a saliency map. Let v_0 <= … <= v_{P−1} be the map's P positive values.
 * For level i = 0 … levels−1 the threshold is t_i = v_⌊i·P/levels⌋ (the i/levels quantile
 * of the positive values, so level 0 keeps every positive pixel and higher levels keep the
 * top fraction 1 − i/levels); the box is the tightest box around the pixels with
 * map >= t_i. Equal boxes are evaluated once; the lowest LSC wins, ties going to the lower
 * threshold (the larger box). Zero and negative scores never count as salient: a map
 * without any positive value (NaN counts as not positive) yields MaxBox, with
 * threshold 0. The default of 100 levels follows the original code's ~100 thresholds. */
typedef struct smug_lsc_map_opts {
    int levels; /* >= 1 */
} smug_lsc_map_opts;

#define SMUG_LSC_MAP_OPTS_INIT                                                                     \
    {                                                                                              \
        100                                                                                        \
    }

/* map: [H·W] per pixel (score.h's layout). */
int smug_lsc_map(const smug_net *net, const float *x, int target, const float *map,
                 const smug_lsc_map_opts *opts, smug_lsc_result *out, smug_error *err);

#endif
