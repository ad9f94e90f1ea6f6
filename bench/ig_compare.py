#!/usr/bin/python3
"""smug vs PyTorch on Integrated Gradients, measured in one run (bench/ig.sh runs this).

Two workers answer the same requests, one explanation at a time: smug's
(build/bench/bench_ig --serve) and torch's (bench/torch_ig.py --serve, which says exactly
what torch computes). For each model the driver starts a fresh pair, warms both up with one
explanation per layer, then alternates them (smug first on even repetitions, torch first on
odd ones) so that both see the same machine load, and reports medians. Both get the same
thread count: --threads for smug (OpenBLAS and OpenMP), torch.set_num_threads, and
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS in both environments.

Printed:
  224x224: 200-step (--steps) first-layer and input IG on resnet18, googlenet and
    mobilenet_v2 (tools/torchvision_fixtures.py --full DIR): wall and CPU seconds per
    explanation, smug/torch ratios (target <= 1.0), the two attribution sums (the same
    computation: they must agree, up to float32 noise on mobilenet_v2, whose sum cancels
    ~870 in absolute value down to ~0.1), and each worker's peak resident memory (whole
    process, and above its resident size before its first explanation: target smug <=
    torch).
  28x28: the whole `smug attribute` process (start to exit, --steps 300 by default, the
    CLI's default) against torch's compute alone for the same explanation (warm, in its
    worker): target <= 0.5.
Also the load average before and after: the machine is shared.

Standard library only; needs build/ (bench_ig, smug) and Debian's python3-torch,
python3-torchvision, python3-onnx for the torch side.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCHVISION = ("resnet18", "googlenet", "mobilenet_v2")
FASHION = ("fashion_fc", "fashion_cnn")
LAYERS = ("first", "input")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Worker:
    """A --serve process: one request line in, one JSON line out."""

    def __init__(self, argv, env):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                  universal_newlines=True, bufsize=1)
        self.first_rss = None

    def ask(self, model, image, layer, steps):
        self.p.stdin.write("%s %s %s %d\n" % (model, image, layer, steps))
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("%s exited" % self.p.args[0])
        d = json.loads(line)
        if "error" in d:
            raise RuntimeError("%s: %s" % (os.path.basename(self.p.args[-1]), d["error"]))
        if self.first_rss is None:
            self.first_rss = d["rss_mb"]
        return d

    def close(self):
        """Peak resident MiB of the whole process (wait4's ru_maxrss)."""
        self.p.stdin.close()
        _, _, ru = os.wait4(self.p.pid, 0)
        self.p.returncode = 0
        return ru.ru_maxrss / 1024.0


def med(xs):
    return statistics.median(xs)


def bench_224(args, env, smug_argv, torch_argv):
    print("\n224x224x3, %d-step IG, %d thread(s), %d repetitions (median; wall and CPU s per "
          "explanation)" % (args.steps, args.threads, args.reps))
    print("%-13s %-6s %8s %8s %6s | %8s %8s %6s | %12s %12s" % (
        "model", "layer", "smug s", "torch s", "ratio", "smug cpu", "torch cpu", "ratio",
        "smug sum", "torch sum"))
    mem_rows = []
    image = os.path.join(args.dir, "0000_synth.png")
    for name in args.models.split(","):
        model = os.path.join(args.dir, name + ".onnx")
        smug, torch = Worker(smug_argv, env), Worker(torch_argv, env)
        times = {(w, l): [] for w in ("smug", "torch") for l in LAYERS}
        sums = {}
        for layer in LAYERS:  # warm-up (JIT, first touch), also the first memory peak
            sums[("smug", layer)] = smug.ask(model, image, layer, args.steps)
            sums[("torch", layer)] = torch.ask(model, image, layer, args.steps)
        for rep in range(args.reps):
            for layer in LAYERS:
                order = (("smug", smug), ("torch", torch))
                for who, w in (order if rep % 2 == 0 else order[::-1]):
                    times[(who, layer)].append(w.ask(model, image, layer, args.steps))
        for layer in LAYERS:
            s, t = times[("smug", layer)], times[("torch", layer)]
            sw, tw = med([d["seconds"] for d in s]), med([d["seconds"] for d in t])
            sc, tc = med([d["cpu_seconds"] for d in s]), med([d["cpu_seconds"] for d in t])
            ss, ts = sums[("smug", layer)], sums[("torch", layer)]
            flag = "" if ss["target"] == ts["target"] else "  TARGETS DIFFER"
            print("%-13s %-6s %8.2f %8.2f %6.2f | %8.2f %8.2f %6.2f | %12.6g %12.6g%s" % (
                name, layer, sw, tw, sw / tw, sc, tc, sc / tc, ss["ig_sum"], ts["ig_sum"], flag))
            sys.stdout.flush()
        s0, t0 = smug.first_rss, torch.first_rss
        mem_rows.append((name, smug.close(), torch.close(), s0, t0))
    print("\npeak resident MiB per model (both layers; whole process, and above the resident "
          "size before the first explanation)")
    print("%-13s %10s %10s %6s | %10s %10s %6s" % ("model", "smug", "torch", "ratio", "smug IG",
                                                  "torch IG", "ratio"))
    for name, sp, tp, s0, t0 in mem_rows:
        print("%-13s %10.0f %10.0f %6.2f | %10.0f %10.0f %6.2f" % (
            name, sp, tp, sp / tp, sp - s0, tp - t0, (sp - s0) / (tp - t0)))


def bench_28(args, env, torch_argv):
    steps = 300
    print("\n28x28 fixtures, %d-step IG, %d thread(s): the whole `smug attribute` process vs "
          "torch's compute alone (median of %d)" % (steps, args.threads, args.reps28))
    print("%-12s %-6s %12s %12s %8s" % ("model", "layer", "smug proc ms", "torch ms", "ratio"))
    torch = Worker(torch_argv, env)
    image = os.path.join(ROOT, "data", "fashion", "0000_ankle_boot.png")
    smug = os.path.join(ROOT, args.build, "smug")
    for name in FASHION:
        model = os.path.join(ROOT, "models", name + ".onnx")
        for layer in LAYERS:
            torch.ask(model, image, layer, steps)  # warm-up
            sp, tt = [], []
            for _ in range(args.reps28):
                t0 = time.perf_counter()
                subprocess.run([smug, "attribute", "--model", model, "--input", image, "--layer",
                                layer, "--steps", str(steps), "--threads", str(args.threads)],
                               env=env, check=True, stdout=subprocess.DEVNULL)
                sp.append(time.perf_counter() - t0)
                tt.append(torch.ask(model, image, layer, steps)["seconds"])
            print("%-12s %-6s %12.2f %12.2f %8.2f" % (name, layer, med(sp) * 1e3, med(tt) * 1e3,
                                                    med(sp) / med(tt)))
    torch.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3, help="repetitions at 224x224")
    ap.add_argument("--reps28", type=int, default=20, help="repetitions on the 28x28 fixtures")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--dir", default="/tmp/smug-torchvision",
                    help="tools/torchvision_fixtures.py --full output")
    ap.add_argument("--models", default=",".join(TORCHVISION))
    ap.add_argument("--build", default="build")
    ap.add_argument("--torch-chunk", type=int, default=8)
    ap.add_argument("--only", choices=("224", "28"), help="run one part")
    args = ap.parse_args()
    n = str(args.threads)
    env = dict(os.environ, OMP_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, MKL_NUM_THREADS=n)
    smug_argv = [os.path.join(ROOT, args.build, "bench", "bench_ig"), "--serve", "--threads", n]
    torch_argv = ["/usr/bin/python3", os.path.join(ROOT, "bench", "torch_ig.py"), "--serve",
                  "--threads", n, "--chunk", str(args.torch_chunk)]
    if subprocess.run(["/usr/bin/python3", "-c", "import torch, torchvision, onnx"],
                      stderr=subprocess.DEVNULL).returncode != 0:
        print("torch, torchvision or onnx not available for /usr/bin/python3: nothing to compare")
        return 0
    print("load average before: %s (%d CPUs)" % (loadavg(), os.cpu_count()))
    if args.only != "28":
        missing = [m for m in args.models.split(",") if not os.path.exists(
            os.path.join(args.dir, m + ".onnx"))]
        if missing:
            print("%s: no %s.onnx; make them with: /usr/bin/python3 tools/torchvision_fixtures.py "
                  "--full %s" % (args.dir, missing[0], args.dir))
            return 1
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "torch_ig.py"),
                        "--prepare", args.dir], check=True, env=env)
        bench_224(args, env, smug_argv, torch_argv)
    if args.only != "224":
        bench_28(args, env, torch_argv)
    print("\nload average after: %s" % loadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
