/* resize.c — crop + bilinear resize (resize.h), the one place smug scales images.
 *
 * Separable: the source coordinate and the two weights of every output row and column are
 * computed once, then each output pixel blends four source pixels. The maths follows
 * torch's upsample_bilinear2d with align_corners=False (see resize.h) so that LSC numbers
 * are comparable with the original SMUG evaluation, which resized crops in torch.
 */
#include "smug/resize.h"

#include <math.h>
#include <stddef.h>

int smug_box_valid(const smug_box *b, int h, int w)
{
    return b->y0 >= 0 && b->x0 >= 0 && b->y0 < b->y1 && b->x0 < b->x1 && b->y1 <= h && b->x1 <= w;
}

long smug_box_area(const smug_box *b)
{
    return (long)(b->y1 - b->y0) * (long)(b->x1 - b->x0);
}

/* Source index and weight of output position o: the value is
 * (1 − frac)·src[lo] + frac·src[hi], indices relative to the crop's first pixel. */
static void source_tap(int o, int n_in, int n_out, int *lo, int *hi, float *frac)
{
    double s = ((double)o + 0.5) * (double)n_in / (double)n_out - 0.5;
    if (s < 0.0)
        s = 0.0;
    int i0 = (int)floor(s);
    if (i0 > n_in - 1)
        i0 = n_in - 1;
    *lo = i0;
    *hi = i0 + 1 < n_in ? i0 + 1 : n_in - 1;
    *frac = (float)(s - (double)i0);
}

void smug_resize_bilinear(const float *src, int c, int h, int w, const smug_box *b, int oh, int ow,
                          float *dst)
{
    int ch = b->y1 - b->y0, cw = b->x1 - b->x0;
    for (int ch_i = 0; ch_i < c; ch_i++) {
        const float *plane = src + (size_t)ch_i * (size_t)h * (size_t)w;
        float *out = dst + (size_t)ch_i * (size_t)oh * (size_t)ow;
        for (int oy = 0; oy < oh; oy++) {
            int y0, y1;
            float fy;
            source_tap(oy, ch, oh, &y0, &y1, &fy);
            const float *r0 = plane + (size_t)(b->y0 + y0) * (size_t)w + b->x0;
            const float *r1 = plane + (size_t)(b->y0 + y1) * (size_t)w + b->x0;
            for (int ox = 0; ox < ow; ox++) {
                int x0, x1;
                float fx;
                source_tap(ox, cw, ow, &x0, &x1, &fx);
                float top = (1.0f - fx) * r0[x0] + fx * r0[x1];
                float bot = (1.0f - fx) * r1[x0] + fx * r1[x1];
                out[(size_t)oy * (size_t)ow + (size_t)ox] = (1.0f - fy) * top + fy * bot;
            }
        }
    }
}
