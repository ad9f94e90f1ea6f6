#!/usr/bin/env bash
# test_prunegrad.sh SMUG SOURCE_DIR — PruneGrad end to end (issue #16) on the real fixtures:
# `attribute --method prunegrad` with --prune-keep 1 is the plain gradient and with 0.25
# keeps a quarter of the first layer; `run --select prunegrad` with the real z3 constrains only
# surviving first-layer neurons, in PruneGrad's order, and its mask is verified; `eval`
# lists prunegrad with deletion/insertion AUCs. Prints "N passed, N failed".
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"
cd "$tmp"
cnn=$src/models/fashion_cnn.onnx img=$src/data/fashion/0001_pullover.png

check "attribute grad" 0 "" "$smug" attribute --model "$cnn" --input "$img" --method grad \
  --layer input --json
cp out grad.json
check "attribute prunegrad keep 1" 0 "" "$smug" attribute --model "$cnn" --input "$img" \
  --method prunegrad --prune-keep 1 --layer input --json
cp out pg1.json
check "attribute prunegrad first" 0 "" "$smug" attribute --model "$cnn" --input "$img" \
  --method prunegrad --prune-keep 0.25 --layer first --json
cp out pgfirst.json
check "run --select prunegrad" 0 "" "$smug" run --model "$cnn" --input "$img" \
  --select prunegrad --prune-keep 0.25 --timeout 10 --out run
python3 - grad.json pg1.json pgfirst.json run/report.json <<'PY' && ok || bad "prunegrad checks"
import json, math, sys
g, p1, pf, rep = (json.load(open(f)) for f in sys.argv[1:5])
assert p1["method"] == "prunegrad" and p1["pruned_layers"] >= 2
diff = max(abs(a - b) for a, b in zip(g["attributions"], p1["attributions"]))
assert diff < 1e-5, "keep 1 differs from the gradient by %g" % diff
kept = pf["first_layer_kept"]
assert sum(kept) == math.ceil(0.25 * len(kept)), sum(kept)
i = rep["inputs"][0]
assert rep["params"]["select"] == "prunegrad" and i["verified"], i.get("error")
ids = [n["index"] for n in i["neurons"]]
assert ids and all(kept[j] for j in ids), "a pruned neuron was selected"
imp = [pf["attributions"][j] for j in ids]
assert all(v > 0 for v in imp) and imp == sorted(imp, reverse=True), "not in PruneGrad order"
PY
check "eval prunegrad" 0 "" "$smug" eval --model "$cnn" --input "$img" --methods prunegrad,grad \
  --out ev --window 4 --steps 32
grep -q "^prunegrad,1," ev/table.csv && ok || bad "table.csv lacks prunegrad"
check "bad prune-keep" 2 "prune_keep must be in" "$smug" attribute --method prunegrad --prune-keep 0
check "bad select" 2 "select must be one of ig|prunegrad: got 'lime'" "$smug" run --select lime
finish
