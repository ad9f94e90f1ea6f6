#!/usr/bin/python3
"""PyTorch baseline timing for smug's Integrated Gradients.

Rebuilds the torch modules of models/fashion_fc.onnx and models/fashion_cnn.onnx,
loads their weights from the ONNX initializers (onnx.numpy_helper; the
BatchNormalization of the CNN is kept as nn.BatchNorm2d with the stored running
statistics), and times in float32 with torch.set_num_threads(--threads):

  * 300-step IG w.r.t. the first layer's post-ReLU activations h (layer "first"):
    IG_j = h_j * (1/m) sum_i dG/dh_j(alpha_i h), alpha_i = (i+0.5)/m, baseline 0,
    all m alpha points evaluated as ONE batch;
  * the same w.r.t. the model input x (layer "input").

The target is the predicted class.  Each explanation (including the forward
pass that finds the target and, for "first", h) is timed on its own for images
0..9 of data/fashion, repeated --reps times; the median is reported, one JSON
line per (model, layer):

  {"model": "fashion_fc", "layer": "first", "seconds": ..., ...}

Before timing, the IG results for images 0..2 are checked against the float64
reference values in tests/data/ref/<model>_<i>.json (target, IG sums,
completeness, and for models without MaxPool the attribution vectors element by
element), so a broken baseline cannot go unnoticed; on a mismatch it reports
on stderr and exits 1 (after printing the timings).

Needs Debian's python3-torch, python3-onnx, python3-numpy; if torch is not
importable it prints "torch not available: skipped" and exits 0.

Usage: /usr/bin/python3 bench/torch_ig.py [--threads N] [--reps R] [--steps M]
"""

import argparse
import json
import os
import statistics
import sys

sys.dont_write_bytecode = True  # keep tools/ and bench/ free of __pycache__
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("torch not available: skipped")
    sys.exit(0)

try:
    import numpy as np
    import onnx
    import onnx.numpy_helper
except ImportError as e:
    print("%s not available: skipped" % e.name)
    sys.exit(0)

sys.path.insert(0, os.path.join(ROOT, "tools"))
import fixture_io  # noqa: E402  (PNG reader, labels.csv)


class Normalize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x):
        return (x - self.mean) / self.std


def load_onnx_modules(path):
    """Rebuild (first, rest) torch modules from a Flatten/Gemm or Sub/Div/Conv/BN ONNX graph.

    first: x -> first-layer post-ReLU activations h;  rest: h -> logits.
    Weights are mapped by walking the graph's nodes in order (names are not relied on)."""
    mp = onnx.load(path)
    inits = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in mp.graph.initializer}
    attrs = lambda n: {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}  # noqa: E731
    layers = []
    for node in mp.graph.node:
        op, at = node.op_type, attrs(node)
        if op == "Sub":
            mean = inits[node.input[1]]
        elif op == "Div":
            layers.append(Normalize(mean, inits[node.input[1]]))
        elif op == "Flatten":
            assert at.get("axis", 1) == 1
            layers.append(nn.Flatten())
        elif op == "Gemm":
            assert at.get("transB", 0) == 1 and at.get("transA", 0) == 0
            assert at.get("alpha", 1.0) == 1.0 and at.get("beta", 1.0) == 1.0
            w = inits[node.input[1]]
            lin = nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                lin.weight.copy_(w)
                lin.bias.copy_(inits[node.input[2]])
            layers.append(lin)
        elif op == "Conv":
            w = inits[node.input[1]]
            pads = list(at.get("pads", [0, 0, 0, 0]))
            assert pads[:2] == pads[2:] and at.get("group", 1) == 1
            assert list(at.get("dilations", [1, 1])) == [1, 1]
            conv = nn.Conv2d(w.shape[1], w.shape[0], tuple(at["kernel_shape"]),
                             stride=tuple(at.get("strides", [1, 1])), padding=tuple(pads[:2]))
            with torch.no_grad():
                conv.weight.copy_(w)
                conv.bias.copy_(inits[node.input[2]])
            layers.append(conv)
        elif op == "BatchNormalization":
            sc, bi, mu, var = (inits[n] for n in node.input[1:5])
            bn = nn.BatchNorm2d(sc.shape[0], eps=at.get("epsilon", 1e-5))
            with torch.no_grad():
                bn.weight.copy_(sc)
                bn.bias.copy_(bi)
                bn.running_mean.copy_(mu)
                bn.running_var.copy_(var)
            layers.append(bn)
        elif op == "Relu":
            layers.append(nn.ReLU())
        elif op == "MaxPool":
            pads = list(at.get("pads", [0, 0, 0, 0]))
            assert pads[:2] == pads[2:]
            layers.append(nn.MaxPool2d(tuple(at["kernel_shape"]), tuple(at.get("strides", at["kernel_shape"])),
                                       padding=tuple(pads[:2])))
        else:
            raise NotImplementedError("%s: op %s" % (path, op))
    first_relu = next(i for i, l in enumerate(layers) if isinstance(l, nn.ReLU))
    first = nn.Sequential(*layers[:first_relu + 1]).eval()
    rest = nn.Sequential(*layers[first_relu + 1:]).eval()
    return first, rest


