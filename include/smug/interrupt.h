/* interrupt.h — Ctrl-C, SIGTERM and SIGHUP as a request to stop, not a kill (core/interrupt.c).
 *
 * With the handlers installed (cli/main.c does, once), the first such signal only records
 * itself in smug's one process-wide flag (style habit 4). Everything that waits on a child
 * looks at the flag at least every 100 ms: a solver process is stopped as at its deadline
 * (its group gets the stop signal, then SIGKILL after the grace period, process.h), a search
 * ends with the best mask so far as after a timeout (strategy.h), and worker processes are
 * told to stop and waited for (smug solve, smug run --jobs). So no solver outlives an
 * interrupted smug. A second signal while the first is being handled takes the default
 * action (smug dies at once); the solvers then die with it, as they do when smug is killed
 * by SIGKILL: each solver is started with PR_SET_PDEATHSIG (spawn.c).
 *
 * Without the handlers (a program using the library that installs none), the flag stays
 * 0 and nothing changes.
 */
#ifndef SMUG_INTERRUPT_H
#define SMUG_INTERRUPT_H

#include "smug/error.h"

/* Installs the handlers for SIGINT, SIGTERM and SIGHUP (not restarting system calls). */
int smug_interrupt_catch(smug_error *err);

/* The signal that asked smug to stop (SIGINT, SIGTERM, SIGHUP), or 0. */
int smug_interrupted(void);

#endif
