#!/usr/bin/python3
"""check_sens_py.py - `hepatosim sensitivity` end to end on a small real scenario
(fixtures/sweep/sens_sobol.yaml: two independent drugs, three parameters, N = 64, 320
runs): the file's structure as h5py and xarray see it, the printed table and its order,
identical results with -j 1 and -j 2, a parameter of the other drug at index 0 and the
dominant one highest, the runs file being an ordinary sweep that is used again, Morris
screening, and the errors. Run from tests/ by `make test` with Debian's /usr/bin/python3."""
import os
import re
import subprocess
import tempfile

import h5py
import numpy as np
import xarray as xr

from pycheck import BIN, check, report

SCEN = "fixtures/sweep/sens_sobol.yaml"
PARAMS = ["drugs.a.renal_clearance", "tumor.perfusion", "drugs.b.hepatic_clint"]
SOBOL_VARS = ["S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"]


def hs(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True)


def table_blocks(text):
    """{(metric, drug): [(parameter, first number), ...]} from the printed table."""
    blocks, key = {}, None
    for line in text.splitlines():
        m = re.match(r"^(\S+) \((.*)\) of (\S+): (\d+) of (\d+) ", line)
        if m:
            key = (m.group(1), m.group(3))
            blocks[key] = []
        elif key and line and not line.startswith("parameter"):
            parts = line.split()
            blocks[key].append((parts[0], float(parts[1])))
    return blocks


def same_file(a, b):
    """Every dataset equal (NaN equal to NaN)."""
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        if sorted(fa.keys()) != sorted(fb.keys()):
            return False
        for k in fa.keys():
            x, y = fa[k][()], fb[k][()]
            if x.dtype.kind == "f":
                if not np.array_equal(x, y, equal_nan=True):
                    return False
            elif not np.array_equal(x, y):
                return False
    return True


