/* report.c — writes report.json objects in the shape design §6 fixes (report.h).
 *
 * The report says what was proved and by whom: "optimal" only with proved_by set, the lower
 * bound beside every size, and "error" with its message instead of a mask when a stage
 * failed. Field names are a contract other tools read; add, never rename.
 */
#include "smug/report.h"

#include <stdint.h>
#include <stdio.h>

#include "smug/fullnet.h"
#include "smug/proof.h"
#include "smug/keepclass.h"

static void neurons(smug_json *j, const smug_explanation *e)
{
    smug_json_array_begin(j, "neurons");
    for (int i = 0; i < e->n_neurons; i++) {
        smug_json_object_begin(j, NULL);
        smug_json_int(j, "index", e->neurons[i]);
        smug_json_number(j, "ig", e->ig_first[e->neurons[i]]);
        smug_json_number(j, "activation", e->first_pre[e->neurons[i]]);
        smug_json_object_end(j);
    }
    smug_json_array_end(j);
}

static void path_or_null(smug_json *j, const char *key, const char *path)
{
    if (path)
        smug_json_string(j, key, path);
    else
        smug_json_null(j, key);
}

static void string_or_null(smug_json *j, const char *key, const char *s)
{
    path_or_null(j, key, s);
}

/* The proof object (report.h); smug re-checks the certificates before saying so. */
static void proof_fields(smug_json *j, const smug_mask_result *m, const char *file, size_t omitted)
{
    const smug_proof *pr = &m->solve.proof;
    if (smug_proof_empty(pr)) {
        smug_json_null(j, "proof");
        return;
    }
    smug_proof_summary s;
    smug_proof_summarize(pr, &s);
    int lower = 0;
    char why[512];
    smug_error err = SMUG_ERROR_INIT;
    int ok = smug_proof_check(m->problem, pr, NULL, NULL, &lower, why, sizeof why, &err) == 1 &&
             lower == m->solve.lower;
    smug_json_object_begin(j, "proof");
    smug_json_int(j, "bound", smug_proof_lower(pr) - 1);
    smug_json_int(j, "steps", pr->n_steps);
    smug_json_int(j, "parts", pr->n_parts); /* independent components, each its own proof */
    smug_json_int(j, "leaves", s.leaves);
    smug_json_int(j, "certificate", s.by_certificate);
    smug_json_int(j, "cover", s.by_cover); /* of those, cover certificates (cover.h) */
    smug_json_int(j, "solver", s.by_solver);
    smug_json_int(j, "confirmed", s.confirmed);
    smug_json_string(j, "solvers", s.solvers);
    smug_json_bool(j, "checked", ok);
    smug_json_number(j, "seconds", pr->seconds);
    path_or_null(j, "file", file);
    if (!file && omitted > 0) { /* the check above still stands; only the replay is missing */
        char note[128];
        snprintf(note, sizeof note, "proof.smt2 not written: over proof_max_mb (%g MiB)",
                 (double)omitted / 1048576.0);
        smug_json_string(j, "file_note", note);
    }
    smug_json_object_end(j);
}

static void mask_fields(smug_json *j, const smug_explanation *e, const smug_mask_result *m)
{
    const smug_mask_problem *p = m->problem;
    smug_json_int(j, "cells", p->n);
    smug_json_int(j, "constraints", p->k);
    smug_json_object_begin(j, "grid");
    smug_json_int(j, "rows", p->grid.rows);
    smug_json_int(j, "cols", p->grid.cols);
    smug_json_int(j, "window", p->grid.win);
    smug_json_object_end(j);
    smug_json_string(j, "strategy", smug_strategy_name(m->solve.strategy));
    smug_json_string(j, "status", smug_solve_status_name(m->solve.status));
    smug_json_int(j, "mask_size", m->solve.size);
    smug_json_int(j, "lower_bound", m->solve.lower);
    string_or_null(j, "proved_by", m->solve.proved_by);
    string_or_null(j, "incumbent_from", m->solve.incumbent_from);
    smug_json_bool(j, "verified", m->verdict.ok);
    smug_json_int(j, "solver_calls", m->solve.solver_calls);
    char note[sizeof m->note + sizeof m->solve.note + 2]; /* the stages first, then the solve */
    snprintf(note, sizeof note, "%s%s%s", m->note, m->note[0] && m->solve.note[0] ? "; " : "",
             m->solve.note);
    string_or_null(j, "note", note[0] ? note : NULL);
    smug_json_int(j, "masked_predicted", m->verdict.masked_predicted);
    smug_json_number(j, "masked_confidence", m->verdict.masked_confidence);
    smug_json_bool(j, "keeps_class", smug_keeps_class(e, m));
    /* how keeps_class is known: the solver's proof over the whole network (re-checked by
     * smug and by the forward pass), or the forward pass alone */
    smug_json_string(j, "keeps_class_by", m->class_proved ? "proof" : "forward pass");
    smug_json_string(j, "net_encoding", p->pl ? "full" : "first-layer");
    if (p->pl) {
        int nodes, relu, max;
        smug_fullnet_counts(p->pl, &nodes, &relu, &max);
        smug_json_number(j, "margin", p->pl->delta);
        smug_json_number(j, "class_margin", m->class_margin);
        smug_json_object_begin(j, "fullnet"); /* the size of what the solver got */
        smug_json_int(j, "nodes", nodes);
        smug_json_int(j, "relu_splits", relu);
        smug_json_int(j, "max_nodes", max);
        smug_json_object_end(j);
    }
    string_or_null(j, "class_note", m->class_note[0] ? m->class_note : NULL);
}

