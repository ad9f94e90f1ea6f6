#!/usr/bin/env bash
# paper.sh — the paper's ImageNet configuration (issue #12): googlenet at 224x224, top-k
# 3000, gamma 0, 200 IG steps, --timeout 300, at window 4 (3136 cells) and window 8; wall
# time to report.json, mask size, proved bound, peak RSS (/usr/bin/time -v), and the
# encoding time (report times.encode: encode + bounds + the GLPK incumbent search) at
# several windows with 4 IG steps (the encoding does not depend on them).
# Usage: bench/paper.sh [--smug BIN] [--dir DIR] [--out OUT] [--only paper|encode]
# DIR (default /tmp/smug-torchvision) holds the full-size models:
#   /usr/bin/python3 tools/torchvision_fixtures.py --full DIR
# Numbers depend on the machine's load: print `uptime` with them. CAP=S ends a run (SIGINT:
# smug writes its report as interrupted) after S seconds, for a binary that overruns.
set -eu
smug=${SMUG:-build/smug} dir=/tmp/smug-torchvision out=/tmp/smug-paper only=
while [ $# -gt 0 ]; do
  case $1 in
  --smug) smug=$2; shift 2 ;;
  --dir) dir=$2; shift 2 ;;
  --out) out=$2; shift 2 ;;
  --only) only=$2; shift 2 ;;
  *) echo "usage: $0 [--smug BIN] [--dir DIR] [--out OUT] [--only paper|encode]" >&2; exit 2 ;;
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

uptime
if [ "$only" != paper ]; then
  for w in 8 6 4; do one "encode_w$w" "$w" 4 60; done
fi
if [ "$only" != encode ]; then
  one paper_w4 4 200 300
  one paper_w8 8 200 300
fi
