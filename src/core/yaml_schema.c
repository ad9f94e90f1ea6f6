/* yaml_schema.c — the schema helpers every YAML reader of smug uses (yaml_schema.h), so
 * configs and solver files word their errors alike: "file:line: key must be a list", "unknown
 * key 'x' (did you mean 'y'?)".
 *
 * Only the public tree accessors of yaml.h are used here; the tree's layout and libyaml stay
 * inside yaml.c.
 */
#include "smug/yaml_schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/suggest.h"

int smug_yaml_fail(const smug_yaml *doc, const smug_yaml_node *n, smug_error *err, const char *fmt,
                   ...)
{
    char msg[SMUG_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n)
        return smug_fail(err, SMUG_ERR_FORMAT, "%s:%d: %s", smug_yaml_name(doc),
                         smug_yaml_node_line(n), msg);
    return smug_fail(err, SMUG_ERR_FORMAT, "%s: %s", smug_yaml_name(doc), msg);
}

int smug_yaml_check_keys(const smug_yaml *doc, const smug_yaml_node *map, const char *const *known,
                         smug_error *err)
{
    for (size_t i = 0; i < smug_yaml_size(map); i++) {
        const char *key = smug_yaml_entry_key(map, i);
        size_t k = 0;
        while (known[k] && strcmp(known[k], key) != 0)
            k++;
        if (known[k])
            continue;
        const char *near = smug_suggest(key, known);
        if (near)
            return smug_yaml_fail(doc, smug_yaml_entry_key_node(map, i), err,
                                  "unknown key '%s' (did you mean '%s'?)", key, near);
        return smug_yaml_fail(doc, smug_yaml_entry_key_node(map, i), err, "unknown key '%s'", key);
    }
    return 0;
}

static int is_null(const smug_yaml_node *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    const char *text = smug_yaml_scalar(n);
    if (!smug_yaml_scalar_plain(n))
        return text[0] == '\0';
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
        if (strcmp(text, nulls[i]) == 0)
            return 1;
    return 0;
}

int smug_yaml_want_text(const smug_yaml *doc, const smug_yaml_node *n, const char *key,
                        const char **out, smug_error *err)
{
    if (smug_yaml_node_kind(n) != SMUG_YAML_SCALAR)
        return smug_yaml_fail(doc, n, err, "%s must be a single value, not a %s", key,
                              smug_yaml_kind_name(smug_yaml_node_kind(n)));
    if (is_null(n))
        return smug_yaml_fail(doc, n, err, "%s has no value", key);
    *out = smug_yaml_scalar(n);
    return 0;
}

int smug_yaml_want_bool(const smug_yaml *doc, const smug_yaml_node *n, const char *key, int *out,
                        smug_error *err)
{
    const char *text = NULL;
    if (smug_yaml_want_text(doc, n, key, &text, err) < 0)
        return -1;
    if (smug_yaml_scalar_plain(n) && (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)) {
        *out = text[0] == 't';
        return 0;
    }
    return smug_yaml_fail(doc, n, err, "%s must be true or false: got '%s'", key, text);
}

void smug_yaml_strv_free(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

int smug_yaml_want_strv(const smug_yaml *doc, const smug_yaml_node *n, const char *key, char ***out,
                        size_t *out_n, smug_error *err)
{
    if (smug_yaml_node_kind(n) != SMUG_YAML_SEQUENCE)
        return smug_yaml_fail(doc, n, err,
                              "%s must be a list ([a, b] or one '- item' per line), not a %s", key,
                              smug_yaml_kind_name(smug_yaml_node_kind(n)));
    char **v = calloc(smug_yaml_size(n) + 1, sizeof *v);
    if (!v)
        return smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory", smug_yaml_name(doc));
    char item_key[128];
    snprintf(item_key, sizeof item_key, "an item of %s", key);
    for (size_t i = 0; i < smug_yaml_size(n); i++) {
        const char *text = NULL;
        if (smug_yaml_want_text(doc, smug_yaml_item(n, i), item_key, &text, err) < 0) {
            smug_yaml_strv_free(v);
            return -1;
        }
        if (!(v[i] = strdup(text))) {
            smug_yaml_strv_free(v);
            return smug_fail(err, SMUG_ERR_NOMEM, "%s: out of memory", smug_yaml_name(doc));
        }
    }
    *out = v;
    if (out_n)
        *out_n = smug_yaml_size(n);
    return 0;
}
