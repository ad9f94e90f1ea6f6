/* pick.h — the one place a solver's name (--solver, --confirm, a config's `solver:`) becomes
 * a registry entry, with what the command needs of it checked (run/pick.c).
 *
 * Every command asks here, so the same name fails the same way everywhere: an unknown name
 * lists the known solvers with "did you mean" (SMUG_ERR_USAGE, registry.h); a solver whose
 * executable is not on PATH is SMUG_ERR_SOLVER naming the executable and its YAML file; an
 * LP-only solver where SMT-LIB is needed is SMUG_ERR_USAGE naming the command.
 * The entries returned point into the registry (owned by it: smug_solvers_free).
 */
#ifndef SMUG_PICK_H
#define SMUG_PICK_H
#include "smug/params.h"
#include "smug/registry.h"

/* What a command needs of the solver it names (or-ed together). */
typedef enum smug_pick_need {
    SMUG_PICK_KNOWN = 0,     /* a name in the registry is enough (emit names it in files) */
    SMUG_PICK_INSTALLED = 1, /* its executable is on PATH (smug will start it) */
    SMUG_PICK_SMTLIB = 2,    /* it reads SMT-LIB (not CBC's LP files) */
} smug_pick_need;

/* The solver called `name`, checked for `need`; `command` ("run", "score"…) names the smug
 * subcommand in the SMT-LIB message. */
int smug_pick_solver(const smug_solvers *reg, const char *name, unsigned need, const char *command,
                     const smug_solver **out, smug_error *err);

/* The --confirm solver of p: NULL for "none"; otherwise an installed SMT-LIB solver other
 * than p->solver. */
int smug_pick_confirm(const smug_solvers *reg, const smug_params *p, const char *command,
                      const smug_solver **out, smug_error *err);

#endif
