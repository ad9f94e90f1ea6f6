/* params.c — defaults, checked setters, help and JSON for the params.def table.
 *
 * The table is expanded once into descriptors (name, type, bounds, field offset), and
 * everything else walks the descriptors; no parameter is named anywhere else in this file.
 */
#include "smug/params.h"

#include "smug/suggest.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { P_INT, P_DBL, P_ENUM, P_STR } ptype;

typedef struct pdesc {
    const char *name;
    ptype type;
    double def, lo, hi;
    const char *choices; /* enum: "a|b|c"; string: the default */
    const char *help;
    size_t offset;
} pdesc;

static const pdesc params[] = {
#define SMUG_PARAM_INT(n, d, l, h, hp) {#n, P_INT, d, l, h, NULL, hp, offsetof(smug_params, n)},
#define SMUG_PARAM_DBL(n, d, l, h, hp) {#n, P_DBL, d, l, h, NULL, hp, offsetof(smug_params, n)},
#define SMUG_PARAM_ENUM(n, d, c, hp)   {#n, P_ENUM, d, 0, 0, c, hp, offsetof(smug_params, n)},
#define SMUG_PARAM_STR(n, d, hp)       {#n, P_STR, 0, 0, 0, d, hp, offsetof(smug_params, n)},
#include "smug/params.def"
#undef SMUG_PARAM_INT
#undef SMUG_PARAM_DBL
#undef SMUG_PARAM_ENUM
#undef SMUG_PARAM_STR
};

#define N_PARAMS (sizeof params / sizeof *params)

/* Compares a parameter name with user text, treating '-' and '_' alike. */
static int same_name(const char *canon, const char *user)
{
    for (; *canon && *user; canon++, user++)
        if (*canon != *user && !(*canon == '_' && *user == '-'))
            return 0;
    return *canon == *user;
}

static const pdesc *find(const char *name)
{
    for (size_t i = 0; i < N_PARAMS; i++)
        if (same_name(params[i].name, name))
            return &params[i];
    return NULL;
}

void smug_params_defaults(smug_params *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < N_PARAMS; i++) {
        char *f = (char *)p + params[i].offset;
        if (params[i].type == P_DBL)
            *(double *)f = params[i].def;
        else if (params[i].type == P_STR)
            snprintf(f, SMUG_PARAM_STR_MAX, "%s", params[i].choices);
        else
            *(int *)f = (int)params[i].def;
    }
}

int smug_params_known(const char *name)
{
    return find(name) != NULL;
}

int smug_params_is_switch(const char *name)
{
    const pdesc *d = find(name);
    return d && d->type == P_ENUM && strcmp(d->choices, "false|true") == 0;
}

static int fail_unknown(const char *name, const char *where, smug_error *err)
{
    static const char *const names[] = {
#define SMUG_PARAM_INT(n, d, l, h, hp) #n,
#define SMUG_PARAM_DBL(n, d, l, h, hp) #n,
#define SMUG_PARAM_ENUM(n, d, c, hp)   #n,
#define SMUG_PARAM_STR(n, d, hp)       #n,
#include "smug/params.def"
#undef SMUG_PARAM_INT
#undef SMUG_PARAM_DBL
#undef SMUG_PARAM_ENUM
#undef SMUG_PARAM_STR
        NULL};
    const char *best = smug_suggest(name, names);
    if (best)
        return smug_fail(err, SMUG_ERR_USAGE, "%s%sunknown parameter '%s' (did you mean '%s'?)",
                         where ? where : "", where ? ": " : "", name, best);
    return smug_fail(err, SMUG_ERR_USAGE, "%s%sunknown parameter '%s'", where ? where : "",
                     where ? ": " : "", name);
}

static int enum_index(const char *choices, const char *value)
{
    size_t n = strlen(value);
    int idx = 0;
    for (const char *c = choices; *c; idx++) {
        const char *bar = strchr(c, '|');
        size_t len = bar ? (size_t)(bar - c) : strlen(c);
        if (len == n && strncmp(c, value, n) == 0)
            return idx;
        c += len + (bar ? 1 : 0);
    }
    return -1;
}

