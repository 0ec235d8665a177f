#!/usr/bin/python3
"""doxorubicin_early_phase.py - why the model's early doxorubicin plasma is low (issue 13).

Runs hepatosim itself (the library's doxorubicin, the reference adult, a 1-minute grid)
and prints the plasma after a 50 mg bolus into the hepatic artery and into a vein:
- as the library has it (every tissue flow-limited);
- with a permeability-limited liver (the drug's `liver_permeability`, docs/model.md;
  the sinusoids are `patient.liver_vascular_fraction` of the liver);
- and, as a lead for a recalibration rather than one, the IV bolus with the fast
  tissues' Kp (rest of body, splanchnic) lowered from 5 to 0.3, the slow tissue unchanged
  (its volume would have to grow to keep Vss): the plasma then falls with a half-life of
  about 5 minutes between 3 and 10 min, as the label's distribution phase, instead of half
  a minute.

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/hepatosim")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("plasma doxorubicin (mg/L) after 50 mg at", ", ".join(map(str, MINUTES)), "min")
        line("IV bolus, flow-limited liver:", plasma(args.bin, tmp, "iv"))
        line("HA bolus, flow-limited liver:", plasma(args.bin, tmp, "hai"))
        for ps in (1000, 100, 50, 20):
            line(f"HA bolus, liver PS {ps:4d} L/h:",
                 plasma(args.bin, tmp, "hai", f"    liver_permeability: {ps} L/h\n"))
        fast = plasma(args.bin, tmp, "iv", "    kp_rest: 0.3\n    kp_gut: 0.3\n")
        half = 7 * math.log(2) / math.log(fast[MINUTES.index(3)] / fast[MINUTES.index(10)])
        line("IV bolus, fast-tissue Kp 0.3:", fast, f"(half-life 3-10 min: {half:.1f} min)")


if __name__ == "__main__":
    main()
