/* test_yaml.c — the YAML tree (src/core/yaml.c): shapes, line numbers, the schema helpers
 * and every refusal, each from a fixture in tests/data/yaml/ named for its defect. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/suggest.h"
#include "smug/yaml.h"
#include "smug/yaml_schema.h"
#include "testutil.h"

static smug_yaml *load_text(const char *text)
{
    smug_yaml *doc = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_yaml_load_buffer(text, strlen(text), "t.yaml", &doc, &err) < 0)
        fail_msg("unexpected error: %s", err.msg);
    return doc;
}

/* Loads text that must fail; returns the message in a static buffer. */
static const char *load_error(const char *text)
{
    static smug_error err;
    smug_yaml *doc = NULL;
    smug_error_clear(&err);
    assert_int_equal(smug_yaml_load_buffer(text, strlen(text), "t.yaml", &doc, &err), -1);
    assert_null(doc);
    return err.msg;
}

static void test_tree_shapes_and_lines(void **state)
{
    (void)state;
    smug_yaml *doc = load_text("# comment\n"
                               "model: ../m.onnx\n"
                               "inputs:\n"
                               "  - a.png\n"
                               "  - 'b c.png'\n"
                               "params: {top_k: 8, gamma: \"0.5\"}\n"
                               "empty:\n");
    const smug_yaml_node *root = smug_yaml_root(doc);
    assert_non_null(root);
    assert_int_equal(smug_yaml_node_kind(root), SMUG_YAML_MAPPING);
    assert_int_equal(smug_yaml_size(root), 4);
    assert_string_equal(smug_yaml_entry_key(root, 0), "model");
    assert_string_equal(smug_yaml_entry_key(root, 3), "empty");
    assert_int_equal(smug_yaml_node_line(smug_yaml_entry_key_node(root, 2)), 6);
    assert_null(smug_yaml_entry_key(root, 4));

    const smug_yaml_node *model = smug_yaml_get(root, "model");
    assert_string_equal(smug_yaml_scalar(model), "../m.onnx");
    assert_int_equal(smug_yaml_node_line(model), 2);
    assert_int_equal(smug_yaml_node_column(model), 8);
    assert_true(smug_yaml_scalar_plain(model));

    const smug_yaml_node *inputs = smug_yaml_get(root, "inputs");
    assert_int_equal(smug_yaml_node_kind(inputs), SMUG_YAML_SEQUENCE);
    assert_int_equal(smug_yaml_size(inputs), 2);
    assert_string_equal(smug_yaml_scalar(smug_yaml_item(inputs, 1)), "b c.png");
    assert_false(smug_yaml_scalar_plain(smug_yaml_item(inputs, 1)));
    assert_int_equal(smug_yaml_node_line(smug_yaml_item(inputs, 1)), 5);
    assert_null(smug_yaml_item(inputs, 2));
    assert_null(smug_yaml_scalar(inputs));

    const smug_yaml_node *params = smug_yaml_get(root, "params");
    assert_string_equal(smug_yaml_scalar(smug_yaml_get(params, "gamma")), "0.5");
    assert_string_equal(smug_yaml_scalar(smug_yaml_entry_value(params, 0)), "8");
    assert_null(smug_yaml_get(params, "window"));
    assert_null(smug_yaml_get(inputs, "x")); /* not a mapping */

    const smug_yaml_node *empty = smug_yaml_get(root, "empty");
    assert_string_equal(smug_yaml_scalar(empty), "");
    assert_int_equal(smug_yaml_size(empty), 0);
    assert_string_equal(smug_yaml_name(doc), "t.yaml");
    assert_string_equal(smug_yaml_kind_name(SMUG_YAML_SEQUENCE), "sequence");
    smug_yaml_free(doc);
}

static void test_empty_documents(void **state)
{
    (void)state;
    const char *texts[] = {"", "# only a comment\n", "\n\n"};
    for (size_t i = 0; i < 3; i++) {
        smug_yaml *doc = load_text(texts[i]);
        assert_null(smug_yaml_root(doc));
        smug_yaml_free(doc);
    }
    smug_yaml *doc = load_text("--- \n...\n"); /* an explicit empty document: a null scalar */
    assert_string_equal(smug_yaml_scalar(smug_yaml_root(doc)), "");
    smug_yaml_free(doc);
    smug_yaml_free(NULL);
}

static void test_buffer_needs_no_terminator(void **state)
{
    (void)state;
    const char text[] = {'a', ':', ' ', 'b', 'c'}; /* no NUL: only len bytes are read */
    smug_yaml *doc = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_yaml_load_buffer(text, 4, NULL, &doc, &err), 0);
    assert_string_equal(smug_yaml_scalar(smug_yaml_get(smug_yaml_root(doc), "a")), "b");
    assert_string_equal(smug_yaml_name(doc), "<yaml>");
    smug_yaml_free(doc);
}

