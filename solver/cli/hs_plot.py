#!/usr/bin/python3
"""hs_plot.py - `hepatosim plot FILE.h5 [-o OUT.png] [options]`: one PNG from a run file
(`hepatosim run -o`) or a sweep file (`hepatosim sweep`). Started by the hepatosim binary
(solver/cli/cli_plot.c) with Debian's /usr/bin/python3, python3-h5py and
python3-matplotlib; it can also be run by hand with the same arguments.

- run file: tumour, normal-liver and plasma concentration against time, one panel per
  drug (--drug: one only); a comparator's series stored as `<series>_iv` beside them are
  drawn dashed; --log for a logarithmic concentration axis.
- sweep file: a metric (--metric, default regional_advantage when the sweep has the IV
  comparator, else auc_tumor) of one drug against one swept parameter (--x; scatter) or
  two (--x and --y; a heat map on a grid design, points coloured by the metric
  otherwise), over the runs with status 0.

- sensitivity file (`hepatosim sensitivity`): the indices of one metric (--metric, default
  the first) of one drug as bars with their bootstrap intervals as whiskers, parameters
  sorted by the total index: S1 and ST side by side (Sobol'), or mu* (Morris).

The PNG goes to a temporary name beside OUT and is renamed when complete; an existing OUT
is replaced only with --force. Exit status: 0 success, 2 bad input (unreadable file, unknown
drug, metric or parameter, existing output), 1 other failure."""
import argparse
import os
import sys

USAGE = """usage: hepatosim plot FILE.h5 [-o OUT.png] [--force] [--drug NAME] [--log]
                      [--metric NAME] [--x PARAM] [--y PARAM]

Draws a run file's time courses (tumour, liver, plasma; --log for a log axis), a sweep
file's metric against one or two swept parameters (scatter; heat map for two), or a
sensitivity file's indices of one metric and drug as bars with 95 % interval whiskers.

  -o, --output OUT.png  the figure (default: FILE with .png in place of .h5)
      --force           replace an existing OUT.png
      --drug NAME       the drug to draw (run: default all; sweep: default the first)
      --log             logarithmic concentration (run) or metric (sweep) axis
      --metric NAME     sweep: the metric (default regional_advantage, else auc_tumor);
                        sensitivity: the metric (default the first analysed)
      --x PARAM         sweep: the parameter on the x axis (default: the first swept)
      --y PARAM         sweep: a second parameter: heat map of the metric
  -h, --help            this help

Exit status: 0 success, 2 bad input (file, drug, metric, parameter, existing output),
1 other failure.
"""

RUN_SERIES = (("tumor", "tumour"), ("liver", "liver"), ("plasma", "plasma"))
NOT_PARAMS = {"run", "status", "drug", "time", "reason"}


class BadInput(Exception):
    """A user error: exit status 2."""


def parse(argv):
    p = argparse.ArgumentParser(prog="hepatosim plot", add_help=False, usage=USAGE)
    p.add_argument("file")
    p.add_argument("-o", "--output")
    p.add_argument("--force", action="store_true")
    p.add_argument("--drug")
    p.add_argument("--log", action="store_true")
    p.add_argument("--metric")
    p.add_argument("--x")
    p.add_argument("--y")
    if any(a in ("-h", "--help") for a in argv):
        sys.stdout.write(USAGE)
        sys.exit(0)
    try:
        a, rest = p.parse_known_args(argv)
    except SystemExit:
        raise BadInput("bad arguments (see 'hepatosim plot --help')")
    if rest:
        raise BadInput(f"unknown or incomplete option {rest[0]} (see 'hepatosim plot --help')")
    if a.output is None:
        base = a.file[:-3] if a.file.endswith(".h5") else a.file
        a.output = base + ".png"
    if not a.output.endswith(".png"):
        raise BadInput(f"output must end in .png: {a.output}")
    return a


def drug_names(names):
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


def pick(choice, available, what, path):
    if choice not in available:
        raise BadInput(f"{path}: no {what} '{choice}' (has: {', '.join(available) or 'none'})")
    return choice


