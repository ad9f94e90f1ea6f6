/* bench_branch.c — where the branch and bound of one big mask problem spends its time
 * (issue #12: the paper's configuration, googlenet 224, k 3000, γ 0).
 *
 * Builds the problem as `smug run` does (IG, top-k, encode, bounds, the GLPK incumbent:
 * smug_pipeline_problem) or loads one saved by an earlier run (--save/--load: a raw dump, so
 * that iterating on the solve skips IG), prints the components of the cell graph (cells
 * linked by a row that some mask can break), then runs smug_solve (z3, tighten) and prints
 * its outcome with the branch and bound's counters and timers.
 *
 * usage: bench_branch (--model M.onnx --input X.png [--window 8] [--k 3000] [--steps 4]
 *                      [--save F] | --load F) [--gamma 0] [--timeout 300] [--no-solve]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/bounds.h"
#include "smug/branch.h"
#include "smug/component.h"
#include "smug/cover.h"
#include "smug/input.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"
#include "smug/process.h"
#include "smug/proof.h"
#include "smug/registry.h"
#include "smug/strategy.h"

/* The raw dump: magic, k, n, gamma, grid, then neuron, o, t, a (dense k × n), cell. */
static int save(const smug_mask_problem *p, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t kn = (size_t)p->k * (size_t)p->n;
    double *a = calloc(kn ? kn : 1, sizeof *a);
    for (int j = 0; a && j < p->k; j++)
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
            a[(size_t)j * (size_t)p->n + (size_t)p->row_var[e]] = p->row_coef[e];
    int ok = a && fwrite("SMUGPRB1", 8, 1, f) == 1 && fwrite(&p->k, sizeof p->k, 1, f) == 1 &&
             fwrite(&p->n, sizeof p->n, 1, f) == 1 &&
             fwrite(&p->gamma, sizeof p->gamma, 1, f) == 1 &&
             fwrite(&p->grid, sizeof p->grid, 1, f) == 1 &&
             fwrite(p->neuron, sizeof *p->neuron, (size_t)p->k, f) == (size_t)p->k &&
             fwrite(p->o, sizeof *p->o, (size_t)p->k, f) == (size_t)p->k &&
             fwrite(p->t, sizeof *p->t, (size_t)p->k, f) == (size_t)p->k &&
             fwrite(a, sizeof *a, kn, f) == kn &&
             fwrite(p->cell, sizeof *p->cell, (size_t)p->n, f) == (size_t)p->n;
    free(a);
    return fclose(f) == 0 && ok ? 0 : -1;
}

static smug_mask_problem *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    char magic[8];
    int k, n;
    if (!f || fread(magic, 8, 1, f) != 1 || memcmp(magic, "SMUGPRB1", 8) ||
        fread(&k, sizeof k, 1, f) != 1 || fread(&n, sizeof n, 1, f) != 1 || k < 0 || n < 0) {
        if (f)
            fclose(f);
        return NULL;
    }
    smug_mask_problem *p = smug_mask_problem_new(k, n);
    size_t kn = (size_t)k * (size_t)n;
    double *a = calloc(kn ? kn : 1, sizeof *a);
    smug_error err = {0};
    int ok = p && a && fread(&p->gamma, sizeof p->gamma, 1, f) == 1 &&
             fread(&p->grid, sizeof p->grid, 1, f) == 1 &&
             fread(p->neuron, sizeof *p->neuron, (size_t)k, f) == (size_t)k &&
             fread(p->o, sizeof *p->o, (size_t)k, f) == (size_t)k &&
             fread(p->t, sizeof *p->t, (size_t)k, f) == (size_t)k &&
             fread(a, sizeof *a, kn, f) == kn &&
             fread(p->cell, sizeof *p->cell, (size_t)n, f) == (size_t)n &&
             smug_mask_problem_set_dense(p, a, &err) == 0;
    free(a);
    fclose(f);
    if (!ok) {
        smug_mask_problem_free(p);
        return NULL;
    }
    return p;
}

