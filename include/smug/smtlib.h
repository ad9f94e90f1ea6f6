/* smtlib.h — the mask problem as SMT-LIB 2.6 text (design §3, contract).
 *
 * QF_LRA, one Bool per variable named m_<row>_<col> after its grid cell, rows as
 * (> (+ (ite m c 0.0) …) t), `size` a Real constant equal to the number of kept cells.
 * Every number is a plain decimal equal to the double smug holds, negatives as (- x) (cvc5
 * rejects -1.0; nobody accepts 1.5e-05). Proved facts are ordinary assertions so a file keeps its
 * strength when solved elsewhere: size ≥ lower bound, dominance implications, cells fixed to 0.
 *
 * Layout of a whole file: header (set-info :smt-lib-version, set-logic, :source, :license,
 * :category, :status), body (declarations, size, rows, proved facts), one query, (exit).
 * The pieces are separate so the incremental strategy can send the body once and then a
 * (push)…(pop) query per bound.
 */
#ifndef SMUG_SMTLIB_H
#define SMUG_SMTLIB_H

#include <stdint.h>

#include "smug/problem.h"
#include "smug/strbuf.h"

typedef struct smug_smt_facts {
    int lower;           /* assert size ≥ lower (0: nothing) */
    const uint8_t *zero; /* [n] variables asserted false, or NULL */
    const int *dom_from; /* implications m_from → m_to */
    const int *dom_to;
    int n_dom;
} smug_smt_facts;

/* Appends v as an SMT-LIB decimal: "0.25", "3.0", "(- 0.5)", never an exponent. The decimal
 * is v's exact value (every double is a finite decimal): 0.1 prints as
 * 0.1000000000000000055511151231257827021181583404541015625. */
void smug_smt_decimal(smug_strbuf *out, double v);

/* Header lines. source: free text for :source (no '|' characters); status: "sat",
 * "unsat" or "unknown". */
void smug_smt_header(smug_strbuf *out, const char *source, const char *status);

/* Declarations, size, rows and the proved facts. */
void smug_smt_body(smug_strbuf *out, const smug_mask_problem *p, const smug_smt_facts *facts);

/* (assert (<= size bound)), extra zero fixings (NULL for none), (check-sat) and a
 * (get-value (m_… size)). With push_pop it is wrapped in (push 1)…(pop 1) and followed by
 * (echo "<marker>") so an interactive reader knows where the answer ends. */
void smug_smt_decision_query(smug_strbuf *out, const smug_mask_problem *p, int bound,
                             const uint8_t *zero, int push_pop, const char *marker);

/* A leaf's query: (assert (<= size bound)) (check-sat), and (get-value …) only when
 * with_values: after unsat, SMT-LIB makes get-value an error (z3 then exits 1), so solvers
 * that print their model by themselves (registry.h model_args) are not asked. */
void smug_smt_leaf_query(smug_strbuf *out, const smug_mask_problem *p, int bound, int with_values);

/* (get-value (m_… size)) */
void smug_smt_get_values(smug_strbuf *out, const smug_mask_problem *p);

/* z3's optimisation form: (minimize size) (check-sat) (get-objectives) (get-value …). */
void smug_smt_optimize_query(smug_strbuf *out, const smug_mask_problem *p);

/* (assert m) / (assert (not m)) for every cell fixed in fix[n] (-1 = free), e.g. by LP
 * probing for the bound of the query that follows. */
void smug_smt_assert_fixed(smug_strbuf *out, const smug_mask_problem *p, const int8_t *fix);

/* (exit) */
void smug_smt_exit(smug_strbuf *out);

#endif
