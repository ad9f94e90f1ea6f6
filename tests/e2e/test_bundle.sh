#!/usr/bin/env bash
# test_bundle.sh SMUG SOURCE_DIR — emit / solve / score with the real z3 and cvc5 (issue 4):
#  - emit -> solve (z3, cvc5) -> score gives smug run's masks;
#  - raw stdout of the z3 / cvc5 binaries run directly on emitted files is scored right;
#  - corrupt and contradicting results are per-id errors, never merged;
#  - a solve killed mid-run, then rerun: every id solved once, no corrupt result;
#  - two shards cover the bundle exactly once;
#  - the committed smt2/ family is current and every :status is what both solvers say.
# Prints "N passed, N failed"; exit 1 on any failure.
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"
py() { python3 -c "$@"; }


cd "$src"
fc=models/fashion_fc.onnx cnn=models/fashion_cnn.onnx
imgs=(--input data/fashion/0000_ankle_boot.png --input data/fashion/0001_pullover.png
  --input data/fashion/0004_shirt.png --input data/fashion/0008_sandal.png)
method=(--top-k 8 --window 4 --gamma 0.5 --timeout 30)

# ---- emit -> solve -> score equals run
check "run" 0 "" "$smug" run --model $fc "${imgs[@]}" "${method[@]}" --out "$tmp/run"
check "emit" 0 "" "$smug" emit --model $fc "${imgs[@]}" "${method[@]}" --out "$tmp/A"
[ "$(ls "$tmp/A/problems" | wc -l)" -eq 8 ] && ok || bad "emit: want 4 decision + 4 optimize files"
tail -c 400 "$tmp/A/problems/0001_pullover.smt2" | grep -q "(check-sat)" && ok || bad "no check-sat"
tail -n 1 "$tmp/A/problems/0001_pullover.smt2" | grep -q "^(get-value (m_" && ok ||
  bad "a problem file must end with (get-value (m_…))"
grep -q "^model fashion_fc.onnx sha256 [0-9a-f]\{64\}$" "$tmp/A/problems/0000_ankle_boot.smt2" && ok ||
  bad ":source names the model hash"
check "emit into an existing bundle" 2 "already exists" "$smug" emit --model $fc "${imgs[@]}" --out "$tmp/A"
for solver in z3 cvc5; do
  check "solve $solver" 0 "" "$smug" solve "$tmp/A" --solver $solver --jobs 2
  [ "$(ls "$tmp/A/results"/*.$solver.json | wc -l)" -eq 4 ] && ok || bad "solve $solver: 4 results"
done
check "score" 0 "" "$smug" score "$tmp/A" --out "$tmp/A-scored"
py "
import json, sys
run = {i['input'].rsplit('/', 1)[1].split('.')[0]: i for i in json.load(open('$tmp/run/report.json'))['inputs']}
sc = json.load(open('$tmp/A-scored/report.json'))['inputs']
assert len(sc) == 4, len(sc)
for i in sc:
    r = run[i['id']]
    assert i['verified'] and r['verified'], i['id']
    assert i['status'] == r['status'] == 'optimal', (i['id'], i['status'], r['status'])
    assert i['mask_size'] == r['mask_size'], (i['id'], i['mask_size'], r['mask_size'])
    assert [n['index'] for n in i['neurons']] == [n['index'] for n in r['neurons']], i['id']
    assert {s['file'] for s in i['sources']} == {i['id'] + '.z3.json', i['id'] + '.cvc5.json'}
" && ok || bad "score after solve differs from smug run"
for id in 0000_ankle_boot 0001_pullover 0004_shirt 0008_sandal; do
  for f in saliency.png overlay.png mask.png mask.npy; do
    [ -s "$tmp/A-scored/$id/$f" ] || bad "score wrote no $id/$f"
  done
done
ok

# ---- raw solver outputs, from the binaries run directly on the emitted files
check "emit cnn window 2" 0 "" "$smug" emit --model $cnn "${imgs[@]}" --top-k 8 --window 2 \
  --timeout 30 --form decision --out "$tmp/B"
