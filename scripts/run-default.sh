#!/usr/bin/env bash
# run-default.sh — set up, build (Release) and run smug on the bundled default model and image.
# Extra arguments go to `smug run` (e.g. --input data/fashion --top-k 4).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSMUG_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
./build/smug run "$@"
