#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS [JOBS] — for every fuzz target tests/fuzz/fuzz_<parser>.c: replays
# the committed crash regressions in tests/fuzz/corpus/<parser>/, then fuzzes for SECONDS
# (sexpr) or SECONDS/2 (every other parser) from the seeds listed in tests/fuzz/seeds/<parser>
# (one glob per line, relative to the source root). JOBS fuzzers (default: the cores) run at
# once, each on one core, so the fuzzing time per parser is the same on any machine and the
# wall time is divided. New corpus entries go to a temporary folder, so the source tree is
# never written; a crash input is copied into tests/fuzz/corpus/<parser>/ for a human to commit.
set -euo pipefail
build=$1 seconds=$2 jobs=${3:-$(nproc)}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

fuzz_one() { # parser: prints its verdict; returns non-zero on a crash or a failing regression
  local parser=$1 fuzzer="$build/tests/fuzz/fuzz_$1" regressions="tests/fuzz/corpus/$1"
  local work budget status=0
  mkdir -p "$regressions"
  work=$(mktemp -d)
  mkdir -p "$work/corpus" "$work/seeds"
  if [ -f "tests/fuzz/seeds/$parser" ]; then
    while read -r pattern; do
      [ -n "$pattern" ] && for f in $pattern; do [ -f "$f" ] && cp "$f" "$work/seeds/"; done
    done <"tests/fuzz/seeds/$parser"
  fi
  if compgen -G "$regressions/*" >/dev/null; then
    "$fuzzer" -runs=0 "$regressions"/* >/dev/null 2>&1 || { echo "fuzz $parser: regression fails"; status=1; }
  fi
  # the solver-output parser reads what foreign processes print: it gets the full time
  # (issue 3 asks 60 s in CI); the file parsers half of it, to keep CI near 10 minutes
  budget=$seconds
  [ "$parser" = sexpr ] || budget=$(((seconds + 1) / 2))
  if "$fuzzer" -max_total_time="$budget" -rss_limit_mb=2048 -max_len=600000 \
       -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" "$work/seeds" 2>"$work/log"; then
    echo "fuzz $parser: $(grep -E 'stat::number_of_executed_units' "$work/log" | awk '{print $2}') runs, no crash"
  else
    tail -40 "$work/log"
    for a in "$work"/crash-* "$work"/leak-* "$work"/oom-* "$work"/timeout-*; do
      [ -e "$a" ] && cp "$a" "$regressions/" && echo "fuzz $parser: saved $regressions/$(basename "$a")"
    done
    status=1
  fi
  rm -rf "$work"
  return $status
}

# the longest (sexpr) first, so it overlaps the short ones
parsers=(sexpr)
for src in tests/fuzz/fuzz_*.c; do
  p=$(basename "$src" .c)
  p=${p#fuzz_}
  [ "$p" = sexpr ] || parsers+=("$p")
done
running=0
for parser in "${parsers[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  (if fuzz_one "$parser" >"$results/$parser.out" 2>&1; then echo 0; else echo 1; fi >"$results/$parser.rc") &
  running=$((running + 1))
done
wait
status=0
for parser in "${parsers[@]}"; do
  cat "$results/$parser.out"
  [ "$(cat "$results/$parser.rc" 2>/dev/null)" = 0 ] || status=1
done
exit $status