/* --keep-class: every attempt, which one is reported and whether any kept the class. */
static void keep_fields(smug_json *j, const smug_keep_result *k)
{
    smug_json_object_begin(j, "keep_class");
    smug_json_bool(j, "kept", k->kept);
    smug_json_int(j, "top_k", k->attempt[k->chosen].k);
    smug_json_number(j, "gamma", k->attempt[k->chosen].gamma);
    smug_json_array_begin(j, "attempts");
    for (int i = 0; i < k->n_attempts; i++) {
        const smug_keep_attempt *a = &k->attempt[i];
        smug_json_object_begin(j, NULL);
        smug_json_int(j, "top_k", a->k);
        smug_json_number(j, "gamma", a->gamma);
        if (a->mask_size < 0) {
            smug_json_string(j, "status", "error");
        } else {
            smug_json_string(j, "status", smug_solve_status_name((smug_solve_status)a->status));
            smug_json_int(j, "mask_size", a->mask_size);
            smug_json_int(j, "masked_predicted", a->predicted);
            smug_json_bool(j, "keeps_class", a->keeps_class);
        }
        smug_json_object_end(j);
    }
    smug_json_array_end(j);
    smug_json_object_end(j);
}

static void text_fields(smug_json *j, const smug_report_text *t)
{
    const smug_tokens *tk = t->tokens;
    path_or_null(j, "explanation.html", t->html);
    smug_json_object_begin(j, "text");
    smug_json_int(j, "max_len", tk->max_len);
    smug_json_int(j, "tokens", tk->n);
    smug_json_int(j, "dropped", tk->n_dropped);
    smug_json_int(j, "unknown", tk->n_unknown);
    smug_json_object_end(j);
    smug_json_array_begin(j, "words");
    for (int i = 0; i < tk->n; i++) {
        smug_json_object_begin(j, NULL);
        smug_json_int(j, "position", i);
        smug_json_string(j, "word", tk->words[i]);
        smug_json_int(j, "token_id", (long)t->ids[i]);
        smug_json_bool(j, "kept", t->kept ? t->kept[i] : 0);
        smug_json_number(j, "score", t->score ? t->score[i] : 0.0);
        smug_json_object_end(j);
    }
    smug_json_array_end(j);
}

void smug_report_input(smug_json *j, const char *input, const smug_explanation *e,
                       const smug_mask_result *m, const char *solver, const smug_params *params,
                       const smug_report_paths *paths, const char *error, double total_seconds,
                       const smug_report_extra *extra)
{
    smug_json_object_begin(j, NULL);
    if (extra && extra->id)
        smug_json_string(j, "id", extra->id);
    smug_json_string(j, "input", input);
    smug_json_null(j, "label"); /* a PNG carries no label; eval (issue 5) brings labels */
    smug_json_int(j, "predicted", e->predicted);
    if (extra && extra->predicted_name)
        smug_json_string(j, "predicted_name", extra->predicted_name);
    smug_json_int(j, "target", e->target);
    smug_json_number(j, "confidence", e->confidence);
    neurons(j, e);
    smug_json_string(j, "solver", solver);
    smug_json_number(j, "gamma", params->gamma);
    if (m && m->problem && !error) {
        mask_fields(j, e, m);
        proof_fields(j, m, paths ? paths->proof : NULL, paths ? paths->proof_omitted : 0);
    } else {
        smug_json_string(j, "status", "error");
        smug_json_string(j, "error", error ? error : "unknown failure");
        smug_json_bool(j, "verified", 0);
    }
    smug_json_object_begin(j, "times");
    smug_json_number(j, "ig", e->seconds_ig);
    smug_json_number(j, "encode", m ? m->seconds_encode : 0.0);
    smug_json_number(j, "solve", m ? m->seconds_solve : 0.0);
    smug_json_number(j, "verify", m ? m->seconds_verify : 0.0);
    smug_json_number(j, "total", total_seconds);
    smug_json_object_end(j);
    path_or_null(j, "saliency.png", paths ? paths->saliency : NULL);
    path_or_null(j, "overlay.png", paths ? paths->overlay : NULL);
    path_or_null(j, "mask.png", paths ? paths->mask : NULL);
    path_or_null(j, "mask.npy", paths ? paths->mask_npy : NULL);
    if (extra && extra->keep)
        keep_fields(j, extra->keep);
    if (extra && extra->text)
        text_fields(j, extra->text);
    if (extra && extra->sources) {
        smug_strbuf arr = SMUG_STRBUF_INIT;
        smug_strbuf_addf(&arr, "[%s]", extra->sources);
        smug_json_raw(j, "sources", arr.buf ? arr.buf : "[]");
        smug_strbuf_clear(&arr);
    }
    smug_json_object_end(j);
}
