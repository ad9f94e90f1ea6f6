#!/usr/bin/env bash
# objective.sh — z3's objective form: which encoding finishes (issue #14.8).
#
#   bash bench/objective.sh [SMUG] [TIMEOUT]        (defaults: build/smug, 60 CPU seconds)
#
# The case the issue gives: the dense fixture net, window 4, k 8, where smug's bounds leave
# a gap of one cell (0004_shirt: incumbent 11 cells, lower bound 10; 0010_coat: 10 and 9).
# smug emit writes the objective file it keeps (problems/<id>.opt.smt2); the other
# encodings are made from it by text edits, so every variant has the same rows and facts:
#
#   plain        (minimize size) over size <= incumbent, no bound-guarded fixings (smug's
#                form before this issue)
#   soft         plain with (assert-soft (not m)) per cell instead of (minimize size)
#   int          plain with size an Int sum of (ite m 1 0)
#   guarded      plain plus each LP reduced-cost fixing guarded by its bound,
#                (=> (< size B+1) (not m))
#   kept         guarded, but only masks below the incumbent (size < incumbent): what smug
#                emits; unsat means the incumbent is optimal
#   kept-soft    kept with assert-soft per cell instead of (minimize size)
#
# Prints one line per file and variant: z3's first answer and its CPU time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
smug="${1:-$root/build/smug}"
limit="${2:-60}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"

"$smug" emit --model models/fashion_fc.onnx --input data/fashion/0004_shirt.png \
  --input data/fashion/0010_coat.png --top-k 8 --window 4 --gamma 0.5 --form optimize \
  --out "$tmp/b" >/dev/null

# variant NAME FILE: the kept file rewritten
variant() {
  local f=$2 upper
  upper=$(sed -n 's/^; only masks smaller than the incumbent .\([0-9]*\) cells.$/\1/p' "$f")
  case $1 in
    kept) cat "$f" ;;
    guarded) sed "s/^(assert (< size $upper.0))/(assert (<= size $upper.0))/" "$f" ;;
    plain) grep -v '^(assert (=> (< size' "$f" |
      sed "s/^(assert (< size $upper.0))/(assert (<= size $upper.0))/" ;;
    soft) variant plain "$f" | soft ;;
    kept-soft) soft <"$f" ;;
    int) variant plain "$f" | sed -e 's/(set-logic QF_LRA)/(set-logic QF_LIRA)/' \
      -e 's/(declare-const size Real)/(declare-const size Int)/' \
      -e 's/(ite \(m_[0-9_]*\) 1.0 0.0)/(ite \1 1 0)/g' \
      -e 's/^(assert (\([<>]=*\) size \([0-9]*\).0))/(assert (\1 size \2))/' ;;
  esac
}

# soft: (minimize size) replaced by one (assert-soft (not m)) per declared cell
soft() {
  local text
  text=$(cat)
  printf '%s\n' "$text" | sed '/^(minimize size)/,$d'
  printf '%s\n' "$text" | grep -o '^(declare-const m_[0-9_]* Bool)' |
    sed 's/(declare-const \(m_[0-9_]*\) Bool)/(assert-soft (not \1) :id cells)/'
  printf '(check-sat)\n(get-objectives)\n(exit)\n'
}

# the first line z3 prints and its CPU seconds per variant (ulimit -t: the limit is CPU
# time, so a busy machine does not decide the comparison; a run killed at the limit prints
# nothing)
for f in "$tmp"/b/problems/*.opt.smt2; do
  for v in plain soft int guarded kept kept-soft; do
    variant $v "$f" >"$tmp/v.smt2"
    times >"$tmp/t0"
    answer=$(bash -c 'ulimit -t "$1" && exec z3 -smt2 "$2" 2>/dev/null' _ "$limit" "$tmp/v.smt2" |
      head -n 1 || true)
    times >"$tmp/t1"
    cpu=$(awk 'function s(x) { split(x, p, "m"); return p[1] * 60 + p[2] }
      FNR == 2 { v[FILENAME] = s($1) + s($2) } END { printf "%.2f", v[ARGV[2]] - v[ARGV[1]] }' \
      "$tmp/t0" "$tmp/t1")
    [ -n "$answer" ] || answer="timeout"
    printf '%-20s %-10s %-8s %6s s CPU\n' "$(basename "$f" .opt.smt2)" "$v" "$answer" "$cpu"
  done
done
