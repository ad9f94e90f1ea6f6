/* test_image.c — the PNG writers (src/io/image.c): sizes, colours, masks, failures.
 *
 * Every picture is decoded back with libpng's simplified reader and checked pixel by pixel:
 * the upscaled size, that each map pixel became a uniform block, the colour map's ends, and
 * the mask pictures' kept and dropped values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smug/fsutil.h"
#include "smug/image.h"
#include "testutil.h"

static const uint8_t dark[3] = {0, 0, 4}, bright[3] = {252, 255, 164};

/* ---- a temporary directory per test ------------------------------------------------- */

typedef struct tmpdir {
    char path[512];
    char file[640];
} tmpdir;

static int setup_tmpdir(void **state)
{
    tmpdir *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    const char *base = getenv("TMPDIR");
    snprintf(t->path, sizeof t->path, "%s/smug-test-image-XXXXXX", base && base[0] ? base : "/tmp");
    if (!mkdtemp(t->path)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int teardown_tmpdir(void **state)
{
    tmpdir *t = *state;
    remove_tree(t->path);
    free(t);
    return 0;
}

static const char *in_tmp(tmpdir *t, const char *name)
{
    snprintf(t->file, sizeof t->file, "%s/%s", t->path, name);
    return t->file;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* ---- decoding ----------------------------------------------------------------------- */

typedef struct decoded {
    int w, h, ch;
    uint8_t *px; /* [h][w][ch] */
} decoded;

/* Reads `path` as RGB (ch 3) or gray (ch 1); fails the test when libpng cannot. Also checks
 * that the file's own format is the one asked for. */
static decoded decode(const char *path, int ch)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        fail_msg("%s: %s", path, img.message);
    assert_int_equal(img.format, ch == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY);
    decoded d = {(int)img.width, (int)img.height, ch, NULL};
    d.px = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(d.px);
    if (!png_image_finish_read(&img, NULL, d.px, 0, NULL))
        fail_msg("%s: %s", path, img.message);
    return d;
}

static const uint8_t *at(const decoded *d, int y, int x)
{
    return d->px + ((size_t)y * (size_t)d->w + (size_t)x) * (size_t)d->ch;
}

/* Map pixel (y, x) became an s×s block of one value; returns the block's first pixel. */
static const uint8_t *block(const decoded *d, int s, int y, int x)
{
    const uint8_t *first = at(d, y * s, x * s);
    for (int dy = 0; dy < s; dy++)
        for (int dx = 0; dx < s; dx++)
            assert_memory_equal(at(d, y * s + dy, x * s + dx), first, (size_t)d->ch);
    return first;
}

static void assert_rgb(const uint8_t *px, int r, int g, int b)
{
    if (px[0] != r || px[1] != g || px[2] != b)
        fail_msg("pixel (%d, %d, %d), want (%d, %d, %d)", px[0], px[1], px[2], r, g, b);
}

/* ---- scale and colour map ----------------------------------------------------------- */

static void test_auto_scale(void **state)
{
    (void)state;
    assert_int_equal(smug_image_auto_scale(28, 28), 8);
    assert_int_equal(smug_image_auto_scale(224, 224), 1);
    assert_int_equal(smug_image_auto_scale(3, 4), 56);
    assert_int_equal(smug_image_auto_scale(1, 784), 1);
    assert_int_equal(smug_image_auto_scale(1, 10), 23); /* 230 >= 224 */
    assert_int_equal(smug_image_auto_scale(300, 10), 1);
}

static void test_colormap_ends_and_order(void **state)
{
    (void)state;
    uint8_t c[3];
    smug_image_colormap(0.0f, c);
    assert_memory_equal(c, dark, 3);
    smug_image_colormap(-3.0f, c);
    assert_memory_equal(c, dark, 3);
    smug_image_colormap(NAN, c);
    assert_memory_equal(c, dark, 3);
    smug_image_colormap(1.0f, c);
    assert_memory_equal(c, bright, 3);
    smug_image_colormap(7.0f, c);
    assert_memory_equal(c, bright, 3);
    smug_image_colormap(0.5f, c);
    assert_rgb(c, 188, 55, 84);
    /* perceptual: luminance rises along the map (by 5 or more every 0.05), and between
     * neighbouring fine steps it falls by at most one 8-bit rounding step of green */
    double last = -1.0, coarse = -10.0;
    for (int i = 0; i <= 1000; i++) {
        smug_image_colormap((float)i / 1000.0f, c);
        double lum = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
        assert_true(lum >= last - 0.6);
        if (i % 50 == 0) {
            assert_true(lum >= coarse + 5.0);
            coarse = lum;
        }
        last = lum;
    }
}

/* ---- heatmap ------------------------------------------------------------------------ */

static void test_heatmap_size_and_colours(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    /* 3 x 4; max 2.0; one negative and one NaN that draw as zero */
    const float map[12] = {0.0f, 2.0f, 1.0f, -5.0f, NAN, 0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 2.0f, 0.0f};
    const char *path = in_tmp(t, "heat.png");
    assert_int_equal(smug_image_write_heatmap(path, map, 3, 4, 0, &err), 0);
    decoded d = decode(path, 3);
    assert_int_equal(d.w, 4 * 56); /* auto scale: the longer side reaches 224 */
    assert_int_equal(d.h, 3 * 56);
    assert_memory_equal(block(&d, 56, 0, 0), dark, 3);
    assert_memory_equal(block(&d, 56, 0, 1), bright, 3);
    assert_memory_equal(block(&d, 56, 2, 2), bright, 3);
    assert_rgb(block(&d, 56, 0, 2), 188, 55, 84); /* 1.0 / 2.0 */
    assert_memory_equal(block(&d, 56, 0, 3), dark, 3);
    assert_memory_equal(block(&d, 56, 1, 0), dark, 3);
    uint8_t quarter[3];
    smug_image_colormap(0.25f, quarter);
    assert_memory_equal(block(&d, 56, 1, 1), quarter, 3);
    free(d.px);
    assert_int_equal(count_entries(t->path), 1); /* no temporaries left */
}

static void test_zero_map_is_all_dark(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    float map[28 * 28];
    for (int p = 0; p < 28 * 28; p++)
        map[p] = p % 5 ? 0.0f : -1.0f;
    const char *path = in_tmp(t, "zero.png");
    assert_int_equal(smug_image_write_heatmap(path, map, 28, 28, 2, &err), 0);
    decoded d = decode(path, 3);
    assert_int_equal(d.w, 56);
    assert_int_equal(d.h, 56);
    for (int y = 0; y < d.h; y++)
        for (int x = 0; x < d.w; x++)
            assert_memory_equal(at(&d, y, x), dark, 3);
    free(d.px);
}

/* ---- overlay ------------------------------------------------------------------------ */

static void test_overlay_gray_input(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    /* pixel range [-1, 1]: -1 -> 0, 1 -> 255, 0.2 -> 153; 3.0 clips to 255 */
    const float x[4] = {-1.0f, 1.0f, 0.2f, 3.0f};
    const float map[4] = {0.0f, -1.0f, 4.0f, 0.0f};
    smug_image_src src = {x, 1, 2, 2, -1.0, 1.0};
    const char *path = in_tmp(t, "overlay.png");
    assert_int_equal(smug_image_write_overlay(path, &src, map, 3, &err), 0);
    decoded d = decode(path, 3);
    assert_int_equal(d.w, 6);
    assert_int_equal(d.h, 6);
    assert_rgb(block(&d, 3, 0, 0), 0, 0, 0); /* map <= 0: the input, unchanged */
    assert_rgb(block(&d, 3, 0, 1), 255, 255, 255);
    assert_rgb(block(&d, 3, 1, 1), 255, 255, 255);
    /* the map's maximum: 80 % bright end over 20 % of level 153 */
    const uint8_t *px = block(&d, 3, 1, 0);
    for (int ch = 0; ch < 3; ch++)
        tu_assert_close(px[ch], 0.2 * 153 + 0.8 * bright[ch], 1.0);
    free(d.px);
}

static void test_overlay_rgb_channels(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    /* 3 x 1 x 2 planes (NCHW): pixel 0 is pure red, pixel 1 pure blue */
    const float x[6] = {1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f};
    const float map[2] = {0.0f, 0.0f};
    smug_image_src src = {x, 3, 1, 2, 0.0, 1.0};
    const char *path = in_tmp(t, "rgb.png");
    assert_int_equal(smug_image_write_overlay(path, &src, map, 1, &err), 0);
    decoded d = decode(path, 3);
    assert_int_equal(d.w, 2);
    assert_int_equal(d.h, 1);
    assert_rgb(at(&d, 0, 0), 255, 0, 0);
    assert_rgb(at(&d, 0, 1), 0, 0, 255);
    free(d.px);
}

/* ---- masks -------------------------------------------------------------------------- */

static void test_mask_png_is_black_and_white(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    const uint8_t keep[6] = {1, 0, 0, 7, 1, 0};
    const char *path = in_tmp(t, "mask.png");
    assert_int_equal(smug_image_write_mask(path, keep, 2, 3, 4, &err), 0);
    decoded d = decode(path, 1);
    assert_int_equal(d.w, 12);
    assert_int_equal(d.h, 8);
    for (int p = 0; p < 6; p++)
        assert_int_equal(block(&d, 4, p / 3, p % 3)[0], keep[p] ? 255 : 0);
    free(d.px);
}

static void test_masked_input_greys_dropped_cells(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    /* levels 0, 255, 102, 204 (x = v/255 in [0, 1]); the left column is kept */
    const float x[4] = {0.0f, 1.0f, 0.4f, 0.8f};
    const uint8_t keep[4] = {1, 0, 1, 0};
    smug_image_src src = {x, 1, 2, 2, 0.0, 1.0};
    const char *path = in_tmp(t, "masked.png");
    assert_int_equal(smug_image_write_masked(path, &src, keep, 8, &err), 0);
    decoded d = decode(path, 3);
    assert_int_equal(d.w, 16);
    assert_int_equal(d.h, 16);
    assert_rgb(block(&d, 8, 0, 1), 159, 159, 159); /* dropped: 96 + 255/4, no frame */
    assert_rgb(block(&d, 8, 1, 1), 147, 147, 147); /* dropped: 96 + 204/4 */
    for (int y = 0; y < 16; y++)
        for (int xx = 0; xx < 8; xx++) {
            const uint8_t *px = at(&d, y, xx);
            int level = y < 8 ? 0 : 102;
            if (xx >= 6) /* 2 px frame where kept meets dropped; none between the kept pair */
                assert_rgb(px, 0, 210, 255);
            else
                assert_rgb(px, level, level, level); /* kept: as it is */
        }
    free(d.px);
}

static void test_masked_all_kept_is_the_input(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    const float x[4] = {0.0f, 1.0f, 0.4f, 0.8f};
    const uint8_t keep[4] = {1, 1, 1, 1};
    smug_image_src src = {x, 1, 2, 2, 0.0, 1.0};
    const char *path = in_tmp(t, "all.png");
    assert_int_equal(smug_image_write_masked(path, &src, keep, 3, &err), 0);
    decoded d = decode(path, 3);
    const int levels[4] = {0, 255, 102, 204};
    for (int p = 0; p < 4; p++)
        assert_rgb(block(&d, 3, p / 2, p % 2), levels[p], levels[p], levels[p]);
    free(d.px);
}

/* ---- failures ----------------------------------------------------------------------- */

static void test_missing_directory_fails_naming_the_path(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    char path[700];
    snprintf(path, sizeof path, "%s/no/such/dir/heat.png", t->path);
    const float map[4] = {1, 2, 3, 4};
    const uint8_t keep[4] = {1, 0, 1, 0};
    smug_image_src src = {map, 1, 2, 2, 0.0, 1.0};
    assert_int_equal(smug_image_write_heatmap(path, map, 2, 2, 0, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(smug_image_write_overlay(path, &src, map, 0, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(smug_image_write_mask(path, keep, 2, 2, 0, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(smug_image_write_masked(path, &src, keep, 0, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_false(smug_fs_exists(path));
    assert_int_equal(count_entries(t->path), 0);
}

static void test_unwritable_target_leaves_no_file(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    const char *path = in_tmp(t, "taken");
    assert_int_equal(mkdir(path, 0777), 0); /* a directory where the picture should go */
    const float map[4] = {1, 2, 3, 4};
    assert_int_equal(smug_image_write_heatmap(path, map, 2, 2, 0, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(count_entries(t->path), 1); /* the directory only, no temporary */
}

static void test_bad_arguments_are_usage_errors(void **state)
{
    tmpdir *t = *state;
    smug_error err = SMUG_ERROR_INIT;
    const char *path = in_tmp(t, "bad.png");
    const float map[4] = {1, 2, 3, 4};
    assert_int_equal(smug_image_write_heatmap(path, map, 2, 2, -1, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_string_equal(err.msg, "image scale must be in [0, 64]: got -1");
    assert_int_equal(smug_image_write_heatmap(path, map, 2, 2, 65, &err), -1);
    assert_int_equal(smug_image_write_heatmap(path, map, 0, 2, 1, &err), -1);
    assert_string_equal(err.msg, "image size must be at least 1x1: got 0x2");
    assert_int_equal(smug_image_write_heatmap(path, map, 1, 4, 64, &err), 0);
    float *wide = calloc(300, sizeof *wide);
    assert_non_null(wide);
    assert_int_equal(smug_image_write_heatmap(path, wide, 1, 300, 64, &err), -1);
    assert_non_null(strstr(err.msg, "exceeds 16384 pixels a side"));
    free(wide);
    smug_image_src src = {map, 1, 2, 2, 1.0, 1.0};
    assert_int_equal(smug_image_write_overlay(path, &src, map, 0, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "pixel range [1, 1] is empty"));
    unlink(path);
    assert_int_equal(count_entries(t->path), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_tmpdir, teardown_tmpdir)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_scale),
        cmocka_unit_test(test_colormap_ends_and_order),
        T(test_heatmap_size_and_colours),
        T(test_zero_map_is_all_dark),
        T(test_overlay_gray_input),
        T(test_overlay_rgb_channels),
        T(test_mask_png_is_black_and_white),
        T(test_masked_input_greys_dropped_cells),
        T(test_masked_all_kept_is_the_input),
        T(test_missing_directory_fails_naming_the_path),
        T(test_unwritable_target_leaves_no_file),
        T(test_bad_arguments_are_usage_errors),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
