#!/usr/bin/env bash
# run-default.sh — set up, build (Release) and run smug on the bundled default model and image,
# then let z3 re-check the proof of the mask's lower bound (README "Proofs"): one unsat per
# leaf of the proof, which smug writes as plain SMT-LIB. Extra arguments go to `smug run`
# (e.g. --input data/fashion --top-k 4).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSMUG_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
proof=build/default-proof.smt2
./build/smug run --proof-out "$proof" "$@"
echo "z3 re-checks $proof, the proof that no smaller mask exists (one unsat per leaf):"
z3 "$proof" | sort | uniq -c
