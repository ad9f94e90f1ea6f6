/* solver_schema.c — one solvers/<name>.yaml file → a smug_solver description (registry.h).
 *
 * Files are checked strictly (unknown keys, placeholders a key cannot use, a default strategy
 * the solver lacks the capability for) because a typo here would otherwise surface much later
 * as a confusing solver error. This file reads and checks one description; the folder of them
 * is registry.c, and turning a description into an argv or a version is solver_run.c.
 */
#include "smug/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>

#include "smug/fsutil.h"
#include "smug/params.h"
#include "smug/suggest.h"
#include "smug/yaml.h"
#include "smug/yaml_schema.h"
#include "solver_internal.h"

static const char *const top_keys[] = {"name",
                                       "executable",
                                       "format",
                                       "args",
                                       "incremental_args",
                                       "stdin_args",
                                       "file_args",
                                       "time_limit",
                                       "memory_limit",
                                       "trailing_args",
                                       "stop_signal",
                                       "version_args",
                                       "capabilities",
                                       "default_strategy",
                                       "model_args",
                                       NULL};
static const char *const required_keys[] = {"name",         "executable",       "version_args",
                                            "capabilities", "default_strategy", NULL};
static const char *const capability_keys[] = {"optimize", "incremental", "get_value", NULL};

/* The words a key may take and what they mean; NULL-terminated. */
typedef struct choice {
    const char *name;
    int value;
} choice;

static const choice formats[] = {{"smtlib2", SMUG_SOLVER_SMTLIB2}, {"lp", SMUG_SOLVER_LP}, {0}};
static const choice signals[] = {
    {"SIGINT", SIGINT},   {"SIGTERM", SIGTERM}, {"SIGKILL", SIGKILL}, {"SIGHUP", SIGHUP},
    {"SIGQUIT", SIGQUIT}, {"SIGUSR1", SIGUSR1}, {"SIGUSR2", SIGUSR2}, {0}};

const char *smug_solver_signal_name(int sig)
{
    for (size_t i = 0; signals[i].name; i++)
        if (signals[i].value == sig)
            return signals[i].name;
    return "?";
}

/* ---- templates -------------------------------------------------------------------------- */

/* 1 if the placeholder ph (len bytes, "{ms}") is one of the space-separated `allowed`. */
static int placeholder_allowed(const char *allowed, const char *ph, size_t len)
{
    for (const char *a = allowed; *a; a += strcspn(a, " "), a += *a == ' ') {
        size_t n = strcspn(a, " ");
        if (n == len && strncmp(a, ph, len) == 0)
            return 1;
    }
    return 0;
}

/* Checks every placeholder of the sequence `n` (the template list of `key`) against
 * `allowed`; counts the elements that hold one into *out_used. */
static int check_placeholders(const smug_yaml *doc, const smug_yaml_node *n, const char *key,
                              const char *allowed, int *out_used, smug_error *err)
{
    *out_used = 0;
    for (size_t i = 0; i < smug_yaml_size(n); i++) {
        const smug_yaml_node *item = smug_yaml_item(n, i);
        const char *t = smug_yaml_scalar(item);
        int used = 0;
        for (size_t k = 0; t[k]; k++) {
            size_t len = smug_solver_placeholder_len(t + k);
            if (!len)
                continue;
            if (!placeholder_allowed(allowed, t + k, len))
                return smug_yaml_fail(doc, item, err, "%s: unknown placeholder '%.*s' (%s%s)", key,
                                      (int)len, t + k, *allowed ? "allowed: " : "none allowed",
                                      allowed);
            used = 1;
            k += len - 1;
        }
        *out_used += used;
    }
    return 0;
}

/* One template list: `key` absent leaves *out NULL; present, it must be a list whose
 * placeholders are in `allowed` (and, with need_placeholder, not empty of them). */
static int read_templates(const smug_yaml *doc, const smug_yaml_node *map, const char *key,
                          const char *allowed, int need_placeholder, char ***out, smug_error *err)
{
    const smug_yaml_node *n = smug_yaml_get(map, key);
    if (!n)
        return 0;
    int used = 0;
    if (smug_yaml_want_strv(doc, n, key, out, NULL, err) < 0 ||
        check_placeholders(doc, n, key, allowed, &used, err) < 0)
        return -1;
    if (need_placeholder && smug_yaml_size(n) > 0 && used == 0)
        return smug_yaml_fail(doc, n, err, "%s: no element holds %s%s", key,
                              strchr(allowed, ' ') ? "one of " : "", allowed);
    return 0;
}

/* ---- one file --------------------------------------------------------------------------- */