def test_sobol(tmp):
    out1, out2 = os.path.join(tmp, "j1.h5"), os.path.join(tmp, "j2.h5")
    r1 = hs("sensitivity", SCEN, "-o", out1, "-j", "1", "--metrics", "auc_plasma,auc_tumor",
            "--quiet")
    r2 = hs("sensitivity", SCEN, "-o", out2, "-j", "2", "--metrics", "auc_plasma,auc_tumor",
            "--quiet")
    check(r1.returncode == 0 and r2.returncode == 0, f"sensitivity: {r1.stderr} {r2.stderr}")
    check(r1.stderr == "" and r2.stderr == "", f"--quiet printed: {r1.stderr!r}")
    check(r1.stdout == r2.stdout, "-j 1 and -j 2 print different tables")
    check(same_file(out1, out2), "-j 1 and -j 2 give different indices")
    runs = os.path.join(tmp, "j1_runs.h5")
    check(os.path.exists(runs) and not os.path.exists(runs + ".partial"), "no runs file j1_runs.h5")
    left = [f for f in os.listdir(tmp) if ".tmp." in f]
    check(not left, f"temporary files left: {left}")

    with h5py.File(runs, "r") as f:  # an ordinary sweep file: N (d + 2) runs
        check(int(f.attrs["n_runs"]) == 64 * 5 and int(f.attrs["complete"]) == 1,
              f"runs file: {int(f.attrs['n_runs'])} runs")
        check(str(f.attrs["design"]) == "saltelli", f"runs design {f.attrs['design']}")
    with h5py.File(out1, "r") as f:
        check(str(f.attrs["method"]) == "sobol" and int(f.attrs["n_base"]) == 64 and
              int(f.attrs["n_runs"]) == 320 and int(f.attrs["bootstrap"]) == 1000,
              "root attributes")
        check("[parameter, metric, drug]" in str(f.attrs["axis_order"]), "axis_order attribute")
        for v in SOBOL_VARS:
            check(f[v].shape == (3, 2, 2) and f[v].attrs["units"] == "1", f"{v} shape/units")
            labels = [d.label for d in f[v].dims]
            check(labels == ["parameter", "metric", "drug"], f"{v} dimension labels {labels}")
        check(f["n_used"].shape == (2, 2) and (f["n_used"][()] == 64).all(), "n_used")
        st = f["ST"][()]
    ds = xr.open_dataset(out1, engine="h5netcdf")
    check(ds["ST"].dims == ("parameter", "metric", "drug"), f"xarray dims {ds['ST'].dims}")
    check(list(ds["parameter"].values) == PARAMS, f"parameter coordinate {ds['parameter'].values}")
    check(list(ds["metric"].values) == ["auc_plasma", "auc_tumor"], "metric coordinate")
    check(list(ds["drug"].values) == ["a", "b"], "drug coordinate")
    check(list(ds["parameter_units"].values) == ["L/h", "1/h", "L/h"],
          f"parameter units {ds['parameter_units'].values}")
    a_plasma = ds["ST"].sel(metric="auc_plasma", drug="a")
    check(float(a_plasma.sel(parameter="drugs.b.hepatic_clint")) < 1e-6,
          f"b's clearance moves a's plasma AUC: ST {float(a_plasma[2])}")
    check(str(a_plasma.idxmax().values) == "drugs.a.renal_clearance" and float(a_plasma[0]) > 0.8,
          f"a's renal clearance is not dominant: {a_plasma.values}")
    b_plasma = ds["ST"].sel(metric="auc_plasma", drug="b")
    check(float(b_plasma.sel(parameter="drugs.a.renal_clearance")) < 1e-6, "a's clearance moves b")
    check(str(b_plasma.idxmax().values) == "drugs.b.hepatic_clint", f"b: {b_plasma.values}")
    ds.close()
    for lo, v, hi in (("S1_lo", "S1", "S1_hi"), ("ST_lo", "ST", "ST_hi")):
        with h5py.File(out1, "r") as f:
            ok = (f[lo][()] <= f[v][()] + 1e-12) & (f[v][()] <= f[hi][()] + 1e-12)
        check(ok.all(), f"{v} outside its interval")

    blocks = table_blocks(r1.stdout)
    check(set(blocks) == {(m, d) for m in ("auc_plasma", "auc_tumor") for d in ("a", "b")},
          f"table blocks {sorted(blocks)}")
    for (m, d), rows in blocks.items():
        vals = [v for _, v in rows]
        check(vals == sorted(vals, reverse=True), f"{m} {d}: not sorted by ST: {rows}")
        j = ["auc_plasma", "auc_tumor"].index(m)
        k = ["a", "b"].index(d)
        want = sorted(((PARAMS[i], st[i, j, k]) for i in range(3)), key=lambda x: -x[1])
        check([p for p, _ in rows] == [p for p, _ in want] and
              all(abs(v - w) < 6e-5 for (_, v), (_, w) in zip(rows, want)),
              f"{m} {d}: table {rows} != file {want}")
    check(blocks.get(("auc_plasma", "a"), [("", 0)])[0][0] == "drugs.a.renal_clearance",
          "table: a's renal clearance not first")

    # the output exists: refused without --force, untouched
    before = os.path.getmtime(out1)
    r = hs("sensitivity", SCEN, "-o", out1, "--quiet")
    check(r.returncode == 2 and r.stderr == f"hepatosim: error: {out1} exists; use --force to "
          "overwrite\n", f"existing output: {r.returncode} {r.stderr!r}")
    check(os.path.getmtime(out1) == before, "existing output touched")
    # without the output, the complete runs file of this scenario is used again (other
    # metrics, no model run); --force computes the runs again
    os.remove(out1)
    r = hs("sensitivity", SCEN, "-o", out1, "--metrics", "auc_liver")
    check(r.returncode == 0 and r.stderr == f"using the 320 runs of {runs}\nwrote {out1}\n",
          f"runs not used again: {r.stderr!r}")
    with h5py.File(out1, "r") as f:
        check([s.decode() if isinstance(s, bytes) else s for s in f["metric"][()]] ==
              ["auc_liver"], "metric of the reused analysis")
    r = hs("sensitivity", SCEN, "-o", out1, "--metrics", "auc_liver", "--force")
    check(r.returncode == 0 and "sweep: 320 of 320 runs done" in r.stderr and
          "using the" not in r.stderr, f"--force did not compute the runs: {r.stderr!r}")


