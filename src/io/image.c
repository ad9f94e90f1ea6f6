/* image.c — saliency maps and masks as PNG files (image.h; the end of design §1's data flow).
 *
 * Each writer first paints a picture at the map's own size (one RGB or gray byte group per
 * input pixel), then enlarges it by nearest neighbour, encodes it in memory with libpng's
 * simplified API and hands the bytes to smug_fs_write_atomic. Nothing here computes a
 * score: the maps come from explain/score.c, the input from io/input.c.
 */
#include "smug/image.h"

#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "smug/fsutil.h"

/* matplotlib's "inferno" at t = 0, 0.1, …, 1: perceptually uniform, dark at 0, and still
 * ordered when printed in grayscale. */
static const uint8_t inferno[11][3] = {
    {0, 0, 4},     {22, 11, 57},   {66, 10, 104},  {106, 23, 110}, {147, 38, 103},  {188, 55, 84},
    {221, 81, 58}, {243, 120, 25}, {252, 165, 10}, {246, 215, 70}, {252, 255, 164},
};

/* Frame of kept regions in the masked picture: a cyan no grayscale input contains. */
static const uint8_t outline_rgb[3] = {0, 210, 255};

#define DROPPED_BASE       96    /* dropped pixels become 96 + lum/4 ∈ [96, 159] */
#define OVERLAY_ALPHA_MIN  0.35f /* heat opacity at the smallest positive value … */
#define OVERLAY_ALPHA_SPAN 0.45f /* … rising by this much to the map's maximum */

int smug_image_auto_scale(int h, int w)
{
    int side = h > w ? h : w;
    if (side <= 0)
        return 1;
    int s = (SMUG_IMAGE_MIN_SIDE + side - 1) / side;
    return s < 1 ? 1 : s;
}

void smug_image_colormap(float t, uint8_t out_rgb[3])
{
    if (!(t > 0.0f))
        t = 0.0f; /* also NaN */
    if (t > 1.0f)
        t = 1.0f;
    float u = t * 10.0f;
    int i = (int)u;
    if (i >= 10)
        i = 9;
    float f = u - (float)i;
    for (int ch = 0; ch < 3; ch++) {
        float v = (1.0f - f) * inferno[i][ch] + f * inferno[i + 1][ch];
        out_rgb[ch] = (uint8_t)(v + 0.5f); /* round half up: no even-odd flicker */
    }
}

/* ---- checks and the PNG file ------------------------------------------------------- */

static int resolve_scale(int h, int w, int scale, int *out_s, smug_error *err)
{
    if (h < 1 || w < 1)
        return smug_fail(err, SMUG_ERR_USAGE, "image size must be at least 1x1: got %dx%d", h, w);
    if (scale < 0 || scale > SMUG_IMAGE_MAX_SCALE)
        return smug_fail(err, SMUG_ERR_USAGE, "image scale must be in [0, %d]: got %d",
                         SMUG_IMAGE_MAX_SCALE, scale);
    int s = scale ? scale : smug_image_auto_scale(h, w);
    if ((long)h * s > SMUG_IMAGE_MAX_SIDE || (long)w * s > SMUG_IMAGE_MAX_SIDE)
        return smug_fail(err, SMUG_ERR_USAGE, "image of %dx%d at scale %d exceeds %d pixels a side",
                         h, w, s, SMUG_IMAGE_MAX_SIDE);
    *out_s = s;
    return 0;
}

/* px [h][w][ch] → [h·s][w·s][ch], each pixel a s×s block. NULL when out of memory. */
static uint8_t *upscale(const uint8_t *px, int h, int w, int ch, int s)
{
    size_t row = (size_t)w * (size_t)s * (size_t)ch;
    uint8_t *out = malloc(row * (size_t)h * (size_t)s);
    if (!out)
        return NULL;
    for (int y = 0; y < h; y++) {
        uint8_t *dst = out + (size_t)y * (size_t)s * row;
        for (int x = 0; x < w; x++)
            for (int r = 0; r < s; r++)
                memcpy(dst + ((size_t)x * (size_t)s + (size_t)r) * (size_t)ch,
                       px + ((size_t)y * (size_t)w + (size_t)x) * (size_t)ch, (size_t)ch);
        for (int r = 1; r < s; r++)
            memcpy(dst + (size_t)r * row, dst, row);
    }
    return out;
}

