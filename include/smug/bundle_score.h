/* bundle_score.h — `smug score`: a bundle's results back into verified masks, saliency maps
 * and one report.json (design §7; run/bundle_score.c).
 *
 * Sources for problem <id>, all in BUNDLE/results/:
 *   <id>.<solver>.json          smug solve's result (mask cells, proved lower bound)
 *   <id>.<solver>.out           raw stdout of `<solver> problems/<id>.smt2` (decision form)
 *   <id>.opt.<solver>.out       … of problems/<id>.opt.smt2 (z3 objective form)
 *   <id>.sat.<solver>.out, <id>.unsat.<solver>.out   … of the family files
 * plus the manifest's own incumbent and lower bound. Each source is read by the rules of a
 * live search (strategy.h): a mask counts only if it satisfies every row (and then the
 * forward pass), unsat only if printed cleanly. Sources are combined only when they agree:
 * the best mask is the smallest one, the lower bound the largest proved one. A source that
 * cannot be read (corrupt JSON, another problem's rows, a model that breaks a row, a solver
 * error) or two sources that contradict each other (one proves no mask below L, another
 * has a smaller one) make that id's status "error" with a message naming the files; the
 * other ids are unaffected. Result files are opened through BUNDLE/results' descriptor
 * without following links (fsutil.h): a link or non-file there is such an unreadable source,
 * named in the report, and nothing it points at is read.
 */
#ifndef SMUG_BUNDLE_SCORE_H
#define SMUG_BUNDLE_SCORE_H
#include "smug/bundle.h"

typedef struct smug_bundle_score_stats {
    int total, optimal, feasible, errors;
    int with_results; /* ids with at least one result file */
} smug_bundle_score_stats;

/* Scores every problem into out_dir (report.json and out_dir/<id>/ pictures); out_dir NULL
 * is BUNDLE/scored, opened (and each <id>/ in it) without following a link. Fails only when
 * nothing can be written, results/ is not a folder, or the bundle's model cannot be loaded;
 * per-id problems are in the report and counted in *st. */
int smug_bundle_score(const smug_bundle *b, const smug_net *net, const char *out_dir,
                      smug_bundle_score_stats *st, smug_error *err);
#endif
