/* fuzz_sexpr.c — libFuzzer target over the solver-output parser (smug_sexpr_parse).
 *
 * Any byte string must either parse into an output whose invariants hold or fail with a
 * FORMAT message that names a byte offset, leaving the output empty; crashes, leaks, deep
 * recursion and sanitizer reports are bugs. Seeds are the real z3/cvc5 transcripts;
 * inputs that once crashed live in tests/fuzz/corpus/sexpr as regressions.
 */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smug/sexpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_output(const smug_solver_output *o)
{
    assert(o->n_answers >= 0 && o->n_values >= 0 && o->n_other >= 0);
    assert((o->n_answers == 0) == (o->answers == NULL));
    for (int i = 0; i < o->n_answers; i++)
        assert(o->answers[i] == SMUG_ANS_SAT || o->answers[i] == SMUG_ANS_UNSAT ||
               o->answers[i] == SMUG_ANS_UNKNOWN);
    assert(smug_solver_output_last_answer(o) ==
           (o->n_answers ? o->answers[o->n_answers - 1] : SMUG_ANS_NONE));
    for (int i = 0; i < o->n_values; i++) {
        const smug_value *v = &o->values[i];
        assert(v->name != NULL);
        if (i < 256) { /* find is a linear scan: keep the harness linear too */
            const smug_value *f = smug_solver_output_find(o, v->name);
            assert(f != NULL && f <= v && strcmp(f->name, v->name) == 0);
        }
        if (v->is_bool)
            assert(v->is_bool == 1 && (v->bool_value == 0 || v->bool_value == 1));
        else
            assert(isfinite(v->number));
    }
    if (o->has_objective)
        assert(!isnan(o->objective_lo) && !isnan(o->objective_hi) &&
               o->objective_lo <= o->objective_hi);
    if (o->error)
        (void)strlen(o->error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_solver_output o;
    if (smug_sexpr_parse((const char *)data, size, &o, &err) == 0) {
        check_output(&o);
        /* parsing is deterministic */
        smug_solver_output again;
        assert(smug_sexpr_parse((const char *)data, size, &again, &err) == 0);
        assert(again.n_answers == o.n_answers && again.n_values == o.n_values &&
               again.n_other == o.n_other && again.has_objective == o.has_objective &&
               (again.error == NULL) == (o.error == NULL));
        smug_solver_output_clear(&again);
        smug_solver_output_clear(&o);
    } else {
        assert(err.code == SMUG_ERR_FORMAT || err.code == SMUG_ERR_NOMEM);
        assert(err.code != SMUG_ERR_FORMAT || strstr(err.msg, " at byte ") != NULL);
        assert(o.answers == NULL && o.values == NULL && o.error == NULL);
        assert(o.n_answers == 0 && o.n_values == 0 && o.n_other == 0 && !o.has_objective);
    }
    return 0;
}
