#!/usr/bin/env bash
# proofs.sh — what exact certification costs (issue 13), on the window-2 problems of the dense
# Fashion-MNIST net (images 0000-0003 x k 4,8,16 x gamma 0.5,0.9: 24 problems).
#  1. bench_solve, z3:tighten against z3:tighten:trust (GLPK's floating-point LP value closes
#     branch-and-bound nodes, as before issue 13): the share of optima that are certified,
#     and the median time of the search itself on the problems both prove.
#  2. with BASELINE=path/to/an/older/smug: `smug run` of the same problems with both
#     binaries, REPS times each (default 5, the fastest counts), comparing the median of
#     encode + solve seconds (report.json times: bounds, certificates, GLPK incumbent, search)
#     and each run's proved_by. Build the baseline from the commit before issue 13, e.g.
#       git archive a1b0878 | tar -x -C /tmp/base && cmake -S /tmp/base -B /tmp/base/build \
#         -DSMUG_TESTS=OFF && cmake --build /tmp/base/build --target smug
# usage: [BASELINE=…] [REPS=5] bench/proofs.sh      (build first: build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
[ -x "$build/bench/bench_solve" ] || { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null; cmake --build "$build" -j"$(nproc)" --target bench_solve smug; }
"$build/bench/bench_solve" --models fc --windows 2 --images 4 --k 4,8,16 --gammas 0.5,0.9 \
  --timeout 10 --methods z3:tighten,z3:tighten:trust | grep -v '^{'
[ -n "${BASELINE:-}" ] || { echo "(set BASELINE for the end-to-end comparison)"; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
inputs=()
for f in data/fashion/000[0-3]_*.png; do inputs+=(--input "$f"); done
for rep in $(seq 1 "${REPS:-5}"); do
  for which in new old; do
    bin=$build/smug
    [ $which = old ] && bin=$BASELINE
    for k in 4 8 16; do
      for g in 0.5 0.9; do
        "$bin" run --model models/fashion_fc.onnx "${inputs[@]}" --window 2 --top-k $k \
          --gamma $g --timeout 10 --out "$tmp/$which.$rep.$k.$g" >/dev/null
      done
    done
  done
done
TMP=$tmp /usr/bin/python3 - <<'PY'
import glob, json, os, statistics
best, by = {}, {"new": {}, "old": {}}
for f in glob.glob(os.environ["TMP"] + "/*/report.json"):
    which, rep, k, g = os.path.basename(os.path.dirname(f)).split(".", 3)
    for i in json.load(open(f))["inputs"]:
        key = (which, i["input"], k, g)
        t = i["times"]["encode"] + i["times"]["solve"]
        best[key] = min(best.get(key, t), t)
        by[which][i["proved_by"]] = by[which].get(i["proved_by"], 0) + (rep == "1")
for which, name in (("old", "baseline"), ("new", "this build")):
    ts = [v for (w, *_), v in best.items() if w == which]
    print("%-10s median encode+solve %.4f s over %d problems; proved_by %s"
          % (name, statistics.median(ts), len(ts), by[which]))
old = statistics.median(v for (w, *_), v in best.items() if w == "old")
new = statistics.median(v for (w, *_), v in best.items() if w == "new")
print("certification adds %+.1f %% to the median" % (100.0 * (new - old) / old))
ratios = [v / best[("old",) + key[1:]] for key, v in best.items() if key[0] == "new"]
print("per problem, this build / baseline: median %.2f, range %.2f .. %.2f"
      % (statistics.median(ratios), min(ratios), max(ratios)))
PY
