#!/usr/bin/env python3
"""Lengths of Rust functions under src/ (signature line to closing brace).

Usage: python3 bench/fnlen.py [MIN_LINES] [DIR]   (default 80, src)
Prints `lines  file:line  name` for every function of at least MIN_LINES,
longest first, then the count. Test modules (`#[cfg(test)]`) are included:
they are code too. Brace counting skips strings, chars and comments.
"""
import os
import re
import sys

FN = re.compile(r'^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+([A-Za-z_0-9]+)')


def strip(line, state):
    """Remove string/char literals and comments; `state` carries block comments and raw strings."""
    out = []
    i = 0
    while i < len(line):
        if state['block']:
            j = line.find('*/', i)
            if j < 0:
                return ''.join(out)
            state['block'] = False
            i = j + 2
            continue
        if state['raw'] is not None:
            j = line.find('"' + '#' * state['raw'], i)
            if j < 0:
                return ''.join(out)
            i = j + 1 + state['raw']
            state['raw'] = None
            continue
        if state['str']:
            if line[i] == '\\':
                i += 2
                continue
            if line[i] == '"':
                state['str'] = False
            i += 1
            continue
        c = line[i]
        if line.startswith('//', i):
            break
        if line.startswith('/*', i):
            state['block'] = True
            i += 2
            continue
        m = re.match(r'b?r(#*)"', line[i:])
        if m and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == '_')):
            state['raw'] = len(m.group(1))
            i += m.end()
            continue
        if c == '"':
            state['str'] = True
            i += 1
            continue
        if c == "'":
            m = re.match(r"'(\\.|[^\\'])'", line[i:]) or re.match(r"'\\u\{[0-9a-fA-F]+\}'", line[i:])
            if m:
                i += m.end()
                continue
        out.append(c)
        i += 1
    return ''.join(out)


def functions(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    state = {'block': False, 'raw': None, 'str': False}
    stack = []  # (name, start, depth_at_start)
    depth = 0
    found = []
    pending = None
    for n, line in enumerate(lines, 1):
        m = FN.match(line) if not (state['block'] or state['raw'] is not None or state['str']) else None
        code = strip(line, state)
        if m:
            pending = (m.group(6), n, depth)
        for ch in code:
            if ch == '{':
                if pending is not None:
                    stack.append(pending)
                    pending = None
                depth += 1
            elif ch == '}':
                depth -= 1
                if stack and stack[-1][2] == depth:
                    name, start, _ = stack.pop()
                    found.append((n - start + 1, path, start, name))
            elif ch == ';' and pending is not None and depth == pending[2]:
                pending = None  # a declaration without a body
    return found


def main():
    minimum = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    root = sys.argv[2] if len(sys.argv) > 2 else 'src'
    found = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith('.rs'):
                found += functions(os.path.join(dirpath, f))
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    long = [t for t in found if t[0] >= minimum]
    for lines, path, start, name in long:
        print(f'{lines:5}  {path}:{start}  {name}')
    print(f'{len(long)} functions of {minimum}+ lines; longest {found[0][0] if found else 0}')


if __name__ == '__main__':
    main()
