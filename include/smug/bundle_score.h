/* bundle_score.h — `smug score`: a bundle's results back into verified masks, saliency maps
 * and one report.json (design §7; run/bundle_score.c).
 *
 * Sources for problem <id>, all in BUNDLE/results/:
 *   <id>.<solver>.json          smug solve's result (mask cells, the proof of its bound)
 *   <id>.<solver>.out           raw stdout of `<solver> problems/<id>.smt2` (decision form)
 *   <id>.opt.<solver>.out       … of problems/<id>.opt.smt2 (z3 objective form)
 *   <id>.sat.<solver>.out, <id>.unsat.<solver>.out   … of the family files
 * The bundle is untrusted input: each source counts only as far as it proves something
 * smug can check (bundle_sources.h): a mask if it satisfies every row (and then the forward
 * pass), a lower bound only through a proof smug_proof_check accepts — never the manifest's
 * lower_bound or a result's own lower_bound. The best mask and the best proof win; a
 * source that cannot be read, a disagreement of the confirming solver, or two sources that
 * contradict each other make that id's status "error" with a message naming the files; the
 * other ids are unaffected. Each id's proof goes to out_dir/<id>/proof.smt2. Result files
 * are opened through BUNDLE/results' descriptor without following links (fsutil.h): a link
 * or non-file there is such an unreadable source, named in the report, and nothing it
 * points at is read.
 */
#ifndef SMUG_BUNDLE_SCORE_H
#define SMUG_BUNDLE_SCORE_H
#include "smug/bundle.h"
#include "smug/bundle_sources.h"

typedef struct smug_bundle_score_stats {
    int total, optimal, feasible, errors;
    int with_results; /* ids with at least one result file */
} smug_bundle_score_stats;

/* Scores every problem into out_dir (report.json and out_dir/<id>/ pictures); out_dir NULL
 * is BUNDLE/scored, opened (and each <id>/ in it) without following a link. Fails only when
 * nothing can be written, results/ is not a folder, or the bundle's model cannot be loaded;
 * per-id problems are in the report and counted in *st. */
int smug_bundle_score(const smug_bundle *b, const smug_net *net, const smug_score_options *o,
                      const char *out_dir, smug_bundle_score_stats *st, smug_error *err);
#endif
