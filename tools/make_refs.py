#!/usr/bin/python3
"""Write reference values (tests/data/ref/*.json) for smug's C tests.

Needs Debian's /usr/bin/python3 with python3-torch, python3-onnx and
python3-numpy.  Never on the build or test path; its outputs are committed.
Run after tools/train_fixtures.py has written models/ and data/fashion/
(train_fixtures.py calls it at the end).

The reference values are computed from the ONNX files themselves (not from the
torch modules that produced them) by a small float64 ONNX evaluator written
in torch (`OnnxEval` below), so exactly the graph smug loads is evaluated.  The
evaluator supports the op set smug supports: Gemm, MatMul, Add, Sub, Div, Mul,
Conv (groups, dilations), Relu, MaxPool (ceil_mode, dilations), AveragePool,
GlobalAveragePool, ReduceMean, Flatten, Reshape, Softmax, Identity, Dropout,
BatchNormalization, Constant, Concat, Clip, Sigmoid, Pad (constant mode).

Definitions (m = steps = 300, midpoint Riemann rule, alpha_i = (i + 0.5) / m):

  x           model input, float32 [1,1,28,28] = png uint8 / 255.0, promoted to float64
  F(x)        the target logit: the network output, or for a model whose output
              node is Softmax, the input of that Softmax ("logits")
  target      = predicted = argmax of the logits at x
  first_layer the input tensor of the FIRST Relu node of the graph, i.e. the
              pre-activation output of the first Gemm / Conv (/ MatMul+Add) layer
              (for models with in-graph normalisation: computed from the
              normalised input), flattened in NCHW memory order
  h           = relu(first_layer) (the output of that Relu node)
  G(h)        the rest of the network: the target logit as a function of h
  ig_first_j  = h_j * (1/m) * sum_i dG/dh_j(alpha_i * h)        (baseline h0 = 0)
  ig_first_sum   = sum_j ig_first_j,   ig_first_delta = G(h) - G(0)
  ig_input_j  = x_j * (1/m) * sum_i dF/dx_j(alpha_i * x)        (baseline x0 = 0)
  ig_input_sum   = sum_j ig_input_j,   ig_input_delta = F(x) - F(0)
  grad_input  = dF/dx at x

All numbers are written with 9 significant digits.

Usage: /usr/bin/python3 tools/make_refs.py
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep tools/ and bench/ free of __pycache__

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as Fn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_io  # noqa: E402
from fixture_io import ROOT  # noqa: E402

STEPS = 300
REF_DIR = os.path.join(ROOT, "tests", "data", "ref")


class OnnxEval:
    """Tiny float64 ONNX graph evaluator (batch-aware, differentiable via torch autograd)."""

    def __init__(self, path_or_model):
        mp = onnx.load(path_or_model) if isinstance(path_or_model, str) else path_or_model
        g = mp.graph
        self.inits = {}
        for t in g.initializer:
            a = onnx.numpy_helper.to_array(t)
            if a.dtype.kind == "f":
                self.inits[t.name] = torch.from_numpy(a.astype(np.float64))
            else:
                self.inits[t.name] = torch.from_numpy(a.astype(np.int64))
        self.nodes = list(g.node)
        real_inputs = [i.name for i in g.input if i.name not in self.inits]
        assert len(real_inputs) == 1, real_inputs
        self.input_name = real_inputs[0]
        assert len(g.output) == 1
        self.output_name = g.output[0].name
        producer = {o: n for n in self.nodes for o in n.output}
        self.logits_name = self.output_name
        last = producer[self.output_name]
        if last.op_type == "Softmax":
            self.logits_name = last.input[0]
        relus = [n for n in self.nodes if n.op_type == "Relu"]
        assert relus, "model has no Relu"
        self.first_pre = relus[0].input[0]
        self.first_post = relus[0].output[0]
        self.first_producer = producer[self.first_pre].op_type
        assert self.first_producer in ("Gemm", "Conv", "Add", "BatchNormalization"), self.first_producer

    @staticmethod
    def _attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    @staticmethod
    def _pads2d(pads):
        pads = list(pads) if pads else [0, 0, 0, 0]
        t, l, b, r = pads
        return t, l, b, r

    @staticmethod
    def _conv(x, w, b, pads, strides, dilations, group):
        """Direct convolution as a fixed sequence of element-wise multiply-adds over
        (ci, ky, kx), bias added last.  Every output position is computed with exactly
        the same operations in the same order, so positions whose receptive fields are
        equal (e.g. the constant background of Fashion-MNIST) get bit-identical values.
        That makes MaxPool ties exact, and torch's max_pool2d backward then sends the
        gradient to the FIRST maximum in row-major window order - a rule a C
        implementation can reproduce (`if (v > best)`).  A BLAS/oneDNN conv would break
        such ties by rounding noise instead."""
        t, l, bo, r = pads
        sh, sw = strides
        dh, dw = dilations
        x = Fn.pad(x, (l, r, t, bo))
        n, cin, hp, wp = x.shape
        cout, cin_g, kh, kw = w.shape
        assert cin == cin_g * group and cout % group == 0
        oh = (hp - dh * (kh - 1) - 1) // sh + 1
        ow = (wp - dw * (kw - 1) - 1) // sw + 1
        cout_g = cout // group
        outs = []
        for g in range(group):
            acc = None
            for ci in range(cin_g):
                xc = x[:, g * cin_g + ci:g * cin_g + ci + 1]
                for ky in range(kh):
                    for kx in range(kw):
                        xs = xc[:, :, ky * dh:ky * dh + sh * (oh - 1) + 1:sh, kx * dw:kx * dw + sw * (ow - 1) + 1:sw]
                        term = xs * w[g * cout_g:(g + 1) * cout_g, ci, ky, kx].reshape(1, -1, 1, 1)
                        acc = term if acc is None else acc + term
            outs.append(acc)
        y = torch.cat(outs, dim=1)
        if b is not None:
            y = y + b.reshape(1, -1, 1, 1)
        return y

    def _node(self, node, ins):
        op, at = node.op_type, self._attrs(node)
        if "auto_pad" in at and at["auto_pad"] not in (b"NOTSET", "NOTSET"):
            raise NotImplementedError("auto_pad")
        if op == "Gemm":
            a, b = ins[0], ins[1]
            if at.get("transA", 0):
                a = a.t()
            if at.get("transB", 0):
                b = b.t()
            y = at.get("alpha", 1.0) * (a @ b)
            if len(ins) > 2 and ins[2] is not None:
                y = y + at.get("beta", 1.0) * ins[2]
            return [y]
        if op == "MatMul":
            return [ins[0] @ ins[1]]
        if op == "Add":
            return [ins[0] + ins[1]]
        if op == "Sub":
            return [ins[0] - ins[1]]
        if op == "Mul":
            return [ins[0] * ins[1]]
        if op == "Div":
            return [ins[0] / ins[1]]
        if op == "Relu":
            return [torch.relu(ins[0])]
        if op in ("Identity", "Dropout"):
            assert len(node.output) == 1 or not node.output[1], "Dropout mask output unsupported"
            return [ins[0]]
        if op == "Softmax":
            return [torch.softmax(ins[0], dim=at.get("axis", -1))]
        if op == "Flatten":
            ax = at.get("axis", 1)
            s = ins[0].shape
            return [ins[0].reshape(int(np.prod(s[:ax])), -1)]
        if op == "Reshape":
            x = ins[0]
            shape = [int(v) for v in ins[1].tolist()]
            shape = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
            if x.shape[0] != 1 and shape[0] == 1:  # batch-1 graph evaluated batched
                shape[0] = x.shape[0]
            return [x.reshape(shape)]
        if op == "Conv":
            b = ins[2] if len(ins) > 2 else None
            return [self._conv(ins[0], ins[1], b, self._pads2d(at.get("pads")),
                               at.get("strides", [1, 1]), at.get("dilations", [1, 1]), at.get("group", 1))]
        if op in ("MaxPool", "AveragePool"):
            t, l, bo, r = self._pads2d(at.get("pads"))
            assert (t, l) == (bo, r), "asymmetric pool padding"
            k = tuple(at["kernel_shape"])
            s = tuple(at.get("strides", [1, 1]))
            ceil = bool(at.get("ceil_mode", 0))
            if op == "MaxPool":
                return [Fn.max_pool2d(ins[0], k, s, (t, l), dilation=tuple(at.get("dilations", [1, 1])),
                                      ceil_mode=ceil)]
            return [Fn.avg_pool2d(ins[0], k, s, (t, l), ceil_mode=ceil,
                                  count_include_pad=bool(at.get("count_include_pad", 0)))]
        if op == "GlobalAveragePool":
            return [ins[0].mean(dim=(2, 3), keepdim=True)]
        if op == "ReduceMean":
            return [ins[0].mean(dim=tuple(at["axes"]), keepdim=bool(at.get("keepdims", 1)))]
        if op == "Concat":
            return [torch.cat(ins, dim=at["axis"])]
        if op == "Clip":
            lo = ins[1] if len(ins) > 1 and ins[1] is not None else None
            hi = ins[2] if len(ins) > 2 and ins[2] is not None else None
            return [torch.clamp(ins[0], min=lo, max=hi)]
        if op == "Sigmoid":
            return [torch.sigmoid(ins[0])]
        if op == "Pad":
            assert at.get("mode", b"constant") in (b"constant", "constant")
            p = [int(v) for v in ins[1].tolist()]
            r = len(p) // 2
            torch_pads = []
            for a in reversed(range(r)):  # torch wants the last axis first
                torch_pads += [p[a], p[a + r]]
            value = float(ins[2]) if len(ins) > 2 and ins[2] is not None else 0.0
            return [Fn.pad(ins[0], torch_pads, value=value)]
        if op == "BatchNormalization":
            x, sc, bi, mu, var = ins
            eps = at.get("epsilon", 1e-5)
            shp = (1, -1) + (1,) * (x.dim() - 2)
            return [(x - mu.reshape(shp)) / torch.sqrt(var.reshape(shp) + eps) * sc.reshape(shp) + bi.reshape(shp)]
        if op == "Constant":
            a = onnx.numpy_helper.to_array(at["value"])
            return [torch.from_numpy(a.astype(np.float64 if a.dtype.kind == "f" else np.int64))]
        raise NotImplementedError(op)

    def run_all(self, x, overrides=None):
        """Evaluate the graph; tensors named in `overrides` replace what their producer would compute."""
        vals = dict(self.inits)
        vals[self.input_name] = x
        overrides = overrides or {}
        vals.update(overrides)
        for node in self.nodes:
            if node.output and all(o in overrides for o in node.output if o):
                continue
            ins = [vals[i] if i else None for i in node.input]
            outs = self._node(node, ins)
            for name, v in zip(node.output, outs):
                if name:
                    vals[name] = v
        return vals

    def run(self, x, want="logits", overrides=None):
        name = {"logits": self.logits_name, "output": self.output_name}.get(want, want)
        return self.run_all(x, overrides)[name]


def integrated_gradients(fn, point, target, steps):
    """Midpoint-rule IG of fn(.)[:, target] from baseline 0 to `point` (batch of `steps` points)."""
    alphas = (torch.arange(steps, dtype=torch.float64) + 0.5) / steps
    pts = (alphas.reshape((-1,) + (1,) * (point.dim() - 1)) * point).detach().requires_grad_(True)
    out = fn(pts)[:, target].sum()
    (grad,) = torch.autograd.grad(out, pts)
    ig = point * grad.mean(dim=0, keepdim=True)
    with torch.no_grad():
        delta = (fn(point)[0, target] - fn(torch.zeros_like(point))[0, target]).item()
    return ig.detach(), delta


def compute_ref(ev, x32, steps=STEPS):
    """x32: float32 numpy [1,1,28,28].  Returns an ordered dict of reference values."""
    x = torch.from_numpy(np.asarray(x32, dtype=np.float32)).double()
    with torch.no_grad():
        vals = ev.run_all(x)
    logits = vals[ev.logits_name][0]
    target = int(torch.argmax(logits))
    pre = vals[ev.first_pre]
    h = vals[ev.first_post]
    assert torch.equal(h, torch.relu(pre))

    def g_of_h(hb):
        return ev.run(x, "logits", overrides={ev.first_post: hb})

    def f_of_x(xb):
        return ev.run(xb, "logits")

    ig_first, d_first = integrated_gradients(g_of_h, h, target, steps)
    ig_input, d_input = integrated_gradients(f_of_x, x, target, steps)
    xg = x.clone().requires_grad_(True)
    (grad_input,) = torch.autograd.grad(f_of_x(xg)[0, target], xg)
    # G(h) at the real h must be the network's own logit
    with torch.no_grad():
        assert abs(g_of_h(h)[0, target].item() - logits[target].item()) < 1e-12
    return {
        "logits": logits.tolist(),
        "predicted": target,
        "first_layer_shape": list(pre.shape),
        "first_layer": pre.flatten().tolist(),
        "steps": steps,
        "target": target,
        "ig_first": ig_first.flatten().tolist(),
        "ig_first_sum": ig_first.sum().item(),
        "ig_first_delta": d_first,
        "ig_input": ig_input.flatten().tolist(),
        "ig_input_sum": ig_input.sum().item(),
        "ig_input_delta": d_input,
        "grad_input": grad_input.flatten().tolist(),
    }


def _fmt(v):
    if isinstance(v, bool) or isinstance(v, int) or isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, float):
        s = "%.9g" % v
        if s in ("-0", "0"):
            return "0"
        if "nan" in s or "inf" in s:
            raise ValueError("non-finite reference value")
        return s
    if isinstance(v, list):
        return "[" + ",".join(_fmt(e) for e in v) + "]"
    raise TypeError(type(v))


def write_json(path, obj):
    """One key per line, numbers with 9 significant digits."""
    body = ",\n".join(" %s: %s" % (json.dumps(k), _fmt(v)) for k, v in obj.items())
    with open(path, "w") as f:
        f.write("{\n" + body + "\n}\n")
    json.load(open(path))  # must parse


def write_ref(model_rel, ref_name, index):
    """Compute and write tests/data/ref/<ref_name>.json for sample image `index`."""
    os.makedirs(REF_DIR, exist_ok=True)
    png_rel, label, x32 = fixture_io.load_sample(index)
    ev = OnnxEval(os.path.join(ROOT, model_rel))
    ref = compute_ref(ev, x32)
    obj = {"model": model_rel, "image": png_rel, "index": index, "label": label,
           "input_shape": [1, 1, 28, 28], "input": x32.flatten().astype(np.float64).tolist()}
    obj.update(ref)
    path = os.path.join(REF_DIR, ref_name + ".json")
    write_json(path, obj)
    print("  %-24s pred %d (label %d)  ig_first sum %.6f delta %.6f | ig_input sum %.6f delta %.6f  [%d bytes]"
          % (os.path.relpath(path, ROOT), ref["predicted"], label, ref["ig_first_sum"], ref["ig_first_delta"],
             ref["ig_input_sum"], ref["ig_input_delta"], os.path.getsize(path)))
    return path


REF_README = """\
# tests/data/ref/

