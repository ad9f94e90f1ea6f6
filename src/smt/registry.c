/* registry.c — solvers/<name>.yaml → smug_solver descriptions, and argv vectors built from them.
 *
 * This is what keeps smug solver-agnostic (design §4): strategy.c asks a smug_solver what it
 * can do and how to call it, so adding yices or bitwuzla is a YAML file, not C. Files are
 * checked strictly (unknown keys, placeholders a key cannot use, a default strategy the
 * solver lacks the capability for) because a typo here would otherwise surface much later as
 * a confusing solver error. The argv builder substitutes placeholders into single elements;
 * no string ever reaches a shell. The version query is the only place a process is started.
 */
#include "smug/registry.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smug/fsutil.h"
#include "smug/params.h"
#include "smug/process.h"
#include "smug/strbuf.h"
#include "smug/suggest.h"
#include "smug/yaml.h"
#include "smug/yaml_schema.h"

static const char *const top_keys[] = {"name",          "executable",       "format",
                                       "args",          "incremental_args", "stdin_args",
                                       "file_args",     "time_limit",       "memory_limit",
                                       "trailing_args", "stop_signal",      "version_args",
                                       "capabilities",  "default_strategy", NULL};
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

/* Length of the placeholder "{word}" at s (lowercase letters only), or 0 if s starts none. */
static size_t placeholder_len(const char *s)
{
    if (*s != '{')
        return 0;
    size_t i = 1;
    while (islower((unsigned char)s[i]))
        i++;
    return i > 1 && s[i] == '}' ? i + 1 : 0;
}

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
            size_t len = placeholder_len(t + k);
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
        smug_solver_free(out);
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

void smug_solver_free(smug_solver *s)
{
    char **vectors[] = {s->args,       s->incremental_args, s->stdin_args,    s->file_args,
                        s->time_limit, s->memory_limit,     s->trailing_args, s->version_args};
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++)
        smug_yaml_strv_free(vectors[i]);
    free(s->name);
    free(s->path);
    free(s->executable);
    memset(s, 0, sizeof *s);
}

/* ---- the registry ----------------------------------------------------------------------- */

const char *smug_solvers_default_dir(void)
{
    const char *env = getenv("SMUG_SOLVERS_DIR");
    return env && *env ? env : SMUG_SOURCE_DIR "/solvers";
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_yaml_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

/* The *.yaml names in dir, sorted: a malloc'ed vector of malloc'ed strings. */
static int list_yaml(const char *dir, char ***out, int *out_n, smug_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return smug_fail(err, SMUG_ERR_IO, "%s: cannot open solvers directory: %s", dir,
                         strerror(errno));
    char **names = NULL;
    int n = 0, cap = 0, rc = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_yaml_name(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            char **grown = realloc(names, (size_t)cap * sizeof *names);
            if (!grown && (rc = smug_check_alloc(NULL, err)) < 0)
                break;
            names = grown;
        }
        if (!(names[n] = strdup(e->d_name)) && (rc = smug_check_alloc(NULL, err)) < 0)
            break;
        n++;
    }
    closedir(d);
    if (rc == 0 && n == 0)
        rc = smug_fail(err, SMUG_ERR_IO, "%s: no solver files (*.yaml)", dir);
    if (rc < 0) {
        for (int i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return -1;
    }
    qsort(names, (size_t)n, sizeof *names, cmp_names);
    *out = names;
    *out_n = n;
    return 0;
}

int smug_solvers_load(const char *dir, smug_solvers **out, smug_error *err)
{
    if (!dir)
        dir = smug_solvers_default_dir();
    char **names = NULL;
    int n = 0;
    if (list_yaml(dir, &names, &n, err) < 0)
        return -1;
    smug_solvers *reg = calloc(1, sizeof *reg);
    int rc = smug_check_alloc(reg, err);
    if (rc == 0 &&
        (smug_check_alloc(reg->dir = strdup(dir), err) < 0 ||
         smug_check_alloc(reg->solvers = calloc((size_t)n, sizeof *reg->solvers), err) < 0))
        rc = -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if ((rc = smug_solver_load_file(path, &reg->solvers[i], err)) == 0)
            reg->n++;
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc < 0) {
        smug_solvers_free(reg);
        return -1;
    }
    *out = reg;
    return 0;
}

