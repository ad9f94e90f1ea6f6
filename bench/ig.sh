#!/usr/bin/env bash
# ig.sh — smug vs PyTorch on 300-step Integrated Gradients (first-layer neurons and input),
# dense and CNN fixtures, same thread count, measured in one run. Prints smug/torch time
# ratios (target: <= 1.0). Torch comes from Debian's python3-torch; without it the torch
# column is skipped with a message.
# usage: bench/ig.sh [--threads N] [--reps R] [--steps M] [--images N]   (build first: build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
[ -x "$build/bench/bench_ig" ] || { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null; cmake --build "$build" -j"$(nproc)" --target bench_ig; }
smug_out=$("$build/bench/bench_ig" "$@")
torch_out=$(/usr/bin/python3 bench/torch_ig.py "$@" 2>/dev/null || true)
SMUG="$smug_out" TORCH="$torch_out" /usr/bin/python3 - <<'PY'
import json, os
smug = [json.loads(l) for l in os.environ["SMUG"].splitlines() if l.startswith("{")]
torch = {(d["model"], d["layer"]): d for d in
         (json.loads(l) for l in os.environ["TORCH"].splitlines() if l.startswith("{"))}
if not torch:
    print("torch not available: printing smug's times only")
print("%-12s %-6s %10s %10s %7s   %10s %10s %7s" % ("model", "layer", "smug ms", "torch ms",
      "ratio", "smug min", "torch min", "ratio"))
for d in smug:
    t = torch.get((d["model"], d["layer"]))
    row = "%-12s %-6s %10.3f" % (d["model"], d["layer"], d["seconds"] * 1e3)
    if t:
        print(row + " %10.3f %7.2f   %10.3f %10.3f %7.2f" % (
            t["seconds"] * 1e3, d["seconds"] / t["seconds"], d["min_seconds"] * 1e3,
            t["min_seconds"] * 1e3, d["min_seconds"] / t["min_seconds"]))
    else:
        print(row + " %10s %7s   %10.3f" % ("-", "-", d["min_seconds"] * 1e3))
print("(per explanation: median and fastest; ratio = smug/torch; %d thread(s), %d steps, "
      "%d images x %d reps)" % (smug[0]["threads"], smug[0]["steps"], smug[0]["images"],
                                 smug[0]["reps"]))
PY
