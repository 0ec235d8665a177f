#!/usr/bin/python3
"""check_modules.py - the module graph has no cycles.

A module is a group of C files under model/ and solver/: the files of one folder whose
names share the part before the first '_' (solver/sweep/sweepfile_resume.c belongs to
module solver/sweep/sweepfile, solver/cli/cli_merge.c to solver/cli/cli). Module A depends
on module B when an object file of A uses a symbol that an object file of B defines (read
with nm from the built objects, so calls through headers count, not just #includes).
Prints the graph's strongly connected components with more than one module and exits 1
if there is any. Usage: check_modules.py BUILD_DIR (default ../build)."""
import os
import subprocess
import sys


def module_of(obj, build):
    rel = os.path.relpath(obj, build)[:-2]  # model/model, solver/sweep/sweepfile_resume
    folder, stem = os.path.split(rel)
    return os.path.join(folder, stem.split("_")[0])


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
    return defined, used


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "../build"
    objs = []
    for top in ("model", "solver"):
        for root, _, files in os.walk(os.path.join(build, top)):
            objs += [os.path.join(root, f) for f in files if f.endswith(".o")]
    # only the objects of sources that exist (a renamed file leaves its old object behind)
    repo = os.path.dirname(os.path.abspath(build))
    objs = [o for o in objs
            if os.path.exists(os.path.join(repo, os.path.relpath(o, build)[:-2] + ".c"))]
    if not objs:
        sys.exit("check_modules: no object files under %s (build first)" % build)
    owner, uses = {}, {}
    for o in objs:
        m = module_of(o, build)
        d, u = symbols(o)
        for s in d:
            owner[s] = m
        uses.setdefault(m, set()).update(u)
    graph = {m: {owner[s] for s in u if s in owner and owner[s] != m} for m, u in uses.items()}
    # Tarjan's strongly connected components
    index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop()
                on.discard(w)
                c.append(w)
                if w == v:
                    break
            sccs.append(sorted(c))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = [c for c in sccs if len(c) > 1]
    for c in cycles:
        print("module cycle: " + " <-> ".join(c))
        for a in c:
            print("  %s uses %s" % (a, ", ".join(sorted(graph[a] & set(c)))))
    print("%d modules, %d dependencies, %d cycles" %
          (len(graph), sum(len(v) for v in graph.values()), len(cycles)))
    sys.exit(1 if cycles else 0)


if __name__ == "__main__":
    main()
