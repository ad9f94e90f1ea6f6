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
 *
 * Details (tests/data/transcripts/README.md shows the real outputs):
 * - Lexing is SMT-LIB 2.6: ';' comments, |quoted symbols| (names lose the bars: |x y| is
 *   "x y"), strings with "" for a quote; z3's \" and \\ inside strings are read as escapes
 *   too. Numbers are numeral or numeral.digits: no sign, no exponent ("-1", "1e3" are not
 *   values). Lists nest at most SMUG_SEXPR_MAX_DEPTH deep.
 * - A get-value item whose name is a term, e.g. ((+ x y) 2.5), keeps the term's text as
 *   printed as its name. In a model, define-funs with arguments or whose body is a term
 *   rather than a value (z3 prints a define-fun'd `size` that way) are skipped.
 * - Values are stored whatever the answer: cvc5 --tlimit-per prints "unknown" followed by
 *   all-false values, which are not a model. z3 in decision form prints
 *   (error "… model is not available") after unknown or unsat.
 * - Objectives: the first entry of the LAST get-objectives response. z3's infinite and
 *   infinitesimal terms are bounded conservatively: oo / (* (- 1) oo) give ±INFINITY, and
 *   a + k·epsilon moves the bound one ulp outwards (lo down when k < 0, hi up when k > 0),
 *   so lo <= hi always, and a single printed value gives lo == hi unless it has an epsilon.
 * - An "(error …)" list without a string message keeps its raw text as the message.
 */
#ifndef SMUG_SEXPR_H
#define SMUG_SEXPR_H

#include <stddef.h>

#include "smug/error.h"

/* Deeper nesting is a FORMAT error (no solver answer to a smug problem nests past ~10). */
#define SMUG_SEXPR_MAX_DEPTH 256

typedef enum {
    SMUG_ANS_NONE = 0, /* no check-sat answer printed */
    SMUG_ANS_SAT,
    SMUG_ANS_UNSAT,
    SMUG_ANS_UNKNOWN
} smug_answer;

typedef struct smug_value {
    char *name; /* variable or term name as printed, e.g. "m_3_4", "size" */
    int is_bool;
    int bool_value; /* when is_bool */
    double number;  /* when !is_bool: the rational evaluated as a double */
} smug_value;

typedef struct smug_solver_output {
    smug_answer *answers; /* every check-sat answer, in order */
    int n_answers;
    smug_value *values; /* from the LAST get-value / get-model response */
    int n_values;
    int has_objective;                 /* z3 get-objectives seen: bounds of the first objective */
    double objective_lo, objective_hi; /* equal unless z3 printed an interval */
    char *error;                       /* first (error "…") message, or NULL */
    int error_after; /* answers printed before that error: an error after "unsat" comes
                        from the (get-value …) that every smug file ends with, not from the
                        formula */
    int n_other;     /* ignored top-level items */
} smug_solver_output;

/* Parses len bytes of text (a NUL byte outside a comment is a FORMAT error). On success
 * *out is the caller's (smug_solver_output_clear). Fails (FORMAT) on unbalanced parentheses
 * or a value it cannot read; the message gives the byte offset ("… at byte 17 (line 2)")
 * and, when the output had one, the solver's first error message. On failure *out is left
 * all zero (nothing to free). */
int smug_sexpr_parse(const char *text, size_t len, smug_solver_output *out, smug_error *err);

/* Frees the answers, values and error text (not *o, which is the caller's) and zeroes *o;
 * NULL is fine. */
void smug_solver_output_clear(smug_solver_output *o);

/* The last answer, or SMUG_ANS_NONE. */
smug_answer smug_solver_output_last_answer(const smug_solver_output *o);

/* Looks a value up by name; NULL when absent. */
const smug_value *smug_solver_output_find(const smug_solver_output *o, const char *name);

#endif