def plot_run(f, a, plt):
    drugs = list(f["drugs"].keys())
    if a.drug:
        drugs = [pick(a.drug, drugs, "drug", a.file)]
    if not drugs:
        raise BadInput(f"{a.file}: the run file holds no drug")
    fig, axes = plt.subplots(len(drugs), 1, figsize=(7, 3.2 * len(drugs)), squeeze=False)
    for ax, name in zip(axes[:, 0], drugs):
        g = f["drugs"][name]
        if "time" not in g or "tumor" not in g:
            raise BadInput(f"{a.file}: drug '{name}' has no time courses")
        t = g["time"][:]
        for i, (key, label) in enumerate(RUN_SERIES):
            color = f"C{i}"
            y = g[key][:]
            ax.plot(t, y, color=color, label=label)
            if key + "_iv" in g:
                ax.plot(t, g[key + "_iv"][:], color=color, ls="--", label=label + " (IV)")
        if a.log:  # six decades below the peak: the washout tails, not the solver's noise
            ax.set_yscale("log")
            top = max(float(g[k][:].max()) for k, _ in RUN_SERIES)
            if top > 0:
                ax.set_ylim(top * 1e-6, top * 2)
        ax.set_title(name)
        ax.set_xlabel("time (h)")
        ax.set_ylabel("concentration (mg/L)")
        ax.legend(fontsize="small")
    return fig


def units_of(ds):
    u = ds.attrs.get("units", "")
    return u.decode() if isinstance(u, bytes) else str(u)


def label(name, ds):
    u = units_of(ds)
    return f"{name} ({u})" if u and u != "1" else name


def sweep_vars(f):
    n = int(f.attrs["n_runs"])
    params, metrics = [], []
    for name, ds in f.items():
        if name in NOT_PARAMS or not hasattr(ds, "dtype") or ds.dtype.kind != "f":
            continue
        if ds.shape == (n,):
            params.append(name)
        elif len(ds.shape) == 2 and ds.shape[0] == n:
            metrics.append(name)
    return params, metrics


def default_metric(f, metrics):
    for m in ("regional_advantage", "auc_tumor"):
        if m in metrics and (f[m][:] == f[m][:]).any():
            return m
    return metrics[0]


def on_grid(x, y):
    import numpy as np
    ux, uy = np.unique(x), np.unique(y)
    return len(ux) * len(uy) == len(x) and len(x) == len(set(zip(x, y)))


def heat(ax, fig, x, y, z, ok, zlabel, log):
    """x, y, z over every run done; ok: the runs with status 0 (the others stay empty)."""
    import numpy as np
    from matplotlib.colors import LogNorm
    norm = LogNorm() if log else None
    z = np.where(ok, z, np.nan)
    if on_grid(x, y):
        ux, uy = np.unique(x), np.unique(y)
        grid = np.full((len(uy), len(ux)), np.nan)
        grid[np.searchsorted(uy, y), np.searchsorted(ux, x)] = z
        im = ax.pcolormesh(ux, uy, grid, shading="nearest", norm=norm)
    else:
        im = ax.scatter(x[ok], y[ok], c=z[ok], s=12, norm=norm)
    fig.colorbar(im, ax=ax, label=zlabel)


def plot_sweep(f, a, plt):
    params, metrics = sweep_vars(f)
    drugs = drug_names(f["drug"][:])
    if not params or not metrics:
        raise BadInput(f"{a.file}: the sweep file holds no parameter or no metric")
    metric = pick(a.metric, metrics, "metric", a.file) if a.metric else default_metric(f, metrics)
    drug = pick(a.drug, drugs, "drug", a.file) if a.drug else drugs[0]
    xn = pick(a.x, params, "parameter", a.file) if a.x else params[0]
    yn = pick(a.y, params, "parameter", a.file) if a.y else None
    done = int(f.attrs["runs_done"])
    ok = f["status"][:done] == 0
    if not ok.any():
        raise BadInput(f"{a.file}: no run succeeded (see /status and /reason)")
    z = f[metric][:done, drugs.index(drug)]
    x = f[xn][:done]
    zlabel = label(metric, f[metric]) + f", {drug}"
    fig, ax = plt.subplots(figsize=(7, 5))
    if yn is None:
        ax.scatter(x[ok], z[ok], s=12)
        ax.set_ylabel(zlabel)
        if a.log:
            ax.set_yscale("log")
    else:
        heat(ax, fig, x, f[yn][:done], z, ok, zlabel, a.log)
        ax.set_ylabel(label(yn, f[yn]))
    ax.set_xlabel(label(xn, f[xn]))
    ax.set_title(f"{os.path.basename(a.file)}: {int(ok.sum())} of {len(ok)} runs")
    return fig


