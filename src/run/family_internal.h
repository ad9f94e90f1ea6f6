/* family_internal.h — shared by the two parts of `smug family`: family.c (bundles,
 * measurements, statuses, files) and family_index.c (index.json, measured.csv, the tables).
 * Not part of the public API (smug/family.h is).
 */
#ifndef SMUG_FAMILY_INTERNAL_H
#define SMUG_FAMILY_INTERNAL_H

#include <stddef.h>

#include "smug/bundle.h"
#include "smug/family.h"

#define FAM_MAX_BUNDLES 1024
#define FAM_MAX_SOLVERS 16
#define FAM_FILE_MAX    ((size_t)256 << 20) /* the most read of one bundle file */

typedef struct fam_run { /* one measured run of one formula */
    char sha[65];
    char solver[32];
    char version[96];
    char answer[8]; /* sat unsat unknown timeout error */
    double seconds; /* wall-clock: what the timeout is about */
    double cpu;     /* CPU seconds (user + system): what difficulty is about */
} fam_run;

typedef struct fam_bundle {
    smug_bundle *b;
    char name[256]; /* its folder's name: the family folder it becomes */
} fam_bundle;

typedef struct fam_file { /* one benchmark file of a bundle */
    fam_bundle *b;
    const smug_bundle_problem *bp;
    const char *rel; /* its path in the bundle (owned by the bundle) */
    char *dest;      /* <bundle name>/<file name> in the family */
    char *text;      /* the file as emitted */
    size_t len;
    char sha[65];      /* of the formula */
    int duplicate;     /* an earlier file has the same formula: not written */
    int bound;         /* B of <id>.b<B>.smt2 */
    const char *claim; /* smug emit's :status: sat, unsat or unknown */
    /* decided by family.c */
    const char *status;                   /* sat, unsat or unknown */
    const char *difficulty;               /* easy, medium, hard or open */
    char confirmed_by[160];               /* "cvc5,z3" */
    const fam_run *runs[FAM_MAX_SOLVERS]; /* its measurements, by solver name */
    int n_runs;
} fam_file;

typedef struct family {
    const smug_family_options *o;
    fam_bundle bundles[FAM_MAX_BUNDLES];
    int n_bundles;
    fam_file *files;
    int n_files, cap_files;
    fam_run *runs;
    int n_runs, cap_runs;
    fam_file **order; /* the files written, by dest */
    int n_order;
} family;

/* The formula hash of file rel of bundle b (already read, or read now). */
int fam_file_sha(family *f, const fam_bundle *b, const char *rel, char out[65], smug_error *err);

/* family_index.c */
int fam_write_index(const family *f, smug_error *err);
int fam_write_measured(const family *f, smug_error *err);
void fam_tables(const family *f, smug_strbuf *out);

#endif
