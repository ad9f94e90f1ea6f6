#!/usr/bin/env bash
# test_keepclass.sh SMUG SOURCE_DIR — whether a mask keeps the predicted class (issue #16),
# with the real z3: every report input says keeps_class, equal to masked_predicted ==
# predicted; the default run's mask turns the ankle boot (9) into another class, and with
# --keep-class the reported mask keeps class 9 or the report says no attempt did; on the CNN
# and a folder of images every --keep-class input keeps its class or says it could not.
# Prints "N passed, N failed".
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"
cd "$tmp"
d=$src/data/fashion

# report.json invariants; argv: report, "plain" or "keep", and for "keep" the class wanted
# of the first input ("" for any)
inv() {
  python3 - "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
mode, want = sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else "")
errs = []
for i in r["inputs"]:
    name = i["input"]
    if i["status"] == "error":
        errs.append(name + ": status error")
        continue
    kc = i["keeps_class"]
    if kc != (i["masked_predicted"] == i["predicted"]):
        errs.append(name + ": keeps_class disagrees with masked_predicted")
    if not i["verified"]:
        errs.append(name + ": not verified")
    k = i.get("keep_class")
    if mode == "plain":
        if k is not None:
            errs.append(name + ": keep_class without --keep-class")
        continue
    if k is None:
        errs.append(name + ": no keep_class object")
        continue
    a = k["attempts"]
    if not a:
        errs.append(name + ": no attempts")
    kept = [x for x in a if x.get("keeps_class")]
    if k["kept"] != bool(kept):
        errs.append(name + ": kept disagrees with the attempts")
    if k["kept"]:
        if not kc:
            errs.append(name + ": kept, but the reported mask changes the class")
        if i["mask_size"] != min(x["mask_size"] for x in kept):
            errs.append(name + ": the reported mask is not the smallest that kept the class")
        if (k["top_k"], k["gamma"]) != (len(i["neurons"]), i["gamma"]):
            errs.append(name + ": top_k/gamma differ from neurons/gamma")
    elif kc:
        errs.append(name + ": keeps the class but kept is false")
    for x in a:
        if x.get("keeps_class") and x["masked_predicted"] != i["predicted"]:
            errs.append(name + ": an attempt keeps another class")
if want and r["inputs"][0]["keep_class"]["kept"] and r["inputs"][0]["masked_predicted"] != int(want):
    errs.append("first input: masked class is not " + want)
print("\n".join(errs))
sys.exit(1 if errs else 0)
PY
}

check "default run" 0 "" "$smug" run --out plain
inv plain/report.json plain && ok || bad "plain invariants"
grep -q '"keeps_class": false' plain/report.json && ok || bad "the default mask should change class 9"
grep -q "masked input predicted 5" out && ok || bad "console: masked class"

check "default --keep-class" 0 "" "$smug" run --keep-class --out keep
inv keep/report.json keep 9 && ok || bad "--keep-class invariants"
grep -qE "keep-class: (k [0-9]+, gamma [0-9.]+ keep class 9|no mask of)" out && ok ||
  bad "console: keep-class line"
grep -q '"keep_class": "true"' keep/report.json && ok || bad "params record keep_class"
grep -q "keeps class" out && ok || bad "console: keeps class"

check "--keep-class true, cvc5" 0 "" "$smug" run --keep-class true --solver cvc5 --out kc5
inv kc5/report.json keep 9 && ok || bad "cvc5 --keep-class invariants"
check "bad keep-class" 2 "keep_class must be one of false|true: got 'yes'" \
  "$smug" run --keep-class yes
check "bad keep-class-gamma" 2 "keep_class_gamma must be in [0, 1]: got 2" \
  "$smug" run --keep-class --keep-class-gamma 2

check "cnn folder --keep-class" 0 "" "$smug" run --model "$src/models/fashion_cnn.onnx" \
  --input "$d" --keep-class --timeout 5 --out cnn
inv cnn/report.json keep && ok || bad "cnn --keep-class invariants"
finish
