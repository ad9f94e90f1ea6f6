/* cmd_eval.c — `smug eval`: every explanation method on each input, scored by LSC, with
 * Win%, sparsity and time per method (issue #5; the library side is evaluate.h).
 *
 * Inputs come from the plan (config, --input) like `smug run`. With labels (--labels, or a
 * labels.csv beside the inputs) only correctly classified inputs are evaluated, the others
 * are counted and skipped; inputs the labels do not list are evaluated and counted as
 * unlabelled. After each input its panel picture is written and its maps freed, so memory
 * does not grow with the number of inputs; the tables are written at the end
 * (run/eval_write.c).
 */
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "smug/interrupt.h"
#include "smug/config.h"
#include "smug/eval_write.h"
#include "smug/forward.h"
#include "smug/fsutil.h"
#include "smug/gradcam.h"
#include "smug/input.h"
#include "smug/labels.h"
#include "smug/onnx.h"
#include "smug/panel.h"
#include "smug/text_in.h"
#include "smug/textview.h"

typedef struct eval_ctx {
    const smug_net *net;
    const smug_plan *plan;
    const smug_solver *solver;
    smug_eval_run *run;
    int tty, i, n; /* progress: input i of about n */
    const char *input;
    smug_names names; /* token models: vocabulary and class names */
} eval_ctx;

static void progress(void *arg, int method)
{
    const eval_ctx *c = arg;
    if (c->tty)
        fprintf(stderr, "\r[%d/%d] %s: %s\033[K", c->i, c->n, c->input,
                smug_eval_method_name(method));
}

/* Which methods run: --methods as given (gradcam on a model without a Conv is an error), or
 * every method, leaving gradcam out with a note when the model has no Conv layer. */
static int choose_methods(const cli_args *a, const smug_net *net, smug_eval_run *run,
                          smug_error *err)
{
    const char *list = cli_get(a, "methods");
    if (smug_eval_methods_parse(list ? list : "all", run->on, err) < 0)
        return -1;
    int layer, feature;
    smug_error gerr = SMUG_ERROR_INIT;
    if (!run->on[SMUG_EVAL_GRADCAM] ||
        smug_gradcam_layer(net, run->params->gradcam_layer, &layer, &feature, &gerr) == 0)
        return 0;
    if (list)
        return smug_fail(err, SMUG_ERR_USAGE, "--methods gradcam: %s", gerr.msg);
    run->on[SMUG_EVAL_GRADCAM] = 0;
    snprintf(run->note, sizeof run->note, "gradcam skipped: %.400s", gerr.msg);
    printf("%s\n", run->note);
    return 0;
}

static int load_solver(const smug_plan *plan, smug_solvers **reg, const smug_solver **out,
                       smug_error *err)
{
    if (strcmp(plan->params.confirm, "none") != 0) /* eval measures masks, not proofs */
        return smug_fail(err, SMUG_ERR_USAGE,
                         "--confirm: smug eval does not confirm proofs; use smug run --confirm");
    if (smug_solvers_load(NULL, reg, err) < 0)
        return -1;
    return smug_pick_solver(*reg, plan->params.solver, SMUG_PICK_INSTALLED | SMUG_PICK_SMTLIB,
                            "eval", out, err);
}

/* Labels for the inputs of plan entry `path`: --labels, else labels.csv in the folder (a
 * folder input) or beside the file; none is fine (every input then counts as unlabelled). */
static int load_labels(const cli_args *a, const char *path, smug_labels *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    if (cli_get(a, "labels"))
        return smug_labels_load(cli_get(a, "labels"), out, err);
    char buf[4096], csv[4200];
    snprintf(buf, sizeof buf, "%s", path);
    struct stat st;
    int is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    snprintf(csv, sizeof csv, "%s/labels.csv", is_dir ? buf : dirname(buf));
    return smug_fs_exists(csv) ? smug_labels_load(csv, out, err) : 0;
}

static void print_input(const smug_eval_run *run, const smug_eval_row *r)
{
    printf("%s: label %d, predicted %d (p = %.3f); LSC", r->input, r->label, r->e.predicted,
           r->e.confidence);
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (run->on[m])
            printf(" %s %.3f", smug_eval_method_name(m), r->e.r[m].lsc.lsc);
    printf("\n");
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (run->on[m] && !r->e.r[m].ok)
            printf("  %s: %s\n", smug_eval_method_name(m), r->e.r[m].note);
}

