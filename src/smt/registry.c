/* registry.c — the folder solvers/ (one <name>.yaml each) as a registry of smug_solver
 * descriptions.
 *
 * This is what keeps smug solver-agnostic (design §4): strategy.c asks a smug_solver what it
 * can do and how to call it, so adding yices or bitwuzla is a YAML file, not C. Each file is
 * read and checked by solver_schema.c; this file lists the folder, keeps the descriptions in
 * name order and finds one by name (with "did you mean"). It starts no process: that is
 * solver_run.c.
 */
#include "smug/registry.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "smug/suggest.h"

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
        smug_solver_clear(&reg->solvers[i]);
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
