#!/usr/bin/env bash
# ig.sh — smug vs PyTorch on Integrated Gradients, measured in one run, same thread count:
# 200-step first-layer and input IG at 224x224 on resnet18, googlenet and mobilenet_v2
# (time and peak memory), and the whole `smug attribute` process on the 28x28 fixtures
# against torch's compute alone. Prints smug/torch ratios; bench/ig_compare.py says how.
# Torch is Debian's python3-torch (+ torchvision, onnx); without it nothing is compared.
# usage: bench/ig.sh [--threads N] [--reps R] [--steps M] [--dir DIR] [--models a,b]
#                    [--only 224|28]
# DIR (default /tmp/smug-torchvision) holds the full-size models:
#   /usr/bin/python3 tools/torchvision_fixtures.py --full DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
if [ ! -x "$build/bench/bench_ig" ] || [ ! -x "$build/smug" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j"$(nproc)" --target bench_ig smug
fi
exec /usr/bin/python3 bench/ig_compare.py --build "$build" "$@"
