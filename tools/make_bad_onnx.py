#!/usr/bin/python3
"""Write the malformed / unsupported / feature ONNX fixtures in tests/data/onnx/.

Needs Debian's /usr/bin/python3 with python3-onnx, python3-numpy and (for the
reference JSONs, via tools/make_refs.py) python3-torch.  Never on the build or
test path; its outputs are committed.  Needs models/fashion_fc.onnx and
data/fashion/ from tools/train_fixtures.py (which calls this script at the end).

Each file is named for its defect (or, for the VALID ones, the feature it
exercises); see tests/data/onnx/README.md, which this script also writes.
Reference values for the valid ones go to tests/data/ref/<name>_0.json
(same format as the other reference files, see tools/make_refs.py).

Usage: /usr/bin/python3 tools/make_bad_onnx.py
"""

import os
import sys

sys.dont_write_bytecode = True  # keep tools/ and bench/ free of __pycache__

import numpy as np
import onnx
import onnx.checker
import onnx.numpy_helper
import onnx.shape_inference
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_io  # noqa: E402
from fixture_io import ROOT  # noqa: E402

OUT_DIR = os.path.join(ROOT, "tests", "data", "onnx")
OPSET = 13
IR_VERSION = 7  # what torch 1.13 writes for opset 13 (models/*.onnx)

F32 = TensorProto.FLOAT


def f32(name, arr):
    """float32 initializer stored as raw_data (what torch writes)."""
    return onnx.numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def f32_float_data(name, arr):
    """float32 initializer stored in the repeated float_data field (not raw_data)."""
    arr = np.asarray(arr, dtype=np.float32)
    return helper.make_tensor(name, F32, list(arr.shape), arr.flatten().tolist(), raw=False)


def vi(name, shape, elem=F32):
    return helper.make_tensor_value_info(name, elem, shape)


def model(name, nodes, inits, inputs=None, outputs=None, doc=""):
    inputs = inputs if inputs is not None else [vi("input", [1, 1, 28, 28])]
    outputs = outputs if outputs is not None else [vi("logits", [1, 10])]
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=inits, doc_string=doc)
    m = helper.make_model(g, producer_name="smug tools/make_bad_onnx.py",
                          opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = IR_VERSION
    m.doc_string = doc
    return m


def gemm(name, a, w, b, out):
    return helper.make_node("Gemm", [a, w, b], [out], name=name, alpha=1.0, beta=1.0, transB=1)


def dense_init(rng, n_in, n_out, prefix):
    """[out,in] weight (Gemm transB=1 layout) with He-like scale, and a small bias."""
    w = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
    b = rng.normal(0.0, 0.1, size=(n_out,))
    return f32(prefix + ".weight", w), f32(prefix + ".bias", b)


def save(m, fname, check=True):
    path = os.path.join(OUT_DIR, fname)
    if check:
        onnx.checker.check_model(m, full_check=True)
        onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    onnx.save(m, path)
    return path


def write_bytes(fname, data):
    with open(os.path.join(OUT_DIR, fname), "wb") as f:
        f.write(data)


# --------------------------------------------------------------------------
# fixtures


def unsupported_op():
    rng = np.random.default_rng(10)
    w1, b1 = dense_init(rng, 784, 16, "fc1")
    w2, b2 = dense_init(rng, 16, 10, "fc2")
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        gemm("fc1", "flat", "fc1.weight", "fc1.bias", "h1"),
        helper.make_node("Tanh", ["h1"], ["s1"], name="tanh0"),
        gemm("fc2", "s1", "fc2.weight", "fc2.bias", "logits"),
    ]
    save(model("unsupported_op", nodes, [w1, b1, w2, b2], doc="Tanh (node tanh0) is not supported by smug"),
         "unsupported_op.onnx")


def truncated():
    with open(os.path.join(ROOT, "models", "fashion_fc.onnx"), "rb") as f:
        write_bytes("truncated.onnx", f.read()[:1000])


def not_onnx():
    write_bytes("not_onnx.onnx", b"hello, this is not an onnx model\n")


def empty():
    write_bytes("empty.onnx", b"")


