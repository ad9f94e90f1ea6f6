/* bench_conv.c — the convolution routes on the real layers of a network: im2col + OpenBLAS
 * GEMM (im2col.h), oneDNN's direct kernels, and the default (oneDNN, Winograd where it
 * applies; conv.h), forward and input gradient, at one batch size, each layer timed on its
 * own (median of R runs after a warm-up), reorders to and from NCHW included. Prints one
 * line per conv layer (with how far the default's results are from the GEMM route's) and
 * totals per layer kind, so the route can be chosen per kind.
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

#define NR 3 /* routes compared */

typedef struct totals {
    char kind[32];
    double t[2 * NR];
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
    /* routes: im2col + OpenBLAS, oneDNN direct, oneDNN default (Winograd where it applies) */
    const smug_conv_route routes[NR] = {SMUG_CONV_GEMM, SMUG_CONV_DNNL, SMUG_CONV_AUTO};
    totals tot[32];
    int n_tot = 0;
    printf("%-34s %-9s %8s %8s %8s | %8s %8s %8s | %-13s %s\n", "layer", "kind", "gemm f",
           "direct f", "auto f", "gemm b", "direct b", "auto b", "max rel diff",
           "auto's implementation (fwd / bwd)");
    for (int i = net->first + 1; i < net->n_layers; i++) {
        const smug_layer *l = &net->layers[i];
        if (l->kind != SMUG_LAYER_CONV)
            continue;
        size_t in = smug_shape_size(&l->in), out = smug_shape_size(&l->out);
        size_t big = in > out ? in : out;
        float *x = malloc(big * (size_t)batch * sizeof *x);
        float *y = malloc(big * (size_t)batch * sizeof *y);
        float *y2 = malloc(big * (size_t)batch * sizeof *y2);
        for (size_t k = 0; k < big * (size_t)batch; k++)
            x[k] = (float)((k * 2654435761u) % 1000) / 1000.0f - 0.5f;
        smug_conv *c[NR];
        size_t sb = 0;
        for (int r = 0; r < NR; r++) {
            if (smug_conv_init(l, batch, routes[r], &c[r], &err) < 0) {
                fprintf(stderr, "bench_conv: %s\n", err.msg);
                return 1;
            }
            sb = smug_conv_scratch_bytes(c[r]) > sb ? smug_conv_scratch_bytes(c[r]) : sb;
        }
        void *scratch = aligned_alloc(64, (sb + 64) / 64 * 64);
        double t[2 * NR];
        for (int dir = 0; dir < 2; dir++)
            for (int r = 0; r < NR; r++)
                t[dir * NR + r] = median_time(c[r], dir, x, batch, y, scratch, reps);
        /* the routes must agree: the default against the GEMM route, largest difference
         * relative to the largest value */
        double dev[2];
        for (int dir = 0; dir < 2; dir++) {
            size_t m = (size_t)batch * (dir ? in : out);
            median_time(c[0], dir, x, batch, y, scratch, 1);
            median_time(c[NR - 1], dir, x, batch, y2, scratch, 1);
            double d = 0, mx = 0;
            for (size_t k = 0; k < m; k++) {
                double e = fabs((double)y[k] - y2[k]);
                d = e > d ? e : d;
                mx = fabs(y[k]) > mx ? fabs(y[k]) : mx;
            }
            dev[dir] = d / (mx > 0 ? mx : 1);
        }
        char kind[32];
        kind_of(l, kind, sizeof kind);
        printf("%-34.34s %-9s %8.2f %8.2f %8.2f | %8.2f %8.2f %8.2f | %.0e %.0e %s\n", l->name,
               kind, t[0] * 1e3, t[1] * 1e3, t[2] * 1e3, t[3] * 1e3, t[4] * 1e3, t[5] * 1e3, dev[0],
               dev[1], smug_conv_describe(c[NR - 1]));
        int k = 0;
        while (k < n_tot && strcmp(tot[k].kind, kind) != 0)
            k++;
        if (k == n_tot && n_tot < 32) {
            memset(&tot[k], 0, sizeof tot[k]);
            snprintf(tot[k].kind, sizeof tot[k].kind, "%s", kind);
            n_tot++;
        }
        if (k < n_tot) {
            for (int j = 0; j < 2 * NR; j++)
                tot[k].t[j] += t[j];
            tot[k].n++;
        }
        for (int r = 0; r < NR; r++)
            smug_conv_free(c[r]);
        free(scratch), free(x), free(y), free(y2);
    }
    printf("\ntotals per kind (ms per batch of %d)\n", batch);
    double all[2 * NR] = {0};
    for (int k = 0; k < n_tot; k++) {
        printf("%-10s x%-3d %8.1f %8.1f %8.1f | %8.1f %8.1f %8.1f\n", tot[k].kind, tot[k].n,
               tot[k].t[0] * 1e3, tot[k].t[1] * 1e3, tot[k].t[2] * 1e3, tot[k].t[3] * 1e3,
               tot[k].t[4] * 1e3, tot[k].t[5] * 1e3);
        for (int j = 0; j < 2 * NR; j++)
            all[j] += tot[k].t[j];
    }
    printf("%-15s %8.1f %8.1f %8.1f | %8.1f %8.1f %8.1f\n", "all", all[0] * 1e3, all[1] * 1e3,
           all[2] * 1e3, all[3] * 1e3, all[4] * 1e3, all[5] * 1e3);
    smug_net_free(net);
    return 0;
}
