/* bench_bound.c — lower bounds at γ 0: the LP relaxation vs the cover bound (cover.h), next to
 * the incumbent, with the time each takes (issue #12 item 4).
 *
 * For one model and image, every k × window: IG and top-k once for the largest k
 * (smug_pipeline_neurons; a smaller k takes a prefix of the neurons, which come by IG),
 * then the mask problem (encode; its nonzeros and its own bytes, next to what the dense k × n
 * matrix it replaced took), smug_bounds_compute (greedy incumbent, dominance, the root LP
 * and its certified bound), and smug_cover_compute (the cuts, their LP dual and a greedy
 * packing, both checked exactly). One line per problem. All bounds printed are the certified
 * ones (what a proof step gets); `lp` and `cover_lp` also show the floating-point LP optima.
 *
 * usage: bench_bound --model M.onnx --input X.png|X.txt [--vocab V] [--k 100,300,1000]
 *                    [--windows 4,8] [--gamma 0] [--steps 200] [--cover-lp-seconds 60]
 *                    [--skip-lp] [--solve S]
 * --solve S then runs smug_solve (z3, tighten, as `smug run` does, S seconds) on each problem
 * and prints its status, mask, proved bound and how many proof leaves the cover closed.
 * A .txt input is tokenised by V (a text model; window 1 is one word a cell).
 * --skip-lp leaves out smug_bounds_compute (its LP and dominance can take minutes at 3136
 * cells; the incumbent then is not printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/bounds.h"
#include "smug/cover.h"
#include "smug/encode.h"
#include "smug/net.h"
#include "smug/input.h"
#include "smug/onnx.h"
#include "smug/pipeline.h"
#include "smug/process.h"
#include "smug/proof.h"
#include "smug/registry.h"
#include "smug/strategy.h"
#include "smug/tokens.h"

static int parse_list(const char *s, int *out, int max)
{
    int n = 0;
    char *copy = strdup(s);
    for (char *tok = strtok(copy, ","); tok && n < max; tok = strtok(NULL, ","))
        out[n++] = atoi(tok);
    free(copy);
    return n;
}

/* smug_solve as `smug run` calls it, on p with the bounds b. */
static void solve(const smug_mask_problem *p, const smug_bounds *b, const smug_solvers *reg,
                  double seconds)
{
    const smug_solver *z3 = smug_solvers_find(reg, "z3");
    smug_solve_options o = {SMUG_STRATEGY_TIGHTEN, seconds, 8192, "bench", 0, NULL, 0, 0.5, 0.0};
    smug_solve_result r;
    smug_error err = SMUG_ERROR_INIT;
    if (!z3 || smug_solve(p, b, z3, &o, &r, &err) < 0) {
        printf("  solve: %s\n", z3 ? err.msg : "no z3");
        return;
    }
    smug_proof_summary s;
    smug_proof_summarize(&r.proof, &s);
    printf("  solve (z3, %gs): %s mask=%d lower=%d proved_by=%s leaves=%d cover_leaves=%d "
           "solver_leaves=%d %.2fs\n",
           seconds, smug_solve_status_name(r.status), r.size, r.lower,
           r.proved_by ? r.proved_by : "-", s.leaves, s.by_cover, s.by_solver, r.seconds);
    smug_solve_result_clear(&r);
}

static void one(const smug_net *net, const float *x, const smug_explanation *e, int k, int window,
                double gamma, double cover_lp_seconds, int skip_lp, const smug_solvers *reg,
                double solve_seconds)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_mask_problem *p = NULL;
    double t0 = smug_process_now();
    if (smug_encode(net, x, e->neurons, e->n_neurons, gamma, window, &p, &err) < 0) {
        fprintf(stderr, "bench_bound: %s\n", err.msg);
        return;
    }
    double t_enc = smug_process_now() - t0;
    int pos_rows = 0;
    for (int j = 0; j < p->k; j++)
        pos_rows += p->t[j] >= 0.0;
    printf("k=%d window=%d rows=%d (t>=0: %d) cells=%d encode=%.2fs nonzeros=%zu problem=%.3fMB "
           "(a dense k x n matrix alone: %.1fMB)",
           k, window, p->k, pos_rows, p->n, t_enc, p->nnz,
           (double)smug_mask_problem_bytes(p) / 1048576.0,
           (double)p->k * (double)p->n * sizeof(double) / 1048576.0);
    smug_bounds b;
    memset(&b, 0, sizeof b);
    if (!skip_lp) {
        t0 = smug_process_now();
        if (smug_bounds_compute(p, &b, &err) < 0) {
            printf(" bounds: %s\n", err.msg);
            smug_mask_problem_free(p);
            return;
        }
        printf(" | incumbent=%d lp=%.3f lp_bound=%d row_bound=%d bounds_time=%.2fs", b.upper, b.lp,
               b.lower, b.lower_row, smug_process_now() - t0);
    }
    smug_cover c;
    t0 = smug_process_now();
    if (smug_cover_compute(p, 4, cover_lp_seconds, &c, &err) < 0) {
        printf(" cover: %s\n", err.msg);
    } else {
        printf(" | cuts=%d cover_lp=%.3f cover_bound=%d pack_bound=%d cover_time=%.2fs "
               "(cuts %.2f lp %.2f pack %.2f check %.2f)\n",
               c.n_cuts, c.lp, c.lower_lp, c.lower_pack, smug_process_now() - t0, c.seconds_cuts,
               c.seconds_lp, c.seconds_pack, c.seconds_check);
        smug_cover_free(&c);
    }
    fflush(stdout);
    if (!skip_lp && reg && solve_seconds > 0.0)
        solve(p, &b, reg, solve_seconds);
    fflush(stdout);
    if (!skip_lp)
        smug_bounds_clear(&b);
    smug_mask_problem_free(p);
}

