#!/usr/bin/python3
"""Export torchvision classifiers as ONNX graphs with seeded random weights (issue #11).

Needs Debian's /usr/bin/python3 with python3-torch (1.13), python3-torchvision (0.14),
python3-onnx and python3-numpy. Nothing is downloaded: every weight is random.  Never on
the build or test path; the reduced outputs are committed.

Models: resnet18, googlenet (Inception v1: aux_logits=False, transform_input=False,
init_weights=True) and mobilenet_v2, each wrapped so that the graph starts with ImageNet
normalisation ((x - mean) / std on the [0, 1] RGB input, exported as Sub and Div, which
smug folds in front of the first conv).

Weights ("no layer is degenerate"): torchvision's own initialisation for convolutions and
linear layers; then BatchNorm running statistics are measured in train mode on seeded
synthetic images (so every channel sees activations of a sensible scale) and perturbed:
mean += N(0, 0.2)·std, var ·= U(0.7, 1.4), gamma = U(0.6, 1.4), beta = N(0, 0.1);
every bias is N(0, 0.05).  torch.onnx.export (opset 13, eval mode) folds each BatchNorm
into the conv before it.

Two sizes:
  reduced (default)  channels / 8 (mobilenet_v2: width_mult 0.25), 10 classes, 64x64
                     input -> tests/data/torchvision/<model>_mini.onnx, 64x64 PNG
                     inputs there, and float64 torch references
                     tests/data/ref/<model>_mini_0.json (format of tools/make_refs.py,
                     STEPS-point midpoint IG; see tests/data/ref/README.md)
  full (--full DIR)  the real architectures, 1000 classes, 224x224 -> DIR/<model>.onnx,
                     plus vgg11 (a 531 MB file, for bench/load.sh) and 224x224 PNGs
                     DIR/<i>_synth.png; nothing is committed

The first layer smug explains is the stem conv (BN folded). Its activations h are the
ReLU output for resnet18 and googlenet; mobilenet_v2's stem ends in ReLU6 (Clip), which
smug does not take as "the ReLU after the first layer", so there h is the conv output
itself and the ReLU6 belongs to the rest of the network G.

Usage: /usr/bin/python3 tools/torchvision_fixtures.py [--full DIR] [--models a,b]
"""

import argparse
import importlib
import os
import struct
import sys
import zlib

sys.dont_write_bytecode = True  # keep tools/ and bench/ free of __pycache__

import numpy as np
import torch
import torch.nn as nn
import torchvision

# the modules, not the functions of the same name torchvision.models exports
tv_googlenet = importlib.import_module("torchvision.models.googlenet")
tv_resnet = importlib.import_module("torchvision.models.resnet")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_refs  # noqa: E402
from fixture_io import ROOT  # noqa: E402

MODELS = ("resnet18", "googlenet", "mobilenet_v2")
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
MINI_DIR = os.path.join(ROOT, "tests", "data", "torchvision")
STEPS = 50
SLIM = 8  # channel divisor of the reduced models


