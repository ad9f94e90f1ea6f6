#define _DEFAULT_SOURCE /* mkstemps: CBC reads only files ending in .lp */
/* bench_solve.c — how often, and how fast, each solver and strategy proves the minimal mask.
 *
 * For every model × image × k × window × γ it builds smug's mask problem once and runs each
 * method with a time limit: smug's strategies with z3 and cvc5 as `smug run` uses them
 * (greedy and GLPK incumbent, bounds, facts and LP probing included; the time of those C-side
 * steps is not in the figures), the reference encoding the original SMUG code used (one (ite m w·x
 * 0) term per pixel, a plain (minimize …) objective, no bounds: z3 only), and CBC on the same 0/1
 * program as the practical limit. One JSON line per run, then a table per method and window: share
 * proved optimal within the limit, median seconds to a proved optimum.
 *
 * usage: bench_solve [--models fc,cnn] [--images N] [--k 4,8,16] [--windows 1,2,4]
 *                    [--gammas 0.5,0.9] [--timeout S] [--methods z3:tighten,…]
 * methods: <solver>:<strategy> (tighten, bisect, optimize), reference, cbc; a smug method
 * with the suffix :trust closes branch-and-bound nodes by GLPK's floating-point LP value,
 * without certificates (what smug did before issue 13): `--methods z3:tighten,z3:tighten:trust`
 * measures what exact certification costs (bench/proofs.sh). The column "certified" counts the
 * optima whose proof rests on no floating-point claim (proved_by certificate or solver:…).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smug/bounds.h"
#include "smug/encode.h"
#include "smug/input.h"
#include "smug/milp.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"
#include "smug/process.h"
#include "smug/registry.h"
#include "smug/sexpr.h"
#include "smug/smtlib.h"
#include "smug/strategy.h"

#define MAX_RUNS 20000

typedef struct run {
    char method[32];
    int window;
    int optimal;
    int certified; /* optimal, and proved by certificates or a solver's unsat alone */
    double seconds;
    char problem[256];
} run;

typedef struct bench {
    smug_solvers *reg;
    double timeout;
    run *runs;
    int n_runs;
} bench;

static int parse_list(const char *s, double *out, int cap)
{
    int n = 0;
    for (char *end; *s && n < cap; s = *end ? end + 1 : end)
        out[n++] = strtod(s, &end);
    return n;
}

/* The original SMUG encoding: one term per pixel, summed over the pixels of each cell
 * implicitly by sharing its variable; (minimize size); no incumbent, bounds or facts. */
static void reference_text(const smug_mask_problem *pw, const smug_mask_problem *p1,
                           smug_strbuf *out)
{
    char name[64];
    smug_smt_header(out, "smug bench: reference per-pixel encoding", "unknown");
    for (int i = 0; i < pw->n; i++)
        smug_strbuf_addf(out, "(declare-const %s Bool)\n",
                         smug_mask_var_name(pw, i, name, sizeof name));
    int *var_of_cell = malloc((size_t)pw->grid.n_cells * sizeof *var_of_cell);
    for (int c = 0; c < pw->grid.n_cells; c++)
        var_of_cell[c] = -1;
    for (int i = 0; i < pw->n; i++)
        var_of_cell[pw->cell[i]] = i;
    for (int j = 0; j < pw->k; j++) {
        smug_strbuf_adds(out, "(assert (> (+ 0.0");
        for (int q = 0; q < p1->n; q++) {
            double a = smug_mask_problem_coef(p1, j, q);
            size_t pos[1];
            smug_grid_cell_positions(&p1->grid, p1->cell[q], pos, 1);
            int v = var_of_cell[smug_grid_cell_of(&pw->grid, pos[0])];
            if (a == 0.0 || v < 0)
                continue;
            smug_strbuf_addf(out, " (ite %s ", smug_mask_var_name(pw, v, name, sizeof name));
            smug_smt_decimal(out, a);
            smug_strbuf_adds(out, " 0.0)");
        }
        smug_strbuf_adds(out, ") ");
        smug_smt_decimal(out, pw->t[j]);
        smug_strbuf_adds(out, "))\n");
    }
    smug_strbuf_adds(out, "(minimize (+ 0.0");
    for (int i = 0; i < pw->n; i++)
        smug_strbuf_addf(out, " (ite %s 1.0 0.0)", smug_mask_var_name(pw, i, name, sizeof name));
    smug_strbuf_adds(out, "))\n(check-sat)\n(get-objectives)\n(exit)\n");
    free(var_of_cell);
}

