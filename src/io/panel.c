/* panel.c — side-by-side pictures of an input and its explanations (panel.h), with a tiny
 * bitmap font for the titles so a panel reads on its own, without a legend file.
 */
#include "smug/panel.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define GAP      4
#define TILE_MIN 112 /* tiles are enlarged until they are at least this wide */

/* 5×7 glyphs, one byte per row, bit 4 = leftmost column. */
static const uint8_t font_letters[26][7] = {
    {14, 17, 17, 31, 17, 17, 17}, {30, 17, 17, 30, 17, 17, 30}, {14, 17, 16, 16, 16, 17, 14},
    {30, 17, 17, 17, 17, 17, 30}, {31, 16, 16, 30, 16, 16, 31}, {31, 16, 16, 30, 16, 16, 16},
    {14, 17, 16, 23, 17, 17, 15}, {17, 17, 17, 31, 17, 17, 17}, {14, 4, 4, 4, 4, 4, 14},
    {7, 2, 2, 2, 2, 18, 12},      {17, 18, 20, 24, 20, 18, 17}, {16, 16, 16, 16, 16, 16, 31},
    {17, 27, 21, 21, 17, 17, 17}, {17, 17, 25, 21, 19, 17, 17}, {14, 17, 17, 17, 17, 17, 14},
    {30, 17, 17, 30, 16, 16, 16}, {14, 17, 17, 17, 21, 18, 13}, {30, 17, 17, 30, 20, 18, 17},
    {15, 16, 16, 14, 1, 1, 30},   {31, 4, 4, 4, 4, 4, 4},       {17, 17, 17, 17, 17, 17, 14},
    {17, 17, 17, 17, 17, 10, 4},  {17, 17, 17, 21, 21, 21, 10}, {17, 17, 10, 4, 10, 17, 17},
    {17, 17, 10, 4, 4, 4, 4},     {31, 1, 2, 4, 8, 16, 31}};
static const uint8_t font_digits[10][7] = {
    {14, 17, 19, 21, 25, 17, 14}, {4, 12, 4, 4, 4, 4, 14},  {14, 17, 1, 2, 4, 8, 31},
    {31, 2, 4, 2, 1, 17, 14},     {2, 6, 10, 18, 31, 2, 2}, {31, 16, 30, 1, 1, 17, 14},
    {6, 8, 16, 30, 17, 17, 14},   {31, 1, 2, 4, 8, 8, 8},   {14, 17, 17, 14, 17, 17, 14},
    {14, 17, 17, 15, 1, 2, 12}};
static const uint8_t glyph_underscore[7] = {0, 0, 0, 0, 0, 0, 31};
static const uint8_t glyph_dot[7] = {0, 0, 0, 0, 0, 12, 12};
static const uint8_t glyph_dash[7] = {0, 0, 0, 31, 0, 0, 0};
static const uint8_t glyph_percent[7] = {24, 25, 2, 4, 8, 19, 3};

static const uint8_t *glyph(char ch)
{
    int c = toupper((unsigned char)ch);
    if (c >= 'A' && c <= 'Z')
        return font_letters[c - 'A'];
    if (c >= '0' && c <= '9')
        return font_digits[c - '0'];
    return c == '_'   ? glyph_underscore
           : c == '.' ? glyph_dot
           : c == '-' ? glyph_dash
           : c == '%' ? glyph_percent
                      : NULL;
}

typedef struct canvas {
    uint8_t *px; /* [h][w][3] */
    int h, w;
} canvas;

static void put(canvas *cv, int y, int x, const uint8_t rgb[3])
{
    if (y >= 0 && y < cv->h && x >= 0 && x < cv->w)
        memcpy(cv->px + 3 * ((size_t)y * (size_t)cv->w + (size_t)x), rgb, 3);
}

