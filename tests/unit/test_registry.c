/* test_registry.c — solver descriptions (src/smt/registry.c): every malformed file in
 * tests/data/solvers/ (named for its defect, `name:` equal to the file stem), the shipped
 * solvers/ files, argv vectors, and real z3/cvc5 runs with the generated flags (skipped when
 * a solver is not installed), so a wrong flag in solvers/ fails here, not in a long run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smug/fsutil.h"
#include "smug/params.h"
#include "smug/process.h"
#include "smug/registry.h"
#include "smug/strbuf.h"
#include "testutil.h"

static smug_solvers *load_shipped(void)
{
    smug_solvers *reg = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_solvers_load(tu_path("solvers"), &reg, &err) < 0)
        fail_msg("solvers/: %s", err.msg);
    return reg;
}

static const smug_solver *need(const smug_solvers *reg, const char *name)
{
    const smug_solver *s = smug_solvers_find(reg, name);
    if (!s)
        fail_msg("solvers/%s.yaml is missing", name);
    return s;
}

static void test_defect_fixtures(void **state)
{
    (void)state;
    static const struct {
        const char *file, *want; /* want follows "<path>" */
    } cases[] = {
        {"auto_strategy", ":13: default_strategy must be one of "
                          "optimize|tighten|bisect|incremental|base: got 'auto'"},
        {"bad_placeholder", ":6: time_limit: unknown placeholder '{sec}' (allowed: {ms} {s})"},
        {"bad_signal", ":7: stop_signal must be one of SIGINT, SIGTERM, SIGKILL, SIGHUP, "
                       "SIGQUIT, SIGUSR1, SIGUSR2: got 'SIGSTOP'"},
        {"bad_strategy", ":13: default_strategy must be one of "
                         "optimize|tighten|bisect|incremental|base: got 'fastest'"},
        {"capabilities_list", ":9: capabilities must be a mapping (optimize: true, …)"},
        {"capability_not_bool", ":10: optimize must be true or false: got 'yes'"},
        {"empty_executable", ":3: executable has no value"},
        {"file_without_placeholder", ":5: file_args: no element holds {file}"},
        {"incremental_without_stdin",
         ":9: incremental: true needs stdin_args (a session talks over a pipe)"},
        {"missing_capability", ":10: capabilities: missing required key 'get_value'"},
        {"missing_key", ": missing required key 'executable'"},
        {"name_mismatch", ":2: name 'z3' must match the file name 'name_mismatch.yaml'"},
        {"no_input", ": needs stdin_args or file_args (how the solver reads a problem)"},
        {"not_a_mapping", ":2: a solver file is a mapping of keys (name: …, executable: …); "
                          "see solvers/README.md"},
        {"optimize_without_capability",
         ":13: default_strategy optimize needs capabilities: optimize: true"},
        {"relative_executable",
         ":3: executable 'bin/z3' must be a name found on PATH or an absolute path"},
        {"unknown_capability", ":12: unknown key 'get_values' (did you mean 'get_value'?)"},
        {"unknown_key", ":13: unknown key 'exectuable' (did you mean 'executable'?)"},
        {"wrong_type", ":14: args must be a list ([a, b] or one '- item' per line), not a scalar"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char rel[128], want[1024];
        snprintf(rel, sizeof rel, "tests/data/solvers/%s.yaml", cases[i].file);
        const char *path = tu_path(rel);
        snprintf(want, sizeof want, "%s%s", path, cases[i].want);
        smug_solver s;
        smug_error err = SMUG_ERROR_INIT;
        assert_int_equal(smug_solver_load_file(path, &s, &err), -1);
        assert_string_equal(err.msg, want);
        assert_int_equal(err.code, SMUG_ERR_FORMAT);
        assert_null(s.name); /* nothing half-loaded */
        assert_null(s.args);
    }
}

