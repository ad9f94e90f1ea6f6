#!/usr/bin/env bash
# test_cli.sh SMUG SOURCE_DIR — the smug binary's contract: exit statuses (0 ok, 1 failure,
# 2 usage), one-line errors that name the file/node/operator/parameter, --help for every
# command listing every parameter, and attribute --json output that agrees with the float64
# reference values. Prints "N passed, N failed".
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"


cd "$tmp"
bad=$src/tests/data/onnx
check "run default model, window 4" 0 "" "$smug" run --window 4 --timeout 30
[ -s smug-out/report.json ] && pass=$((pass + 1)) || { echo "FAIL no smug-out/report.json"; fail=$((fail + 1)); }
for f in saliency.png overlay.png mask.png mask.npy; do
  [ -s smug-out/0000_ankle_boot/$f ] && pass=$((pass + 1)) || { echo "FAIL no $f"; fail=$((fail + 1)); }
done
grep -q '"verified": true' smug-out/report.json && pass=$((pass + 1)) || { echo "FAIL report: not verified"; fail=$((fail + 1)); }
check "solver that cannot optimize" 2 "solver cvc5 cannot optimize" "$smug" run --solver cvc5 --strategy optimize
check "unknown solver" 2 "yices" "$smug" run --solver yices
check "bad config key" 1 "unknown key" "$smug" run --config "$src/tests/data/config/unknown_key.yaml"
check "inspect cnn" 0 "" "$smug" inspect "$src/models/fashion_cnn.onnx"
grep -q "first layer: #1 Conv" out && pass=$((pass + 1)) || { echo "FAIL inspect names the first layer"; fail=$((fail + 1)); }
check "unsupported op" 1 "node 'tanh0': unsupported operator 'Tanh'" "$smug" inspect "$bad/unsupported_op.onnx"
check "missing file" 1 "no_such.onnx: cannot open" "$smug" inspect no_such.onnx
check "truncated" 1 "truncated.onnx: not an ONNX model" "$smug" inspect "$bad/truncated.onnx"
check "not onnx" 1 "not_onnx.onnx" "$smug" inspect "$bad/not_onnx.onnx"
check "empty" 1 "empty.onnx: empty file" "$smug" inspect "$bad/empty.onnx"
check "graph" 0 "" "$smug" inspect "$bad/graph_ops.onnx"
grep -q "Add                residual_add .* <- 5, 7" out && pass=$((pass + 1)) || { echo "FAIL inspect names a layer's inputs"; fail=$((fail + 1)); }
check "reshape empty" 1 "node 'reshape_empty'" "$smug" inspect "$bad/reshape_empty_shape.onnx"
check "wrong input shape" 1 "does not match the model input 1x28x28" \
  "$smug" attribute --model "$src/models/fashion_fc.onnx" --input "$src/tests/data/input/wrong_shape.npy"
check "wrong image size" 1 "the model input is" \
  "$smug" attribute --model "$src/models/fashion_fc.onnx" --input "$src/tests/data/input/img_10x10.png"
check "bad param" 2 "steps must be in [1, 100000]: got 0" "$smug" run --steps 0
check "typo param" 2 "did you mean 'steps'" "$smug" run --stesp 3
check "bad method" 2 "--method must be ig, grad or prunegrad" "$smug" attribute --method lime
check "unknown command" 2 "unknown command 'frobnicate'" "$smug" frobnicate
check "target out of range" 2 "target" "$smug" attribute --target 10

for cmd in run emit solve score attribute inspect solvers family; do
  check "help $cmd" 0 "" "$smug" "$cmd" --help
  if [ "$cmd" = run ] || [ "$cmd" = emit ] || [ "$cmd" = attribute ]; then
    for p in steps target ig-output baseline top-k pixel-min pixel-max threads; do
      grep -q -- "--$p " out || { echo "FAIL $cmd --help lacks --$p"; fail=$((fail + 1)); }
    done
  fi
done

# --jobs 2: the same report as one job (input order kept), and the same fatal error
check "run jobs 1" 0 "" "$smug" run --input "$src/data/fashion" --out j1 --jobs 1
check "run jobs 2" 0 "" "$smug" run --input "$src/data/fashion" --out j2 --jobs 2
python3 - <<'PY' && pass=$((pass + 1)) || { echo "FAIL --jobs 2 report differs from --jobs 1"; fail=$((fail + 1)); }
import json
def strip(path):
    # What every run of this input must agree on. Left out: how the optimum was reached and
    # which optimal mask it is (proof shape, proved_by, incumbent_from, solver calls, notes,
    # the masked prediction), since the GLPK incumbent search is time-limited and a loaded
    # machine may start from another mask of the same size; times and file paths.
    same = ("input", "label", "predicted", "target", "confidence", "neurons", "solver", "gamma",
            "cells", "constraints", "grid", "strategy", "status", "mask_size", "lower_bound",
            "verified", "net_encoding")
    return [{k: i.get(k) for k in same} for i in json.load(open(path))["inputs"]]
