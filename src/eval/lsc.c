/* lsc.c — LSC of boxes: MaxBox, CenterBox, OptBox and a saliency map's threshold sweep
 * (lsc.h; design §1 eval/, issue #5).
 *
 * Every method reduces to "these boxes; which has the lowest LSC?": the boxes are cropped
 * and resized (core/resize.c) into one batch and classified by one forward pass per chunk,
 * which is what makes OptBox's thousands of boxes cheap. The first box with the lowest LSC
 * wins, so each caller decides tie-breaking by the order it lists its boxes in.
 */
#include "smug/lsc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smug/forward.h"

#define LSC_BUDGET_BYTES ((size_t)32 << 20) /* crops + activations of one batch */

double smug_lsc_value(double area, double log_conf)
{
    return log(area > SMUG_LSC_MIN_AREA ? area : SMUG_LSC_MIN_AREA) - log_conf;
}

void smug_lsc_dims(const smug_net *net, int *out_c, int *out_h, int *out_w)
{
    smug_shape_chw(&net->input, out_c, out_h, out_w); /* rank 1 (N) is (1, 1, N) */
}

static int check_net(const smug_net *net, int target, smug_error *err)
{
    if (net->input_is_tokens)
        return smug_fail(err, SMUG_ERR_UNSUPPORTED,
                         "LSC: %s takes token ids, which cannot be cropped and resized", net->path);
    if (target < 0 || target >= net->n_classes)
        return smug_fail(err, SMUG_ERR_USAGE, "LSC: target class %d is not in [0, %d)", target,
                         net->n_classes);
    return 0;
}

static int check_box(const smug_box *b, int h, int w, smug_error *err)
{
    if (!smug_box_valid(b, h, w))
        return smug_fail(err, SMUG_ERR_USAGE,
                         "LSC: box rows [%d, %d) x columns [%d, %d) is empty or outside the "
                         "%dx%d image",
                         b->y0, b->y1, b->x0, b->x1, h, w);
    return 0;
}

int smug_lsc_crop(const smug_net *net, const float *x, const smug_box *box, float *out_x,
                  smug_error *err)
{
    int c, h, w;
    smug_lsc_dims(net, &c, &h, &w);
    if (check_box(box, h, w, err) < 0)
        return -1;
    smug_resize_bilinear(x, c, h, w, box, h, w, out_x);
    return 0;
}

/* Examples per forward pass: the crops and every layer's activations fit the budget. */
static int batch_rows(const smug_net *net, int n)
{
    size_t per = smug_shape_size(&net->input);
    for (int i = 0; i < net->n_layers; i++)
        per += smug_shape_size(&net->layers[i].out);
    size_t rows = LSC_BUDGET_BYTES / (per * sizeof(float));
    rows = rows < 1 ? 1 : rows;
    return rows < (size_t)n ? (int)rows : n;
}

/* log softmax_target(logits) in double */
static double log_confidence(const float *logits, int n, int target)
{
    float mx = logits[smug_argmax(logits, n)];
    double sum = 0.0;
    for (int k = 0; k < n; k++)
        sum += exp((double)logits[k] - (double)mx);
    return (double)logits[target] - (double)mx - log(sum);
}

/* Keeps in *best the first box of boxes[0..n) with the lowest LSC (boxes already valid). */
static int eval_boxes(const smug_net *net, const float *x, int target, const smug_box *boxes, int n,
                      smug_lsc_result *best, smug_error *err)
{
    int c, h, w, nc = net->n_classes;
    smug_lsc_dims(net, &c, &h, &w);
    size_t size = smug_shape_size(&net->input);
    int rows = batch_rows(net, n);
    float *crops = malloc((size_t)rows * size * sizeof *crops);
    float *logits = malloc((size_t)rows * (size_t)nc * sizeof *logits);
    int rc = crops && logits ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "LSC: out of memory");
    best->lsc = INFINITY;
    for (int i0 = 0; rc == 0 && i0 < n; i0 += rows) {
        int nb = n - i0 < rows ? n - i0 : rows;
        for (int b = 0; b < nb; b++)
            smug_resize_bilinear(x, c, h, w, &boxes[i0 + b], h, w, crops + (size_t)b * size);
        rc = smug_net_logits(net, crops, nb, logits, err);
        for (int b = 0; rc == 0 && b < nb; b++) {
            const smug_box *box = &boxes[i0 + b];
            double area = (double)smug_box_area(box) / ((double)h * (double)w);
            double lc = log_confidence(logits + (size_t)b * (size_t)nc, nc, target);
            double v = smug_lsc_value(area, lc);
            if (v < best->lsc) {
                best->box = *box;
                best->area = area;
                best->confidence = exp(lc);
                best->lsc = v;
            }
        }
    }
    free(crops);
    free(logits);
    best->threshold = 0.0;
    best->n_boxes = n;
    if (rc == 0 && !(best->lsc < INFINITY)) /* only a NaN logit gets here */
        rc = smug_fail(err, SMUG_ERR_INTERNAL, "LSC: no box had a finite score (NaN logits?)");
    return rc < 0 ? smug_error_prefix(err, "LSC") : 0;
}

int smug_lsc_box(const smug_net *net, const float *x, int target, const smug_box *box,
                 smug_lsc_result *out, smug_error *err)
{
    int c, h, w;
    smug_lsc_dims(net, &c, &h, &w);
    if (check_net(net, target, err) < 0 || check_box(box, h, w, err) < 0)
        return -1;
    return eval_boxes(net, x, target, box, 1, out, err);
}

