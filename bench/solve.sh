#!/usr/bin/env bash
# solve.sh — the solving benchmark of issue 3 (bench/bench_solve.c has the details): share of
# mask problems proved optimal within the limit and the median time to a proved optimum,
# per solver/strategy and window, beside the original per-pixel encoding (z3 minimize) and
# CBC on the same 0/1 program. Arguments go to bench_solve, e.g.
#   bench/solve.sh --models fc --images 5 --k 8 --windows 2,4 --gammas 0.5 --timeout 10
# The full grid (2 models x 20 images x k 4,8,16 x windows 1,2,4 x gamma 0.5,0.9, 10 s) is
# 720 problems, the defaults here; with --methods z3:tighten,cvc5:tighten,cbc it took about
# 25 minutes on two cores (the open per-pixel problems use their whole 10 s). The reference
# encoding needs its full limit on every dense problem: give it --windows 1 --images 5.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
[ -x "$build/bench/bench_solve" ] || { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null; cmake --build "$build" -j"$(nproc)" --target bench_solve; }
"$build/bench/bench_solve" "$@"
