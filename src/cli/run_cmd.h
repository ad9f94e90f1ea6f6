/* run_cmd.h — what the three files of `smug run` share (internal to the smug binary):
 * cmd_run.c (the command, the report around the inputs), run_one.c (one input from
 * pipeline to pictures and its report entry) and run_jobs.c (--jobs N: inputs in forked
 * workers, their report fragments spliced in input order). */
#ifndef SMUG_CLI_RUN_CMD_H
#define SMUG_CLI_RUN_CMD_H
#include "cli.h"
#include "smug/json.h"
#include "text_in.h"

typedef struct run_ctx {
    const smug_net *net;
    const smug_plan *plan;
    const smug_solver *solver;
    const smug_solver *confirm; /* --confirm, or NULL */
    const char *proof_out;      /* --proof-out F, or NULL */
    smug_json *json;
    int failures;
    int tty;         /* stderr is a terminal: progress lines */
    int out_tty;     /* stdout is a terminal: text inputs are shown in colour */
    cli_names names; /* token models: the vocabulary for .txt inputs; class names */
    int interrupted; /* the signal that stopped the run (interrupt.h), else 0 */
} run_ctx;

/* One input: explains it, writes its pictures, adds its entry to c->json (status "error"
 * when its mask stages failed: c->failures counts it). Returns -1 only for failures that
 * must stop the whole run. */
int cli_run_one(run_ctx *c, const char *input, smug_error *err);

/* The n inputs by c->plan->params.jobs forked workers (workpool.h), their entries added to
 * c->json in input order as cli_run_one would add them; -1 with the first fatal error. */
int cli_run_parallel(run_ctx *c, char **paths, int n, smug_error *err);

#endif