int smug_lsc_maxbox(const smug_net *net, const float *x, int target, smug_lsc_result *out,
                    smug_error *err)
{
    int c, h, w;
    smug_lsc_dims(net, &c, &h, &w);
    smug_box b = {0, 0, h, w};
    return smug_lsc_box(net, x, target, &b, out, err);
}

/* round(n/√2), at least 1 */
static int half_area_side(int n)
{
    int s = (int)lround((double)n / sqrt(2.0));
    return s < 1 ? 1 : s;
}

int smug_lsc_centerbox(const smug_net *net, const float *x, int target, smug_lsc_result *out,
                       smug_error *err)
{
    int c, h, w;
    smug_lsc_dims(net, &c, &h, &w);
    int bh = h == 1 ? 1 : half_area_side(h), bw = half_area_side(w);
    if (h == 1) /* a sequence: half the length is half the area */
        bw = (int)lround(w / 2.0) < 1 ? 1 : (int)lround(w / 2.0);
    smug_box b = {(h - bh) / 2, (w - bw) / 2, (h - bh) / 2 + bh, (w - bw) / 2 + bw};
    return smug_lsc_box(net, x, target, &b, out, err);
}

int smug_lsc_optbox(const smug_net *net, const float *x, int target, int g, smug_lsc_result *out,
                    smug_error *err)
{
    int c, h, w;
    smug_lsc_dims(net, &c, &h, &w);
    int gy = h == 1 ? 1 : g; /* a sequence has one row of cells */
    if (check_net(net, target, err) < 0)
        return -1;
    if (g < 1 || g > w || gy > h)
        return smug_fail(err, SMUG_ERR_USAGE, "OptBox: grid size must be in [1, %d]: got %d",
                         h == 1 ? w : (h < w ? h : w), g);
    int n = (gy * (gy + 1) / 2) * (g * (g + 1) / 2), k = 0;
    smug_box *boxes = malloc((size_t)n * sizeof *boxes);
    if (!boxes)
        return smug_fail(err, SMUG_ERR_NOMEM, "OptBox: out of memory");
    for (int a = 0; a < gy; a++)
        for (int b = a + 1; b <= gy; b++)
            for (int p = 0; p < g; p++)
                for (int q = p + 1; q <= g; q++)
                    boxes[k++] = (smug_box){a * h / gy, p * w / g, b * h / gy, q * w / g};
    int rc = eval_boxes(net, x, target, boxes, n, out, err);
    free(boxes);
    return rc;
}

static int cmp_float(const void *a, const void *b)
{
    float u = *(const float *)a, v = *(const float *)b;
    return (u > v) - (u < v);
}

/* Tightest box around the pixels with map >= t (t > 0, so at least one exists). */
static smug_box bounding_box(const float *map, int h, int w, float t)
{
    smug_box b = {h, w, 0, 0};
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (map[(size_t)y * (size_t)w + (size_t)x] >= t) {
                b.y0 = y < b.y0 ? y : b.y0;
                b.x0 = x < b.x0 ? x : b.x0;
                b.y1 = y + 1 > b.y1 ? y + 1 : b.y1;
                b.x1 = x + 1 > b.x1 ? x + 1 : b.x1;
            }
    return b;
}

/* The sweep's thresholds (lsc.h), one per distinct box: out_t[levels], out_b[levels];
 * returns how many. Raising the threshold only shrinks the region, so equal boxes are
 * neighbours in the sweep and comparing with the previous box removes every duplicate. */
static int sweep_boxes(const float *map, int h, int w, const float *pos, int n_pos, int levels,
                       float *out_t, smug_box *out_b)
{
    int n = 0;
    for (int i = 0; i < levels; i++) {
        float t = pos[(size_t)((long long)i * n_pos / levels)];
        if (n > 0 && t == out_t[n - 1])
            continue;
        smug_box b = bounding_box(map, h, w, t);
        if (n > 0 && memcmp(&b, &out_b[n - 1], sizeof b) == 0)
            continue;
        out_t[n] = t;
        out_b[n++] = b;
    }
    return n;
}

int smug_lsc_map(const smug_net *net, const float *x, int target, const float *map,
                 const smug_lsc_map_opts *opts, smug_lsc_result *out, smug_error *err)
{
    int c, h, w;
    smug_lsc_dims(net, &c, &h, &w);
    if (check_net(net, target, err) < 0)
        return -1;
    if (opts->levels < 1)
        return smug_fail(err, SMUG_ERR_USAGE, "LSC: threshold levels must be >= 1: got %d",
                         opts->levels);
    size_t hw = (size_t)h * (size_t)w;
    float *pos = malloc(hw * sizeof *pos), *ts = malloc((size_t)opts->levels * sizeof *ts);
    smug_box *boxes = malloc((size_t)opts->levels * sizeof *boxes);
    int rc = pos && ts && boxes ? 0 : smug_fail(err, SMUG_ERR_NOMEM, "LSC: out of memory");
    int n_pos = 0;
    for (size_t p = 0; rc == 0 && p < hw; p++)
        if (map[p] > 0.0f) /* false for NaN */
            pos[n_pos++] = map[p];
    if (rc == 0 && n_pos == 0) {
        rc = smug_lsc_maxbox(net, x, target, out, err);
    } else if (rc == 0) {
        qsort(pos, (size_t)n_pos, sizeof *pos, cmp_float);
        int n = sweep_boxes(map, h, w, pos, n_pos, opts->levels, ts, boxes);
        rc = eval_boxes(net, x, target, boxes, n, out, err);
        for (int i = 0; rc == 0 && i < n; i++)
            if (memcmp(&boxes[i], &out->box, sizeof out->box) == 0) {
                out->threshold = ts[i];
                break;
            }
    }
    free(pos);
    free(ts);
    free(boxes);
    return rc;
}
