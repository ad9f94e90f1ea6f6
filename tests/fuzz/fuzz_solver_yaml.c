/* fuzz_solver_yaml.c — libFuzzer target over solver descriptions (smug_solver_load_buffer)
 * and the argv builder.
 *
 * The buffer is read as "solvers/z3.yaml", so `name: z3` is the one accepted name (of the
 * seeds, solvers/z3.yaml loads as it is; the others exercise every check before the name's,
 * which comes last). A description that loads must yield well-formed argv vectors for every
 * way of running it that it allows. Seeds: tests/fuzz/seeds/solver_yaml; crash regressions
 * in tests/fuzz/corpus/solver_yaml.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smug/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_argv(const smug_solver *s, const char *file, double timeout, int mem,
                       int incremental)
{
    char **argv = NULL;
    smug_error err = SMUG_ERROR_INIT;
    int allowed =
        (file ? s->file_args != NULL : s->stdin_args != NULL) && (!incremental || s->incremental);
    int rc = smug_solver_argv(s, file, timeout, mem, incremental, &argv, &err);
    assert((rc == 0) == allowed);
    if (rc < 0) {
        assert(err.msg[0] != '\0');
        return;
    }
    assert(strcmp(argv[0], s->executable) == 0);
    size_t n = 0;
    while (argv[n])
        n++;
    assert(n >= 1);
    free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_solver s;
    if (smug_solver_load_buffer(data, size, "solvers/z3.yaml", &s, &err) < 0) {
        assert(err.msg[0] != '\0' && s.name == NULL);
        return 0;
    }
    assert(strcmp(s.name, "z3") == 0 && s.default_strategy > 0);
    char caps[64];
    smug_solver_capabilities(&s, caps, sizeof caps);
    for (int incremental = 0; incremental < 2; incremental++) {
        check_argv(&s, NULL, 1.5, 100, incremental);
        check_argv(&s, "-p.smt2", 0, 0, incremental);
        check_argv(&s, "p{file}{ms}.smt2", 1e7, 1048576, incremental);
    }
    smug_solver_clear(&s);
    return 0;
}
