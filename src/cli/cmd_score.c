/* cmd_score.c — `smug score`: a bundle's results into masks, pictures and report.json. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "smug/bundle_score.h"

static int run_score(const cli_args *a, smug_error *err)
{
    smug_bundle *b = NULL;
    smug_net *net = NULL;
    smug_solvers *reg = NULL;
    smug_bundle_score_stats st;
    smug_score_options o = {NULL, NULL, 60.0, 4096};
    char dflt[4096];
    if (a->n_positional != 1)
        return smug_fail(err, SMUG_ERR_USAGE, "score needs the BUNDLE folder");
    int rc = smug_bundle_load(a->positional[0], &b, err);
    const char *names[] = {"confirm", "timeout", "mem-limit"};
    for (int i = 0; rc == 0 && i < 3; i++) /* through params.def for the range checks */
        if (cli_get(a, names[i]))
            rc = smug_params_set(&b->params, names[i], cli_get(a, names[i]), names[i], err);
    if (rc == 0) /* the solvers smug knows: their unsat counts by their word */
        rc = smug_solvers_load(NULL, &reg, err);
    if (rc == 0 && strcmp(b->params.confirm, "none") != 0)
        rc = smug_pick_solver(reg, b->params.confirm, SMUG_PICK_INSTALLED | SMUG_PICK_SMTLIB,
                              "score", &o.confirm, err);
    o.reg = reg, o.timeout = b->params.timeout, o.mem_limit_mb = b->params.mem_limit;
    if (rc == 0)
        rc = smug_bundle_net(b, &net, err);
    snprintf(dflt, sizeof dflt, "%s/scored", a->positional[0]);
    const char *out = cli_get(a, "out") ? cli_get(a, "out") : dflt;
    if (rc == 0) /* NULL: BUNDLE/scored, opened inside the bundle without following links */
        rc = smug_bundle_score(b, net, &o, cli_get(a, "out"), &st, err);
    if (rc == 0) {
        printf("%d problems: %d optimal, %d feasible, %d errors; %d with results\n", st.total,
               st.optimal, st.feasible, st.errors, st.with_results);
        printf("wrote %s/report.json\n", out);
    }
    if (rc == 0 && st.errors)
        rc = smug_fail(err, SMUG_ERR_FORMAT,
                       "%d problem(s) could not be scored; see %s/report.json", st.errors, out);
    smug_net_free(net);
    smug_solvers_free(reg);
    smug_bundle_free(b);
    return rc;
}

const cli_command cli_cmd_score = {
    .name = "score",
    .summary = "turn a bundle's results into verified masks, saliency maps and a report",
    .usage = "BUNDLE [--out DIR] [--confirm NAME] [--timeout S]",
    .description =
        "Reads BUNDLE/results/: smug solve's <id>.<solver>.json, and the raw stdout of any\n"
        "SMT-LIB solver run on a problem file saved as <file stem>.<solver>.out (e.g.\n"
        "`z3 problems/x.smt2 > results/x.z3.out`, `cvc5 -m problems/x.opt.smt2` does not\n"
        "apply: the .opt form is z3's). A bundle is untrusted: each mask is checked against\n"
        "the problem's rows and by a forward pass, and a lower bound counts only with a proof\n"
        "smug re-checks (LP certificates exactly; a solver's unsat as that solver's word, for\n"
        "solvers in solvers/ only, or when --confirm NAME re-decides it); the manifest's\n"
        "lower_bound is a hint. Results that are corrupt or contradict each other make that\n"
        "problem an error (named in the report), never a silent merge. Writes DIR/report.json\n"
        "and DIR/<id>/ pictures and proof.smt2 (default DIR: BUNDLE/scored). Exit status 1\n"
        "when a problem could not be scored.",
    .opts = {{"out", "DIR", 0, "output folder (default BUNDLE/scored)"},
             {"confirm", "NAME", 0,
              "re-decide every solver leaf of the proofs with this solver (a disagreement is "
              "an error naming both)"},
             {"timeout", "S", 0, "seconds for one confirming run (default: the bundle's)"},
             {"mem-limit", "MB", 0, "memory limit of a confirming solver in MiB"},
             {0}},
    .takes_params = 0,
    .max_positional = 1,
    .run = run_score,
};
