#!/usr/bin/env bash
# test_torchvision.sh SMUG SOURCE_DIR — real network architectures end to end (issue #11):
# the reduced resnet18, googlenet and mobilenet_v2 of tests/data/torchvision/ (ONNX graphs
# with residual Adds, Inception Concats, depthwise convs and ReLU6) are inspected as graphs,
# explained by `smug run` with the real z3 and cvc5 into verified masks, and evaluated by
# `smug eval`. Prints "N passed, N failed".
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"

cd "$tmp"
tv=$src/tests/data/torchvision
png=$tv/0000_synth.png

for m in resnet18 googlenet mobilenet_v2; do
  check "inspect $m" 0 "" "$smug" inspect "$tv/${m}_mini.onnx"
  grep -q '^layers:   (a graph' out && ok || bad "inspect $m: not shown as a graph"
  grep -q "first layer: #1 Conv" out && ok || bad "inspect $m: first layer"
done
grep -q "<- " out && ok || bad "inspect names the inputs of joining layers"

# run: z3 (its default strategy) on each model, cvc5 on one; every mask verified, the
# status one of the two a finished search reports, the mask no larger than the grid
for m in resnet18 googlenet mobilenet_v2; do
  check "run $m z3" 0 "" "$smug" run --model "$tv/${m}_mini.onnx" --input "$png" --out "r_$m" \
    --timeout 60 --steps 64
  /usr/bin/python3 - "r_$m/report.json" <<'PY' && ok || bad "run $m: report"
import json, sys
r = json.load(open(sys.argv[1]))
e = r["inputs"][0] if "inputs" in r else r
assert e["verified"] is True, e["verified"]
assert e["status"] in ("optimal", "feasible"), e["status"]
assert 1 <= e["mask_size"] <= e["cells"], (e["mask_size"], e["cells"])
assert e["lower_bound"] <= e["mask_size"]
PY
  [ -s "r_$m/0000_synth/saliency.png" ] && ok || bad "run $m: no saliency.png"
done
check "run googlenet cvc5" 0 "" "$smug" run --model "$tv/googlenet_mini.onnx" --input "$png" \
  --out r_cvc5 --solver cvc5 --timeout 60 --steps 64 --top-k 16 --gamma 0.8
grep -q '"verified": true' r_cvc5/report.json && ok || bad "run cvc5: not verified"

# eval: the image methods on both pictures (SIS and OptBox left out: minutes at 64x64)
check "eval resnet18" 0 "" "$smug" eval --model "$tv/resnet18_mini.onnx" --input "$tv" --out ev \
  --methods smug,smug_base,ig,grad,gradcam,centerbox --window 4 --timeout 30 --steps 64
for m in smug smug_base ig grad gradcam centerbox; do
  grep -q "^$m,2," ev/table.csv && ok || bad "eval: table.csv lacks $m with n = 2"
done
finish
