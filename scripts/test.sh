#!/usr/bin/env bash
# test.sh — set up, build with -Werror, run every test; then the unit tests and the e2e
# tests labelled asan again under ASan+UBSan, the fuzzers (the solver-output parser for
# SMUG_FUZZ_SECONDS, default 60, the file parsers for half that) and the format check.
# This is exactly what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"
step() { printf '\n== %s\n' "$*"; }

step "dependencies"
bash scripts/install-deps.sh

step "build (-Wall -Wextra -Werror)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMUG_WERROR=ON >/dev/null
cmake --build build-test -j"$jobs"

step "tests (all labels)"
(cd build-test && ctest --output-on-failure -j"$jobs")

step "unit and e2e tests (label asan) under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSMUG_SANITIZE=ON -DSMUG_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs" -L 'unit|asan')

step "fuzz: solver output ${SMUG_FUZZ_SECONDS:-60} s, every other parser half that, $jobs at once"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DSMUG_FUZZ=ON -DSMUG_TESTS=OFF \
  -DSMUG_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$jobs"
bash tests/fuzz/run.sh build-fuzz "${SMUG_FUZZ_SECONDS:-60}" "$jobs"

step "format (.clang-format)"
bash scripts/check-format.sh

echo
echo "test.sh: all passed"