for p in "$tmp/B"/problems/*.smt2; do
  id=$(basename "$p" .smt2)
  if [ "$id" = 0000_ankle_boot ] || [ "$id" = 0001_pullover ]; then
    timeout 120 z3 "$p" >"$tmp/B/results/$id.z3.out"
  else
    timeout 120 cvc5 -m "$p" >"$tmp/B/results/$id.cvc5.out"
  fi
done
check "score raw outputs" 0 "" "$smug" score "$tmp/B"
py "
import json
man = {p['id']: p for p in json.load(open('$tmp/B/manifest.json'))['problems']}
for i in json.load(open('$tmp/B/scored/report.json'))['inputs']:
    m = man[i['id']]
    raw = open('$tmp/B/results/' + i['sources'][0]['file']).read().split()[0]
    assert raw in ('sat', 'unsat'), raw
    assert i['verified'], i['id']
    if raw == 'unsat':   # no mask below the incumbent: it is optimal, proved by the solver
        assert i['status'] == 'optimal' and i['mask_size'] == m['incumbent']['size'], i
        assert i['lower_bound'] == m['files']['decision_bound'] + 1, i
    else:                # a smaller mask than the incumbent, read from the model
        assert i['mask_size'] <= m['files']['decision_bound'], i
        assert i['incumbent_from'] == 'solver', i
" && ok || bad "raw solver outputs scored wrongly"

# corrupt and contradicting results: that id fails, the others are scored
cp -r "$tmp/B" "$tmp/C"
echo '{"id": "0000_ankle_boot", "status": "optim' >"$tmp/C/results/0000_ankle_boot.cvc5.json"
id=0004_shirt
size=$(py "import json; print([p for p in json.load(open('$tmp/C/manifest.json'))['problems'] if p['id'] == '$id'][0]['incumbent']['size'])")
printf 'unsat\n' >"$tmp/C/results/$id.opt.z3.out" # claims: no mask of size <= incumbent
check "score corrupt" 1 "2 problem(s) could not be scored" "$smug" score "$tmp/C"
py "
import json
by = {i['id']: i for i in json.load(open('$tmp/C/scored/report.json'))['inputs']}
assert by['0000_ankle_boot']['status'] == 'error' and '0000_ankle_boot.cvc5.json' in by['0000_ankle_boot']['error']
e = by['$id']
assert e['status'] == 'error' and ('conflict' in e['error'] or 'no problem file' in e['error']), e['error']
assert by['0001_pullover']['status'] != 'error' and by['0008_sandal']['status'] != 'error'
" && ok || bad "corrupt/conflicting results not reported per id"

# ---- interrupted solve, then rerun: each id solved once, nothing corrupt
many=()
for i in 0002_trouser 0003_trouser 0005_trouser 0006_coat 0007_shirt 0009_sneaker 0010_coat 0011_sandal; do
  many+=(--input "data/fashion/$i.png")
done
check "emit per-pixel" 0 "" "$smug" emit --model $fc "${many[@]}" --window 1 --top-k 16 --out "$tmp/D"
setsid "$smug" solve "$tmp/D" --solver z3 --jobs 2 --timeout 4 >"$tmp/D.log" 2>&1 &
leader=$!
for _ in $(seq 1 600); do # until the first result lands (at most 60 s)
  compgen -G "$tmp/D/results/*.z3.json" >/dev/null && break
  sleep 0.1
done
kill -KILL -- -"$leader" 2>/dev/null
wait "$leader" 2>/dev/null
before=$(ls "$tmp/D/results"/*.z3.json 2>/dev/null | wc -l)
[ "$before" -ge 1 ] && [ "$before" -lt 8 ] && ok || bad "kill mid-run: $before of 8 finished"
md5sum "$tmp/D/results"/*.z3.json >"$tmp/D.sums"
check "rerun" 0 "$before already solved" sh -c "'$smug' solve '$tmp/D' --solver z3 --jobs 2 --timeout 4 1>&2"
md5sum -c --quiet "$tmp/D.sums" && ok || bad "rerun changed a finished result"
[ "$(ls "$tmp/D/results"/*.z3.json | wc -l)" -eq 8 ] && ok || bad "rerun: not every id solved"
grep -q "solved $((8 - before)) " "$tmp/out" "$tmp/err" && ok || bad "rerun solved the wrong count"
py "
import json, glob
for f in glob.glob('$tmp/D/results/*.z3.json'):
    r = json.load(open(f))
    assert r['verified'] and len(r['cells']) == r['mask_size'], f
" && ok || bad "a result file is corrupt"

# ---- shards
check "emit for shards" 0 "" "$smug" emit --model $fc "${imgs[@]}" "${method[@]}" --out "$tmp/E"
check "shard 0/2" 0 "" "$smug" solve "$tmp/E" --solver cvc5 --shard 0/2
ls "$tmp/E/results" | grep '\.json$' | sort | tr '\n' ' ' >"$tmp/s0"
[ "$(cat "$tmp/s0")" = "0000_ankle_boot.cvc5.json 0004_shirt.cvc5.json " ] && ok ||
  bad "shard 0/2 took $(cat "$tmp/s0")"
check "shard 1/2" 0 "2 problems in this shard, 0 already solved" sh -c \
  "'$smug' solve '$tmp/E' --solver cvc5 --shard 1/2 >&2"
[ "$(ls "$tmp/E/results"/*.json | wc -l)" -eq 4 ] && ok || bad "two shards do not cover 4 ids"
check "bad shard" 2 "0 <= I < N" "$smug" solve "$tmp/E" --shard 2/2
check "not a bundle" 1 "no manifest.json" "$smug" solve "$tmp" --solver z3
cp -r "$tmp/E" "$tmp/F" && printf 'x' >>"$tmp/F/model.onnx"
check "tampered model" 1 "differs from the manifest" "$smug" score "$tmp/F"
check "emit refuses a text model" 1 "bundles hold image problems only" \
  "$smug" emit --model models/debian_text.onnx --input data/text/games_0.txt --out "$tmp/T"
check "slurm" 0 "" "$smug" emit --model $fc "${imgs[@]}" --out "$tmp/G" --slurm 3
grep -q -- "--array=0-2" "$tmp/G/solve.slurm" && grep -q 'SLURM_ARRAY_TASK_ID/3' "$tmp/G/solve.slurm" &&
  ok || bad "solve.slurm"

# ---- the committed family: current, and every :status right for both solvers
# the problem files, not the manifests: those also list every parameter smug has, so a new
# parameter would fail this without changing a single benchmark
bash scripts/gen-smt2.sh "$smug" "$tmp/smt2" >/dev/null &&
  diff -r smt2 "$tmp/smt2" -x README.md -x manifest.json >/dev/null &&
  ok || bad "smt2/ is not what scripts/gen-smt2.sh emits: regenerate it"
for f in smt2/*/*.smt2; do
  want=$(grep -o ':status [a-z]*' "$f" | cut -d' ' -f2)
  z=$(timeout 300 z3 "$f" | head -n 1)
  c=$(timeout 300 cvc5 "$f" | head -n 1)
  [ "$z" = "$want" ] && [ "$c" = "$want" ] && ok || bad "$f: :status $want, z3 $z, cvc5 $c"
done

finish
