/* plan.c — the run plan of a method command (run, emit, eval) from a config and flags. */
#include <string.h>

#include "cli.h"
#include "smug/config.h"

/* defaults < config < flags; the bundled model and image when nothing names them */
int cli_make_plan(const cli_args *a, smug_plan *plan, const char *default_out, smug_error *err)
{
    const char *config = cli_get(a, "config");
    if (config ? smug_config_load(config, plan, err) < 0 : (smug_plan_init(plan), 0))
        return -1;
    if (cli_apply_param_flags(a, &plan->params, err) < 0)
        return -1;
    const char *model = cli_get(a, "model") ? cli_get(a, "model") : plan->model;
    if (smug_plan_set_model(plan, model ? model : cli_default_model(), err) < 0)
        return -1;
    const char *out = cli_get(a, "out") ? cli_get(a, "out") : plan->out_dir;
    if (smug_plan_set_out_dir(plan, out ? out : default_out, err) < 0)
        return -1;
    if (a->n_multi)
        return smug_plan_set_inputs(plan, a->multi, a->n_multi, err);
    if (plan->n_inputs == 0) {
        const char *dflt = cli_default_input();
        return smug_plan_set_inputs(plan, &dflt, 1, err);
    }
    return 0;
}