def strings(ds):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in ds[:]]


def whiskers(v, lo, hi):
    """matplotlib's yerr (2 x n, non-negative) of an interval [lo, hi] around v."""
    import numpy as np
    return np.nan_to_num(np.vstack([np.maximum(v - lo, 0), np.maximum(hi - v, 0)]))


def plot_sensitivity(f, a, plt):
    """Bars of one metric's indices for one drug, sorted by the total index (mu*)."""
    import numpy as np
    params, metrics, drugs = strings(f["parameter"]), strings(f["metric"]), strings(f["drug"])
    metric = pick(a.metric, metrics, "metric", a.file) if a.metric else metrics[0]
    drug = pick(a.drug, drugs, "drug", a.file) if a.drug else drugs[0]
    m, k = metrics.index(metric), drugs.index(drug)
    sobol = str(f.attrs["method"]) == "sobol"
    names = [("ST", "total ST"), ("S1", "first order S1")] if sobol else [("mu_star", "mu*")]
    val = {n: f[n][:, m, k] for n, _ in names}
    order = np.argsort(-np.nan_to_num(val[names[0][0]], nan=-np.inf), kind="stable")
    x = np.arange(len(params))
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(params) + 2), 5))
    for i, (n, lab) in enumerate(names):
        v = val[n][order]
        err = whiskers(v, f[n + "_lo"][:, m, k][order], f[n + "_hi"][:, m, k][order])
        ax.bar(x + (i - (len(names) - 1) / 2) * width, np.nan_to_num(v), width, yerr=err,
               capsize=4, label=lab, color=f"C{i}")
    ax.set_xticks(x)
    ax.set_xticklabels([params[j] for j in order], rotation=30, ha="right", fontsize="small")
    level = float(f.attrs["confidence_level"]) * 100
    unit = strings(f["metric_units"])[m]
    ax.set_ylabel("Sobol' index" if sobol else f"mu* ({unit} per range)")
    ax.set_title(f"{metric}, {drug}: {int(f['n_used'][m, k])} of {int(f.attrs['n_base'])} "
                 f"{'samples' if sobol else 'trajectories'}; whiskers {level:g} % intervals",
                 fontsize="medium")
    ax.axhline(0, color="black", lw=0.5)
    ax.legend(fontsize="small")
    return fig


def draw(a):
    import h5py
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    try:
        f = h5py.File(a.file, "r")
    except OSError as e:
        raise BadInput(f"cannot open {a.file} as HDF5: {e}")
    with f:
        if "drugs" in f:
            fig = plot_run(f, a, plt)
        elif "n_runs" in f.attrs and "status" in f:
            fig = plot_sweep(f, a, plt)
        elif "method" in f.attrs and "parameter" in f:
            fig = plot_sensitivity(f, a, plt)
        else:
            raise BadInput(f"{a.file}: neither a run file (/drugs), a sweep file (/status) "
                           "nor a sensitivity file (/parameter)")
    fig.tight_layout()
    return fig


def save(fig, out, force):
    if os.path.exists(out) and not force:
        raise BadInput(f"{out} exists; use --force to overwrite")
    tmp = f"{out}.tmp.{os.getpid()}.png"
    try:
        fig.savefig(tmp, dpi=100)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv):
    try:
        a = parse(argv)
        if os.path.exists(a.output) and not a.force:
            raise BadInput(f"{a.output} exists; use --force to overwrite")
        save(draw(a), a.output, a.force)
    except BadInput as e:
        print(f"hepatosim: error: {e}", file=sys.stderr)
        return 2
    except (OSError, KeyError, ValueError) as e:
        print(f"hepatosim: error: plot: {e}", file=sys.stderr)
        return 1
    print(f"wrote {a.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