static int write_panel(const eval_ctx *c, const float *x, smug_eval_row *r, smug_error *err)
{
    const smug_params *p = &c->plan->params;
    smug_image_src src = {x, 0, r->e.h, r->e.w, p->pixel_min, p->pixel_max};
    src.c = (int)(smug_shape_size(&c->net->input) / ((size_t)r->e.h * (size_t)r->e.w));
    smug_panel_tile t[SMUG_EVAL_N_METHODS + 1] = {{"input", NULL, NULL}};
    int n = 1;
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (c->run->on[m])
            t[n++] = (smug_panel_tile){smug_eval_method_name(m), r->e.r[m].map,
                                       r->e.r[m].ok ? &r->e.r[m].lsc.box : NULL};
    /* panels/<file name>.png, the ".png" of a PNG input dropped (x.npy → x.npy.png) */
    char dir[2048], path[4200];
    snprintf(dir, sizeof dir, "%s/panels", c->plan->out_dir);
    const char *base = strrchr(r->input, '/') ? strrchr(r->input, '/') + 1 : r->input;
    size_t len = strlen(base);
    int png = len > 4 && strcmp(base + len - 4, ".png") == 0;
    snprintf(path, sizeof path, "%s/%.*s.png", dir, (int)(png ? len - 4 : len), base);
    if (smug_fs_mkdirs(dir, err) < 0)
        return -1;
    return smug_panel_write(path, &src, t, n, err);
}

/* A labelled input the model gets wrong: counted and skipped (1), else 0. */
static int misclassified(eval_ctx *c, const char *path, const float *x, int label, smug_error *err)
{
    float *logits = malloc((size_t)c->net->n_classes * sizeof *logits);
    if (!logits)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int rc = smug_net_eval(c->net, x, logits, NULL, err),
        got = smug_argmax(logits, c->net->n_classes);
    free(logits);
    if (rc < 0 || label < 0 || got == label)
        return rc;
    c->run->n_misclassified++;
    printf("%s: label %d, predicted %d: misclassified, skipped\n", path, label, got);
    return 1;
}

static void print_text_input(const smug_eval_run *run, const smug_eval_row *r)
{
    const smug_eval_input *t = &r->e;
    printf("%s: label %d, predicted %d (p = %.3f); words kept of %d, conf kept / removed:",
           r->input, r->label, t->predicted, t->confidence, t->n_seen);
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (run->on[m] && t->r[m].ok)
            printf(" %s %d %.2f/%.2f", smug_eval_method_name(m), t->r[m].n_kept, t->r[m].conf_kept,
                   t->r[m].conf_removed);
    printf("\n");
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (run->on[m] && !t->r[m].ok)
            printf("  %s: %s\n", smug_eval_method_name(m), t->r[m].note);
}