static void test_yaml_errors_propagate(void **state)
{
    (void)state;
    smug_solver s;
    smug_error err = SMUG_ERROR_INIT;
    const char *text = "name: x\nargs: [a\n";
    assert_int_equal(smug_solver_load_buffer(text, strlen(text), "solvers/x.yaml", &s, &err), -1);
    assert_true(tu_has_prefix(err.msg, "solvers/x.yaml:3:1: did not find expected ',' or ']'"));
    assert_int_equal(smug_solver_load_file("/nonexistent/z3.yaml", &s, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
}

static void test_shipped_solvers(void **state)
{
    (void)state;
    smug_solvers *reg = load_shipped();
    assert_int_equal(reg->n, 4);
    assert_string_equal(reg->solvers[0].name, "cbc"); /* sorted by file name */
    assert_string_equal(reg->solvers[1].name, "cvc4");
    assert_string_equal(reg->solvers[2].name, "cvc5");
    assert_string_equal(reg->solvers[3].name, "z3");
    char name[32], caps[64];

    const smug_solver *z3 = need(reg, "z3");
    assert_string_equal(z3->executable, "z3");
    assert_int_equal(z3->stop_signal, SIGINT);
    assert_string_equal(smug_solver_capabilities(z3, caps, sizeof caps),
                        "optimize, incremental, get_value");
    assert_string_equal(smug_params_enum_name("strategy", z3->default_strategy, name, sizeof name),
                        "tighten");
    assert_true(tu_has_prefix(z3->path, tu_path("solvers")));

    const smug_solver *cvc5 = need(reg, "cvc5");
    assert_int_equal(cvc5->stop_signal, SIGTERM);
    assert_int_equal(cvc5->format, SMUG_SOLVER_SMTLIB2);
    assert_string_equal(smug_solver_capabilities(cvc5, caps, sizeof caps),
                        "incremental, get_value");
    assert_string_equal(
        smug_params_enum_name("strategy", cvc5->default_strategy, name, sizeof name), "tighten");

    const smug_solver *cvc4 = need(reg, "cvc4");
    assert_int_equal(cvc4->stop_signal, SIGTERM);
    assert_string_equal(smug_solver_capabilities(cvc4, caps, sizeof caps),
                        "incremental, get_value");

    const smug_solver *cbc = need(reg, "cbc");
    assert_int_equal(cbc->format, SMUG_SOLVER_LP);
    assert_null(cbc->stdin_args);
    assert_string_equal(smug_solver_capabilities(cbc, caps, sizeof caps), "optimize");
    assert_string_equal(smug_solver_signal_name(cbc->stop_signal), "SIGINT");
    assert_string_equal(smug_solver_signal_name(SIGSEGV), "?");
    smug_solvers_free(reg);
}

static void test_find_and_get(void **state)
{
    (void)state;
    smug_solvers *reg = load_shipped();
    const smug_solver *s = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_solvers_get(reg, "cvc5", &s, &err), 0);
    assert_string_equal(s->name, "cvc5");
    assert_null(smug_solvers_find(reg, "yices"));
    char want[1024];
    assert_int_equal(smug_solvers_get(reg, "z4", &s, &err), -1);
    snprintf(want, sizeof want,
             "unknown solver 'z4' (did you mean 'z3'? known in %s: cbc, cvc4, cvc5, z3)", reg->dir);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_int_equal(smug_solvers_get(reg, "bitwuzla", &s, &err), -1);
    snprintf(want, sizeof want, "unknown solver 'bitwuzla' (known in %s: cbc, cvc4, cvc5, z3)",
             reg->dir);
    assert_string_equal(err.msg, want);
    smug_solvers_free(reg);
}

/* argv as one space-joined string, for compact comparisons */
static const char *joined(char **argv)
{
    static char buf[1024];
    buf[0] = '\0';
    for (size_t i = 0; argv[i]; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "", argv[i]);
    return buf;
}

static void expect_argv(const smug_solver *s, const char *file, double timeout, int mem,
                        int incremental, const char *want)
{
    char **argv = NULL;
    smug_error err = SMUG_ERROR_INIT;
    if (smug_solver_argv(s, file, timeout, mem, incremental, &argv, &err) < 0)
        fail_msg("%s: %s", s->name, err.msg);
    assert_string_equal(joined(argv), want);
    free(argv); /* one block */
}

static void test_argv(void **state)
{
    (void)state;
    smug_solvers *reg = load_shipped();
    const smug_solver *z3 = need(reg, "z3"), *cvc5 = need(reg, "cvc5"), *cbc = need(reg, "cbc");
    expect_argv(z3, NULL, 2.5, 100, 0, "z3 dump_models=true -smt2 -in -t:2500 -memory:100");
    expect_argv(z3, NULL, 0, 0, 1, "z3 dump_models=true -smt2 -in");
    expect_argv(z3, "p.smt2", 0.0004, 0, 0, "z3 dump_models=true -smt2 p.smt2 -t:1");
    expect_argv(z3, "-odd name.smt2", 60, 0, 0,
                "z3 dump_models=true -smt2 ./-odd name.smt2 -t:60000");
    expect_argv(cvc5, NULL, 1, 4096, 1,
                "cvc5 -m --lang=smt2 --dump-models --incremental --tlimit-per=1000");
    expect_argv(cvc5, "/tmp/a b.smt2", 0, 0, 0, "cvc5 -m --lang=smt2 --dump-models /tmp/a b.smt2");
    expect_argv(cbc, "p.lp", 2.2, 512, 0, "cbc p.lp -sec 3 -solve -solu -");
    expect_argv(need(reg, "cvc4"), NULL, 1, 4096, 1,
                "cvc4 -m --lang=smt2 --dump-models --incremental --tlimit-per=1000");

    char **argv = NULL;
    smug_error err = SMUG_ERROR_INIT;
    assert_int_equal(smug_solver_argv(cbc, NULL, 1, 0, 0, &argv, &err), -1);
    assert_true(tu_has_prefix(err.msg, "solver cbc cannot read a problem on stdin ("));
    assert_int_equal(err.code, SMUG_ERR_USAGE);
    assert_int_equal(smug_solver_argv(cbc, "p.lp", 1, 0, 1, &argv, &err), -1);
    assert_true(tu_has_prefix(err.msg, "solver cbc is not incremental ("));
    /* the file name is one element however it looks: no shell, no splitting */
    char **v = NULL;
    assert_int_equal(smug_solver_argv(z3, "a;rm -rf x $(y).smt2", 0, 0, 0, &v, &err), 0);
    assert_string_equal(v[3], "a;rm -rf x $(y).smt2");
    assert_null(v[4]);
    free(v);
    smug_solvers_free(reg);

    /* the executable is a name, taken as written: "{ms}" in it is not a placeholder (found
     * by fuzz_solver_yaml, tests/fuzz/corpus/solver_yaml/executable_with_placeholder.yaml) */
    static const char odd[] = "name: odd\nexecutable: \"/opt/odd{ms}/bin\"\n"
                              "stdin_args: []\ntime_limit: [\"-t{ms}\"]\nversion_args: []\n"
                              "capabilities: {optimize: false, incremental: false, "
                              "get_value: true}\ndefault_strategy: tighten\n";
    smug_solver s;
    assert_int_equal(smug_solver_load_buffer(odd, strlen(odd), "solvers/odd.yaml", &s, &err), 0);
    expect_argv(&s, NULL, 2, 0, 0, "/opt/odd{ms}/bin -t2000");
    smug_solver_clear(&s);
}

static void write_file(const char *path, const char *text)
{
    smug_error err = SMUG_ERROR_INIT;
    if (smug_fs_write_atomic(path, text, strlen(text), &err) < 0)
        fail_msg("%s", err.msg);
}

static const char my_solver[] = "name: mysolver\n"
                                "executable: /nonexistent/bin/mysolver\n"
                                "file_args: [\"--in={file}\"]\n"
                                "version_args: []\n"
                                "capabilities: {optimize: false, incremental: false, "
                                "get_value: true}\n"
                                "default_strategy: bisect\n";

static void test_directory_and_env(void **state)
{
    (void)state;
    char dir[] = "/tmp/smug_test_registry_XXXXXX";
    assert_non_null(mkdtemp(dir));
    smug_solvers *reg = NULL;
    smug_error err = SMUG_ERROR_INIT;
    char want[256];
    assert_int_equal(smug_solvers_load(dir, &reg, &err), -1);
    snprintf(want, sizeof want, "%s: no solver files (*.yaml)", dir);
    assert_string_equal(err.msg, want);

    char path[256], other[256];
    snprintf(path, sizeof path, "%s/mysolver.yaml", dir);
    snprintf(other, sizeof other, "%s/notes.txt", dir);
    write_file(path, my_solver);
    write_file(other, "not a solver");
    setenv("SMUG_SOLVERS_DIR", dir, 1);
    assert_string_equal(smug_solvers_default_dir(), dir);
    assert_int_equal(smug_solvers_load(NULL, &reg, &err), 0);
    assert_int_equal(reg->n, 1);
    const smug_solver *s = need(reg, "mysolver");
    assert_int_equal(s->stop_signal, SIGTERM); /* the default */
    assert_int_equal(s->time_limit[0] == NULL, 1);
    expect_argv(s, "x.smt2", 5, 100, 0, "/nonexistent/bin/mysolver --in=x.smt2");
    char found[256];
    assert_int_equal(smug_solver_installed(s, found, sizeof found), 0);
    assert_int_equal(smug_solver_version(s, found, sizeof found, &err), -1);
    assert_true(tu_has_prefix(err.msg, "mysolver: version query: could not start"));
    assert_int_equal(err.code, SMUG_ERR_SOLVER);
    smug_solvers_free(reg);

    setenv("SMUG_SOLVERS_DIR", "", 1);
    assert_string_equal(smug_solvers_default_dir(), SMUG_SOURCE_DIR "/solvers");
    unsetenv("SMUG_SOLVERS_DIR");
    assert_string_equal(smug_solvers_default_dir(), SMUG_SOURCE_DIR "/solvers");
    assert_int_equal(smug_solvers_load("/nonexistent/solvers", &reg, &err), -1);
    assert_int_equal(err.code, SMUG_ERR_IO);
    unlink(path);
    unlink(other);
    rmdir(dir);
}

/* ---- real solvers ------------------------------------------------------------------------ */

static const smug_solver *installed(const smug_solvers *reg, const char *name)
{
    const smug_solver *s = need(reg, name);
    char path[1024];
    return smug_solver_installed(s, path, sizeof path) ? s : NULL;
}

/* Runs s on `problem` (stdin, or a temporary file) and returns its stdout (static). */
static const char *run(const smug_solver *s, const char *problem, int use_file, double timeout,
                       int incremental)
{
    static char out[4096];
    char file[] = "/tmp/smug_test_problem_XXXXXX", **argv = NULL; /* no suffix: -smt2/--lang */
    if (use_file) {
        int fd = mkstemp(file);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, problem, strlen(problem)), (ssize_t)strlen(problem));
        close(fd);
    }
    smug_error err = SMUG_ERROR_INIT;
    if (smug_solver_argv(s, use_file ? file : NULL, timeout, 1024, incremental, &argv, &err) < 0)
        fail_msg("%s", err.msg);
    smug_process p = SMUG_PROCESS_INIT;
    p.argv = (const char *const *)argv;
    p.stdin_data = use_file ? NULL : problem;
    p.stdin_len = use_file ? 0 : strlen(problem);
    p.timeout = 30;
    p.stop_signal = s->stop_signal;
    smug_process_result r;
    if (smug_process_run(&p, &r, &err) < 0)
        fail_msg("%s", err.msg);
    snprintf(out, sizeof out, "%s", r.out.buf ? r.out.buf : "");
    if (r.outcome != SMUG_PROC_EXITED || r.exit_code != 0)
        fail_msg("%s: %s: %s", joined(argv), smug_process_describe(&r, file, sizeof file), out);
    smug_process_result_clear(&r);
    free(argv);
    if (use_file)
        unlink(file);
    return out;
}

