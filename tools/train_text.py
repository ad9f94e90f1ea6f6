#!/usr/bin/python3
"""Train and export smug's text fixture: Debian package descriptions -> section.

Needs Debian's interpreter /usr/bin/python3 (the `python3` first on PATH may lack
torch) with the Debian packages python3-torch, python3-onnx and python3-numpy.
Never on the build or test path: its outputs are committed.

Corpus: the apt lists of Debian 12 (bookworm, main).  `apt-cache dumpavail` gives
every package's stanza (Package, Source, Section, the one-line Description and its
Description-md5); the long descriptions live in the Translation-en index, which
Debian's docker images do not download (Acquire::Languages "none").  So fetch the
lists into a private directory first, leaving the system's apt state alone:

  mkdir -p /tmp/apt/lists/partial /tmp/apt/cache/archives/partial
  apt-get -o Dir::State::Lists=/tmp/apt/lists -o Dir::Cache=/tmp/apt/cache \\
          -o Acquire::Languages=en update
  /usr/bin/python3 tools/train_text.py --apt-lists /tmp/apt/lists

Without Translation-en files the script stops (short descriptions alone are not the
documented corpus).

Text of a package: the Description-en (first line + long description) with the
" ." paragraph-separator lines removed and each line's leading space stripped.
Label: Section with any "contrib/" / "non-free/" / "non-free-firmware/" prefix
removed; the sections of SECTIONS are kept, each capped at CAP packages (seeded
sample).  Duplicated texts are dropped (Debian has many packages sharing one
description).  Split: by source package (md5 of the source name), TEST_FRACTION
of the sources are held out, so binary packages of one source never straddle it.

Tokenisation (identical to src/io/tokens.c; documented in include/smug/tokens.h):
  the text's UTF-8 bytes; ASCII A-Z become a-z; a token is a maximal run of bytes
  in [a-z0-9]; every other byte (space, punctuation, any non-ASCII byte) separates
  tokens.  Unknown tokens -> <unk> (id 1); the first MAX_LEN tokens are kept
  (longer texts are truncated); shorter sequences are padded with <pad> (id 0).
Vocabulary: <pad>, <unk>, then the training-split tokens with count >= MIN_COUNT,
most frequent first (ties alphabetical), at most MAX_VOCAB words.

Model: Embedding(V, 32, padding_idx=0) -> transpose to (32, L) -> Conv1d(32, 64,
k3, p1) -> ReLU -> max over positions (torch.amax) -> Linear(64, n_classes).
ONNX (opset 13): Gather -> Transpose -> Conv -> Relu -> ReduceMax -> Gemm.

Writes models/debian_text.{onnx,vocab,labels}, data/text/<section>_<n>.txt +
data/text/labels.csv, tests/data/ref/debian_text_<i>.json (float64 torch logits
and first-layer pre-activations), tests/data/onnx/text_*.onnx (loader variants) and
the text-model section of models/README.md.

Usage: /usr/bin/python3 tools/train_text.py [--apt-lists DIR] [--epochs N] [--variants-only]
"""

import argparse
import collections
import glob
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__

import numpy as np
import onnx
import onnx.checker
import onnx.numpy_helper
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECTIONS = ["admin", "devel", "games", "libs", "python", "science"]
CAP = 1000            # packages per section at most (balance)
TEST_FRACTION = 0.15  # of source packages
MAX_LEN = 64          # L: tokens per input
MIN_COUNT = 3
MAX_VOCAB = 3000      # words, besides <pad> and <unk>
EMBED_DIM = 32
CHANNELS = 64
N_SAMPLES_PER_SECTION = 7  # held-out texts written to data/text/
N_REFS = 4
PAD, UNK = 0, 1
SEED = 0
EXPECTED_OPS = ["Gather", "Transpose", "Conv", "Relu", "ReduceMax", "Gemm"]
VARIANT_ROWS = 50
README_MARK = "<!-- text models: written by tools/train_text.py -->"

TOKEN_RE = re.compile(rb"[a-z0-9]+")


def tokenize(text):
    """The documented rule: ASCII-lowercase the UTF-8 bytes, runs of [a-z0-9]."""
    return [t.decode("ascii") for t in TOKEN_RE.findall(text.encode("utf-8").lower())]


# --------------------------------------------------------------------------
# corpus

def stanzas(text):
    """Yields dicts of one Debian control-file stanza each (continuation lines kept)."""
    cur, key = {}, None
    for line in text.split("\n"):
        if not line.strip():
            if cur:
                yield cur
            cur, key = {}, None
        elif line[0] in " \t" and key:
            cur[key] += "\n" + line
        elif ":" in line:
            key, _, val = line.partition(":")
            cur[key] = val.strip()
    if cur:
        yield cur


