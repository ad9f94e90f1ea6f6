/* bench_ig.c — times smug's Integrated Gradients the way bench/torch_ig.py times torch's:
 * per explanation (forward pass to find the target, then IG with all path points batched),
 * images 0..N-1 of data/fashion, R repetitions after one warm-up, median reported as one
 * JSON line per (model, layer). bench/ig.sh runs both and prints the ratios.
 *
 * usage: bench_ig [--threads N] [--reps R] [--steps M] [--images N]
 */
#include <cblas.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/forward.h"
#include "smug/ig.h"
#include "smug/input.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int explain(const smug_net *net, const float *x, int first, int steps, float *attr,
                   smug_error *err)
{
    float logits[64];
    if (net->n_classes > 64 || smug_net_eval(net, x, logits, NULL, err) < 0)
        return -1;
    smug_ig_opts o = SMUG_IG_OPTS_INIT;
    o.steps = steps;
    o.target = smug_argmax(logits, net->n_classes);
    return first ? smug_ig_first(net, x, &o, attr, NULL, NULL, err)
                 : smug_ig_input(net, x, &o, attr, NULL, err);
}

static int bench_model(const char *name, int threads, int reps, int steps, int n_images)
{
    char path[4096];
    smug_error err = SMUG_ERROR_INIT;
    smug_net *net;
    snprintf(path, sizeof path, "%s/models/%s.onnx", SMUG_SOURCE_DIR, name);
    if (smug_onnx_load(path, &net, &err) < 0) {
        fprintf(stderr, "bench_ig: %s\n", err.msg);
        return 1;
    }
    char **files;
    int n_files;
    snprintf(path, sizeof path, "%s/data/fashion", SMUG_SOURCE_DIR);
    if (smug_input_expand(path, &files, &n_files, &err) < 0) {
        fprintf(stderr, "bench_ig: %s\n", err.msg);
        return 1;
    }
    int n = 0;
    float *xs[64];
    for (int i = 0; i < n_files && n < n_images && n < 64; i++)
        if (strstr(files[i], ".png") &&
            smug_input_load(files[i], &net->input, 0, 1, &xs[n], &err) == 0)
            n++;
    size_t size = smug_shape_size(&net->input) > smug_net_first_size(net)
                      ? smug_shape_size(&net->input)
                      : smug_net_first_size(net);
    float *attr = malloc(size * sizeof *attr);
    double *times = malloc((size_t)(reps * n) * sizeof *times);
    int rc = 0;
    for (int first = 1; first >= 0 && rc == 0; first--) {
        rc |= explain(net, xs[0], first, steps, attr, &err); /* warm-up */
        int k = 0;
        for (int r = 0; r < reps && rc == 0; r++)
            for (int i = 0; i < n && rc == 0; i++) {
                double t0 = smug_now();
                rc |= explain(net, xs[i], first, steps, attr, &err);
                times[k++] = smug_now() - t0;
            }
        if (rc) {
            fprintf(stderr, "bench_ig: %s\n", err.msg);
            break;
        }
        qsort(times, (size_t)k, sizeof *times, by_value);
        printf("{\"model\": \"%s\", \"layer\": \"%s\", \"seconds\": %.9g, \"min_seconds\": %.9g, "
               "\"threads\": %d, \"steps\": %d, \"images\": %d, \"reps\": %d}\n",
               name, first ? "first" : "input", times[k / 2], times[0], threads, steps, n, reps);
    }
    for (int i = 0; i < n; i++)
        free(xs[i]);
    free(attr), free(times);
    smug_input_paths_free(files, n_files);
    smug_net_free(net);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    int threads = 1, reps = 5, steps = 300, images = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        int v = atoi(argv[i + 1]);
        if (strcmp(argv[i], "--threads") == 0)
            threads = v;
        else if (strcmp(argv[i], "--reps") == 0)
            reps = v;
        else if (strcmp(argv[i], "--steps") == 0)
            steps = v;
        else if (strcmp(argv[i], "--images") == 0)
            images = v;
    }
    if (threads < 1 || reps < 1 || steps < 1 || images < 1) {
        fprintf(stderr, "usage: bench_ig [--threads N] [--reps R] [--steps M] [--images N]\n");
        return 2;
    }
    /* Process-wide on purpose: IG allocates the same large batch buffers over and over;
     * keeping them in the heap instead of fresh mmap()s avoids a page fault per 4 KiB on
     * every call (measured: a third of IG time went to the kernel). */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    openblas_set_num_threads(threads);
    return bench_model("fashion_fc", threads, reps, steps, images) |
           bench_model("fashion_cnn", threads, reps, steps, images);
}
