#!/usr/bin/python3
"""Write a text model at the SMUG paper's size (beer reviews) and a 500-token review.

Needs Debian's interpreter /usr/bin/python3 (the `python3` first on PATH may lack torch)
with python3-torch, python3-onnx and python3-numpy. Never on the build or test path:
bench/paper_text.sh runs it into a temporary folder (the model is about 2 MB and is not
committed).

Model, as the paper's text setting (design.md section 11): 500 tokens, Embedding(V, 100,
padding_idx=0) -> transpose -> Conv1d(100, 128, k3, p1) -> ReLU -> max over positions ->
Linear(128, 2) (negative, positive). The same op chain as tools/train_text.py's model
(Gather -> Transpose -> Conv -> Relu -> ReduceMax -> Gemm), so smug reads it the same way;
one word a cell. Weights are seeded-random (torch's default initialisation, seed 12), not
trained: the mask problem's size and shape (k 100 of 128 x 500 neurons, 500 cells, each
row seeing 3 words) are the paper's, its numbers are not a beer model's.

Vocabulary: <pad>, <unk>, then WORDS (beer-review words) and w0000 ... until VOCAB words.
Reviews: 500 words each, drawn (seeded) from the vocabulary, beer words three times as often.

Writes DIR/paper_text.{onnx,vocab,labels} and DIR/review_<i>.txt, i < N (default 5).
Usage: /usr/bin/python3 tools/paper_text.py DIR [N]
"""

import io
import os
import random
import sys

import onnx
import torch
from torch import nn

MAX_LEN, EMBED_DIM, CHANNELS, VOCAB, SEED = 500, 100, 128, 5000, 12
WORDS = """a an the and but with of in on to is was it this that very too not
beer ale lager stout porter ipa pils pilsner wheat hefeweizen tripel dubbel bock
pours pour poured glass pint bottle can tap head foam lacing retention carbonation
color colour amber golden copper brown black dark hazy clear cloudy straw
aroma nose smell smells hops hoppy malt malty caramel toffee chocolate coffee roast
roasted citrus grapefruit pine resin floral grassy earthy fruity banana clove yeast
bready biscuit honey vanilla oak bourbon smoke smoky sweet bitter bitterness dry
crisp tart sour sharp smooth creamy thin thick watery full light medium body
mouthfeel palate taste tastes flavor flavour finish aftertaste linger lingering
good great nice decent solid excellent amazing superb bad poor bland boring off
drinkable drinkability refreshing balanced harsh cloying metallic skunky stale
would again recommend buy try overall really quite bit little lot more less""".split()


def vocabulary():
    words = ["<pad>", "<unk>"] + WORDS
    i = 0
    while len(words) < VOCAB:
        words.append("w%04d" % i)
        i += 1
    return words


class TextCNN(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embed = nn.Embedding(vocab, EMBED_DIM, padding_idx=0)
        self.conv = nn.Conv1d(EMBED_DIM, CHANNELS, kernel_size=3, padding=1)
        self.fc = nn.Linear(CHANNELS, 2)

    def forward(self, ids):
        h = torch.relu(self.conv(self.embed(ids).transpose(1, 2)))
        return self.fc(torch.amax(h, dim=2))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: /usr/bin/python3 tools/paper_text.py DIR [N]")
    out = sys.argv[1]
    n_reviews = int(sys.argv[2]) if len(sys.argv) == 3 else 5
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    words = vocabulary()
    model = TextCNN(len(words)).eval()
    buf = io.BytesIO()
    torch.onnx.export(model, torch.zeros(1, MAX_LEN, dtype=torch.int64), buf,
                      export_params=True, opset_version=13, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)
    mp = onnx.load_from_string(buf.getvalue())
    mp.producer_name = "smug tools/paper_text.py (torch %s)" % torch.__version__.split("+")[0]
    onnx.checker.check_model(mp)
    ops = [n.op_type for n in mp.graph.node]
    assert ops == ["Gather", "Transpose", "Conv", "Relu", "ReduceMax", "Gemm"], ops
    onnx.save(mp, os.path.join(out, "paper_text.onnx"))
    with open(os.path.join(out, "paper_text.vocab"), "w") as f:
        f.write("\n".join(words) + "\n")
    with open(os.path.join(out, "paper_text.labels"), "w") as f:
        f.write("negative\npositive\n")
    pool = WORDS * 3 + words[2 + len(WORDS):]
    for r in range(n_reviews):
        rng = random.Random(SEED + r)
        review = [rng.choice(pool) for _ in range(MAX_LEN)]
        lines = [" ".join(review[i:i + 20]) for i in range(0, MAX_LEN, 20)]
        with open(os.path.join(out, "review_%d.txt" % r), "w") as f:
            f.write("\n".join(lines) + "\n")
        with torch.no_grad():
            ids = torch.tensor([[words.index(w) for w in review]])
            print("paper_text: review_%d logits %s" % (r, model(ids)[0].tolist()))

if __name__ == "__main__":
    main()