def description_text(desc):
    """Short line + long description, ' .' separator lines gone, leading space stripped."""
    lines = desc.split("\n")
    out = [lines[0].strip()]
    for ln in lines[1:]:
        s = ln.strip()
        if s == ".":
            continue
        out.append(s)
    return "\n".join(x for x in out if x) + "\n"


def apt_opts(lists):
    return ["-o", "Dir::State::Lists=" + lists] if lists else []


def load_corpus(lists):
    dump = subprocess.run(["apt-cache"] + apt_opts(lists) + ["dumpavail"], check=True,
                          capture_output=True).stdout.decode("utf-8", "replace")
    tdir = lists or "/var/lib/apt/lists"
    tfiles = sorted(glob.glob(os.path.join(tdir, "*_i18n_Translation-en*")))
    if not tfiles:
        sys.exit("train_text.py: no Translation-en in %s (see the docstring: fetch the apt "
                 "lists with -o Acquire::Languages=en)" % tdir)
    long_desc = {}
    for f in tfiles:
        txt = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", f], check=True,
                             capture_output=True).stdout.decode("utf-8", "replace")
        for st in stanzas(txt):
            if "Description-md5" in st and "Description-en" in st:
                long_desc[st["Description-md5"]] = st["Description-en"]
    seen = {}
    for st in stanzas(dump):
        pkg, sec, md5 = st.get("Package"), st.get("Section", ""), st.get("Description-md5")
        sec = re.sub(r"^(contrib|non-free|non-free-firmware)/", "", sec)
        if not pkg or sec not in SECTIONS or md5 not in long_desc or pkg in seen:
            continue
        src = st.get("Source", pkg).split()[0]
        seen[pkg] = (pkg, src, sec, description_text(long_desc[md5]))
    # drop texts that occur more than once (shared boilerplate descriptions)
    count = collections.Counter(t for _, _, _, t in seen.values())
    rows = sorted(r for r in seen.values() if count[r[3]] == 1)
    rng = random.Random(SEED)
    by_sec = collections.defaultdict(list)
    for r in rows:
        by_sec[r[2]].append(r)
    out = []
    for s in SECTIONS:
        lst = by_sec[s]
        rng.shuffle(lst)
        out += sorted(lst[:CAP])
    return out, {s: len(by_sec[s]) for s in SECTIONS}


def is_test(source):
    h = hashlib.md5(("smug-text-%d:" % SEED + source).encode()).digest()
    return int.from_bytes(h[:4], "little") / 2.0 ** 32 < TEST_FRACTION


def build_vocab(texts):
    cnt = collections.Counter(t for x in texts for t in tokenize(x))
    words = sorted((w for w, c in cnt.items() if c >= MIN_COUNT), key=lambda w: (-cnt[w], w))
    return ["<pad>", "<unk>"] + words[:MAX_VOCAB]


def encode(text, index):
    ids = [index.get(t, UNK) for t in tokenize(text)][:MAX_LEN]
    return ids + [PAD] * (MAX_LEN - len(ids))


# --------------------------------------------------------------------------
# model

class TextCNN(nn.Module):
    def __init__(self, vocab, classes):
        super().__init__()
        self.embed = nn.Embedding(vocab, EMBED_DIM, padding_idx=PAD)
        self.conv = nn.Conv1d(EMBED_DIM, CHANNELS, kernel_size=3, padding=1)
        self.fc = nn.Linear(CHANNELS, classes)

    def first_layer(self, ids):
        return self.conv(self.embed(ids).transpose(1, 2))

    def forward(self, ids):
        h = torch.relu(self.first_layer(ids))
        return self.fc(torch.amax(h, dim=2))