def test_morris(tmp):
    text = open(SCEN).read().replace("design: saltelli", "design: morris").replace(
        "runs: 64", "runs: 12")
    scen = os.path.join(tmp, "morris.yaml")
    open(scen, "w").write(text)
    out = os.path.join(tmp, "morris.h5")
    r = hs("sensitivity", scen, "-o", out, "--metrics", "auc_plasma", "-j", "2", "--quiet")
    check(r.returncode == 0, f"morris: {r.stderr}")
    with h5py.File(out, "r") as f:
        check(str(f.attrs["method"]) == "morris" and int(f.attrs["levels"]) == 4 and
              int(f.attrs["n_runs"]) == 12 * 4, "morris attributes")
        mu = f["mu_star"][:, 0, :]
        check(mu[2, 0] == 0 and f["sigma"][2, 0, 0] == 0, "b's clearance has an effect on a")
        check(mu[0, 1] == 0, "a's clearance has an effect on b")
        check(mu[0, 0] > mu[1, 0] > 0 and mu[2, 1] > mu[1, 1] > 0, f"morris ranking {mu}")
    blocks = table_blocks(r.stdout)
    check([p for p, _ in blocks.get(("auc_plasma", "a"), [])] == PARAMS[:2] + PARAMS[2:],
          f"morris table order {blocks.get(('auc_plasma', 'a'))}")


def test_errors(tmp):
    out = os.path.join(tmp, "e.h5")
    r = hs("sensitivity", "fixtures/sweep/invalid.yaml", "-o", out)
    check(r.returncode == 2 and r.stderr == "hepatosim: error: fixtures/sweep/invalid.yaml: "
          "sensitivity needs a 'sweep:' block with design 'saltelli' (Sobol' indices) or "
          "'morris' (screening), not 'grid'\n", f"grid design: {r.stderr!r}")
    r = hs("sensitivity", "../scenarios/reference/s1.yaml", "-o", out)
    check(r.returncode == 2 and r.stderr == "hepatosim: error: ../scenarios/reference/s1.yaml: "
          "sensitivity needs a 'sweep:' block with design 'saltelli' (Sobol' indices) or "
          "'morris' (screening); the scenario has none\n", f"no sweep: {r.stderr!r}")
    r = hs("sensitivity", SCEN, "-o", out, "--metrics", "auc_tumour")
    check(r.returncode == 2 and "unknown metric 'auc_tumour'" in r.stderr, f"metric: {r.stderr}")
    r = hs("sensitivity", SCEN, "-o", out, "--bootstrap", "-1")
    check(r.returncode == 2 and "--bootstrap needs a count" in r.stderr, f"bootstrap: {r.stderr}")
    r = hs("sensitivity", SCEN, "-o", out, "--resume", "--force")
    check(r.returncode == 2 and "exclude each other" in r.stderr, f"resume+force: {r.stderr}")
    check(not os.listdir(tmp), f"a failed call left files: {os.listdir(tmp)}")
    r = hs("sensitivity", "--help")
    check(r.returncode == 0 and "N (d + 2)" in r.stdout, "help")


with tempfile.TemporaryDirectory() as tmp:
    for t in (test_sobol, test_morris, test_errors):
        sub = os.path.join(tmp, t.__name__)
        os.mkdir(sub)
        t(sub)

report("sensitivity python")
