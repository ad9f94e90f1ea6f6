/* registry.h — solver descriptions from solvers/<name>.yaml (design §4; schema in
 * solvers/README.md).
 *
 * A solver is data, not code: its executable, the arguments that make it read a problem
 * from stdin or from a file, how to pass a time and a memory limit, what it can do
 * (optimize, incremental, get_value), the signal that stops it gracefully and how to ask its
 * version. Adding a solver is one YAML file. smug_solver_argv turns a description into the
 * argv of one run; it never involves a shell (each template is exactly one argv element).
 *
 * Ownership: a smug_solvers registry owns its solvers and every string in them
 * (smug_solvers_free); pointers into it stay valid until then. Fields are read-only for
 * callers.
 */
#ifndef SMUG_REGISTRY_H
#define SMUG_REGISTRY_H

#include <stddef.h>

#include "smug/error.h"

/* What the solver reads: SMT-LIB 2 (z3, cvc5, …) or CPLEX LP format (a MILP solver). */
typedef enum { SMUG_SOLVER_SMTLIB2, SMUG_SOLVER_LP } smug_solver_format;

typedef struct smug_solver {
    char *name;       /* equals the file's stem: solvers/z3.yaml is "z3" */
    char *path;       /* the YAML file it came from */
    char *executable; /* a name looked up on PATH, or an absolute path */
    smug_solver_format format;
    /* argv templates (NULL-terminated vectors, never NULL themselves; maybe empty) */
    char **args;             /* always passed, right after the executable */
    char **incremental_args; /* added for an incremental (push/pop) session */
    char **stdin_args;       /* problem on stdin; NULL vector = the solver cannot */
    char **file_args;        /* problem in a file: one element holds {file}; NULL = cannot */
    char **time_limit;       /* {ms} or {s}: per check-sat limit; empty = no flag */
    char **memory_limit;     /* {mb}: memory limit in MiB; empty = no flag */
    char **trailing_args;    /* always passed, last (e.g. CBC's "-solve") */
    char **model_args;       /* print a model after every sat by itself (z3 dump_models=true,
                                cvc5 --dump-models), passed after args; NULL = it cannot, so
                                smug asks (get-value …) in a second step after sat */
    char **version_args;     /* prints the version (first line mentioning "version" wins) */
    int stop_signal;         /* sent at the deadline: SIGINT for z3 (prints its best model) */
    int optimize;            /* capabilities: (minimize …) objectives */
    int incremental;         /* push/pop and several check-sat in one process */
    int get_value;           /* (get-value …) after sat */
    int default_strategy;    /* index in params.def's strategy enum (never 0 = auto) */
} smug_solver;

typedef struct smug_solvers {
    char *dir; /* where the files were read */
    smug_solver *solvers;
    int n; /* sorted by file name */
} smug_solvers;

/* $SMUG_SOLVERS_DIR when set and non-empty, else SMUG_SOURCE_DIR "/solvers". */
const char *smug_solvers_default_dir(void);

/* Loads every .yaml file in `dir` (NULL = smug_solvers_default_dir()), sorted by name. Any bad
 * file fails the whole load with "<file>:<line>: …" (unknown keys get "did you mean";
 * missing required keys are named). An empty directory is an error. *out is the caller's
 * (smug_solvers_free). */
int smug_solvers_load(const char *dir, smug_solvers **out, smug_error *err);

void smug_solvers_free(smug_solvers *reg);

/* The solver called `name`, or NULL. */
const smug_solver *smug_solvers_find(const smug_solvers *reg, const char *name);

/* Like smug_solvers_find, but an unknown name is an error (SMUG_ERR_USAGE) listing the
 * known solvers, with "did you mean" when one is close. */
int smug_solvers_get(const smug_solvers *reg, const char *name, const smug_solver **out,
                     smug_error *err);

/* Parses one solver description. `path` names it in messages, and its stem must equal the
 * `name` key. On success the caller owns *out's fields (smug_solver_clear). */
int smug_solver_load_file(const char *path, smug_solver *out, smug_error *err);
int smug_solver_load_buffer(const void *data, size_t len, const char *path, smug_solver *out,
                            smug_error *err);

/* Frees the fields of s (not s itself) and zeroes it. */
void smug_solver_clear(smug_solver *s);

/* The argv for one run of s, in this order: executable, args, model_args, incremental_args (if
 * `incremental`), stdin_args (file NULL) or file_args (with {file} = file), time_limit (if
 * timeout > 0: {ms} = ceil(timeout·1000), {s} = ceil(timeout)), memory_limit (if mem_mb > 0:
 * {mb}), trailing_args. A limit the solver has no flag for is left out: smug's own deadline
 * and RLIMIT_AS (process.h) hold regardless. A file name starting with '-' is passed as
 * "./-…" so it cannot read as an option. Errors (SMUG_ERR_USAGE): stdin or file input that
 * s cannot take, incremental use of a non-incremental solver. *out_argv is ONE malloc'ed
 * block (the vector and its strings), NULL-terminated: free(*out_argv). */
int smug_solver_argv(const smug_solver *s, const char *file, double timeout, int mem_mb,
                     int incremental, char ***out_argv, smug_error *err);

/* 1 if the executable would start: found by smug_process_which, the lookup spawning uses
 * (process.h); its full path goes into buf (n bytes) when found. */
int smug_solver_installed(const smug_solver *s, char *buf, size_t n);

/* Runs executable + version_args (10 s limit, through process.h) and copies the first
 * output line that mentions "version" (any case), else the first non-empty line, into buf.
 * Errors (SMUG_ERR_SOLVER): cannot start, timed out, no output. */
int smug_solver_version(const smug_solver *s, char *buf, size_t n, smug_error *err);

/* "optimize, incremental, get_value" (the capabilities s has, or "none") into buf. */
const char *smug_solver_capabilities(const smug_solver *s, char *buf, size_t n);

/* "SIGINT", "SIGTERM", … for the stop signals a solver file may name; "?" otherwise. */
const char *smug_solver_signal_name(int sig);

#endif
