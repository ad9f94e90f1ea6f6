/* image.h — PNG pictures of an explanation: heatmap, overlay, mask (design §1, §6; io/image.c).
 *
 * Writers only (reading PNG inputs is input.h's job). Every picture is encoded in memory and
 * written with smug_fs_write_atomic, so a file either exists complete or not at all.
 *
 * Maps and masks are per pixel, [h·w] row-major (index y·w + x), as score.h produces them.
 * Each picture is enlarged by an integer factor `scale` (nearest neighbour: one map pixel
 * becomes a scale×scale block) so that a 28×28 map is readable; scale 0 picks
 * smug_image_auto_scale. Upscaled sides are limited to SMUG_IMAGE_MAX_SIDE pixels.
 *
 * Colours: a saliency value v is drawn at t = max(v, 0) / M on an inferno-like colour map
 * (dark purple-black at 0 → red → orange → pale yellow at 1), where M is the map's largest
 * value; negative values (and NaN) are clipped to 0, and an all-nonpositive map is all dark.
 * The colours are relative to each map: compare two maps by their numbers, not their pictures.
 *
 * Ownership: the functions only read their arguments; nothing returned needs freeing.
 * Errors: USAGE for bad sizes, scale or pixel range; NOMEM; IO (from smug_fs_write_atomic,
 * naming the path) when the file cannot be written — no file is left behind then.
 */
#ifndef SMUG_IMAGE_H
#define SMUG_IMAGE_H

#include <stdint.h>

#include "smug/error.h"

#define SMUG_IMAGE_MIN_SIDE  224   /* auto scale: the longer side reaches at least this */
#define SMUG_IMAGE_MAX_SCALE 64    /* largest accepted scale factor */
#define SMUG_IMAGE_MAX_SIDE  16384 /* largest accepted upscaled width or height */

/* The explained input, to draw under an overlay or a mask. */
typedef struct smug_image_src {
    const float *x;              /* the model input, [c·h·w] in ONNX order (NCHW) */
    int c, h, w;                 /* c = 3: RGB; any other c: the channels' mean as grayscale */
    double pixel_min, pixel_max; /* model-input values of PNG levels 0 and 255 (input.h);
                                    values outside are clipped; pixel_min < pixel_max */
} smug_image_src;

/* Smallest factor ≥ 1 with max(h, w) · factor ≥ SMUG_IMAGE_MIN_SIDE (28 → 8, 224 → 1). */
int smug_image_auto_scale(int h, int w);

/* The colour map: t in [0, 1] (clamped; NaN is 0) → 8-bit RGB, linear between 11 control
 * points of matplotlib's "inferno". */
void smug_image_colormap(float t, uint8_t out_rgb[3]);

/* Saliency heatmap of map[h·w] as an RGB PNG, (h·s)×(w·s) pixels. */
int smug_image_write_heatmap(const char *path, const float *map, int h, int w, int scale,
                             smug_error *err);

/* The input in grayscale (or RGB) with the heatmap of map[src->h · src->w] blended on top
 * where the map is > 0; opacity grows with the value (from 35 % to 80 %), so the input
 * stays visible under weak scores. Elsewhere the input is shown unchanged. RGB PNG. */
int smug_image_write_overlay(const char *path, const smug_image_src *src, const float *map,
                             int scale, smug_error *err);

/* The plain mask: keep[h·w] nonzero → white (255), zero → black (0). 8-bit grayscale PNG. */
int smug_image_write_mask(const char *path, const uint8_t *keep, int h, int w, int scale,
                          smug_error *err);

/* The input as the mask leaves it, for a person: kept pixels (keep[src->h · src->w]
 * nonzero) at full brightness and colour, dropped ones greyed out to a flat band
 * 96 + lum/4, and a cyan line (2 px at scale ≥ 4, else 1 px) on the kept side of every edge
 * between kept and dropped, so a kept patch of black background is visible too. RGB PNG. */
int smug_image_write_masked(const char *path, const smug_image_src *src, const uint8_t *keep,
                            int scale, smug_error *err);

/* The input as 8-bit RGB into rgb[src->h · src->w · 3]: channels 0-2 for RGB, the channel
 * mean as grey otherwise, scaled from [pixel_min, pixel_max] (clipped). */
void smug_image_paint_input(const smug_image_src *src, uint8_t *rgb);

/* A ready RGB picture rgb[h][w][3] as a PNG, at its own size (composite pictures such as
 * panel.h's). */
int smug_image_write_rgb(const char *path, const uint8_t *rgb, int h, int w, smug_error *err);

#endif
