#!/usr/bin/env bash
# families.sh — the expensive half of smt2/: emits candidate benchmark files along the
# scaling knobs, measures every one with every solver, and selects a family with a spread
# of measured difficulty (issue #14.4, #14.7). scripts/gen-smt2.sh is the cheap half: it
# rebuilds smt2/ from what this script selects, without running a solver.
#
#   bash bench/families.sh [--smug PATH] [--work DIR] [--timeout S] [--jobs N]
#                          [--images N] [--stage emit|measure|select|all]
#
# 1. emit     one bundle per knob combination below (model, window, k, γ) and encoding,
#             --images Fashion-MNIST test images each (a different slice per combination),
#             `smug emit --family`: smug proves each optimum and writes <id>.b<opt>.smt2 (sat)
#             and <id>.b<opt-1>.smt2 (unsat). Bundles already in WORK are kept.
# 2. measure  every benchmark file with z3, cvc5 and cvc4 (their solvers/*.yaml command
#             lines, through each bundle's own solvers.sh) under GNU parallel, --timeout
#             each; resumable: a (file, solver) pair already in the bundle's runs.csv is
#             not run again.
# 3. select   smug family over every bundle (statuses confirmed by two solvers, difficulty by
#             the second confirming time), then bench/families_select.py picks about 200
#             files with a spread of difficulty across the knobs and writes
#             smt2/selection.csv and smt2/measured.csv; scripts/gen-smt2.sh then writes smt2/.
#
# Times are wall-clock seconds of the solver process on the machine that runs this (the
# README says which), --jobs runs at once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
smug="$root/build/smug" work="$root/build/families" timeout=20 jobs=2 images=3 stage=all
while [ $# -gt 0 ]; do
  case $1 in
    --smug) smug=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --stage) stage=$2; shift 2 ;;
    *) echo "families.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
smug="$(cd "$(dirname "$smug")" && pwd)/$(basename "$smug")"
mkdir -p "$work/bundles"
cd "$root" # relative input paths in the manifests and the selection
export OPENBLAS_NUM_THREADS=1 SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(date +%s)}"

# The knob combinations, chosen from a pilot over the full grid (3 models × windows 7/4/2 ×
# k 4/8/16 × γ 0.5/0.9 × both encodings, one image each, 10 s): every CNN problem and every
# window-7 one is easy for all three solvers, dense-model raw files at window 4 take seconds,
# at windows 3 and 2 they reach the timeout. Each line: model window k gamma, both encodings.
# Files no solver answers cost the most to measure (3 × the timeout): three window-2 lines.
# The last four lines came after a first full measurement: combinations next to the ones
# that gave medium and hard files (dense models at windows 3 and 4), which were scarce.
groups="
fashion_cnn 4 8 0.5
fashion_cnn 2 16 0.9
fashion_cnn 7 4 0.5
fashion_cnn 4 16 0.9
fashion_fc 7 8 0.9
fashion_deep 7 16 0.5
fashion_fc 4 4 0.5
fashion_deep 4 4 0.9
fashion_fc 4 8 0.9
fashion_fc 4 16 0.9
fashion_deep 4 8 0.9
fashion_deep 4 16 0.5
fashion_fc 3 4 0.5
fashion_deep 3 8 0.5
fashion_fc 3 16 0.9
fashion_deep 3 16 0.9
fashion_fc 2 4 0.5
fashion_fc 2 8 0.9
fashion_deep 2 4 0.9
fashion_fc 3 8 0.9
fashion_fc 4 8 0.5
fashion_deep 4 8 0.5
fashion_fc 4 16 0.5
"
encodings=(raw assisted)
solvers=(z3 cvc5 cvc4)
mapfile -t all_images < <(ls data/fashion/*.png)

emit() {
  local g=0 model w k gamma enc name args i
  while read -r model w k gamma; do
    [ -n "$model" ] || continue
    args=()
    for ((i = 0; i < images; i++)); do
      args+=(--input "${all_images[$(((g * images + i) % ${#all_images[@]}))]}")
    done
    g=$((g + 1))
    for enc in "${encodings[@]}"; do
      name="$model-w$w-k$k-g$gamma-$enc"
      [ -f "$work/bundles/$name/manifest.json" ] && continue
      echo "emit $name"
      nice "$smug" emit --model "models/$model.onnx" "${args[@]}" --window "$w" --top-k "$k" \
        --gamma "$gamma" --encoding "$enc" --solver z3 --timeout 120 --family \
        --form decision --out "$work/bundles/$name" >/dev/null
    done
  done <<<"$groups"
}

measure() {
  local b s f
  # larger windows first: they are quick, so an interrupted run has measured most files
  for b in $(ls -d "$work"/bundles/*/ | sort -t- -k2,2r); do
    for s in "${solvers[@]}"; do
      while IFS=, read -r f _ _; do
        grep -q "^$f,$s," "$b/results/runs.csv" 2>/dev/null || echo "$b $s $f"
      done <"$b/instances.csv"
    done
  done >"$work/todo.txt"
  echo "measure: $(wc -l <"$work/todo.txt") runs, $jobs at a time, $timeout s each at most"
  nice parallel --will-cite --colsep ' ' -j "$jobs" --bar bash {1}/solvers.sh {2} {3} "$timeout" \
    :::: "$work/todo.txt" >/dev/null
}

select_family() {
  rm -rf "$work/family"
  "$smug" family --out "$work/family" --timeout "$timeout" "$work/bundles" >"$work/table.md"
  /usr/bin/python3 bench/families_select.py "$work/family/index.json" "$timeout" \
    "$SOURCE_DATE_EPOCH" smt2/selection.csv
  cp "$work/family/measured.csv" smt2/measured.csv
  bash scripts/gen-smt2.sh "$smug" smt2
}

case $stage in
  emit) emit ;;
  measure) measure ;;
  select) select_family ;;
  all) emit && measure && select_family ;;
  *) echo "families.sh: --stage emit, measure, select or all" >&2; exit 2 ;;
esac
