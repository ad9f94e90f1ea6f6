/* test_config.c — run configs (src/io/config.c): the shipped configs/, path resolution,
 * precedence, every malformed file in tests/data/config/ (named for its defect), and the
 * rule that every params.def parameter is documented in configs/README.md and --help. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smug/config.h"
#include "smug/fsutil.h"
#include "smug/strbuf.h"
#include "testutil.h"

static void load_ok(const char *rel, smug_plan *plan)
{
    smug_error err = SMUG_ERROR_INIT;
    if (smug_config_load(tu_path(rel), plan, &err) < 0)
        fail_msg("%s: %s", rel, err.msg);
}

static void load_text(const char *text, const char *path, smug_plan *plan)
{
    smug_error err = SMUG_ERROR_INIT;
    if (smug_config_load_buffer(text, strlen(text), path, plan, &err) < 0)
        fail_msg("%s", err.msg);
}

static char *params_json(const smug_params *p)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_params_json(p, &sb);
    return smug_strbuf_detach(&sb, NULL);
}

static void test_fashion_fc(void **state)
{
    (void)state;
    smug_plan plan;
    load_ok("configs/fashion_fc.yaml", &plan);
    assert_string_equal(plan.config, tu_path("configs/fashion_fc.yaml"));
    assert_string_equal(plan.model, tu_path("configs/../models/fashion_fc.onnx"));
    assert_true(smug_fs_exists(plan.model));
    assert_int_equal(plan.n_inputs, 3);
    assert_string_equal(plan.inputs[0], tu_path("configs/../data/fashion/0000_ankle_boot.png"));
    for (int i = 0; i < plan.n_inputs; i++)
        assert_true(smug_fs_exists(plan.inputs[i]));
    assert_string_equal(plan.out_dir, tu_path("configs/../smug-out/fashion_fc"));
    /* the reference config spells out every default: it must not drift from params.def */
    smug_params defaults;
    smug_params_defaults(&defaults);
    char *got = params_json(&plan.params), *want = params_json(&defaults);
    assert_string_equal(got, want);
    free(got);
    free(want);
    smug_plan_clear(&plan);
    assert_null(plan.model); /* freed plans are empty plans */
}

static void test_fashion_cnn(void **state)
{
    (void)state;
    smug_plan plan;
    load_ok("configs/fashion_cnn.yaml", &plan);
    assert_true(smug_fs_exists(plan.model));
    assert_int_equal(plan.n_inputs, 3);
    for (int i = 0; i < plan.n_inputs; i++)
        assert_true(smug_fs_exists(plan.inputs[i]));
    assert_int_equal(plan.params.top_k, 16);
    assert_string_equal(plan.params.solver, "cvc5");
    tu_assert_close(plan.params.timeout, 120.0, 0);
    assert_int_equal(plan.params.steps, 300); /* not in the file: the default */
    smug_plan_clear(&plan);
}

static void test_path_resolution(void **state)
{
    (void)state;
    smug_plan plan;
    const char *text = "model: m.onnx\ninputs: [a.png, /abs/b.png, ../c]\nout: o\n";
    load_text(text, "cfg.yaml", &plan); /* no folder part: paths stay as written */
    assert_string_equal(plan.model, "m.onnx");
    assert_string_equal(plan.inputs[2], "../c");
    smug_plan_clear(&plan);

    load_text(text, "runs/x/cfg.yaml", &plan);
    assert_string_equal(plan.model, "runs/x/m.onnx");
    assert_string_equal(plan.inputs[0], "runs/x/a.png");
    assert_string_equal(plan.inputs[1], "/abs/b.png");
    assert_string_equal(plan.inputs[2], "runs/x/../c");
    assert_string_equal(plan.out_dir, "runs/x/o");
    smug_plan_clear(&plan);

    load_text("inputs: one.png\nparams:\n  # top_k: 3\n", "/etc/smug/cfg.yaml", &plan);
    /* one path: a list of one; an empty params: is no change */
    assert_int_equal(plan.n_inputs, 1);
    assert_string_equal(plan.inputs[0], "/etc/smug/one.png");
    assert_null(plan.model);
    assert_null(plan.out_dir);
    smug_plan_clear(&plan);
}

static void test_params_spellings_and_quotes(void **state)
{
    (void)state;
    smug_plan plan;
    load_text("params:\n  top-k: 3\n  gamma: \"0.25\"\n  strategy: bisect\n  solver: 'cvc5'\n",
              "c.yaml", &plan);
    assert_int_equal(plan.params.top_k, 3);
    tu_assert_close(plan.params.gamma, 0.25, 0);
    assert_int_equal(plan.params.strategy, 3);
    assert_string_equal(plan.params.solver, "cvc5");
    smug_plan_clear(&plan);
}

