/* fuzz_config.c — libFuzzer target over run configs (smug_config_load_buffer), and with it
 * the YAML tree of src/core/yaml.c.
 *
 * Any byte string must either load into a plan whose invariants hold or fail with a
 * message; crashes, leaks and sanitizer reports are bugs. Seeds: tests/fuzz/seeds/config;
 * inputs that once crashed live in tests/fuzz/corpus/config as regressions.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smug/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_plan(const smug_plan *plan)
{
    assert(plan->config && strcmp(plan->config, "fuzz/config.yaml") == 0);
    assert(plan->n_inputs >= 0);
    assert((plan->n_inputs == 0) == (plan->inputs == NULL));
    for (int i = 0; i < plan->n_inputs; i++)
        assert(plan->inputs[i] && plan->inputs[i][0]);
    assert(!plan->model || plan->model[0]);
    assert(!plan->out_dir || plan->out_dir[0]);
    assert(plan->params.solver[0] && strlen(plan->params.solver) < SMUG_PARAM_STR_MAX);
    assert(plan->params.gamma >= 0.0 && plan->params.gamma <= 1.0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smug_error err = SMUG_ERROR_INIT;
    smug_plan plan;
    if (smug_config_load_buffer(data, size, "fuzz/config.yaml", &plan, &err) == 0)
        check_plan(&plan);
    else
        assert(err.msg[0] != '\0' && plan.model == NULL && plan.n_inputs == 0);
    smug_plan_clear(&plan);
    return 0;
}
