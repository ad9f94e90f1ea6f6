#!/usr/bin/env bash
# install-deps.sh — installs every Debian 12 package smug's build, tests and default run need.
# Idempotent: it asks apt only when something is missing (then `apt-get update` first).
# Run as root (or with sudo available). Python/torch are NOT needed: tools/ and bench's torch
# comparison use them when present and skip otherwise.
set -euo pipefail

packages=(
  # build
  cmake make gcc pkg-config
  libopenblas-dev        # CBLAS (forward/backward GEMMs)
  libyaml-dev            # configs, solver files
  protobuf-c-compiler libprotobuf-c-dev
  libonnx-dev            # provides onnx/onnx.proto; the reader is generated from it
  libpng-dev             # PNG inputs and pictures
  libjansson-dev         # JSON reading
  libglpk-dev            # LP relaxation for lower bounds and fixings
  nettle-dev             # SHA-256 of models and problems in bundle manifests
  # solvers, run as subprocesses
  z3 cvc5
  coinor-cbc             # the MILP back end (solvers/cbc.yaml): tests run it
  # tests: cmocka, plus clang's libFuzzer/sanitizer runtime for the fuzz target
  libcmocka-dev clang libclang-rt-14-dev
  libonnx-testdata       # ONNX's backend node tests: unit/test_conformance.c runs them
  python3                # tests/e2e checks JSON output with the standard library only
  # programs the scripts call (tests/deps/check_commands.py keeps this list complete)
  clang-format           # scripts/check-format.sh
  git                    # scripts/check-format.sh lists the tracked files
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
