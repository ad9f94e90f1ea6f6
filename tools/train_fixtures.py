#!/usr/bin/python3
"""Train and export the ONNX model fixtures of smug, and write the sample images.

Needs Debian's interpreter /usr/bin/python3 with the Debian packages
python3-torch, python3-onnx and python3-numpy, and the Fashion-MNIST data from
Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).  This
script is never on the build or test path: its outputs are committed.

What it writes (relative to the repository root):

  models/fashion_fc.onnx     Flatten -> Gemm -> Relu -> Gemm
  models/fashion_deep.onnx   Flatten -> 4x Gemm (Relu between) -> Softmax
  models/fashion_cnn.onnx    Sub/Div normalisation -> Conv -> Relu -> Conv ->
                             BatchNormalization -> Relu -> MaxPool -> Flatten ->
                             Gemm -> Relu -> Gemm
  models/README.md           table with architecture, op list, test accuracy
  data/fashion/<i>_<class>.png, data/fashion/labels.csv,
  data/fashion/0000_ankle_boot.npy, data/README.md

and then (unless --no-refs) runs tools/make_refs.py (reference JSONs for the C
tests) and tools/make_bad_onnx.py (malformed / feature ONNX fixtures).

Everything is seeded (torch.manual_seed(0), numpy seed 0), single-threaded and
on the CPU, so a re-run on the same software stack reproduces the same files.

Usage: /usr/bin/python3 tools/train_fixtures.py [--epochs N] [--no-refs]
"""

import argparse
import io
import os
import sys

sys.dont_write_bytecode = True  # keep tools/ and bench/ free of __pycache__
import time
from collections import OrderedDict

import numpy as np
import onnx
import onnx.checker
import onnx.numpy_helper
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_io  # noqa: E402
from fixture_io import CLASS_NAMES, ROOT  # noqa: E402

ALLOWED_OPS = {
    "Gemm", "MatMul", "Add", "Sub", "Div", "Mul", "Conv", "Relu", "MaxPool",
    "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Softmax",
    "Identity", "Dropout", "BatchNormalization", "Constant",
}

FASHION_MEAN = 0.2860
FASHION_STD = 0.3530


# --------------------------------------------------------------------------
# models