def conv_dilation2():
    rng = np.random.default_rng(11)
    cw = rng.normal(0, 0.3, size=(4, 1, 3, 3))
    cb = rng.normal(0, 0.1, size=(4,))
    # k3 dilation 2 (effective 5x5), pad 2, stride 2: 28 -> 14; 4*14*14 = 784
    fw, fb = dense_init(rng, 784, 10, "fc")
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["c"], name="conv_dil",
                         kernel_shape=[3, 3], dilations=[2, 2], pads=[2, 2, 2, 2], strides=[2, 2], group=1),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Flatten", ["r"], ["flat"], name="flatten", axis=1),
        gemm("fc", "flat", "fc.weight", "fc.bias", "logits"),
    ]
    path = save(model("conv_dilation2", nodes, [f32("conv.weight", cw), f32("conv.bias", cb), fw, fb],
                      doc="the first Conv (conv_dil) has dilations [2,2]"),
                "conv_dilation2.onnx")
    FW, FB = (onnx.numpy_helper.to_array(t).astype(np.float64) for t in (fw, fb))

    def ref_forward(x):
        import torch
        import torch.nn.functional as F
        t = lambda a: torch.from_numpy(np.asarray(a, np.float32).astype(np.float64))  # noqa: E731
        with torch.no_grad():
            h = F.relu(F.conv2d(t(x), t(cw), t(cb), stride=2, padding=2, dilation=2))
            return (h.reshape(1, -1) @ t(FW).T + t(FB)).numpy()
    return path, ref_forward


def conv_group2():
    rng = np.random.default_rng(12)
    w1 = rng.normal(0, 0.3, size=(4, 1, 3, 3))
    b1 = rng.normal(0, 0.1, size=(4,))
    w2 = rng.normal(0, 0.3, size=(4, 2, 3, 3))  # group 2: C_in/group = 2
    b2 = rng.normal(0, 0.1, size=(4,))
    fw, fb = dense_init(rng, 4 * 14 * 14, 10, "fc")
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "conv_grp.weight", "conv_grp.bias"], ["c2"], name="conv_grp",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], group=2),
        helper.make_node("Flatten", ["c2"], ["flat"], name="flatten", axis=1),
        gemm("fc", "flat", "fc.weight", "fc.bias", "logits"),
    ]
    inits = [f32("conv1.weight", w1), f32("conv1.bias", b1), f32("conv_grp.weight", w2),
             f32("conv_grp.bias", b2), fw, fb]
    path = save(model("conv_group2", nodes, inits, doc="Conv conv_grp has group=2"), "conv_group2.onnx")
    FW, FB = (onnx.numpy_helper.to_array(t).astype(np.float64) for t in (fw, fb))

    def ref_forward(x):
        import torch
        import torch.nn.functional as F
        t = lambda a: torch.from_numpy(np.asarray(a, np.float32).astype(np.float64))  # noqa: E731
        with torch.no_grad():
            h = F.relu(F.conv2d(t(x), t(w1), t(b1), stride=2, padding=1))
            h = F.conv2d(h, t(w2), t(b2), padding=1, groups=2)
            return (h.reshape(1, -1) @ t(FW).T + t(FB)).numpy()
    return path, ref_forward


def zero_dim_initializer():
    """A valid dense model carrying two unused EMPTY initializers (dims [0] float32 and
    [2, 0] int64, no data at all): the reader must not read from their NULL data."""
    rng = np.random.default_rng(14)
    w1, b1 = dense_init(rng, 784, 16, "fc1")
    w2, b2 = dense_init(rng, 16, 10, "fc2")
    empty_f = onnx.numpy_helper.from_array(np.zeros((0,), np.float32), "empty.float")
    empty_i = onnx.numpy_helper.from_array(np.zeros((2, 0), np.int64), "empty.int64")
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        gemm("fc1", "flat", "fc1.weight", "fc1.bias", "h1"),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        gemm("fc2", "r1", "fc2.weight", "fc2.bias", "logits"),
    ]
    path = save(model("zero_dim_initializer", nodes, [w1, b1, empty_f, empty_i, w2, b2],
                      doc="unused initializers with a 0 dimension"), "zero_dim_initializer.onnx")
    W1, B1, W2, B2 = (onnx.numpy_helper.to_array(t).astype(np.float64) for t in (w1, b1, w2, b2))

    def ref_forward(x):
        return np.maximum(x.reshape(1, -1) @ W1.T + B1, 0) @ W2.T + B2
    return path, ref_forward