Reference values for smug's C tests, written by `tools/make_refs.py` (models/
fixtures, images 0-2) and `tools/make_bad_onnx.py` (`tests/data/onnx/` valid
models, image 0).  Computed in float64 (torch, autograd) by evaluating the
ONNX graph itself; every number has 9 significant digits.

`<model>_<i>.json` = model `<model>`, test image `i` (`data/fashion/000<i>_*.png`).

| key | meaning |
|-----|---------|
| `model`, `image` | repository-relative paths of the ONNX file and PNG |
| `index`, `label` | test-set index and true label of the image |
| `input_shape`, `input` | [1,1,28,28]; the 784 input floats (png uint8 / 255.0 as float32), NCHW order |
| `logits` | the 10 pre-softmax outputs (for a graph ending in Softmax: the Softmax input) |
| `predicted`, `target` | argmax of `logits`; IG/gradients are for this target logit |
| `first_layer_shape`, `first_layer` | input of the FIRST Relu node = pre-activation output of the first Gemm/Conv (MatMul+Add) layer, after any in-graph input normalisation; NCHW order |
| `steps` | m = 300 |
| `ig_first` | IG of the target logit w.r.t. h = relu(first_layer), baseline 0: `h_j * (1/m) sum_{i=0}^{m-1} dG/dh_j(alpha_i h)`, `alpha_i = (i+0.5)/m`, G = rest of the network (h -> target logit) |
| `ig_first_sum`, `ig_first_delta` | sum of `ig_first`; G(h) - G(0) |
| `ig_input` | IG w.r.t. the model input x, baseline x0 = 0 (all-zero input, BEFORE any in-graph normalisation), same midpoint rule |
| `ig_input_sum`, `ig_input_delta` | sum of `ig_input`; F(x) - F(0), F = target logit |
| `grad_input` | dF/dx at x |

