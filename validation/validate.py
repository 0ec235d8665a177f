#!/usr/bin/python3
"""validate.py - run hepatosim's qualification suite against published observations.

Every file in validation/observations/ describes one study and its observations (format:
validation/SCHEMA.md). For each observation this runs its scenario(s) with the built
hepatosim, evaluates the entry's model expression, and compares the result with the
published value and range.

  validate.py [--bin build/hepatosim] [--out output/validation] [--only ID]... [-j N]
              [--no-plots] [--check] [--update-baseline]

--check: run only the observations that validation/baseline.yaml records as inside their
published range and exit 1 if any has left it (make test runs this).
--update-baseline: write validation/baseline.yaml from this run (the observations inside
their range now).
"""
import argparse
import ast
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OBS_DIR = os.path.join(HERE, "observations")
SCN_DIR = os.path.join(HERE, "scenarios")
BASELINE = os.path.join(HERE, "baseline.yaml")

REQUIRED_STUDY = ("id", "citation", "url", "species", "population")
REQUIRED_OBS = ("id", "drug", "setting", "dose", "measured", "where", "value", "unit",
                "range", "range_kind", "scenario", "model")
SETTINGS = ("iv", "hai", "pv", "dsm", "ctace", "deb_tace", "php", "tracer")


class EntryError(Exception):
    """An entry that cannot be evaluated: names the file and the observation."""


# ---- loading ----------------------------------------------------------------------------

def load_studies(only):
    studies = []
    for name in sorted(os.listdir(OBS_DIR)):
        if not name.endswith(".yaml"):
            continue
        path = os.path.join(OBS_DIR, name)
        with open(path) as fh:
            doc = yaml.safe_load(fh)
        check_study(doc, path)
        obs = [o for o in doc["observations"]
               if not only or o["id"] in only or doc["study"]["id"] in only]
        if obs:
            studies.append((path, doc["study"], obs))
    return studies


def check_study(doc, path):
    where = os.path.relpath(path, ROOT)
    if not isinstance(doc, dict) or "study" not in doc or "observations" not in doc:
        raise EntryError(f"{where}: needs 'study:' and 'observations:'")
    for k in REQUIRED_STUDY:
        if k not in doc["study"]:
            raise EntryError(f"{where}: study.{k} is required")
    if "pmid" not in doc["study"] and "doi" not in doc["study"]:
        raise EntryError(f"{where}: study.pmid or study.doi is required")
    for o in doc["observations"]:
        for k in REQUIRED_OBS:
            if k not in o:
                raise EntryError(f"{where}: observation {o.get('id', '?')}: '{k}' is required")
        if o["setting"] not in SETTINGS:
            raise EntryError(f"{where}: {o['id']}: setting '{o['setting']}' is not one of "
                             + ", ".join(SETTINGS))
        if o["range"] is None:  # only a central value was published
            continue
        lo, hi = o["range"]
        if not lo <= hi:
            raise EntryError(f"{where}: {o['id']}: range [{lo}, {hi}] is not increasing")


def fitted_values():
    """{observation id: [library values fitted to it]} from `fitted_to:` in model/data."""
    out = {}
    data = os.path.join(ROOT, "model", "data")
    for dirpath, _, files in os.walk(data):
        for name in sorted(files):
            if not name.endswith(".yaml"):
                continue
            path = os.path.join(dirpath, name)
            with open(path) as fh:
                doc = yaml.safe_load(fh)
            walk_fitted(doc, os.path.relpath(path, ROOT), [], out)
    return out


def walk_fitted(node, file, keys, out):
    if isinstance(node, dict):
        if "fitted_to" in node:
            ids = node["fitted_to"]
            for i in ids if isinstance(ids, list) else [ids]:
                out.setdefault(i, []).append(f"{file}: {'.'.join(keys)}")
        for k, v in node.items():
            walk_fitted(v, file, keys + [str(k)], out)


# ---- running scenarios ------------------------------------------------------------------

class Run:
    """One scenario run: its metrics per drug and, on demand, its time courses."""

    def __init__(self, metrics, csvdir):
        self.metrics = metrics
        self.csvdir = csvdir
        self._series = {}

    def series(self, drug, column):
        if drug not in self._series:
            path = os.path.join(self.csvdir, drug + ".csv")
            if not os.path.exists(path):
                raise EntryError(f"no time course for drug '{drug}'")
            with open(path) as fh:
                rows = list(csv.DictReader(fh))
            self._series[drug] = rows
        rows = self._series[drug]
        key = None
        for k in rows[0]:
            if k == column or k.startswith(column + "_mg") or k == column + "_mg":
                key = k
                break
        if key is None:
            raise EntryError(f"no column '{column}' in the time course of '{drug}' "
                             f"(has {', '.join(rows[0])})")
        return [float(r["time_h"]) for r in rows], [float(r[key]) for r in rows]


