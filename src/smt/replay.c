/* replay.c — writes a proof as a replayable SMT-LIB file (replay.h).
 *
 * The rows are written once, as define-funs, and each leaf is a (push)…(pop) that asserts
 * them, so the file grows with the number of leaves only by their fixings. This file only
 * writes; whether the leaves are really unsat is for the solver that reads it (and, for
 * certificate leaves, smug's own exact check, certify.h).
 */
#include "smug/replay.h"

#include <stdlib.h>
#include <string.h>

#include "smug/smtlib.h"

static void var(smug_strbuf *out, const smug_mask_problem *p, int i, char prefix)
{
    char name[64];
    smug_mask_var_name(p, i, name, sizeof name);
    name[0] = prefix; /* m_<row>_<col> → r_<row>_<col> for the relaxation */
    smug_strbuf_adds(out, name);
}

/* (op a b …) with SMT-LIB's arities: none → empty, one → itself. */
static void nary_open(smug_strbuf *out, const char *op, int terms, const char *empty)
{
    if (terms == 0)
        smug_strbuf_adds(out, empty);
    else if (terms > 1)
        smug_strbuf_addf(out, "(%s", op);
}

static void nary_close(smug_strbuf *out, int terms)
{
    if (terms > 1)
        smug_strbuf_adds(out, ")");
}

static void size_fun(smug_strbuf *out, const smug_mask_problem *p, char x)
{
    smug_strbuf_addf(out, "(define-fun size_%c () Real ", x);
    nary_open(out, "+", p->n, "0.0");
    for (int i = 0; i < p->n; i++) {
        smug_strbuf_adds(out, p->n > 1 ? " " : "");
        if (x == 'm') {
            smug_strbuf_adds(out, "(ite ");
            var(out, p, i, 'm');
            smug_strbuf_adds(out, " 1.0 0.0)");
        } else {
            var(out, p, i, 'r');
        }
    }
    nary_close(out, p->n);
    smug_strbuf_adds(out, ")\n");
}

/* lhs_<x>_<j>: row j's sum over m (ite) or over r (products). */
static void lhs_fun(smug_strbuf *out, const smug_mask_problem *p, int j, char x)
{
    int terms = (int)(p->row_start[j + 1] - p->row_start[j]); /* nonzeros only */
    smug_strbuf_addf(out, "(define-fun lhs_%c_%d () Real ", x, j);
    nary_open(out, "+", terms, "0.0");
    for (size_t e = p->row_start[j]; e < p->row_start[j + 1]; e++) {
        int i = p->row_var[e];
        double a = p->row_coef[e];
        smug_strbuf_adds(out, terms > 1 ? " (" : "(");
        smug_strbuf_adds(out, x == 'm' ? "ite " : "* ");
        if (x == 'm') {
            var(out, p, i, 'm');
            smug_strbuf_adds(out, " ");
            smug_smt_decimal(out, a);
            smug_strbuf_adds(out, " 0.0)");
        } else {
            smug_smt_decimal(out, a);
            smug_strbuf_adds(out, " ");
            var(out, p, i, 'r');
            smug_strbuf_adds(out, ")");
        }
    }
    nary_close(out, terms);
    smug_strbuf_adds(out, ")\n");
}

static void rows_fun(smug_strbuf *out, const smug_mask_problem *p, char x)
{
    for (int j = 0; j < p->k; j++)
        lhs_fun(out, p, j, x);
    smug_strbuf_addf(out, "(define-fun rows_%c () Bool ", x);
    nary_open(out, "and", p->k, "true");
    for (int j = 0; j < p->k; j++) {
        smug_strbuf_addf(out, "\n  (> lhs_%c_%d ", x, j);
        smug_smt_decimal(out, p->t[j]);
        smug_strbuf_adds(out, ")");
    }
    nary_close(out, p->k);
    smug_strbuf_adds(out, ")\n");
}

/* The certificate of an LP leaf as its one row assertion: Σ y_j (lhs_j − t_j) + Σ z_d (r_to
 * − r_from) + μ (B − size) > 0 (≥ 0 without a positive y). Every multiplier is a literal
 * decimal ≥ 0 and every bracket is > 0 or ≥ 0 by the leaf's relaxation (rows_r, facts_r,
 * size_r ≤ B), so the relaxation implies it; the solver then shows that it has no point in
 * the box with the facts and fixings, so neither has the relaxation. The rows are not
 * asserted one by one: measured, z3 4.8.12 and cvc5 1.0.3 take minutes on the bare
 * relaxation of 16 dense exact rows and under a second on this. */