static int read_name(const smug_yaml *doc, const smug_yaml_node *map, const char *path,
                     smug_solver *s, smug_error *err)
{
    const smug_yaml_node *n = smug_yaml_get(map, "name");
    const char *text;
    if (smug_yaml_want_text(doc, n, "name", &text, err) < 0)
        return -1;
    for (const char *c = text; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
            return smug_yaml_fail(
                doc, n, err, "name '%s' may only hold letters, digits, '.', '_' and '-'", text);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t stem = strrchr(base, '.') ? (size_t)(strrchr(base, '.') - base) : strlen(base);
    if (strlen(text) != stem || strncmp(text, base, stem) != 0)
        return smug_yaml_fail(doc, n, err, "name '%s' must match the file name '%s'", text, base);
    return smug_check_alloc(s->name = strdup(text), err);
}

static int read_executable(const smug_yaml *doc, const smug_yaml_node *map, smug_solver *s,
                           smug_error *err)
{
    const smug_yaml_node *n = smug_yaml_get(map, "executable");
    const char *text;
    if (smug_yaml_want_text(doc, n, "executable", &text, err) < 0)
        return -1;
    if (strchr(text, '/') && text[0] != '/')
        return smug_yaml_fail(
            doc, n, err, "executable '%s' must be a name found on PATH or an absolute path", text);
    return smug_check_alloc(s->executable = strdup(text), err);
}

/* An optional key whose value is one of `c`; *out keeps its default when the key is absent. */
static int read_choice(const smug_yaml *doc, const smug_yaml_node *map, const char *key,
                       const choice *c, int *out, smug_error *err)
{
    const smug_yaml_node *n = smug_yaml_get(map, key);
    const char *text;
    if (!n)
        return 0;
    if (smug_yaml_want_text(doc, n, key, &text, err) < 0)
        return -1;
    char list[256] = "";
    for (size_t i = 0; c[i].name; i++) {
        if (strcmp(c[i].name, text) == 0) {
            *out = c[i].value;
            return 0;
        }
        size_t at = strlen(list);
        snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", c[i].name);
    }
    return smug_yaml_fail(doc, n, err, "%s must be one of %s: got '%s'", key, list, text);
}

static int read_capabilities(const smug_yaml *doc, const smug_yaml_node *map, smug_solver *s,
                             smug_error *err)
{
    const smug_yaml_node *n = smug_yaml_get(map, "capabilities");
    if (smug_yaml_node_kind(n) != SMUG_YAML_MAPPING)
        return smug_yaml_fail(doc, n, err, "capabilities must be a mapping (optimize: true, …)");
    if (smug_yaml_check_keys(doc, n, capability_keys, err) < 0)
        return -1;
    int *fields[] = {&s->optimize, &s->incremental, &s->get_value};
    for (size_t i = 0; capability_keys[i]; i++) {
        const smug_yaml_node *v = smug_yaml_get(n, capability_keys[i]);
        if (!v)
            return smug_yaml_fail(doc, n, err, "capabilities: missing required key '%s'",
                                  capability_keys[i]);
        if (smug_yaml_want_bool(doc, v, capability_keys[i], fields[i], err) < 0)
            return -1;
    }
    return 0;
}

/* The strategy names come from params.def, so a strategy added there is valid here too. */
static int read_strategy(const smug_yaml *doc, const smug_yaml_node *map, smug_solver *s,
                         smug_error *err)
{
    const smug_yaml_node *n = smug_yaml_get(map, "default_strategy");
    const char *text;
    if (smug_yaml_want_text(doc, n, "default_strategy", &text, err) < 0)
        return -1;
    char choices[256] = "", name[64];
    for (int i = 1; strcmp(smug_params_enum_name("strategy", i, name, sizeof name), "?"); i++) {
        if (strcmp(name, text) == 0) {
            s->default_strategy = i;
            return 0;
        }
        size_t at = strlen(choices);
        snprintf(choices + at, sizeof choices - at, "%s%s", at ? "|" : "", name);
    }
    return smug_yaml_fail(doc, n, err, "default_strategy must be one of %s: got '%s'", choices,
                          text);
}

/* Cross-key rules: what the strategy or capability claims must be reachable. */
static int check_consistency(const smug_yaml *doc, const smug_yaml_node *map, const smug_solver *s,
                             smug_error *err)
{
    char name[64];
    const char *strategy =
        smug_params_enum_name("strategy", s->default_strategy, name, sizeof name);
    const smug_yaml_node *at = smug_yaml_get(map, "default_strategy");
    if (!s->stdin_args && !s->file_args)
        return smug_yaml_fail(doc, NULL, err,
                              "needs stdin_args or file_args (how the solver reads a problem)");
    if (strcmp(strategy, "optimize") == 0 && !s->optimize)
        return smug_yaml_fail(doc, at, err,
                              "default_strategy optimize needs capabilities: optimize: true");
    if (strcmp(strategy, "incremental") == 0 && !s->incremental)
        return smug_yaml_fail(doc, at, err,
                              "default_strategy incremental needs capabilities: incremental: true");
    if (s->incremental && !s->stdin_args)
        return smug_yaml_fail(doc, smug_yaml_get(map, "capabilities"), err,
                              "incremental: true needs stdin_args (a session talks over a pipe)");
    return 0;
}

static int read_all_templates(const smug_yaml *doc, const smug_yaml_node *map, smug_solver *s,
                              smug_error *err)
{
    static const struct {
        const char *key, *allowed;
        int need, optional_vector; /* optional_vector: absent means "cannot" (NULL) */
        size_t offset;
    } t[] = {
        {"args", "", 0, 0, offsetof(smug_solver, args)},
        {"incremental_args", "", 0, 0, offsetof(smug_solver, incremental_args)},
        {"stdin_args", "", 0, 1, offsetof(smug_solver, stdin_args)},
        {"file_args", "{file}", 1, 1, offsetof(smug_solver, file_args)},
        {"time_limit", "{ms} {s}", 1, 0, offsetof(smug_solver, time_limit)},
        {"memory_limit", "{mb}", 1, 0, offsetof(smug_solver, memory_limit)},
        {"trailing_args", "", 0, 0, offsetof(smug_solver, trailing_args)},
        {"model_args", "", 0, 1, offsetof(smug_solver, model_args)},
        {"version_args", "", 0, 0, offsetof(smug_solver, version_args)},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        char ***field = (char ***)((char *)s + t[i].offset);
        if (read_templates(doc, map, t[i].key, t[i].allowed, t[i].need, field, err) < 0)
            return -1;
        if (!*field && !t[i].optional_vector && !(*field = calloc(1, sizeof **field)))
            return smug_check_alloc(NULL, err);
    }
    if (s->file_args && !s->file_args[0])
        return smug_yaml_fail(doc, smug_yaml_get(map, "file_args"), err,
                              "file_args: no element holds {file}");
    return 0;
}

static int read_solver(const smug_yaml *doc, const char *path, smug_solver *s, smug_error *err)
{
    const smug_yaml_node *map = smug_yaml_root(doc);
    if (!map || smug_yaml_node_kind(map) != SMUG_YAML_MAPPING)
        return smug_yaml_fail(doc, map, err,
                              "a solver file is a mapping of keys (name: …, executable: …); "
                              "see solvers/README.md");
    if (smug_yaml_check_keys(doc, map, top_keys, err) < 0)
        return -1;
    for (size_t i = 0; required_keys[i]; i++)
        if (!smug_yaml_get(map, required_keys[i]))
            return smug_yaml_fail(doc, NULL, err, "missing required key '%s'", required_keys[i]);
    int format = SMUG_SOLVER_SMTLIB2;
    s->stop_signal = SIGTERM;
    if (read_executable(doc, map, s, err) < 0 ||
        read_choice(doc, map, "format", formats, &format, err) < 0 ||
        read_all_templates(doc, map, s, err) < 0 ||
        read_choice(doc, map, "stop_signal", signals, &s->stop_signal, err) < 0 ||
        read_capabilities(doc, map, s, err) < 0 || read_strategy(doc, map, s, err) < 0 ||
        check_consistency(doc, map, s, err) < 0 || read_name(doc, map, path, s, err) < 0)
        return -1;
    s->format = (smug_solver_format)format;
    return smug_check_alloc(s->path = strdup(path), err);
}

int smug_solver_load_buffer(const void *data, size_t len, const char *path, smug_solver *out,
                            smug_error *err)
{
    memset(out, 0, sizeof *out);
    smug_yaml *doc;
    if (smug_yaml_load_buffer(data, len, path, &doc, err) < 0)
        return -1;
    int rc = read_solver(doc, path, out, err);
    smug_yaml_free(doc);
    if (rc < 0)
        smug_solver_clear(out);
    return rc;
}

int smug_solver_load_file(const char *path, smug_solver *out, smug_error *err)
{
    unsigned char *data;
    size_t len;
    memset(out, 0, sizeof *out);
    if (smug_fs_read_all(path, &data, &len, err) < 0)
        return -1;
    int rc = smug_solver_load_buffer(data, len, path, out, err);
    free(data);
    return rc;
}

void smug_solver_clear(smug_solver *s)
{
    char **vectors[] = {s->args,          s->incremental_args, s->stdin_args,
                        s->file_args,     s->time_limit,       s->memory_limit,
                        s->trailing_args, s->version_args,     s->model_args};
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++)
        smug_yaml_strv_free(vectors[i]);
    free(s->name);
    free(s->path);
    free(s->executable);
    memset(s, 0, sizeof *s);
}