/* The kept words of every method, space-separated, into r->words. */
static int kept_words(const smug_eval_run *run, const smug_tokens *tk, smug_eval_row *r,
                      smug_error *err)
{
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++) {
        if (!run->on[m] || !r->e.r[m].ok)
            continue;
        smug_strbuf sb = SMUG_STRBUF_INIT;
        smug_strbuf_adds(&sb, "");
        for (int i = 0; i < tk->n; i++)
            if (r->e.r[m].kept[i])
                smug_strbuf_addf(&sb, "%s%s", sb.len ? " " : "", tk->words[i]);
        if (smug_strbuf_check(&sb, err) < 0)
            return -1;
        r->words[m] = sb.buf ? sb.buf : strdup("");
        if (!r->words[m])
            return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* panels/<name>.html (".txt" dropped): the text once per method, its kept words marked. */
static int write_text_panel(const eval_ctx *c, const smug_tokens *tk, const smug_eval_row *r,
                            smug_error *err)
{
    smug_textview_section s[SMUG_EVAL_N_METHODS];
    char cap[SMUG_EVAL_N_METHODS][400], intro[300], dir[2048], path[4200];
    int n = 0;
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++) {
        const smug_eval_result *e = &r->e.r[m];
        if (!c->run->on[m])
            continue;
        if (e->ok)
            snprintf(cap[n], sizeof cap[n],
                     "kept %d of %d words (sparsity %.3f); confidence on the kept words alone "
                     "%.3f, without them %.3f; %s; %s",
                     e->n_kept, r->e.n_seen, e->sparsity, e->conf_kept, e->conf_removed,
                     e->verified ? "every chosen neuron stays above gamma"
                                 : "some chosen neuron falls below gamma",
                     e->note);
        else
            snprintf(cap[n], sizeof cap[n], "no result: %s", e->note);
        s[n] = (smug_textview_section){smug_eval_method_name(m), cap[n], {0}};
        s[n].view.tokens = tk;
        s[n].view.kept = e->ok ? e->kept : NULL;
        s[n].view.score = e->score;
        n++;
    }
    const char *name = smug_class_name(&c->names, r->e.predicted);
    snprintf(intro, sizeof intro, "predicted %s%s%d (p = %.3f); label %d; %d words seen",
             name ? name : "", name ? " = class " : "class ", r->e.predicted, r->e.confidence,
             r->label, r->e.n_seen);
    snprintf(dir, sizeof dir, "%s/panels", c->plan->out_dir);
    const char *base = strrchr(r->input, '/') ? strrchr(r->input, '/') + 1 : r->input;
    size_t len = strlen(base);
    int txt = cli_ends_with(base, ".txt");
    snprintf(path, sizeof path, "%s/%.*s.html", dir, (int)(txt ? len - 4 : len), base);
    if (smug_fs_mkdirs(dir, err) < 0)
        return -1;
    return smug_textview_panel(path, base, intro, s, n, err);
}

/* A text input of a token model: the text methods, the panel, the row. */
static int eval_one_text(eval_ctx *c, const char *path, int label, smug_error *err)
{
    if (!cli_ends_with(path, ".txt"))
        return smug_fail(err, SMUG_ERR_USAGE, "%s: smug eval on a token model takes .txt inputs",
                         path);
    smug_tokens tk;
    memset(&tk, 0, sizeof tk);
    float *x = NULL;
    char warning[600];
    int rc = smug_text_load(c->plan, c->net, c->names.vocab, path, &tk, &x, warning, sizeof warning,
                            err);
    if (rc == 0 && warning[0])
        fprintf(stderr, "smug: warning: %s\n", warning);
    if (rc == 0)
        rc = misclassified(c, path, x, label, err);
    if (rc != 0) {
        smug_tokens_clear(&tk), free(x);
        return rc < 0 ? smug_error_prefix(err, "%s", path) : 0;
    }
    smug_eval_row *r = &c->run->rows[c->run->n_rows];
    memset(r, 0, sizeof *r);
    c->input = path;
    rc = smug_evaluate(c->net, x, &c->plan->params, c->solver, c->run->on, progress, c, &r->e, err);
    if (c->tty)
        fprintf(stderr, "\r\033[K");
    if (rc == 0 && !(r->input = strdup(path)))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    r->label = label;
    if (rc == 0)
        rc = kept_words(c->run, &tk, r, err);
    if (rc == 0)
        rc = write_text_panel(c, &tk, r, err);
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++) {
        free(r->e.r[m].kept), free(r->e.r[m].score);
        r->e.r[m].kept = NULL, r->e.r[m].score = NULL;
    }
    smug_tokens_clear(&tk), free(x);
    if (rc < 0) {
        free(r->input);
        for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
            free(r->words[m]);
        smug_eval_input_clear(&r->e);
        return smug_error_prefix(err, "%s", path);
    }
    c->run->n_unlabelled += label < 0;
    c->run->n_rows++;
    print_text_input(c->run, r);
    return 0;
}

/* One input: skipped when labelled and misclassified, else every method, its panel and
 * its row. */
