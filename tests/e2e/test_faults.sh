#!/usr/bin/env bash
# test_faults.sh SMUG_FAULT SOURCE_DIR — SQLite-style fault injection (issue #10.10) with the
# real z3: smug-fault (tests/helpers/fault.c) lists every call site of smug's own code that
# allocates, writes, fsyncs or renames during a `smug run` and a `smug solve`; then each
# site fails in turn, once. Every time: smug exits 0 or 1 (never a crash, a hang or another
# status), a failure is said in exactly one "smug: error:" line, nothing is corrupted (no
# temporary or lock file left, every report or result file that exists is whole and
# valid), and a rerun without the fault completes. Then real ENOSPC on a small tmpfs (CI
# runs as root; skipped, and said so, where mounting is not permitted).
# Prints "N passed, N failed"; exit 1 on any failure.
set -u
fault=$1 src=$2
. "$(dirname "$0")/lib.sh"
py() { python3 -c "$@"; }
cd "$src"
job=(--model models/fashion_fc.onnx --top-k 4 --window 4 --timeout 10)

# one faulty run: status, the error line, leftovers; $1 names it, $2 the folder to inspect
judge() {
  local name=$1 dir=$2 got=$3
  if [ "$got" -ne 0 ] && [ "$got" -ne 1 ]; then
    bad "$name: exit $got (a crash, a hang or a wrong status)"; tail -n 3 "$tmp/err"; return 1
  fi
  if [ "$got" -eq 1 ] && [ "$(grep -c '^smug: error: ' "$tmp/err")" -ne 1 ]; then
    bad "$name: want one 'smug: error:' line"; cat "$tmp/err"; return 1
  fi
  if [ -n "$(find "$dir" -name '*.tmp.*' -o -name '.*.lock' 2>/dev/null)" ]; then
    bad "$name: left $(find "$dir" -name '*.tmp.*' -o -name '.*.lock')"; return 1
  fi
  return 0
}
valid_json() { # files...: each parses and, if a result, is verified
  py "
import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    assert d.get('verified', True) is True, f
" "$@"
}

# ---- smug run
rm -f "$tmp/sites"
SMUG_FAULT_LIST="$tmp/sites" "$fault" run "${job[@]}" --input data/fashion/0001_pullover.png \
  --out "$tmp/r" >/dev/null 2>&1 && ok || bad "run without faults"
sort -u "$tmp/sites" >"$tmp/run.sites"
n=$(wc -l <"$tmp/run.sites")
[ "$n" -ge 50 ] && ok || bad "run: only $n call sites listed"
failed=0
while read -r kind site; do
  rm -rf "$tmp/r"
  SMUG_FAULT_FAIL="$kind:$site" timeout 60 "$fault" run "${job[@]}" \
    --input data/fashion/0001_pullover.png --out "$tmp/r" >"$tmp/out" 2>"$tmp/err"
  got=$?
  [ "$got" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -ne 1 ] && { bad "run $kind $site: not one line"; cat "$tmp/err"; }
  judge "run $kind $site" "$tmp/r" $got || { failed=$((failed + 1)); continue; }
  if [ -e "$tmp/r/report.json" ] && ! valid_json "$tmp/r/report.json"; then
    bad "run $kind $site: report.json corrupt"; failed=$((failed + 1)); continue
  fi
  if ! timeout 60 "$fault" run "${job[@]}" --input data/fashion/0001_pullover.png --out "$tmp/r" \
    >/dev/null 2>"$tmp/err" || ! valid_json "$tmp/r/report.json"; then
    bad "run $kind $site: the rerun did not complete"; cat "$tmp/err"; failed=$((failed + 1))
  fi
done <"$tmp/run.sites"
[ "$failed" -eq 0 ] && ok
echo "run: $n call sites failed in turn, $failed bad"

# ---- smug solve (two problems, one worker at a time)
check "emit" 0 "" "$fault" emit "${job[@]}" --input data/fashion/0001_pullover.png \
  --input data/fashion/0004_shirt.png --out "$tmp/A"