/* Pigeonhole, 11 pigeons in 10 holes: unsat, and far too slow to finish in 0.2 s. */
static char *pigeonhole(void)
{
    smug_strbuf sb = SMUG_STRBUF_INIT;
    int n = 11;
    smug_strbuf_adds(&sb, "(set-logic QF_LRA)\n");
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n - 1; j++)
            smug_strbuf_addf(&sb, "(declare-const p%d_%d Bool)\n", i, j);
    for (int i = 0; i < n; i++) {
        smug_strbuf_adds(&sb, "(assert (or");
        for (int j = 0; j < n - 1; j++)
            smug_strbuf_addf(&sb, " p%d_%d", i, j);
        smug_strbuf_adds(&sb, "))\n");
    }
    for (int j = 0; j < n - 1; j++)
        for (int i = 0; i < n; i++)
            for (int k = i + 1; k < n; k++)
                smug_strbuf_addf(&sb, "(assert (not (and p%d_%d p%d_%d)))\n", i, j, k, j);
    smug_strbuf_adds(&sb, "(check-sat)\n");
    return smug_strbuf_detach(&sb, NULL);
}

static const char tiny[] = "(set-logic QF_LRA)(declare-const a Bool)(declare-const x Real)"
                           "(assert a)(assert (> x (- 0.5)))(check-sat)(get-value (a))\n";
