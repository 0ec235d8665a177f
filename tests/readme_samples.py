#!/usr/bin/python3
"""readme_samples.py - the README's sample outputs, produced from real runs.

Each sample sits between `<!-- sample: NAME -->` and `<!-- sample end -->` in README.md and
is the output of a command of the built binary (excerpted where the README shows a part).
`make test` runs this with --check: it regenerates every sample and fails, showing the
difference, when the README's copy differs. After a change that moves a number, run
`tests/readme_samples.py --write` from the repository root to paste the new output.
Usage: readme_samples.py [--bin build/hepatosim] [--check | --write]"""
import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"(<!-- sample: ([\w-]+) -->\n)(.*?)(<!-- sample end -->)", re.S)
TABLE_ROWS = ("auc_plasma", "auc_tumor", "auc_liver", "auc_tumor_venous", "...",
              "regional_advantage", "...")
JSON_KEYS = ("auc_plasma", "auc_tumor", "auc_tumor_venous", "regional_advantage", "dosed_mg")


def run(binary, *args):
    r = subprocess.run([binary, *args], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"readme_samples: {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout


def indent(lines):
    return "".join(f"    {ln}\n" if ln else "\n" for ln in lines)


def run_table(binary):
    """`make run`'s table: the heading, the header and a few metric rows."""
    lines = run(binary, "run", "scenarios/default.yaml").splitlines()
    head = lines[:4]  # scenario, description, blank, column names
    rows = {ln.split()[0]: ln for ln in lines[4:] if ln.strip()}
    return indent(head + [rows.get(k, "...") if k != "..." else "..." for k in TABLE_ROWS])


def run_json(binary):
    """`run --json`: a few metrics of the real output, as the program writes them."""
    out = run(binary, "run", "scenarios/default.yaml", "--json")
    json.loads(out)  # the whole output is valid JSON
    lines = out.splitlines()
    drug = re.search(r'^    "(\w+)": \{$', out, re.M).group(1)
    picked = [ln.rstrip(",") for ln in lines if re.match(r'^      "(\w+)":', ln)
              and ln.split('"')[1] in JSON_KEYS]
    body = ",\n".join(picked)
    return (f'```json\n{{\n  "drugs": {{\n    "{drug}": {{\n{body}\n    }}\n  }}\n}}\n```\n')


def compare_table(binary):
    """`compare` of two scenarios: the table without its footnotes."""
    out = run(binary, "compare", "tests/fixtures/compare/cycles.yaml",
              "scenarios/reference/s2.yaml")
    return indent(out.split("\n\n")[0].splitlines())


def walk_info(binary):
    """The walk-through's patient table: `info` down to the first metric rows."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "patients.h5")
        run(binary, "sweep", "scenarios/patients/oxaliplatin_patients.yaml", "-o", out, "--quiet")
        lines = run(binary, "info", out).replace(out, "output/walk/patients.h5").splitlines()
    end = next(i for i, ln in enumerate(lines) if ln.startswith("metric"))
    picked = [ln for ln in lines[end + 1:] if ln.split()[:2] in (["auc_tumor", "oxaliplatin"],
                                                                 ["auc_plasma", "oxaliplatin"])]
    return indent(lines[:end + 1] + picked + ["..."])


def walk_sens(binary):
    """The walk-through's Sobol' table: the heading and oxaliplatin's two metrics."""
    with tempfile.TemporaryDirectory() as tmp:
        out = run(binary, "sensitivity", "scenarios/sweeps/oxaliplatin_sensitivity.yaml", "-o",
                  os.path.join(tmp, "sens.h5"), "--metrics", "auc_tumor,regional_advantage",
                  "--quiet")
    blocks = out.split("\n\n")
    keep = [blocks[0]] + [b for b in blocks[1:] if " of oxaliplatin:" in b.splitlines()[0]]
    return indent("\n\n".join(keep).rstrip("\n").splitlines())


SAMPLES = {"run-table": run_table, "run-json": run_json, "compare-table": compare_table,
           "walk-info": walk_info, "walk-sens": walk_sens}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default="build/hepatosim")
    p.add_argument("--write", action="store_true", help="paste the samples into README.md")
    p.add_argument("--check", action="store_true", help="fail when README.md differs (default)")
    a = p.parse_args()
    binary = os.path.abspath(a.bin)
    path = os.path.join(ROOT, "README.md")
    text = open(path, encoding="utf-8").read()
    found, bad = set(), []

    def fill(m):
        name = m.group(2)
        found.add(name)
        if name not in SAMPLES:
            bad.append(f"unknown sample '{name}'")
            return m.group(0)
        new = SAMPLES[name](binary)
        if new != m.group(3):
            bad.append(f"sample '{name}' differs from the program's output:\n" + "".join(
                difflib.unified_diff(m.group(3).splitlines(True), new.splitlines(True),
                                     "README.md", "program")))
        return m.group(1) + new + m.group(4)

    new_text = BLOCK.sub(fill, text)
    bad += [f"README.md has no sample '{n}'" for n in SAMPLES if n not in found]
    if a.write:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(new_text)
        os.replace(path + ".tmp", path)
        print(f"readme_samples: wrote {len(found)} samples into README.md")
        return 0
    for b in bad:
        print("FAIL:", b)
    print(f"readme samples: {len(SAMPLES) - len(bad)} of {len(SAMPLES)} match the program")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