int main(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *vocab = NULL;
    int ks[8], windows[8], n_k = parse_list("100,300,1000", ks, 8);
    int n_w = parse_list("4,8", windows, 8), steps = 200, skip_lp = 0;
    double gamma = 0.0, cover_lp_seconds = 60.0, solve_seconds = 0.0;
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(f, "--skip-lp")) {
            skip_lp = 1;
            continue;
        }
        i++;
        if (!strcmp(f, "--model"))
            model = v;
        else if (!strcmp(f, "--input"))
            input = v;
        else if (!strcmp(f, "--vocab"))
            vocab = v;
        else if (!strcmp(f, "--k"))
            n_k = parse_list(v, ks, 8);
        else if (!strcmp(f, "--windows"))
            n_w = parse_list(v, windows, 8);
        else if (!strcmp(f, "--gamma"))
            gamma = atof(v);
        else if (!strcmp(f, "--steps"))
            steps = atoi(v);
        else if (!strcmp(f, "--solve"))
            solve_seconds = atof(v);
        else if (!strcmp(f, "--cover-lp-seconds"))
            cover_lp_seconds = atof(v);
        else {
            fprintf(stderr, "bench_bound: unknown option %s (see the file's header)\n", f);
            return 2;
        }
    }
    if (!model || !input) {
        fprintf(stderr, "bench_bound: --model and --input are needed\n");
        return 2;
    }
    smug_error err = SMUG_ERROR_INIT;
    smug_solvers *reg = NULL;
    if (solve_seconds > 0.0 && smug_solvers_load(NULL, &reg, &err) < 0) {
        fprintf(stderr, "bench_bound: %s\n", err.msg);
        return 1;
    }
    smug_net *net;
    float *x;
    if (smug_onnx_load(model, &net, &err) < 0) {
        fprintf(stderr, "bench_bound: %s\n", err.msg);
        return 1;
    }
    size_t len = strlen(input);
    if (len > 4 && !strcmp(input + len - 4, ".txt")) {
        smug_vocab *v = NULL;
        smug_tokens tk;
        memset(&tk, 0, sizeof tk);
        smug_tokens_opts o = SMUG_TOKENS_OPTS_INIT;
        o.max_len = (int)smug_shape_size(&net->input);
        if (!vocab || smug_vocab_load(vocab, smug_net_vocab_size(net), &v, &err) < 0 ||
            smug_tokens_load_text(input, v, &o, &tk, &err) < 0) {
            fprintf(stderr, "bench_bound: %s\n", vocab ? err.msg : "a .txt input needs --vocab");
            return 1;
        }
        x = tk.ids, tk.ids = NULL;
        smug_tokens_clear(&tk);
        smug_vocab_free(v);
    } else if (smug_input_load(input, &net->input, 0.0, 1.0, &x, &err) < 0) {
        fprintf(stderr, "bench_bound: %s\n", err.msg);
        return 1;
    }
    /* IG once, for the largest k: the neurons come by decreasing IG, so a smaller k is a
     * prefix of the same list */
    int kmax = 0;
    for (int ki = 0; ki < n_k; ki++)
        kmax = ks[ki] > kmax ? ks[ki] : kmax;
    smug_params prm;
    smug_params_defaults(&prm);
    prm.top_k = kmax;
    prm.steps = steps;
    smug_explanation e;
    double t0 = smug_process_now();
    if (smug_pipeline_neurons(net, x, &prm, &e, &err) < 0) {
        fprintf(stderr, "bench_bound: %s\n", err.msg);
        return 1;
    }
    printf("# %s: IG (%d steps) and top-%d selection %.2fs, %d neurons chosen\n", input, steps,
           kmax, smug_process_now() - t0, e.n_neurons);
    int all = e.n_neurons;
    for (int ki = 0; ki < n_k; ki++) {
        e.n_neurons = ks[ki] < all ? ks[ki] : all;
        for (int w = 0; w < n_w; w++)
            one(net, x, &e, ks[ki], windows[w], gamma, cover_lp_seconds, skip_lp, reg,
                solve_seconds);
    }
    e.n_neurons = all;
    smug_explanation_clear(&e);
    free(x);
    smug_net_free(net);
    smug_solvers_free(reg);
    return 0;
}
