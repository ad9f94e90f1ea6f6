/* plot.c — line charts drawn into an RGB buffer and written with image.h's PNG writer
 * (plot.h). A few axes and lines are all `smug eval` needs; no plotting library.
 *
 * It draws no tick labels beyond 0, 0.5 and 1: the numbers are in the tables.
 */
#include "smug/plot.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smug/image.h"
#include "smug/panel.h"

enum { CW = 360, CH = 300, LEFT = 36, RIGHT = 12, TOP = 28, BOTTOM = 30 };

static const uint8_t palette[10][3] = {
    {230, 75, 53},   {77, 187, 213},  {0, 160, 135},  {60, 84, 136},   {243, 155, 127},
    {132, 145, 180}, {145, 209, 194}, {220, 200, 60}, {190, 120, 220}, {180, 180, 180}};

typedef struct canvas {
    uint8_t *px;
    int h, w;
} canvas;

static void put(canvas *c, int y, int x, const uint8_t rgb[3])
{
    if (y >= 0 && y < c->h && x >= 0 && x < c->w)
        memcpy(c->px + 3 * ((size_t)y * (size_t)c->w + (size_t)x), rgb, 3);
}

/* A line of width 2 from (y0, x0) to (y1, x1): a dot every half pixel along it. */
static void line(canvas *c, double y0, double x0, double y1, double x1, const uint8_t rgb[3])
{
    double len = fmax(fabs(y1 - y0), fabs(x1 - x0));
    int steps = (int)(2.0 * len) + 1;
    for (int i = 0; i <= steps; i++) {
        double t = (double)i / steps;
        int y = (int)lround(y0 + t * (y1 - y0)), x = (int)lround(x0 + t * (x1 - x0));
        put(c, y, x, rgb), put(c, y + 1, x, rgb), put(c, y, x + 1, rgb), put(c, y + 1, x + 1, rgb);
    }
}

static void frame(canvas *c, int ox, const char *title)
{
    static const uint8_t grey[3] = {110, 110, 110}, dim[3] = {60, 60, 60};
    int x0 = ox + LEFT, x1 = ox + CW - RIGHT, y0 = TOP, y1 = CH - BOTTOM;
    for (int x = x0; x <= x1; x++) {
        put(c, y0, x, grey), put(c, y1, x, grey);
        if (x % 4 == 0)
            put(c, (y0 + y1) / 2, x, dim);
    }
    for (int y = y0; y <= y1; y++) {
        put(c, y, x0, grey), put(c, y, x1, grey);
        if (y % 4 == 0)
            put(c, y, (x0 + x1) / 2, dim);
    }
    smug_panel_text(c->px, c->h, c->w, 8, x0, x1 - x0, title, 2);
    smug_panel_text(c->px, c->h, c->w, y0 - 3, ox + 8, 24, "1", 1);
    smug_panel_text(c->px, c->h, c->w, (y0 + y1) / 2 - 3, ox + 8, 24, "0.5", 1);
    smug_panel_text(c->px, c->h, c->w, y1 - 3, ox + 8, 24, "0", 1);
    smug_panel_text(c->px, c->h, c->w, y1 + 6, x0 - 2, 12, "0", 1);
    smug_panel_text(c->px, c->h, c->w, y1 + 6, (x0 + x1) / 2 - 8, 24, "0.5", 1);
    smug_panel_text(c->px, c->h, c->w, y1 + 6, x1 - 4, 12, "1", 1);
}

static void chart(canvas *c, int ox, const smug_plot_chart *ch)
{
    frame(c, ox, ch->title ? ch->title : "");
    double x0 = ox + LEFT, x1 = ox + CW - RIGHT, y0 = TOP, y1 = CH - BOTTOM;
    for (int s = 0; s < ch->n_series; s++) {
        const smug_plot_series *sr = &ch->series[s];
        const uint8_t *rgb = palette[(sr->color % 10 + 10) % 10];
        for (int i = 1; i < sr->n; i++) {
            double ya = fmin(1.0, fmax(0.0, sr->y[i - 1])), yb = fmin(1.0, fmax(0.0, sr->y[i]));
            line(c, y1 - ya * (y1 - y0), x0 + sr->x[i - 1] * (x1 - x0), y1 - yb * (y1 - y0),
                 x0 + sr->x[i] * (x1 - x0), rgb);
        }
    }
    /* the legend last, on black, so no line hides a name */
    static const uint8_t black[3] = {0, 0, 0};
    int lx = ox + CW - RIGHT - 88;
    for (int y = TOP + 2; y < TOP + 6 + 11 * ch->n_series; y++)
        for (int x = lx; x < ox + CW - RIGHT - 1; x++)
            put(c, y, x, black);
    for (int s = 0; s < ch->n_series; s++) {
        const smug_plot_series *sr = &ch->series[s];
        const uint8_t *rgb = palette[(sr->color % 10 + 10) % 10];
        int ly = TOP + 6 + 11 * s;
        for (int k = 0; k < 10; k++)
            put(c, ly + 3, lx + 4 + k, rgb), put(c, ly + 4, lx + 4 + k, rgb);
        smug_panel_text(c->px, c->h, c->w, ly, lx + 18, 66, sr->name ? sr->name : "", 1);
    }
}

int smug_plot_write(const char *path, const smug_plot_chart *charts, int n_charts, smug_error *err)
{
    if (n_charts < 1)
        return smug_fail(err, SMUG_ERR_USAGE, "%s: a plot needs a chart", path);
    int w = CW * n_charts;
    uint8_t *px = calloc((size_t)w * CH * 3, 1);
    if (!px)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    canvas c = {px, CH, w};
    for (int i = 0; i < n_charts; i++)
        chart(&c, i * CW, &charts[i]);
    int rc = smug_image_write_rgb(path, px, CH, w, err);
    free(px);
    return rc;
}
