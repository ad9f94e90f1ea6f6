#!/usr/bin/env bash
# load.sh — model loading time and peak memory (issue #11 item 3: peak RSS <= 1.3x the file,
# a 500 MB model in under a second). Exports vgg11 (531 MB) and the full-size resnet18,
# googlenet and mobilenet_v2 with seeded random weights (tools/torchvision_fixtures.py,
# Debian's python3-torch and python3-torchvision; nothing downloaded) into $SMUG_BENCH_DIR
# (default /tmp/smug-bench) unless they are there, then loads each in its own process.
# usage: bench/load.sh [--reps R]   (build first: build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
dir=${SMUG_BENCH_DIR:-/tmp/smug-bench}
[ -x "$build/bench/bench_load" ] || {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target bench_load
}
models="vgg11 resnet18 googlenet mobilenet_v2"
missing=""
for m in $models; do [ -s "$dir/$m.onnx" ] || missing="$missing,$m"; done
if [ -n "$missing" ]; then
  /usr/bin/python3 tools/torchvision_fixtures.py --full "$dir" --models "${missing#,}" >/dev/null
fi
printf '%-14s %9s %7s %8s %8s %9s %9s %10s\n' model "file MB" layers "load s" "min s" "peak MB" "base MB" "added/file"
for m in $models; do
  "$build/bench/bench_load" "$dir/$m.onnx" "$@" | /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print("%-14s %9.1f %7d %8.3f %8.3f %9.1f %9.1f %10.2f" % (d["model"].rsplit("/", 1)[-1][:-5],
      d["file_bytes"] / 1e6, d["layers"], d["seconds"], d["min_seconds"],
      d["peak_rss_bytes"] / 1e6, d["base_rss_bytes"] / 1e6, d["load_rss_over_file"]))'
done
echo "(median and fastest of the runs; peak: resident set of the process; base: before loading;"
echo " added/file: (peak - base) / file size, target <= 1.3)"
