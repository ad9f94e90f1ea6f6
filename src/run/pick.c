/* pick.c — a solver name to a registry entry, checked for what the command needs (pick.h).
 *
 * It reads the registry and PATH (through smug_solver_installed, the one PATH lookup) and
 * starts nothing: whether the solver answers is the strategy's business.
 */
#include "smug/pick.h"

#include <string.h>

int smug_pick_solver(const smug_solvers *reg, const char *name, unsigned need, const char *command,
                     const smug_solver **out, smug_error *err)
{
    const smug_solver *s;
    *out = NULL;
    if (smug_solvers_get(reg, name, &s, err) < 0)
        return -1;
    if ((need & SMUG_PICK_INSTALLED) && !smug_solver_installed(s, NULL, 0))
        return smug_fail(err, SMUG_ERR_SOLVER, "solver %s: '%s' is not installed (see %s)", s->name,
                         s->executable, s->path);
    if ((need & SMUG_PICK_SMTLIB) && s->format != SMUG_SOLVER_SMTLIB2)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "solver %s reads LP files; smug %s needs an SMT solver", s->name, command);
    *out = s;
    return 0;
}

int smug_pick_confirm(const smug_solvers *reg, const smug_params *p, const char *command,
                      const smug_solver **out, smug_error *err)
{
    *out = NULL;
    if (strcmp(p->confirm, "none") == 0)
        return 0;
    if (strcmp(p->confirm, p->solver) == 0)
        return smug_fail(err, SMUG_ERR_USAGE,
                         "--confirm %s: a confirming solver must differ from --solver %s",
                         p->confirm, p->solver);
    return smug_pick_solver(reg, p->confirm, SMUG_PICK_INSTALLED | SMUG_PICK_SMTLIB, command, out,
                            err);
}
