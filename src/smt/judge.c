/* judge.c — one solver answer, judged by the rules of judge.h.
 *
 * The strategies (strategy.c), bundle scoring of saved outputs (run/bundle_score.c) and
 * the confirming solver all go through here, so "what counts as unsat" is written once.
 * This file reads output; it never runs a solver and never decides what to ask next.
 */
#include "smug/judge.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A note from fmt with two %s (the solver's name, then detail), cut to fit. */
static void say(smug_judged *out, const char *fmt, const char *who, const char *detail)
{
    out->verdict = SMUG_JUDGE_NOTHING;
    smug_strbuf sb = SMUG_STRBUF_INIT;
    smug_strbuf_addf(&sb, fmt, who, detail ? detail : "");
    size_t n = sb.len < sizeof out->note - 1 ? sb.len : sizeof out->note - 1;
    if (sb.buf)
        memcpy(out->note, sb.buf, n);
    out->note[n] = '\0';
    smug_strbuf_clear(&sb);
}

int smug_judge_model(const smug_solver_output *o, const smug_judge_rules *rules, uint8_t *out_mask,
                     char *note, size_t n)
{
    const smug_mask_problem *p = rules->p;
    char name[64];
    int named = 0;
    for (int i = 0; i < p->n; i++) {
        const smug_value *v =
            smug_solver_output_find(o, smug_mask_var_name(p, i, name, sizeof name));
        out_mask[i] = (uint8_t)(v && v->is_bool && v->bool_value);
        named += v && v->is_bool;
    }
    if (named == 0 && p->n > 0) {
        snprintf(note, n, "%s answered sat without a model", rules->who);
        return 0;
    }
    if (!smug_mask_problem_satisfied(p, out_mask)) {
        snprintf(note, n, "%s answered sat with a model that violates a row", rules->who);
        return 0;
    }
    if (smug_mask_count(out_mask, p->n) > rules->bound) {
        snprintf(note, n, "%s answered sat with a model larger than the bound", rules->who);
        return 0;
    }
    return 1;
}

void smug_judge(const smug_process_result *pr, const smug_judge_rules *rules, smug_solver_output *o,
                uint8_t *out_mask, smug_judged *out)
{
    char why[SMUG_ERROR_MAX];
    smug_error perr = SMUG_ERROR_INIT;
    const char *who = rules->who;
    memset(out, 0, sizeof *out);
    memset(o, 0, sizeof *o);
    out->verdict = SMUG_JUDGE_NOTHING;
    if (pr->outcome == SMUG_PROC_SIGNALED) {
        say(out, "%s crashed: %s", who, smug_process_describe(pr, why, sizeof why));
        return;
    }
    if (smug_sexpr_parse(pr->out.buf ? pr->out.buf : "", pr->out.len, o, &perr) < 0) {
        say(out, "%s printed output smug cannot read: %s", who, perr.msg);
        return;
    }
    smug_answer a = smug_solver_output_last_answer(o);
    int single = o->n_answers == 1;
    if (o->error) {
        /* raw: the (get-value …) every bundle file ends with errs after unsat or unknown */
        int trailing = rules->raw && single && o->error_after >= 1 &&
                       (a == SMUG_ANS_UNSAT || a == SMUG_ANS_UNKNOWN);
        if (!trailing) {
            say(out, "%s reported an error: %s", who, o->error);
            return;
        }
    }
    out->out_of_time =
        a == SMUG_ANS_UNKNOWN || (pr->outcome == SMUG_PROC_TIMEOUT && a != SMUG_ANS_SAT);
    if (pr->outcome == SMUG_PROC_TIMEOUT && a != SMUG_ANS_SAT) {
        say(out, "%s was stopped at the deadline%s", who, NULL);
        return;
    }
    if (o->n_answers > 1) {
        snprintf(why, sizeof why, "%d", o->n_answers);
        {
            say(out, "%s printed %s answers to one check-sat: not a clean answer", who, why);
            return;
        }
    }
    if (a == SMUG_ANS_SAT) {
        if (smug_judge_model(o, rules, out_mask, out->note, sizeof out->note))
            out->verdict = SMUG_JUDGE_SAT, out->note[0] = '\0';
        return;
    }
    if (a == SMUG_ANS_UNSAT) {
        int clean =
            rules->raw || rules->session || (pr->outcome == SMUG_PROC_EXITED && pr->exit_code == 0);
        if (!clean) {
            say(out, "%s answered unsat but %s: not a clean answer, it proves nothing", who,
                smug_process_describe(pr, why, sizeof why));
            return;
        }
        out->verdict = SMUG_JUDGE_UNSAT;
        return;
    }
    if (a == SMUG_ANS_UNKNOWN) {
        say(out, "%s answered unknown (its time limit, or incomplete)%s", who, NULL);
        return;
    }
    say(out, "%s printed no answer: %s", who, smug_process_describe(pr, why, sizeof why));
}

void smug_solve_read(const smug_mask_problem *p, const char *who, const char *text, size_t len,
                     int bound, int optimize, uint8_t *out_mask, smug_reading *out)
{
    memset(out, 0, sizeof *out);
    smug_process_result pr;
    memset(&pr, 0, sizeof pr);
    pr.outcome = SMUG_PROC_EXITED;
    pr.out.buf = (char *)text;
    pr.out.len = len;
    smug_judge_rules rules = {p, who, bound, 1, 0};
    smug_solver_output o;
    smug_judged j;
    smug_judge(&pr, &rules, &o, out_mask, &j);
    smug_answer last = smug_solver_output_last_answer(&o);
    if (optimize && j.verdict != SMUG_JUDGE_SAT && last == SMUG_ANS_UNKNOWN && !o.error &&
        smug_judge_model(&o, &rules, out_mask, j.note, sizeof j.note))
        j.verdict = SMUG_JUDGE_SAT;                  /* z3 stopped: its best model so far */
    if (optimize && j.verdict == SMUG_JUDGE_UNSAT) { /* the incumbent satisfies the file */
        j.verdict = SMUG_JUDGE_NOTHING;
        snprintf(j.note, sizeof j.note, "%s answered unsat to the optimisation form", who);
    }
    if (j.verdict == SMUG_JUDGE_SAT) {
        out->kind = optimize && last == SMUG_ANS_SAT ? SMUG_READ_OPTIMUM : SMUG_READ_MASK;
        out->size = smug_mask_count(out_mask, p->n);
    } else if (j.verdict == SMUG_JUDGE_UNSAT) {
        out->kind = SMUG_READ_UNSAT;
        out->lower = bound + 1;
    } else {
        out->kind = SMUG_READ_NOTHING;
        memcpy(out->note, j.note, sizeof out->note);
    }
    if (optimize && o.has_objective && isfinite(o.objective_lo) && !o.error) {
        int lo = (int)ceil(o.objective_lo - 1e-9);
        out->lower = lo > out->lower ? lo : out->lower;
    }
    if (out->kind == SMUG_READ_OPTIMUM)
        out->lower = out->size;
    smug_solver_output_clear(&o);
}
