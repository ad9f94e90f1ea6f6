/* cmd_family.c — `smug family`: emitted bundles and measured solver runs into one benchmark
 * family folder with confirmed statuses and an index (family.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "smug/family.h"

static int run_family(const cli_args *a, smug_error *err)
{
    const char *out = cli_get(a, "out");
    if (!out)
        return smug_fail(err, SMUG_ERR_USAGE, "family needs --out DIR");
    if (a->n_positional < 1)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "family needs at least one BUNDLE (or a folder of bundles)");
    smug_params p;
    smug_params_defaults(&p);
    const char *t = cli_get(a, "timeout"), *mem = cli_get(a, "mem-limit");
    if ((t && smug_params_set(&p, "timeout", t, "--timeout", err) < 0) ||
        (mem && smug_params_set(&p, "mem_limit", mem, "--mem-limit", err) < 0))
        return -1;
    smug_solvers *reg = NULL;
    if (smug_solvers_load(NULL, &reg, err) < 0)
        return -1;
    smug_family_options o = {out,         a->positional, a->n_positional,
                             a->multi,    a->n_multi,    p.timeout,
                             p.mem_limit, reg,           cli_get(a, "all-measured") != NULL};
    smug_strbuf table = SMUG_STRBUF_INIT;
    smug_family_stats st;
    int rc = smug_family_build(&o, &table, &st, err);
    if (rc == 0)
        rc = smug_strbuf_check(&table, err);
    if (rc == 0) {
        fwrite(table.buf ? table.buf : "", 1, table.len, stdout);
        fprintf(stderr,
                "%d files (%d with a confirmed status), %d duplicates left out; wrote "
                "%s/index.json\n",
                st.files, st.confirmed, st.duplicates, out);
    }
    smug_strbuf_clear(&table);
    smug_solvers_free(reg);
    return rc;
}

const cli_command cli_cmd_family = {
    .name = "family",
    .summary = "gather emitted benchmark files and solver runs into a family with an index",
    .usage = "--out DIR [--measured CSV]... [--timeout S] [--mem-limit MB] [--all-measured] "
             "BUNDLE...",
    .description =
        "Takes the benchmark files of bundles made by `smug emit --family` (a BUNDLE argument\n"
        "may also be a folder of bundles) into DIR/<bundle folder name>/, each formula once\n"
        "(files with the same formula as an earlier one are left out), and decides each\n"
        "file's :status from measured solver runs: results/runs.csv of each bundle (written\n"
        "by its solvers.sh) and every --measured CSV (formula_sha256,solver,version,answer,\n"
        "seconds,cpu_seconds, as DIR/measured.csv is written). A status is confirmed when\n"
        "two solvers answer it within --timeout CPU seconds; otherwise the file says\n"
        "unknown. Two answers that contradict each other, or smug's own claim, stop with\n"
        "an error.\n"
        "Writes DIR/index.json (per file: status, who confirmed it, difficulty = CPU time of\n"
        "the second confirming answer, every solver's answer and times, the problem's\n"
        "parameters), DIR/measured.csv, DIR/instances.csv, BenchExec task files, solvers.sh\n"
        "and run.slurm, and prints Markdown tables of the measured difficulty per solver.\n"
        "The same input gives the same bytes.",
    .opts = {{"out", "DIR", 0, "the family folder to write"},
             {"measured", "CSV", 1,
              "measured runs (formula_sha256,solver,version,answer,seconds,cpu)"},
             {"timeout", "S", 0, "CPU seconds an answer must come within (default 60)"},
             {"mem-limit", "MB", 0, "memory limit written into BenchExec's file (default 8192)"},
             {"all-measured", NULL, 0, "fail when a file has no measured run at all"},
             {0}},
    .takes_params = 0,
    .max_positional = 8,
    .run = run_family,
};
