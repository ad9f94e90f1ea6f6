#!/usr/bin/env bash
# gen-smt2.sh — regenerates smt2/, smug's committed SMT-LIB benchmark family (smt2/README.md).
#
#   bash scripts/gen-smt2.sh [SMUG_BINARY] [OUT_DIR]     (defaults: build/smug, smt2)
#
# For each fixture model and k, `smug emit --family` proves every optimum with z3 and keeps
# the pair at the boundary: <id>.sat.smt2 (size <= opt, :status sat) and <id>.unsat.smt2
# (size <= opt - 1, :status unsat), plus the bundle's manifest.json. The problems are small
# (window 4, 7x7 cells) so every optimum is proved in well under a second and the files are
# the same on every run; tests/e2e/test_bundle.sh checks that the committed files match.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
smug="${1:-$root/build/smug}"
out="${2:-$root/smt2}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root" # relative paths in the manifests and :source lines, whoever runs it

inputs=(data/fashion/0000_ankle_boot.png data/fashion/0004_shirt.png data/fashion/0008_sandal.png)
for model in fashion_fc fashion_cnn; do
  for k in 4 8; do
    name="${model}_k${k}"
    args=()
    for i in "${inputs[@]}"; do args+=(--input "$i"); done
    "$smug" emit --model "models/$model.onnx" "${args[@]}" --top-k "$k" --window 4 \
      --gamma 0.5 --solver z3 --timeout 60 --family --form decision --out "$tmp/$name" >/dev/null
    mkdir -p "$out/$name"
    rm -f "$out/$name"/*.smt2 "$out/$name/manifest.json"
    for f in "$tmp/$name"/problems/*.{sat,unsat,unknown}.smt2; do
      [[ -e "$f" ]] && cp "$f" "$out/$name/"
    done
    cp "$tmp/$name/manifest.json" "$out/$name/"
  done
done
echo "wrote $(find "$out" -name '*.smt2' | wc -l) files under $out"
