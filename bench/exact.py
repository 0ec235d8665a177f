#!/usr/bin/python3
"""exact.py - the exact solution of linear drugs against CVODE (issue 14 items 3-4), part
of `make bench`.

The default FUDR Latin hypercube (scenarios/sweeps/default_lhs.yaml, cut to its first RUNS
runs, with the IV comparator, metrics only) is swept three times: simulation.solver exact,
cvode at the file's own tolerances, and cvode at rtol 1e-12 / atol 1e-14 mg (the
reference). Reported: the largest relative difference of every metric (tmax and
mass_balance_error apart) of the first two against the reference, and runs/s and runs per
CPU second of each at -j 1 and -j 2 (medians of interleaved repeats).

A sweep of RUNS runs also pays a fixed cost (start-up, scenario, file creation and close:
about 0.05 CPU s, a sixth of an exact 2000-run sweep), which the default 10^6-run sweep
does not feel. So the speed ratio is also given per run at the margin: the CPU time of a
sweep 5 times larger less that of RUNS runs, over the runs added (`marginal`). The -j 2
efficiency of the exact sweep is measured on --eff-runs runs (default 10^5: about 10 s at
-j 1), where a 2000-run sweep lasts a tenth of a second: the median over interleaved
repeats of each pair's runs/s at -j 2 over twice that at -j 1, as the sweeps report them.

usage: exact.py BIN SCENARIO [--runs N] [--repeats N] [--eff-runs N] > exact.json
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


def marginal(args, text, tmp, samples):
    """Runs per CPU second at -j 1 of the runs a sweep 5 times larger adds (medians of
    interleaved repeats; the RUNS-run CPU times are those of the samples above)."""
    big = 5 * args.runs
    res = {"runs": [args.runs, big]}
    for n in ("exact", "cvode"):
        scen = os.path.join(tmp, n + "_big.yaml")
        open(scen, "w").write(variant(text, big, n, False))
        cpu_big = [big / sweep(args.bin, scen, 1, tmp)[1] for _ in range(args.repeats)]
        cpu_small = [args.runs / x[1] for x in samples[(n, 1)]]
        res[f"{n}_runs_per_cpu_s_j1"] = round(
            (big - args.runs) / (statistics.median(cpu_big) - statistics.median(cpu_small)), 1)
        res[f"{n}_fixed_cpu_s"] = round(
            statistics.median(cpu_small) - args.runs / res[f"{n}_runs_per_cpu_s_j1"], 4)
    return res


def efficiency(args, text, tmp):
    """Median over interleaved repeats of runs/s at -j 2 over twice that at -j 1, exact,
    on --eff-runs runs."""
    scen = os.path.join(tmp, "exact_eff.yaml")
    open(scen, "w").write(variant(text, args.eff_runs, "exact", False))
    ratios = []
    for _ in range(args.repeats):
        r1 = sweep(args.bin, scen, 1, tmp)[0]
        r2 = sweep(args.bin, scen, 2, tmp)[0]
        ratios.append(r2 / (2 * r1))
    return round(statistics.median(ratios), 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--eff-runs", type=int, default=100000)
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
        res["efficiency_j2_exact_runs_%d" % args.runs] = round(
            res["exact"]["runs_per_s_j2"] / (2 * res["exact"]["runs_per_s_j1"]), 3)
        res["marginal"] = marginal(args, text, tmp, samples)
        res["speed_ratio_exact_over_cvode_marginal_cpu_j1"] = round(
            res["marginal"]["exact_runs_per_cpu_s_j1"] / res["marginal"]["cvode_runs_per_cpu_s_j1"], 2)
        res["efficiency_j2_exact"], res["efficiency_runs"] = efficiency(args, text, tmp), args.eff_runs
    res["load_average_after"] = list(os.getloadavg())
    json.dump(res, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