/* Encodes px [h][w][ch] (ch = 1 gray, 3 RGB) into a malloc'ed PNG in *out_png. */
static int encode_png(const char *path, const uint8_t *px, int h, int w, int ch, void **out_png,
                      size_t *out_len, smug_error *err)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)w;
    img.height = (png_uint_32)h;
    img.format = ch == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    png_int_32 stride = (png_int_32)(w * ch);
    png_alloc_size_t len = 0;
    if (!png_image_write_get_memory_size(img, len, 0, px, stride, NULL))
        return smug_fail(err, SMUG_ERR_INTERNAL, "%s: PNG encoding failed: %s", path, img.message);
    void *buf = malloc(len);
    if (!buf)
        return smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory for the PNG", path);
    if (!png_image_write_to_memory(&img, buf, &len, 0, px, stride, NULL)) {
        free(buf);
        return smug_fail(err, SMUG_ERR_INTERNAL, "%s: PNG encoding failed: %s", path, img.message);
    }
    *out_png = buf;
    *out_len = len;
    return 0;
}

/* Frames the kept regions of an enlarged RGB picture: a line of OUTLINE_RGB along every
 * edge where a kept map pixel meets a dropped one, drawn on the kept side. Without it a
 * kept patch of black background would look like any other black. */
static void outline_kept(uint8_t *big, const uint8_t *keep, int h, int w, int s)
{
    int t = s >= 4 ? 2 : 1, width = w * s;
    for (int yy = 0; yy < h * s; yy++)
        for (int xx = 0; xx < width; xx++) {
            int y = yy / s, x = xx / s, dy = yy % s, dx = xx % s;
            if (!keep[y * w + x])
                continue;
            int edge = (dy < t && y > 0 && !keep[(y - 1) * w + x]) ||
                       (dy >= s - t && y + 1 < h && !keep[(y + 1) * w + x]) ||
                       (dx < t && x > 0 && !keep[y * w + x - 1]) ||
                       (dx >= s - t && x + 1 < w && !keep[y * w + x + 1]);
            if (edge)
                memcpy(big + 3 * ((size_t)yy * (size_t)width + (size_t)xx), outline_rgb, 3);
        }
}

/* Enlarges px [h][w][ch] by s, frames the kept regions when `keep` is given (RGB only),
 * encodes the picture and writes it atomically to path. */
static int write_png(const char *path, const uint8_t *px, int h, int w, int ch, int s,
                     const uint8_t *keep, smug_error *err)
{
    uint8_t *big = upscale(px, h, w, ch, s);
    if (!big)
        return smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory for a %dx%d picture", path, w * s,
                         h * s);
    if (keep)
        outline_kept(big, keep, h, w, s);
    void *png = NULL;
    size_t len = 0;
    int rc = encode_png(path, big, h * s, w * s, ch, &png, &len, err);
    free(big);
    if (rc == 0)
        rc = smug_fs_write_atomic(path, png, len, err);
    free(png);
    return rc;
}

/* A fresh [h][w][ch] canvas, or NULL after failing with NOMEM. */
static uint8_t *canvas(const char *path, int h, int w, int ch, smug_error *err)
{
    uint8_t *px = malloc((size_t)h * (size_t)w * (size_t)ch);
    if (!px)
        smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory", path);
    return px;
}

/* ---- painting ------------------------------------------------------------------------ */

/* Largest positive value of map[n], or 0 when there is none. */
static float map_max(const float *map, size_t n)
{
    float m = 0.0f;
    for (size_t i = 0; i < n; i++)
        if (map[i] > m)
            m = map[i];
    return m;
}

/* Where v sits on the colour scale of a map whose largest value is max. */
static float heat_level(float v, float max)
{
    return max > 0.0f && v > 0.0f ? v / max : 0.0f;
}

static uint8_t to_level(float v, double lo, double hi)
{
    double u = ((double)v - lo) / (hi - lo) * 255.0;
    if (!(u > 0.0))
        return 0; /* also NaN */
    return u >= 255.0 ? 255 : (uint8_t)lrint(u);
}

void smug_image_paint_input(const smug_image_src *src, uint8_t *rgb)
{
    size_t plane = (size_t)src->h * (size_t)src->w;
    for (size_t p = 0; p < plane; p++) {
        for (int ch = 0; ch < 3; ch++) {
            float v = 0.0f;
            if (src->c == 3) {
                v = src->x[(size_t)ch * plane + p];
            } else {
                for (int c = 0; c < src->c; c++)
                    v += src->x[(size_t)c * plane + p];
                v /= (float)src->c;
            }
            rgb[3 * p + (size_t)ch] = to_level(v, src->pixel_min, src->pixel_max);
        }
    }
}