def ig_batched(fn, point, target, alphas):
    """Midpoint IG of fn(.)[:, target] from 0 to point; all alphas as one batch."""
    pts = (alphas.reshape((-1,) + (1,) * (point.dim() - 1)) * point).requires_grad_(True)
    out = fn(pts)[:, target].sum()
    (grad,) = torch.autograd.grad(out, pts)
    return point * grad.mean(dim=0, keepdim=True)


def explain_first(first, rest, x, alphas):
    with torch.no_grad():
        h = first(x)
        target = int(rest(h).argmax())
    return ig_batched(rest, h, target, alphas), target


def explain_input(first, rest, x, alphas):
    net = lambda z: rest(first(z))  # noqa: E731
    with torch.no_grad():
        target = int(net(x).argmax())
    return ig_batched(net, x, target, alphas), target


def verify(model, first, rest, images, alphas):
    """Compare float32 IG with the float64 references; returns a list of error strings."""
    errors = []
    has_maxpool = any(isinstance(m, nn.MaxPool2d) for m in list(first) + list(rest))
    for i in range(3):
        path = os.path.join(ROOT, "tests", "data", "ref", "%s_%d.json" % (model, i))
        if not os.path.exists(path):
            errors.append("missing %s" % path)
            continue
        with open(path) as f:
            ref = json.load(f)
        if ref["steps"] != len(alphas):
            continue  # only comparable for the reference step count
        x = images[i]
        if np.abs(x.numpy().ravel() - np.array(ref["input"])).max() > 1e-7:
            errors.append("%s: input differs from data/fashion PNG" % path)
        for layer, fn in (("first", explain_first), ("input", explain_input)):
            ig, target = fn(first, rest, x, alphas)
            ig = ig.double().flatten().numpy()
            want = np.array(ref["ig_" + layer])
            s, want_s, delta = ig.sum(), ref["ig_%s_sum" % layer], ref["ig_%s_delta" % layer]
            scale = max(1.0, abs(want_s))
            if target != ref["target"]:
                errors.append("%s %s: target %d != %d" % (path, layer, target, ref["target"]))
            if abs(s - want_s) > 1e-4 * scale:
                errors.append("%s %s: IG sum %.7g != ref %.7g" % (path, layer, s, want_s))
            # completeness (midpoint rule is not exact at ReLU kinks: loose bound)
            if abs(s - delta) > 5e-3 * scale:
                errors.append("%s %s: IG sum %.7g far from F(x)-F(0) = %.7g" % (path, layer, s, delta))
            # Element-wise only without MaxPool: float32 oneDNN convs break the exact MaxPool
            # ties of the constant background by rounding noise, so the gradient goes to a
            # different (equal-valued) position than in the float64 reference (sums agree).
            if not has_maxpool and np.abs(ig - want).max() > 1e-4 * max(1.0, np.abs(want).max()):
                errors.append("%s %s: IG vector max diff %.3g" % (path, layer, np.abs(ig - want).max()))
    return errors


def main():
    ap = argparse.ArgumentParser(description="PyTorch IG timing baseline for smug")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--images", type=int, default=10, help="images 0..N-1 of data/fashion (max 20)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    alphas = (torch.arange(args.steps, dtype=torch.float32) + 0.5) / args.steps
    images = [torch.from_numpy(fixture_io.load_sample(i)[2]) for i in range(args.images)]

    failed = False
    for model in ("fashion_fc", "fashion_cnn"):
        first, rest = load_onnx_modules(os.path.join(ROOT, "models", model + ".onnx"))
        for p in list(first.parameters()) + list(rest.parameters()):
            p.requires_grad_(False)
        errors = verify(model, first, rest, images, alphas)
        for e in errors:
            print("MISMATCH " + e, file=sys.stderr)
        failed |= bool(errors)
        for layer, fn in (("first", explain_first), ("input", explain_input)):
            fn(first, rest, images[0], alphas)  # warm-up
            times = []
            for _ in range(args.reps):
                for x in images:
                    t0 = time.perf_counter()
                    fn(first, rest, x, alphas)
                    times.append(time.perf_counter() - t0)
            print(json.dumps({"model": model, "layer": layer, "seconds": statistics.median(times),
                              "min_seconds": min(times),
                              "threads": args.threads, "steps": args.steps, "images": len(images),
                              "reps": args.reps, "dtype": "float32",
                              "torch": torch.__version__.split("+")[0],
                              "verified": not errors}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
