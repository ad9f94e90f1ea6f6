#!/usr/bin/env bash
# test_hostile.sh SMUG SOURCE_DIR MISBEHAVE — a bundle as an adversary would hand it over, and a user
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
smug=$1 src=$2 misbehave=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
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
  skipped "input /dev/zero in a bundle: mknod is not permitted here"
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
check "inspect a FIFO" 1 "not a regular file" run "$smug" inspect "$tmp/fifo.npy"

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

# ---- lying and misbehaving solvers (SMUG_SOLVERS_DIR): a wrong answer never becomes a mask
sdir="$tmp/solvers"
mkdir -p "$sdir"
solver_yaml() { # name, executable, args (a YAML list)
  printf 'name: %s\nexecutable: %s\nargs: %s\nstdin_args: []\nversion_args: [version]\n%s\n%s\n' \
    "$1" "$2" "$3" "capabilities: {optimize: true, incremental: false, get_value: true}" \
    "default_strategy: optimize" >"$sdir/$1.yaml"
}
liar() { # name, what it prints whatever it is asked
  printf '#!/bin/sh\ncat >/dev/null\nprintf "%s"\n' "$2" >"$tmp/$1.sh" && chmod +x "$tmp/$1.sh"
  solver_yaml "$1" "$tmp/$1.sh" "[]"
}
liar liar-sat 'sat\n((m_0 false))\n'
liar liar-garbage '\\x00\\x01((((\\n sat )))) unsat?\n'
liar liar-error '(error \\"line 3: unknown constant\\")\nunsat\n'
solver_yaml liar-flood "$misbehave" "[flood, \"100000000\"]"
solver_yaml stubborn "$misbehave" "[ignore-term, \"3600\"]"
cnn=models/fashion_cnn.onnx
hard=(--model $cnn --window 1 --top-k 32 --strategy optimize)
for s in liar-sat liar-garbage liar-error liar-flood; do
  SMUG_SOLVERS_DIR=$sdir check "$s" 0 "" run "$smug" run "${hard[@]}" --input data/fashion/0004_shirt.png \
    --solver $s --timeout 20 --out "$tmp/$s"
  py "
import json
r = json.load(open('$tmp/$s/report.json'))['inputs'][0]
assert r['verified'] is True, r
assert r['status'] != 'optimal' and r['proved_by'] is None and r['incumbent_from'] != 'solver', r
assert r['mask_size'] > r['lower_bound'], r
assert r['note'].startswith('$s '), r['note']  # the reason, naming the solver
" && ok || { bad "$s: a lie counted"; escapes=$((escapes + 1)); }
done

