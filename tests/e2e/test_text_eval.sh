#!/usr/bin/env bash
# test_text_eval.sh SMUG SOURCE_DIR — `smug eval` on the text model (issue #6) with the real
# z3: on the first 6 correctly classified texts of data/text every text method reaches
# table.md, table.csv, inputs.csv (a row per input and method, with the kept words) and an
# HTML panel per input; conf values lie in [0, 1] and sparsity in (0, 1]; and the invariants
# that must hold whatever the model believes: smug's kept words alone keep every chosen
# neuron above gamma (verified on every input), ig keeps exactly as many words as smug on
# each input, and no method keeps more words than the text has. Bad method lists are
# refused with one line. Prints "N passed, N failed".
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"
model=$src/models/debian_text.onnx text=$src/data/text

cd "$tmp"
check "eval text, 6 texts" 0 "" "$smug" eval --model "$model" --input "$text" --limit 6 \
  --timeout 30 --out t1
for f in table.md table.csv inputs.csv eval.json; do [ -s "t1/$f" ] && ok || bad "no t1/$f"; done
for m in smug smug_base ig sis; do
  grep '^| |' t1/table.md | grep -qF " $m |" && ok || bad "table.md header lacks $m"
  grep -q "^$m," t1/table.csv && ok || bad "table.csv lacks $m"
done
for r in "Sparsity (mean)" "Sparsity (sd)" "conf_kept (mean)" "conf_kept (sd)" \
  "conf_removed (mean)" "conf_removed (sd)" "Time (ms, mean)"; do
  grep -qF "| $r |" t1/table.md && ok || bad "table.md lacks row $r"
done
for m in gradcam optbox LSC; do grep -q "$m" t1/table.csv && bad "table.csv has $m" || ok; done
grep -q "6 inputs evaluated of 8 looked at: 2 misclassified (skipped)" t1/table.md && ok ||
  bad "table.md: counts (admin_5, admin_6 are misclassified)"
grep -q "admin_5.txt: label 0, predicted 1: misclassified, skipped" out && ok || bad "skip line"
if python3 - t1/inputs.csv <<'PY'; then ok; else bad "inputs.csv invariants"; fi
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
by = collections.defaultdict(dict)
for r in rows:
    by[r["input"]][r["method"]] = r
assert len(by) == 6 and len(rows) == 24, (len(by), len(rows))
for name, ms in by.items():
    assert set(ms) == {"smug", "smug_base", "ig", "sis"}, (name, set(ms))
    s = ms["smug"]
    assert s["ok"] == "1" and s["verified"] == "1", (name, "smug not verified")
    assert ms["ig"]["kept"] == s["kept"], (name, ms["ig"]["kept"], s["kept"])
    assert ms["smug_base"]["verified"] == "1", (name, "smug_base keeps every seen word")
    assert int(s["kept"]) <= int(ms["smug_base"]["kept"]), (name, "smug is a subset")
    for m, r in ms.items():
        if r["ok"] != "1":
            assert m == "sis" and r["note"].startswith("no SIS"), (name, m, r["note"])
            continue
        seen, kept = int(r["seen"]), int(r["kept"])
        assert 0 < kept <= seen and abs(float(r["sparsity"]) - kept / seen) < 1e-5, (name, m)
        assert len(r["words"].split()) == kept, (name, m, r["words"])
        for k in ("confidence", "conf_kept", "conf_removed"):
            assert 0.0 <= float(r[k]) <= 1.0, (name, m, k, r[k])
        if m == "sis":
            assert float(r["conf_kept"]) >= 0.9 - 1e-6, (name, "SIS keeps tau")
    print("  %s: smug %s/%s words, conf kept %.3f removed %.3f" % (name.rsplit("/", 1)[-1],
          s["kept"], s["seen"], float(s["conf_kept"]), float(s["conf_removed"])))
PY
n=$(ls t1/panels/*.html 2>/dev/null | wc -l)
[ "$n" -eq 6 ] && ok || bad "want 6 panels, got $n"
[ "$(grep -c '<h2>' t1/panels/admin_0.html)" -eq 4 ] && ok || bad "panel: one section a method"

check "text: image method" 2 "--methods gradcam: not a text method" \
  "$smug" eval --model "$model" --input "$text/games_0.txt" --methods smug,gradcam --out t2
check "text: ig without smug" 2 "ig on text needs smug" \
  "$smug" eval --model "$model" --input "$text/games_0.txt" --methods ig --out t3
check "text: window 2" 2 "window must be 1" \
  "$smug" eval --model "$model" --input "$text/games_0.txt" --window 2 --methods sis --out t4
check "text: sis only" 0 "" \
  "$smug" eval --model "$model" --input "$text/games_0.txt" --methods sis --out t5
finish
