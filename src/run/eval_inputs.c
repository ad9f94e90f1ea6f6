/* eval_inputs.c — `smug eval` over the inputs of a plan (eval_inputs.h): labels, the
 * skipped misclassified inputs, each input through the one driver (evaluate.c), its panel
 * and its row for the writer (eval_write.c).
 *
 * It prints nothing: the command's console callbacks show progress, a line per input and
 * the skipped ones. It does not load the model, the solver or the plan; the command does.
 */
#include "smug/eval_inputs.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "smug/forward.h"
#include "smug/fsutil.h"
#include "smug/gradcam.h"
#include "smug/input.h"
#include "smug/interrupt.h"
#include "smug/labels.h"
#include "smug/panel.h"
#include "smug/textview.h"

/* The run and where it is: input i of about n. */
typedef struct state {
    smug_eval_ctx *cx; /* the caller's run */
    int i, n;
    const char *input;
} state;

static void progress(const state *s, int method)
{
    if (s->cx->on_method)
        s->cx->on_method(s->cx, s->i, s->n, s->input, method);
}

static void method_started(void *arg, int method)
{
    progress(arg, method);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int smug_eval_methods_choose(const char *list, const smug_net *net, smug_eval_run *run,
                             smug_error *err)
{
    if (net->input_is_tokens)
        return smug_eval_methods_parse_text(list, run->on, err);
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
    return 0;
}

/* Labels for the inputs of plan entry `path`: labels_path, else labels.csv in the folder (a
 * folder input) or beside the file; none is fine (every input then counts as unlabelled). */
static int load_labels(const char *labels_path, const char *path, smug_labels *out, smug_error *err)
{
    memset(out, 0, sizeof *out);
    if (labels_path)
        return smug_labels_load(labels_path, out, err);
    char buf[4096], csv[4200];
    snprintf(buf, sizeof buf, "%s", path);
    struct stat st;
    int is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    snprintf(csv, sizeof csv, "%s/labels.csv", is_dir ? buf : dirname(buf));
    return smug_fs_exists(csv) ? smug_labels_load(csv, out, err) : 0;
}

/* panels/<file name>.png: the input and each method's map, its LSC box. */
static int write_panel(const state *c, const float *x, smug_eval_row *r, smug_error *err)
{
    const smug_params *p = &c->cx->plan->params;
    smug_image_src src = {x, 0, r->e.h, r->e.w, p->pixel_min, p->pixel_max};
    src.c = (int)(smug_shape_size(&c->cx->net->input) / ((size_t)r->e.h * (size_t)r->e.w));
    smug_panel_tile t[SMUG_EVAL_N_METHODS + 1] = {{"input", NULL, NULL}};
    int n = 1;
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
        if (c->cx->run->on[m])
            t[n++] = (smug_panel_tile){smug_eval_method_name(m), r->e.r[m].map,
                                       r->e.r[m].ok ? &r->e.r[m].lsc.box : NULL};
    /* panels/<file name>.png, the ".png" of a PNG input dropped (x.npy → x.npy.png) */
    char dir[2048], path[4200];
    snprintf(dir, sizeof dir, "%s/panels", c->cx->plan->out_dir);
    const char *base = strrchr(r->input, '/') ? strrchr(r->input, '/') + 1 : r->input;
    size_t len = strlen(base);
    int png = len > 4 && strcmp(base + len - 4, ".png") == 0;
    snprintf(path, sizeof path, "%s/%.*s.png", dir, (int)(png ? len - 4 : len), base);
    if (smug_fs_mkdirs(dir, err) < 0)
        return -1;
    return smug_panel_write(path, &src, t, n, err);
}

/* A labelled input the model gets wrong: counted and skipped (1), else 0. */
static int misclassified(state *c, const char *path, const float *x, int label, smug_error *err)
{
    float *logits = malloc((size_t)c->cx->net->n_classes * sizeof *logits);
    if (!logits)
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    int rc = smug_net_eval(c->cx->net, x, logits, NULL, err),
        got = smug_argmax(logits, c->cx->net->n_classes);
    free(logits);
    if (rc < 0 || label < 0 || got == label)
        return rc;
    c->cx->run->n_misclassified++;
    if (c->cx->on_skip)
        c->cx->on_skip(c->cx, path, label, got);
    return 1;
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
static int write_text_panel(const state *c, const smug_tokens *tk, const smug_eval_row *r,
                            smug_error *err)
{
    smug_textview_section s[SMUG_EVAL_N_METHODS];
    char cap[SMUG_EVAL_N_METHODS][400], intro[300], dir[2048], path[4200];
    int n = 0;
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++) {
        const smug_eval_result *e = &r->e.r[m];
        if (!c->cx->run->on[m])
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
    const char *name = smug_class_name(c->cx->names, r->e.predicted);
    snprintf(intro, sizeof intro, "predicted %s%s%d (p = %.3f); label %d; %d words seen",
             name ? name : "", name ? " = class " : "class ", r->e.predicted, r->e.confidence,
             r->label, r->e.n_seen);
    snprintf(dir, sizeof dir, "%s/panels", c->cx->plan->out_dir);
    const char *base = strrchr(r->input, '/') ? strrchr(r->input, '/') + 1 : r->input;
    size_t len = strlen(base);
    int txt = ends_with(base, ".txt");
    snprintf(path, sizeof path, "%s/%.*s.html", dir, (int)(txt ? len - 4 : len), base);
    if (smug_fs_mkdirs(dir, err) < 0)
        return -1;
    return smug_textview_panel(path, base, intro, s, n, err);
}

/* x of one input: an image's pixels, or a text's token ids with its tokens in *tk. */
static int load(const state *c, const char *path, smug_tokens *tk, float **x, smug_error *err)
{
    const smug_eval_ctx *cx = c->cx;
    if (!cx->run->text) {
        const smug_params *p = &cx->plan->params;
        return smug_input_load(path, &cx->net->input, p->pixel_min, p->pixel_max, x, err);
    }
    char warning[600];
    if (smug_text_load(cx->plan, cx->net, cx->names->vocab, path, tk, x, warning, sizeof warning,
                       err) < 0)
        return -1;
    if (warning[0] && cx->on_warning)
        cx->on_warning(cx, warning);
    return 0;
}

/* One input: skipped when labelled and misclassified, else every method, its panel (and a
 * text's kept words) and its row. */
static int eval_one(state *c, const char *path, int label, smug_error *err)
{
    smug_eval_ctx *cx = c->cx;
    int text = cx->run->text;
    if (text && !ends_with(path, ".txt"))
        return smug_fail(err, SMUG_ERR_USAGE, "%s: smug eval on a token model takes .txt inputs",
                         path);
    smug_tokens tk;
    memset(&tk, 0, sizeof tk);
    float *x = NULL;
    int rc = load(c, path, &tk, &x, err);
    if (rc == 0)
        rc = misclassified(c, path, x, label, err);
    if (rc != 0) {
        smug_tokens_clear(&tk), free(x);
        return rc < 0 ? smug_error_prefix(err, "%s", path) : 0;
    }
    smug_eval_row *r = &cx->run->rows[cx->run->n_rows];
    memset(r, 0, sizeof *r);
    c->input = path;
    rc = smug_evaluate(cx->net, x, &cx->plan->params, cx->solver, cx->run->on, method_started, c,
                       &r->e, err);
    progress(c, -1);
    if (rc == 0 && !(r->input = strdup(path)))
        rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    r->label = label;
    if (rc == 0 && text)
        rc = kept_words(cx->run, &tk, r, err);
    if (rc == 0)
        rc = text ? write_text_panel(c, &tk, r, err) : write_panel(c, x, r, err);
    for (int m = 0; m < SMUG_EVAL_N_METHODS; m++) { /* the numbers and curves stay */
        smug_eval_result *e = &r->e.r[m];
        free(e->map), free(e->kept), free(e->score);
        e->map = NULL, e->kept = NULL, e->score = NULL;
    }
    smug_tokens_clear(&tk), free(x);
    if (rc < 0) {
        free(r->input);
        for (int m = 0; m < SMUG_EVAL_N_METHODS; m++)
            free(r->words[m]);
        smug_eval_input_clear(&r->e);
        return smug_error_prefix(err, "%s", path);
    }
    cx->run->n_unlabelled += label < 0;
    cx->run->n_rows++;
    if (cx->on_input)
        cx->on_input(cx, r);
    return 0;
}

int smug_eval_inputs(smug_eval_ctx *cx, smug_error *err)
{
    state st = {cx, 0, 0, NULL}, *c = &st;
    int limit = cx->limit;
    int rc = 0;
    for (int g = 0; rc == 0 && g < c->cx->plan->n_inputs && c->cx->run->n_rows < limit; g++) {
        char **paths;
        int n;
        smug_labels lb;
        if (smug_input_expand_text(c->cx->plan->inputs[g], c->cx->run->text, &paths, &n, err) < 0)
            return -1;
        rc = load_labels(cx->labels_path, c->cx->plan->inputs[g], &lb, err);
        smug_eval_row *rows =
            rc ? NULL : realloc(c->cx->run->rows, (size_t)(c->cx->run->n_seen + n) * sizeof *rows);
        if (rc == 0 && !rows)
            rc = smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
        if (rows)
            c->cx->run->rows = rows;
        c->n = c->cx->run->n_seen + n;
        for (int i = 0; rc == 0 && i < n && c->cx->run->n_rows < limit; i++) {
            c->i = ++c->cx->run->n_seen;
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
