/* bundle_emit.h — `smug emit`: the mask problems of a plan's inputs as a bundle
 * (bundle.h describes the layout; run/bundle_emit.c).
 */
#ifndef SMUG_BUNDLE_EMIT_H
#define SMUG_BUNDLE_EMIT_H
#include "smug/bundle.h"
#include "smug/config.h"
#include "smug/registry.h"

/* Called before input i (0-based) of n is emitted, and once more with i == n when all are
 * done (the caller clears its progress line). The library prints nothing itself. */
typedef void (*smug_emit_progress)(void *user, int i, int n, const char *input);

typedef struct smug_emit_options {
    int decision, optimize;       /* which forms to write (at least one) */
    int family;                   /* also the sat/unsat pair at a proved optimum */
    const smug_solver *solver;    /* proves optima for --family */
    const smug_solvers *registry; /* solvers.sh and :source's "Target solver" (NULL: none) */
    const char *generated_on;     /* YYYY-MM-DD for :source (the only date in a bundle) */
    int slurm_tasks;              /* > 0: also write BUNDLE/solve.slurm with this many tasks */
    smug_emit_progress progress;  /* NULL: none */
    void *progress_user;
} smug_emit_options;

/* Emits one problem per input of the plan (inputs expanded as smug run does) into dir,
 * which must not hold a manifest yet. An input whose stages fail stops the emit with an
 * error naming it (a bundle is all or nothing; nothing half-written remains valid: the
 * manifest is written last). */
int smug_bundle_emit(const smug_plan *plan, const smug_net *net, const char *dir,
                     const smug_emit_options *o, smug_error *err);

#endif
