/* bundle.h — a bundle of mask problems for offline solving (design §5, §7; run/bundle.c).
 *
 *     BUNDLE/manifest.json              what every file below is, and how to map answers back
 *     BUNDLE/model.onnx                 a copy of the model (its sha256 is in the manifest)
 *     BUNDLE/inputs/<id>.npy            each input as the model sees it (float32)
 *     BUNDLE/problems/<id>.smt2         decision form: is there a mask of size ≤ B?
 *     BUNDLE/problems/<id>.opt.smt2     z3 objective form (masks below the incumbent)
 *     BUNDLE/problems/<id>.b<B>.smt2    --family: benchmark files at B = optimum (sat) and
 *                                       optimum − 1 (unsat), or B = incumbent − 1 when the
 *                                       optimum was not proved (:status unknown)
 *     BUNDLE/problems/<id>.b<B>.yml     their BenchExec task definitions (harness.h)
 *     BUNDLE/instances.csv, benchexec/, run.slurm   --family: the harness files (harness.h)
 *     BUNDLE/solvers.sh                 one file with one solver, no smug (harness.h)
 *     BUNDLE/solve.slurm                --slurm N: smug solve as a job array, no paths in it
 *     BUNDLE/results/<id>.<solver>.json written by smug solve (bundle_solve.h)
 *     BUNDLE/results/<file stem>.<solver>.out  raw stdout of a plain solver run on
 *                                       problems/<file stem>.smt2, read by smug score
 *
 * A bundle is self-contained: `smug solve` and `smug score` need nothing outside it, so it
 * can be copied to a cluster and back. An id is the input file's name up to its first dot,
 * with characters outside [A-Za-z0-9_-] replaced by '_' (and "-2", "-3", … on a clash), so
 * ids never contain a dot and a result file's name parses back unambiguously. A name longer
 * than SMUG_BUNDLE_ID_HASHED keeps its first characters and ends in "-" and 8 hex digits of
 * its sha256, so every file name derived from an id fits the file system (NAME_MAX).
 *
 * A bundle may come from someone else: it is untrusted input (design §7). Its files are
 * read through b->dirfd without following links (fsutil.h), only regular files of bounded
 * size; an id from a manifest must be 1..SMUG_BUNDLE_ID_MAX characters of [A-Za-z0-9_-];
 * and the limits (timeout, mem_limit, jobs, threads) are never taken from its params: they
 * keep smug's defaults unless the command line sets them.
 *
 * The problem files are what smug run would send a solver: rows, proved facts (lower bound,
 * fixings, dominance) as assertions (params `encoding` raw: the rows and the bound only); B
 * is the emit-time incumbent's size minus one, so "unsat" proves the incumbent optimal and
 * "sat" gives a smaller mask. Family files are benchmarks in SMT-COMP's form (smtlib.h): no
 * output command, no lower-bound assertion (it would make the unsat file trivial); their
 * :status is smug's claim (proved_by says whose), which `smug family` (family.h) has two
 * solvers confirm. An input whose rows equal an earlier one's (the .npy and the .png of one
 * image) is a twin: its entry names the first (twin_of) and it gets no problem files.
 * Nothing time-dependent goes into the problem files except the :source date the caller
 * passes: the same config and date emit the same bytes.
 */
#ifndef SMUG_BUNDLE_H
#define SMUG_BUNDLE_H
#include <stdint.h>
#include "smug/error.h"
#include "smug/net.h"
#include "smug/pipeline.h"

#define SMUG_BUNDLE_FORMAT    1   /* manifest "format": bumped on an incompatible change */
#define SMUG_BUNDLE_ID_MAX    100 /* characters of an id */
#define SMUG_BUNDLE_ID_HASHED 92  /* longer names are cut and hashed to this length */

typedef struct smug_bundle_problem {
    char *id;
    char *input; /* the original path, as given */
    int predicted, target;
    double confidence;
    int k;             /* chosen neurons */
    int *neurons;      /* [k] */
    float *ig;         /* [k] IG of each chosen neuron */
    float *activation; /* [k] its pre-activation */
    int n_vars, n_rows;
    char rows_sha256[65]; /* of the rows' SMT-LIB text: the rebuilt problem must match */
    int upper;            /* the emit-time incumbent's size */
    int lower;            /* its proved lower bound */
    char incumbent_from[16];
    int *incumbent;  /* [upper] kept grid cells */
    int bound;       /* B of the decision file */
    int optimum;     /* proved at emit time (--family), else -1 */
    char *proved_by; /* who proved the optimum, NULL when not proved */
    char *decision, *optimize, *family_sat, *family_unsat; /* relative paths or NULL */
    char *family_unknown; /* the family file when the optimum was not proved, or NULL */
    char *twin_of;        /* the id of the earlier problem with the same rows, or NULL */
} smug_bundle_problem;

