/* family.h — a benchmark family for solver research from emitted bundles (design §3;
 * run/family.c; `smug family`).
 *
 * Input: bundles written by `smug emit --family` (each a group of the family: one model,
 * k, gamma, window and encoding) and measurements: rows of
 *
 *     formula_sha256,solver,version,answer,seconds,cpu_seconds   (a measured.csv, header
 *                                                                 first)
 *     file,solver,version,answer,seconds,cpu_seconds             (a bundle's results/runs.csv,
 *                                                                 written by its solvers.sh)
 *
 * answer sat, unsat, unknown, timeout or error; seconds wall-clock, cpu_seconds the solver
 * process's user + system time (the timeout and the difficulty are measured in it, as
 * solvers.sh limits CPU time: a loaded machine must not change a file's class).
 * formula_sha256 is the sha256 of a file from its first line starting "(declare-" to its end: the
 * formula without the header, so a new :source date or :status keeps its measurements, and two
 * files with the same formula (the .npy and .png of one image, or two bundles that meet) are one
 * benchmark.
 *
 * Output, under DIR (every path relative, every list sorted, nothing time-dependent: the
 * same input gives the same bytes):
 *     DIR/<bundle name>/<id>.b<B>.smt2   each benchmark file once, its :status rewritten
 *     DIR/index.json                     per file: formula hash, status, who confirmed it,
 *                                        smug's claim, difficulty, every solver's measured
 *                                        answer and time, and the problem's parameters
 *     DIR/measured.csv                   the measurements of these files (the input format)
 *     DIR/instances.csv, <file>.yml, benchexec/, solvers.sh, run.slurm   (harness.h)
 *
 * A status is confirmed when two solvers answer it within the timeout and no answer
 * contradicts it (a solver, or smug's claim, answering the opposite fails the build: it is a
 * bug somewhere, not a statistic). Unconfirmed files keep :status unknown and difficulty
 * "open". The index keeps a "certificate" field per file for a checked LP certificate
 * (issue #13), which is then a confirmer like a solver. Difficulty is the CPU time of the
 * second confirming answer: easy < 1 s, medium < 5 s, hard otherwise (the measured timeout
 * bounds it: 20 s for smt2/).
 */
#ifndef SMUG_FAMILY_H
#define SMUG_FAMILY_H
#include "smug/error.h"
#include "smug/registry.h"
#include "smug/strbuf.h"

#define SMUG_FAMILY_EASY   1.0 /* seconds: below is easy */
#define SMUG_FAMILY_MEDIUM 5.0 /* seconds: below is medium, above hard */

typedef struct smug_family_options {
    const char *out;            /* DIR */
    const char *const *bundles; /* bundle folders, or folders of bundles (sorted) */
    int n_bundles;
    const char *const *measured; /* measured.csv files, read in order (later rows win) */
    int n_measured;
    double timeout;               /* CPU seconds: an answer after it counts as a timeout */
    int mem_mb;                   /* BenchExec's memory limit and solvers.sh's default */
    const smug_solvers *registry; /* for solvers.sh */
    int all_measured;             /* 1: a file without any measured run is an error */
} smug_family_options;

typedef struct smug_family_stats {
    int files;      /* written */
    int duplicates; /* dropped: same formula as a file already taken */
    int confirmed;  /* status sat or unsat */
} smug_family_stats;

/* Builds DIR as above. out_table (may be NULL) gets Markdown tables of the measured
 * difficulty: per solver, per difficulty class, per bundle. Errors name the bundle, file or
 * CSV line (FORMAT), or the contradicting answers. */
int smug_family_build(const smug_family_options *o, smug_strbuf *out_table,
                      smug_family_stats *out_stats, smug_error *err);

/* sha256 of the formula part of an SMT-LIB text (see above); -1 when it has no
 * declaration. */
int smug_family_formula_sha256(const char *text, size_t len, char out[65]);

#endif
