/* report.h — report.json, one object per input (design §6, contract; run/report.c).
 *
 * Keys per input: input, label, predicted, confidence, neurons [{index, ig, activation}],
 * cells (mask variables), constraints (rows), solver, strategy, status (optimal | feasible |
 * timeout | error), mask_size, lower_bound, proved_by (when optimal: certificate |
 * solver:NAME | solvers:A+B, else null), incumbent_from (greedy | glpk | solver | base |
 * manifest), verified, proof {bound (no mask of size ≤ bound: lower_bound − 1), steps,
 * leaves, certificate, cover, solver, confirmed (leaf counts: closed by an exact LP or cover
 * certificate, of those by a cover certificate (cover.h), by a solver's clean unsat, of those
 * re-decided by the confirming solver), solvers (the deciding solvers' names), checked (smug's own
 * exact re-check of the certificates and the facts passed), seconds, file (proof.smt2, or null)}
 * (null when lower_bound is 0), times {ig, encode, solve, verify, total} in seconds, saliency.png,
 * overlay.png, mask.png, mask.npy (paths), and beside them: grid {rows, cols, window}, gamma, note
 * (why a search stopped early), error (the message when status is error), masked_predicted and
 * masked_confidence (the model on the kept cells alone), keeps_class (masked_predicted
 * equals predicted), keeps_class_by ("proof": --net-encoding full, the solver's mask keeps the
 * target by the margin in the whole-network encoding, re-checked by smug, and the forward
 * pass agrees; "forward pass": known from the forward pass alone), net_encoding
 * (first-layer | full), with full also margin (δ) and class_margin (the mask's target logit
 * minus the largest other, in smug's evaluation of the encoding) and fullnet {nodes,
 * relu_splits, max_nodes} (the encoding's size), class_note (null, or why
 * the class is not claimed proved), solver_calls, and with --keep-class: keep_class {kept, top_k,
 * gamma, attempts [{top_k, gamma, status, mask_size, masked_predicted, keeps_class}]}
 * (keepclass.h).
 */
#ifndef SMUG_REPORT_H
#define SMUG_REPORT_H

#include "smug/json.h"
#include "smug/pipeline.h"
#include "smug/tokens.h"

typedef struct smug_report_paths {
    const char *saliency, *overlay, *mask, *mask_npy; /* NULL when not written */
    const char *proof;                                /* proof.smt2, NULL when not written */
    size_t proof_omitted; /* > 0: proof.smt2 left out, being over this many bytes */
} smug_report_paths;

/* A text input's additions: "explanation.html" (path), "text" {max_len, tokens, dropped,
 * unknown} and "words": every seen token [{position, word, token_id, kept, score}] in text
 * order (word: the user's spelling; score: its SMUG saliency, 0 when masked). */
typedef struct smug_report_text {
    const smug_tokens *tokens;
    const float *ids;    /* [max_len] the ids the model read */
    const uint8_t *kept; /* [tokens->n] */
    const float *score;  /* [tokens->n] */
    const char *html;    /* NULL when not written */
} smug_report_text;

/* smug score's additions: the bundle id and the results it read; smug run's: the class
 * name and a text input's words. Every field may be NULL. */
typedef struct smug_report_extra {
    const char *id;
    const char *sources;        /* JSON array members text ({file, reading}, …), may be "" */
    const char *predicted_name; /* "predicted_name": the class's line of <model>.labels */
    const smug_report_text *text;
    const struct smug_keep_result *keep; /* --keep-class: "keep_class" */
} smug_report_extra;

/* Appends one input's object to j (inside an array). m is NULL when the mask stages failed
 * before producing a result; error is then the message (status "error"). extra may be
 * NULL. */
void smug_report_input(smug_json *j, const char *input, const smug_explanation *e,
                       const smug_mask_result *m, const char *solver, const smug_params *params,
                       const smug_report_paths *paths, const char *error, double total_seconds,
                       const smug_report_extra *extra);

#endif
