#!/usr/bin/env bash
# run.sh FUZZER REGRESSIONS_DIR SECONDS — replays the committed crash regressions, then fuzzes
# for SECONDS from seeds (the bundled models and the malformed fixtures). New corpus entries
# go to a temporary folder, so the source tree is never written; a crash input is copied to
# REGRESSIONS_DIR for a human to commit.
set -euo pipefail
fuzzer=$1 regressions=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/seeds"
cp models/*.onnx tests/data/onnx/*.onnx "$work/seeds/"
if compgen -G "$regressions/*" >/dev/null; then
  "$fuzzer" -runs=0 "$regressions"/*
fi
if ! "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=600000 \
     -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" "$work/seeds" 2>"$work/log"; then
  tail -40 "$work/log"
  for a in "$work"/crash-* "$work"/leak-* "$work"/oom-* "$work"/timeout-*; do
    [ -e "$a" ] && cp "$a" "$regressions/" && echo "fuzz: saved $regressions/$(basename "$a")"
  done
  exit 1
fi
grep -E "stat::number_of_executed_units|Done" "$work/log" | tail -2
