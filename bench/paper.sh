#!/usr/bin/env bash
# paper.sh — the paper's ImageNet configuration (issue #12): googlenet at 224x224, top-k
# 3000, gamma 0, 200 IG steps, --timeout 300, at window 4 (3136 cells) and window 8; wall
# time to report.json, mask size, proved bound, peak RSS (/usr/bin/time -v), and the
# encoding time (report times.encode: encode + bounds + the GLPK incumbent search) at
# several windows with 4 IG steps (the encoding does not depend on them).
# --only gaps: the issue's moonshot figure instead — window 4 on the first N (default 10)
# DIR/*_synth.png inputs, one smug run, --timeout 300 each, and the distribution of the
# optimality gap (mask - proved lower bound, and as a fraction of the mask) over them.
# Usage: bench/paper.sh [--smug BIN] [--dir DIR] [--out OUT] [--only paper|encode|gaps] [--inputs N]
# DIR (default /tmp/smug-torchvision) holds the full-size models and inputs:
#   /usr/bin/python3 tools/torchvision_fixtures.py --full DIR [--images 10]
# Numbers depend on the machine's load: print `uptime` with them. CAP=S ends a run (SIGINT:
# smug writes its report as interrupted) after S seconds, for a binary that overruns.
set -eu
smug=${SMUG:-build/smug} dir=/tmp/smug-torchvision out=/tmp/smug-paper only= inputs=10
while [ $# -gt 0 ]; do
  case $1 in
  --smug) smug=$2; shift 2 ;;
  --dir) dir=$2; shift 2 ;;
  --out) out=$2; shift 2 ;;
  --only) only=$2; shift 2 ;;
  --inputs) inputs=$2; shift 2 ;;
  *) echo "usage: $0 [--smug BIN] [--dir DIR] [--out OUT] [--only paper|encode|gaps] [--inputs N]" >&2; exit 2 ;;
  esac
done
model=$dir/googlenet.onnx png=$dir/0000_synth.png
[ -f "$model" ] && [ -f "$png" ] || { echo "$0: no $model or $png (see the header)" >&2; exit 1; }
mkdir -p "$out"

one() { # name window steps timeout
  local name=$1 w=$2 steps=$3 t=$4
  local start end
  start=$(date +%s.%N)
  ${CAP:+timeout -s INT "$CAP"} /usr/bin/time -v "$smug" run --model "$model" --input "$png" --out "$out/$name" --top-k 3000 \
    --gamma 0 --window "$w" --steps "$steps" --timeout "$t" >"$out/$name.log" 2>"$out/$name.time" || true
  end=$(date +%s.%N)
  /usr/bin/python3 - "$out/$name/report.json" "$out/$name.time" "$name" "$start" "$end" <<'PY'
import json, re, sys
path, tfile, name, start, end = sys.argv[1:6]
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(tfile).read())
try:
    r = json.load(open(path))
    e = r["inputs"][0] if "inputs" in r else r
except (OSError, ValueError):
    print(f"{name}: no report.json, wall {float(end) - float(start):.1f} s"); sys.exit(0)
t = e.get("times", {})
print(f"{name}: wall {float(end) - float(start):.1f} s, cells {e.get('cells')}, rows "
      f"{e.get('constraints')}, mask {e.get('mask_size')}, lower bound {e.get('lower_bound')}, "
      f"status {e.get('status')}, ig {t.get('ig', 0):.1f} s, encode {t.get('encode', 0):.2f} s, "
      f"solve {t.get('solve', 0):.1f} s, peak RSS {int(rss.group(1)) // 1024 if rss else '?'} MB"
      f"\n  note: {e.get('note')}")
PY
}

gaps() { # the gap distribution over the first $inputs inputs, window 4, one run
  local args=() n=0 png
  for png in "$dir"/*_synth.png; do
    [ "$n" -lt "$inputs" ] || break
    args+=(--input "$png"); n=$((n + 1))
  done
  [ "$n" -eq "$inputs" ] || { echo "$0: only $n inputs in $dir (tools/torchvision_fixtures.py --images $inputs)" >&2; exit 1; }
  ${CAP:+timeout -s INT "$CAP"} /usr/bin/time -v "$smug" run --model "$model" "${args[@]}" --out "$out/gaps" --top-k 3000 \
    --gamma 0 --window 4 --steps 200 --timeout 300 >"$out/gaps.log" 2>"$out/gaps.time" || true
  /usr/bin/python3 - "$out/gaps/report.json" "$out/gaps.time" "$n" <<'PY'
import json, re, statistics, sys
path, tfile, asked = sys.argv[1], sys.argv[2], int(sys.argv[3])
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(tfile).read())
try:
    inputs = json.load(open(path))["inputs"]
except (OSError, ValueError, KeyError):
    print("gaps: no report.json"); sys.exit(0)
gaps, rel, optimal = [], [], 0
for e in inputs:
    m, lb, t = e.get("mask_size"), e.get("lower_bound"), e.get("times", {})
    if m is None or lb is None:
        print(f"  {e.get('input', '?').rsplit('/', 1)[-1]}: status {e.get('status')}, no mask/bound"); continue
    gaps.append(m - lb); rel.append((m - lb) / m if m else 0.0); optimal += e.get("status") == "optimal"
    print(f"  {e.get('input', '?').rsplit('/', 1)[-1]}: mask {m}, proved lower bound {lb}, gap {m - lb} ({100 * rel[-1]:.0f} %), "
          f"status {e.get('status')}, ig {t.get('ig', 0):.1f} s, solve {t.get('solve', 0):.1f} s")
if len(inputs) != asked:
    print(f"gaps: {len(inputs)} of {asked} inputs in the report (interrupted?)")
if gaps:
    q = lambda v: f"min {min(v)}, median {statistics.median(v)}, max {max(v)}"
    print(f"gaps over {len(gaps)} inputs: {optimal} proved optimal; gap {q(gaps)}; "
          f"relative gap (% of the mask) {q([round(100 * r) for r in rel])}; "
          f"peak RSS {int(rss.group(1)) // 1024 if rss else '?'} MB")
PY
}

uptime
if [ "$only" = gaps ]; then
  gaps
  exit 0
fi
if [ "$only" != paper ]; then
  for w in 8 6 4; do one "encode_w$w" "$w" 4 60; done
fi
if [ "$only" != encode ]; then
  one paper_w4 4 200 300
  one paper_w8 8 200 300
fi
