/* judge.h — what one solver answer proves (design §2 "Proofs", style habit 2; smt/judge.c).
 *
 * The rules, for one (check-sat) asked of a solver:
 *  - unsat counts only as the single, clean answer: exactly one answer, "unsat", no
 *    (error …) anywhere, and — for a process smug ran itself — exit status 0 (a crash, a
 *    timeout, exit 1, "sat" before "unsat" all prove nothing). A session's answers are
 *    provisional until the session ends with status 0 (strategy.c checks that).
 *  - sat counts with a model that satisfies every row exactly and the bound; a variable the
 *    model leaves out is taken as 0 (the mask is checked either way). A model is
 *    self-certifying, so a sat answer needs no exit status.
 *  - anything else is "nothing", with a note saying what the solver did.
 * A raw stdout a user saved (`z3 problems/x.smt2 > results/x.z3.out`) has no exit status;
 * since every bundle problem ends with (get-value …), which SMT-LIB makes an error after
 * unsat, an error printed after the single "unsat" is accepted there (and only there).
 */
#ifndef SMUG_JUDGE_H
#define SMUG_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "smug/problem.h"
#include "smug/process.h"
#include "smug/sexpr.h"

typedef enum { SMUG_JUDGE_SAT, SMUG_JUDGE_UNSAT, SMUG_JUDGE_NOTHING } smug_judgement;

typedef struct smug_judge_rules {
    const smug_mask_problem *p;
    const char *who; /* the solver's (or file's) name, for notes */
    int bound;       /* the query's size ≤ bound */
    int raw;         /* 1: saved stdout, no exit status (see above) */
    int session;     /* 1: an answer block of a session: no exit status yet */
} smug_judge_rules;

typedef struct smug_judged {
    smug_judgement verdict;
    int out_of_time; /* NOTHING because of a time limit (unknown, or stopped at the deadline) */
    char note[512];  /* NOTHING: why */
} smug_judged;

/* Judges pr (its captured stdout and how it ended). *o receives the parsed output (the
 * caller frees it with smug_solver_output_clear, also when the text did not parse: then it
 * is empty); out_mask[p->n] the model on SAT. */
void smug_judge(const smug_process_result *pr, const smug_judge_rules *rules, smug_solver_output *o,
                uint8_t *out_mask, smug_judged *out);

/* The model in o as a mask (missing variables 0): 1 when it satisfies every row exactly and
 * has size ≤ bound, else 0 with a note. */
int smug_judge_model(const smug_solver_output *o, const smug_judge_rules *rules, uint8_t *out_mask,
                     char *note, size_t n);

/* What one saved solver transcript proves, for smug score (design §7). */
typedef enum {
    SMUG_READ_MASK,    /* a model that satisfies every row and size ≤ bound */
    SMUG_READ_OPTIMUM, /* optimize form, finished: the model is a proved optimum */
    SMUG_READ_UNSAT,   /* decision form: no mask of size ≤ bound (lower = bound + 1) */
    SMUG_READ_NOTHING  /* unknown, no answer, an error, a bad model: note says which */
} smug_read_kind;
typedef struct smug_reading {
    smug_read_kind kind;
    int size;       /* MASK, OPTIMUM: the model's size */
    int lower;      /* proved lower bound from this transcript (0: none) */
    char note[512]; /* NOTHING: why; otherwise empty */
} smug_reading;
/* Reads text (a solver's stdout on a problem of p: decision form asked at `bound`, or the
 * optimize form whose bound assertion is `bound`) by the raw rules above. out_mask[p->n]
 * receives the model (MASK, OPTIMUM). `who` names the solver or file in notes. */
void smug_solve_read(const smug_mask_problem *p, const char *who, const char *text, size_t len,
                     int bound, int optimize, uint8_t *out_mask, smug_reading *out);

#endif