class Normalize(nn.Module):
    """(x - mean) / std with mean/std as buffers, so they export as Sub/Div
    with float32 initializers of shape [1,1,1,1]."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.full((1, 1, 1, 1), mean, dtype=torch.float32))
        self.register_buffer("std", torch.full((1, 1, 1, 1), std, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.std


def make_fc():
    return nn.Sequential(OrderedDict([
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(784, 32)),
        ("relu1", nn.ReLU()),
        ("fc2", nn.Linear(32, 10)),
    ]))


def make_deep():
    return nn.Sequential(OrderedDict([
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(784, 128)),
        ("relu1", nn.ReLU()),
        ("drop1", nn.Dropout(0.2)),
        ("fc2", nn.Linear(128, 64)),
        ("relu2", nn.ReLU()),
        ("fc3", nn.Linear(64, 32)),
        ("relu3", nn.ReLU()),
        ("fc4", nn.Linear(32, 10)),
        ("softmax", nn.Softmax(dim=1)),
    ]))


def make_cnn():
    return nn.Sequential(OrderedDict([
        ("norm", Normalize(FASHION_MEAN, FASHION_STD)),
        ("conv1", nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)),
        ("relu1", nn.ReLU()),
        ("conv2", nn.Conv2d(8, 16, kernel_size=3, stride=1, padding=1)),
        ("bn", nn.BatchNorm2d(16)),
        ("relu2", nn.ReLU()),
        ("pool", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(16 * 7 * 7, 32)),
        ("relu3", nn.ReLU()),
        ("fc2", nn.Linear(32, 10)),
    ]))


MODELS = [
    # name, constructor, architecture text, ends with softmax
    ("fashion_fc", make_fc,
     "Flatten -> Linear(784,32) -> ReLU -> Linear(32,10)", False),
    ("fashion_deep", make_deep,
     "Flatten -> Linear(784,128) -> ReLU -> Dropout(0.2) -> Linear(128,64) -> ReLU -> "
     "Linear(64,32) -> ReLU -> Linear(32,10) -> Softmax(dim=1)", True),
    ("fashion_cnn", make_cnn,
     "(x-0.2860)/0.3530 -> Conv2d(1,8,k3,s2,p1) -> ReLU -> Conv2d(8,16,k3,s1,p1) -> "
     "BatchNorm2d(16) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(784,32) -> ReLU -> Linear(32,10)",
     False),
]


# --------------------------------------------------------------------------
# training

def logits_of(model, x, has_softmax):
    """Forward pass returning pre-softmax values (training uses CrossEntropy on them)."""
    if has_softmax:
        return model[:-1](x)
    return model(x)


def train(name, model, has_softmax, xtr, ytr, xte, yte, epochs, batch=128, lr=1e-3):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    lossf = nn.CrossEntropyLoss()
    n = xtr.shape[0]
    t0 = time.time()
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=gen)
        tot = 0.0
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = lossf(logits_of(model, xtr[idx], has_softmax), ytr[idx])
            loss.backward()
            opt.step()
            tot += loss.item() * idx.numel()
        acc = accuracy(model, has_softmax, xte, yte)
        print("  %s epoch %d: train loss %.4f, test acc %.4f (%.1fs)"
              % (name, ep + 1, tot / n, acc, time.time() - t0), flush=True)
    model.eval()
    return accuracy(model, has_softmax, xte, yte)


@torch.no_grad()
def accuracy(model, has_softmax, x, y):
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], 1000):
        correct += (logits_of(model, x[i:i + 1000], has_softmax).argmax(1) == y[i:i + 1000]).sum().item()
    return correct / x.shape[0]


# --------------------------------------------------------------------------
# export

def materialise_identity_initializers(mp):
    """torch's exporter de-duplicates equal initializers and re-creates the
    duplicates as Identity(initializer) nodes; turn those back into plain
    initializers so the graph has no Identity nodes on weights."""
    g = mp.graph
    inits = {t.name: t for t in g.initializer}
    keep = []
    for node in g.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[node.input[0]])
            t.name = node.output[0]
            g.initializer.append(t)
            inits[t.name] = t
        else:
            keep.append(node)
    del g.node[:]
    g.node.extend(keep)


def export(name, model):
    model.eval()
    path = os.path.join(ROOT, "models", name + ".onnx")
    kwargs = dict(
        export_params=True, opset_version=13, input_names=["input"], output_names=["logits"],
        do_constant_folding=True,
    )
    if name == "fashion_cnn":
        # Keep BatchNormalization as a separate node (eval-mode export would fuse it into the Conv).
        # Constant folding is not needed (the model has no foldable subgraphs) and torch
        # warns about it in PRESERVE mode, so switch it off here.
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
        kwargs["do_constant_folding"] = False
    buf = io.BytesIO()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), buf, **kwargs)
    mp = onnx.load_from_string(buf.getvalue())
    materialise_identity_initializers(mp)
    mp.producer_name = "smug tools/train_fixtures.py (torch %s)" % torch.__version__.split("+")[0]
    mp.doc_string = "smug fixture %s, trained on Fashion-MNIST (MIT, Zalando Research)" % name
    onnx.checker.check_model(mp)
    onnx.save(mp, path)
    return path


def check_onnx(name, path, model, has_softmax):
    mp = onnx.load(path)
    onnx.checker.check_model(mp)
    ops = [n.op_type for n in mp.graph.node]
    print("  %s ops: %s" % (name, " -> ".join(ops)))
    bad = sorted(set(ops) - ALLOWED_OPS)
    assert not bad, "%s: unsupported ops %s" % (name, bad)
    assert [i.name for i in mp.graph.input] == ["input"], [i.name for i in mp.graph.input]
    assert [o.name for o in mp.graph.output] == ["logits"]
    for t in mp.graph.initializer:
        assert t.data_type == onnx.TensorProto.FLOAT, (name, t.name, t.data_type)
    assert "Constant" not in ops and "Shape" not in ops and "Gather" not in ops
    expected = {
        "fashion_fc": ["Flatten", "Gemm", "Relu", "Gemm"],
        "fashion_deep": ["Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"],
        "fashion_cnn": ["Sub", "Div", "Conv", "Relu", "Conv", "BatchNormalization", "Relu",
                        "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"],
    }[name]
    assert ops == expected, (name, ops)
    if name == "fashion_cnn":
        inits = {t.name for t in mp.graph.initializer}
        for n in mp.graph.node[:2]:
            assert n.op_type in ("Sub", "Div") and n.input[1] in inits, n
    # The exported graph must compute what torch computes (float64 evaluation of the
    # ONNX graph by tools/make_refs.py's evaluator vs. torch float32 and float64).
    import make_refs
    ev = make_refs.OnnxEval(path)
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(123))
    with torch.no_grad():
        want32 = model(x).double()
        want64 = model.double()(x.double())
        model.float()
        got = ev.run(x.double(), want="output")
    err32 = (got - want32).abs().max().item()
    err64 = (got - want64).abs().max().item()
    print("  %s: |onnx-eval - torch32| = %.2e, |onnx-eval - torch64| = %.2e" % (name, err32, err64))
    assert err32 < 1e-5 and err64 < 1e-10, (err32, err64)
    return ops


# --------------------------------------------------------------------------
# sample data

def write_samples(te_images, te_labels):
    d = os.path.join(ROOT, "data", "fashion")
    os.makedirs(d, exist_ok=True)
    rows = []
    for i in range(fixture_io.N_SAMPLE_IMAGES):
        fname = fixture_io.sample_png_name(i, te_labels[i])
        fixture_io.write_png_gray8(os.path.join(d, fname), te_images[i])
        back = fixture_io.read_png_gray8(os.path.join(d, fname))
        assert np.array_equal(back, te_images[i])
        rows.append("%s,%d,%d,%s" % (fname, i, te_labels[i], CLASS_NAMES[te_labels[i]]))
    with open(os.path.join(d, "labels.csv"), "w") as f:
        f.write("file,index,label,classname\n" + "\n".join(rows) + "\n")
    x0 = fixture_io.to_input(te_images[0])
    assert te_labels[0] == 9
    np.save(os.path.join(d, "0000_ankle_boot.npy"), x0, allow_pickle=False)
    with open(os.path.join(ROOT, "data", "README.md"), "w") as f:
        f.write(DATA_README)


DATA_README = """\
# data/

