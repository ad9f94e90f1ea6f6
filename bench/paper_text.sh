#!/usr/bin/env bash
# paper_text.sh — the SMUG paper's text setting (issue #12 item 5): 500 tokens, 100-d
# embeddings, Conv1d with 128 width-3 filters, one word a cell, top-k 100, γ 0, 200 IG
# steps. Target: proved optimal within 60 s per review. The model (seeded-random weights,
# ~2 MB) and N reviews are made by tools/paper_text.py into DIR; one `smug run` per review.
# Prints per review: status, mask size, proved lower bound, who proved it (a cover
# certificate counts as "certificate"; the proof object's "cover" says how many leaves),
# and seconds; then how many met the target.
# usage: bench/paper_text.sh [--dir DIR] [--reviews N] [--solver z3|cvc5] [--timeout S]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
dir=/tmp/smug-paper-text reviews=5 solver=z3 timeout=60
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --reviews) reviews=$2; shift 2 ;;
    --solver) solver=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) echo "paper_text.sh: unknown option $1 (see the header)" >&2; exit 2 ;;
  esac
done
if [ ! -x "$build/smug" ]; then
  cmake -S . -B "$build" >/dev/null
  cmake --build "$build" -j"$(nproc)" --target smug
fi
if [ ! -f "$dir/paper_text.onnx" ] || [ ! -f "$dir/review_$((reviews - 1)).txt" ]; then
  /usr/bin/python3 tools/paper_text.py "$dir" "$reviews" >/dev/null
fi
met=0
for ((i = 0; i < reviews; i++)); do
  out=$dir/out_$i
  rm -rf "$out"
  start=$(date +%s.%N)
  "$build/smug" run --model "$dir/paper_text.onnx" --input "$dir/review_$i.txt" --top-k 100 \
    --gamma 0 --steps 200 --timeout "$timeout" --solver "$solver" --out "$out" >/dev/null
  end=$(date +%s.%N)
  line=$(/usr/bin/python3 - "$out/report.json" "$start" "$end" "$timeout" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
i = r["inputs"][0]
pr = i.get("proof") or {}
wall = float(sys.argv[3]) - float(sys.argv[2])
ok = i["status"] == "optimal" and wall <= float(sys.argv[4])
print("%d review: rows %d cells %d status %s mask %d lower %d proved_by %s (cover leaves %s) "
      "solve %.2fs wall %.2fs" % (ok, i["constraints"], i["cells"], i["status"], i["mask_size"],
                                  i["lower_bound"], i["proved_by"], pr.get("cover"),
                                  i["times"]["solve"], wall))
EOF
)
  met=$((met + ${line%% *}))
  echo "review_$i: ${line#* review: }"
done
echo "paper_text: $met of $reviews reviews proved optimal within ${timeout}s (solver $solver)"
