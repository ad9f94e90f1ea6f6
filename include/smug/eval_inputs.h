/* eval_inputs.h — `smug eval` over the inputs of a plan (run/eval_inputs.c, issues #5 and
 * #6): which methods run, the labels, each input evaluated (evaluate.h) with its panel
 * (panels/<name>.png for an image, .html for a text) and its row in the run (eval_write.h).
 *
 * With labels (labels_path, or a labels.csv beside the inputs) only correctly classified
 * inputs are evaluated, the others are counted and skipped; inputs the labels do not list
 * are evaluated and counted as unlabelled. After each input its panel is written and its
 * maps freed, so memory does not grow with the number of inputs.
 *
 * Nothing is printed: the console hears of each method started (on_method; method -1 when
 * the input's methods are done), each input evaluated (on_input), each skipped (on_skip)
 * and each warning (on_warning); each may be NULL.
 * Errors: those of evaluate.h, IO/FORMAT for inputs, labels and panels (naming the input),
 * and SOLVER when a signal interrupted the run.
 */
#ifndef SMUG_EVAL_INPUTS_H
#define SMUG_EVAL_INPUTS_H

#include "smug/config.h"
#include "smug/eval_write.h"
#include "smug/registry.h"
#include "smug/text_in.h"

/* Which methods run (into run->on): the list as given (gradcam on a model without a Conv is
 * USAGE), or with list NULL every method, leaving gradcam out with run->note saying why when
 * the model has no Conv layer; a token model takes the text methods (evaluate.h). */
int smug_eval_methods_choose(const char *list, const smug_net *net, smug_eval_run *run,
                             smug_error *err);

typedef struct smug_eval_ctx smug_eval_ctx;
struct smug_eval_ctx {
    const smug_net *net;
    const smug_plan *plan;
    const smug_solver *solver; /* for smug (NULL when smug is off) */
    const smug_names *names;   /* token models: vocabulary and class names */
    const char *labels_path;   /* --labels, or NULL: labels.csv beside the inputs, if any */
    int limit;                 /* evaluate at most this many inputs */
    smug_eval_run *run;        /* on[] chosen; rows are added here */
    /* the console; arg is theirs */
    void (*on_method)(const smug_eval_ctx *c, int i, int n, const char *input, int method);
    void (*on_input)(const smug_eval_ctx *c, const smug_eval_row *row);
    void (*on_skip)(const smug_eval_ctx *c, const char *input, int label, int predicted);
    void (*on_warning)(const smug_eval_ctx *c, const char *msg);
    void *arg;
};

/* Every input of c->plan, until c->limit are evaluated. */
int smug_eval_inputs(smug_eval_ctx *c, smug_error *err);

#endif