typedef struct smug_bundle {
    char *dir;
    int dirfd; /* the bundle folder, open (smug_bundle_load); -1 after smug_bundle_parse */
    char *smug_version;
    char *model_source; /* the model path emit read */
    char model_sha256[65];
    smug_params params;
    smug_bundle_problem *problems;
    int n;
} smug_bundle;

/* Opens the folder dir and reads its manifest.json; errors name the file and field. *out
 * is the caller's (smug_bundle_free, which closes the folder). */
int smug_bundle_load(const char *dir, smug_bundle **out, smug_error *err);
/* The same from manifest text; name labels errors, dir becomes b->dir. */
int smug_bundle_parse(const char *text, size_t len, const char *name, const char *dir,
                      smug_bundle **out, smug_error *err);
void smug_bundle_free(smug_bundle *b);

/* Loads dir/model.onnx and checks its sha256 against the manifest. */
int smug_bundle_net(const smug_bundle *b, smug_net **out, smug_error *err);

/* Problem i made again from the bundle alone: the input, the manifest's neurons, encode and
 * bounds (and, with search_incumbent, the short GLPK incumbent search smug run makes);
 * fails (FORMAT) when its rows differ from the emitted ones (rows_sha256). The manifest's
 * incumbent replaces the found one when smaller and valid; its lower bound is ignored (the
 * rebuilt bounds are certified afresh: a bundle is untrusted input). *out_x is
 * malloc'ed [size(input)]; *out is the caller's (smug_mask_result_clear) also after a
 * failure. */
int smug_bundle_rebuild(const smug_bundle *b, const smug_net *net, int i, int search_incumbent,
                        float **out_x, smug_mask_result *out, smug_error *err);

/* The explanation part of problem i (target, neurons and their IG) as smug_pipeline_finish
 * wants it; *out is the caller's (smug_explanation_clear). */
int smug_bundle_explanation(const smug_bundle *b, const smug_net *net, int i, smug_explanation *out,
                            smug_error *err);

/* sha256 of the rows' SMT-LIB text (declarations, size, rows; no facts): what emit records
 * and rebuild compares. */
int smug_bundle_rows_sha256(const smug_mask_problem *p, char out[65], smug_error *err);
/* The three forms of a problem file. */
typedef enum {
    SMUG_FORM_DECISION,  /* is there a mask of at most `bound` cells? (get-value) for smug */
    SMUG_FORM_OBJECTIVE, /* z3: minimize size over masks of at most `bound` cells */
    SMUG_FORM_BENCHMARK  /* competition-clean decision: no output command, no lower bound */
} smug_form;

/* A problem file after its header, the one text emit writes and score writes again to
 * check that a saved solver output answers this very problem. The body: the rows, and with
 * `assisted` smug's facts (size ≥ lemma when lemma > 0 and the form is not BENCHMARK, b's
 * useless cells and dominance pairs). Then the query: DECISION and BENCHMARK at `bound`
 * with (assisted) the certified reduced-cost fixings for it (bounds.h); OBJECTIVE over
 * masks of at most `bound` cells with (assisted) each fixing guarded by the bound it holds
 * below. DECISION and OBJECTIVE end with (exit). Appended to out. */
#include "smug/strbuf.h"
int smug_bundle_problem_text(const smug_mask_problem *p, const smug_bounds *b, int lemma, int bound,
                             smug_form form, int assisted, smug_strbuf *out, smug_error *err);

/* Frees what a problem entry owns (not the entry). */
void smug_bundle_problem_clear(smug_bundle_problem *p);

/* "I/N" → shard index and count, 0 ≤ I < N. */
int smug_bundle_parse_shard(const char *spec, int *out_index, int *out_count, smug_error *err);
/* 1 when problem i belongs to shard I of N (round robin over manifest order). */
int smug_bundle_in_shard(int i, int index, int count);

/* The id for an input path (see above), without the clash suffix, into buf (n >
 * SMUG_BUNDLE_ID_HASHED). */
const char *smug_bundle_id_for(const char *input, char *buf, size_t n);
#endif