/* Text at (y, x), each font pixel an fs×fs block, clipped to max_w pixels. */
static void draw_text(canvas *cv, int y, int x, int max_w, const char *s, int fs)
{
    static const uint8_t white[3] = {255, 255, 255};
    for (int i = 0; s[i] && (i + 1) * 6 * fs <= max_w; i++) {
        const uint8_t *g = glyph(s[i]);
        for (int r = 0; g && r < 7 * fs; r++)
            for (int c = 0; c < 5 * fs; c++)
                if (g[r / fs] & (16 >> (c / fs)))
                    put(cv, y + r, x + i * 6 * fs + c, white);
    }
}

void smug_panel_text(uint8_t *rgb, int h, int w, int y, int x, int max_w, const char *s, int fs)
{
    canvas cv = {rgb, h, w};
    draw_text(&cv, y, x, max_w, s, fs);
}

/* One tile's pixels (h·w RGB, unscaled): the input or the map's colours. */
static void paint_tile(const smug_image_src *src, const float *map, uint8_t *rgb)
{
    size_t n = (size_t)src->h * (size_t)src->w;
    if (!map) {
        smug_image_paint_input(src, rgb);
        return;
    }
    float max = 0.0f;
    for (size_t p = 0; p < n; p++)
        max = map[p] > max ? map[p] : max;
    for (size_t p = 0; p < n; p++)
        smug_image_colormap(max > 0.0f && map[p] > 0.0f ? map[p] / max : 0.0f, rgb + 3 * p);
}

static void draw_box(canvas *cv, int y0, int x0, int s, const smug_box *b)
{
    static const uint8_t cyan[3] = {0, 230, 255};
    int top = y0 + b->y0 * s, bottom = y0 + b->y1 * s - 1;
    int left = x0 + b->x0 * s, right = x0 + b->x1 * s - 1;
    for (int x = left; x <= right; x++)
        put(cv, top, x, cyan), put(cv, bottom, x, cyan);
    for (int y = top; y <= bottom; y++)
        put(cv, y, left, cyan), put(cv, y, right, cyan);
}

/* Enlarges the tile's pixels by s into the canvas at (y0, x0). */
static void blit(canvas *cv, const uint8_t *rgb, int h, int w, int s, int y0, int x0)
{
    for (int y = 0; y < h * s; y++)
        for (int x = 0; x < w * s; x++)
            put(cv, y0 + y, x0 + x, rgb + 3 * ((size_t)(y / s) * (size_t)w + (size_t)(x / s)));
}

int smug_panel_write(const char *path, const smug_image_src *src, const smug_panel_tile *tiles,
                     int n, smug_error *err)
{
    if (n < 1 || src->h < 1 || src->w < 1 || src->h > 4096 || src->w > 4096)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "%s: a panel needs tiles and an image: %d tiles, %dx%d", path, n, src->h,
                         src->w);
    int longer = src->h > src->w ? src->h : src->w;
    int s = longer >= TILE_MIN ? 1 : (TILE_MIN + longer - 1) / longer;
    int tw = src->w * s, th = src->h * s, fs = tw >= 9 * 12 ? 2 : 1, title = 7 * fs + 6;
    canvas cv = {NULL, title + th + GAP, n * tw + (n + 1) * GAP};
    cv.px = calloc((size_t)cv.h * (size_t)cv.w * 3, 1);
    uint8_t *rgb = malloc((size_t)src->h * (size_t)src->w * 3);
    if (!cv.px || !rgb) {
        free(cv.px), free(rgb);
        return smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory for the panel", path);
    }
    for (int i = 0; i < n; i++) {
        int x0 = GAP + i * (tw + GAP);
        draw_text(&cv, 3, x0, tw, tiles[i].title ? tiles[i].title : "", fs);
        paint_tile(src, tiles[i].map, rgb);
        blit(&cv, rgb, src->h, src->w, s, title, x0);
        if (tiles[i].box && smug_box_valid(tiles[i].box, src->h, src->w))
            draw_box(&cv, title, x0, s, tiles[i].box);
    }
    int rc = smug_image_write_rgb(path, cv.px, cv.h, cv.w, err);
    free(cv.px);
    free(rgb);
    return rc;
}
