#!/usr/bin/env bash
# test_text.sh SMUG SOURCE_DIR — text explanations end to end (issue #6) with the real z3 and
# cvc5 on models/debian_text.onnx: the same optimal word-mask size from both solvers on short
# held-out texts, masks verified by the forward pass on the masked token sequence, HTML that
# holds the kept words; bad inputs (empty text, wrong vocabulary size, over-long text) fail
# or warn with one line naming the file; and the "games" measure: on the held-out texts the
# model calls games, the share of kept words that are game-related must exceed the share of
# game-related words in those texts overall. Prints both shares and "N passed, N failed".
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"
model=$src/models/debian_text.onnx text=$src/data/text

cd "$tmp"

# 1. z3 and cvc5 on three short held-out texts (18-22 words): same optimum, verified, HTML
short="$text/admin_6.txt $text/devel_2.txt $text/science_1.txt"
for s in z3 cvc5; do
  args=()
  for f in $short; do args+=(--input "$f"); done
  check "run $s" 0 "" "$smug" run --model "$model" "${args[@]}" --solver "$s" --timeout 30 --out "out_$s"
done
if python3 - out_z3/report.json out_cvc5/report.json <<'PY'; then ok; else bad "z3/cvc5 agreement"; fi
import json, sys, html
a = json.load(open(sys.argv[1]))["inputs"]; b = json.load(open(sys.argv[2]))["inputs"]
assert len(a) == len(b) == 3
for x, y in zip(a, b):
    name = x["input"].rsplit("/", 1)[-1]
    for r in (x, y):
        assert r["status"] == "optimal" and r["verified"] is True, (name, r["status"], r["verified"])
        assert r["grid"]["window"] == 1, "auto window is one word a cell"
        assert r["saliency.png"] is None and r["overlay.png"] is None, "no pictures for text"
        kept = [w for w in r["words"] if w["kept"]]
        assert len(kept) == r["mask_size"], (name, len(kept), r["mask_size"])
        page = open(r["explanation.html"], encoding="utf-8").read()
        for w in kept:
            assert html.escape(w["word"]) in page, (name, w["word"])
        assert page.count("<mark ") == len(kept) + 2, "one mark per kept word + the key"
    assert x["mask_size"] == y["mask_size"], (name, x["mask_size"], y["mask_size"])
    print("  %s: z3 %d, cvc5 %d words of %d (proved by %s / %s)" % (name, x["mask_size"],
          y["mask_size"], x["text"]["tokens"], x["proved_by"], y["proved_by"]))
PY
[ -s out_z3/admin_6/mask.npy ] && ok || bad "no mask.npy"
grep -q "predicted devel" out || bad "class name from debian_text.labels"

# 2. bad inputs
: >empty.txt
check "empty text" 1 "empty.txt: no tokens" "$smug" run --model "$model" --input empty.txt
printf '<pad>\n<unk>\ngame\n' >small.vocab
check "vocab size" 1 "3 tokens, but the model's embedding has 3002 rows" \
  "$smug" run --model "$model" --input "$text/games_0.txt" --vocab small.vocab
cat "$text/games_6.txt" "$text/games_6.txt" "$text/games_6.txt" >long.txt # 3 x 31 tokens
check "over-long text warns" 0 "long.txt: 93 tokens, the model reads 64: the last 29 are not seen" \
  "$smug" run --model "$model" --input long.txt --out long_out
grep -q 'class="unseen"' long_out/long/explanation.html && ok || bad "unseen tail not greyed"
check "over-long text, truncate false" 1 "long.txt: 93 tokens, the model reads at most 64" \
  "$smug" run --model "$model" --input long.txt --truncate false
check "text for an image model" 2 "needs a token model" \
  "$smug" run --input "$text/games_0.txt"

# 3. games: game-related words, fixed before looking at any mask
cat >gamewords <<'W'
game games gaming gamer play plays playing played player players puzzle puzzles arcade level
levels board boards card cards chess strategy shooter multiplayer adventure rpg tetris quest
solitaire dice score scores highscore enemy enemies monster monsters dungeon dungeons fun
fight fighting race racing sport sports ball balls tile tiles mahjong sudoku emulator
emulators nintendo console joystick gamepad jump platform platformer maze spaceship battle
battles war hero heroes tournament opponent opponents win bricks breakout pinball pong snake
W
check "run all texts" 0 "" "$smug" run --model "$model" --input "$text" --out all --timeout 30
if python3 - all/report.json gamewords <<'PY'; then ok; else bad "games measure"; fi
import json, sys
words = set(open(sys.argv[2]).read().split())
rs = [r for r in json.load(open(sys.argv[1]))["inputs"] if r.get("predicted_name") == "games"]
kept = [w["word"].lower() for r in rs for w in r["words"] if w["kept"]]
seen = [w["word"].lower() for r in rs for w in r["words"]]
ks = sum(w in words for w in kept) / len(kept)
os_ = sum(w in words for w in seen) / len(seen)
print("  games: %d texts; kept words game-related %d/%d = %.3f; all words %d/%d = %.3f"
      % (len(rs), sum(w in words for w in kept), len(kept), ks, sum(w in words for w in seen),
         len(seen), os_))
assert len(rs) >= 5 and ks > os_
PY

finish