void smug_solvers_free(smug_solvers *reg)
{
    if (!reg)
        return;
    for (int i = 0; i < reg->n; i++)
        smug_solver_free(&reg->solvers[i]);
    free(reg->solvers);
    free(reg->dir);
    free(reg);
}

const smug_solver *smug_solvers_find(const smug_solvers *reg, const char *name)
{
    for (int i = 0; i < reg->n; i++)
        if (strcmp(reg->solvers[i].name, name) == 0)
            return &reg->solvers[i];
    return NULL;
}

int smug_solvers_get(const smug_solvers *reg, const char *name, const smug_solver **out,
                     smug_error *err)
{
    if ((*out = smug_solvers_find(reg, name)) != NULL)
        return 0;
    const char *names[64];
    char list[512] = "";
    int k = 0;
    for (int i = 0; i < reg->n && k < 63; i++, k++) {
        names[k] = reg->solvers[i].name;
        size_t at = strlen(list);
        snprintf(list + at, sizeof list - at, "%s%s", at ? ", " : "", names[k]);
    }
    names[k] = NULL;
    const char *near = smug_suggest(name, names);
    char hint[128] = "";
    if (near)
        snprintf(hint, sizeof hint, "did you mean '%s'? ", near);
    return smug_fail(err, SMUG_ERR_USAGE, "unknown solver '%s' (%sknown in %s: %s)", name, hint,
                     reg->dir, list);
}

const char *smug_solver_capabilities(const smug_solver *s, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s%s%s", s->optimize ? "optimize" : "",
             s->optimize && (s->incremental || s->get_value) ? ", " : "",
             s->incremental ? "incremental" : "", s->incremental && s->get_value ? ", " : "",
             s->get_value ? "get_value" : "");
    if (!buf[0])
        snprintf(buf, n, "none");
    return buf;
}

/* ---- running a solver ------------------------------------------------------------------- */

typedef struct limits {
    const char *file;
    long long ms, s, mb;
} limits;

/* Appends template t with its placeholders replaced, plus the NUL that ends the element. */
static void expand(smug_strbuf *sb, const char *t, const limits *l)
{
    for (size_t k = 0; t[k];) {
        size_t len = placeholder_len(t + k);
        if (len && strncmp(t + k, "{file}", len) == 0) {
            smug_strbuf_addf(sb, "%s%s", l->file[0] == '-' ? "./" : "", l->file);
        } else if (len && strncmp(t + k, "{ms}", len) == 0) {
            smug_strbuf_addf(sb, "%lld", l->ms);
        } else if (len && strncmp(t + k, "{s}", len) == 0) {
            smug_strbuf_addf(sb, "%lld", l->s);
        } else if (len && strncmp(t + k, "{mb}", len) == 0) {
            smug_strbuf_addf(sb, "%lld", l->mb);
        } else {
            len = len ? len : 1;
            smug_strbuf_add(sb, t + k, len);
        }
        k += len;
    }
    smug_strbuf_add(sb, "", 1);
}

static int expand_all(smug_strbuf *sb, char *const *v, const limits *l)
{
    int n = 0;
    for (; v && v[n]; n++)
        expand(sb, v[n], l);
    return n;
}

/* Packs n NUL-separated strings into one block: the vector, then the bytes. */
static char **pack(const smug_strbuf *sb, int n)
{
    size_t head = ((size_t)n + 1) * sizeof(char *);
    char **v = malloc(head + sb->len);
    if (!v)
        return NULL;
    char *bytes = (char *)v + head;
    memcpy(bytes, sb->buf, sb->len);
    for (int i = 0; i < n; i++) {
        v[i] = bytes;
        bytes += strlen(bytes) + 1;
    }
    v[n] = NULL;
    return v;
}

