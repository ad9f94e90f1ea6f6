/* bench_conv.c — the two convolution routes on the real layers of a network: im2col +
 * OpenBLAS GEMM (im2col.h) against oneDNN (conv_dnnl.h), forward and input gradient, at one
 * batch size, each layer timed on its own (median of R runs after a warm-up). Prints one
 * line per conv layer and totals per layer kind, so the route can be chosen per kind.
 *
 * usage: bench_conv MODEL.onnx [--batch B] [--reps R] [--threads N]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/conv.h"
#include "smug/forward.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* kind of a conv layer for the totals: depthwise, 1x1, or kxk with stride */
static void kind_of(const smug_layer *l, char *out, size_t n)
{
    int g = l->group > 1 ? l->group : 1;
    if (g > 1 && g == l->n_in)
        snprintf(out, n, "dw%dx%d/s%d", l->win.kh, l->win.kw, l->win.sh);
    else
        snprintf(out, n, "%dx%d/s%d%s", l->win.kh, l->win.kw, l->win.sh, g > 1 ? "/g" : "");
}

typedef struct totals {
    char kind[32];
    double t[4];
    int n;
} totals;

static double median_time(smug_conv *c, int dir, const float *x, int batch, float *y, void *scratch,
                          int reps)
{
    double ts[64];
    smug_error err = SMUG_ERROR_INIT;
    for (int r = -1; r < reps; r++) {
        double t0 = smug_now();
        int rc = dir == 0 ? smug_conv_forward(c, x, batch, y, scratch, &err)
                          : smug_conv_backward(c, x, batch, y, scratch, &err);
        if (rc < 0) {
            fprintf(stderr, "bench_conv: %s\n", err.msg);
            exit(1);
        }
        if (r >= 0)
            ts[r] = smug_now() - t0;
    }
    qsort(ts, (size_t)reps, sizeof *ts, by_value);
    return ts[reps / 2];
}

int main(int argc, char **argv)
{
    int batch = 16, reps = 5, threads = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_conv MODEL.onnx [--batch B] [--reps R] [--threads N]\n");
        return 2;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        int v = atoi(argv[i + 1]);
        if (strcmp(argv[i], "--batch") == 0)
            batch = v;
        else if (strcmp(argv[i], "--reps") == 0)
            reps = v;
        else if (strcmp(argv[i], "--threads") == 0)
            threads = v;
    }
    if (batch < 1 || reps < 1 || reps > 64 || threads < 1) {
        fprintf(stderr, "bench_conv: bad arguments\n");
        return 2;
    }
    smug_set_threads(threads);
    smug_error err = SMUG_ERROR_INIT;
    smug_net *net;
    if (smug_onnx_load(argv[1], &net, &err) < 0) {
        fprintf(stderr, "bench_conv: %s\n", err.msg);
        return 1;
    }
    totals tot[32];
    int n_tot = 0;
    printf("%-40s %-10s %9s %9s %9s %9s  %s\n", "layer", "kind", "gemm fwd", "dnnl fwd", "gemm bwd",
           "dnnl bwd", "agree(f/b)  oneDNN implementation (ms per batch)");
    for (int i = net->first + 1; i < net->n_layers; i++) {
        const smug_layer *l = &net->layers[i];
        if (l->kind != SMUG_LAYER_CONV)
            continue;
        size_t in = smug_shape_size(&l->in), out = smug_shape_size(&l->out);
        size_t big = in > out ? in : out;
        float *x = malloc(big * (size_t)batch * sizeof *x);
        float *y = malloc(big * (size_t)batch * sizeof *y);
        for (size_t k = 0; k < big * (size_t)batch; k++)
            x[k] = (float)((k * 2654435761u) % 1000) / 1000.0f - 0.5f;
        smug_conv *gc, *dc;
        if (smug_conv_init(l, batch, SMUG_CONV_GEMM, &gc, &err) < 0 ||
            smug_conv_init(l, batch, SMUG_CONV_DNNL, &dc, &err) < 0) {
            fprintf(stderr, "bench_conv: %s\n", err.msg);
            return 1;
        }
        size_t sg = smug_conv_scratch_bytes(gc), sd = smug_conv_scratch_bytes(dc);
        size_t sb = sg > sd ? sg : sd;
        void *scratch = aligned_alloc(64, (sb + 64) / 64 * 64);
        double t[4];
        t[0] = median_time(gc, 0, x, batch, y, scratch, reps);
        t[1] = median_time(dc, 0, x, batch, y, scratch, reps);
        t[2] = median_time(gc, 1, x, batch, y, scratch, reps);
        t[3] = median_time(dc, 1, x, batch, y, scratch, reps);
        /* the routes must agree: largest difference relative to the largest value */
        float *y2 = malloc(big * (size_t)batch * sizeof *y2);
        double dev[2];
        for (int dir = 0; dir < 2; dir++) {
            size_t m = (size_t)batch * (dir ? in : out);
            median_time(gc, dir, x, batch, y, scratch, 1);
            median_time(dc, dir, x, batch, y2, scratch, 1);
            double d = 0, mx = 0;
            for (size_t k = 0; k < m; k++) {
                double e = fabs((double)y[k] - y2[k]);
                d = e > d ? e : d;
                mx = fabs(y[k]) > mx ? fabs(y[k]) : mx;
            }
            dev[dir] = d / (mx > 0 ? mx : 1);
        }
        free(y2);
        char kind[32];
        kind_of(l, kind, sizeof kind);
        printf("%-40.40s %-10s %9.2f %9.2f %9.2f %9.2f  %.0e %.0e  %s\n", l->name, kind, t[0] * 1e3,
               t[1] * 1e3, t[2] * 1e3, t[3] * 1e3, dev[0], dev[1], smug_conv_describe(dc));
        int k = 0;
        while (k < n_tot && strcmp(tot[k].kind, kind) != 0)
            k++;
        if (k == n_tot && n_tot < 32) {
            memset(&tot[k], 0, sizeof tot[k]);
            snprintf(tot[k].kind, sizeof tot[k].kind, "%s", kind);
            n_tot++;
        }
        if (k < n_tot) {
            for (int j = 0; j < 4; j++)
                tot[k].t[j] += t[j];
            tot[k].n++;
        }
        smug_conv_free(gc);
        smug_conv_free(dc);
        free(scratch), free(x), free(y);
    }
    printf("\ntotals per kind (ms)\n");
    double all[4] = {0};
    for (int k = 0; k < n_tot; k++) {
        printf("%-10s x%-3d %9.2f %9.2f %9.2f %9.2f\n", tot[k].kind, tot[k].n, tot[k].t[0] * 1e3,
               tot[k].t[1] * 1e3, tot[k].t[2] * 1e3, tot[k].t[3] * 1e3);
        for (int j = 0; j < 4; j++)
            all[j] += tot[k].t[j];
    }
    printf("%-15s %9.2f %9.2f %9.2f %9.2f\n", "all", all[0] * 1e3, all[1] * 1e3, all[2] * 1e3,
           all[3] * 1e3);
    smug_net_free(net);
    return 0;
}
