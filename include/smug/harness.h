/* harness.h — the files that let generic harnesses run benchmark files without smug
 * (design §3, §7, §12; run/harness.c). Written under a root folder (a bundle, or a family such
 * as smt2/), every path relative to it, so the folder can be copied anywhere:
 *
 *     ROOT/instances.csv         file,status,timeout a line, no header (VNN-COMP's form;
 *                                status sat, unsat or unknown; timeout in CPU seconds)
 *     ROOT/<dir>/<stem>.yml      a BenchExec task definition beside each <stem>.smt2:
 *                                property ../benchexec/sat.prp, expected_verdict true = sat,
 *                                false = unsat, none when unknown
 *     ROOT/benchexec/smug.xml    a BenchExec benchmark definition over those tasks
 *     ROOT/benchexec/sat.prp     BenchExec's satisfiability property ("SATISFIABLE")
 *     ROOT/solvers.sh            runs one file with one solver: the command lines of
 *                                solvers/ YAML files written out, no smug needed
 *     ROOT/run.slurm             instances.csv as a Slurm job array through solvers.sh
 *
 * solvers.sh SOLVER FILE [TIMEOUT] runs from any directory with TIMEOUT CPU seconds
 * (ulimit -t; BenchExec's timelimit is CPU time too), writes ROOT/results/<file
 * stem>.<solver>.out (the solver's stdout: `smug score` reads it) and appends
 * "file,solver,version,answer,seconds,cpu_seconds" to ROOT/results/runs.csv (wall-clock and
 * CPU seconds of the solver process), answer being sat, unsat, unknown, timeout or error
 * (what `smug family` turns into measured times).
 * Nothing here is time-dependent: the same tasks give the same bytes.
 */
#ifndef SMUG_HARNESS_H
#define SMUG_HARNESS_H
#include "smug/error.h"
#include "smug/registry.h"

typedef struct smug_harness_task {
    const char *file;   /* relative to the root, ends in .smt2, e.g. "problems/x.b3.smt2" */
    const char *status; /* "sat", "unsat" or "unknown" */
} smug_harness_task;

/* instances.csv, the .yml beside every task file, benchexec/smug.xml and sat.prp, and
 * run.slurm, for n tasks in the given order. timeout in seconds, mem_mb the memory limit
 * BenchExec is given. Errors: IO naming the file. */
int smug_harness_write_tasks(const char *root, const smug_harness_task *tasks, int n,
                             double timeout, int mem_mb, smug_error *err);

/* root/solvers.sh with one entry per SMT-LIB solver of reg that reads files (installed here
 * or not: the cluster may have it), its argv templates written as shell words; mem_mb is the
 * default memory limit (MEM_MB overrides it). */
int smug_harness_write_solvers(const char *root, const smug_solvers *reg, int mem_mb,
                               smug_error *err);

/* "sat"/"unsat"/"unknown" for the answers solvers.sh records; NULL for anything else. */
const char *smug_harness_status_name(const char *answer);

#endif