def run_scenario(binary, scenario, workdir):
    path = os.path.join(SCN_DIR, scenario)
    if not os.path.exists(path):
        raise EntryError(f"scenario {os.path.relpath(path, ROOT)} does not exist")
    csvdir = os.path.join(workdir, scenario.replace("/", "_")[:-5])
    p = subprocess.run([binary, "run", path, "--json", "--csv", csvdir],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise EntryError(f"hepatosim run {os.path.relpath(path, ROOT)} exited "
                         f"{p.returncode}: {p.stderr.strip()}")
    return Run(json.loads(p.stdout)["drugs"], csvdir)


# ---- the model expression ---------------------------------------------------------------

ALLOWED_BIN = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
               ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
               ast.Pow: lambda a, b: a ** b}


def interp(ts, vs, t):
    if t <= ts[0]:
        return vs[0]
    for i in range(1, len(ts)):
        if ts[i] >= t:
            w = (t - ts[i - 1]) / (ts[i] - ts[i - 1]) if ts[i] > ts[i - 1] else 1.0
            return vs[i - 1] + w * (vs[i] - vs[i - 1])
    raise EntryError(f"time {t} h is after the end of the simulation ({ts[-1]} h)")


def window(ts, vs, a, b):
    pts = [(t, v) for t, v in zip(ts, vs) if a <= t <= b]
    if len(pts) < 2:
        raise EntryError(f"fewer than 2 output points in [{a}, {b}] h")
    return pts


