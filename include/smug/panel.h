/* panel.h — one picture with an input and several methods' maps side by side, each under
 * its name (io/panel.c; `smug eval` writes one per input).
 *
 * Tiles run left to right in the order given, 4 px apart on a black background. A tile is
 * the input itself (map NULL) or a saliency map drawn with image.h's colour map relative to
 * that map's own largest value (compare maps by numbers, not colours); an optional box (the
 * LSC box, lsc.h) is outlined in cyan. Every tile is the image enlarged by the same integer
 * factor (28 px → 112 px; images of 112 px or more stay as they are), and its title is
 * written above it in a built-in 5×7 capital-letter font (letters, digits, '_', '.', '-',
 * '%'; other characters are left blank), doubled when the tile is wide enough.
 *
 * Errors: USAGE (no tile, bad image size), NOMEM, IO (writing, naming the path).
 * Ownership: reads its arguments only.
 */
#ifndef SMUG_PANEL_H
#define SMUG_PANEL_H

#include "smug/error.h"
#include "smug/image.h"
#include "smug/resize.h"

typedef struct smug_panel_tile {
    const char *title;
    const float *map;    /* [h·w], or NULL for the input itself */
    const smug_box *box; /* outlined when not NULL */
} smug_panel_tile;

int smug_panel_write(const char *path, const smug_image_src *src, const smug_panel_tile *tiles,
                     int n, smug_error *err);

/* The panels' font on any RGB picture rgb[h][w][3]: white text with its top left at (y, x),
 * each font pixel an fs×fs block, characters that would pass x + max_w left out. */
void smug_panel_text(uint8_t *rgb, int h, int w, int y, int x, int max_w, const char *s, int fs);

#endif
