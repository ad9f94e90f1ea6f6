/* sexpr.h — what an SMT solver printed, parsed (design §12; smt/sexpr.c).
 *
 * Input: the whole stdout of a z3 or cvc5 run on a smug problem (or several, for an
 * incremental session). Responses are read as S-expressions / atoms in order:
 *   sat | unsat | unknown                         one per (check-sat)
 *   ((m_0_1 true) (m_2_3 false) (size 5) …)       a (get-value …) response
 *   (model (define-fun m_0_1 () Bool true) …)     a (get-model) response; also z3's bare
 *                                                  "(define-fun …)" list without "model"
 *   (objectives (size 5))  or  (objectives (size (interval 3 5)))   z3 get-objectives
 *   (error "…")                                    any error line
 *   anything else (e.g. a stray "success")          ignored, counted in n_other
 * Values: true/false; integers/decimals ("5", "5.0", "2.5"); "(- x)"; "(/ a b)" in both
 * solvers' spellings ("(/ 1.0 3.0)", "(/ (- 1) 3)", "(- (/ 1.0 3.0))").
 *
 * Decision rule (style habit 2): an answer is believed only as printed; any (error …)
 * makes the output an error even if "sat"/"unsat" follows (z3 goes on after a parse error
 * with a weaker formula). Malformed text is SMUG_ERR_FORMAT, never a guess.
 */
#ifndef SMUG_SEXPR_H
#define SMUG_SEXPR_H

#include <stddef.h>

#include "smug/error.h"

typedef enum {
    SMUG_ANS_NONE = 0, /* no check-sat answer printed */
    SMUG_ANS_SAT,
    SMUG_ANS_UNSAT,
    SMUG_ANS_UNKNOWN
} smug_answer;

typedef struct smug_value {
    char *name;     /* variable or term name as printed, e.g. "m_3_4", "size" */
    int is_bool;
    int bool_value; /* when is_bool */
    double number;  /* when !is_bool: the rational evaluated as a double */
} smug_value;

typedef struct smug_solver_output {
    smug_answer *answers; /* every check-sat answer, in order */
    int n_answers;
    smug_value *values;   /* from the LAST get-value / get-model response */
    int n_values;
    int has_objective;    /* z3 get-objectives seen: bounds of the first objective */
    double objective_lo, objective_hi; /* equal unless z3 printed an interval */
    char *error;          /* first (error "…") message, or NULL */
    int n_other;          /* ignored top-level items */
} smug_solver_output;

/* Parses len bytes of text. On success *out is the caller's (smug_solver_output_free).
 * Fails (FORMAT) on unbalanced parentheses or a value it cannot read; the message gives
 * the byte offset. */
int smug_sexpr_parse(const char *text, size_t len, smug_solver_output *out, smug_error *err);

void smug_solver_output_free(smug_solver_output *o);

/* The last answer, or SMUG_ANS_NONE. */
smug_answer smug_solver_output_last_answer(const smug_solver_output *o);

/* Looks a value up by name; NULL when absent. */
const smug_value *smug_solver_output_find(const smug_solver_output *o, const char *name);

#endif