def input_skip():
    """Conv -> Relu -> Add(relu, input): the network after the first layer also reads the model
    input, so the first layer's activations do not determine the output."""
    rng = np.random.default_rng(16)
    cw = f32("conv.weight", rng.normal(0, 0.3, size=(1, 1, 3, 3)))
    cb = f32("conv.bias", rng.normal(0, 0.1, size=(1,)))
    fw, fb = dense_init(rng, 784, 10, "fc")
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["c"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Add", ["r", "input"], ["s"], name="skip_from_input"),
        helper.make_node("Flatten", ["s"], ["flat"], name="flatten", axis=1),
        gemm("fc", "flat", "fc.weight", "fc.bias", "logits"),
    ]
    save(model("input_skip", nodes, [cw, cb, fw, fb], doc="a skip connection from the input"),
         "input_skip.onnx")


def reshape_empty_shape():
    rng = np.random.default_rng(15)
    w, b = dense_init(rng, 784, 10, "fc")
    shape = onnx.numpy_helper.from_array(np.zeros((0,), np.int64), "shape.empty")
    nodes = [
        helper.make_node("Reshape", ["input", "shape.empty"], ["flat"], name="reshape_empty"),
        gemm("fc", "flat", "fc.weight", "fc.bias", "logits"),
    ]
    save(model("reshape_empty_shape", nodes, [shape, w, b], doc="Reshape to an empty shape tensor"),
         "reshape_empty_shape.onnx", check=False)


def double_weights():
    rng = np.random.default_rng(13)
    w = onnx.numpy_helper.from_array(rng.normal(0, 0.05, size=(10, 784)).astype(np.float64), "fc.weight")
    b = f32("fc.bias", np.zeros(10))
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        gemm("fc", "flat", "fc.weight", "fc.bias", "logits"),
    ]
    assert w.data_type == TensorProto.DOUBLE
    # Type-inconsistent on purpose (Gemm needs A and B of the same type): no checker.
    save(model("double_weights", nodes, [w, b], doc="fc.weight is a DOUBLE initializer"),
         "double_weights.onnx", check=False)


def initializer_size_mismatch():
    rng = np.random.default_rng(14)
    w = TensorProto()
    w.name = "fc.weight"
    w.data_type = F32
    w.dims.extend([10, 784])
    w.raw_data = rng.normal(0, 0.05, size=100).astype("<f4").tobytes()  # 400 bytes, needs 31360
    assert len(w.raw_data) == 400
    b = f32("fc.bias", np.zeros(10))
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        gemm("fc", "flat", "fc.weight", "fc.bias", "logits"),
    ]
    save(model("initializer_size_mismatch", nodes, [w, b],
               doc="fc.weight has dims [10,784] but only 100 floats (400 bytes) of raw_data"),
         "initializer_size_mismatch.onnx", check=False)


def no_graph_input():
    rng = np.random.default_rng(15)
    x = f32("input", np.zeros((1, 1, 28, 28)))
    w, b = dense_init(rng, 784, 10, "fc")
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        gemm("fc", "flat", "fc.weight", "fc.bias", "logits"),
    ]
    # every graph input is also an initializer (IR v3-style "keep initializers as inputs")
    inputs = [vi("input", [1, 1, 28, 28]), vi("fc.weight", [10, 784]), vi("fc.bias", [10])]
    m = model("no_graph_input", nodes, [x, w, b], inputs=inputs,
              doc="all graph inputs are initializers: there is no real input")
    save(m, "no_graph_input.onnx")


# ---- valid models, with reference JSONs ----


