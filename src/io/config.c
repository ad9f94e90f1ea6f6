/* config.c — YAML run config → smug_plan (design §1: "config.yaml ─► plan").
 *
 * The config names the model, the inputs and the output folder, and sets method parameters
 * under `params:`. Parameters are not re-described here: each `params:` entry goes through
 * smug_params_set with "file:line" as its context, so names, ranges and messages come from
 * params.def alone. Relative paths are anchored at the config's folder, so a config works
 * from any working directory. Command-line overrides are the caller's (config.h).
 */
#include "smug/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/fsutil.h"
#include "smug/yaml.h"
#include "smug/yaml_schema.h"

static const char *const top_keys[] = {"model", "inputs", "out", "vocab", "params", NULL};

void smug_plan_init(smug_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    smug_params_defaults(&plan->params);
}

static void free_inputs(smug_plan *plan)
{
    for (int i = 0; i < plan->n_inputs; i++)
        free(plan->inputs[i]);
    free(plan->inputs);
    plan->inputs = NULL;
    plan->n_inputs = 0;
}

void smug_plan_clear(smug_plan *plan)
{
    free_inputs(plan);
    free(plan->config);
    free(plan->model);
    free(plan->out_dir);
    free(plan->vocab);
    smug_plan_init(plan);
}

static int replace(char **field, const char *path, smug_error *err)
{
    char *copy = NULL;
    if (path && smug_check_alloc(copy = strdup(path), err) < 0)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

int smug_plan_set_model(smug_plan *plan, const char *path, smug_error *err)
{
    return replace(&plan->model, path, err);
}

int smug_plan_set_out_dir(smug_plan *plan, const char *path, smug_error *err)
{
    return replace(&plan->out_dir, path, err);
}

int smug_plan_set_vocab(smug_plan *plan, const char *path, smug_error *err)
{
    return replace(&plan->vocab, path, err);
}

int smug_plan_set_inputs(smug_plan *plan, const char *const *paths, int n, smug_error *err)
{
    char **v = calloc(n > 0 ? (size_t)n : 1, sizeof *v);
    if (!v)
        return smug_check_alloc(NULL, err);
    for (int i = 0; i < n; i++)
        if (!(v[i] = strdup(paths[i]))) {
            while (i-- > 0)
                free(v[i]);
            free(v);
            return smug_check_alloc(NULL, err);
        }
    free_inputs(plan);
    plan->inputs = v;
    plan->n_inputs = n;
    return 0;
}

/* `p` relative to the config's folder: "cfg/dir/" + p, unless p is absolute or the config
 * path has no folder part. No canonicalisation: the output folder need not exist yet. */
static char *resolve(const char *config_path, const char *p)
{
    const char *slash = strrchr(config_path, '/');
    if (p[0] == '/' || !slash)
        return strdup(p);
    size_t dir = (size_t)(slash - config_path) + 1, n = strlen(p);
    char *out = malloc(dir + n + 1);
    if (out) {
        memcpy(out, config_path, dir);
        memcpy(out + dir, p, n + 1);
    }
    return out;
}

static int read_path(const smug_yaml *doc, const smug_yaml_node *n, const char *key, char **out,
                     smug_error *err)
{
    const char *text;
    if (smug_yaml_want_text(doc, n, key, &text, err) < 0)
        return -1;
    free(*out);
    return smug_check_alloc(*out = resolve(smug_yaml_name(doc), text), err);
}

/* `inputs:` is a list of paths; one path on its own is accepted as a list of one. */
static int read_inputs(const smug_yaml *doc, const smug_yaml_node *n, smug_plan *plan,
                       smug_error *err)
{
    if (smug_yaml_node_kind(n) == SMUG_YAML_SCALAR) {
        char *one = NULL;
        if (read_path(doc, n, "inputs", &one, err) < 0)
            return -1;
        const char *v[] = {one};
        int rc = smug_plan_set_inputs(plan, v, 1, err);
        free(one);
        return rc;
    }
    char **items;
    size_t count;
    if (smug_yaml_want_strv(doc, n, "inputs", &items, &count, err) < 0)
        return -1;
    int rc = count ? 0 : smug_yaml_fail(doc, n, err, "inputs is an empty list");
    for (size_t i = 0; rc == 0 && i < count; i++) {
        char *abs = resolve(smug_yaml_name(doc), items[i]);
        rc = smug_check_alloc(abs, err);
        free(items[i]);
        items[i] = abs;
    }
    if (rc == 0)
        rc = smug_plan_set_inputs(plan, (const char *const *)items, (int)count, err);
    smug_yaml_strv_free(items);
    return rc;
}

/* Every `params:` entry through smug_params_set, so params.def alone decides. */
static int read_params(const smug_yaml *doc, const smug_yaml_node *map, smug_params *p,
                       smug_error *err)
{
    if (smug_yaml_scalar_plain(map) && !smug_yaml_scalar(map)[0])
        return 0; /* "params:" with every entry commented out */
    if (smug_yaml_node_kind(map) != SMUG_YAML_MAPPING)
        return smug_yaml_fail(doc, map, err, "params must be a mapping (top_k: 8, …), not a %s",
                              smug_yaml_kind_name(smug_yaml_node_kind(map)));
    for (size_t i = 0; i < smug_yaml_size(map); i++) {
        const char *key = smug_yaml_entry_key(map, i), *text;
        const smug_yaml_node *value = smug_yaml_entry_value(map, i);
        const smug_yaml_node *at =
            smug_params_known(key) ? value : smug_yaml_entry_key_node(map, i);
        char where[1100];
        snprintf(where, sizeof where, "%s:%d", smug_yaml_name(doc), smug_yaml_node_line(at));
        if (!smug_params_known(key)) {
            smug_params_set(p, key, "", where, err); /* the "did you mean" message */
            err->code = SMUG_ERR_FORMAT;
            return -1;
        }
        if (smug_yaml_want_text(doc, value, key, &text, err) < 0)
            return -1;
        if (smug_params_set(p, key, text, where, err) < 0) {
            err->code = SMUG_ERR_FORMAT; /* like every other config error: the file is wrong */
            return -1;
        }
    }
    return 0;
}

/* A method parameter at the top level gets a hint instead of a bare "unknown key". */
static int check_top_keys(const smug_yaml *doc, const smug_yaml_node *root, smug_error *err)
{
    for (size_t i = 0; i < smug_yaml_size(root); i++) {
        const char *key = smug_yaml_entry_key(root, i);
        int known = 0;
        for (size_t k = 0; top_keys[k]; k++)
            known |= strcmp(key, top_keys[k]) == 0;
        if (!known && smug_params_known(key))
            return smug_yaml_fail(doc, smug_yaml_entry_key_node(root, i), err,
                                  "'%s' is a method parameter: put it under params:", key);
    }
    return smug_yaml_check_keys(doc, root, top_keys, err);
}

static int read_plan(const smug_yaml *doc, smug_plan *plan, smug_error *err)
{
    const smug_yaml_node *root = smug_yaml_root(doc), *n;
    if (!root || smug_yaml_node_kind(root) != SMUG_YAML_MAPPING)
        return smug_yaml_fail(doc, root, err,
                              "a config is a mapping of keys (model: …, inputs: …, out: …, "
                              "params: …); see configs/README.md");
    if (check_top_keys(doc, root, err) < 0)
        return -1;
    if ((n = smug_yaml_get(root, "model")) && read_path(doc, n, "model", &plan->model, err) < 0)
        return -1;
    if ((n = smug_yaml_get(root, "inputs")) && read_inputs(doc, n, plan, err) < 0)
        return -1;
    if ((n = smug_yaml_get(root, "out")) && read_path(doc, n, "out", &plan->out_dir, err) < 0)
        return -1;
    if ((n = smug_yaml_get(root, "vocab")) && read_path(doc, n, "vocab", &plan->vocab, err) < 0)
        return -1;
    if ((n = smug_yaml_get(root, "params")) && read_params(doc, n, &plan->params, err) < 0)
        return -1;
    return smug_check_alloc(plan->config = strdup(smug_yaml_name(doc)), err);
}

int smug_config_load_buffer(const void *data, size_t len, const char *path, smug_plan *out,
                            smug_error *err)
{
    smug_plan_init(out);
    smug_yaml *doc;
    if (smug_yaml_load_buffer(data, len, path, &doc, err) < 0)
        return -1;
    int rc = read_plan(doc, out, err);
    smug_yaml_free(doc);
    if (rc < 0)
        smug_plan_clear(out);
    return rc;
}

int smug_config_load(const char *path, smug_plan *out, smug_error *err)
{
    unsigned char *data;
    size_t len;
    smug_plan_init(out);
    if (smug_fs_read_all(path, &data, &len, err) < 0)
        return -1;
    int rc = smug_config_load_buffer(data, len, path, out, err);
    free(data);
    return rc;
}
