#!/usr/bin/env bash
# test_fullnet.sh SMUG SOURCE_DIR — the full-net encoding (issue #16, --net-encoding full)
# with the real z3 (objective form) and cvc5 (bound tightening) on the small fixtures:
#  - fashion_fc, window 7: both solvers prove an optimum, the same size, the mask is verified
#    and keeps class 9 by proof (keeps_class_by "proof", class_margin ≥ margin), and it is at
#    least as large as the first-layer encoding's optimum (whose rows it still contains);
#  - fashion_cnn (normalisation, BatchNorm, MaxPool), window 14: the same with z3;
#  - smug emit writes the network into the files (cvc5 parses them), and smug solve + smug
#    score on that bundle give the same optimum;
#  - refusals: a layer it cannot encode (Clip) is named in one line; a margin out of range.
# Prints "N passed, N failed".
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"
cd "$tmp"
img=$src/data/fashion/0000_ankle_boot.png
fc=$src/models/fashion_fc.onnx

# report.json of one input: status, verified, keeps the class by proof; prints mask_size.
# argv: report, wanted status ("" for any of optimal|timeout|feasible)
full_ok() {
  python3 - "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want = sys.argv[2]
i = r["inputs"][0]
errs = []
if want and i["status"] != want:
    errs.append("status %s, want %s" % (i["status"], want))
if i["status"] == "error":
    errs.append("error: %s" % i.get("error"))
else:
    if not i["verified"]:
        errs.append("not verified")
    if i["net_encoding"] != "full":
        errs.append("net_encoding %s" % i["net_encoding"])
    if not i["keeps_class"] or i["masked_predicted"] != i["predicted"]:
        errs.append("the mask changes the class")
    if i["keeps_class_by"] != "proof":
        errs.append("keeps_class_by %s (note: %s)" % (i["keeps_class_by"], i["class_note"]))
    if not i["class_margin"] >= i["margin"] * (1 - 1e-6):
        errs.append("class_margin %s below margin %s" % (i["class_margin"], i["margin"]))
if errs:
    print("; ".join(errs), file=sys.stderr)
    sys.exit(1)
print(i["mask_size"])
PY
}

size_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["inputs"][0]["mask_size"])' "$1"; }

check "fc full z3" 0 "" "$smug" run --model "$fc" --input "$img" --net-encoding full --window 7 \
  --solver z3 --timeout 120 --out fz3
z3size=$(full_ok fz3/report.json optimal) && ok || bad "fc full z3 report"
grep -q "keeps class (proved)" out && ok || bad "console: keeps class (proved)"

check "fc full cvc5" 0 "" "$smug" run --model "$fc" --input "$img" --net-encoding full --window 7 \
  --solver cvc5 --timeout 120 --out fc5
c5size=$(full_ok fc5/report.json optimal) && ok || bad "fc full cvc5 report"
[ -n "$z3size" ] && [ "$z3size" = "$c5size" ] && ok || bad "z3 optimum $z3size, cvc5 $c5size"

check "fc first-layer z3" 0 "" "$smug" run --model "$fc" --input "$img" --window 7 --solver z3 \
  --timeout 120 --out ffl
flsize=$(size_of ffl/report.json)
grep -q '"keeps_class_by": "forward pass"' ffl/report.json && ok || bad "first-layer keeps_class_by"
[ -n "$z3size" ] && [ "$z3size" -ge "$flsize" ] && ok ||
  bad "full-net optimum $z3size below the first-layer optimum $flsize"

check "cnn full z3" 0 "" "$smug" run --model "$src/models/fashion_cnn.onnx" --input "$img" \
  --net-encoding full --window 14 --solver z3 --timeout 120 --out cnn
full_ok cnn/report.json optimal >/dev/null && ok || bad "cnn full z3 report"

check "emit full" 0 "" "$smug" emit --model "$fc" --input "$img" --net-encoding full --window 7 \
  --out bundle
grep -q "full-net encoding" bundle/problems/0000_ankle_boot.smt2 && ok || bad "emitted file lacks the network"
cvc5 --parse-only bundle/problems/0000_ankle_boot.smt2 && ok || bad "cvc5 cannot parse the emitted file"
check "solve full bundle" 0 "" "$smug" solve bundle --solver cvc5 --timeout 120
check "score full bundle" 0 "" "$smug" score bundle --out scored
bsize=$(full_ok scored/report.json optimal) && ok || bad "scored bundle report"
[ -n "$bsize" ] && [ "$bsize" = "$z3size" ] && ok || bad "bundle optimum $bsize, run $z3size"

check "unsupported layer" 1 "layer 'relu6' (operator Clip) cannot be encoded" "$smug" run \
  --model "$src/tests/data/onnx/graph_ops.onnx" --input "$img" --net-encoding full --out bad
check "margin out of range" 2 "margin must be in [1e-06, 1e+06]: got 0" "$smug" run \
  --net-encoding full --margin 0 --out bad2
check "bad net-encoding" 2 "net_encoding must be one of first-layer|full: got 'all'" "$smug" run \
  --net-encoding all --out bad3
check "margin the input misses" 2 "less than the margin" "$smug" run --model "$fc" --input "$img" \
  --net-encoding full --margin 100 --out bad4
finish
