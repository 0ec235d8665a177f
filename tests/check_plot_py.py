#!/usr/bin/python3
"""check_plot_py.py - `hepatosim plot`, the quantiles of `hepatosim info` and the README's
tidy-data-frame snippet for Python, on small fixture runs and sweeps in a temporary folder.
Run from tests/ by `make test` with Debian's /usr/bin/python3 (python3-matplotlib,
python3-h5py, python3-xarray)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "solver", "cli"))
import hs_plot  # noqa: E402
from pycheck import BIN, check, report  # noqa: E402


def hs(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True)


def png_ok(path, what):
    """The PNG exists, has a sane size and is not blank (many distinct colours)."""
    if not os.path.exists(path):
        return check(False, f"{what}: no {path}")
    img = mpimg.imread(path)
    h, w = img.shape[:2]
    check(200 <= h <= 4000 and 200 <= w <= 4000, f"{what}: size {w}x{h}")
    colours = np.unique(img.reshape(-1, img.shape[2]), axis=0)
    check(len(colours) > 20, f"{what}: blank ({len(colours)} colours)")


def no_temporaries(folder, what):
    left = [f for f in os.listdir(folder) if ".tmp." in f]
    check(not left, f"{what}: temporary files left: {left}")


def fig_of(*argv):
    """The figure hs_plot draws for these arguments (to inspect its artists)."""
    return hs_plot.draw(hs_plot.parse(list(argv)))


def test_run_plots(tmp):
    run = os.path.join(tmp, "s1.h5")
    r = hs("run", "../scenarios/reference/s1.yaml", "-o", run)
    check(r.returncode == 0, f"run s1: {r.stderr}")
    png = os.path.join(tmp, "s1.png")
    r = hs("plot", run)  # default name: FILE with .png
    check(r.returncode == 0 and r.stderr == f"wrote {png}\n", f"plot run: {r.returncode} {r.stderr}")
    png_ok(png, "run plot")
    before = os.path.getmtime(png), os.path.getsize(png)
    r = hs("plot", run, "-o", png, "--log")
    check(r.returncode == 2, f"existing PNG without --force: exit {r.returncode}")
    check(r.stderr == f"hepatosim: error: {png} exists; use --force to overwrite\n",
          f"existing PNG message: {r.stderr!r}")
    check((os.path.getmtime(png), os.path.getsize(png)) == before, "existing PNG was touched")
    r = hs("plot", run, "-o", png, "--log", "--force")
    check(r.returncode == 0, f"plot --log --force: {r.stderr}")
    png_ok(png, "run plot --log")
    fig = fig_of(run, "--log")
    ax = fig.axes[0]
    check(ax.get_yscale() == "log", "--log: linear axis")
    # s1 has the IV comparator: the run file holds its time courses (<series>_iv), drawn
    # dashed beside the hepatic-arterial ones
    labels = [ln.get_label() for ln in ax.lines]
    check(labels == ["tumour", "tumour (IV)", "liver", "liver (IV)", "plasma", "plasma (IV)"],
          f"run series {labels}")
    dashed = [ln.get_label() for ln in ax.lines if ln.get_linestyle() == "--"]
    check(dashed == ["tumour (IV)", "liver (IV)", "plasma (IV)"], f"IV lines {dashed}")
    with h5py.File(run, "r") as f:
        g = f["drugs/s1_linear"]
        tumor, tumor_iv, plasma_iv, t = g["tumor"][:], g["tumor_iv"][:], g["plasma_iv"][:], g["time"][:]
        check(g["plasma_iv"].attrs["units"] in (b"mg/L", "mg/L"), "plasma_iv units")
        auc_iv = f["summary/auc_plasma_iv"][0]
    check(np.array_equal(ax.lines[0].get_ydata(), tumor), "tumour line is not the tumour series")
    check(np.array_equal(ax.lines[1].get_ydata(), tumor_iv), "tumour (IV) line is not tumor_iv")
    trap = float(np.sum(0.5 * np.diff(t) * (plasma_iv[1:] + plasma_iv[:-1])))
    check(abs(trap / auc_iv - 1) < 1e-3, f"plasma_iv trapezoid AUC {trap} vs auc_plasma_iv {auc_iv}")
    # a file without them (a run without the comparator) draws solid lines only
    solo = os.path.join(tmp, "s1_solo.h5")
    shutil.copy(run, solo)
    with h5py.File(solo, "r+") as f:
        g = f["drugs/s1_linear"]
        for k in [k for k in g if k.endswith("_iv")]:
            del g[k]
    ax = fig_of(solo).axes[0]
    check([ln.get_label() for ln in ax.lines] == ["tumour", "liver", "plasma"],
          f"series without the comparator {[ln.get_label() for ln in ax.lines]}")
    r = hs("plot", run, "-o", os.path.join(tmp, "x.png"), "--drug", "nope")
    check(r.returncode == 2 and "no drug 'nope' (has: s1_linear)" in r.stderr,
          f"unknown drug: {r.returncode} {r.stderr}")
    check(not os.path.exists(os.path.join(tmp, "x.png")), "a failed plot left a file")
    no_temporaries(tmp, "run plots")


def test_sweep_plots(tmp):
    sw = os.path.join(tmp, "grid.h5")
    r = hs("sweep", "fixtures/sweep/invalid.yaml", "-o", sw, "-j", "1", "--quiet")
    check(r.returncode == 0, f"sweep: {r.stderr}")
    one = os.path.join(tmp, "one.png")
    r = hs("plot", sw, "-o", one, "--metric", "auc_tumor", "--x", "tumor.perfusion")
    check(r.returncode == 0, f"plot sweep scatter: {r.stderr}")
    png_ok(one, "sweep scatter")
    ax = fig_of(sw, "--metric", "auc_tumor", "--x", "tumor.perfusion").axes[0]
    with h5py.File(sw, "r") as f:
        ok = f["status"][:] == 0
        want = np.column_stack([f["tumor.perfusion"][:][ok], f["auc_tumor"][:, 0][ok]])
    check(np.array_equal(ax.collections[0].get_offsets(), want), "scatter points")
    two = os.path.join(tmp, "two.png")
    r = hs("plot", sw, "-o", two, "--x", "tumor.volume", "--y", "tumor.perfusion")
    check(r.returncode == 0, f"plot sweep heat map: {r.stderr}")
    png_ok(two, "sweep heat map")
    fig = fig_of(sw, "--x", "tumor.volume", "--y", "tumor.perfusion")
    mesh = [c for c in fig.axes[0].collections if type(c).__name__ == "QuadMesh"]
    check(len(mesh) == 1, "grid design: no heat map (QuadMesh)")
    if mesh:
        z = np.ma.filled(mesh[0].get_array(), np.nan)
        check(z.size == 20 and int(np.isnan(z).sum()) == 7, f"heat map cells {z.size}, "
              f"{int(np.isnan(z).sum())} empty (7 failed runs)")
    check(fig.axes[0].get_title() == "grid.h5: 13 of 20 runs", f"title {fig.axes[0].get_title()}")
    r = hs("plot", sw, "-o", os.path.join(tmp, "m.png"), "--metric", "auc_tumour")
    check(r.returncode == 2 and "no metric 'auc_tumour'" in r.stderr, f"bad metric: {r.stderr}")
    r = hs("plot", os.path.join(tmp, "nothing.h5"))
    check(r.returncode == 2 and "cannot open" in r.stderr, f"missing file: {r.stderr}")
    r = hs("plot", sw, "-o", os.path.join(tmp, "m.svg"))
    check(r.returncode == 2 and "must end in .png" in r.stderr, f"not .png: {r.stderr}")
    r = subprocess.run([BIN, "plot", sw], capture_output=True, text=True,
                       env={**os.environ, "HEPATOSIM_PLOT_SCRIPT": "/nonexistent/hs_plot.py"})
    check(r.returncode == 1 and "cannot read the plotting script /nonexistent/hs_plot.py"
          in r.stderr, f"missing script: {r.stderr}")
    no_temporaries(tmp, "sweep plots")


def test_sensitivity_plots(tmp):
    """Bars with interval whiskers: Sobol' (ST and S1, sorted by ST) and Morris (mu*)."""
    sens = os.path.join(tmp, "sens.h5")
    r = hs("sensitivity", "fixtures/sweep/sens_sobol.yaml", "-o", sens, "-j", "1",
           "--metrics", "auc_plasma,cmax_plasma", "--quiet")
    check(r.returncode == 0, f"sensitivity: {r.stderr}")
    png = os.path.join(tmp, "sens.png")
    r = hs("plot", sens, "--drug", "b", "--metric", "cmax_plasma")
    check(r.returncode == 0 and r.stderr == f"wrote {png}\n", f"plot sensitivity: {r.stderr}")
    png_ok(png, "sensitivity bars")
    ax = fig_of(sens, "--drug", "b", "--metric", "cmax_plasma").axes[0]
    with h5py.File(sens, "r") as f:
        st, s1 = f["ST"][:, 1, 1], f["S1"][:, 1, 1]
        hi = f["ST_hi"][:, 1, 1]
        params = [p.decode() if isinstance(p, bytes) else p for p in f["parameter"][()]]
    order = np.argsort(-st, kind="stable")
    bars = [b.get_height() for b in ax.patches]
    check(np.allclose(bars, np.r_[st[order], s1[order]]), f"bar heights {bars}")
    check([t.get_text() for t in ax.get_xticklabels()] == [params[j] for j in order],
          "bars not sorted by ST")
    tops = sorted(max(seg[:, 1]) for c in ax.collections for seg in c.get_segments())
    check(any(abs(t - hi[order[0]]) < 1e-12 for t in tops), "no whisker at ST_hi")
    check(ax.get_ylabel() == "Sobol' index", f"y label {ax.get_ylabel()}")
    mscen = os.path.join(tmp, "morris.yaml")
    text = open("fixtures/sweep/sens_sobol.yaml").read()
    open(mscen, "w").write(text.replace("design: saltelli", "design: morris").replace(
        "runs: 64", "runs: 10"))
    morris = os.path.join(tmp, "morris.h5")
    r = hs("sensitivity", mscen, "-o", morris, "--metrics", "auc_plasma", "--quiet")
    check(r.returncode == 0, f"morris: {r.stderr}")
    r = hs("plot", morris, "-o", os.path.join(tmp, "morris.png"))
    check(r.returncode == 0, f"plot morris: {r.stderr}")
    png_ok(os.path.join(tmp, "morris.png"), "morris bars")
    ax = fig_of(morris).axes[0]
    with h5py.File(morris, "r") as f:
        mu = np.sort(f["mu_star"][:, 0, 0])[::-1]
    check(np.allclose([b.get_height() for b in ax.patches], mu), "morris bar heights")
    r = hs("plot", sens, "-o", os.path.join(tmp, "x.png"), "--metric", "auc_tumor")
    check(r.returncode == 2 and "no metric 'auc_tumor' (has: auc_plasma, cmax_plasma)" in r.stderr,
          f"sensitivity: unknown metric {r.stderr}")
    no_temporaries(tmp, "sensitivity plots")


