/* run_input.h — `smug run` for its inputs (run/run_input.c: one input; run/run_jobs.c: the
 * inputs of --jobs N in forked workers): the pipeline (pipeline.h), --keep-class, the
 * pictures or the text view, the proof file, and each input's entry in report.json.
 *
 * A failure of an input's mask stages is its status "error" in the report (c->failures
 * counts it), not a failed run; -1 only for failures that must stop the whole run (a bad
 * file, a setting no input can satisfy: USAGE/UNSUPPORTED, NOMEM), the input named.
 * Nothing is printed: what the console shows of an input comes through on_input, and a
 * warning (a text cut to the model's length) through on_warning; in a --jobs worker both
 * run in the worker process, with c->worker set.
 */
#ifndef SMUG_RUN_INPUT_H
#define SMUG_RUN_INPUT_H

#include "smug/config.h"
#include "smug/json.h"
#include "smug/keepclass.h"
#include "smug/pipeline.h"
#include "smug/registry.h"
#include "smug/text_in.h"

/* One explained input, for the console. */
typedef struct smug_run_done {
    const char *input;
    const smug_explanation *e;
    const smug_mask_result *m;    /* its mask (when error is NULL) */
    const char *error;            /* why its mask stages failed, or NULL */
    const smug_keep_result *keep; /* --keep-class and no error, else NULL */
    int text;                     /* a text input (its mask counts words, not cells) */
    const char *ansi; /* a text input without error: the text, kept words marked with ANSI
                         colours for a terminal (textview.h), else NULL */
} smug_run_done;

typedef struct smug_run_ctx smug_run_ctx;
struct smug_run_ctx {
    const smug_net *net;
    const smug_plan *plan;
    const smug_solver *solver;
    const smug_solver *confirm; /* --confirm, or NULL */
    const smug_names *names;    /* token models: the vocabulary for .txt inputs; class names */
    smug_json *json;            /* the report's "inputs" array the entries go into */
    int failures;               /* inputs whose mask stages failed */
    int worker;                 /* set inside a --jobs worker process */
    /* the console (each may be NULL); arg is theirs */
    void (*on_input)(const smug_run_ctx *c, const smug_run_done *d);
    void (*on_warning)(const smug_run_ctx *c, const char *msg);
    void (*on_progress)(const smug_run_ctx *c, int done, int n); /* --jobs: a worker ended */
    void *arg;
};

/* One input: explains it, writes its outputs under plan->out_dir, adds its entry to
 * c->json. */
int smug_run_input(smug_run_ctx *c, const char *input, smug_error *err);

/* The n inputs by plan->params.jobs forked workers (workpool.h), each writing its entry to
 * out_dir/.parts, spliced into c->json in input order as smug_run_input would add them;
 * -1 with the first fatal error (the one a single job would have stopped at). */
int smug_run_parallel(smug_run_ctx *c, char **paths, int n, smug_error *err);

#endif