static int eval_one(eval_ctx *c, const char *path, int label, smug_error *err)
{
    if (c->run->text)
        return eval_one_text(c, path, label, err);
    const smug_params *p = &c->plan->params;
    float *x = NULL;
    int rc = smug_input_load(path, &c->net->input, p->pixel_min, p->pixel_max, &x, err);
    if (rc == 0)
        rc = misclassified(c, path, x, label, err);
    if (rc != 0) {
        free(x);
        return rc < 0 ? smug_error_prefix(err, "%s", path) : 0;
    }
    smug_eval_row *r = &c->run->rows[c->run->n_rows];
    memset(r, 0, sizeof *r);
    c->input = path;
    rc = smug_evaluate(c->net, x, p, c->solver, c->run->on, progress, c, &r->e, err);
    if (c->tty)
        fprintf(stderr, "\r\033[K");
    if (rc == 0 && !(r->input = strdup(path)))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    r->label = label;
    if (rc == 0)
        rc = write_panel(c, x, r, err);
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        free(r->e.r[m].map), r->e.r[m].map = NULL;
    free(x);
    if (rc < 0) {
        free(r->input);
        smug_eval_input_clear(&r->e);
        return smug_error_prefix(err, "%s", path);
    }
    c->run->n_unlabelled += label < 0;
    c->run->n_rows++;
    print_input(c->run, r);
    return 0;
}

static int eval_inputs(const cli_args *a, eval_ctx *c, int limit, smug_error *err)
{
    int rc = 0;
    for (int g = 0; rc == 0 && g < c->plan->n_inputs && c->run->n_rows < limit; g++) {
        char **paths;
        int n;
        smug_labels lb;
        if (smug_input_expand_text(c->plan->inputs[g], c->run->text, &paths, &n, err) < 0)
            return -1;
        rc = load_labels(a, c->plan->inputs[g], &lb, err);
        smug_eval_row *rows =
            rc ? NULL : realloc(c->run->rows, (size_t)(c->run->n_seen + n) * sizeof *rows);
        if (rc == 0 && !rows)
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        if (rows)
            c->run->rows = rows;
        c->n = c->run->n_seen + n;
        for (int i = 0; rc == 0 && i < n && c->run->n_rows < limit; i++) {
            c->i = ++c->run->n_seen;
            rc = eval_one(c, paths[i], smug_labels_find(&lb, paths[i]), err);
            if (rc == 0 && smug_interrupted()) /* its solver was stopped as at a deadline */
                rc = smug_fail(err, SMUG_ERR_SOLVER,
                               "interrupted (signal %d): no solver left running; no tables "
                               "written",
                               smug_interrupted());
        }
        smug_labels_clear(&lb);
        smug_input_paths_free(paths, n);
    }
    return rc;
}

/* The tables (eval_write.h); table.md is shown on stdout too. */
static int write_tables(const smug_eval_run *run, const char *dir, smug_error *err)
{
    smug_strbuf md = SMUG_STRBUF_INIT;
    int rc = smug_eval_write(run, dir, &md, err);
    if (md.buf) /* also when a file could not be written */
        fwrite(md.buf, 1, md.len, stdout);
    smug_strbuf_clear(&md);
    if (rc == 0)
        printf("wrote %s/table.md, table.csv, inputs.csv, eval.json, %spanels/\n", dir,
               run->text ? "" : "curves.png, ");
    return rc;
}

static int run_eval(const cli_args *a, smug_error *err)
{
    smug_plan plan;
    smug_net *net = NULL;
    smug_solvers *reg = NULL;
    smug_eval_run run;
    memset(&run, 0, sizeof run);
    eval_ctx c = {NULL, &plan, NULL, &run, isatty(STDERR_FILENO), 0, 0, NULL, {0}};
    const char *limit_s = cli_get(a, "limit");
    char *end = NULL;
    long limit = limit_s ? strtol(limit_s, &end, 10) : 1000000000L;
    if (limit_s && (*end || limit < 1 || limit > 1000000000L))
        return smug_fail(err, SMUG_ERR_USAGE, "--limit must be a whole number >= 1: got '%s'",
                         limit_s);
    int rc = cli_make_plan(a, &plan, "smug-eval", err);
    run.params = &plan.params;
    run.model = plan.model;
    if (rc == 0)
        rc = smug_onnx_load(plan.model, &net, err);
    c.net = net;
    if (rc == 0) /* window 0 ("auto") becomes the model's own, so table.md names it */
        plan.params.window = smug_net_window(net, plan.params.window);
    run.text = net && net->input_is_tokens;
    if (rc == 0 && run.text && cli_get(a, "vocab"))
        rc = smug_plan_set_vocab(&plan, cli_get(a, "vocab"), err);
    if (rc == 0 && run.text)
        rc = smug_names_load(&plan, net, &c.names, err);
    if (rc == 0 && run.text)
        rc = smug_eval_methods_parse_text(cli_get(a, "methods"), run.on, err);
    else if (rc == 0)
        rc = choose_methods(a, net, &run, err);
    if (rc == 0 && run.on[SMUG_EVAL_SMUG])
        rc = load_solver(&plan, &reg, &c.solver, err);
    if (rc == 0)
        rc = smug_fs_mkdirs(plan.out_dir, err);
    if (rc == 0)
        rc = eval_inputs(a, &c, (int)limit, err);
    if (rc == 0)
        rc = write_tables(&run, plan.out_dir, err);
    smug_eval_run_clear(&run);
    smug_names_clear(&c.names);
    smug_net_free(net);
    smug_solvers_free(reg);
    smug_plan_clear(&plan);
    return rc;
}

