/* args.c — flag parsing and --help for every subcommand.
 *
 * Command flags come from each command's table; method parameters come from params.def,
 * so a parameter added there is at once a flag, a config key and a line of --help.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "smug/strbuf.h"

static int find_opt(const cli_command *cmd, const char *name, size_t len)
{
    for (int i = 0; i < CLI_MAX_OPTS && cmd->opts[i].name; i++)
        if (strlen(cmd->opts[i].name) == len && strncmp(cmd->opts[i].name, name, len) == 0)
            return i;
    return -1;
}

static int take_value(int argc, char **argv, int *i, const char *inline_val, const char *flag,
                      const char **out, smug_error *err)
{
    if (inline_val) {
        *out = inline_val;
        return 0;
    }
    if (*i + 1 >= argc)
        return smug_fail(err, SMUG_ERR_USAGE, "--%s needs a value", flag);
    *out = argv[++*i];
    return 0;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out, int *out_help,
              smug_error *err)
{
    memset(out, 0, sizeof *out);
    out->cmd = cmd;
    smug_params_defaults(&out->params);
    *out_help = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *out_help = 1;
            return 0;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (out->n_positional >= cmd->max_positional)
                return smug_fail(err, SMUG_ERR_USAGE, "unexpected argument '%s'", a);
            out->positional[out->n_positional++] = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const char *inline_val = eq ? eq + 1 : NULL;
        char flag[64];
        snprintf(flag, sizeof flag, "%.*s", (int)len, name);
        int k = find_opt(cmd, name, len);
        if (k >= 0) {
            const cli_opt *o = &cmd->opts[k];
            if (!o->arg) {
                if (inline_val)
                    return smug_fail(err, SMUG_ERR_USAGE, "--%s takes no value", flag);
                out->value[k] = "1";
                continue;
            }
            const char *v = NULL;
            if (take_value(argc, argv, &i, inline_val, flag, &v, err) < 0)
                return -1;
            out->value[k] = v;
            if (o->repeat && out->n_multi < CLI_MAX_MULTI)
                out->multi[out->n_multi++] = v;
            continue;
        }
        if (cmd->takes_params && smug_params_known(flag)) {
            const char *v = NULL;
            char where[80];
            snprintf(where, sizeof where, "--%s", flag);
            /* a false|true switch alone (last, or before another flag) means true */
            int bare = !inline_val && smug_params_is_switch(flag) &&
                       (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0);
            if (bare)
                v = "true";
            else if (take_value(argc, argv, &i, inline_val, flag, &v, err) < 0)
                return -1;
            if (smug_params_set(&out->params, flag, v, where, err) < 0)
                return -1;
            if (out->n_flags == CLI_MAX_FLAGS)
                return smug_fail(err, SMUG_ERR_USAGE, "too many parameter flags");
            out->flag_name[out->n_flags] = argv[i - (inline_val || bare ? 0 : 1)] + 2;
            out->flag_value[out->n_flags++] = v;
            continue;
        }
        if (cmd->takes_params) { /* a near-miss of a parameter gets a "did you mean" */
            smug_params scratch;
            if (smug_params_set(&scratch, flag, "0", NULL, err) < 0 && strstr(err->msg, "did you"))
                return smug_error_prefix(err, "--%s", flag);
        }
        return smug_fail(err, SMUG_ERR_USAGE,
                         "unknown option --%s for 'smug %s' (see smug %s --help)", flag, cmd->name,
                         cmd->name);
    }
    return 0;
}

int cli_apply_param_flags(const cli_args *a, smug_params *p, smug_error *err)
{
    for (int i = 0; i < a->n_flags; i++) {
        char name[64], where[80];
        size_t len = strcspn(a->flag_name[i], "=");
        snprintf(name, sizeof name, "%.*s", (int)len, a->flag_name[i]);
        snprintf(where, sizeof where, "--%s", name);
        if (smug_params_set(p, name, a->flag_value[i], where, err) < 0)
            return -1;
    }
    return 0;
}

int cli_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

const char *cli_get(const cli_args *a, const char *name)
{
    int k = find_opt(a->cmd, name, strlen(name));
    return k >= 0 ? a->value[k] : NULL;
}

void cli_print_help(const cli_command *cmd)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_addf(&sb, "usage: smug %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->description);
    smug_strbuf_adds(&sb, "\noptions:\n");
    for (int i = 0; i < CLI_MAX_OPTS && cmd->opts[i].name; i++) {
        const cli_opt *o = &cmd->opts[i];
        smug_strbuf_addf(&sb, "  --%s%s%s\n      %s%s\n", o->name, o->arg ? " " : "",
                         o->arg ? o->arg : "", o->help, o->repeat ? " (may be repeated)" : "");
    }
    smug_strbuf_adds(&sb, "  --help\n      show this help\n");
    if (cmd->takes_params) {
        smug_strbuf_adds(&sb, "\nmethod parameters (also config keys, with _ for -):\n");
        smug_params_help(&sb);
    }
    if (sb.buf)
        fputs(sb.buf, stdout);
    smug_strbuf_clear(&sb);
}

const char *cli_default_model(void)
{
    return SMUG_SOURCE_DIR "/models/fashion_fc.onnx";
}

const char *cli_default_input(void)
{
    return SMUG_SOURCE_DIR "/data/fashion/0000_ankle_boot.png";
}
