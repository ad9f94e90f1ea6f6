#!/usr/bin/python3
"""families_select.py — picks smt2/'s problems from every measured candidate (bench/families.sh).

    /usr/bin/python3 bench/families_select.py INDEX.json TIMEOUT SOURCE_DATE_EPOCH OUT.csv [FILES]

INDEX.json is `smug family`'s index over every candidate bundle. A problem is a (folder,
input) pair: its benchmark files at the optimum (sat) and one below (unsat) stay together,
and its class is the harder file's (easy < medium < hard < open). Quotas in files per class
(default 200 files: 35 % easy, 30 % medium, 20 % hard, 15 % open) are filled round-robin over
the folders (the knobs: model, window, k, gamma, encoding) so every knob keeps a spread; a
class short of candidates leaves its share to the next harder one, then to easier ones.
Standard library only; bench/ code, never on the build or test path.
"""
import collections
import json
import re
import sys

ORDER = ["easy", "medium", "hard", "open"]
SHARE = {"easy": 0.35, "medium": 0.30, "hard": 0.20, "open": 0.15}


def problems(index):
    """(folder, input) -> {'files': [...], 'cls': hardest class, 'meta': first file}; only
    problems whose every file was measured by every solver."""
    out = collections.OrderedDict()
    solvers = set(index["solvers"])
    unmeasured = {(f["file"].split("/")[0], f["input"]) for f in index["files"]
                  if set(f["runs"]) != solvers}
    if unmeasured:
        print("left out, not measured by every solver: %d problems" % len(unmeasured))
    for f in index["files"]:
        if (f["file"].split("/")[0], f["input"]) in unmeasured:
            continue
        folder = f["file"].split("/")[0]
        p = out.setdefault((folder, f["input"]), {"files": [], "cls": "easy", "meta": f})
        p["files"].append(f)
        if ORDER.index(f["difficulty"]) > ORDER.index(p["cls"]):
            p["cls"] = f["difficulty"]
    return out


def pick(probs, total):
    by_class = {c: collections.OrderedDict() for c in ORDER}
    for key in sorted(probs):
        by_class[probs[key]["cls"]].setdefault(key[0], []).append(key)
    chosen, left = [], 0
    # hardest first: their shortfall moves down to the easier classes, which have plenty
    for cls in reversed(ORDER):
        want = round(total * SHARE[cls]) + left
        got = 0
        folders = by_class[cls]
        while got < want and any(folders.values()):
            for folder in list(folders):
                if not folders[folder] or got >= want:
                    continue
                key = folders[folder].pop(0)
                chosen.append(key)
                got += len(probs[key]["files"])
        left = max(0, want - got)
    return sorted(chosen)


def main():
    index_path, timeout, epoch, out = sys.argv[1:5]
    total = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    with open(index_path) as f:
        index = json.load(f)
    probs = problems(index)
    chosen = pick(probs, total)
    counts = collections.Counter()
    lines = [
        "# smt2/selection.csv — the problems of smt2/, chosen from measured candidates by",
        "# bench/families.sh (families_select.py); scripts/gen-smt2.sh emits them again.",
        "# timeout=%s" % timeout,
        "# source_date_epoch=%s" % epoch,
        "folder,model,window,k,gamma,encoding,input",
    ]
    for folder, inp in chosen:
        m = probs[(folder, inp)]["meta"]
        # k is the knob of the folder (families.sh names it -k<k>-), not the problem's
        # neuron count: smug keeps fewer neurons where fewer than k are active
        k = int(re.search(r"-k([0-9]+)-", folder).group(1))
        lines.append("%s,models/%s,%d,%d,%s,%s,%s" % (folder, m["model"], m["window"], k,
                                                      m["gamma"], m["encoding"], inp))
        for f in probs[(folder, inp)]["files"]:
            counts[f["difficulty"]] += 1
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("selected %d problems, %d files: %s" % (
        len(chosen), sum(counts.values()),
        ", ".join("%s %d" % (c, counts[c]) for c in ORDER)))


if __name__ == "__main__":
    main()
