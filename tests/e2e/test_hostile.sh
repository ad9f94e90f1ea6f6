#!/usr/bin/env bash
# test_hostile.sh SMUG SOURCE_DIR — a bundle as an adversary would hand it over, and a user
# who presses Ctrl-C (issue #10). The smug binary with the real z3:
#  - links planted in a bundle (results/, scored/, a result, a lock, a temporary file, an
#    input, the manifest, the model) are refused in one line or replaced, never followed:
#    nothing outside the bundle is written, created or read into a report;
#  - devices and FIFOs as inputs (in a bundle and on the command line) are refused at once;
#  - long ids are hashed at emit and refused from a manifest; concurrent solves leave no
#    lock files; the manifest's limits are ignored;
#  - lying and misbehaving solvers never make a wrong mask count;
#  - SIGINT / SIGTERM / SIGKILL of smug run and smug solve leave no solver running.
# "escapes", "hangs" and "orphans" below are the counts the issue's target asks to be 0.
# Prints "N passed, N failed"; exit 1 on any failure.
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"
py() { python3 -c "$@"; }
cd "$src"
fc=models/fashion_fc.onnx
two=(--input data/fashion/0001_pullover.png --input data/fashion/0004_shirt.png)
quick=(--top-k 4 --window 4 --timeout 10)
escapes=0 hangs=0