def train(model, xtr, ytr, xte, yte, epochs, batch=64, lr=2e-3):
    gen = torch.Generator().manual_seed(SEED)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-5)
    lossf = nn.CrossEntropyLoss()
    drop = nn.Dropout(0.3)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(xtr.shape[0], generator=gen)
        tot = 0.0
        for i in range(0, xtr.shape[0], batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            h = torch.relu(model.first_layer(xtr[idx]))
            loss = lossf(model.fc(drop(torch.amax(h, dim=2))), ytr[idx])
            loss.backward()
            opt.step()
            tot += loss.item() * idx.numel()
        print("  epoch %d: train loss %.4f, test acc %.4f"
              % (ep + 1, tot / xtr.shape[0], accuracy(model, xte, yte)), flush=True)
    model.eval()
    return accuracy(model, xte, yte)


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    return (model(x).argmax(1) == y).float().mean().item()


# --------------------------------------------------------------------------
# export and checks

def export(model, path):
    model.eval()
    buf = io.BytesIO()
    torch.onnx.export(model, torch.zeros(1, MAX_LEN, dtype=torch.int64), buf, export_params=True,
                      opset_version=13, input_names=["input"], output_names=["logits"],
                      do_constant_folding=True)
    mp = onnx.load_from_string(buf.getvalue())
    mp.producer_name = "smug tools/train_text.py (torch %s)" % torch.__version__.split("+")[0]
    mp.doc_string = "smug fixture debian_text: Debian package description -> section"
    onnx.checker.check_model(mp)
    ops = [n.op_type for n in mp.graph.node]
    assert ops == EXPECTED_OPS, ops
    onnx.save(mp, path)
    return mp


def onnx_eval64(mp, ids):
    """float64 numpy evaluation of exactly the exported op chain (independent of torch)."""
    w = {t.name: onnx.numpy_helper.to_array(t).astype(np.float64) for t in mp.graph.initializer}
    v = {mp.graph.input[0].name: np.asarray(ids, dtype=np.int64)[None, :]}
    for n in mp.graph.node:
        a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
        ins = [v[i] if i in v else w[i] for i in n.input]
        if n.op_type == "Gather":
            out = ins[0][ins[1]]
        elif n.op_type == "Transpose":
            out = np.transpose(ins[0], a["perm"])
        elif n.op_type == "Conv":
            x, k, b = ins
            p = a.get("pads", [0, 0])
            xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[1])))
            kw = k.shape[2]
            lo = xp.shape[2] - kw + 1
            out = np.stack([np.einsum("bck,ock->bo", xp[:, :, t:t + kw], k) for t in range(lo)],
                           axis=2) + b[None, :, None]
        elif n.op_type == "Relu":
            out = np.maximum(ins[0], 0)
        elif n.op_type == "ReduceMax":
            out = np.max(ins[0], axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))
        elif n.op_type == "Gemm":
            bm = ins[1].T if a.get("transB", 0) else ins[1]
            out = a.get("alpha", 1.0) * ins[0] @ bm + a.get("beta", 1.0) * ins[2]
        else:
            raise AssertionError(n.op_type)
        v[n.output[0]] = out
    return v[mp.graph.output[0].name][0]


def fmt(x):
    return float("%.9g" % x)


def write_ref(i, rel_text, ids, model64):
    x = torch.tensor([ids], dtype=torch.int64)
    with torch.no_grad():
        logits = model64(x)[0]
        first = model64.first_layer(x)[0]
    obj = collections.OrderedDict([
        ("model", "models/debian_text.onnx"), ("vocab", "models/debian_text.vocab"),
        ("text", rel_text), ("max_len", MAX_LEN),
        ("tokens", [int(t) for t in ids]),
        ("n_tokens", int(sum(1 for t in ids if t != PAD))),
        ("logits", [fmt(v) for v in logits.tolist()]),
        ("predicted", int(logits.argmax())),
        ("first_layer_shape", list(first.shape)),
        ("first_layer", [fmt(v) for v in first.reshape(-1).tolist()]),
    ])
    path = os.path.join(ROOT, "tests", "data", "ref", "debian_text_%d.json" % i)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def write_readme(stats):
    path = os.path.join(ROOT, "models", "README.md")
    with open(path) as f:
        head = f.read().split(README_MARK)[0].rstrip("\n")
    s = stats
    text = """
{mark}

## Text: `debian_text.onnx`

Classifies a Debian package description into one of {n} sections
({sections}; class index = line of `debian_text.labels`, 0-based).
Input `input` int64 [1,{L}] token ids, output `logits` float32 [1,{n}].

| file | architecture | ONNX ops | test accuracy | size |
|------|--------------|----------|---------------|------|
| `debian_text.onnx` | Embedding({V},{D}, padding_idx 0) -> transpose -> Conv1d({D},{C},k3,p1) -> ReLU -> max over positions -> Linear({C},{n}) | {ops} | {acc:.2f} % ({n_test} held-out packages) | {size} bytes |

* `debian_text.vocab`: {V} lines, line i (0-based) is the token of id i; `<pad>` = 0,
  `<unk>` = 1, then the {nw} training-split words seen at least {mc} times, most
  frequent first.
* `debian_text.labels`: the {n} section names, one a line.
* Tokenisation (the same in tools/train_text.py and src/io/tokens.c): the UTF-8 bytes
  of the text, ASCII A-Z lowered to a-z; a token is a maximal run of [a-z0-9]; every
  other byte separates. Unknown words -> `<unk>`; the first {L} tokens are used (a
  longer text is truncated, smug warns); shorter ones are padded with `<pad>`, whose
  embedding row is zero.

Corpus: the Debian 12 (bookworm, main, amd64) apt lists of {date}: `apt-cache dumpavail`
(Package, Source, Section) joined with the long descriptions of the Translation-en index
by Description-md5. Text = first line + long description, " ." lines removed. Section
prefixes contrib/, non-free/ removed. Texts shared by several packages dropped; each
section capped at {cap} packages (seeded sample): {per_sec}. Split by source package
(md5 of the name, {tf:.0%} held out): {n_train} training, {n_test} test packages.
Per-class test accuracy: {per_class}.

Made by `/usr/bin/python3 tools/train_text.py --apt-lists DIR` (torch {tv}, onnx {ov}):
CPU, one thread, seed 0, Adam (lr 2e-3, weight decay 1e-5), batch 64, dropout 0.3
before the final Linear (training only), {epochs} epochs; exported with opset 13,
constant folding on. The script checks the op chain and compares a float64 numpy
evaluation of the ONNX graph with torch.
""".format(mark=README_MARK, **s)
    with open(path, "w") as f:
        f.write(head + "\n" + text)