static int run_text(const char *const *argv, const smug_strbuf *in, double timeout,
                    smug_process_result *pr)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_process proc = SMUG_PROCESS_INIT;
    proc.argv = argv;
    proc.stdin_data = in ? in->buf : NULL;
    proc.stdin_len = in ? in->len : 0;
    proc.timeout = timeout + 1.0;
    proc.stop_signal = 2;
    return smug_process_run(&proc, pr, &err);
}

/* Reference encoding with z3: optimal when it answers sat (an optimiser's sat is the
 * optimum) and its objective is an exact value. */
static int run_reference(const bench *b, const smug_mask_problem *pw, const smug_mask_problem *p1)
{
    smug_strbuf text = SMUG_STRBUF_INIT;
    reference_text(pw, p1, &text);
    char tl[64];
    snprintf(tl, sizeof tl, "-t:%d", (int)(b->timeout * 1000));
    const char *argv[] = {"z3", "-smt2", "-in", tl, NULL};
    smug_process_result pr;
    int optimal = 0;
    if (run_text(argv, &text, b->timeout, &pr) == 0) {
        smug_solver_output o = {0};
        smug_error err = SMUG_ERROR_INIT;
        if (smug_sexpr_parse(pr.out.buf ? pr.out.buf : "", pr.out.len, &o, &err) == 0)
            optimal = smug_solver_output_last_answer(&o) == SMUG_ANS_SAT && !o.error &&
                      o.has_objective && o.objective_lo == o.objective_hi;
        smug_solver_output_clear(&o);
        smug_process_result_clear(&pr);
    }
    smug_strbuf_clear(&text);
    return optimal;
}

static int run_cbc(const bench *b, const smug_mask_problem *p)
{
    char path[] = "/tmp/smug_bench_XXXXXX.lp";
    int fd = mkstemps(path, 3);
    if (fd < 0)
        return 0;
    smug_strbuf text = SMUG_STRBUF_INIT;
    smug_milp_write(&text, p);
    int ok = write(fd, text.buf, text.len) == (ssize_t)text.len;
    close(fd);
    char sec[32];
    snprintf(sec, sizeof sec, "%g", b->timeout);
    const char *argv[] = {"cbc", path, "-sec", sec, "-solve", NULL};
    smug_process_result pr;
    int optimal = 0;
    if (ok && run_text(argv, NULL, b->timeout, &pr) == 0) {
        optimal = pr.outcome == SMUG_PROC_EXITED && pr.out.buf &&
                  strstr(pr.out.buf, "Optimal solution found") != NULL;
        smug_process_result_clear(&pr);
    }
    unlink(path);
    smug_strbuf_clear(&text);
    return optimal;
}

/* 1 when proved optimal; *certified when that proof holds no floating-point claim. */
static int run_smug(const bench *b, const char *method, const smug_mask_problem *p,
                    const smug_bounds *bd, int *certified)
{
    char solver[32], strategy[32], trust[16] = "";
    if (sscanf(method, "%31[^:]:%31[^:]:%15s", solver, strategy, trust) < 2)
        return 0;
    const smug_solver *s = smug_solvers_find(b->reg, solver);
    smug_strategy st = strcmp(strategy, "optimize") == 0 ? SMUG_STRATEGY_OPTIMIZE
                       : strcmp(strategy, "bisect") == 0 ? SMUG_STRATEGY_BISECT
                                                         : SMUG_STRATEGY_TIGHTEN;
    smug_solve_options o = {st,  b->timeout, 8192, "bench", 0, NULL, !strcmp(trust, "trust"),
                            0.5, 0.0};
    smug_solve_result r;
    smug_error err = SMUG_ERROR_INIT;
    if (!s || smug_solve(p, bd, s, &o, &r, &err) < 0) {
        fprintf(stderr, "bench_solve: %s: %s\n", method, s ? err.msg : "unknown solver");
        return 0;
    }
    int optimal = r.status == SMUG_SOLVE_OPTIMAL;
    *certified = optimal && r.proved_by &&
                 (!strcmp(r.proved_by, "certificate") || !strncmp(r.proved_by, "solver", 6));
    smug_solve_result_clear(&r);
    return optimal;
}