# ---- Ctrl-C, SIGTERM, SIGKILL: no solver outlives smug (orphans), none waits forever
orphans=0
descendants() { # pid: every process below it, as "pid command" lines
  py "
import os
kids = {}
for p in os.listdir('/proc'):
    if p.isdigit():
        try:
            st = open('/proc/%s/stat' % p).read()
            kids.setdefault(int(st.rsplit(')', 1)[1].split()[1]), []).append(int(p))
        except OSError:
            pass
todo, seen = [$1], []
while todo:
    for k in kids.get(todo.pop(), []):
        seen.append(k); todo.append(k)
for k in seen:
    try: print(k, open('/proc/%d/cmdline' % k).read().replace(chr(0), ' '))
    except OSError: pass
"
}
alive() { # pid: running (a zombie nobody reaps counts as gone)
  [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^[ZX]'
}
wait_for_solver() { # pid, name pattern: until a solver runs below pid (at most 30 s)
  for _ in $(seq 1 300); do
    descendants "$1" | grep -q -- "$2" && return 0
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
interrupt() { # name, signal, solver pattern, target ("pid" or "group"), expected status, command...
  local name=$1 sig=$2 pat=$3 target=$4 want=$5
  shift 5
  setsid "$@" >"$tmp/sig.out" 2>"$tmp/sig.err" &
  local pid=$!
  if ! wait_for_solver $pid "$pat"; then
    bad "$name: no solver started"; kill -KILL -- -$pid 2>/dev/null; wait $pid; return
  fi
  sleep 0.5
  local solvers
  solvers=$(descendants $pid | awk '{print $1}')
  if [ "$target" = group ]; then kill -"$sig" -- -$pid; else kill -"$sig" $pid; fi
  local t0=$SECONDS got
  for _ in $(seq 1 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  if kill -0 $pid 2>/dev/null; then
    bad "$name: smug still running 30 s after SIG$sig"; hangs=$((hangs + 1)); kill -KILL $pid
  fi
  wait $pid 2>/dev/null
  got=$?
  local left=0 p
  for _ in $(seq 1 50); do # SIGKILL: the workers take their own 1 s grace for their solvers
    left=0
    for p in $solvers; do alive "$p" && left=$((left + 1)); done
    [ "$left" -eq 0 ] && break
    sleep 0.1
  done
  for p in $solvers; do alive "$p" && kill -KILL "$p"; done
  orphans=$((orphans + left))
  [ "$left" -eq 0 ] && ok || bad "$name: $left process(es) left running after SIG$sig"
  [ "$got" -eq "$want" ] && ok || { bad "$name: exit $got, want $want"; cat "$tmp/sig.err"; }
  if [ "$want" -eq 1 ]; then
    grep -q "^smug: error: interrupted (signal [0-9]*): .*no solver left running" "$tmp/sig.err" &&
      ok || { bad "$name: no 'interrupted' line"; cat "$tmp/sig.err"; }
  fi
}
one=(--input data/fashion/0004_shirt.png)
export SMUG_SOLVERS_DIR=$sdir
for sig in INT TERM; do
  rm -rf "$tmp/i"
  interrupt "run, SIG$sig" $sig "ignore-term" pid 1 "$smug" run "${hard[@]}" "${one[@]}" \
    --solver stubborn --timeout 600 --out "$tmp/i"
  # anytime on interrupt (issue #12.1): the report has the input with its verified mask
  python3 - "$tmp/i/report.json" $sig <<'PY' && ok || bad "run, SIG$sig: report.json after the signal"
import json, signal, sys
r = json.load(open(sys.argv[1]))
assert r['interrupted'] == {'signal': int(getattr(signal, 'SIG' + sys.argv[2])), 'inputs_given': 1}, r.get('interrupted')
(i,) = r['inputs']
assert i['verified'] is True and i['mask_size'] >= 1, i
PY
done
interrupt "run, SIGKILL" KILL "ignore-term" pid 137 "$smug" run "${hard[@]}" "${one[@]}" \
  --solver stubborn --timeout 600 --out "$tmp/i"
rm -rf "$tmp/i"
interrupt "run --jobs 2, SIGTERM" TERM "ignore-term" pid 1 "$smug" run "${hard[@]}" "${two[@]}" \
  --solver stubborn --timeout 600 --jobs 2 --out "$tmp/i"
python3 - "$tmp/i/report.json" <<'PY' && ok || bad "run --jobs 2, SIGTERM: report.json after the signal"
import json, signal, sys
r = json.load(open(sys.argv[1]))
assert r['interrupted'] == {'signal': int(signal.SIGTERM), 'inputs_given': 2}, r.get('interrupted')
assert r['inputs'] and all(i['verified'] for i in r['inputs']), r['inputs']
PY
check "emit hard" 0 "" "$smug" emit --model $cnn --window 1 --top-k 32 "${two[@]}" --out "$tmp/H"
h=(solve "$tmp/H" --strategy optimize --timeout 600 --jobs 2)
interrupt "solve, SIGTERM to smug" TERM "ignore-term" pid 1 "$smug" "${h[@]}" --solver stubborn
interrupt "solve, Ctrl-C to the group" INT "ignore-term" group 1 "$smug" "${h[@]}" --solver stubborn
interrupt "solve, SIGKILL" KILL "ignore-term" pid 137 "$smug" "${h[@]}" --solver stubborn
[ -z "$(ls -A "$tmp/H/results")" ] && ok || bad "interrupted solves left files: $(ls -A "$tmp/H/results")"
unset SMUG_SOLVERS_DIR
# the real z3, on a problem it works on for minutes
check "emit z3-hard" 0 "" "$smug" emit --model $cnn --window 1 --top-k 64 \
  --input data/fashion/0000_ankle_boot.png --out "$tmp/Z"
interrupt "solve z3, Ctrl-C" INT "^[0-9]* z3 " group 1 "$smug" solve "$tmp/Z" --solver z3 \
  --strategy optimize --timeout 600
interrupt "run z3, SIGTERM" TERM "^[0-9]* z3 " pid 1 "$smug" run --model $cnn --window 1 --top-k 64 \
  --input data/fashion/0000_ankle_boot.png --solver z3 --strategy optimize --timeout 600 --out "$tmp/i"
interrupt "run z3, SIGKILL" KILL "^[0-9]* z3 " pid 137 "$smug" run --model $cnn --window 1 \
  --top-k 64 --input data/fashion/0000_ankle_boot.png --solver z3 --strategy optimize --timeout 600 \
  --out "$tmp/i"

echo "escapes $escapes, hangs $hangs, orphans $orphans"
[ "$escapes" -eq 0 ] && [ "$hangs" -eq 0 ] && [ "$orphans" -eq 0 ] && ok ||
  bad "escapes $escapes, hangs $hangs, orphans $orphans: want 0"
finish