static int find(int *up, int i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

/* Components of the cells that are not useless, linked by every row that some mask breaks
 * (Σ of its negative coefficients ≤ t: keeping them all breaks it). Prints their sizes. */
static void components(const smug_mask_problem *p, const smug_bounds *b)
{
    int *up = malloc((size_t)p->n * sizeof *up), *size = calloc((size_t)p->n, sizeof *size);
    for (int i = 0; i < p->n; i++)
        up[i] = i;
    int binding = 0;
    for (int j = 0; j < p->k; j++) {
        double neg = 0.0;
        int first = -1;
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++)
            if (!b->useless[p->row_var[e]] && p->row_coef[e] < 0.0)
                neg += p->row_coef[e];
        if (neg > p->t[j])
            continue; /* no mask breaks it */
        binding++;
        for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++) {
            int i = p->row_var[e];
            if (b->useless[i])
                continue;
            if (first < 0)
                first = i;
            else
                up[find(up, i)] = find(up, first);
        }
    }
    int n_comp = 0, live = 0, biggest = 0;
    for (int i = 0; i < p->n; i++) {
        if (b->useless[i])
            continue;
        live++;
        size[find(up, i)]++;
    }
    for (int i = 0; i < p->n; i++) {
        if (size[i] > 0)
            n_comp++;
        biggest = size[i] > biggest ? size[i] : biggest;
    }
    printf("cells %d (not useless %d), rows %d (some mask breaks %d): %d components, the "
           "largest %d cells; sizes >1:",
           p->n, live, p->k, binding, n_comp, biggest);
    for (int i = 0; i < p->n; i++)
        if (size[i] > 1)
            printf(" %d", size[i]);
    printf("\n");
    free(up), free(size);
}

/* Each component on its own, as a sub-problem: bounds, the GLPK incumbent and smug_solve. */
static void parts(const smug_mask_problem *p, const smug_bounds *b, const smug_solver *z3,
                  double timeout)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_components c;
    if (smug_components_find(p, b->useless, &c, &err) < 0)
        return;
    smug_mask_problem **q = calloc((size_t)c.n + 1, sizeof *q);
    double t0 = smug_process_now();
    if (smug_component_problems(p, b->useless, c.n, c.start, c.cells, q, &err) < 0) {
        printf("parts: %s\n", err.msg);
        return;
    }
    printf("sub-problems %.2fs\n", smug_process_now() - t0);
    int sum_lower = 0, sum_upper = 0, sum_cover = 0, sum_mask = 0, sum_proved = 0;
    double t_solve = 0.0;
    for (int i = 0; i < c.n; i++) {
        smug_bounds bi;
        smug_cover cv;
        if (q[i]->k == 0)
            continue; /* no row needs a cell of it: its minimum is 0 */
        t0 = smug_process_now();
        if (smug_bounds_compute(q[i], &bi, &err) < 0 || smug_bounds_mip(q[i], &bi, 0.5, &err) < 0 ||
            smug_cover_compute(q[i], 4, 10.0, &cv, &err) < 0) {
            printf("part %d: %s\n", i, err.msg);
            continue;
        }
        int cover = cv.lower_lp > cv.lower_pack ? cv.lower_lp : cv.lower_pack;
        sum_lower += bi.lower, sum_upper += bi.upper,
            sum_cover += cover > bi.lower ? cover : bi.lower;
        if (z3) {
            smug_solve_options o = {
                SMUG_STRATEGY_TIGHTEN, timeout, 8192, "bench", 0, NULL, 0, 0.5, 0.0};
            smug_solve_result r;
            if (smug_solve(q[i], &bi, z3, &o, &r, &err) == 0) {
                sum_mask += r.size, sum_proved += r.lower;
                if (q[i]->n > 8)
                    printf("  part %d: %d cells %d rows: lp %.2f cover %.2f incumbent %d -> "
                           "mask %d lower %d in %.2fs (nodes %d)\n",
                           i, q[i]->n, q[i]->k, bi.lp, cv.lp, bi.upper, r.size, r.lower,
                           smug_process_now() - t0, r.stats.nodes);
                smug_solve_result_clear(&r);
            }
        }
        t_solve += smug_process_now() - t0;
        smug_cover_free(&cv);
        smug_bounds_clear(&bi);
    }
    printf("parts %d: sum of lower %d, of cover/LP bounds %d, of incumbents %d; solved: mask %d "
           "lower %d in %.2fs\n",
           c.n, sum_lower, sum_cover, sum_upper, sum_mask, sum_proved, t_solve);
    for (int i = 0; i < c.n; i++)
        smug_mask_problem_free(q[i]);
    free(q);
    smug_components_clear(&c);
}