a, b = strip("j1/report.json"), strip("j2/report.json")
for x, y in zip(a, b):
    for k in x:
        if x[k] != y[k]:
            print("  %s: %s is %r with --jobs 1, %r with --jobs 2" % (x["input"], k, x[k], y[k]))
assert len(a) == 21 and a == b
PY
[ ! -e j2/.parts ] && pass=$((pass + 1)) || { echo "FAIL --jobs left j2/.parts behind"; fail=$((fail + 1)); }
check "run jobs 2, bad input" 1 "does not match the model input 1x28x28" "$smug" run --jobs 2 \
  --model "$src/models/fashion_fc.onnx" --input "$src/data/fashion/0001_pullover.png" \
  --input "$src/tests/data/input/wrong_shape.npy"

# every flag a command declares is in its --help (the opts table generates both)
"$smug" solve --help >"$tmp/h"
for f in solver jobs shard timeout strategy mem-limit; do
  grep -q -- "--$f" "$tmp/h" && pass=$((pass + 1)) || { echo "FAIL solve --help lacks --$f"; fail=$((fail + 1)); }
done
check "solve without a bundle" 2 "solve needs the BUNDLE folder" "$smug" solve
check "score without a bundle" 2 "score needs the BUNDLE folder" "$smug" score
check "emit without --out" 2 "emit needs --out" "$smug" emit

# attribute --json against the torch/float64 references (logits, first layer, IG on input)
for m in fashion_fc fashion_cnn; do
  "$smug" attribute --model "$src/models/$m.onnx" --input "$src/data/fashion/0000_ankle_boot.png" \
    --layer input --json >"$m.json" 2>"$tmp/err"
  if python3 - "$m.json" "$src/tests/data/ref/${m}_0.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
assert d["predicted"] == r["predicted"], "predicted"
assert max(abs(a - b) for a, b in zip(d["logits"], r["logits"])) < 1e-4, "logits"
assert max(abs(a - b) for a, b in zip(d["first_layer"], r["first_layer"])) < 1e-4, "first_layer"
num = math.sqrt(sum((a - b) ** 2 for a, b in zip(d["attributions"], r["ig_input"])))
den = math.sqrt(sum(b * b for b in r["ig_input"]))
assert num / den < 1e-3, "ig_input relative error %g" % (num / den)
assert d["completeness"]["relative_error"] < 0.01, "completeness"
PY
  then pass=$((pass + 1)); else echo "FAIL attribute --json $m"; fail=$((fail + 1)); fi
done

# CBC, the MILP back end (issue #10.9): its masks count once checked; its "Optimal" is a
# note, never a proved lower bound
cnn=(--model "$src/models/fashion_cnn.onnx" --input "$src/data/fashion/0004_shirt.png" --window 1
  --top-k 32 --timeout 30)
check "run cbc" 0 "" "$smug" run "${cnn[@]}" --solver cbc --out cbc
check "run z3" 0 "" "$smug" run "${cnn[@]}" --solver z3 --out z3
python3 -c "
import json
c = json.load(open('cbc/report.json'))['inputs'][0]
z = json.load(open('z3/report.json'))['inputs'][0]
assert c['solver'] == 'cbc' and c['verified'] is True, c
assert c['proved_by'] in (None, 'certificate') and c['lower_bound'] <= z['lower_bound'], c
assert c['mask_size'] >= z['lower_bound'], (c['mask_size'], z['lower_bound'])
if c['status'] != 'optimal':
    assert 'a floating-point claim, not a proof' in c['note'], c['note']
" && pass=$((pass + 1)) || { echo "FAIL run cbc: report"; fail=$((fail + 1)); }
check "cbc takes no other strategy" 2 "its only strategy is optimize" \
  "$smug" run "${cnn[@]}" --solver cbc --strategy tighten
check "emit for cbc" 0 "" "$smug" emit "${cnn[@]}" --out cbcB
check "solve cbc" 0 "" "$smug" solve cbcB --solver cbc
check "score cbc" 0 "" "$smug" score cbcB
grep -q '"file": "0004_shirt.cbc.json"' cbcB/scored/report.json && pass=$((pass + 1)) ||
  { echo "FAIL score cbc: the cbc result is not a source"; fail=$((fail + 1)); }

finish
