/* replay.h — a proof (proof.h) as one SMT-LIB file that any solver re-checks (design §2
 * "Proofs", §3; smt/replay.c).
 *
 * `z3 F` or `cvc5 --incremental F` prints one "unsat" per leaf of every step. Layout:
 *   header (QF_LRA), Bool m_<row>_<col> per variable and its real relaxation r_<row>_<col>
 *   in [0, 1]; define-funs for the size and the rows of both (rows strict, > t_j, every
 *   number the exact value of smug's double), and for the facts (useless cells at 0,
 *   dominance implications); then per leaf
 *     (push 1) the rows, the facts, size ≤ B, the leaf's fixings [, size ≥ lemma]
 *     (set-info :status unsat) (check-sat) (pop 1)
 *   over the relaxation r for a leaf closed by an LP certificate (what the certificate
 *   proves: its real relaxation is infeasible), over m for a leaf a solver closed (what it
 *   was asked), and (exit).
 * The facts are symmetry breaking, not consequences of the rows; comments in the file say
 * why they keep some optimum and how to check them from the coefficients.
 * Several proofs go into one file with (reset) between them (smug_replay_join).
 */
#ifndef SMUG_REPLAY_H
#define SMUG_REPLAY_H

#include "smug/problem.h"
#include "smug/proof.h"
#include "smug/strbuf.h"

/* Appends the whole file for pr (source: :source text, no '|'). An empty proof gives a
 * file with no check-sat. Check out->failed for out of memory. */
void smug_replay_write(smug_strbuf *out, const smug_mask_problem *p, const smug_proof *pr,
                       const char *source);

/* Appends file text (a whole replay file) to out so that several make one file: its final
 * (exit) is dropped and, unless out is empty, (reset) goes first. Finish with "(exit)\n". */
void smug_replay_join(smug_strbuf *out, const char *text, size_t len);

#endif