int main(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *save_path = NULL, *load_path = NULL;
    int window = 8, k = 3000, steps = 4, solve = 1, by_parts = 0;
    double gamma = 0.0, timeout = 300.0;
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(f, "--no-solve") || !strcmp(f, "--parts")) {
            solve = solve && strcmp(f, "--no-solve");
            by_parts = by_parts || !strcmp(f, "--parts");
            continue;
        }
        i++;
        if (!strcmp(f, "--model"))
            model = v;
        else if (!strcmp(f, "--input"))
            input = v;
        else if (!strcmp(f, "--save"))
            save_path = v;
        else if (!strcmp(f, "--load"))
            load_path = v;
        else if (!strcmp(f, "--window"))
            window = atoi(v);
        else if (!strcmp(f, "--k"))
            k = atoi(v);
        else if (!strcmp(f, "--steps"))
            steps = atoi(v);
        else if (!strcmp(f, "--gamma"))
            gamma = atof(v);
        else if (!strcmp(f, "--timeout"))
            timeout = atof(v);
        else {
            fprintf(stderr, "bench_branch: unknown option %s (see the file's header)\n", f);
            return 2;
        }
    }
    smug_error err = SMUG_ERROR_INIT;
    smug_params prm;
    smug_params_defaults(&prm);
    prm.top_k = k, prm.steps = steps, prm.window = window, prm.gamma = gamma;
    prm.timeout = timeout;
    smug_mask_result mr;
    memset(&mr, 0, sizeof mr);
    double t0 = smug_process_now();
    if (load_path) {
        mr.problem = load(load_path);
        if (!mr.problem) {
            fprintf(stderr, "bench_branch: cannot load %s\n", load_path);
            return 1;
        }
        if (smug_bounds_compute_until(mr.problem, 0.0, &mr.bounds, &err) < 0 ||
            smug_bounds_mip(mr.problem, &mr.bounds, 2.0, &err) < 0) {
            fprintf(stderr, "bench_branch: %s\n", err.msg);
            return 1;
        }
    } else {
        smug_net *net;
        float *x;
        smug_explanation e;
        if (!model || !input) {
            fprintf(stderr, "bench_branch: --model and --input (or --load) are needed\n");
            return 2;
        }
        if (smug_onnx_load(model, &net, &err) < 0 ||
            smug_input_load(input, &net->input, 0.0, 1.0, &x, &err) < 0 ||
            smug_pipeline_neurons(net, x, &prm, &e, &err) < 0 ||
            smug_pipeline_problem(net, x, &prm, e.neurons, e.n_neurons, 0.0, &mr, &err) < 0) {
            fprintf(stderr, "bench_branch: %s\n", err.msg);
            return 1;
        }
        smug_explanation_clear(&e);
        free(x);
        smug_net_free(net);
        if (save_path && save(mr.problem, save_path) < 0) {
            fprintf(stderr, "bench_branch: cannot write %s\n", save_path);
            return 1;
        }
    }
    const smug_mask_problem *p = mr.problem;
    const smug_bounds *b = &mr.bounds;
    printf("problem and bounds %.2fs: incumbent %d (%s), LP %.3f, certified lower %d\n",
           smug_process_now() - t0, b->upper, b->incumbent_from ? b->incumbent_from : "greedy",
           b->lp, b->lower);
    components(p, b);
    fflush(stdout);
    smug_solvers *reg = NULL;
    const smug_solver *z3 = NULL;
    if (solve &&
        (smug_solvers_load(NULL, &reg, &err) < 0 || !(z3 = smug_solvers_find(reg, "z3")))) {
        fprintf(stderr, "bench_branch: %s\n", reg ? "no z3" : err.msg);
        return 1;
    }
    if (by_parts) {
        parts(p, b, z3, timeout);
        solve = 0;
    }
    if (solve) {
        smug_solve_options o = {
            SMUG_STRATEGY_TIGHTEN, timeout, 8192, "bench", 0, NULL, 0, 0.5, 0.0};
        smug_solve_result r;
        if (smug_solve(p, b, z3, &o, &r, &err) < 0) {
            fprintf(stderr, "bench_branch: %s\n", err.msg);
            return 1;
        }
        smug_proof_summary s;
        smug_proof_summarize(&r.proof, &s);
        const smug_branch_stats *st = &r.stats;
        printf("solve %.2fs: %s mask %d lower %d proved_by %s; proof steps %d leaves %d "
               "(cover %d, solver %d)\n",
               r.seconds, smug_solve_status_name(r.status), r.size, r.lower,
               r.proved_by ? r.proved_by : "-", r.proof.n_steps, s.leaves, s.by_cover, s.by_solver);
        printf("branch: nodes %d certified %d covered %d cert_failures %d solver_leaves %d "
               "lp_failures %d certify %.2fs\n",
               st->nodes, st->certified, st->covered, st->cert_failures, st->solver_leaves,
               st->lp_failures, st->certify_seconds);
        if (r.note[0])
            printf("note: %s\n", r.note);
        smug_solve_result_clear(&r);
    }
    smug_solvers_free(reg);
    smug_mask_result_clear(&mr);
    return 0;
}