static int check_run(const smug_solver *s, const char *file, int incremental, smug_error *err)
{
    if (file && !s->file_args)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver %s cannot read a problem file (%s has no file_args)", s->name,
                         s->path);
    if (!file && !s->stdin_args)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver %s cannot read a problem on stdin (%s has no stdin_args)", s->name,
                         s->path);
    if (incremental && !s->incremental)
        return smug_fail(err, SMUG_ERR_USAGE, "solver %s is not incremental (%s)", s->name,
                         s->path);
    return 0;
}

int smug_solver_argv(const smug_solver *s, const char *file, double timeout, int mem_mb,
                     int incremental, char ***out_argv, smug_error *err)
{
    if (check_run(s, file, incremental, err) < 0)
        return -1;
    limits l = {file ? file : "", 0, 0, mem_mb};
    if (timeout > 0) {
        double ms = ceil(timeout * 1000.0);
        l.ms = ms < 1e15 ? (long long)ms : (long long)1e15;
        l.s = (l.ms + 999) / 1000;
    }
    smug_strbuf sb = SMUG_STRBUF_INIT;
    int n = 1;
    smug_strbuf_add(&sb, s->executable, strlen(s->executable) + 1); /* a name: no placeholders */
    n += expand_all(&sb, s->args, &l);
    if (incremental)
        n += expand_all(&sb, s->incremental_args, &l);
    n += expand_all(&sb, file ? s->file_args : s->stdin_args, &l);
    if (timeout > 0)
        n += expand_all(&sb, s->time_limit, &l);
    if (mem_mb > 0)
        n += expand_all(&sb, s->memory_limit, &l);
    n += expand_all(&sb, s->trailing_args, &l);
    char **v = sb.failed ? NULL : pack(&sb, n);
    smug_strbuf_free(&sb);
    if (!v)
        return smug_check_alloc(NULL, err);
    *out_argv = v;
    return 0;
}

int smug_solver_installed(const smug_solver *s, char *buf, size_t n)
{
    smug_strbuf path = SMUG_STRBUF_INIT;
    int e = 0;
    int found = smug_process_which(s->executable, &path, &e) == 0 && e == 0;
    if (found)
        snprintf(buf, n, "%s", path.buf);
    smug_strbuf_free(&path);
    return found;
}

/* The line of `text` that names a version, else its first non-empty line. */
static int pick_version_line(const char *text, char *buf, size_t n)
{
    const char *first = NULL;
    size_t first_len = 0;
    for (const char *line = text; line && *line;) {
        size_t len = strcspn(line, "\r\n");
        while (len && isspace((unsigned char)line[len - 1]))
            len--;
        for (size_t i = 0; i + 7 <= len; i++)
            if (strncasecmp(line + i, "version", 7) == 0) {
                snprintf(buf, n, "%.*s", (int)len, line);
                return 1;
            }
        if (!first && len)
            first = line, first_len = len;
        line += strcspn(line, "\n");
        line += *line == '\n';
    }
    if (first)
        snprintf(buf, n, "%.*s", (int)first_len, first);
    return first != NULL;
}

int smug_solver_version(const smug_solver *s, char *buf, size_t n, smug_error *err)
{
    size_t k = 0;
    while (s->version_args[k])
        k++;
    const char **argv = calloc(k + 2, sizeof *argv);
    if (!argv)
        return smug_check_alloc(NULL, err);
    argv[0] = s->executable;
    for (size_t i = 0; i < k; i++)
        argv[i + 1] = s->version_args[i];
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = argv;
    p.timeout = 10.0;
    p.output_cap = 1 << 16;
    smug_process_result r;
    int rc = smug_process_run(&p, &r, err);
    free(argv);
    if (rc < 0)
        return smug_error_prefix(err, "%s", s->name);
    char how[256];
    if (r.outcome == SMUG_PROC_NOSTART || r.outcome == SMUG_PROC_TIMEOUT)
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%s: version query: %s", s->name,
                       smug_process_describe(&r, how, sizeof how));
    else if (!pick_version_line(r.out.buf, buf, n) && !pick_version_line(r.err.buf, buf, n))
        rc = smug_fail(err, SMUG_ERR_SOLVER, "%s: version query printed nothing (%s)", s->name,
                       smug_process_describe(&r, how, sizeof how));
    smug_process_result_free(&r);
    return rc;
}
