/* bench_ig.c — smug's side of bench/ig.sh: a worker that times Integrated Gradients on
 * request, so that the driver (bench/ig_compare.py) can interleave smug and torch
 * explanations one by one and compare them measured under the same machine load.
 *
 * Reads lines "MODEL.onnx INPUT.png first|input STEPS" on stdin; for each, loads the model
 * (kept for later lines) and the picture, then times one explanation exactly as torch's
 * worker (bench/torch_ig.py --serve) does: the forward pass that finds the target (the
 * predicted class), then IG of the target's logit over STEPS midpoint path points, batched
 * to the default memory budget. Prints one JSON line per request:
 *   {"seconds": wall, "cpu_seconds": process CPU, "target": c, "ig_sum": Σ attributions,
 *    "rss_mb": resident before the explanation, "peak_mb": peak resident so far}
 * or {"error": "..."}; the attributions' sum lets the driver check both sides computed
 * the same thing.
 *
 * usage: bench_ig --serve [--threads N]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "smug/forward.h"
#include "smug/ig.h"
#include "smug/input.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double rss_mb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (double)resident * 4096.0 / 1048576.0;
}

static double peak_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* One explanation: target from a forward pass, then IG. */
static int explain(const smug_net *net, const float *x, int first, int steps, float *attr,
                   int *out_target, smug_error *err)
{
    float *logits = malloc((size_t)net->n_classes * sizeof *logits);
    if (!logits)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int rc = smug_net_eval(net, x, logits, NULL, err);
    smug_ig_opts o = SMUG_IG_OPTS_INIT;
    o.steps = steps;
    o.target = *out_target = smug_argmax(logits, net->n_classes);
    free(logits);
    if (rc < 0)
        return -1;
    return first ? smug_ig_first(net, x, &o, attr, NULL, NULL, err)
                 : smug_ig_input(net, x, &o, attr, NULL, err);
}

static int serve_one(const char *model, const char *input, const char *layer, int steps,
                     smug_net **net, char *loaded, size_t cap, smug_error *err)
{
    if (strcmp(loaded, model) != 0) {
        smug_net_free(*net);
        *net = NULL;
        loaded[0] = 0;
        if (smug_onnx_load(model, net, err) < 0)
            return -1;
        snprintf(loaded, cap, "%s", model);
    }
    float *x = NULL;
    if (smug_input_load(input, &(*net)->input, 0.0, 1.0, &x, err) < 0)
        return -1;
    size_t n_in = smug_shape_size(&(*net)->input), n_first = smug_net_first_size(*net);
    float *attr = malloc((n_in > n_first ? n_in : n_first) * sizeof *attr);
    int first = strcmp(layer, "first") == 0, target = -1;
    double rss = rss_mb(), t0 = smug_now(), c0 = cpu_now();
    int rc = attr ? explain(*net, x, first, steps, attr, &target, err)
                  : smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    double secs = smug_now() - t0, cpu = cpu_now() - c0;
    if (rc == 0) {
        double sum = 0;
        for (size_t j = 0; j < (first ? n_first : n_in); j++)
            sum += attr[j];
        printf("{\"seconds\": %.6f, \"cpu_seconds\": %.6f, \"target\": %d, \"ig_sum\": %.9g, "
               "\"rss_mb\": %.1f, \"peak_mb\": %.1f}\n",
               secs, cpu, target, sum, rss, peak_mb());
    }
    free(x);
    free(attr);
    return rc;
}

int main(int argc, char **argv)
{
    int threads = 0, serve = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--serve") == 0)
            serve = 1;
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else
            serve = -1;
    }
    if (serve != 1 || threads < 0) {
        fprintf(stderr, "usage: bench_ig --serve [--threads N]   (requests on stdin; see "
                        "bench/ig.sh)\n");
        return 2;
    }
    /* as smug's main(): large buffers from the heap, kept there between explanations */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    smug_set_threads(threads);
    smug_net *net = NULL;
    char line[8192], loaded[4096] = "";
    while (fgets(line, sizeof line, stdin)) {
        char model[4096], input[4096], layer[16];
        int steps;
        smug_error err = SMUG_ERROR_INIT;
        if (sscanf(line, "%4095s %4095s %15s %d", model, input, layer, &steps) != 4 || steps < 1)
            smug_fail(&err, SMUG_ERR_USAGE, "bad request: %s", line);
        else
            serve_one(model, input, layer, steps, &net, loaded, sizeof loaded, &err);
        if (err.code != SMUG_OK) {
            for (char *p = err.msg; *p; p++)
                if (*p == '"' || *p == '\\' || *p == '\n')
                    *p = ' ';
            printf("{\"error\": \"%s\"}\n", err.msg);
        }
        fflush(stdout);
    }
    smug_net_free(net);
    return 0;
}