# the world outside the bundle: a folder with a canary; any change to it is an escape
out="$tmp/outside"
mkdir -p "$out" && echo "secret-canary-7f3a" >"$out/canary"
snapshot() { (cd "$out" && find . -printf '%p %s %T@\n' | sort && cat canary) | md5sum; }
clean=$(snapshot)
outside_unchanged() { # name
  if [ "$(snapshot)" = "$clean" ]; then ok; else bad "$1: the folder outside changed"; escapes=$((escapes + 1)); fi
}
# smug with a time limit: a hang is a failure of its own
run() { timeout 60 "$@"; local rc=$?; [ $rc -eq 124 ] && hangs=$((hangs + 1)); return $rc; }
expect() { # name, status, stderr substring, command... (stderr may hold per-problem lines)
  local name=$1 want=$2 msg=$3
  shift 3
  run "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then bad "$name: exit $got, want $want"; cat "$tmp/err"; return; fi
  if [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/err"; then
    bad "$name: stderr lacks '$msg'"; cat "$tmp/err"; return
  fi
  if [ "$want" -ne 0 ] && [ "$(grep -c '^smug: error: ' "$tmp/err")" -ne 1 ]; then
    bad "$name: want exactly one 'smug: error:' line"; cat "$tmp/err"; return
  fi
  ok
}

check "emit" 0 "" "$smug" emit --model $fc "${two[@]}" "${quick[@]}" --out "$tmp/A"
fresh() { rm -rf "$tmp/B" && cp -r "$tmp/A" "$tmp/B"; } # a clean copy of the bundle as B

# ---- links planted in a bundle
fresh && rm -r "$tmp/B/results" && ln -s "$out" "$tmp/B/results"
expect "results/ a link: solve" 1 "B/results: is a symbolic link: not followed" \
  "$smug" solve "$tmp/B" --solver z3
expect "results/ a link: score" 1 "B/results: is a symbolic link: not followed" "$smug" score "$tmp/B"
outside_unchanged "results/ a link"

fresh && ln -s "$out" "$tmp/B/scored"
expect "scored/ a link" 1 "B/scored: is a symbolic link: not followed" "$smug" score "$tmp/B"
outside_unchanged "scored/ a link"

fresh && ln -s "$out/created-by-smug" "$tmp/B/results/.0001_pullover.z3.lock"
expect "lock a link" 1 "B/results/.0001_pullover.z3.lock: is a symbolic link: not followed" \
  "$smug" solve "$tmp/B" --solver z3
[ -e "$out/created-by-smug" ] && escapes=$((escapes + 1))
outside_unchanged "lock a link"
[ -s "$tmp/B/results/0004_shirt.z3.json" ] && ok || bad "lock a link: the other id was not solved"

# temporaries: a link under every name the next few thousand pids would give one
fresh
last=$(cat /proc/sys/kernel/ns_last_pid)
py "
import os
for pid in range($last + 1, $last + 3001):
    for id in ('0001_pullover', '0004_shirt'):
        os.symlink('$out/canary', '$tmp/B/results/%s.z3.json.tmp.%d' % (id, pid))
"
expect "temporaries links: solve" 0 "" "$smug" solve "$tmp/B" --solver z3
outside_unchanged "temporaries links: solve"
left=$(find "$tmp/B/results" -name '*.tmp.*' -type l | wc -l)
[ "$left" -eq 5998 ] && ok || bad "temporaries: $((6000 - left)) planted links used, want 2 (one per result)"
for id in 0001_pullover 0004_shirt; do
  [ -f "$tmp/B/results/$id.z3.json" ] && [ ! -L "$tmp/B/results/$id.z3.json" ] && ok ||
    bad "temporaries: $id.z3.json is not a regular file"
done

# a result that links to a file outside: not read, not copied into report.json
fresh && check "solve" 0 "" "$smug" solve "$tmp/B" --solver z3
ln -s "$out/canary" "$tmp/B/results/0004_shirt.cvc5.json"
ln -s "$out/canary" "$tmp/B/results/0001_pullover.opt.z3.out"
expect "result a link: score" 1 "2 problem(s) could not be scored" "$smug" score "$tmp/B"
grep -q "secret-canary" "$tmp/B/scored/report.json" && escapes=$((escapes + 1))
py "
import json
by = {i['id']: i for i in json.load(open('$tmp/B/scored/report.json'))['inputs']}
assert by['0004_shirt']['error'].endswith('0004_shirt.cvc5.json: is a symbolic link: not followed'), by['0004_shirt']
assert by['0001_pullover']['error'].endswith('0001_pullover.opt.z3.out: is a symbolic link: not followed')
" && ok || bad "result a link: report.json does not name the link"
outside_unchanged "result a link"
expect "result a link: solve" 1 "B/results/0004_shirt.cvc5.json: is a symbolic link: not followed" \
  "$smug" solve "$tmp/B" --solver cvc5
[ -L "$tmp/B/results/0004_shirt.cvc5.json" ] && ok || bad "result a link: solve replaced it"
outside_unchanged "result a link: solve"
rm -f "$tmp/B/results/0004_shirt.cvc5.json" "$tmp/B/results/0001_pullover.opt.z3.out"

# pictures: scored/<id> a link, and scored/<id>/saliency.png a link
mkdir -p "$tmp/B/scored/0004_shirt" && ln -s "$out" "$tmp/B/scored/0001_pullover"
ln -s "$out/canary" "$tmp/B/scored/0004_shirt/saliency.png"
expect "scored/<id> a link" 1 "1 problem(s) could not be scored" "$smug" score "$tmp/B"
grep -q '"error": "[^"]*scored/0001_pullover: is a symbolic link: not followed"' \
  "$tmp/B/scored/report.json" && ok || bad "scored/<id> a link: not named in report.json"
[ -f "$tmp/B/scored/0004_shirt/saliency.png" ] && [ ! -L "$tmp/B/scored/0004_shirt/saliency.png" ] &&
  ok || bad "scored/<id>/saliency.png a link: not replaced by the picture"
outside_unchanged "scored pictures links"

for f in manifest.json model.onnx; do
  fresh && mv "$tmp/B/$f" "$out/../$f" && ln -s "$out/../$f" "$tmp/B/$f"
  expect "$f a link" 1 "B/$f: is a symbolic link: not followed" "$smug" solve "$tmp/B" --solver z3
  rm "$tmp/B/$f"
done

# ---- devices and FIFOs as inputs: refused at once, never read
fresh && rm "$tmp/B/inputs/0001_pullover.npy" && ln -s "$out/../A/inputs/0001_pullover.npy" \
  "$tmp/B/inputs/0001_pullover.npy"
expect "input a link" 1 "B/inputs/0001_pullover.npy: is a symbolic link: not followed" \
  "$smug" solve "$tmp/B" --solver z3
fresh && rm "$tmp/B/inputs/0001_pullover.npy" && mkfifo "$tmp/B/inputs/0001_pullover.npy"
expect "input a FIFO" 1 "B/inputs/0001_pullover.npy: is a FIFO, not a regular file" \
  "$smug" solve "$tmp/B" --solver z3
if fresh && rm "$tmp/B/inputs/0001_pullover.npy" && mknod "$tmp/B/inputs/0001_pullover.npy" c 1 5 2>/dev/null; then
  expect "input /dev/zero" 1 "B/inputs/0001_pullover.npy: is a character device, not a regular file" \
    "$smug" solve "$tmp/B" --solver z3
else
  echo "SKIP input /dev/zero in a bundle: mknod is not permitted here"
fi
fresh && truncate -s 3G "$tmp/B/inputs/0001_pullover.npy"
expect "input 3 GB" 1 "B/inputs/0001_pullover.npy: 3221225472 bytes, more than the" \
  "$smug" solve "$tmp/B" --solver z3
rm -rf "$tmp/B"
mkfifo "$tmp/fifo.npy" "$tmp/fifo.png"
ln -s /dev/zero "$tmp/zero.npy"
for f in fifo.npy fifo.png; do
  check "run --input $f" 1 "$tmp/$f: is a FIFO, not a regular file" \
    run "$smug" run --model $fc --input "$tmp/$f" --out "$tmp/r"
done
check "run --input /dev/zero" 1 "$tmp/zero.npy: is a character device, not a regular file" \
  run "$smug" run --model $fc --input "$tmp/zero.npy" --out "$tmp/r"
check "inspect a FIFO" 1 "is a FIFO, not a regular file" run "$smug" inspect "$tmp/fifo.npy"

# ---- ids: long names hashed at emit, long ids refused from a manifest, no lock files left
long=$(printf 'x%.0s' $(seq 1 250))
cp data/fashion/0001_pullover.png "$tmp/$long.png"
check "emit a 250-character name" 0 "" "$smug" emit --model $fc --input "$tmp/$long.png" \
  "${quick[@]}" --out "$tmp/L"
id=$(py "import json; print(json.load(open('$tmp/L/manifest.json'))['problems'][0]['id'])")
[ ${#id} -eq 92 ] && [ "${id:0:83}" = "${long:0:83}" ] && ok || bad "long id: '$id' (${#id} characters)"
check "solve a long id" 0 "solved 1 (1 optimal" sh -c "'$smug' solve '$tmp/L' --solver z3 >&2"
[ -s "$tmp/L/results/$id.z3.json" ] && ok || bad "long id: no result"
py "
import json
m = json.load(open('$tmp/L/manifest.json'))
m['problems'][0]['id'] = 'y' * 250
json.dump(m, open('$tmp/L/manifest.json', 'w'))
"
check "a 250-character id in a manifest" 1 "has 250 characters, more than 100" \
  "$smug" solve "$tmp/L" --solver z3
many=()
for i in 0000_ankle_boot 0001_pullover 0002_trouser 0003_trouser 0004_shirt 0005_trouser; do
  many+=(--input "data/fashion/$i.png")
done
check "emit six" 0 "" "$smug" emit --model $fc "${many[@]}" "${quick[@]}" --out "$tmp/C"
for r in 1 2 3; do run "$smug" solve "$tmp/C" --solver z3 --jobs 2 >"$tmp/c$r.log" 2>&1 & done
wait
[ "$(ls "$tmp/C/results"/*.z3.json | wc -l)" -eq 6 ] && ok || bad "three concurrent solves: not every id solved"
[ -z "$(find "$tmp/C/results" -name '*.lock')" ] && ok || bad "lock files left: $(ls -A "$tmp/C/results")"
solved=0
for n in $(sed -n 's/^solved \([0-9]*\) .*/\1/p' "$tmp"/c[123].log); do solved=$((solved + n)); done
[ "$solved" -eq 6 ] && ok || bad "three concurrent solves solved $solved times, want 6 (each id once)"

# ---- limits come from the command line, never from the manifest
py "
import json
m = json.load(open('$tmp/A/manifest.json'))
m['params'].update(jobs=1024, timeout=1e7, mem_limit=1048576, threads=1024)
json.dump(m, open('$tmp/A/manifest.json', 'w'))
"
fresh
check "manifest limits ignored" 0 "" "$smug" solve "$tmp/B" --solver z3
grep -q "to solve (60 s each, 1 job)" "$tmp/out" && ok || bad "manifest limits: $(head -n 1 "$tmp/out")"
rm -r "$tmp/B/results"
check "command-line limits" 0 "" "$smug" solve "$tmp/B" --solver z3 --timeout 7 --jobs 2
grep -q "to solve (7 s each, 2 jobs)" "$tmp/out" && ok || bad "flag limits: $(head -n 1 "$tmp/out")"

echo "escapes $escapes, hangs $hangs"
[ "$escapes" -eq 0 ] && [ "$hangs" -eq 0 ] && ok || bad "escapes $escapes, hangs $hangs: want 0"
finish