static void combination(smug_strbuf *out, const smug_mask_problem *p, const smug_cert *c, int bound)
{
    int strict = 0, terms = 1;
    for (int t = 0; t < c->n_y; t++)
        strict |= c->y[t] > 0.0, terms += c->y[t] > 0.0;
    for (int t = 0; t < c->n_z; t++)
        terms += c->z[t] > 0.0;
    smug_strbuf_addf(out, "(assert (%s ", strict ? ">" : ">=");
    nary_open(out, "+", terms, "0.0");
    for (int t = 0; t < c->n_y; t++) {
        if (!(c->y[t] > 0.0))
            continue;
        smug_strbuf_adds(out, "\n  (* ");
        smug_smt_decimal(out, c->y[t]);
        smug_strbuf_addf(out, " (- lhs_r_%d ", c->y_row[t]);
        smug_smt_decimal(out, p->t[c->y_row[t]]);
        smug_strbuf_adds(out, "))");
    }
    for (int t = 0; t < c->n_z; t++) {
        if (!(c->z[t] > 0.0))
            continue;
        smug_strbuf_adds(out, "\n  (* ");
        smug_smt_decimal(out, c->z[t]);
        smug_strbuf_adds(out, " (- ");
        var(out, p, c->z_to[t], 'r');
        smug_strbuf_adds(out, " ");
        var(out, p, c->z_from[t], 'r');
        smug_strbuf_adds(out, "))");
    }
    smug_strbuf_adds(out, "\n  (* ");
    smug_smt_decimal(out, c->mu);
    smug_strbuf_addf(out, " (- %d.0 size_r))", bound);
    nary_close(out, terms);
    smug_strbuf_adds(out, " 0.0))\n");
}

static void facts_fun(smug_strbuf *out, const smug_mask_problem *p, const smug_proof *pr, char x)
{
    int terms = pr->n_dom;
    for (int i = 0; pr->zero && i < p->n; i++)
        terms += pr->zero[i] != 0;
    smug_strbuf_addf(out, "(define-fun facts_%c () Bool ", x);
    nary_open(out, "and", terms, "true");
    for (int i = 0; pr->zero && i < p->n; i++) {
        if (!pr->zero[i])
            continue;
        smug_strbuf_adds(out, x == 'm' ? "\n  (not " : "\n  (= ");
        var(out, p, i, x);
        smug_strbuf_adds(out, x == 'm' ? ")" : " 0.0)");
    }
    for (int d = 0; d < pr->n_dom; d++) {
        smug_strbuf_adds(out, x == 'm' ? "\n  (=> " : "\n  (>= ");
        var(out, p, x == 'm' ? pr->dom_from[d] : pr->dom_to[d], x);
        smug_strbuf_adds(out, " ");
        var(out, p, x == 'm' ? pr->dom_to[d] : pr->dom_from[d], x);
        smug_strbuf_adds(out, ")");
    }
    nary_close(out, terms);
    smug_strbuf_adds(out, ")\n");
}

typedef struct leaf_writer {
    smug_strbuf *out;
    const smug_mask_problem *p;
    const smug_proof *pr;
    const smug_proof_step *st;
    int count;
} leaf_writer;

/* Σ_{c ∈ S} (ite m c 1 0) or Σ r_c over a cover cut's cells. */
static void cut_sum(smug_strbuf *out, const smug_mask_problem *p, const int *cells, int r, char x)
{
    nary_open(out, "+", r, "0.0");
    for (int v = 0; v < r; v++) {
        smug_strbuf_adds(out, r > 1 ? " " : "");
        smug_strbuf_adds(out, x == 'm' ? "(ite " : "");
        var(out, p, cells[v], x);
        smug_strbuf_adds(out, x == 'm' ? " 1.0 0.0)" : "");
    }
    nary_close(out, r);
}

/* A cover leaf (cover.h): each cut it uses, alone, over m (the rows with fewer than q of
 * its cells kept are unsat), then the cuts together over the relaxation r with the bound
 * and fixings: their LP has no point, which the certificate's multipliers show. */
