/* config.h — a YAML run config → a smug_plan (design §1; every key in configs/README.md).
 *
 *     model: ../models/fashion_fc.onnx     # relative paths are resolved against the
 *     inputs: [../data/fashion/0000_ankle_boot.png, ../data/fashion]   # config's folder
 *     out: ../smug-out/fashion_fc
 *     vocab: ../models/debian_text.vocab  # token models only; default <model stem>.vocab
 *     params: {top_k: 8, gamma: 0.5, solver: z3}   # any params.def name
 *
 * Precedence is default < config < command-line flag. smug_config_load starts from the
 * params.def defaults and applies the config; the caller then applies its flags on top with
 * smug_params_set(&plan.params, …) and replaces model/inputs/out when given on the command
 * line (smug_plan_set_model etc. keep ownership simple).
 *
 * Errors name file:line and the key: unknown keys ("did you mean"), wrong kinds (a list where
 * one value belongs), empty values, and every params.def check ("cfg.yaml:7: gamma must be
 * in [0, 1]: got 1.5").
 */
#ifndef SMUG_CONFIG_H
#define SMUG_CONFIG_H

#include <stddef.h>

#include "smug/error.h"
#include "smug/params.h"

typedef struct smug_plan {
    char *config;  /* the config file's path as given; NULL when there was none */
    char *model;   /* ONNX path; NULL when the config names none */
    char **inputs; /* n_inputs paths (files or folders), in config order */
    int n_inputs;  /* 0 when the config names none */
    char *out_dir; /* NULL when the config names none */
    char *vocab;   /* token models: vocabulary file for .txt inputs; NULL when none named */
    smug_params params;
} smug_plan;

/* An empty plan: no paths, default params. Safe to smug_plan_clear. */
void smug_plan_init(smug_plan *plan);

/* smug_plan_init, then the config at `path`. On failure *out is left empty (freed). The
 * plan owns its strings: smug_plan_clear. */
int smug_config_load(const char *path, smug_plan *out, smug_error *err);

/* The same from a buffer; `path` names it in messages and anchors relative paths. */
int smug_config_load_buffer(const void *data, size_t len, const char *path, smug_plan *out,
                            smug_error *err);

/* Replace a path (copied; NULL clears it), e.g. from --model / --out. */
int smug_plan_set_model(smug_plan *plan, const char *path, smug_error *err);
int smug_plan_set_out_dir(smug_plan *plan, const char *path, smug_error *err);
int smug_plan_set_vocab(smug_plan *plan, const char *path, smug_error *err);

/* Replace all inputs with n copies of paths[] (e.g. the --input flags). */
int smug_plan_set_inputs(smug_plan *plan, const char *const *paths, int n, smug_error *err);

void smug_plan_clear(smug_plan *plan);

#endif