const cli_command cli_cmd_eval = {
    .name = "eval",
    .summary = "compare smug with baselines by LSC, Win%, sparsity and time (tables, panels)",
    .usage = "[--config F] [--model M.onnx] [--input P]... [--methods LIST] [--limit N]\n"
             "                 [--labels FILE] [--out DIR] [method parameters]",
    .description =
        "Runs every method on each input and scores it by LSC = log(max(0.05, a)) - log(c) (a:\n"
        "area of the box cut from the method's map, c: the target's probability on that crop\n"
        "resized; lower is better). Methods: smug (solver mask, --solver/--timeout),\n"
        "smug_base (all receptive-field cells), ig, grad (|gradient|), gradcam (conv models\n"
        "only: left out with a note on a dense model unless --methods names it, then an\n"
        "error), sis (--sis-threshold), prunegrad (--prune-keep), centerbox, maxbox,\n"
        "optbox (--optbox-grid; a bound, not in Win%). Every method with a map also gets\n"
        "deletion and insertion curves (--curve-steps; AUC in the tables, DIR/curves.png).\n"
        "Labels: --labels FILE or a labels.csv (columns file,label) beside the inputs;\n"
        "misclassified inputs are skipped and counted, unlisted ones are evaluated as\n"
        "unlabelled. Writes DIR/table.md, table.csv (per method: n, LSC mean and sample\n"
        "standard deviation, Win%, sparsity, seconds), inputs.csv (a row per input and\n"
        "method), eval.json and panels/<name>.png (the input and each map, LSC box in cyan).\n"
        "Sparsity: the kept pixel fraction of the method's mask (smug, smug_base, sis), else\n"
        "the area of its LSC box.\n"
        "\n"
        "Text (a token model, .txt inputs read as by smug run): methods smug, smug_base, ig\n"
        "(IG of the embedding output, summed per word; keeps its top words, as many as smug\n"
        "kept on that input) and sis (removed words become pad_id). No LSC, Win% or boxes:\n"
        "per method the sparsity (kept words / words seen), conf_kept (softmax probability\n"
        "of the predicted class on the kept words alone, the rest padded) and conf_removed\n"
        "(on the text without the kept words), mean and sample sd, and time. Panels are\n"
        "panels/<name>.html: the text once per method, kept words highlighted; inputs.csv\n"
        "lists the kept words.",
    .opts = {{"config", "F", 0, "YAML run config (configs/README.md documents every key)"},
             {"model", "M.onnx", 0, "ONNX model (default: the bundled Fashion-MNIST dense net)"},
             {"input", "P", 1, "a PNG/.npy file, or a folder of them (default: a bundled image)"},
             {"out", "DIR", 0, "output folder (default: the config's out, else smug-eval)"},
             {"methods", "LIST", 0,
              "comma-separated: smug,smug_base,ig,grad,gradcam,sis,prunegrad,centerbox,maxbox,"
              "optbox (default all)"},
             {"limit", "N", 0, "evaluate at most N inputs (skipped ones do not count)"},
             {"labels", "FILE", 0,
              "labels CSV (columns file,label; default: labels.csv beside "
              "the inputs)"},
             {"vocab", "F", 0,
              "token models: vocabulary for .txt inputs (default: <model stem>.vocab beside "
              "the model)"},
             {0}},
    .takes_params = 1,
    .max_positional = 0,
    .run = run_eval,
};
