#!/usr/bin/env python3
"""check_commands.py — every program a project shell script runs must come from a package
that scripts/install-deps.sh installs, or from one every Debian 12 system has.

Why: the README's test command once failed on a fresh Debian 12 because check-format.sh
calls clang-format and git, which this machine happened to have but install-deps.sh did not
install (issue #10). This check finds such a gap on any machine, whatever is installed:

  1. collect the command words of every script (scripts/, .ci/, tests/e2e, tests/fuzz,
     tests/deps, bench): the first word of each simple command, also inside $(…);
  2. resolve each with the shell (builtins, keywords and the scripts' own functions pass);
  3. map a program to its Debian package with dpkg -S, and accept it only when that package
     is Essential or Priority required (debootstrap's minimal system), or is in
     install-deps.sh's list (or, for optional tools, in the OPTIONAL list with a reason).

Standard library only: any python3 runs it (install-deps.sh installs Debian's).
Usage: check_commands.py SOURCE_ROOT        exit 0 = every command accounted for
"""
import functools
import glob
import os
import re
import shlex
import subprocess
import sys

# Programs that scripts call only behind `command -v` (they skip without them) or that are
# the project's own artefacts, each with its reason.
OPTIONAL = {
    "sudo": "install-deps.sh uses it only when not run as root",
    "hyperfine": "bench/: optional timing front end, skipped when absent",
}

KEYWORDS = {
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "in", "function", "select", "time", "!", "{", "}", "[[", "]]", "coproc",
}
SEPARATORS = {";", ";;", "&", "&&", "|", "||", "(", ")", "|&", "\n", "$(", "`"}
PREFIXES = {"exec", "command", "nice", "nohup", "env", "timeout", "xargs", "$SUDO", "time"}


def without_heredocs_and_comments(text):
    """The script with heredoc bodies (python snippets, data) and comment lines left out."""
    out, end = [], None
    for line in text.splitlines():
        if end is not None:
            if line.strip() == end:
                end = None
            out.append("")
            continue
        m = re.search(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?", line)
        if m and "<<<" not in line:
            end = m.group(1)
        out.append("" if line.lstrip().startswith("#") else re.sub(r"\s#.*$", "", line))
    return "\n".join(out)


def unquoted_newlines_to_semicolons(text):
    """Turns every newline outside quotes into ' ; ', so shlex sees statement ends while
    multi-line quoted strings (python3 -c "…") stay one word."""
    out, quote, escaped, line = [], None, False, 1
    for ch in text:
        if escaped:
            escaped = False
            out.append(" " if ch == "\n" else ch)  # a line continuation joins the lines
            continue
        if ch == "\\" and quote != "'":
            escaped = True
            if quote is None:
                continue
        elif quote is None and ch in "'\"":
            quote = ch
        elif ch == quote:
            quote = None
        if ch == "\n":
            line += 1
            if quote is None:
                out.append(f" ; \0{line} ; ")  # a marker token carries the line number
                continue
        out.append(ch)
    return "".join(out)


def tokens_of(code):
    lex = shlex.shlex(code, posix=True, punctuation_chars=";&|()")
    lex.whitespace_split = True
    try:
        return list(lex)
    except ValueError:
        return []


def command_substitutions(code):
    """The text of every $( … ), found by paren depth, quotes or not: shlex keeps a $( … )
    inside double quotes as part of one word."""
    found, start = [], code.find("$(")
    while start >= 0:
        depth, i = 1, start + 2
        while i < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[i], 0)
            i += 1
        found.append((code[start + 2:i - 1], code.count("\n", 0, start) + 1))
        start = code.find("$(", start + 2)
    return found


def command_words(text):
    """The words in command position: the first word of each simple command, and of each
    $( … ) inside a quoted string."""
    code = without_heredocs_and_comments(text)
    code = re.sub(r"\$?\(\([^\n]*?\)\)", " ", code)  # arithmetic (( … ))
    code = re.sub(r"([<>])&", r"\1", code)  # 2>&1: a redirection, not a background job
    chunks = [(unquoted_newlines_to_semicolons(code), 1)]
    chunks += [(unquoted_newlines_to_semicolons(c), line) for c, line in command_substitutions(code)]
    words = []
    for chunk, first_line in chunks:
        toks = tokens_of(chunk)
        at_start, skip_until, case_depth, array, skip_one = True, None, 0, 0, False
        line = first_line
        for i, tok in enumerate(toks):
            if tok.startswith("\0"):
                line = first_line + int(tok[1:]) - 1
                continue
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            if array:  # inside name=( … ): words, not commands
                array += tok.count("(") - tok.count(")") if set(tok) <= set("()") else 0
                continue
            if tok == "(" and i > 0 and toks[i - 1].endswith("="):
                array = 1
                continue
            if skip_until:
                if tok in skip_until:
                    skip_until = None
                    at_start = True
                continue
            if tok in SEPARATORS or set(tok) <= set(";&|()"):
                at_start = True
                continue
            if not at_start:
                continue
            if tok in ("for", "select"):
                skip_until = {"do"}
                continue
            if tok == "case":
                case_depth += 1
                skip_until = {"in"}
                continue
            if tok == "esac":
                case_depth -= 1
                continue
            if case_depth and nxt in (")", "|"):
                continue  # a case pattern
            if tok in KEYWORDS or re.match(r"^[A-Za-z_][A-Za-z0-9_]*\+?=", tok):
                continue
            if skip_one:  # timeout's duration
                skip_one = False
                continue
            if tok in PREFIXES:
                skip_one = tok == "timeout"
                continue
            if tok.startswith(("$", "-", "<", ">", "./", "/", "[")) or "$" in tok:
                at_start = False  # a variable, an option, a test or a path
                continue
            words.append((tok, line))
            at_start = False
    return words


