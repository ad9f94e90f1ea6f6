#!/usr/bin/env bash
# test_eval.sh SMUG SOURCE_DIR — `smug eval` end to end (issue #5): on three fixture images
# of the CNN every method reaches table.md, table.csv, inputs.csv (a row per input and
# method) and a panel per input; labels skip misclassified inputs; the dense model leaves
# Grad-CAM out unless asked for it, and then refuses. Prints "N passed, N failed".
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"


cd "$tmp"
cnn=$src/models/fashion_cnn.onnx fc=$src/models/fashion_fc.onnx d=$src/data/fashion
methods="smug smug_base ig grad gradcam sis prunegrad centerbox maxbox optbox"
fast=(--window 4 --timeout 5 --steps 64 --optbox-grid 7)

check "eval cnn, 3 images" 0 "" "$smug" eval --model "$cnn" --input "$d/0001_pullover.png" \
  --input "$d/0002_trouser.png" --input "$d/0005_trouser.png" --out e1 "${fast[@]}"
for f in table.md table.csv inputs.csv eval.json; do [ -s "e1/$f" ] && ok || bad "no e1/$f"; done
for m in $methods; do
  grep '^| |' e1/table.md | grep -qF " $m |" && ok || bad "table.md header lacks $m"
  grep -q "^$m,3," e1/table.csv && ok || bad "table.csv lacks $m with n = 3"
done
for r in "LSC (mean)" "LSC (sd)" "Win %" "Sparsity" "Time (ms)"; do
  grep -qF "| $r |" e1/table.md && ok || bad "table.md lacks row $r"
done
# deletion / insertion AUC (issue #16): in [0, 1] for every map method, none for the boxes
for r in "Deletion AUC" "Insertion AUC"; do
  grep -qF "| $r |" e1/table.md && ok || bad "table.md lacks row $r"
done
[ -s e1/curves.png ] && ok || bad "no e1/curves.png"
python3 - e1/table.csv <<'PY' && ok || bad "table.csv: AUC columns"
import csv, sys
rows = {r["method"]: r for r in csv.DictReader(open(sys.argv[1]))}
for m, r in rows.items():
    d, i = r["deletion_auc_mean"], r["insertion_auc_mean"]
    if m in ("centerbox", "maxbox", "optbox"):
        assert d == "" and i == "", m
    else:
        assert 0.0 <= float(d) <= 1.0 and 0.0 <= float(i) <= 1.0, m
PY
[ "$(tail -n +2 e1/inputs.csv | wc -l)" -eq 30 ] && ok || bad "inputs.csv: want 3 x 10 rows"
[ "$(cut -d, -f4 e1/inputs.csv | tail -n +2 | sort -u | wc -l)" -eq 10 ] && ok || bad "inputs.csv: want 10 methods"
grep -q '0002_trouser.png",1,1,smug,' e1/inputs.csv && ok || bad "inputs.csv: label and prediction of 0002"
for p in 0001_pullover 0002_trouser 0005_trouser; do
  [ -s "e1/panels/$p.png" ] && ok || bad "no panel $p.png"
done
grep -q "3 inputs evaluated of 3 looked at: 0 misclassified (skipped), 0 without a label" e1/table.md &&
  ok || bad "table.md: counts"

# the default window (0 = auto) is resolved for every method, SIS included (issue #10.6)
check "eval default window, sis" 0 "" "$smug" eval --model "$cnn" --input "$d/0001_pullover.png" \
  --methods sis,ig --steps 64 --out e0
grep -q "^sis,1," e0/table.csv && ok || bad "default window: sis lacks its row"

# the randomisation sanity check (issue #16): two rows in table.md, one correlation per
# parameterised layer in eval.json, each in [-1, 1]
check "eval --sanity" 0 "" "$smug" eval --model "$cnn" --input "$d/0002_trouser.png" --sanity \
  --methods ig,grad,prunegrad --out es "${fast[@]}"
grep -qF "| Random ρ (all layers) |" es/table.md && ok || bad "table.md lacks the sanity rows"
python3 - es/eval.json <<'PY' && ok || bad "eval.json: randomisation_rho"
import json, sys
for m in json.load(open(sys.argv[1]))["methods"]:
    rho = m["randomisation_rho"]
    assert len(rho) == 4 and all(-1.0 <= v <= 1.0 for v in rho), m
PY

# labels: a wrong label makes the input misclassified (skipped); inputs the labels do not list
# (0000_ankle_boot.npy/.png) are evaluated as unlabelled; --limit counts evaluated ones
printf 'file,label\n0001_pullover.png,0\n0002_trouser.png,1\n' >labels.csv
check "labels skip" 0 "" "$smug" eval --model "$cnn" --input "$d" --labels labels.csv --limit 3 \
  --methods maxbox,centerbox --out e2 "${fast[@]}"
grep -q "0001_pullover.png: label 0, predicted 2: misclassified, skipped" out && ok || bad "skip line"
grep -q '"misclassified_skipped": 1' e2/eval.json && ok || bad "eval.json: 1 skipped"
grep -q '"evaluated": 3' e2/eval.json && ok || bad "eval.json: --limit 3"
grep -q '"unlabelled": 2' e2/eval.json && ok || bad "eval.json: 0000_ankle_boot .npy and .png are not listed"

# the dense model: gradcam left out with a note by default, refused when asked for
check "eval fc default" 0 "" "$smug" eval --model "$fc" --input "$d/0002_trouser.png" --out e3 \
  --methods smug,ig,grad,sis,maxbox "${fast[@]}"
check "eval fc all" 0 "" "$smug" eval --model "$fc" --input "$d/0002_trouser.png" --out e4 "${fast[@]}"
grep -q "gradcam skipped" e4/table.md && ok || bad "table.md: gradcam skipped note"
grep -q "^gradcam," e4/table.csv && bad "table.csv has gradcam on the dense model" || ok
check "eval fc gradcam" 2 "--methods gradcam:" "$smug" eval --model "$fc" --input "$d/0002_trouser.png" \
  --methods gradcam,ig --out e5
check "unknown method" 2 "--methods: unknown method 'lime'" "$smug" eval --methods smug,lime
check "repeated method" 2 "'ig' is listed twice" "$smug" eval --methods ig,ig
check "bad limit" 2 "--limit must be a whole number" "$smug" eval --limit 0
check "bad labels" 1 "bad.csv:1: the header must name" bash -c \
  "printf 'a,b\n' >bad.csv; '$smug' eval --labels bad.csv --methods maxbox --out e6"
check "help" 0 "" "$smug" eval --help
for f in config model input out methods limit labels optbox-grid sis-threshold gradcam-layer \
  lsc-levels timeout solver; do
  grep -q -- "--$f" out && ok || bad "eval --help lacks --$f"
done

finish
