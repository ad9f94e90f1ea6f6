/* cmd_solvers.c — `smug solvers`: which solver descriptions exist (solvers/<name>.yaml), which
 * solvers are installed, their versions and what they can do (design §4). A solver that is
 * missing or whose version query fails is reported, not an error: this command is how a
 * user finds out what to install. Only a broken solver file is an error.
 */
#include <stdio.h>

#include "cli.h"
#include "smug/params.h"
#include "smug/registry.h"

static void print_solver(const smug_solver *s)
{
    char exe[4096], version[SMUG_ERROR_MAX + 32], caps[64], strategy[32];
    int installed = smug_solver_installed(s, exe, sizeof exe);
    smug_error verr = SMUG_ERROR_INIT;
    version[0] = '\0';
    if (installed && smug_solver_version(s, version, sizeof version, &verr) < 0)
        snprintf(version, sizeof version, "version unknown (%.*s)", SMUG_ERROR_MAX - 1, verr.msg);
    printf("%-8s %s%s%s\n", s->name, installed ? "installed    " : "not installed",
           version[0] ? " " : "", version);
    printf("         executable:       %s\n", installed ? exe : s->executable);
    printf("         capabilities:     %s\n", smug_solver_capabilities(s, caps, sizeof caps));
    printf("         default strategy: %s\n",
           smug_params_enum_name("strategy", s->default_strategy, strategy, sizeof strategy));
    printf("         input:            %s%s%s\n", s->format == SMUG_SOLVER_LP ? "LP" : "SMT-LIB 2",
           s->stdin_args ? ", stdin" : "", s->file_args ? ", file" : "");
    printf("         file:             %s\n", s->path);
}

static int run_solvers(const cli_args *a, smug_error *err)
{
    smug_solvers *reg;
    if (smug_solvers_load(cli_get(a, "dir"), &reg, err) < 0)
        return -1;
    printf("solvers in %s:\n", reg->dir);
    for (int i = 0; i < reg->n; i++)
        print_solver(&reg->solvers[i]);
    smug_solvers_free(reg);
    return 0;
}

const cli_command cli_cmd_solvers = {
    .name = "solvers",
    .summary = "which solvers are installed, their versions and capabilities",
    .usage = "[--dir DIR]",
    .description = "Reads every solver description (one YAML file per solver, see\n"
                   "solvers/README.md) and prints, for each: whether its executable is on\n"
                   "PATH, its version line, its capabilities (optimize, incremental,\n"
                   "get_value), the strategy `--strategy auto` picks for it and the file.\n"
                   "The folder is $SMUG_SOLVERS_DIR, else the source tree's solvers/.",
    .opts = {{"dir", "DIR", 0, "read the solver files from DIR instead"}, {0}},
    .takes_params = 0,
    .max_positional = 0,
    .run = run_solvers,
};
