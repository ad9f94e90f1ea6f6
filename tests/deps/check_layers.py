#!/usr/bin/env python3
"""check_layers.py ROOT — every #include "smug/..." follows the module DAG of design.md §9.

    cli -> run -> {eval, smt, mask, explain, io};  eval -> explain -> nn -> core;
    mask -> nn -> core;  smt -> mask/problem.h only -> core;  io -> core

A module may include its own headers, core (everyone's base) and what it reaches along the
arrows, with two narrowings the design states: smt reaches mask only through problem.h, and
cli reaches run and core only (the command layer is thin: it parses flags and calls run/).

A header's module is the folder of the .c file that implements it (include/smug/forward.h ->
src/nn/forward.c -> nn); headers kept beside their sources (src/cli/cli.h) belong to that folder.

Known violations, each with the reason it is still there, live in layers_debt.txt beside this
script ("FILE HEADER  # why"). The check fails on any violation not listed there and on any
listed one that is gone, so the list can only shrink and always tells the truth.
Standard library only (Python is never on the build path).
"""
import os
import re
import sys

ARROWS = {
    "cli": {"run"},
    "run": {"eval", "smt", "mask", "explain", "io"},
    "eval": {"explain"},
    "explain": {"nn"},
    "mask": {"nn"},
    "smt": set(),  # plus mask/problem.h, below
    "io": set(),
    "nn": set(),
    "core": set(),
}
SMT_MAY_INCLUDE = {"problem.h"}
# Headers with no .c of their own (macros only), and the module each belongs to.
HEADER_ONLY = {"parallel.h": "core"}
INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include\s+"smug/([^"]+)"', re.M)


def reach(module):
    """Modules `module` may include, following the arrows (cli: its own arrows only)."""
    if module == "cli":
        return {"cli", "run", "core"}
    seen, todo = {module, "core"}, [module]
    while todo:
        for nxt in ARROWS.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def header_modules(root):
    """header file name -> module, from where its .c file lives."""
    src = os.path.join(root, "src")
    impl = {}
    for module in sorted(os.listdir(src)):
        folder = os.path.join(src, module)
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            stem, ext = os.path.splitext(name)
            if ext == ".c":
                impl[stem] = module
    modules = {}
    inc = os.path.join(root, "include", "smug")
    for name in sorted(os.listdir(inc)):
        stem = os.path.splitext(name)[0]
        modules[name] = impl.get(stem, HEADER_ONLY.get(name))
    return modules


def sources(root):
    """(path relative to root, module) of every file whose includes are checked."""
    out = []
    src = os.path.join(root, "src")
    for module in sorted(os.listdir(src)):
        folder = os.path.join(src, module)
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith((".c", ".h")):
                    out.append((os.path.join("src", module, name), module))
    return out


def read_debt(path):
    debt = {}
    if not os.path.exists(path):
        return debt
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            text = line.split("#", 1)[0].split()
            if not text:
                continue
            if len(text) != 2 or "#" not in line:
                sys.exit(f"{path}:{lineno}: want 'FILE HEADER  # why', got: {line.strip()}")
            debt[(text[0], text[1])] = lineno
    return debt


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    debt_path = os.path.join(root, "tests", "deps", "layers_debt.txt")
    modules = header_modules(root)
    files = sources(root)
    files += [(os.path.join("include", "smug", h), m) for h, m in modules.items()]
    problems, found_debt = [], set()
    for name, module in modules.items():
        if module is None:
            problems.append(f"include/smug/{name}: no src/*/{os.path.splitext(name)[0]}.c, "
                            "so its module is unknown")
    debt = read_debt(debt_path)
    for path, module in files:
        if module is None:
            continue
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for match in INCLUDE_RE.finditer(text):
            header = match.group(1)
            target = modules.get(header)
            if target is None:
                continue  # a header missing from include/smug is the compiler's to report
            ok = target in reach(module) or (module == "smt" and header in SMT_MAY_INCLUDE)
            if ok:
                continue
            if (path, header) in debt:
                found_debt.add((path, header))
                continue
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{path}:{line}: {module} includes {target}'s smug/{header}, "
                            f"an edge the module DAG (design.md §9) does not have")
    for key, lineno in sorted(debt.items(), key=lambda kv: kv[1]):
        if key not in found_debt:
            problems.append(f"tests/deps/layers_debt.txt:{lineno}: {key[0]} no longer includes "
                            f"smug/{key[1]} against the DAG: remove the line")
    for p in problems:
        print(p)
    if not problems:
        print(f"check_layers: {len(files)} files follow the DAG "
              f"({len(found_debt)} listed exceptions left in layers_debt.txt)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