def script_functions(text):
    return set(re.findall(r"^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)", text, re.M))


def with_dependencies(names):
    """The listed packages and what they depend on directly (python3 → python3-minimal):
    installing one installs the other."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Pre-Depends},${Depends}\\n", *sorted(names)],
                         capture_output=True, text=True).stdout
    deps = set(names)
    for alt in re.split(r"[,|\n]", out):
        name = alt.strip().split(" ", 1)[0].split(":", 1)[0]
        if name:
            deps.add(name)
    return deps


def installed_list(root):
    text = open(os.path.join(root, "scripts", "install-deps.sh")).read()
    m = re.search(r"packages=\((.*?)\n\)", text, re.S)
    if not m:
        sys.exit("check_commands: no packages=( … ) list in scripts/install-deps.sh")
    names = set()
    for line in m.group(1).splitlines():
        names.update(line.split("#", 1)[0].split())
    return names


# Programs are looked up where Debian installs them: a pyenv or /usr/local copy that happens
# to be first on this machine's PATH says nothing about a fresh system.
DEBIAN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


@functools.lru_cache(maxsize=None)  # a bash per distinct word, not per occurrence
def shell_kind(word):
    out = subprocess.run(["bash", "-c", 'type -t -- "$1"', "bash", word],
                         capture_output=True, text=True)
    return out.stdout.strip()


def package_of(word):
    path = subprocess.run(["bash", "-c", 'PATH=$2 command -v -- "$1"', "bash", word, DEBIAN_PATH],
                          capture_output=True, text=True).stdout.strip()
    if not path:
        return None, None
    candidates = [path, os.path.realpath(path)]
    for c in candidates:
        for probe in (c, c.replace("/usr/bin/", "/bin/", 1), c.replace("/bin/", "/usr/bin/", 1)):
            out = subprocess.run(["dpkg", "-S", probe], capture_output=True, text=True)
            if out.returncode == 0:
                pkg = out.stdout.split(":", 1)[0].split(",")[0].strip()
                return path, pkg
    return path, ""


@functools.lru_cache(maxsize=None)
def base_system(pkg):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Essential} ${Priority}", pkg],
                         capture_output=True, text=True).stdout.split()
    return "yes" in out or "required" in out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    scripts = sorted(
        set(glob.glob(os.path.join(root, "scripts", "*.sh")))
        | set(glob.glob(os.path.join(root, ".ci", "run")))
        | set(glob.glob(os.path.join(root, "tests", "*", "*.sh")))
        | set(glob.glob(os.path.join(root, "bench", "*.sh"))))
    listed = with_dependencies(installed_list(root))
    problems, seen = [], {}
    for script in scripts:
        text = open(script).read()
        own = script_functions(text)
        if os.path.basename(script) != "lib.sh":  # e2e scripts source lib.sh's helpers
            lib = os.path.join(os.path.dirname(script), "lib.sh")
            if os.path.exists(lib):
                own |= script_functions(open(lib).read())
        for word, lineno in command_words(text):
            if word in own or word in OPTIONAL:
                continue
            kind = shell_kind(word)
            if kind in ("builtin", "keyword", "function", "alias"):
                continue
            where = f"{os.path.relpath(script, root)}:{lineno}"
            if word not in seen:
                seen[word] = (package_of(word), where)
            (path, pkg), first = seen[word]
            if path is None:
                problems.append(f"{where}: '{word}' is not installed at all")
            elif pkg == "":
                problems.append(f"{where}: '{word}' ({path}) belongs to no Debian package")
            elif not base_system(pkg) and pkg not in listed:
                problems.append(f"{where}: '{word}' comes from package '{pkg}', which "
                                "scripts/install-deps.sh does not install")
    cmake_file = os.path.join(root, "CMakeLists.txt")
    cmake = open(cmake_file).read() if os.path.exists(cmake_file) else ""
    for word in re.findall(r"find_program\(\s*\w+\s+(?:NAMES\s+)?([\w.+-]+)", cmake):
        (path, pkg) = package_of(word)
        seen.setdefault(word, ((path, pkg), "CMakeLists.txt"))
        if path is None:
            problems.append(f"CMakeLists.txt: find_program '{word}' is not installed at all")
        elif pkg and not base_system(pkg) and pkg not in listed:
            problems.append(f"CMakeLists.txt: '{word}' comes from package '{pkg}', which "
                            "scripts/install-deps.sh does not install")
    for p in sorted(set(problems)):
        print(p)
    checked = ", ".join(sorted(seen))
    if problems:
        print(f"check_commands: {len(set(problems))} problem(s); commands seen: {checked}")
        return 1
    print(f"check_commands: {len(seen)} programs, each from a listed or base package: {checked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
