#!/usr/bin/env bash
# gen-smt2.sh — rebuilds smt2/, smug's committed SMT-LIB benchmark family (smt2/README.md),
# without running a solver on it: cheap and the same to the byte on every run.
#
#   bash scripts/gen-smt2.sh [SMUG_BINARY] [OUT_DIR]     (defaults: build/smug, smt2)
#
# smt2/selection.csv lists the problems (bench/families.sh chose them by measured
# difficulty): one `smug emit --family` per folder, with its model, window, k, γ, encoding
# and inputs. smug family then gathers the benchmark files and takes every status, time and
# difficulty from smt2/measured.csv (solver runs made once, by bench/families.sh), writing
# the files, index.json, instances.csv, measured.csv, BenchExec files, solvers.sh and
# run.slurm; the difficulty tables go into README.md between its two marker lines.
# tests/e2e/test_families.sh runs this into a temporary folder and compares with smt2/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
smug="${1:-$root/build/smug}"
out="${2:-$root/smt2}"
smug="$(cd "$(dirname "$smug")" && pwd)/$(basename "$smug")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root" # relative paths in the manifests and the index, whoever runs it

sel=smt2/selection.csv
header() { sed -n "s/^# $1=//p" "$sel"; }
timeout=$(header timeout)
# the :source date of every file, and one OpenBLAS thread: the same sums in the same order
export SOURCE_DATE_EPOCH OPENBLAS_NUM_THREADS=1
SOURCE_DATE_EPOCH=$(header source_date_epoch)
[ -n "$timeout" ] && [ -n "$SOURCE_DATE_EPOCH" ] || {
  echo "gen-smt2.sh: $sel lacks '# timeout=' or '# source_date_epoch='" >&2
  exit 1
}
cp smt2/measured.csv smt2/README.md "$sel" "$tmp/"

# one emit per folder, its inputs in selection order
declare -A args
folders=()
while IFS=, read -r folder model window k gamma encoding input; do
  if [ -z "${args[$folder]+set}" ]; then
    folders+=("$folder")
    args[$folder]="--model $model --window $window --top-k $k --gamma $gamma --encoding $encoding"
  fi
  args[$folder]+=" --input $input"
done < <(grep -v '^#' "$sel" | tail -n +2)
mkdir -p "$tmp/bundles"
for folder in "${folders[@]}"; do
  # shellcheck disable=SC2086 # the words of one folder's arguments (no spaces in the paths)
  "$smug" emit ${args[$folder]} --solver z3 --timeout 300 --family --form decision \
    --out "$tmp/bundles/$folder" >/dev/null
done

# a fresh folder; in place, only what this script writes goes (README.md and the
# selection stay)
if [ -e "$out" ]; then
  [ -f "$out/selection.csv" ] || [ -z "$(ls -A "$out")" ] || {
    echo "gen-smt2.sh: $out is not a family folder (no selection.csv): not touching it" >&2
    exit 1
  }
  find "$out" -mindepth 1 -maxdepth 1 ! -name README.md ! -name selection.csv -exec rm -rf {} +
fi
mkdir -p "$out"
cp "$tmp/README.md" "$tmp/selection.csv" "$out/"
"$smug" family --out "$out" --measured "$tmp/measured.csv" --timeout "$timeout" --all-measured \
  "$tmp/bundles" >"$tmp/tables.md"

# the tables between the markers of README.md
begin='<!-- tables: scripts/gen-smt2.sh writes from here -->'
end='<!-- to here -->'
awk -v b="$begin" -v e="$end" -v t="$tmp/tables.md" '
  $0 == e { skip = 0 }
  !skip { print }
  $0 == b { print ""; while ((getline l < t) > 0) print l; print ""; skip = 1 }
' "$tmp/README.md" >"$out/README.md"
echo "wrote $(grep -c . "$out/instances.csv") files under $out"