Conventions of the reference (matter for element-wise comparisons):

* Relu'(0) = 0.
* MaxPool backward sends the gradient to the FIRST maximal element of the
  window in row-major order (strict `>` while scanning).  The constant image
  background makes many windows tie exactly; the reference's Conv uses the same
  operation order at every position, so these ties are exact in float64.  An
  implementation that breaks such ties differently gets the same sums but
  different elements of `ig_first`/`ig_input`/`grad_input` for `fashion_cnn`.
  A few windows per image (about 5-30 of 235,200 window evaluations) are
  near-ties (gap < 1e-5) that float32 rounding may flip.
* The midpoint rule is not exact at ReLU kinks, so `*_sum` and `*_delta`
  differ slightly (up to ~0.2 % here); for a network that is linear in h
  (e.g. fashion_fc, G = Gemm) they agree to rounding.

## <model>_mini_0.json

Written by `tools/torchvision_fixtures.py` for the reduced torchvision models of
`tests/data/torchvision/` (see its README): the same keys, with a [1,3,64,64]
input, `label` -1 (synthetic picture), `steps` 50, and values from the torch
modules themselves. `ig_first` is taken w.r.t. smug's first-layer activations:
relu(first_layer) for resnet18 and googlenet, first_layer itself for
mobilenet_v2 (its stem's ReLU6 is part of the rest of the network).
"""


def main(argv=None):
    torch.set_num_threads(1)
    print("reference values (%d-step midpoint IG, float64):" % STEPS)
    for model in ("fashion_fc", "fashion_deep", "fashion_cnn"):
        for i in range(3):
            write_ref("models/%s.onnx" % model, "%s_%d" % (model, i), i)
    with open(os.path.join(REF_DIR, "README.md"), "w") as f:
        f.write(REF_README)


if __name__ == "__main__":
    main(sys.argv[1:])