static void test_missing_file(void **state)
{
    (void)state;
    smug_yaml *doc = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_yaml_load_file("/nonexistent/x.yaml", &doc, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_true(tu_has_prefix(err.msg, "/nonexistent/x.yaml: cannot open"));
}

/* Each fixture's full message: "<path>:<line>:<column>: <problem>". */
static void test_defect_fixtures(void **state)
{
    (void)state;
    static const struct {
        const char *file, *where_what;
    } cases[] = {
        {"alias", ":2:6: aliases (*m) are not supported"},
        {"anchor", ":2:9: anchors (&p) are not supported"},
        {"bad_indentation",
         ":4:3: did not find expected key (while parsing a block mapping at line 1)"},
        {"complex_key", ":1:3: keys must be plain values, not lists or mappings"},
        {"duplicate_key", ":6:3: duplicate key 'top_k' (first at line 4)"},
        {"invalid_utf8", ":1:9: invalid leading UTF-8 octet"},
        {"nul_in_value", ":1:8: a value contains a NUL byte"},
        {"tab_indent", ":3:1: found character that cannot start any token (while scanning for "
                       "the next token at line 3)"},
        {"tag", ":1:8: tags (tag:yaml.org,2002:str) are not supported"},
        {"too_deep", ":1:67: nested deeper than 64 levels"},
        {"two_documents", ":2:1: a second YAML document (---): one document per file"},
        {"unclosed_flow",
         ":3:1: did not find expected ',' or ']' (while parsing a flow sequence at line 2)"},
        {"unclosed_quote",
         ":3:1: found unexpected end of stream (while scanning a quoted scalar at line 1)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char rel[128], want[512];
        snprintf(rel, sizeof rel, "tests/data/yaml/%s.yaml", cases[i].file);
        const char *path = tu_path(rel);
        snprintf(want, sizeof want, "%s%s", path, cases[i].where_what);
        smug_yaml *doc = NULL;
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_yaml_load_file(path, &doc, &err), -1);
        assert_null(doc);
        assert_string_equal(err.msg, want);
        assert_int_equal(err.code, SMUG_ERR_FORMAT);
    }
}

/* "[[…]]" with `depth` brackets on each side. */
static void nested(char *text, int depth)
{
    memset(text, '[', (size_t)depth);
    memset(text + depth, ']', (size_t)depth);
    text[2 * depth] = '\0';
}

static void test_nesting_limit_is_exact(void **state)
{
    (void)state;
    char text[2 * SMUG_YAML_MAX_DEPTH + 3];
    nested(text, SMUG_YAML_MAX_DEPTH); /* the root collection is level 0: 64 levels load */
    smug_yaml_free(load_text(text));
    nested(text, SMUG_YAML_MAX_DEPTH + 1);
    assert_string_equal(load_error(text), "t.yaml:1:65: nested deeper than 64 levels");
}

static void test_more_refusals(void **state)
{
    (void)state;
    assert_string_equal(load_error("a: 1\n---\nb: 2\n"),
                        "t.yaml:2:1: a second YAML document (---): one document per file");
    assert_string_equal(load_error("a: 1\na: 2\n"),
                        "t.yaml:2:1: duplicate key 'a' (first at line 1)");
    assert_string_equal(load_error("[*x]"), "t.yaml:1:2: aliases (*x) are not supported");
    assert_string_equal(load_error("? {a: 1}\n: 2\n"),
                        "t.yaml:1:3: keys must be plain values, not lists or mappings");
    assert_string_equal(load_error("a: !custom {b: 1}\n"),
                        "t.yaml:1:4: tags (!custom) are not supported");
    assert_string_equal(load_error("a: b: c\n"),
                        "t.yaml:1:5: mapping values are not allowed in this context");
    /* a duplicate among many keys is found (sorting, not pairwise) and reported in file order */
    char big[8192] = "";
    for (int i = 0; i < 300; i++)
        snprintf(big + strlen(big), sizeof big - strlen(big), "k%d: %d\n", i % 290, i);
    assert_string_equal(load_error(big), "t.yaml:291:1: duplicate key 'k0' (first at line 1)");
}

static void test_check_keys_and_suggest(void **state)
{
    (void)state;
    static const char *const known[] = {"model", "inputs", "out", "params", NULL};
    smug_yaml *doc = load_text("model: a\nout: b\nparmas:\n  x: 1\n");
    smug_error err = SMUG_ERROR_INIT;
    const smug_yaml_node *root = smug_yaml_root(doc);
    assert_int_equal(smug_yaml_check_keys(doc, root, known, &err), -1);
    assert_string_equal(err.msg, "t.yaml:3: unknown key 'parmas' (did you mean 'params'?)");
    assert_int_equal(err.code, SMUG_ERR_FORMAT);
    smug_yaml_free(doc);

    doc = load_text("model: a\nzzzzzz: 1\n");
    assert_int_equal(smug_yaml_check_keys(doc, smug_yaml_root(doc), known, &err), -1);
    assert_string_equal(err.msg, "t.yaml:2: unknown key 'zzzzzz'");
    smug_yaml_free(doc);

    doc = load_text("model: a\ninputs: [x]\n");
    assert_int_equal(smug_yaml_check_keys(doc, smug_yaml_root(doc), known, &err), 0);
    smug_yaml_free(doc);

    assert_string_equal(smug_suggest("top-k", (const char *const[]){"top_k", NULL}), "top_k");
    assert_null(smug_suggest("gamma", (const char *const[]){"window", NULL}));
    /* one "did you mean" for parameters, keys and solvers: '-' and '_' alike both ways */
    assert_int_equal(smug_name_distance("top_k", "top-k"), 0);
    assert_int_equal(smug_name_distance("top-k", "top_k"), 0);
    assert_string_equal(smug_suggest("time_limt", (const char *const[]){"time-limit", NULL}),
                        "time-limit");
}

static void test_want_helpers(void **state)
{
    (void)state;
    smug_yaml *doc = load_text("s: text\n"
                               "q: \"\"\n"
                               "n: ~\n"
                               "b: true\n"
                               "y: yes\n"
                               "qt: \"true\"\n"
                               "l: [a, 'b', \"c d\"]\n"
                               "e: []\n"
                               "m: {k: v}\n"
                               "bad: [a, [b]]\n");
    const smug_yaml_node *r = smug_yaml_root(doc);
    smug_error err = SMUG_ERROR_INIT;
    const char *text;
    assert_int_equal(smug_yaml_want_text(doc, smug_yaml_get(r, "s"), "s", &text, &err), 0);
    assert_string_equal(text, "text");
    assert_int_equal(smug_yaml_want_text(doc, smug_yaml_get(r, "q"), "q", &text, &err), -1);
    assert_string_equal(err.msg, "t.yaml:2: q has no value");
    assert_int_equal(smug_yaml_want_text(doc, smug_yaml_get(r, "n"), "n", &text, &err), -1);
    assert_string_equal(err.msg, "t.yaml:3: n has no value");
    assert_int_equal(smug_yaml_want_text(doc, smug_yaml_get(r, "m"), "m", &text, &err), -1);
    assert_string_equal(err.msg, "t.yaml:9: m must be a single value, not a mapping");

    int flag = -1;
    assert_int_equal(smug_yaml_want_bool(doc, smug_yaml_get(r, "b"), "b", &flag, &err), 0);
    assert_int_equal(flag, 1);
    assert_int_equal(smug_yaml_want_bool(doc, smug_yaml_get(r, "y"), "y", &flag, &err), -1);
    assert_string_equal(err.msg, "t.yaml:5: y must be true or false: got 'yes'");
    assert_int_equal(smug_yaml_want_bool(doc, smug_yaml_get(r, "qt"), "qt", &flag, &err), -1);
    assert_string_equal(err.msg, "t.yaml:6: qt must be true or false: got 'true'");

    char **v = NULL;
    size_t n = 0;
    assert_int_equal(smug_yaml_want_strv(doc, smug_yaml_get(r, "l"), "l", &v, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[2], "c d");
    assert_null(v[3]);
    smug_yaml_strv_free(v);
    assert_int_equal(smug_yaml_want_strv(doc, smug_yaml_get(r, "e"), "e", &v, NULL, &err), 0);
    assert_null(v[0]);
    smug_yaml_strv_free(v);
    assert_int_equal(smug_yaml_want_strv(doc, smug_yaml_get(r, "s"), "s", &v, &n, &err), -1);
    assert_string_equal(err.msg, "t.yaml:1: s must be a list ([a, b] or one '- item' per line), "
                                 "not a scalar");
    assert_int_equal(smug_yaml_want_strv(doc, smug_yaml_get(r, "bad"), "bad", &v, &n, &err), -1);
    assert_string_equal(err.msg,
                        "t.yaml:10: an item of bad must be a single value, not a sequence");

    assert_int_equal(smug_yaml_fail(doc, NULL, &err, "missing required key '%s'", "x"), -1);
    assert_string_equal(err.msg, "t.yaml: missing required key 'x'");
    smug_yaml_free(doc);
    smug_yaml_strv_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree_shapes_and_lines),
        cmocka_unit_test(test_empty_documents),
        cmocka_unit_test(test_buffer_needs_no_terminator),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_defect_fixtures),
        cmocka_unit_test(test_nesting_limit_is_exact),
        cmocka_unit_test(test_more_refusals),
        cmocka_unit_test(test_check_keys_and_suggest),
        cmocka_unit_test(test_want_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