def matmul_add():
    rng = np.random.default_rng(1)
    w1 = rng.normal(0, np.sqrt(2.0 / 784), size=(784, 16))
    b1 = rng.normal(0, 0.1, size=(16,))
    w2 = rng.normal(0, np.sqrt(2.0 / 16), size=(16, 10))
    b2 = rng.normal(0, 0.1, size=(10,))
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        helper.make_node("MatMul", ["flat", "W1"], ["mm1"], name="matmul1"),
        helper.make_node("Add", ["mm1", "b1"], ["a1"], name="add1"),
        helper.make_node("Relu", ["a1"], ["r1"], name="relu1"),
        helper.make_node("MatMul", ["r1", "W2"], ["mm2"], name="matmul2"),
        helper.make_node("Add", ["mm2", "b2"], ["logits"], name="add2"),
    ]
    inits = [f32("W1", w1), f32("b1", b1), f32("W2", w2), f32("b2", b2)]
    path = save(model("matmul_add", nodes, inits, doc="dense layers as MatMul + Add"), "matmul_add.onnx")

    def ref_forward(x):  # independent numpy float64 forward from the float32 weights
        W1, B1, W2, B2 = (np.asarray(a, np.float32).astype(np.float64) for a in (w1, b1, w2, b2))
        return np.maximum(x.reshape(1, -1) @ W1 + B1, 0) @ W2 + B2
    return path, ref_forward


def weights_float_data():
    src = onnx.load(os.path.join(ROOT, "models", "fashion_fc.onnx"))
    inits = [f32_float_data(t.name, onnx.numpy_helper.to_array(t)) for t in src.graph.initializer]
    for t in inits:
        assert not t.raw_data and len(t.float_data) > 0
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        gemm("fc1", "flat", "fc1.weight", "fc1.bias", "h1"),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        gemm("fc2", "r1", "fc2.weight", "fc2.bias", "logits"),
    ]
    path = save(model("weights_float_data", nodes, inits,
                      doc="models/fashion_fc.onnx with initializers in float_data instead of raw_data"),
                "weights_float_data.onnx")
    arr = {t.name: onnx.numpy_helper.to_array(t).astype(np.float64) for t in src.graph.initializer}

    def ref_forward(x):
        h = np.maximum(x.reshape(1, -1) @ arr["fc1.weight"].T + arr["fc1.bias"], 0)
        return h @ arr["fc2.weight"].T + arr["fc2.bias"]
    return path, ref_forward


def avgpool_gap():
    rng = np.random.default_rng(2)
    c1w = rng.normal(0, np.sqrt(2.0 / 9), size=(4, 1, 3, 3))
    c1b = rng.normal(0, 0.1, size=(4,))
    c2w = rng.normal(0, np.sqrt(2.0 / 36), size=(6, 4, 3, 3))
    c2b = rng.normal(0, 0.1, size=(6,))
    fw = rng.normal(0, np.sqrt(2.0 / 6), size=(10, 6))
    fb = rng.normal(0, 0.1, size=(10,))
    shape = onnx.numpy_helper.from_array(np.array([1, 6], dtype=np.int64), "reshape.shape")
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("AveragePool", ["r1"], ["p1"], name="avgpool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"], name="conv2",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="gap"),
        helper.make_node("Reshape", ["gap", "reshape.shape"], ["flat"], name="reshape"),
        gemm("fc", "flat", "fc.weight", "fc.bias", "logits"),
    ]
    inits = [f32("conv1.weight", c1w), f32("conv1.bias", c1b), f32("conv2.weight", c2w),
             f32("conv2.bias", c2b), shape, f32("fc.weight", fw), f32("fc.bias", fb)]
    path = save(model("avgpool_gap", nodes, inits,
                      doc="Conv, AveragePool(2,2), GlobalAveragePool, Reshape with an int64 shape initializer"),
                "avgpool_gap.onnx")

    def ref_forward(x):  # independent torch.nn forward
        import torch
        import torch.nn as nn
        net = nn.Sequential(nn.Conv2d(1, 4, 3, 1, 1), nn.ReLU(), nn.AvgPool2d(2, 2), nn.Conv2d(4, 6, 3, 1, 1),
                            nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 10)).double()
        params = [c1w, c1b, c2w, c2b, fw, fb]
        with torch.no_grad():
            for p, a in zip(net.parameters(), params):
                p.copy_(torch.from_numpy(np.asarray(a, np.float32).astype(np.float64)))
            return net(torch.from_numpy(x.astype(np.float64))).numpy()
    return path, ref_forward