static const char pushpop[] = "(set-logic QF_LRA)(declare-const a Bool)(push 1)(assert a)"
                              "(check-sat)(get-value (a))(pop 1)(assert (not a))(check-sat)"
                              "(get-value (a))\n";

/* "sat", a dumped model naming a, then tail. */
static int model_then(const char *out, const char *tail)
{
    size_t n = strlen(out), t = strlen(tail);
    return tu_has_prefix(out, "sat\n(") && strstr(out, "define-fun a () Bool") && n > t &&
           strcmp(out + n - t, tail) == 0;
}

static void test_real_solvers_take_the_flags(void **state)
{
    (void)state;
    smug_solvers *reg = load_shipped();
    const char *names[] = {"z3", "cvc5", "cvc4"};
    char *hard = pigeonhole();
    int ran = 0;
    for (size_t i = 0; i < 3; i++) {
        const smug_solver *s = installed(reg, names[i]);
        if (!s)
            continue;
        ran++;
        /* model_args: each sat is followed by the model, then get-value's answer */
        assert_true(model_then(run(s, tiny, 0, 10, 0), "((a true))\n"));
        assert_true(model_then(run(s, tiny, 1, 10, 0), "((a true))\n"));
        const char *two = run(s, pushpop, 0, 10, 1);
        assert_true(tu_has_prefix(two, "sat\n(") && strstr(two, "((a true))\nsat\n(") &&
                    model_then(strstr(two, "((a true))\nsat\n") + 11, "((a false))\n"));
        assert_string_equal(run(s, hard, 0, 0.2, 0), "unknown\n"); /* the per-check limit */
        char version[256];
        smug_error err = SMUG_ERROR_INIT;
        if (smug_solver_version(s, version, sizeof version, &err) < 0)
            fail_msg("%s", err.msg);
        assert_non_null(strstr(version, "ersion"));
    }
    free(hard);
    smug_solvers_free(reg);
    if (!ran)
        tu_skip("no solver of solvers/ is installed");
}

