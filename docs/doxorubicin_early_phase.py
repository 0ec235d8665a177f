#!/usr/bin/python3
"""doxorubicin_early_phase.py - doxorubicin's first minutes in the model (issue 13).

Runs hepatosim itself (the reference adult, a 1-minute grid) and prints the plasma after a
50 mg bolus into the hepatic artery and into a vein:
- with the library's doxorubicin, recalibrated on 2026-12-03: fast tissues (rest of body,
  splanchnic) at Kp 0.3, fitted to the label's distribution half-life of about 5 min,
  and a permeability-limited liver (liver_permeability PS_L 56 L/h, CL_int 392 L/h),
  fitted to the IV / intrahepatic peak ratio 1.7 (validation: eksborg1985);
- as it was before (every tissue flow-limited, fast tissues Kp 5, CL_int 49 L/h, slow
  tissue 1570 L), given as overrides: the plasma then fell with a half-life of about half
  a minute and an arterial bolus peaked at 0.1 mg/L (Raoul 1992: 2.1 mg/L);
- the arterial bolus with PS_L 100 and 200 L/h (CL_int moved to keep the effective
  clearance PS CL / (PS + CL) = 49 L/h): the peak ratio the fit uses moves little, the
  arterial peak more.

Usage: /usr/bin/python3 docs/doxorubicin_early_phase.py [--bin build/hepatosim]
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

MINUTES = (1, 2, 3, 5, 10, 20, 60)

SCENARIO = """description: "doxorubicin 50 mg bolus, early phase"
patient:
  weight: 70 kg
  height: 176 cm
drugs:
  doxorubicin:
{extra}    regimen:
      - {{route: {route}, dose: 50 mg, start: 0 h}}
simulation:
  end: 1 h
  output_interval: 1 min
"""


def plasma(binary, tmp, route, extra=""):
    """Plasma (mg/L) at MINUTES after the bolus, from the run's CSV time course."""
    scen = os.path.join(tmp, "s.yaml")
    with open(scen, "w") as f:
        f.write(SCENARIO.format(route=route, extra=extra))
    out = os.path.join(tmp, "csv")
    p = subprocess.run([binary, "run", scen, "-o", os.path.join(tmp, "s.h5"), "--csv", out,
                        "--force"], capture_output=True, text=True)
    if p.returncode:
        sys.exit(p.stderr)
    with open(os.path.join(out, "doxorubicin.csv")) as f:
        rows = {round(float(r["time_h"]) * 60): float(r["plasma_mg_per_L"])
                for r in csv.DictReader(f)}
    return [rows[m] for m in MINUTES]


def line(label, values, note=""):
    print(f"  {label:34s}", " ".join(f"{c:.3g}" for c in values), note)


BEFORE = ("    kp_rest: 5\n    kp_gut: 5\n    liver_permeability: 0 L/h\n"
          "    hepatic_clint: 49 L/h\n    slow_tissue_volume: 1570 L\n")


def half_life(c, m0, m1):
    """Half-life (min) of the plasma's log-linear fall between m0 and m1 min."""
    return (m1 - m0) * math.log(2) / math.log(c[MINUTES.index(m0)] / c[MINUTES.index(m1)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/hepatosim")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("plasma doxorubicin (mg/L) after 50 mg at", ", ".join(map(str, MINUTES)), "min")
        for label, extra in (("library", ""), ("before 2026-12-03", BEFORE)):
            iv = plasma(args.bin, tmp, "iv", extra)
            line(f"IV bolus, {label}:", iv, f"(half-life 2-10 min: {half_life(iv, 2, 10):.2g} min;"
                 f" 1-3 min: {half_life(iv, 1, 3):.2g})")
            line(f"HA bolus, {label}:", plasma(args.bin, tmp, "hai", extra))
        for ps, cl in ((100, 96), (200, 65)):
            line(f"HA bolus, PS_L {ps} L/h:", plasma(
                args.bin, tmp, "hai", f"    liver_permeability: {ps} L/h\n"
                f"    hepatic_clint: {cl} L/h\n"))


if __name__ == "__main__":
    main()
