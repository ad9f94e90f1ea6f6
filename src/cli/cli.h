/* cli.h — the command table and argument parsing shared by src/cli/ (internal to the
 * smug binary; the library never sees it).
 *
 * Each subcommand declares its own flags; every subcommand that runs the method also takes
 * every parameter of params.def as --flag, generated from that table.
 */
#ifndef SMUG_CLI_H
#define SMUG_CLI_H

#include "smug/error.h"
#include "smug/params.h"
#include "smug/pick.h" /* solver names to registry entries (and the registry itself) */

#define CLI_MAX_OPTS  16
#define CLI_MAX_MULTI 1024
#define CLI_MAX_FLAGS 64

typedef struct cli_opt {
    const char *name; /* without dashes */
    const char *arg;  /* placeholder for the value, NULL for a switch */
    int repeat;       /* may be given several times (values collected in order) */
    const char *help;
} cli_opt;

typedef struct cli_args cli_args;

typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage; /* after "smug <name> " */
    const char *description;
    cli_opt opts[CLI_MAX_OPTS];
    int takes_params; /* accepts the params.def flags */
    int max_positional;
    int (*run)(const cli_args *args, smug_error *err);
} cli_command;

struct cli_args {
    const cli_command *cmd;
    smug_params params;
    const char *value[CLI_MAX_OPTS];  /* last value of each opt (or "1" for a given switch) */
    const char *multi[CLI_MAX_MULTI]; /* every value of the repeatable opt, in order */
    int n_multi;
    const char *positional[8];
    int n_positional;
    const char *flag_name[CLI_MAX_FLAGS]; /* parameter flags as given ("top-k" or "top-k=4") */
    const char *flag_value[CLI_MAX_FLAGS];
    int n_flags;
};

/* Parses argv (after the subcommand name). --help prints help to stdout and sets
 * *out_help. Errors are SMUG_ERR_USAGE. */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out, int *out_help,
              smug_error *err);

/* Re-applies the parameter flags given on the command line to p (after a config was
 * loaded into it: defaults < config < flags). */
int cli_apply_param_flags(const cli_args *a, smug_params *p, smug_error *err);

/* The value of opt `name`, or NULL when not given. */
const char *cli_get(const cli_args *a, const char *name);

/* 1 when s ends with suffix (".txt"). */
int cli_ends_with(const char *s, const char *suffix);

void cli_print_help(const cli_command *cmd);

/* The plan of run/emit/eval: defaults < --config < flags; --model, --input and --out replace
 * the config's; with nothing named, the bundled model and image, and default_out. */
struct smug_plan;
int cli_make_plan(const cli_args *a, struct smug_plan *plan, const char *default_out,
                  smug_error *err);
/* Default model/input shipped in the source tree (models/, data/). */
const char *cli_default_model(void);
const char *cli_default_input(void);

extern const cli_command cli_cmd_eval;
extern const cli_command cli_cmd_inspect;
extern const cli_command cli_cmd_attribute;
extern const cli_command cli_cmd_run;
extern const cli_command cli_cmd_solvers;
extern const cli_command cli_cmd_emit;
extern const cli_command cli_cmd_solve;
extern const cli_command cli_cmd_score;
extern const cli_command cli_cmd_family;

#endif
