/* cmd_score.c — `smug score`: a bundle's results into masks, pictures and report.json. */
#include <stdio.h>

#include "cli.h"
#include "smug/bundle_score.h"

static int run_score(const cli_args *a, smug_error *err)
{
    smug_bundle *b = NULL;
    smug_net *net = NULL;
    smug_bundle_score_stats st;
    char dflt[4096];
    if (a->n_positional != 1)
        return smug_fail(err, SMUG_ERR_USAGE, "score needs the BUNDLE folder");
    int rc = smug_bundle_load(a->positional[0], &b, err);
    if (rc == 0)
        rc = smug_bundle_net(b, &net, err);
    snprintf(dflt, sizeof dflt, "%s/scored", a->positional[0]);
    const char *out = cli_get(a, "out") ? cli_get(a, "out") : dflt;
    if (rc == 0) /* NULL: BUNDLE/scored, opened inside the bundle without following links */
        rc = smug_bundle_score(b, net, cli_get(a, "out"), &st, err);
    if (rc == 0) {
        printf("%d problems: %d optimal, %d feasible, %d errors; %d with results\n", st.total,
               st.optimal, st.feasible, st.errors, st.with_results);
        printf("wrote %s/report.json\n", out);
    }
    if (rc == 0 && st.errors)
        rc = smug_fail(err, SMUG_ERR_FORMAT,
                       "%d problem(s) could not be scored; see %s/report.json", st.errors, out);
    smug_net_free(net);
    smug_bundle_free(b);
    return rc;
}

const cli_command cli_cmd_score = {
    .name = "score",
    .summary = "turn a bundle's results into verified masks, saliency maps and a report",
    .usage = "BUNDLE [--out DIR]",
    .description =
        "Reads BUNDLE/results/: smug solve's <id>.<solver>.json, and the raw stdout of any\n"
        "SMT-LIB solver run on a problem file saved as <file stem>.<solver>.out (e.g.\n"
        "`z3 problems/x.smt2 > results/x.z3.out`, `cvc5 -m problems/x.opt.smt2` does not\n"
        "apply: the .opt form is z3's). Each mask is checked against the problem's rows and\n"
        "by a forward pass; results that are corrupt or contradict each other make that\n"
        "problem an error (named in the report), never a silent merge. Writes DIR/report.json\n"
        "and DIR/<id>/ pictures (default DIR: BUNDLE/scored). Exit status 1 when a problem\n"
        "could not be scored.",
    .opts = {{"out", "DIR", 0, "output folder (default BUNDLE/scored)"}, {0}},
    .takes_params = 0,
    .max_positional = 1,
    .run = run_score,
};
