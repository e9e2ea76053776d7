#!/usr/bin/env python3
"""List the Rust functions of N lines or more (issue #14: no function of 80+ lines).

    python3 bench/fnlen.py [N] [PATH ...]      # N defaults to 80, PATH to src/

A function's length runs from its `fn` line to the line of the brace that closes
its body, both included. Braces are counted outside comments, strings (also raw
strings) and char literals, so a `{` in a format string does not count. A nested
function or closure is part of its enclosing function's length and is listed on
its own as well when it is long. Output: `LINES  FILE:LINE  NAME`, longest first;
exit 1 when something is listed (so CI or a hook can use it).
"""
import os
import re
import sys

FN_RE = re.compile(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)")


def code_only(text):
    """The text with comments, strings and char literals blanked (newlines kept),
    so that brace counting and `fn` matching see code only."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif raw_string_at(text, i):
            start = i
            j = i + (2 if text[i] == "b" else 1)
            hashes = 0
            while text[j] == "#":
                hashes, j = hashes + 1, j + 1
            end = text.find('"' + "#" * hashes, j + 1)
            j = n if end < 0 else end + 1 + hashes
            out.append(blank(text[start:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(blank(text[i : j + 1]))
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\n', '\u{7b}') or a lifetime ('a): only the
            # former is skipped.
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def raw_string_at(text, i):
    if i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
        return False
    return re.match(r'b?r#*"', text[i : i + 40]) is not None


def blank(s):
    return "".join("\n" if ch == "\n" else " " for ch in s)


def functions(path):
    """(lines, line, name) of each function with a body in the file."""
    with open(path, encoding="utf-8") as f:
        code = code_only(f.read())
    found = []
    for m in FN_RE.finditer(code):
        # The body is the first `{` after the signature, unless a `;` comes
        # first (a trait method without a body).
        j = m.end()
        while j < len(code) and code[j] not in "{;":
            j += 1
        if j >= len(code) or code[j] == ";":
            continue
        depth, k = 0, j
        while k < len(code):
            if code[k] == "{":
                depth += 1
            elif code[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        first = code.count("\n", 0, m.start()) + 1
        last = code.count("\n", 0, k) + 1
        found.append((last - first + 1, first, m.group(1)))
    return found


def rust_files(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
            continue
        for root, _, files in os.walk(p):
            for name in sorted(files):
                if name.endswith(".rs"):
                    yield os.path.join(root, name)


def main():
    args = sys.argv[1:]
    limit = int(args.pop(0)) if args and args[0].isdigit() else 80
    long_ones = []
    for path in rust_files(args or ["src"]):
        for lines, line, name in functions(path):
            if lines >= limit:
                long_ones.append((lines, f"{path}:{line}", name))
    long_ones.sort(key=lambda t: (-t[0], t[1]))
    for lines, where, name in long_ones:
        print(f"{lines:5}  {where}  {name}")
    return 1 if long_ones else 0


if __name__ == "__main__":
    sys.exit(main())