class Normalized(nn.Module):
    """(x - mean) / std in the graph, then the classifier."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(MEAN).reshape(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(STD).reshape(1, 3, 1, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


# ---- reduced architectures: torchvision's own blocks with fewer channels ----------------

class SlimBasicConv2d(tv_googlenet.BasicConv2d):
    def __init__(self, in_channels, out_channels, **kw):
        super().__init__(in_channels if in_channels == 3 else in_channels // SLIM, out_channels // SLIM, **kw)


class SlimInception(tv_googlenet.Inception):
    def __init__(self, in_channels, *chs, conv_block=None):
        super().__init__(in_channels // SLIM, *[c // SLIM for c in chs], conv_block=conv_block)


def slim_resnet18(num_classes):
    m = tv_resnet.ResNet(tv_resnet.BasicBlock, [2, 2, 2, 2], num_classes=num_classes)
    w = 64 // SLIM
    m.inplanes = w
    m.conv1 = nn.Conv2d(3, w, kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(w)
    m.layer1 = m._make_layer(tv_resnet.BasicBlock, w, 2)
    m.layer2 = m._make_layer(tv_resnet.BasicBlock, 2 * w, 2, stride=2)
    m.layer3 = m._make_layer(tv_resnet.BasicBlock, 4 * w, 2, stride=2)
    m.layer4 = m._make_layer(tv_resnet.BasicBlock, 8 * w, 2, stride=2)
    m.fc = nn.Linear(8 * w, num_classes)
    for mod in m.modules():  # torchvision's initialisation for the rebuilt layers
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, mode="fan_out", nonlinearity="relu")
    return m


def build(name, full):
    if name == "resnet18":
        return torchvision.models.resnet18(weights=None) if full else slim_resnet18(10)
    if name == "googlenet":
        if full:
            return torchvision.models.googlenet(weights=None, aux_logits=False, transform_input=False,
                                                init_weights=True)
        m = tv_googlenet.GoogLeNet(num_classes=10, aux_logits=False, transform_input=False, init_weights=True,
                                   blocks=[SlimBasicConv2d, SlimInception, tv_googlenet.InceptionAux])
        m.fc = nn.Linear(1024 // SLIM, 10)
        return m
    if name == "mobilenet_v2":
        return torchvision.models.mobilenet_v2(weights=None) if full else \
            torchvision.models.mobilenet_v2(weights=None, width_mult=0.25, num_classes=10)
    if name == "vgg11":
        return torchvision.models.vgg11(weights=None)
    raise ValueError(name)


# ---- synthetic RGB images -----------------------------------------------------------

def synth_image(seed, size):
    """A seeded RGB picture: a smooth colour field with a few discs and bars (uint8 HxWx3)."""
    rng = np.random.default_rng(1000 + seed)
    yy, xx = np.mgrid[0:size, 0:size] / float(size)
    img = np.zeros((size, size, 3))
    for c in range(3):
        a, b, f, p = rng.uniform(0.2, 0.8), rng.uniform(-0.3, 0.3), rng.uniform(1, 4), rng.uniform(0, 6.3)
        img[:, :, c] = a + b * np.sin(f * 2 * np.pi * (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1)) + p)
    for _ in range(6):
        col = rng.uniform(0, 1, 3)
        cy, cx, r = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.05, 0.25)
        if rng.uniform() < 0.5:
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
        else:
            mask = (np.abs(yy - cy) < r / 3) & (np.abs(xx - cx) < r)
        img[mask] = col
    img += rng.normal(0, 0.02, img.shape)  # no two pixels tie exactly
    return (np.clip(img, 0, 1) * 255).round().astype(np.uint8)


def write_png_rgb(path, img):
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def to_input(img):
    """uint8 HxWx3 -> float32 [1,3,H,W] in [0, 1], what smug's PNG reader gives."""
    return (img.astype(np.float32) / np.float32(255.0)).transpose(2, 0, 1)[None].copy()


# ---- weights ------------------------------------------------------------------------

def make_model(name, full, seed, size):
    """The classifier with seeded random weights, normalisation in front, in eval mode."""
    torch.manual_seed(seed)  # torchvision's own initialisation draws from the global generator
    return Normalized(randomise(build(name, full), seed, size)).eval()


def randomise(model, seed, size):
    gen = torch.Generator().manual_seed(seed)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
            with torch.no_grad():
                m.bias.normal_(0, 0.05, generator=gen)
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for b in range(4 if bns else 0):
            x = torch.from_numpy(np.concatenate([to_input(synth_image(100 + 8 * b + i, size)) for i in range(8)]))
            model(x)
    model.eval()
    with torch.no_grad():
        for bn in bns:
            std = bn.running_var.sqrt()
            bn.running_mean += torch.randn(bn.num_features, generator=gen) * 0.2 * std
            bn.running_var *= torch.empty(bn.num_features).uniform_(0.7, 1.4, generator=gen)
            bn.weight.uniform_(0.6, 1.4, generator=gen)
            bn.bias.normal_(0, 0.1, generator=gen)
    return model


def export(model, path, size):
    x = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"])
    print("  %-48s %10d bytes" % (os.path.relpath(path, ROOT), os.path.getsize(path)))


# ---- float64 references -------------------------------------------------------------

def first_layer_hooks(name, model):
    """(module whose output is the first layer's pre-activation o, module whose output is
    smug's h, whether h = relu(o))."""
    net = model.net
    if name == "resnet18":
        return net.bn1, net.relu, True
    if name == "googlenet":
        return net.conv1.bn, net.conv1, True
    return net.features[0][1], net.features[0][1], False


