#!/usr/bin/python3
"""PyTorch's side of bench/ig.sh: a worker that times Integrated Gradients on request.

The driver (bench/ig_compare.py) sends the same requests to this worker and to smug's
(build/bench/bench_ig --serve), one explanation at a time, alternating, so both are measured
under the same machine load. A request is a line "MODEL.onnx INPUT.png first|input STEPS";
the answer one JSON line {"seconds", "cpu_seconds", "target", "ig_sum", "rss_mb",
"peak_mb"} (or {"error"}), as smug's.

What torch computes, in float32 with torch.set_num_threads(--threads):
  * the target: the predicted class of one forward pass (timed, as smug's);
  * layer "first": IG of the target's logit w.r.t. the first layer's output h (the stem
    conv's post-ReLU output for resnet18 and googlenet, the conv output before ReLU6 for
    mobilenet_v2: what smug calls the first-layer neurons), baseline 0:
      IG_j = h_j * (1/m) sum_i dG/dh_j(alpha_i h),  alpha_i = (i + 0.5)/m,
    where G is the network after h, as a separate module (the stem is not re-run per path
    point); the m path points are evaluated in batches of --chunk (default 8), each a
    forward and one autograd.grad, the gradients summed;
  * layer "input": the same w.r.t. the model input x in [0, 1] (baseline 0), through the
    whole network including its (x - mean)/std normalisation.
Batching "as well as torch can": measured on this machine (resnet18, 200 steps, 1 thread,
CPU seconds): all 200 points in one batch 58-82 s and 5.3 GB, chunks of 25 20-23 s,
chunks of 8 20 s (NCHW) and 17-18 s (channels_last), chunks of 4 18-21 s. So torch runs
chunks of 8 in channels_last memory format (oneDNN then reads NHWC directly instead of
reordering around each conv), with each BatchNorm folded into its conv
(torch.nn.utils.fusion.fuse_conv_bn_eval, as the ONNX export smug reads does) and no
parameter requiring gradients. The 28x28 fixtures (models/fashion_*.onnx, rebuilt from
their ONNX initializers) run all points as one batch, as before; their IG is checked at
load against the float64 references in tests/data/ref (a mismatch is reported on stderr).

The torchvision models are rebuilt from tools/torchvision_fixtures.py: `--prepare DIR`
saves each model's weights (the same seeds that wrote DIR/<model>.onnx) to
DIR/<model>.pt once, so a worker loads them without re-running the BatchNorm calibration
(which would pollute its memory peak).

Needs Debian's python3-torch, python3-torchvision, python3-onnx, python3-numpy; without
torch it prints "torch not available: skipped" and exits 0.

Usage: /usr/bin/python3 bench/torch_ig.py --serve [--threads N] [--chunk C]
       /usr/bin/python3 bench/torch_ig.py --prepare DIR
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


def fuse_bn(module):
    """Fold every BatchNorm2d that directly follows a Conv2d among a module's children into
    that conv (the BN becomes Identity), recursively."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    names = list(module._modules)
    for i, name in enumerate(names):
        child = module._modules[name]
        if isinstance(child, nn.BatchNorm2d) and i > 0 and isinstance(module._modules[names[i - 1]], nn.Conv2d):
            module._modules[names[i - 1]] = fuse_conv_bn_eval(module._modules[names[i - 1]], child)
            module._modules[name] = nn.Identity()
        elif child is not None:
            fuse_bn(child)
    return module


def split_torchvision(name, model):
    """(stem: x -> h, G: h -> logits) of a tools/torchvision_fixtures.py model, BN folded."""
    net = fuse_bn(model).net
    if name == "resnet18":
        stem = nn.Sequential(net.conv1, net.bn1, net.relu)
        G = nn.Sequential(net.maxpool, net.layer1, net.layer2, net.layer3, net.layer4, net.avgpool,
                          nn.Flatten(), net.fc)
    elif name == "googlenet":
        stem = net.conv1
        G = nn.Sequential(net.maxpool1, net.conv2, net.conv3, net.maxpool2, net.inception3a, net.inception3b,
                          net.maxpool3, net.inception4a, net.inception4b, net.inception4c, net.inception4d,
                          net.inception4e, net.maxpool4, net.inception5a, net.inception5b, net.avgpool,
                          nn.Flatten(), net.dropout, net.fc)
    elif name == "mobilenet_v2":
        stem = nn.Sequential(net.features[0][0], net.features[0][1])
        net.features[0][2].inplace = False  # h is a leaf that requires grad
        G = nn.Sequential(net.features[0][2], net.features[1:], nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          net.classifier)
    else:
        raise ValueError(name)
    return stem, G


