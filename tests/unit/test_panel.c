/* test_panel.c — side-by-side panels (src/io/panel.c): the picture's size follows the tile
 * count and the image, titles are drawn in white above the tiles, the LSC box in cyan, and
 * bad arguments fail with USAGE and leave no file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/panel.h"
#include "testutil.h"

/* Reads an RGB PNG: *out [h][w][3] malloc'ed. */
static void read_rgb(const char *path, uint8_t **out, int *h, int *w)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, path));
    img.format = PNG_FORMAT_RGB;
    *out = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(*out);
    assert_true(png_image_finish_read(&img, NULL, *out, 0, NULL));
    *h = (int)img.height;
    *w = (int)img.width;
}

static void test_layout(void **state)
{
    (void)state;
    char dir[] = "/tmp/smug-panel-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/p.png", dir);
    float x[28 * 28], map[28 * 28];
    for (int i = 0; i < 28 * 28; i++)
        x[i] = (float)(i % 28) / 27.0f, map[i] = (float)i;
    smug_image_src src = {x, 1, 28, 28, 0.0, 1.0};
    smug_box box = {0, 0, 14, 14};
    smug_panel_tile t[] = {{"input", NULL, NULL}, {"smug_base", map, &box}, {"ig", map, NULL}};
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_panel_write(path, &src, t, 3, &err), 0);
    uint8_t *px;
    int h, w;
    read_rgb(path, &px, &h, &w);
    /* 28 px × 4 = 112 per tile, 4 px gaps; a 20 px title strip (font doubled) */
    assert_int_equal(w, 3 * 112 + 4 * 4);
    assert_int_equal(h, 20 + 112 + 4);
    int white = 0;
    for (int y = 0; y < 20; y++)
        for (int xx = 0; xx < w; xx++)
            white += px[3 * (y * w + xx)] == 255 && px[3 * (y * w + xx) + 2] == 255;
    assert_true(white > 100);                            /* the titles */
    const uint8_t *corner = px + 3 * (20 * w + 4 + 116); /* tile 2's top-left: the box */
    assert_int_equal(corner[0], 0);
    assert_int_equal(corner[1], 230);
    assert_int_equal(corner[2], 255);
    free(px);
    assert_int_equal(smug_panel_write(path, &src, t, 0, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