def identity_dropout():
    rng = np.random.default_rng(3)
    w1, b1 = dense_init(rng, 784, 16, "fc1")
    w2, b2 = dense_init(rng, 16, 10, "fc2")
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        helper.make_node("Identity", ["flat"], ["flat_id"], name="identity_in"),
        gemm("fc1", "flat_id", "fc1.weight", "fc1.bias", "h1"),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        helper.make_node("Dropout", ["r1"], ["d1"], name="dropout"),  # opset 13, no ratio / training_mode
        gemm("fc2", "d1", "fc2.weight", "fc2.bias", "pre_out"),
        helper.make_node("Identity", ["pre_out"], ["logits"], name="identity_out"),
    ]
    path = save(model("identity_dropout", nodes, [w1, b1, w2, b2],
                      doc="dense model with Identity and (inference) Dropout nodes"),
                "identity_dropout.onnx")
    W1, B1, W2, B2 = (onnx.numpy_helper.to_array(t).astype(np.float64) for t in (w1, b1, w2, b2))

    def ref_forward(x):
        return np.maximum(x.reshape(1, -1) @ W1.T + B1, 0) @ W2.T + B2
    return path, ref_forward


def graph_ops():
    """A small DAG with every graph operator smug reads (issue #11): residual Add and Sub of
    two running tensors, Concat, Clip (ReLU6), Sigmoid gating with broadcasting (squeeze-
    excitation), grouped and depthwise Conv, a BatchNormalization that cannot be folded,
    MaxPool with ceil_mode and with dilations, AveragePool with ceil_mode and
    count_include_pad, Pad, ReduceMean (spatial and over channels), a Softmax inside the
    graph and Div of two running tensors."""
    rng = np.random.default_rng(21)
    P = {}

    def param(name, *shape, scale=0.3):
        P[name] = rng.normal(0, scale, size=shape)
        return name

    def const(name, arr, dtype=np.float32):
        P[name] = np.asarray(arr, dtype=dtype)
        return name

    param("c1.w", 8, 1, 3, 3, scale=0.5), param("c1.b", 8, scale=0.1)
    bn1 = [const("bn1.s", rng.uniform(0.5, 1.5, 8)), const("bn1.t", rng.normal(0, 0.1, 8)),
           const("bn1.m", rng.normal(0, 0.1, 8)), const("bn1.v", rng.uniform(0.5, 1.5, 8))]
    param("ca.w", 8, 4, 3, 3, scale=0.25), param("ca.b", 8, scale=0.1)
    param("cb.w", 8, 1, 3, 3, scale=0.4), param("cb.b", 8, scale=0.1)
    bn2 = [const("bn2.s", rng.uniform(0.5, 1.5, 8)), const("bn2.t", rng.normal(0, 0.1, 8)),
           const("bn2.m", rng.normal(0, 0.1, 8)), const("bn2.v", rng.uniform(0.5, 1.5, 8))]
    param("se.w", 8, 8, 1, 1, scale=0.4), param("se.b", 8, scale=0.1)
    param("fc.w", 10, 80, scale=0.3), param("fc.b", 10, scale=0.1)
    const("norm.mean", 0.5), const("norm.std", 0.25), const("one", 1.0)
    const("clip.lo", 0.0), const("clip.hi", 6.0)
    const("pads", [0, 0, 1, 1, 0, 0, 1, 1], np.int64)
    N = helper.make_node
    nodes = [
        N("Sub", ["input", "norm.mean"], ["n1"], name="norm_sub"),
        N("Div", ["n1", "norm.std"], ["n2"], name="norm_div"),
        N("Conv", ["n2", "c1.w", "c1.b"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        N("BatchNormalization", ["c1"] + bn1, ["b1"], name="bn1"),
        N("Relu", ["b1"], ["r1"], name="relu1"),
        N("MaxPool", ["r1"], ["mp"], name="pool_ceil", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        N("Conv", ["mp", "ca.w", "ca.b"], ["ca"], name="conv_group", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
          group=2),
        N("Clip", ["ca", "clip.lo", "clip.hi"], ["ra"], name="relu6"),
        N("Conv", ["mp", "cb.w", "cb.b"], ["cb"], name="conv_depthwise", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1], group=8),
        N("Relu", ["cb"], ["rb"], name="relu_b"),
        N("Add", ["ra", "rb"], ["sum"], name="residual_add"),
        N("BatchNormalization", ["sum"] + bn2, ["b2"], name="bn_kept"),
        N("ReduceMean", ["b2"], ["se0"], name="se_mean", axes=[2, 3], keepdims=1),
        N("Conv", ["se0", "se.w", "se.b"], ["se1"], name="se_fc", kernel_shape=[1, 1]),
        N("Sigmoid", ["se1"], ["se2"], name="se_gate"),
        N("Mul", ["b2", "se2"], ["g"], name="se_scale"),
        N("Sub", ["g", "mp"], ["d"], name="residual_sub"),
        N("Pad", ["d", "pads"], ["pd"], name="pad"),
        N("AveragePool", ["pd"], ["ap"], name="avg_ceil", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1,
          count_include_pad=1),
        N("MaxPool", ["pd"], ["md"], name="pool_dilated", kernel_shape=[2, 2], strides=[2, 2],
          dilations=[2, 2], pads=[1, 1, 1, 1]),
        N("Concat", ["ap", "md"], ["cat"], name="concat", axis=1),
        N("Sigmoid", ["cat"], ["sg"], name="sigmoid"),
        N("Add", ["sg", "one"], ["den"], name="add_one"),
        N("Div", ["cat", "den"], ["dv"], name="div"),
        N("Softmax", ["dv"], ["sm"], name="softmax_channels", axis=1),
        N("Mul", ["dv", "sm"], ["att"], name="attend"),
        N("GlobalAveragePool", ["att"], ["gp"], name="gap"),
        N("Flatten", ["gp"], ["f1"], name="flatten_gap", axis=1),
        N("ReduceMean", ["att"], ["rc"], name="mean_channels", axes=[1], keepdims=1),
        N("Flatten", ["rc"], ["f2"], name="flatten_mean", axis=1),
        N("Concat", ["f1", "f2"], ["feat"], name="concat_features", axis=1),
        gemm("fc", "feat", "fc.w", "fc.b", "logits"),
    ]
    inits = [f32(k, v) if np.asarray(v).dtype != np.int64 else onnx.numpy_helper.from_array(v, k)
             for k, v in P.items()]
    path = save(model("graph_ops", nodes, inits, doc=graph_ops.__doc__), "graph_ops.onnx")

    def ref_forward(x):  # the same network in torch.nn.functional, float64
        import torch
        import torch.nn.functional as F
        t = {k: torch.from_numpy(np.asarray(v, np.float32).astype(np.float64)) for k, v in P.items()
             if np.asarray(v).dtype != np.int64}

        def bn(z, p):
            return F.batch_norm(z, t[p + ".m"], t[p + ".v"], t[p + ".s"], t[p + ".t"], eps=1e-5)
        with torch.no_grad():
            z = (torch.from_numpy(x.astype(np.float64)) - 0.5) / 0.25
            r1 = F.relu(bn(F.conv2d(z, t["c1.w"], t["c1.b"], padding=1), "bn1"))
            mp = F.max_pool2d(r1, 3, 2, ceil_mode=True)
            ra = torch.clamp(F.conv2d(mp, t["ca.w"], t["ca.b"], padding=1, groups=2), 0, 6)
            rb = F.relu(F.conv2d(mp, t["cb.w"], t["cb.b"], padding=1, groups=8))
            b2 = bn(ra + rb, "bn2")
            se = torch.sigmoid(F.conv2d(b2.mean(dim=(2, 3), keepdim=True), t["se.w"], t["se.b"]))
            d = b2 * se - mp
            pd = F.pad(d, (1, 1, 1, 1))
            ap = F.avg_pool2d(pd, 3, 2, ceil_mode=True, count_include_pad=True)
            md = F.max_pool2d(pd, 2, 2, padding=1, dilation=2)
            cat = torch.cat([ap, md], 1)
            dv = cat / (torch.sigmoid(cat) + 1)
            att = dv * torch.softmax(dv, 1)
            feat = torch.cat([att.mean(dim=(2, 3)).reshape(1, -1), att.mean(dim=1).reshape(1, -1)], 1)
            return (feat @ t["fc.w"].T + t["fc.b"]).numpy()
    return path, ref_forward


README = """\
# tests/data/onnx/

ONNX fixtures for smug's loader tests, generated by `tools/make_bad_onnx.py`
(Debian /usr/bin/python3 + python3-onnx + python3-numpy; python3-torch for the
reference values).  All models (opset 13, IR version 7) take `input` float32
[1,1,28,28] and produce `logits` float32 [1,10] unless noted.  Random weights
come from `numpy.random.default_rng(seed)`.

## Malformed or unsupported (smug must reject these with a clear error)

| file | defect |
|------|--------|
| `unsupported_op.onnx` | valid ONNX: Flatten -> Gemm -> **Tanh** (node name `tanh0`) -> Gemm; Tanh is not supported by smug |
| `truncated.onnx` | the first 1000 bytes of `models/fashion_fc.onnx` (protobuf cut off inside the weights) |
| `not_onnx.onnx` | a text file: `hello, this is not an onnx model\\n` |
| `empty.onnx` | zero bytes |
| `double_weights.onnx` | Flatten -> Gemm whose weight initializer `fc.weight` [10,784] is **DOUBLE** (float64, raw_data); bias is float32 (so the graph is also type-inconsistent) |
| `initializer_size_mismatch.onnx` | Flatten -> Gemm whose weight `fc.weight` has dims **[10,784] but only 400 bytes (100 floats) of raw_data** |
| `reshape_empty_shape.onnx` | Reshape (node `reshape_empty`) whose shape initializer `shape.empty` has **dims [0]** and no data |
| `input_skip.onnx` | Conv (node `conv`) -> Relu -> **Add(relu, input)** (node `skip_from_input`) -> Flatten -> Gemm: the rest of the network reads the model input past the first layer |
| `no_graph_input.onnx` | Flatten -> Gemm where **every graph input (`input`, `fc.weight`, `fc.bias`) is also an initializer**, so there is no real model input |

## Valid models exercising less common features (with reference values)

Each has `tests/data/ref/<name>_0.json` for `data/fashion/0000_ankle_boot.png`
in the same format as the other reference files (see `tools/make_refs.py`:
logits, predicted, first_layer, ig_first, ig_input, grad_input, ...).  The
"first layer" is the input of the first Relu node.

| file | feature |
|------|---------|
| `matmul_add.onnx` | dense layers as Flatten -> **MatMul**(W1 [784,16]) -> **Add**(b1 [16]) -> Relu -> MatMul(W2 [16,10]) -> Add(b2 [10]); seed 1. First layer = output of the first Add |
| `weights_float_data.onnx` | the trained weights of `models/fashion_fc.onnx` (Flatten -> Gemm -> Relu -> Gemm) stored in TensorProto **`float_data`** instead of `raw_data`; its reference values equal those of `fashion_fc_0.json` |
| `avgpool_gap.onnx` | Conv(1->4, k3, s1, p1) -> Relu -> **AveragePool**(k2, s2) -> Conv(4->6, k3, p1) -> Relu -> **GlobalAveragePool** -> **Reshape**(int64 shape initializer `reshape.shape` = [1,6]) -> Gemm(6->10); seed 2 |
| `identity_dropout.onnx` | Flatten -> **Identity** -> Gemm(784->16) -> Relu -> **Dropout** (opset 13, only the data input, one output; identity at inference) -> Gemm(16->10) -> **Identity**; seed 3 |
"""


def main(argv=None):
    import make_refs
    os.makedirs(OUT_DIR, exist_ok=True)
    print("tests/data/onnx fixtures:")
    for fn in (unsupported_op, truncated, not_onnx, empty, double_weights, initializer_size_mismatch,
               no_graph_input, reshape_empty_shape, input_skip):
        fn()
    _, _, x0 = fixture_io.load_sample(0)
    for fn in (matmul_add, weights_float_data, avgpool_gap, identity_dropout, conv_dilation2, conv_group2,
               zero_dim_initializer, graph_ops):
        path, ref_forward = fn()
        name = fn.__name__
        ev = make_refs.OnnxEval(path)
        import torch
        with torch.no_grad():
            got = ev.run(torch.from_numpy(x0).double(), "logits").numpy()
        want = ref_forward(x0)
        err = np.abs(got - want).max()
        assert err < 1e-12, (name, err)
        make_refs.write_ref(os.path.relpath(path, ROOT), name + "_0", 0)
    with open(os.path.join(OUT_DIR, "README.md"), "w") as f:
        f.write(README)
    for fname in sorted(os.listdir(OUT_DIR)):
        print("  %-34s %7d bytes" % (fname, os.path.getsize(os.path.join(OUT_DIR, fname))))


if __name__ == "__main__":
    main(sys.argv[1:])