static void record(bench *b, const char *method, int window, int optimal, int certified,
                   double seconds, const char *what)
{
    printf("{\"problem\": \"%s\", \"method\": \"%s\", \"optimal\": %s, \"certified\": %s, "
           "\"seconds\": %.6f}\n",
           what, method, optimal ? "true" : "false", certified ? "true" : "false", seconds);
    fflush(stdout);
    if (b->n_runs == MAX_RUNS)
        return;
    run *r = &b->runs[b->n_runs++];
    snprintf(r->method, sizeof r->method, "%s", method);
    r->window = window;
    r->optimal = optimal;
    r->certified = certified;
    r->seconds = seconds;
    snprintf(r->problem, sizeof r->problem, "%s", what);
}

static void one_problem(bench *b, const smug_net *net, const float *x, const smug_explanation *e,
                        int window, double gamma, char **methods, int n_methods, const char *what)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_mask_problem *p = NULL, *p1 = NULL;
    smug_bounds bd;
    if (smug_encode(net, x, e->neurons, e->n_neurons, gamma, window, &p, &err) < 0 ||
        smug_encode(net, x, e->neurons, e->n_neurons, gamma, 1, &p1, &err) < 0 ||
        smug_bounds_compute(p, &bd, &err) < 0 || smug_bounds_mip(p, &bd, 2.0, &err) < 0) {
        fprintf(stderr, "bench_solve: %s: %s\n", what, err.msg);
        smug_mask_problem_free(p), smug_mask_problem_free(p1);
        return;
    }
    for (int m = 0; m < n_methods; m++) {
        double t0 = smug_now();
        int certified = 0;
        int optimal = strcmp(methods[m], "reference") == 0 ? run_reference(b, p, p1)
                      : strcmp(methods[m], "cbc") == 0
                          ? run_cbc(b, p)
                          : run_smug(b, methods[m], p, &bd, &certified);
        record(b, methods[m], window, optimal, certified, smug_now() - t0, what);
    }
    smug_bounds_clear(&bd);
    smug_mask_problem_free(p);
    smug_mask_problem_free(p1);
}

static int by_double(const void *x, const void *y)
{
    double a = *(const double *)x, c = *(const double *)y;
    return a < c ? -1 : a > c;
}

static void summary(const bench *b, char **methods, int n_methods, const double *windows,
                    int n_windows)
{
    printf("\n%-18s %6s %8s %10s %10s %14s\n", "method", "window", "problems", "optimal",
           "certified", "median s (opt)");
    double *t = malloc((size_t)(b->n_runs + 1) * sizeof *t);
    for (int m = 0; m < n_methods; m++)
        for (int w = 0; w < n_windows; w++) {
            int total = 0, opt = 0, cert = 0;
            for (int i = 0; i < b->n_runs; i++) {
                const run *r = &b->runs[i];
                if (strcmp(r->method, methods[m]) || r->window != (int)windows[w])
                    continue;
                total++;
                cert += r->certified;
                if (r->optimal)
                    t[opt++] = r->seconds;
            }
            qsort(t, (size_t)opt, sizeof *t, by_double);
            printf("%-18s %6d %8d %9.0f%% %9.0f%% %14.3f\n", methods[m], (int)windows[w], total,
                   total ? 100.0 * opt / total : 0.0, total ? 100.0 * cert / total : 0.0,
                   opt ? t[opt / 2] : -1.0);
        }
    printf("(optimal = proved within %g s; median over the proved ones)\n", b->timeout);
    free(t);
}

/* For every method M:trust beside M: the median seconds of both over the problems both
 * proved optimal, and what certification adds to it. */
static void certification_cost(const bench *b, char **methods, int n_methods)
{
    double *tc = malloc((size_t)(b->n_runs + 1) * sizeof *tc);
    double *tt = malloc((size_t)(b->n_runs + 1) * sizeof *tt);
    for (int m = 0; m < n_methods; m++) {
        size_t len = strlen(methods[m]);
        if (len < 7 || strcmp(methods[m] + len - 6, ":trust"))
            continue;
        int n = 0;
        for (int i = 0; i < b->n_runs; i++) {
            const run *r = &b->runs[i];
            if (strcmp(r->method, methods[m]) || !r->optimal)
                continue;
            for (int j = 0; j < b->n_runs; j++) {
                const run *c = &b->runs[j];
                if (c->optimal && !strcmp(c->problem, r->problem) &&
                    !strncmp(c->method, methods[m], len - 6) && c->method[len - 6] == '\0') {
                    tc[n] = c->seconds, tt[n] = r->seconds, n++;
                    break;
                }
            }
        }
        qsort(tc, (size_t)n, sizeof *tc, by_double);
        qsort(tt, (size_t)n, sizeof *tt, by_double);
        if (n > 0)
            printf("certification: %.*s median %.1f us, %s median %.1f us over %d problems "
                   "both proved: %+.1f %%\n",
                   (int)(len - 6), methods[m], 1e6 * tc[n / 2], methods[m], 1e6 * tt[n / 2], n,
                   100.0 * (tc[n / 2] - tt[n / 2]) / tt[n / 2]);
    }
    free(tc);
    free(tt);
}