def test_info_quantiles(tmp):
    """Exact quantiles on known values: auc_tumor replaced by 1..20 with the 7 failed runs
    NaN, so the 13 values left are 1..20 less those seven."""
    sw = os.path.join(tmp, "q.h5")
    r = hs("sweep", "fixtures/sweep/invalid.yaml", "-o", sw, "-j", "1", "--quiet")
    check(r.returncode == 0, f"sweep: {r.stderr}")
    with h5py.File(sw, "r+") as f:
        failed = f["status"][:] != 0
        v = np.arange(1.0, 21.0)
        v[failed] = np.nan
        f["auc_tumor"][:, 0] = v
    kept = np.sort(v[~np.isnan(v)])
    r = hs("info", sw)
    check(r.returncode == 0, f"info: {r.stderr}")
    m = re.search(r"\nquantiles over the runs done .*\n.*\n((?:.*\n)*)", r.stdout)
    check(m is not None, "no quantiles section")
    rows = {ln.split()[0]: ln.split() for ln in (m.group(1).splitlines() if m else [])}
    got = rows.get("auc_tumor", [])
    want = [f"{q:.6g}" for q in np.percentile(kept, [5, 25, 50, 75, 95])]
    check(got[1:3] == ["s1_linear", "mg*h/L"] and got[3:] == want, f"quantiles {got} != {want}")
    # by hand for one case: 13 values, p = 25 %: h = 3, the 4th smallest exactly
    check(got[4:5] == [f"{kept[3]:.6g}"], f"25 % is not the 4th value: {got}")
    check(rows.get("auc_liver_uncovered", [])[3:] == ["-"] * 5, "all-NaN metric not '-'")