static int write_cover_leaf(leaf_writer *w, const smug_proof_node *leaf, const int8_t *fix)
{
    smug_strbuf *out = w->out;
    smug_cover_cert c;
    smug_proof_cover(w->pr, leaf->cert, &c);
    int *cells = malloc((size_t)(w->p->n > 0 ? w->p->n : 1) * sizeof *cells);
    if (!cells)
        return 1;
    smug_strbuf_adds(out, "; leaf closed by a cover certificate: its cuts, each implied by one "
                          "row,\n; then their relaxation with the bound\n");
    for (int t = 0; t < c.n; t++) {
        int r = c.y[t] > 0.0 ? smug_cover_cut_cells(w->p, &c.cut[t], cells) : 0;
        if (r <= 0)
            continue;
        smug_strbuf_adds(out, "(push 1)\n(assert rows_m)\n(assert (< ");
        cut_sum(out, w->p, cells, r, 'm');
        smug_strbuf_addf(out, " %d.0))\n(set-info :status unsat)\n(check-sat)\n(pop 1)\n",
                         c.cut[t].q);
    }
    smug_strbuf_adds(out, "(push 1)\n(assert facts_r)\n");
    smug_strbuf_addf(out, "(assert (<= size_r %d.0))\n", w->st->bound);
    for (int i = 0; i < w->p->n; i++) {
        if (fix[i] < 0 || (w->pr->zero && w->pr->zero[i]))
            continue;
        smug_strbuf_adds(out, "(assert (= ");
        var(out, w->p, i, 'r');
        smug_strbuf_adds(out, fix[i] ? " 1.0))\n" : " 0.0))\n");
    }
    for (int t = 0; t < c.n; t++) {
        int r = c.y[t] > 0.0 ? smug_cover_cut_cells(w->p, &c.cut[t], cells) : 0;
        if (r <= 0)
            continue;
        smug_strbuf_adds(out, "(assert (>= ");
        cut_sum(out, w->p, cells, r, 'r');
        smug_strbuf_addf(out, " %d.0))\n", c.cut[t].q);
    }
    smug_strbuf_adds(out, "(set-info :status unsat)\n(check-sat)\n(pop 1)\n");
    free(cells);
    w->count++;
    return 0;
}

static int write_leaf(void *user, const smug_proof_node *leaf, const int8_t *fix)
{
    leaf_writer *w = user;
    if (leaf->kind == SMUG_NODE_COVER)
        return write_cover_leaf(w, leaf, fix);
    smug_strbuf *out = w->out;
    const smug_proof *pr = w->pr;
    int lp = leaf->kind == SMUG_NODE_CERT;
    char x = lp ? 'r' : 'm';
    w->count++;
    int cert = lp && leaf->cert >= 0;
    if (cert)
        smug_strbuf_adds(out, "; leaf closed by an LP certificate: its real relaxation has no "
                              "point, as the\n; implied combination of its rows shows alone\n");
    else if (lp)
        smug_strbuf_adds(out, "; leaf closed by an LP value in floating point: its relaxation\n");
    else if (leaf->confirmer >= 0)
        smug_strbuf_addf(out, "; leaf closed by %s, confirmed by %s\n", pr->names[leaf->solver],
                         pr->names[leaf->confirmer]);
    else
        smug_strbuf_addf(out, "; leaf closed by %s\n", pr->names[leaf->solver]);
    smug_strbuf_adds(out, "(push 1)\n");
    if (!cert) /* a certificate leaf asserts the rows through their combination only */
        smug_strbuf_addf(out, "(assert rows_%c)\n", x);
    smug_strbuf_addf(out, "(assert facts_%c)\n", x);
    smug_strbuf_addf(out, "(assert (<= size_%c %d.0))\n", x, w->st->bound);
    if (!lp && w->st->lemma > 0)
        smug_strbuf_addf(out, "(assert (>= size_m %d.0))\n", w->st->lemma);
    for (int i = 0; i < w->p->n; i++) {
        if (fix[i] < 0 || (pr->zero && pr->zero[i]))
            continue; /* free, or a fact already */
        if (lp) {
            smug_strbuf_adds(out, "(assert (= ");
            var(out, w->p, i, 'r');
            smug_strbuf_adds(out, fix[i] ? " 1.0))\n" : " 0.0))\n");
        } else {
            smug_strbuf_adds(out, fix[i] ? "(assert " : "(assert (not ");
            var(out, w->p, i, 'm');
            smug_strbuf_adds(out, fix[i] ? ")\n" : "))\n");
        }
    }
    if (cert) {
        smug_cert c;
        smug_proof_cert(pr, leaf->cert, &c);
        combination(out, w->p, &c, w->st->bound);
    }
    smug_strbuf_adds(out, "(set-info :status unsat)\n(check-sat)\n(pop 1)\n");
    return 0;
}