def integrated_gradients(fn, point, target, steps):
    alphas = ((torch.arange(steps, dtype=torch.float64) + 0.5) / steps).to(point.dtype)
    pts = (alphas.reshape((-1,) + (1,) * (point.dim() - 1)) * point).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(pts)[:, target].sum(), pts)
    ig = point * grad.mean(dim=0, keepdim=True)
    with torch.no_grad():
        delta = (fn(point)[0, target] - fn(torch.zeros_like(point))[0, target]).item()
    return ig.detach(), delta


def reference(name, model, x32, model_rel, png_rel):
    model = model.double().eval()
    x = torch.from_numpy(x32).double()
    pre_mod, h_mod, _ = first_layer_hooks(name, model)
    seen = {}
    hk = [pre_mod.register_forward_hook(lambda m, i, o: seen.__setitem__("pre", o.clone())),
          h_mod.register_forward_hook(lambda m, i, o: seen.__setitem__("h", o.clone()))]
    with torch.no_grad():
        logits = model(x)[0]
    for k in hk:
        k.remove()
    target = int(torch.argmax(logits))
    h = seen["h"]
    override = {}
    hook = h_mod.register_forward_hook(lambda m, i, o: override["h"].clone())  # in-place ReLU6 follows

    def g_of_h(hb):  # the rest of the network on given first-layer activations
        override["h"] = hb
        return model(x.expand((hb.shape[0],) + x.shape[1:]))

    ig_first, d_first = integrated_gradients(g_of_h, h, target, STEPS)
    with torch.no_grad():
        assert abs(g_of_h(h)[0, target].item() - logits[target].item()) < 1e-9
    hook.remove()
    ig_input, d_input = integrated_gradients(model, x, target, STEPS)
    xg = x.clone().requires_grad_(True)
    (grad_input,) = torch.autograd.grad(model(xg)[0, target], xg)
    return {
        "model": model_rel, "image": png_rel, "index": 0, "label": -1,
        "input_shape": list(x32.shape), "input": x32.flatten().astype(np.float64).tolist(),
        "logits": logits.tolist(), "predicted": target,
        "first_layer_shape": list(seen["pre"].shape), "first_layer": seen["pre"].flatten().tolist(),
        "steps": STEPS, "target": target,
        "ig_first": ig_first.flatten().tolist(), "ig_first_sum": ig_first.sum().item(),
        "ig_first_delta": d_first,
        "ig_input": ig_input.flatten().tolist(), "ig_input_sum": ig_input.sum().item(),
        "ig_input_delta": d_input,
        "grad_input": grad_input.flatten().tolist(),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--full", metavar="DIR", help="write full-size models and 224x224 inputs to DIR")
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated subset")
    ap.add_argument("--images", type=int, default=2, help="PNG inputs to write")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    names = [m for m in args.models.split(",") if m]
    full = args.full is not None
    out_dir = args.full if full else MINI_DIR
    size = 224 if full else 64
    os.makedirs(out_dir, exist_ok=True)
    pngs = []
    for i in range(args.images):
        img = synth_image(i, size)
        path = os.path.join(out_dir, "%04d_synth.png" % i)
        write_png_rgb(path, img)
        pngs.append((path, img))
    for k, name in enumerate(names):
        model = make_model(name, full, 7 + MODELS.index(name) if name in MODELS else 7, size)
        path = os.path.join(out_dir, "%s%s.onnx" % (name, "" if full else "_mini"))
        export(model, path, size)
        if full:
            continue
        png_path, img = pngs[0]
        ref = reference(name, model, to_input(img), os.path.relpath(path, ROOT), os.path.relpath(png_path, ROOT))
        ref_path = os.path.join(ROOT, "tests", "data", "ref", "%s_mini_0.json" % name)
        make_refs.write_json(ref_path, ref)
        print("  %-48s pred %d  ig_first sum %.6f delta %.6f | ig_input sum %.6f delta %.6f" % (
            os.path.relpath(ref_path, ROOT), ref["predicted"], ref["ig_first_sum"], ref["ig_first_delta"],
            ref["ig_input_sum"], ref["ig_input_delta"]))


if __name__ == "__main__":
    main(sys.argv[1:])