static int check_src(const char *path, const smug_image_src *src, smug_error *err)
{
    if (src->c < 1)
        return smug_fail(err, SMUG_ERR_USAGE, "%s: input has %d channels", path, src->c);
    if (!(src->pixel_min < src->pixel_max))
        return smug_fail(err, SMUG_ERR_USAGE, "%s: pixel range [%g, %g] is empty", path,
                         src->pixel_min, src->pixel_max);
    return 0;
}

int smug_image_write_heatmap(const char *path, const float *map, int h, int w, int scale,
                             smug_error *err)
{
    int s;
    if (resolve_scale(h, w, scale, &s, err) < 0)
        return -1;
    size_t n = (size_t)h * (size_t)w;
    uint8_t *rgb = canvas(path, h, w, 3, err);
    if (!rgb)
        return -1;
    float max = map_max(map, n);
    for (size_t p = 0; p < n; p++)
        smug_image_colormap(heat_level(map[p], max), rgb + 3 * p);
    int rc = write_png(path, rgb, h, w, 3, s, NULL, err);
    free(rgb);
    return rc;
}

/* Blends the heat colour of t over pixel px (RGB), more opaque for larger t. */
static void blend_heat(uint8_t *px, float t)
{
    uint8_t heat[3];
    smug_image_colormap(t, heat);
    float a = OVERLAY_ALPHA_MIN + OVERLAY_ALPHA_SPAN * t;
    for (int ch = 0; ch < 3; ch++)
        px[ch] = (uint8_t)lrintf((1.0f - a) * px[ch] + a * heat[ch]);
}

int smug_image_write_overlay(const char *path, const smug_image_src *src, const float *map,
                             int scale, smug_error *err)
{
    int s;
    if (resolve_scale(src->h, src->w, scale, &s, err) < 0 || check_src(path, src, err) < 0)
        return -1;
    size_t n = (size_t)src->h * (size_t)src->w;
    uint8_t *rgb = canvas(path, src->h, src->w, 3, err);
    if (!rgb)
        return -1;
    smug_image_paint_input(src, rgb);
    float max = map_max(map, n);
    for (size_t p = 0; p < n; p++)
        if (map[p] > 0.0f)
            blend_heat(rgb + 3 * p, heat_level(map[p], max));
    int rc = write_png(path, rgb, src->h, src->w, 3, s, NULL, err);
    free(rgb);
    return rc;
}

int smug_image_write_mask(const char *path, const uint8_t *keep, int h, int w, int scale,
                          smug_error *err)
{
    int s;
    if (resolve_scale(h, w, scale, &s, err) < 0)
        return -1;
    size_t n = (size_t)h * (size_t)w;
    uint8_t *gray = canvas(path, h, w, 1, err);
    if (!gray)
        return -1;
    for (size_t p = 0; p < n; p++)
        gray[p] = keep[p] ? 255 : 0;
    int rc = write_png(path, gray, h, w, 1, s, NULL, err);
    free(gray);
    return rc;
}

/* A dropped pixel: its luminance squeezed into a flat grey band. */
static void grey_out(uint8_t *px)
{
    int lum = (299 * px[0] + 587 * px[1] + 114 * px[2] + 500) / 1000;
    uint8_t g = (uint8_t)(DROPPED_BASE + lum / 4);
    px[0] = px[1] = px[2] = g;
}

int smug_image_write_masked(const char *path, const smug_image_src *src, const uint8_t *keep,
                            int scale, smug_error *err)
{
    int s;
    if (resolve_scale(src->h, src->w, scale, &s, err) < 0 || check_src(path, src, err) < 0)
        return -1;
    size_t n = (size_t)src->h * (size_t)src->w;
    uint8_t *rgb = canvas(path, src->h, src->w, 3, err);
    if (!rgb)
        return -1;
    smug_image_paint_input(src, rgb);
    for (size_t p = 0; p < n; p++)
        if (!keep[p])
            grey_out(rgb + 3 * p);
    int rc = write_png(path, rgb, src->h, src->w, 3, s, keep, err);
    free(rgb);
    return rc;
}

int smug_image_write_rgb(const char *path, const uint8_t *rgb, int h, int w, smug_error *err)
{
    int s;
    if (resolve_scale(h, w, 1, &s, err) < 0)
        return -1;
    return write_png(path, rgb, h, w, 3, 1, NULL, err);
}
