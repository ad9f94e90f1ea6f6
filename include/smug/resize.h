/* resize.h — crop a rectangle of an image and resize it bilinearly (core/resize.c).
 *
 * Used by the evaluation (eval/lsc.c: a box is cropped and scaled back up to the model's
 * input size before it is classified) and by Grad-CAM (explain/gradcam.c: a conv feature map
 * is scaled up to the input size), so both read pixels the same way.
 *
 * Convention: torch's F.interpolate(mode="bilinear", align_corners=False, antialias=False),
 * also OpenCV's cv2.resize INTER_LINEAR when upsampling. Pixel centres sit at half-integers:
 * output pixel o of n_out maps to the source coordinate
 *     s = (o + ½) · n_in / n_out − ½,  clamped below at 0,
 * and reads i0 = ⌊s⌋, i1 = min(i0 + 1, n_in − 1) with weights (1 − (s − i0), s − i0), rows and
 * columns separately. Resizing a crop to its own size returns it unchanged. No antialiasing:
 * when shrinking, pixels between the sampled ones are skipped (the callers here only enlarge).
 * Bilinear interpolation is affine in the pixel values (its weights sum to 1), so it commutes
 * with the affine PNG scaling of input.h: resizing in model-input space equals resizing the
 * raw image and scaling afterwards.
 *
 * Images are c planes of h×w floats, row-major, planes one after the other (NCHW for one
 * example). Nothing here allocates.
 */
#ifndef SMUG_RESIZE_H
#define SMUG_RESIZE_H

/* A rectangle of pixels, half-open: rows [y0, y1), columns [x0, x1). */
typedef struct smug_box {
    int y0, x0, y1, x1;
} smug_box;

/* 1 when 0 <= y0 < y1 <= h and 0 <= x0 < x1 <= w (a non-empty box inside an h×w image). */
int smug_box_valid(const smug_box *b, int h, int w);

/* Number of pixels of a valid box. */
long smug_box_area(const smug_box *b);

/* Crops box b out of src (c planes of h×w; b must be valid) and resizes it to oh×ow into
 * dst (c planes of oh×ow). dst must not overlap src. */
void smug_resize_bilinear(const float *src, int c, int h, int w, const smug_box *b, int oh, int ow,
                          float *dst);

#endif