rm -f "$tmp/sites"
cp -r "$tmp/A" "$tmp/B"
SMUG_FAULT_LIST="$tmp/sites" "$fault" solve "$tmp/B" --solver z3 >/dev/null 2>&1 && ok ||
  bad "solve without faults"
sort -u "$tmp/sites" >"$tmp/solve.sites"
n=$(wc -l <"$tmp/solve.sites")
[ "$n" -ge 50 ] && ok || bad "solve: only $n call sites listed"
failed=0
while read -r kind site; do
  rm -rf "$tmp/B" && cp -r "$tmp/A" "$tmp/B"
  SMUG_FAULT_FAIL="$kind:$site" timeout 60 "$fault" solve "$tmp/B" --solver z3 >"$tmp/out" 2>"$tmp/err"
  judge "solve $kind $site" "$tmp/B" $? || { failed=$((failed + 1)); continue; }
  results=$(find "$tmp/B/results" -name '*.json')
  if [ -n "$results" ] && ! valid_json $results; then
    bad "solve $kind $site: a result is corrupt"; failed=$((failed + 1)); continue
  fi
  if ! timeout 60 "$fault" solve "$tmp/B" --solver z3 >/dev/null 2>"$tmp/err" ||
    [ "$(find "$tmp/B/results" -name '*.z3.json' | wc -l)" -ne 2 ]; then
    bad "solve $kind $site: the rerun did not complete"; cat "$tmp/err"; failed=$((failed + 1))
  fi
done <"$tmp/solve.sites"
[ "$failed" -eq 0 ] && ok
echo "solve: $n call sites failed in turn, $failed bad"

# ---- a full disk (ENOSPC) on a small tmpfs
disk="$tmp/disk"
mkdir -p "$disk"
if mount -t tmpfs -o size=1m tmpfs "$disk" 2>/dev/null; then
  trap 'umount "$disk" 2>/dev/null; rm -rf "$tmp"' EXIT
  cp -r "$tmp/A" "$disk/B"
  fill() { # all space but $1 KiB
    rm -f "$disk/filler"
    local free
    free=$(df -k --output=avail "$disk" | tail -n 1)
    [ "$free" -gt "$1" ] && head -c $(((free - $1) * 1024)) /dev/zero >"$disk/filler" 2>/dev/null
    sync
  }
  fill 0
  timeout 60 "$fault" solve "$disk/B" --solver z3 >"$tmp/out" 2>"$tmp/err"
  got=$?
  [ "$got" -eq 1 ] && grep -q "No space left on device" "$tmp/err" && ok ||
    { bad "solve on a full disk: exit $got"; cat "$tmp/err"; }
  judge "solve on a full disk" "$disk/B" "$got" && ok
  [ -z "$(find "$disk/B/results" -name '*.json')" ] && ok || bad "solve on a full disk: a result was written"
  rm -f "$disk/filler"
  check "solve after freeing space" 0 "" "$fault" solve "$disk/B" --solver z3
  [ "$(find "$disk/B/results" -name '*.z3.json' | wc -l)" -eq 2 ] && ok || bad "solve after ENOSPC: results"
  fill 0
  timeout 60 "$fault" run "${job[@]}" --input data/fashion/0001_pullover.png --out "$disk/r" \
    >"$tmp/out" 2>"$tmp/err"
  got=$?
  [ "$got" -eq 1 ] && grep -q "No space left on device" "$tmp/err" && ok ||
    { bad "run on a full disk: exit $got"; cat "$tmp/err"; }
  judge "run on a full disk" "$disk" "$got" && ok
  [ ! -e "$disk/r/report.json" ] && ok || bad "run on a full disk: a report.json was written"
  rm -f "$disk/filler"
  check "run after freeing space" 0 "" "$fault" run "${job[@]}" \
    --input data/fashion/0001_pullover.png --out "$disk/r"
  valid_json "$disk/r/report.json" && ok || bad "run after ENOSPC: report.json"
  umount "$disk"
else
  skipped "ENOSPC: cannot mount a tmpfs here (needs root)"
fi

finish
