/* bench_load.c — how long smug takes to load an ONNX model and how much memory it needs
 * (issue #11 item 3: peak memory <= 1.3x the file, a 500 MB model in under a second).
 *
 * One model per process, so the peak resident set (getrusage's ru_maxrss) is this load's:
 * it covers the program itself, the mapped file pages and the net's weights. Prints one
 * JSON line: file size, wall seconds of smug_onnx_load (median of --reps runs, the page
 * cache warm after the first), peak RSS, the RSS before loading (the program and its
 * libraries), and what loading added as a multiple of the file size. bench/load.sh
 * makes the models and runs it.
 *
 * usage: bench_load MODEL.onnx [--reps R]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "smug/onnx.h"
#include "smug/pipeline.h"

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int reps = 3;
    if (argc == 4 && strcmp(argv[2], "--reps") == 0)
        reps = atoi(argv[3]);
    if ((argc != 2 && argc != 4) || reps < 1 || reps > 100) {
        fprintf(stderr, "usage: bench_load MODEL.onnx [--reps R]\n");
        return 2;
    }
    struct stat st;
    if (stat(argv[1], &st) < 0) {
        perror(argv[1]);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double base = (double)ru.ru_maxrss * 1024.0; /* the program and its libraries */
    double times[100];
    int layers = 0;
    for (int r = 0; r < reps; r++) {
        smug_error err = SMUG_ERROR_INIT;
        smug_net *net;
        double t0 = smug_now();
        if (smug_onnx_load(argv[1], &net, &err) < 0) {
            fprintf(stderr, "bench_load: %s\n", err.msg);
            return 1;
        }
        times[r] = smug_now() - t0;
        layers = net->n_layers;
        smug_net_free(net);
    }
    qsort(times, (size_t)reps, sizeof *times, by_value);
    getrusage(RUSAGE_SELF, &ru);
    double rss = (double)ru.ru_maxrss * 1024.0;
    printf("{\"model\": \"%s\", \"file_bytes\": %lld, \"layers\": %d, \"seconds\": %.4f, "
           "\"min_seconds\": %.4f, \"peak_rss_bytes\": %.0f, \"base_rss_bytes\": %.0f, "
           "\"load_rss_over_file\": %.3f}\n",
           argv[1], (long long)st.st_size, layers, times[reps / 2], times[0], rss, base,
           (rss - base) / (double)st.st_size);
    return 0;
}