def readme_block(name):
    text = open(os.path.join(HERE, "..", "README.md")).read()
    m = re.search(rf"<!-- {name}: begin -->\n```python\n(.*?)```\n<!-- {name}: end -->", text,
                  re.S)
    return m.group(1) if m else None


def test_readme_tidy(tmp):
    """The README's tidy-data-frame snippet, run as written on a fixture sweep."""
    sw = os.path.join(tmp, "lhs.h5")
    r = hs("sweep", "fixtures/sweep/invalid.yaml", "-o", sw, "-j", "1", "--quiet")
    check(r.returncode == 0, f"sweep: {r.stderr}")
    code = readme_block("tidy-python")
    check(code is not None, "README has no tidy-python block")
    if code is None:
        return
    ns = {}
    cwd = os.getcwd()
    os.chdir(tmp)
    shutil.copy(sw, "sweep.h5")
    try:
        exec(compile(code, "README.md:tidy-python", "exec"), ns)
    finally:
        os.chdir(cwd)
    df = ns.get("df")
    check(df is not None and len(df) == 13, f"tidy frame rows {None if df is None else len(df)}")
    if df is None:
        return
    for col in ("run", "drug", "tumor.volume", "tumor.perfusion", "auc_tumor"):
        check(col in df.columns, f"tidy frame has no column {col}")
    with h5py.File(sw, "r") as f:
        ok = f["status"][:] == 0
        check(list(df["run"]) == list(np.flatnonzero(ok)), "tidy frame runs")
        check(np.array_equal(df["auc_tumor"].to_numpy(), f["auc_tumor"][:, 0][ok]),
              "tidy frame auc_tumor")


with tempfile.TemporaryDirectory() as tmp:
    for t in (test_run_plots, test_sweep_plots, test_sensitivity_plots, test_info_quantiles,
              test_readme_tidy):
        sub = os.path.join(tmp, t.__name__)
        os.mkdir(sub)
        t(sub)

report("plot/info/readme python")