int smug_params_set(smug_params *p, const char *name, const char *value, const char *where,
                    smug_error *err)
{
    const pdesc *d = find(name);
    if (!d)
        return fail_unknown(name, where, err);
    const char *w = where ? where : "", *sep = where ? ": " : "";
    char *f = (char *)p + d->offset;
    if (d->type == P_STR) {
        if (!value[0] || strlen(value) >= SMUG_PARAM_STR_MAX || strpbrk(value, "\"\\\n\r\t"))
            return smug_fail(err, SMUG_ERR_USAGE,
                             "%s%s%s must be 1 to %d plain characters: got '%s'", w, sep, d->name,
                             SMUG_PARAM_STR_MAX - 1, value);
        snprintf(f, SMUG_PARAM_STR_MAX, "%s", value);
        return 0;
    }
    if (d->type == P_ENUM) {
        int idx = enum_index(d->choices, value);
        if (idx < 0)
            return smug_fail(err, SMUG_ERR_USAGE, "%s%s%s must be one of %s: got '%s'", w, sep,
                             d->name, d->choices, value);
        *(int *)f = idx;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (end == value || *end || errno || !isfinite(v))
        return smug_fail(err, SMUG_ERR_USAGE, "%s%s%s must be a number: got '%s'", w, sep, d->name,
                         value);
    if (d->type == P_INT && v != floor(v))
        return smug_fail(err, SMUG_ERR_USAGE, "%s%s%s must be an integer: got '%s'", w, sep,
                         d->name, value);
    if (v < d->lo || v > d->hi)
        return smug_fail(err, SMUG_ERR_USAGE, "%s%s%s must be in [%g, %g]: got %s", w, sep, d->name,
                         d->lo, d->hi, value);
    if (d->type == P_INT)
        *(int *)f = (int)v;
    else
        *(double *)f = v;
    return 0;
}

int smug_params_names(const char **out, int cap)
{
    for (size_t i = 0; i < N_PARAMS && (int)i < cap; i++)
        out[i] = params[i].name;
    return (int)N_PARAMS;
}

const char *smug_params_enum_name(const char *param, int value, char *buf, size_t n)
{
    const pdesc *d = find(param);
    snprintf(buf, n, "?");
    if (!d || d->type != P_ENUM)
        return buf;
    const char *c = d->choices;
    for (int i = 0; *c; i++) {
        size_t len = strcspn(c, "|");
        if (i == value) {
            snprintf(buf, n, "%.*s", (int)len, c);
            break;
        }
        c += len + (c[len] ? 1 : 0);
    }
    return buf;
}

void smug_params_help(smug_strbuf *out)
{
    for (size_t i = 0; i < N_PARAMS; i++) {
        const pdesc *d = &params[i];
        char flag[64];
        size_t k = 0;
        for (const char *c = d->name; *c && k < sizeof flag - 1; c++)
            flag[k++] = *c == '_' ? '-' : *c;
        flag[k] = '\0';
        const char *arg = d->type == P_ENUM  ? d->choices
                          : d->type == P_STR ? "NAME"
                          : d->type == P_INT ? "N"
                                             : "X";
        smug_strbuf_addf(out, "  --%s %s\n      %s\n", flag, arg, d->help);
        char name[64];
        if (d->type == P_STR)
            smug_strbuf_addf(out, "      (default %s)\n", d->choices);
        else if (d->type == P_ENUM)
            smug_strbuf_addf(out, "      (default %s)\n",
                             smug_params_enum_name(d->name, (int)d->def, name, sizeof name));
        else
            smug_strbuf_addf(out, "      (default %g, range [%g, %g])\n", d->def, d->lo, d->hi);
    }
}

void smug_params_json(const smug_params *p, smug_strbuf *out)
{
    smug_strbuf_adds(out, "{");
    for (size_t i = 0; i < N_PARAMS; i++) {
        const pdesc *d = &params[i];
        const char *f = (const char *)p + d->offset;
        smug_strbuf_addf(out, "%s\"%s\": ", i ? ", " : "", d->name);
        if (d->type == P_STR) {
            smug_strbuf_addf(out, "\"%s\"", f); /* names from the table: no JSON escapes */
        } else if (d->type == P_DBL) {
            /* the shortest of 15 or 17 digits that reads back the same: 0.9, not
               0.90000000000000002 */
            double v = *(const double *)f;
            char text[40];
            snprintf(text, sizeof text, "%.15g", v);
            if (strtod(text, NULL) != v)
                snprintf(text, sizeof text, "%.17g", v);
            smug_strbuf_adds(out, text);
        } else if (d->type == P_INT) {
            smug_strbuf_addf(out, "%d", *(const int *)f);
        } else {
            char name[64];
            smug_strbuf_addf(out, "\"%s\"",
                             smug_params_enum_name(d->name, *(const int *)f, name, sizeof name));
        }
    }
    smug_strbuf_adds(out, "}");
}
