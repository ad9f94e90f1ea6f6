/* text_in.c — text inputs of token models (text_in.h), shared by `smug run` and `smug eval`
 * so both read a .txt the same way: the vocabulary and class names found beside the model,
 * tokenising with the plan's pad_id/unk_id/truncate, and the words of the warning for a
 * text cut to the model's length (the caller shows it; the library never prints).
 */
#include "smug/text_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/fsutil.h"
#include "smug/input.h"

/* <model path without its extension><ext>, e.g. models/debian_text.vocab */
static void beside_model(const char *model, const char *ext, char *buf, size_t n)
{
    const char *slash = strrchr(model, '/'), *dot = strrchr(model, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - model) : strlen(model);
    snprintf(buf, n, "%.*s%s", (int)stem, model, ext);
}

int smug_names_load(const smug_plan *plan, const smug_net *net, smug_names *out, smug_error *err)
{
    char path[4096];
    memset(out, 0, sizeof *out);
    beside_model(plan->model, ".labels", path, sizeof path);
    if (smug_fs_exists(path)) {
        if (smug_vocab_load(path, -1, &out->labels, err) < 0)
            return -1;
        if (smug_vocab_size(out->labels) != net->n_classes)
            return smug_fail(err, SMUG_ERR_FORMAT,
                             "%s: %d class names, but the model has %d classes", path,
                             smug_vocab_size(out->labels), net->n_classes);
    }
    if (!net->input_is_tokens)
        return 0;
    if (plan->vocab)
        snprintf(path, sizeof path, "%s", plan->vocab);
    else
        beside_model(plan->model, ".vocab", path, sizeof path);
    if (!plan->vocab && !smug_fs_exists(path))
        return 0; /* .npy ids still work; a .txt input says what is missing */
    return smug_vocab_load(path, smug_net_vocab_size(net), &out->vocab, err);
}

void smug_names_clear(smug_names *n)
{
    smug_vocab_free(n->vocab);
    smug_vocab_free(n->labels);
    memset(n, 0, sizeof *n);
}

const char *smug_class_name(const smug_names *n, int cls)
{
    return n->labels ? smug_vocab_word(n->labels, cls) : NULL;
}

smug_tokens_opts smug_token_opts(const smug_net *net, const smug_params *p)
{
    smug_tokens_opts o = {(int)smug_shape_size(&net->input), p->pad_id, p->unk_id, p->truncate};
    return o;
}

int smug_text_load(const smug_plan *plan, const smug_net *net, const smug_vocab *vocab,
                   const char *input, smug_tokens *out, float **out_x, char *warning, size_t n,
                   smug_error *err)
{
    if (n)
        warning[0] = '\0';
    if (!net->input_is_tokens)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "%s: a text input needs a token model; %s reads "
                         "images",
                         input, plan->model);
    if (!vocab)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "%s: no vocabulary for %s: give --vocab FILE (or "
                         "vocab: in the config)",
                         input, plan->model);
    smug_tokens_opts o = smug_token_opts(net, &plan->params);
    if (smug_tokens_load_text(input, vocab, &o, out, err) < 0)
        return -1;
    if (out->n_dropped)
        snprintf(warning, n,
                 "%s: %d tokens, the model reads %d: the last %d are not seen (truncate: false "
                 "makes this an error)",
                 input, out->n + out->n_dropped, o.max_len, out->n_dropped);
    size_t L = (size_t)o.max_len;
    if (!(*out_x = malloc(L * sizeof **out_x)))
        return smug_fail(err, SMUG_ERR_NOMEM, "out of memory");
    memcpy(*out_x, out->ids, L * sizeof **out_x);
    return 0;
}
