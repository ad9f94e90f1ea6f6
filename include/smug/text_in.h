/* text_in.h — text inputs of token models (run/text_in.c), shared by `smug run` and
 * `smug eval` so both read a .txt the same way: the vocabulary and class names beside a
 * model, and a .txt input tokenised by them with the plan's pad_id/unk_id/truncate.
 *
 * Errors: USAGE (a text input for an image model, no vocabulary), FORMAT (a names file that
 * does not fit the model), IO and NOMEM, each naming the file. Nothing is printed: a text
 * cut to the model's length comes back as a warning for the caller to show.
 */
#ifndef SMUG_TEXT_IN_H
#define SMUG_TEXT_IN_H
#include <stddef.h>

#include "smug/config.h"
#include "smug/net.h"
#include "smug/tokens.h"

/* The vocabulary (token models: the plan's vocab, or <model stem>.vocab when it exists;
 * NULL when neither) and the class names (<model stem>.labels when it exists); both must fit
 * the model (embedding rows, classes). Free with smug_names_clear (also after a failure). */
typedef struct smug_names {
    smug_vocab *vocab;
    smug_vocab *labels;
} smug_names;
int smug_names_load(const smug_plan *plan, const smug_net *net, smug_names *out, smug_error *err);
void smug_names_clear(smug_names *n);

/* Class name of cls, or NULL without a .labels file. */
const char *smug_class_name(const smug_names *n, int cls);

/* The tokeniser's options for the model's input length and the plan's parameters. */
smug_tokens_opts smug_token_opts(const smug_net *net, const smug_params *p);

/* A .txt input: tokenised by the vocabulary with the plan's pad/unk/truncate. A text longer
 * than the model reads is cut (truncate: true; else an error) and warning[0 .. n) says so
 * (empty otherwise). *out (smug_tokens_clear) and *out_x [L ids] are the caller's. */
int smug_text_load(const smug_plan *plan, const smug_net *net, const smug_vocab *vocab,
                   const char *input, smug_tokens *out, float **out_x, char *warning, size_t n,
                   smug_error *err);

#endif
