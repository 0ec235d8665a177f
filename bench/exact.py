#!/usr/bin/python3
"""exact.py - the exact solution of linear drugs against CVODE (issue 14 items 3-4), part
of `make bench`.

The default FUDR Latin hypercube (scenarios/sweeps/default_lhs.yaml, cut to its first RUNS
runs, with the IV comparator, metrics only) is swept three times: simulation.solver exact,
cvode at the file's own tolerances, and cvode at rtol 1e-12 / atol 1e-14 mg (the
reference). Reported: the largest relative difference of every metric (tmax and
mass_balance_error apart) of the first two against the reference, and runs/s and runs per
CPU second of each at -j 1 and -j 2 (medians of interleaved repeats).

usage: exact.py BIN SCENARIO [--runs N] [--repeats N] > exact.json
"""
import argparse
import json
import os
import re
import statistics
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matched import sweep  # noqa: E402

SKIP = ("tmax", "mass_balance_error", "dose_undelivered_mg")


def variant(text, runs, method, tight):
    out = []
    for line in text.splitlines():
        if re.match(r"^  (solver|max_steps):", line) or (tight and re.match(r"^  (rtol|atol):", line)):
            continue
        line = re.sub(r"^  runs: .*", f"  runs: {runs}", line)
        out.append(line)
        if line.startswith("simulation:"):
            out.append(f"  solver: {method}")
            if tight:
                out += ["  rtol: 1e-12", "  atol: 1e-14 mg", "  max_steps: 1000000"]
    return "\n".join(out) + "\n"


def metrics(path):
    with h5py.File(path, "r") as f:
        if (f["status"][:] != 0).any():
            sys.exit(f"failed runs in {path}")
        return {k: f[k][()] for k in f if f[k].dtype.kind == "f" and f[k].ndim == 2}


def max_rel(a, ref):
    worst, name = 0.0, "-"
    for k, r in ref.items():
        if any(s in k for s in SKIP):
            continue
        x = a[k]
        ok = ~(np.isnan(x) & np.isnan(r))
        den = np.where(np.abs(r) > 0, np.abs(r), 1.0)
        e = float(np.max(np.abs(x[ok] - r[ok]) / den[ok])) if ok.any() else 0.0
        if e > worst:
            worst, name = e, k
    return worst, name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    text = open(args.scenario).read()
    res = {"scenario": args.scenario, "runs": args.runs, "load_average_before": list(os.getloadavg())}
    with tempfile.TemporaryDirectory() as tmp:
        scen = {}
        for name, method, tight in (("exact", "exact", False), ("cvode", "cvode", False),
                                    ("reference", "cvode", True)):
            scen[name] = os.path.join(tmp, name + ".yaml")
            open(scen[name], "w").write(variant(text, args.runs, method, tight))
        out = {}
        for name in scen:
            r = sweep(args.bin, scen[name], 2, tmp)
            out[name] = metrics(r[2])
            res[name] = {"runs_per_s_j2": r[0]}
        for name in ("exact", "cvode"):
            e, k = max_rel(out[name], out["reference"])
            res[name].update({"max_rel_error_vs_rtol_1e-12": e, "worst_metric": k})
        samples = {(n, j): [] for n in ("exact", "cvode") for j in (1, 2)}
        for _ in range(args.repeats):
            for n in ("exact", "cvode"):
                for j in (1, 2):
                    samples[(n, j)].append(sweep(args.bin, scen[n], j, tmp)[:2])
        for n in ("exact", "cvode"):
            for j in (1, 2):
                res[n][f"runs_per_s_j{j}"] = statistics.median(x[0] for x in samples[(n, j)])
                res[n][f"runs_per_cpu_s_j{j}"] = round(
                    statistics.median(x[1] for x in samples[(n, j)]), 1)
        res["speed_ratio_exact_over_cvode_cpu_j1"] = round(
            res["exact"]["runs_per_cpu_s_j1"] / res["cvode"]["runs_per_cpu_s_j1"], 2)
        res["efficiency_j2_exact"] = round(
            res["exact"]["runs_per_s_j2"] / (2 * res["exact"]["runs_per_s_j1"]), 3)
    res["load_average_after"] = list(os.getloadavg())
    json.dump(res, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