## fashion/

Sample inputs for smug: the first 20 images (indices 0-19) of the
Fashion-MNIST **test** set (`t10k-images-idx3-ubyte`), taken from Debian's
`dataset-fashion-mnist` package (`/usr/share/datasets/fashion-mnist/`).

* `<i>_<classname>.png` - 28x28 8-bit grayscale PNG, `i` = index in the test
  set (zero-padded to 4 digits), `classname` = true label, one of
  t_shirt_top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag,
  ankle_boot (labels 0-9 in that order).
* `labels.csv` - `file,index,label,classname` for every PNG.
* `0000_ankle_boot.npy` - image 0 as a float32 array of shape [1,1,28,28]
  (NCHW), numpy .npy format version 1.0, values = uint8 / 255.0 in [0,1].
  This is exactly the model input that all smug models / reference values
  use for `0000_ankle_boot.png`.

Pixel preprocessing everywhere: uint8 / 255.0 -> float32 in [0,1], shape
[1,1,28,28]; the PNGs store the original uint8 pixels (0 = black
background, as in the dataset).

Generated by `tools/train_fixtures.py`.

### Licence

Fashion-MNIST is Copyright (c) 2017 Zalando SE and is released under the MIT
licence (https://github.com/zalandoresearch/fashion-mnist, Han Xiao, Kashif
Rasul, Roland Vollgraf, "Fashion-MNIST: a Novel Image Dataset for
Benchmarking Machine Learning Algorithms", arXiv:1708.07747).  The images
here are unmodified copies of dataset samples.

## text/

Sample inputs for the text model `models/debian_text.onnx`: 42 package descriptions
(7 per section) from its **held-out** test split, written by `tools/train_text.py`
from Debian 12's apt lists (see models/README.md for the corpus).

* `<section>_<n>.txt` - plain UTF-8 text: the description's first line, then its long
  description with the \" .\" separator lines removed. Each has 5 to 64 tokens, so
  the model (maximum length 64) sees all of it.
* `labels.csv` - `file,package,section,label,predicted`: the Debian package, its
  section, the class index (line of `models/debian_text.labels`) and what the model
  predicts (29 of 42 right).

Debian package descriptions are part of the packages' control data, under the
licences of the respective packages; they are quoted unmodified.
"""


def write_models_readme(results):
    lines = [
        "# models/",
        "",
        "Small ONNX classifiers used as fixtures by smug's tests and benchmarks.",
        "All take `input` float32 [1,1,28,28] (NCHW, pixels uint8/255.0 in [0,1]) and",
        "produce `logits` float32 [1,10] (for `fashion_deep.onnx` the output is the",
        "Softmax of the logits). Weights are float32 initializers; opset 13.",
        "",
        "| file | architecture | ONNX ops | test accuracy (10k) | size |",
        "|------|--------------|----------|---------------------|------|",
    ]
    for name, arch, ops, acc, size in results:
        lines.append("| `%s.onnx` | %s | %s | %.2f %% | %d bytes |"
                     % (name, arch, " &rarr; ".join(ops), 100 * acc, size))
    lines += [
        "",
        "## How they were made",
        "",
        "`/usr/bin/python3 tools/train_fixtures.py` (Debian python3-torch %s, python3-onnx %s,"
        % (torch.__version__.split("+")[0], onnx.__version__),
        "python3-numpy %s): CPU, one thread, `torch.manual_seed(0)` / numpy seed 0," % np.__version__,
        "Adam (lr 1e-3), batch 128, cross-entropy on the pre-softmax logits,",
        "trained on the 60,000 training images; accuracy is on the 10,000 test images.",
        "Epochs: " + ", ".join("%s %d" % (n, e) for n, e in EPOCHS_USED) + ".",
        "Exported with `torch.onnx.export` (opset 13, input `input`, output `logits`, batch",
        "dimension fixed at 1, constant folding on except for the CNN). `fashion_cnn` is exported with",
        "`training=TrainingMode.PRESERVE` from eval mode so the BatchNormalization node is",
        "kept (with the trained running statistics) instead of being fused into the Conv;",
        "its input normalisation `(x - 0.2860) / 0.3530` is a Sub and a Div with float32",
        "initializers `norm.mean` / `norm.std` of shape [1,1,1,1]. The Dropout of",
        "`fashion_deep` disappears in the eval-mode export.",
        "The script checks every exported graph with `onnx.checker`, asserts the op list,",
        "and compares a float64 evaluation of the ONNX graph with torch.",
        "",
        "## Data",
        "",
        "Trained on Fashion-MNIST (Copyright (c) 2017 Zalando SE, MIT licence, Zalando",
        "Research, https://github.com/zalandoresearch/fashion-mnist) as shipped by",
        "Debian's `dataset-fashion-mnist` package in `/usr/share/datasets/fashion-mnist/`.",
        "",
    ]
    path = os.path.join(ROOT, "models", "README.md")
    # keep the text-model section that tools/train_text.py maintains at the end
    mark = "<!-- text models: written by tools/train_text.py -->"
    tail = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        if mark in old:
            tail = "\n" + mark + old.split(mark, 1)[1]
    with open(path, "w") as f:
        f.write("\n".join(lines) + tail)


EPOCHS_USED = []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--no-refs", action="store_true",
                    help="do not run make_refs.py / make_bad_onnx.py afterwards")
    args = ap.parse_args()

    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    tr_images, tr_labels = fixture_io.load_split("train")
    te_images, te_labels = fixture_io.load_split("t10k")
    print("train %s, test %s" % (tr_images.shape, te_images.shape))
    xtr = torch.from_numpy(tr_images.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)
    ytr = torch.from_numpy(tr_labels.astype(np.int64))
    xte = torch.from_numpy(te_images.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)
    yte = torch.from_numpy(te_labels.astype(np.int64))

    write_samples(te_images, te_labels)
    os.makedirs(os.path.join(ROOT, "models"), exist_ok=True)

    results = []
    for name, ctor, arch, has_softmax in MODELS:
        torch.manual_seed(0)
        model = ctor()
        print("training %s" % name, flush=True)
        acc = train(name, model, has_softmax, xtr, ytr, xte, yte, args.epochs)
        EPOCHS_USED.append((name, args.epochs))
        path = export(name, model)
        ops = check_onnx(name, path, model, has_softmax)
        size = os.path.getsize(path)
        print("  %s: test accuracy %.4f, %d bytes -> %s" % (name, acc, size, os.path.relpath(path, ROOT)))
        assert size < 1 << 20
        results.append((name, arch, ops, acc, size))

    write_models_readme(results)
    print("\nsummary:")
    for name, arch, ops, acc, size in results:
        print("  %-13s acc %.4f  ops %s" % (name, acc, ",".join(ops)))

    if not args.no_refs:
        import make_refs
        import make_bad_onnx
        make_refs.main([])
        make_bad_onnx.main([])


if __name__ == "__main__":
    main()
