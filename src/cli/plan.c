/* plan.c — the run plan of a method command (run, emit, eval) from a config and flags. */
#include <string.h>

#include "cli.h"
#include "smug/config.h"
#include "smug/registry.h"

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

int cli_solver(const smug_solvers *reg, const char *name, const smug_solver **out, smug_error *err)
{
    const smug_solver *s;
    if (smug_solvers_get(reg, name, &s, err) < 0)
        return -1;
    if (!smug_solver_installed(s, NULL, 0))
        return smug_fail(err, SMUG_ERR_SOLVER, "solver %s: '%s' is not installed (see %s)", s->name,
                         s->executable, s->path);
    *out = s;
    return 0;
}

int cli_smt_solver(const smug_solvers *reg, const char *name, const char *command,
                   const smug_solver **out, smug_error *err)
{
    if (cli_solver(reg, name, out, err) < 0)
        return -1;
    if ((*out)->format != SMUG_SOLVER_SMTLIB2)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver %s reads LP files; smug %s needs an SMT solver", (*out)->name,
                         command);
    return 0;
}

int cli_confirm_solver(const smug_solvers *reg, const smug_params *p, const char *command,
                       const smug_solver **out, smug_error *err)
{
    *out = NULL;
    if (strcmp(p->confirm, "none") == 0)
        return 0;
    if (strcmp(p->confirm, p->solver) == 0)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "--confirm %s: a confirming solver must differ from --solver %s",
                         p->confirm, p->solver);
    return cli_smt_solver(reg, p->confirm, command, out, err);
}