class Evaluator:
    def __init__(self, obs, runs):
        self.obs, self.runs = obs, runs

    def metric(self, run, drug, name):
        r = self.runs[run]
        if drug not in r.metrics:
            raise EntryError(f"drug '{drug}' not in run '{run}' (has {', '.join(r.metrics)})")
        if name not in r.metrics[drug]:
            raise EntryError(f"no metric '{name}' for {drug} in run '{run}'")
        v = r.metrics[drug][name]
        if v is None:
            raise EntryError(f"metric '{name}' of {drug} in run '{run}' is null")
        return float(v)

    def series(self, column, run="main", drug=None):
        return self.runs[run].series(drug or self.obs["drug"], column)

    def call(self, node):
        fname = node.func.id if isinstance(node.func, ast.Name) else None
        args = [self.eval(a) for a in node.args]
        if fname in ("min", "max"):
            return (min if fname == "min" else max)(args)
        if fname in ("log", "exp", "sqrt"):
            return getattr(math, fname)(args[0])
        if fname == "at":
            col, t, *rest = args
            return interp(*self.series(col, *rest), t)
        if fname in ("auc", "cmax"):
            col, a, b, *rest = args
            pts = window(*self.series(col, *rest), a, b)
            if fname == "cmax":
                return max(v for _, v in pts)
            return sum((t2 - t1) * (v1 + v2) / 2 for (t1, v1), (t2, v2) in zip(pts, pts[1:]))
        raise EntryError(f"unknown function '{fname}' in the model expression")

    def attribute(self, node):
        # run.metric, drug('x').metric, run.drug('x')... kept to the two documented forms
        if isinstance(node.value, ast.Name):
            if node.value.id not in self.runs:
                raise EntryError(f"no run '{node.value.id}' (runs: {', '.join(self.runs)})")
            return self.metric(node.value.id, self.obs["drug"], node.attr)
        if (isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "drug"):
            args = [self.eval(a) for a in node.value.args]
            return self.metric(args[1] if len(args) > 1 else "main", args[0], node.attr)
        raise EntryError("unsupported attribute in the model expression")

    def eval(self, node):
        if isinstance(node, ast.Expression):
            return self.eval(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in ALLOWED_BIN:
            return ALLOWED_BIN[type(node.op)](self.eval(node.left), self.eval(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.eval(node.operand)
        if isinstance(node, ast.Name):
            return self.metric("main", self.obs["drug"], node.id)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise EntryError(f"unsupported element '{ast.dump(node)[:40]}' in the model expression")


def evaluate(obs, runs):
    try:
        tree = ast.parse(str(obs["model"]), mode="eval")
    except SyntaxError as e:
        raise EntryError(f"model expression: {e.msg}")
    return float(Evaluator(obs, runs).eval(tree))


# ---- comparing --------------------------------------------------------------------------

def compare(obs, model):
    value = float(obs["value"])
    if str(obs["unit"]) == "1" and abs(model) < 1e-6:
        model = 0.0  # a dimensionless difference of equal AUCs: round-off, not a value
    rng = obs["range"]
    res = {"model": model, "inside": None if rng is None else rng[0] <= model <= rng[1]}
    if value > 0 and model > 0:
        res["fold"] = model / value
        res["within2"] = 0.5 <= model / value <= 2.0
    else:  # a zero or negative quantity: no fold error; 2-fold means the range test
        res["fold"] = None
        res["within2"] = bool(res["inside"])
    return res


def summarise(rows):
    def line(sel):
        n = len(sel)
        folds = [abs(math.log(r["fold"])) for r in sel if r.get("fold")]
        ranged = [r for r in sel if r["inside"] is not None]
        return {"n": n, "n_range": len(ranged),
                "inside": sum(r["inside"] for r in ranged),
                "within2": sum(r["within2"] for r in sel),
                "gmfe": math.exp(sum(folds) / len(folds)) if folds else float("nan")}
    ok = [r for r in rows if "error" not in r]
    per_drug = {}
    for r in ok:
        per_drug.setdefault(r["drug"], []).append(r)
    return {"overall": line(ok), "independent": line([r for r in ok if not r.get("fitted")]),
            "drugs": {d: line(v) for d, v in sorted(per_drug.items())}}


# ---- report -----------------------------------------------------------------------------

def fmt(x):
    if x is None:
        return "-"
    if x == 0 or (1e-3 <= abs(x) < 1e5):
        return f"{x:.3g}"
    return f"{x:.3e}"


def pct(k, n):
    return f"{k}/{n} ({100.0 * k / n:.0f} %)" if n else "0/0"


def summary_table(summ):
    out = ["| drug | observations | inside published range (of those with one) | within 2-fold | GMFE |",
           "|---|---|---|---|---|"]
    for d, s in list(summ["drugs"].items()) + [("**all**", summ["overall"]),
                                               ("**all, not fitted**", summ["independent"])]:
        out.append(f"| {d} | {s['n']} | {pct(s['inside'], s['n_range'])} | "
                   f"{pct(s['within2'], s['n'])} | {s['gmfe']:.2f} |")
    return out


def write_report(path, rows, summ, binary):
    L = ["# hepatosim validation report", "",
         f"Generated by `validation/validate.py` with `{os.path.relpath(binary, ROOT)}` "
         f"({version(binary)}). One row per published observation; model = the entry's "
         "model expression on its scenario(s); fold = model / measured; GMFE = geometric "
         "mean fold error, exp(mean |ln(model / measured)|).", "",
         "## Summary", ""] + summary_table(summ) + [""]
    L += ["Plots: `pred_vs_obs.png` (predicted vs observed, log axes, 2-fold lines) and "
          "`curves/<observation>.png` (the model's time course over published points).", ""]
    L += ["## Observations", "",
          "| observation | drug | setting | measured | model | unit | range | fold | inside | 2-fold |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            L.append(f"| {r['id']} | {r['drug']} | {r['setting']} | {fmt(r['value'])} | "
                     f"ERROR | {r['unit']} | | | | |")
            continue
        rng = "-".join(fmt(x) for x in r["range"]) if r["range"] else "not published"
        inside = "n/a" if r["inside"] is None else "yes" if r["inside"] else "no"
        mark = " (fitted)" if r["fitted"] else ""
        L.append(f"| {r['id']}{mark} | {r['drug']} | {r['setting']} | {fmt(r['value'])} | "
                 f"{fmt(r['model'])} | {r['unit']} | {rng} | {fmt(r['fold'])} | {inside} | "
                 f"{'yes' if r['within2'] else 'no'} |")
    out = [r for r in rows if "error" not in r and (r["inside"] is False or
                                                    (r["inside"] is None and not r["within2"]))]
    L += ["", "## Outside the published range (or, without one, beyond 2-fold), and why", ""]
    if not out:
        L.append("None.")
    for r in out:
        reason = r.get("outside_reason") or "(no reason recorded in the entry)"
        rng = f"[{fmt(r['range'][0])}, {fmt(r['range'][1])}]" if r["range"] else "(no range)"
        L.append(f"- **{r['id']}** (model {fmt(r['model'])} vs {fmt(r['value'])} {rng} "
                 f"{r['unit']}): {reason}")
    fit = [r for r in rows if r.get("fitted")]
    L += ["", "## Observations the library was fitted to", "",
          "Agreement here is by construction, not a test of the model: a library value "
          "carries `fitted_to: <observation>`, or the entry's `fitted:` names a scenario "
          "input set from the observation.", ""]
    L += [f"- **{r['id']}**: " + "; ".join(r["fitted"]) for r in fit] or ["None."]
    errs = [r for r in rows if "error" in r]
    if errs:
        L += ["", "## Entries that could not be evaluated", ""]
        L += [f"- **{r['id']}**: {r['error']}" for r in errs]
    L += ["", "## Sources", ""]
    seen = set()
    for r in rows:
        if r["study"] not in seen:
            seen.add(r["study"])
            ident = f"PMID {r['pmid']}" if r.get("pmid") else f"doi:{r.get('doi')}"
            L.append(f"- `{r['study']}`: {r['citation']} ({ident}; {r['species']}; "
                     f"{r['population']})")
    atomic_text(path, "\n".join(L) + "\n")


def atomic_text(path, text):
    """Write a whole file under a temporary name, then rename it into place."""
    tmp = path + ".partial"
    with open(tmp, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def save_png(fig, path, dpi):
    tmp = path + ".partial.png"
    fig.savefig(tmp, dpi=dpi)
    os.replace(tmp, path)


def version(binary):
    p = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return p.stdout.strip() or "unknown version"


def plots(outdir, rows, runs_of):
    import warnings
    import matplotlib
    matplotlib.use("Agg")
    warnings.filterwarnings("ignore", message=".*tight_layout.*")
    import matplotlib.pyplot as plt
    ok = [r for r in rows if "error" not in r and r["value"] > 0 and r["model"] > 0]
    fig, ax = plt.subplots(figsize=(7, 6.5))
    drugs = sorted({r["drug"] for r in ok})
    markers = "osD^v<>pPhX*"
    cmap = plt.get_cmap("tab20")
    for i, d in enumerate(drugs):
        sel = [r for r in ok if r["drug"] == d]
        ax.scatter([r["value"] for r in sel], [r["model"] for r in sel], label=d,
                   marker=markers[i % len(markers)], color=cmap(i % 20), s=36,
                   edgecolors="k", linewidths=0.4)
    # each quantity in its own unit: plot the ratio to the observation's scale
    lo = min(min(r["value"], r["model"]) for r in ok) / 2
    hi = max(max(r["value"], r["model"]) for r in ok) * 2
    ax.plot([lo, hi], [lo, hi], "k-", lw=1)
    ax.plot([lo, hi], [2 * lo, 2 * hi], "k--", lw=0.8)
    ax.plot([lo, hi], [lo / 2, hi / 2], "k--", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("observed (published value, in the observation's unit)")
    ax.set_ylabel("predicted by hepatosim")
    ax.set_title("hepatosim vs published observations (dashed: 2-fold)")
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    fig.tight_layout()
    save_png(fig, os.path.join(outdir, "pred_vs_obs.png"), 110)
    plt.close(fig)
    cdir = os.path.join(outdir, "curves")
    os.makedirs(cdir, exist_ok=True)
    for r in rows:
        c = r.get("curve")
        if not c or "error" in r:
            continue
        ts, vs = runs_of[r["id"]]["main"].series(c.get("drug", r["drug"]), c["column"])
        tmax = max(p[0] for p in c["points"]) * 1.1
        fig, ax = plt.subplots(figsize=(6, 4))
        sel = [(t, v) for t, v in zip(ts, vs) if t <= tmax]
        ax.plot([t for t, _ in sel], [v for _, v in sel], "b-", label="hepatosim")
        ax.plot([p[0] for p in c["points"]], [p[1] for p in c["points"]], "ko",
                label="published")
        ax.set_xlabel("time (h)")
        ax.set_ylabel(f"{c['column']} ({c.get('unit', 'mg/L')})")
        ax.set_title(r["id"] + "\n" + textwrap.fill(c.get("figure", ""), 90), fontsize=7)
        ax.legend(fontsize=7)
        fig.tight_layout()
        save_png(fig, os.path.join(cdir, r["id"] + ".png"), 100)
        plt.close(fig)


# ---- main -------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "hepatosim"))
    ap.add_argument("--out", default=os.path.join(ROOT, "output", "validation"))
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--update-baseline", action="store_true")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"validate.py: {binary} is not built (run make first)")
    only = set(a.only)
    guard = {}
    if a.check:
        with open(BASELINE) as fh:
            base = yaml.safe_load(fh)
        guard = {**{i: "inside" for i in base.get("inside") or []},
                 **{i: "within_2fold" for i in base.get("within_2fold") or []}}
        only = set(guard)
    try:
        studies = load_studies(only)
    except (EntryError, yaml.YAMLError, KeyError, TypeError, ValueError) as e:
        sys.exit(f"validate.py: {e}")
    items = [(path, st, o) for path, st, obs in studies for o in obs]
    if a.check:
        missing = only - {o["id"] for _, _, o in items}
        if missing:
            sys.exit("validate.py: baseline observations no longer in the suite: "
                     + ", ".join(sorted(missing)))
    scenarios = sorted({o["scenario"] for _, _, o in items} |
                       {s for _, _, o in items for s in (o.get("runs") or {}).values()})
    with tempfile.TemporaryDirectory() as tmp:
        results = {}

        def one(s):
            try:
                return s, run_scenario(binary, s, tmp)
            except EntryError as e:
                return s, e
        with ThreadPoolExecutor(max_workers=max(1, a.j)) as ex:
            for s, r in ex.map(one, scenarios):
                results[s] = r
        rows, runs_of = [], {}
        fitted = fitted_values()
        known = {o["id"] for _, _, o in items}
        if not only:
            stray = sorted(set(fitted) - known)
            if stray:
                sys.exit("validate.py: fitted_to names observations that do not exist: "
                         + ", ".join(f"{i} ({fitted[i][0]})" for i in stray))
        for path, st, o in items:
            row = {k: o.get(k) for k in ("id", "drug", "setting", "value", "unit", "range",
                                          "outside_reason", "curve")}
            row["fitted"] = fitted.get(o["id"], []) + ([o["fitted"]] if o.get("fitted") else [])
            row.update(study=st["id"], citation=st["citation"], pmid=st.get("pmid"),
                       doi=st.get("doi"), species=st["species"], population=st["population"])
            try:
                runs = {"main": o["scenario"], **(o.get("runs") or {})}
                rr = {}
                for k, s in runs.items():
                    if isinstance(results[s], EntryError):
                        raise results[s]
                    rr[k] = results[s]
                runs_of[o["id"]] = rr
                row.update(compare(o, evaluate(o, rr)))
            except (EntryError, ZeroDivisionError, ValueError, TypeError) as e:
                row["error"] = f"{os.path.relpath(path, ROOT)}: {e}"
            rows.append(row)
        summ = summarise(rows)
        os.makedirs(a.out, exist_ok=True)
        if not a.check:
            write_report(os.path.join(a.out, "report.md"), rows, summ, binary)
            atomic_text(os.path.join(a.out, "results.json"), json.dumps(
                {"summary": summ, "observations": [
                    {k: v for k, v in r.items() if k != "curve"} for r in rows]}, indent=1))
            if not a.no_plots:
                plots(a.out, rows, runs_of)
    if not a.check:
        for line in summary_table(summ):
            print(line)
    errs = [r for r in rows if "error" in r]
    for r in errs:
        print(f"error: {r['id']}: {r['error']}", file=sys.stderr)
    if a.update_baseline:
        ok = [r for r in rows if "error" not in r]
        text = ("# Observations inside their published range (inside), and those published\n"
                "# without a range that are within 2-fold (within_2fold): `make test` fails\n"
                "# when one leaves its band. Rewritten by `validate.py --update-baseline`\n"
                "# after a reviewed change of the model or the library.\n" + yaml.safe_dump({
                    "inside": sorted(r["id"] for r in ok if r["inside"]),
                    "within_2fold": sorted(r["id"] for r in ok
                                           if r["inside"] is None and r["within2"])},
                    default_flow_style=False))
        atomic_text(BASELINE, text)
    if a.check:
        left = [r for r in rows if "error" in r or
                not (r["inside"] if guard[r["id"]] == "inside" else r["within2"])]
        for r in left:
            why = r.get("error") or (f"model {fmt(r['model'])} {r['unit']} outside "
                                     f"{r['range']}")
            print(f"validation: {r['id']} left its band ({guard[r['id']]}): {why}",
                  file=sys.stderr)
        print(f"validation check: {len(rows) - len(left)} of {len(rows)} baseline "
              "observations still inside their band")
        return 1 if left else 0
    if not a.check:
        print(f"report: {os.path.relpath(os.path.join(a.out, 'report.md'), os.getcwd())}")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
