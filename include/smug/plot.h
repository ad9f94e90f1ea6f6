/* plot.h — line charts as a PNG (io/plot.c): `smug eval`'s deletion and insertion curves.
 *
 * Charts sit side by side, each 360×300 px on black: a grey frame for x and y in [0, 1]
 * (dotted lines at 0.5), the title above it, one 2-px line per series in a fixed colour
 * per series slot (`color`, 0–9), and a legend (colour swatch and name in the panels' 5×7
 * font, panel.h) in the chart's top right. y values outside [0, 1] are clipped; a series
 * with fewer than 2 points draws nothing.
 * Errors: USAGE (no chart), NOMEM, IO (writing, naming the path). Reads its arguments only.
 */
#ifndef SMUG_PLOT_H
#define SMUG_PLOT_H

#include "smug/error.h"

typedef struct smug_plot_series {
    const char *name;
    int color;           /* colour slot 0-9 */
    const double *x, *y; /* [n], x in [0, 1] ascending */
    int n;
} smug_plot_series;

typedef struct smug_plot_chart {
    const char *title;
    const smug_plot_series *series;
    int n_series;
} smug_plot_chart;

int smug_plot_write(const char *path, const smug_plot_chart *charts, int n_charts, smug_error *err);

#endif