static const char preamble[] =
    "; smug's proof of a lower bound (design.md §2 \"Proofs\"). Every (check-sat) below must\n"
    "; answer unsat: `z3 FILE` or `cvc5 --incremental FILE`. A step proves that no mask m\n"
    "; (m_<row>_<col> true = grid cell kept) of size <= B satisfies the rows; its leaves\n"
    "; cover every mask (smug writes the branch-and-bound tree, whose leaves they are).\n"
    "; Leaves closed by an LP certificate are stated over the real relaxation r in [0, 1]\n"
    "; (no point there means no mask), their rows as the certificate's combination: a sum,\n"
    "; with literal multipliers >= 0, of (lhs_r_j - t_j) > 0, (r_to - r_from) >= 0 and\n"
    "; (B - size_r) >= 0, so implied by the rows, the facts and the bound; unsat of the\n"
    "; combination with the box, facts, bound and fixings is unsat of the relaxation.\n"
    "; Leaves a solver closed are stated over m, as the solver was asked, with the earlier\n"
    "; steps' bound as size >= lemma. Every number is the exact value smug computed with.\n"
    "; The facts are symmetry breaking, not consequences of the rows: a cell with no positive\n"
    "; coefficient only lowers row sums (drop it from any mask), and m_q => m_p is asserted\n"
    "; only when cell p's coefficients are >= cell q's in every row (strictly in one, or\n"
    "; p's index first), so moving q's 1 to p keeps every row and the size: some mask of\n"
    "; each size satisfies all facts if any mask of that size satisfies the rows.\n";

void smug_replay_write(smug_strbuf *out, const smug_mask_problem *p, const smug_proof *pr,
                       const char *source)
{
    smug_strbuf_adds(out, "(set-info :smt-lib-version 2.6)\n(set-logic QF_LRA)\n");
    smug_strbuf_addf(out, "(set-info :source |%s|)\n", source);
    smug_strbuf_adds(out, "(set-info :license \"https://creativecommons.org/licenses/by/4.0/\")\n"
                          "(set-info :category \"industrial\")\n");
    smug_strbuf_adds(out, preamble);
    for (int i = 0; i < p->n; i++) {
        smug_strbuf_adds(out, "(declare-const ");
        var(out, p, i, 'm');
        smug_strbuf_adds(out, " Bool)\n(declare-const ");
        var(out, p, i, 'r');
        smug_strbuf_adds(out, " Real)\n(assert (and (<= 0.0 ");
        var(out, p, i, 'r');
        smug_strbuf_adds(out, ") (<= ");
        var(out, p, i, 'r');
        smug_strbuf_adds(out, " 1.0)))\n");
    }
    size_fun(out, p, 'm');
    size_fun(out, p, 'r');
    rows_fun(out, p, 'm');
    rows_fun(out, p, 'r');
    facts_fun(out, p, pr, 'm');
    facts_fun(out, p, pr, 'r');
    for (int s = 0; s < pr->n_steps; s++) {
        const smug_proof_step *st = &pr->steps[s];
        smug_strbuf_addf(out, "; step %d: no mask of size <= %d", s + 1, st->bound);
        if (st->lemma > 0)
            smug_strbuf_addf(out, " (given size >= %d, from the steps before)", st->lemma);
        smug_strbuf_adds(out, "\n");
        leaf_writer w = {out, p, pr, st, 0};
        char why[256];
        if (smug_proof_walk(pr, s, write_leaf, &w, why, sizeof why) != 0)
            smug_strbuf_addf(out, "; this step is malformed: %s\n(check-sat)\n", why);
    }
    smug_strbuf_adds(out, "(exit)\n");
}

void smug_replay_join(smug_strbuf *out, const char *text, size_t len)
{
    static const char tail[] = "(exit)\n";
    size_t t = sizeof tail - 1;
    if (len >= t && memcmp(text + len - t, tail, t) == 0)
        len -= t;
    if (out->len > 0)
        smug_strbuf_adds(out, "(reset)\n");
    smug_strbuf_add(out, text, len);
}