def write_variants():
    """Graph variants of models/debian_text.onnx for the loader tests (tests/data/onnx/),
    with an embedding of VARIANT_ROWS rows:
    two more spellings of global max pooling that must load and compute the same logits,
    and three the loader must refuse with the node and operator named."""
    base = onnx.load(os.path.join(ROOT, "models", "debian_text.onnx"))
    h = onnx.helper
    # only the first VARIANT_ROWS embedding rows, to keep the fixtures small: the tests
    # compare the valid variants with debian_text.onnx on token ids below that
    emb = base.graph.initializer[[t.name for t in base.graph.initializer].index("embed.weight")]
    emb.CopyFrom(onnx.numpy_helper.from_array(
        onnx.numpy_helper.to_array(emb)[:VARIANT_ROWS].copy(), "embed.weight"))

    def variant(fname, tail, extra_nodes_before_conv=()):
        mp = onnx.ModelProto()
        mp.CopyFrom(base)
        g = mp.graph
        nodes = list(g.node)
        head = nodes[:2] + list(extra_nodes_before_conv) + nodes[2:4]  # Gather..Relu
        del g.node[:]
        g.node.extend(head + tail + [nodes[5]])
        mp.doc_string = "smug loader fixture %s (from debian_text.onnx)" % fname
        onnx.checker.check_model(mp)
        onnx.save(mp, os.path.join(ROOT, "tests", "data", "onnx", fname))

    relu, gemm_in = "/Relu_output_0", "/ReduceMax_output_0"
    variant("text_reducemax_keepdims.onnx", [
        h.make_node("ReduceMax", [relu], ["/max"], name="max_keep", axes=[-1], keepdims=1),
        h.make_node("Flatten", ["/max"], [gemm_in], name="flat")])
    variant("text_globalmaxpool.onnx", [
        h.make_node("GlobalMaxPool", [relu], ["/max"], name="gmp"),
        h.make_node("Flatten", ["/max"], [gemm_in], name="flat")])
    variant("text_reducemax_channels.onnx", [
        h.make_node("ReduceMax", [relu], [gemm_in], name="max_c", axes=[1], keepdims=0)])
    variant("text_transpose_late.onnx", [
        h.make_node("Transpose", [relu], ["/t"], name="late_t", perm=[0, 2, 1]),
        h.make_node("ReduceMax", ["/t"], [gemm_in], name="max_t", axes=[1], keepdims=0)])
    mp = onnx.ModelProto()
    mp.CopyFrom(base)
    mp.graph.node[1].attribute[0].ints[:] = [0, 1, 2]
    mp.graph.node[1].name = "bad_perm"
    onnx.save(mp, os.path.join(ROOT, "tests", "data", "onnx", "text_transpose_perm.onnx"))


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--apt-lists", help="apt lists directory (default: the system's)")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--variants-only", action="store_true",
                    help="only rewrite the tests/data/onnx/text_*.onnx loader fixtures")
    args = ap.parse_args()
    if args.variants_only:
        write_variants()
        return

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    rows, available = load_corpus(args.apt_lists)
    train_rows = [r for r in rows if not is_test(r[1])]
    test_rows = [r for r in rows if is_test(r[1])]
    print("corpus: %d packages (%d train, %d test); available per section %s"
          % (len(rows), len(train_rows), len(test_rows), available))
    vocab = build_vocab([r[3] for r in train_rows])
    index = {w: i for i, w in enumerate(vocab)}
    lab = {s: i for i, s in enumerate(SECTIONS)}

    def tensors(rs):
        return (torch.tensor([encode(r[3], index) for r in rs], dtype=torch.int64),
                torch.tensor([lab[r[2]] for r in rs], dtype=torch.int64))

    xtr, ytr = tensors(train_rows)
    xte, yte = tensors(test_rows)
    lens = [len(tokenize(r[3])) for r in rows]
    print("vocab %d; tokens per text: median %d, %.0f%% longer than %d"
          % (len(vocab), int(np.median(lens)), 100 * np.mean([n > MAX_LEN for n in lens]),
             MAX_LEN))

    torch.manual_seed(SEED)
    model = TextCNN(len(vocab), len(SECTIONS))
    acc = train(model, xtr, ytr, xte, yte, args.epochs)
    with torch.no_grad():
        pred = model(xte).argmax(1)
    per_class = {s: (pred[yte == i] == i).float().mean().item() for s, i in lab.items()}
    print("test accuracy %.4f; per class %s" % (acc, per_class))

    mdir = os.path.join(ROOT, "models")
    path = os.path.join(mdir, "debian_text.onnx")
    mp = export(model, path)
    with open(os.path.join(mdir, "debian_text.vocab"), "w") as f:
        f.write("".join(w + "\n" for w in vocab))
    with open(os.path.join(mdir, "debian_text.labels"), "w") as f:
        f.write("".join(s + "\n" for s in SECTIONS))

    model64 = TextCNN(len(vocab), len(SECTIONS))
    model64.load_state_dict(model.state_dict())
    model64 = model64.double().eval()
    with torch.no_grad():
        err = max((torch.tensor(onnx_eval64(mp, xte[i].tolist())) - model64(xte[i:i + 1])[0])
                  .abs().max().item() for i in range(20))
    print("|onnx-eval64 - torch64| = %.2e" % err)
    assert err < 1e-10

    # held-out sample texts: a seeded choice per section among test texts of 5..L tokens,
    # so an explanation sees the whole description
    ddir = os.path.join(ROOT, "data", "text")
    os.makedirs(ddir, exist_ok=True)
    for old in glob.glob(os.path.join(ddir, "*.txt")):
        os.remove(old)
    rng = random.Random(SEED)
    lines, written = ["file,package,section,label,predicted"], []
    for s in SECTIONS:
        cand = [r for r in test_rows if r[2] == s and 5 <= len(tokenize(r[3])) <= MAX_LEN]
        for n, r in enumerate(sorted(rng.sample(cand, N_SAMPLES_PER_SECTION))):
            name = "%s_%d.txt" % (s, n)
            with open(os.path.join(ddir, name), "w") as f:
                f.write(r[3])
            ids = encode(r[3], index)
            with torch.no_grad():
                p = int(model(torch.tensor([ids])).argmax())
            lines.append("%s,%s,%s,%d,%d" % (name, r[0], s, lab[s], p))
            written.append(("data/text/" + name, ids))
    with open(os.path.join(ddir, "labels.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for i in range(N_REFS):
        rel, ids = written[i * len(written) // N_REFS]
        write_ref(i, rel, ids, model64)

    write_variants()
    size = os.path.getsize(path)
    assert size < 1 << 20, size
    date = subprocess.run(["date", "-u", "+%Y-%m-%d"], capture_output=True).stdout.decode().strip()
    write_readme(dict(
        n=len(SECTIONS), sections=", ".join(SECTIONS), L=MAX_LEN, V=len(vocab), D=EMBED_DIM,
        C=CHANNELS, ops=" &rarr; ".join(EXPECTED_OPS), acc=100 * acc, n_test=len(test_rows),
        size=size, nw=len(vocab) - 2, mc=MIN_COUNT, date=date, cap=CAP,
        per_sec=", ".join("%s %d" % (s, sum(r[2] == s for r in rows)) for s in SECTIONS),
        tf=TEST_FRACTION, n_train=len(train_rows),
        per_class=", ".join("%s %.1f %%" % (s, 100 * a) for s, a in per_class.items()),
        tv=torch.__version__.split("+")[0], ov=onnx.__version__, epochs=args.epochs))
    print("wrote %s (%d bytes), vocab %d, %d sample texts; test accuracy %.4f"
          % (os.path.relpath(path, ROOT), size, len(vocab), len(written), acc))


if __name__ == "__main__":
    main()
