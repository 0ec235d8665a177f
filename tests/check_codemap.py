#!/usr/bin/python3
"""check_codemap.py - the README's code map lists every source file with its size.

Every .c, .h and .py file under model/, solver/, include/, tests/ and bench/ must appear in
the "Code map" table as `path` (N), N its line count within 10 % (or 20 lines). With
--fix the counts in README.md are rewritten (new files still have to be added by hand,
with their job). Run from tests/ (make test does)."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = ("model", "solver", "include", "tests", "bench", "validation")
ENTRY = re.compile(r"`([\w./-]+\.(?:c|h|py))`(?: \((\d+)\))?")


def sources():
    out = {}
    for d in DIRS:
        for root, _, files in os.walk(os.path.join(ROOT, d)):
            for f in files:
                if f.endswith((".c", ".h", ".py")) and "fixtures" not in root:
                    p = os.path.relpath(os.path.join(root, f), ROOT)
                    with open(os.path.join(ROOT, p), encoding="utf-8") as fh:
                        out[p] = sum(1 for _ in fh)
    return out


def main():
    path = os.path.join(ROOT, "README.md")
    text = open(path, encoding="utf-8").read()
    start = text.index("## Code map")
    end = text.find("\n## ", start + 1)
    end = len(text) if end < 0 else end
    table = "\n".join(l for l in text[start:end].splitlines() if l.startswith("| `"))
    have = sources()
    errors = []
    if "--fix" in sys.argv:
        def fix(m):
            p = m.group(1)
            return "`%s` (%d)" % (p, have[p]) if p in have else m.group(0)
        lines = text[start:end].splitlines(True)
        lines = [ENTRY.sub(fix, l) if l.startswith("| `") else l for l in lines]
        text = text[:start] + "".join(lines) + text[end:]
        open(path, "w", encoding="utf-8").write(text)
        table = "\n".join(l for l in "".join(lines).splitlines() if l.startswith("| `"))
    listed = {}
    for m in ENTRY.finditer(table):
        listed[m.group(1)] = int(m.group(2)) if m.group(2) else None
    for p, n in sorted(have.items()):
        if p not in listed:
            errors.append("%s (%d lines) is not in the README's code map" % (p, n))
        elif listed[p] is None:
            errors.append("%s: no line count in the code map (it has %d)" % (p, n))
        elif abs(listed[p] - n) > max(20, 0.1 * n):
            errors.append("%s: the code map says %d lines, it has %d" % (p, listed[p], n))
    for p in sorted(p for p in set(listed) - set(have) if p.split("/")[0] in DIRS):
        errors.append("%s is in the code map but not in the tree" % p)
    for e in errors:
        print(e)
    print("codemap: %d passed, %d failed" % (len(have) - len(errors), len(errors)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