int main(int argc, char **argv)
{
    const char *models = "fc,cnn", *methods_arg = "z3:tighten,z3:optimize,cvc5:tighten,"
                                                  "cvc5:bisect,reference,cbc";
    double ks[8], windows[8], gammas[8];
    int n_k = parse_list("4,8,16", ks, 8), n_w = parse_list("1,2,4", windows, 8);
    int n_g = parse_list("0.5,0.9", gammas, 8), images = 20;
    bench b = {NULL, 10.0, calloc(MAX_RUNS, sizeof(run)), 0};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *f = argv[i], *v = argv[i + 1];
        if (!strcmp(f, "--models"))
            models = v;
        else if (!strcmp(f, "--images"))
            images = atoi(v);
        else if (!strcmp(f, "--k"))
            n_k = parse_list(v, ks, 8);
        else if (!strcmp(f, "--windows"))
            n_w = parse_list(v, windows, 8);
        else if (!strcmp(f, "--gammas"))
            n_g = parse_list(v, gammas, 8);
        else if (!strcmp(f, "--timeout"))
            b.timeout = atof(v);
        else if (!strcmp(f, "--methods"))
            methods_arg = v;
        else {
            fprintf(stderr, "bench_solve: unknown option %s (see the file's header)\n", f);
            return 2;
        }
    }
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    char *methods[16], *mcopy = strdup(methods_arg);
    int n_methods = 0;
    for (char *tok = strtok(mcopy, ","); tok && n_methods < 16; tok = strtok(NULL, ","))
        methods[n_methods++] = tok;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_solvers_load(NULL, &b.reg, &err) < 0) {
        fprintf(stderr, "bench_solve: %s\n", err.msg);
        return 1;
    }
    char **files;
    int n_files;
    if (smug_input_expand(SMUG_SOURCE_DIR "/data/fashion", &files, &n_files, &err) < 0)
        return 1;
    for (int mi = 0; mi < 2; mi++) {
        const char *model = mi ? "cnn" : "fc";
        if (!strstr(models, model))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/models/fashion_%s.onnx", SMUG_SOURCE_DIR, model);
        smug_net *net;
        if (smug_onnx_load(path, &net, &err) < 0) {
            fprintf(stderr, "bench_solve: %s\n", err.msg);
            return 1;
        }
        for (int f = 0, used = 0; f < n_files && used < images; f++) {
            if (!strstr(files[f], ".png"))
                continue;
            used++;
            float *x;
            if (smug_input_load(files[f], &net->input, 0, 1, &x, &err) < 0)
                return 1;
            for (int ki = 0; ki < n_k; ki++) {
                smug_params prm;
                smug_params_defaults(&prm);
                prm.top_k = (int)ks[ki];
                smug_explanation e;
                if (smug_pipeline_neurons(net, x, &prm, &e, &err) < 0)
                    return 1;
                for (int w = 0; w < n_w; w++)
                    for (int g = 0; g < n_g; g++) {
                        char what[256];
                        snprintf(what, sizeof what, "%s %s k=%d w=%d g=%g", model,
                                 strrchr(files[f], '/') + 1, (int)ks[ki], (int)windows[w],
                                 gammas[g]);
                        one_problem(&b, net, x, &e, (int)windows[w], gammas[g], methods, n_methods,
                                    what);
                    }
                smug_explanation_clear(&e);
            }
            free(x);
        }
        smug_net_free(net);
    }
    summary(&b, methods, n_methods, windows, n_w);
    certification_cost(&b, methods, n_methods);
    smug_input_paths_free(files, n_files);
    smug_solvers_free(b.reg);
    free(b.runs);
    free(mcopy);
    return 0;
}
