#!/usr/bin/env bash
# fullnet.sh — how far the full-net encoding (--net-encoding full, issue #16) scales.
#
#   bash bench/fullnet.sh [SMUG] [TIMEOUT] [INPUTS]    (defaults: build/smug, 60 s, 2)
#
# For the fixture models (fashion_fc: 784-32-10; fashion_cnn: two convolutions, BatchNorm,
# MaxPool, 784-32-10 head), growing mask grids (window 14, 7, 4 and, for the dense net, 2)
# and k 8 and 32, on the first INPUTS images of data/fashion: smug run with the whole network
# in the solver, with z3 (objective form) and cvc5 (bound tightening), each within TIMEOUT
# seconds of solving, beside the first-layer encoding's mask (z3) for the same settings.
# One line per run:
#   model window k cells solver | nodes relu_splits | status size lower solve_s keeps(by)
#   | first-layer size keeps_class
# "timeout" means the solver did not prove the optimum within TIMEOUT: smug still reports
# the best mask it has (every cell kept at worst), which keeps the class by proof.
# Times are wall-clock seconds on whatever else the machine is doing: compare them within
# one run of this script.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
smug="${1:-$root/build/smug}"
limit="${2:-60}"
inputs="${3:-2}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"

# field REPORT: one line of the figures above from a report.json
fields() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
i = json.load(open(sys.argv[1]))["inputs"][0]
if i["status"] == "error":
    print("error: " + i.get("error", "?"))
    sys.exit(0)
f = i.get("fullnet") or {}
print("%5s %4s | %-8s %4s %4s %7.2f %s(%s)" % (
    f.get("nodes", "-"), f.get("relu_splits", "-"), i["status"], i["mask_size"],
    i["lower_bound"], i["times"]["solve"], "yes" if i["keeps_class"] else "NO",
    i.get("keeps_class_by", "?")))
PY
}

first_fields() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
i = json.load(open(sys.argv[1]))["inputs"][0]
print("%s %4s %s" % (i["status"], i["mask_size"], "yes" if i["keeps_class"] else "no"))
PY
}

images=$(ls data/fashion/*.png | head -n "$inputs")
echo "timeout ${limit} s; inputs: $(echo $images | tr ' ' '\n' | xargs -n1 basename | tr '\n' ' ')"
echo "model        window  k cells solver | nodes relu | status   size  low solve_s keeps      | first-layer"
run_case() { # model window k
  local model=$1 w=$2 k=$3 img solver
  for img in $images; do
    "$smug" run --model "models/$model.onnx" --input "$img" --window "$w" --top-k "$k" \
      --solver z3 --timeout "$limit" --out "$tmp/first" >/dev/null 2>&1 || true
    local first
    first=$(first_fields "$tmp/first/report.json" 2>/dev/null || echo "error")
    for solver in z3 cvc5; do
      rm -rf "$tmp/full"
      "$smug" run --model "models/$model.onnx" --input "$img" --window "$w" --top-k "$k" \
        --net-encoding full --solver "$solver" --timeout "$limit" --out "$tmp/full" \
        >/dev/null 2>"$tmp/err" || true
      local cells line
      if [ -f "$tmp/full/report.json" ]; then
        cells=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["inputs"][0].get("cells","-"))' "$tmp/full/report.json")
        line=$(fields "$tmp/full/report.json")
      else
        cells=- line="error: $(head -c 120 "$tmp/err")"
      fi
      printf '%-12s %6s %2s %5s %-6s | %s | %s  %s\n' "$model" "$w" "$k" "$cells" "$solver" \
        "$line" "$first" "$(basename "$img")"
    done
  done
}

for w in 14 7 4 2; do run_case fashion_fc "$w" 8; done
run_case fashion_fc 7 32
for w in 14 7 4; do run_case fashion_cnn "$w" 8; done
