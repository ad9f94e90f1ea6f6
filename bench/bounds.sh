#!/usr/bin/env bash
# bounds.sh — lower bounds at γ 0 on the 224x224 fixtures (issue #12 item 4): for googlenet
# and resnet18 (seeded-random weights, tools/torchvision_fixtures.py), windows 4 and 8,
# k 100, 300 and 1000, bench_bound prints the greedy incumbent, the LP relaxation's certified
# bound, the cover bound (cut LP dual) and the packing bound (both checked exactly), with
# the time each takes. IG (200 steps) runs once per model and image, for the largest k.
# usage: bench/bounds.sh [--dir DIR] [--models googlenet,resnet18] [--images N]
#                        [--k 100,300,1000] [--windows 4,8] [--skip-lp] [--solve S]
# --solve S: then smug_solve (z3, tighten, S seconds) on each problem (bench_bound's header)
# DIR (default /tmp/smug-torchvision) holds the models; made when missing by
#   /usr/bin/python3 tools/torchvision_fixtures.py --full DIR --models googlenet,resnet18
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
dir=/tmp/smug-torchvision models=googlenet,resnet18 images=1 k=100,300,1000 windows=4,8 skip=
solve=0
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --k) k=$2; shift 2 ;;
    --windows) windows=$2; shift 2 ;;
    --skip-lp) skip=--skip-lp; shift ;;
    --solve) solve=$2; shift 2 ;;
    *) echo "bounds.sh: unknown option $1 (see the header)" >&2; exit 2 ;;
  esac
done
if [ ! -x "$build/bench/bench_bound" ]; then
  cmake -S . -B "$build" >/dev/null
  cmake --build "$build" -j"$(nproc)" --target bench_bound
fi
for m in ${models//,/ }; do
  if [ ! -f "$dir/$m.onnx" ]; then
    /usr/bin/python3 tools/torchvision_fixtures.py --full "$dir" --models "$m"
  fi
  for ((i = 0; i < images; i++)); do
    img=$(printf '%s/%04d_synth.png' "$dir" "$i")
    [ -f "$img" ] || { echo "bounds.sh: no $img (the fixture script writes two)" >&2; break; }
    echo "## $m $(basename "$img")"
    "$build/bench/bench_bound" --model "$dir/$m.onnx" --input "$img" --k "$k" \
      --windows "$windows" --gamma 0 --steps 200 --solve "$solve" $skip
  done
done
