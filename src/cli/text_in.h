/* text_in.h — text inputs of token models (text_in.c), shared by `smug run` and `smug eval`:
 * the vocabulary and class names beside a model, and a .txt input tokenised by them.
 * Internal to the smug binary. */
#ifndef SMUG_CLI_TEXT_IN_H
#define SMUG_CLI_TEXT_IN_H
#include "cli.h"
#include "smug/net.h"
#include "smug/tokens.h"

struct smug_plan;

int cli_ends_with(const char *s, const char *suffix);

/* The vocabulary (token models: --vocab/the plan's vocab, or <model stem>.vocab when it
 * exists; NULL when neither) and the class names (<model stem>.labels when it exists); both
 * must fit the model (embedding rows, classes). Free with cli_names_clear (also after a
 * failure). */
typedef struct cli_names {
    smug_vocab *vocab;
    smug_vocab *labels;
} cli_names;
int cli_load_names(const struct smug_plan *plan, const smug_net *net, cli_names *out,
                   smug_error *err);
void cli_names_clear(cli_names *n);
/* Class name of cls, or NULL without a .labels file. */
const char *cli_class_name(const cli_names *n, int cls);
smug_tokens_opts cli_token_opts(const smug_net *net, const smug_params *p);
/* A .txt input: tokenised by the vocabulary with the plan's pad/unk/truncate; a longer text
 * than the model reads is cut with a warning on stderr (truncate: true) or refused. *out
 * (smug_tokens_clear) and *out_x [L ids] are the caller's. */
int cli_load_text(const struct smug_plan *plan, const smug_net *net, const smug_vocab *vocab,
                  const char *input, smug_tokens *out, float **out_x, smug_error *err);

#endif