def torchvision_fixtures():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import torchvision_fixtures as tf  # noqa: E402  (needs python3-torchvision)
    return tf


def prepare(directory):
    tf = torchvision_fixtures()
    torch.set_num_threads(1)  # as torchvision_fixtures.py, so the calibration rounds the same
    for name in tf.MODELS:
        out = os.path.join(directory, name + ".pt")
        if os.path.exists(out) or not os.path.exists(os.path.join(directory, name + ".onnx")):
            continue
        model = tf.make_model(name, True, 7 + tf.MODELS.index(name), 224)
        torch.save(model.state_dict(), out)
        print("wrote %s" % out)


class Worker:
    def __init__(self, chunk, channels_last):
        self.chunk, self.channels_last = chunk, channels_last
        self.path, self.kind = None, None

    def load(self, path):
        if path == self.path:
            return
        name = os.path.basename(path)[:-len(".onnx")]
        if name.startswith("fashion_"):
            self.first, self.rest = load_onnx_modules(path)
            for p in list(self.first.parameters()) + list(self.rest.parameters()):
                p.requires_grad_(False)
            self.kind = "fashion"
            steps = 300
            alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps
            images = [torch.from_numpy(fixture_io.load_sample(i)[2]) for i in range(3)]
            for e in verify(name, self.first, self.rest, images, alphas):
                print("MISMATCH " + e, file=sys.stderr)
        else:
            tf = torchvision_fixtures()
            model = tf.Normalized(tf.build(name, True))
            model.load_state_dict(torch.load(os.path.join(os.path.dirname(path), name + ".pt")))
            model.eval()
            for p in model.parameters():
                p.requires_grad_(False)
            self.stem, self.G = split_torchvision(name, model)
            self.model = model  # the whole network (normalisation included), BN folded
            if self.channels_last:
                self.G = self.G.to(memory_format=torch.channels_last)
                self.model = self.model.to(memory_format=torch.channels_last)
            self.kind = "torchvision"
        self.path = path

    def read_input(self, path):
        if self.kind == "fashion":
            return torch.from_numpy(fixture_io.to_input(fixture_io.read_png_gray8(path)))
        from PIL import Image  # python3-pil, a dependency of python3-torchvision
        img = np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)
        return torch.from_numpy((img.astype(np.float32) / np.float32(255.0)).transpose(2, 0, 1)[None].copy())

    def chunked_ig(self, fn, point, target, steps):
        alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps
        total = torch.zeros_like(point)
        fmt = torch.channels_last if self.channels_last else torch.contiguous_format
        for a in alphas.split(self.chunk):
            pts = (a.reshape(-1, 1, 1, 1) * point).contiguous(memory_format=fmt).requires_grad_(True)
            (grad,) = torch.autograd.grad(fn(pts)[:, target].sum(), pts)
            total += grad.sum(dim=0, keepdim=True)
        return point * total / steps

    def explain(self, x, layer, steps):
        if self.kind == "fashion":
            alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps
            fn = explain_first if layer == "first" else explain_input
            return fn(self.first, self.rest, x, alphas)
        with torch.no_grad():
            if layer == "first":
                h = self.stem((x - self.model.mean) / self.model.std)
                target = int(self.G(h).argmax())
            else:
                target = int(self.model(x).argmax())
        if layer == "first":
            return self.chunked_ig(self.G, h, target, steps), target
        return self.chunked_ig(self.model, x, target, steps), target


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1048576.0


def serve(args):
    import resource
    torch.set_num_threads(args.threads)
    w = Worker(args.chunk, not args.nchw)
    for line in sys.stdin:
        try:
            model, image, layer, steps = line.split()
            w.load(model)
            x = w.read_input(image)
            rss = rss_mb()
            t0, c0 = time.perf_counter(), time.process_time()
            ig, target = w.explain(x, layer, int(steps))
            out = {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
                   "target": target, "ig_sum": float(ig.double().sum()), "rss_mb": rss,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}
        except Exception as e:  # noqa: BLE001  (reported to the driver, which shows it)
            out = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(out), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description="PyTorch IG worker for bench/ig.sh")
    ap.add_argument("--serve", action="store_true", help="answer requests on stdin")
    ap.add_argument("--prepare", metavar="DIR", help="save the torchvision models' weights to DIR/<model>.pt")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=8, help="path points per batch (torchvision models)")
    ap.add_argument("--nchw", action="store_true", help="keep NCHW instead of channels_last")
    args = ap.parse_args()
    if args.prepare:
        prepare(args.prepare)
        return 0
    if args.serve:
        return serve(args)
    ap.error("--serve or --prepare")
    return 2


if __name__ == "__main__":
    sys.exit(main())