/* default < config < flag: the caller re-applies its flags on the loaded plan */
static void test_precedence(void **state)
{
    (void)state;
    smug_plan plan;
    smug_error err = SMUG_ERROR_INIT;
    load_text("model: m.onnx\ninputs: [a.png, b.png]\nparams: {gamma: 0.5, top_k: 3}\n", "d/c.yaml",
              &plan);
    assert_int_equal(smug_params_set(&plan.params, "gamma", "0.3", "--gamma", &err), 0);
    tu_assert_close(plan.params.gamma, 0.3, 0);
    assert_int_equal(plan.params.top_k, 3);  /* config, untouched by flags */
    assert_int_equal(plan.params.window, 0); /* default: auto (4 for images, 1 for tokens) */
    assert_int_equal(smug_plan_set_model(&plan, "other.onnx", &err), 0);
    assert_string_equal(plan.model, "other.onnx");
    const char *ins[] = {"x.png"};
    assert_int_equal(smug_plan_set_inputs(&plan, ins, 1, &err), 0);
    assert_int_equal(plan.n_inputs, 1);
    assert_string_equal(plan.inputs[0], "x.png");
    assert_int_equal(smug_plan_set_out_dir(&plan, "out2", &err), 0);
    assert_string_equal(plan.out_dir, "out2");
    assert_int_equal(smug_plan_set_out_dir(&plan, NULL, &err), 0);
    assert_null(plan.out_dir);
    smug_plan_clear(&plan);

    smug_plan_init(&plan); /* no config at all */
    assert_null(plan.config);
    assert_int_equal(plan.params.top_k, 8);
    smug_plan_clear(&plan);
}

static void test_defect_fixtures(void **state)
{
    (void)state;
    static const struct {
        const char *file, *want; /* want follows "<path>" */
    } cases[] = {
        {"bad_enum", ":3: strategy must be one of auto|optimize|tighten|bisect|incremental|base: "
                     "got 'fastest'"},
        {"bad_indentation",
         ":4:3: did not find expected key (while parsing a block mapping at line 2)"},
        {"duplicate_key", ":5:3: duplicate key 'top_k' (first at line 3)"},
        {"empty", ": a config is a mapping of keys (model: …, inputs: …, out: …, params: …); "
                  "see configs/README.md"},
        {"empty_inputs", ":3: inputs is an empty list"},
        {"empty_model", ":2: model has no value"},
        {"gamma_out_of_range", ":5: gamma must be in [0, 1]: got 1.5"},
        {"inputs_mapping",
         ":4: inputs must be a list ([a, b] or one '- item' per line), not a mapping"},
        {"nested_inputs", ":4: an item of inputs must be a single value, not a sequence"},
        {"not_a_mapping", ":2: a config is a mapping of keys (model: …, inputs: …, out: …, "
                          "params: …); see configs/README.md"},
        {"not_integer", ":3: top_k must be an integer: got '2.5'"},
        {"not_number", ":3: steps must be a number: got 'many'"},
        {"param_at_top_level", ":3: 'top_k' is a method parameter: put it under params:"},
        {"param_list_value", ":4: top_k must be a single value, not a sequence"},
        {"params_list", ":4: params must be a mapping (top_k: 8, …), not a sequence"},
        {"solver_newline", ":3: solver must be 1 to 127 plain characters: got 'z3\nrm'"},
        {"tab", ":4:1: found character that cannot start any token (while scanning for the next "
                "token at line 4)"},
        {"unknown_key", ":2: unknown key 'modle' (did you mean 'model'?)"},
        {"unknown_param", ":5: unknown parameter 'gama' (did you mean 'gamma'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char rel[128], want[1024];
        snprintf(rel, sizeof rel, "tests/data/config/%s.yaml", cases[i].file);
        const char *path = tu_path(rel);
        snprintf(want, sizeof want, "%s%s", path, cases[i].want);
        smug_plan plan;
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_config_load(path, &plan, &err), -1);
        assert_string_equal(err.msg, want);
        assert_int_equal(err.code, SMUG_ERR_FORMAT);
        assert_null(plan.model); /* a failed load leaves an empty plan */
        assert_int_equal(plan.n_inputs, 0);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    smug_plan plan;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_config_load("/nonexistent/cfg.yaml", &plan, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    assert_true(tu_has_prefix(err.msg, "/nonexistent/cfg.yaml: cannot open"));
    smug_plan_clear(&plan);
}

/* Every params.def name has a row in configs/README.md and a flag in --help. */
static void test_every_param_documented(void **state)
{
    (void)state;
    const char *names[256];
    int n = smug_params_names(names, 256);
    assert_true(n > 10 && n <= 256);
    assert_int_equal(smug_params_names(names, 2), n); /* cap limits copies, not the count */
    unsigned char *readme;
    size_t len;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_fs_read_all(tu_path("configs/README.md"), &readme, &len, &err) < 0)
        fail_msg("%s", err.msg);
    smug_strbuf help = SMUG_STRBUF_INIT;
    smug_params_help(&help);
    n = smug_params_names(names, 256);
    for (int i = 0; i < n; i++) {
        char row[96], flag[96];
        snprintf(row, sizeof row, "\n| `%s` |", names[i]);
        snprintf(flag, sizeof flag, "  --%s ", names[i]);
        for (char *c = flag; *c; c++)
            *c = *c == '_' ? '-' : *c;
        if (!strstr((const char *)readme, row))
            fail_msg("configs/README.md has no row for parameter '%s'", names[i]);
        if (!strstr(help.buf, flag))
            fail_msg("--help has no %s", flag);
    }
    smug_strbuf_clear(&help);
    free(readme);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fashion_fc),      cmocka_unit_test(test_fashion_cnn),
        cmocka_unit_test(test_path_resolution), cmocka_unit_test(test_params_spellings_and_quotes),
        cmocka_unit_test(test_precedence),      cmocka_unit_test(test_defect_fixtures),
        cmocka_unit_test(test_missing_file),    cmocka_unit_test(test_every_param_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