static void test_versions(void **state)
{
    (void)state;
    smug_solvers *reg = load_shipped();
    char version[256];
    smug_error err = SMUG_ERROR_INIT;
    const smug_solver *s;
    if ((s = installed(reg, "z3")) && smug_solver_version(s, version, sizeof version, &err) == 0)
        assert_true(tu_has_prefix(version, "Z3 version "));
    if ((s = installed(reg, "cvc5")) && smug_solver_version(s, version, sizeof version, &err) == 0)
        assert_true(tu_has_prefix(version, "This is cvc5 version "));
    if ((s = installed(reg, "cvc4")) && smug_solver_version(s, version, sizeof version, &err) == 0)
        assert_true(tu_has_prefix(version, "This is CVC4 version "));
    if ((s = installed(reg, "cbc")) && smug_solver_version(s, version, sizeof version, &err) == 0)
        assert_true(tu_has_prefix(version, "Version: "));
    assert_int_equal(err.code, SMUG_OK);
    smug_solvers_free(reg);
}

/* `smug solvers` and spawning look a solver up the same way (issue #15.2: with an empty PATH
 * the registry searched /usr/bin and said "installed" for a solver spawn could not start).
 * An empty PATH is the current directory only, as for execvp. */
static void test_installed_agrees_with_spawn(void **state)
{
    (void)state;
    static const char yaml[] = "name: shell\n"
                               "executable: sh\n"
                               "file_args: [\"{file}\"]\n"
                               "version_args: []\n"
                               "capabilities: {optimize: false, incremental: false, "
                               "get_value: false}\n"
                               "default_strategy: bisect\n";
    smug_solver s;
    smug_error err = {0};
    assert_int_equal(smug_solver_load_buffer(yaml, strlen(yaml), "shell.yaml", &s, &err), 0);
    char dir[] = "/tmp/smug_test_which_XXXXXX", cwd[4096], found[4096];
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    char *saved = strdup(getenv("PATH"));
    const char *paths[] = {"", "/usr/bin:/bin"};
    for (int i = 0; i < 2; i++) {
        setenv("PATH", paths[i], 1);
        smug_strbuf where = SMUG_STRBUF_INIT;
        int e = -1;
        assert_int_equal(smug_process_which("sh", &where, &e), 0);
        const char *argv[] = {"sh", "-c", "exit 3", NULL};
        smug_process p = {.argv = argv, .timeout = 10};
        smug_process_result r;
        assert_int_equal(smug_process_run(&p, &r, &err), 0);
        int started = r.outcome == SMUG_PROC_EXITED;
        smug_process_result_clear(&r);
        assert_int_equal(smug_solver_installed(&s, found, sizeof found), started);
        assert_int_equal(e == 0, started);
        assert_int_equal(started, i == 1); /* no ./sh in the empty folder; sh on /usr/bin */
        if (started)
            assert_string_equal(found, where.buf);
        smug_strbuf_clear(&where);
    }
    setenv("PATH", saved, 1);
    free(saved);
    assert_int_equal(chdir(cwd), 0);
    rmdir(dir);
    smug_solver_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defect_fixtures),
        cmocka_unit_test(test_yaml_errors_propagate),
        cmocka_unit_test(test_shipped_solvers),
        cmocka_unit_test(test_find_and_get),
        cmocka_unit_test(test_argv),
        cmocka_unit_test(test_directory_and_env),
        cmocka_unit_test(test_real_solvers_take_the_flags),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_installed_agrees_with_spawn),
    };
    return tu_exit_status(cmocka_run_group_tests(tests, NULL, NULL));
}
