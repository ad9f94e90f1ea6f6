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

void cli_print_help(const cli_command *cmd);

/* The plan of run/emit/eval: defaults < --config < flags; --model, --input and --out replace
 * the config's; with nothing named, the bundled model and image, and default_out. */
struct smug_plan;
int cli_make_plan(const cli_args *a, struct smug_plan *plan, const char *default_out,
                  smug_error *err);
/* Default model/input shipped in the source tree (models/, data/). */
const char *cli_default_model(void);
const char *cli_default_input(void);

/* Text inputs of token models (text_in.c), shared by run and eval. */
#include "smug/net.h"
#include "smug/tokens.h"

int cli_ends_with(const char *s, const char *suffix);

/* Solver names become registry entries in run/pick.c (smug_pick_solver), which brings the
 * registry (smug_solvers_load) with it. */
#include "smug/pick.h"

/* The vocabulary (token models: --vocab/the plan's vocab, or <model stem>.vocab when it
 * exists; NULL when neither) and the class names (<model stem>.labels when it exists); both
 * must fit the model (embedding rows, classes). Free with cli_names_free (also after a
 * failure). */
typedef struct cli_names {
    smug_vocab *vocab;
    smug_vocab *labels;
} cli_names;
int cli_load_names(const struct smug_plan *plan, const smug_net *net, cli_names *out,
                   smug_error *err);
void cli_names_free(cli_names *n);
/* Class name of cls, or NULL without a .labels file. */
const char *cli_class_name(const cli_names *n, int cls);
smug_tokens_opts cli_token_opts(const smug_net *net, const smug_params *p);
/* A .txt input: tokenised by the vocabulary with the plan's pad/unk/truncate; a longer text
 * than the model reads is cut with a warning on stderr (truncate: true) or refused. *out
 * (smug_tokens_free) and *out_x [L ids] are the caller's. */
int cli_load_text(const struct smug_plan *plan, const smug_net *net, const smug_vocab *vocab,
                  const char *input, smug_tokens *out, float **out_x, smug_error *err);

/* smug eval's collected results: cmd_eval.c fills them, eval_write.c writes the tables. */
#include <stdint.h>

#include "smug/evaluate.h"
#include "smug/text_eval.h"

typedef struct cli_eval_row {
    char *input;       /* path as given/expanded (owned) */
    int label;         /* true class, -1 when the labels do not list the input */
    smug_eval_input e; /* maps already freed; the numbers stay */
    /* token models (cli_eval_run.text): */
    smug_text_eval_input t;           /* kept/score already freed; the numbers stay */
    char *words[SMUG_EVAL_N_METHODS]; /* each method's kept words, space-separated (owned) */
} cli_eval_row;

typedef struct cli_eval_run {
    const char *model;
    const smug_params *params;
    uint8_t on[SMUG_EVAL_N_METHODS];
    cli_eval_row *rows; /* evaluated inputs */
    int n_rows;
    int n_seen;          /* inputs looked at (evaluated + skipped) */
    int n_misclassified; /* skipped: predicted class != label */
    int n_unlabelled;    /* evaluated without a label */
    char note[512];      /* e.g. why gradcam was left out */
    int text;            /* a token model: text methods and metrics (text_eval.h) */
} cli_eval_run;

/* Writes DIR/table.md, table.csv, inputs.csv and eval.json (atomically); prints the
 * markdown table to stdout. */
int cli_eval_write(const cli_eval_run *r, const char *dir, smug_error *err);

/* Shared by both writers: a quoted CSV field (inner quotes doubled); DIR/name written
 * atomically from sb, which is reset. */
#include "smug/strbuf.h"
void cli_csv_text(smug_strbuf *sb, const char *s);
int cli_eval_write_file(const char *dir, const char *name, smug_strbuf *sb, smug_error *err);

/* The same for a text evaluation (eval_text_write.c): sparsity, conf_kept, conf_removed and
 * time per method instead of LSC and Win%. */
int cli_eval_write_text(const cli_eval_run *r, const char *dir, smug_error *err);

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
