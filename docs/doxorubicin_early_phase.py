#!/usr/bin/python3
"""doxorubicin_early_phase.py - why the model's early doxorubicin plasma is low (issue 13).

A reduced copy of hepatosim's equations (docs/model.md "Equations": blood, splanchnic bed,
normal liver, rest of body, slow tissue; no tumour, no depot) with the library's
doxorubicin and the reference adult, integrated with classical RK4 (step 0.1 s). It prints
the plasma after a 50 mg bolus into the hepatic artery and into a vein, with the liver
flow-limited (the model) and permeability-limited: a vascular space f_vas V_L exchanging
with the tissue by PS, Kp_ev = (Kp_L - f_vas) / (1 - f_vas), as docs/model.md's
permeability-limited tumour. The values below are this script's; hepatosim itself gives
0.079 / 0.096 / 0.098 mg/L at 1 / 2 / 3 min after the arterial bolus (flow-limited).

Last, what a slower systemic distribution would look like: the IV bolus with the fast
tissues' Kp (rest of body, splanchnic) lowered from 5 to 0.3, the library's slow tissue
unchanged (its volume would have to grow to keep Vss). The plasma then falls with a
half-life of about 5 minutes between 3 and 10 min, as the label's distribution phase,
instead of half a minute: a lead for a recalibration, not one.

Usage: /usr/bin/python3 docs/doxorubicin_early_phase.py   (numpy)
"""
import math

import numpy as np

# reference adult (model/data/physiology.yaml): L/h and L
Q_CO, Q_H, F_HA = 390.0, 96.0, 0.25
V_B, V_G, V_L, V_R = 5.6, 1.44, 1.8, 40.0
# doxorubicin (model/data/drugs/doxorubicin.yaml), blood basis, BP 1
KP_G, KP_L, KP_R = 5.0, 48.0, 5.0
CL_INT, CL_X, CL_R = 49.0, 25.0, 6.6
Q_S, V_S = 80.0, 1570.0
Q_HA, Q_PV = F_HA * Q_H, (1 - F_HA) * Q_H
Q_R = Q_CO - Q_H


def rhs(y, ps, f_vas, kp_fast=None):
    a_b, a_g, a_lv, a_le, a_r, a_s = y
    kp_g, kp_r = (KP_G, KP_R) if kp_fast is None else (kp_fast, kp_fast)
    c_b, c_gv, c_rv, c_s = a_b / V_B, a_g / (V_G * kp_g), a_r / (V_R * kp_r), a_s / V_S
    if ps is None:  # flow-limited: one well-stirred liver, C_Lv = A_L / (V_L Kp_L)
        c_lv = c_le = (a_lv + a_le) / (V_L * KP_L)
    else:
        kp_ev = (KP_L - f_vas) / (1 - f_vas)
        c_lv, c_le = a_lv / (f_vas * V_L), a_le / ((1 - f_vas) * V_L * kp_ev)
    j = 0.0 if ps is None else ps * (c_lv - c_le)
    e_h = CL_INT * c_le
    d_l = Q_HA * c_b + Q_PV * c_gv - Q_H * c_lv
    return np.array([
        Q_H * c_lv + Q_R * c_rv - Q_CO * c_b - (CL_R + CL_X) * c_b - Q_S * (c_b - c_s),
        Q_PV * (c_b - c_gv),
        d_l - (e_h if ps is None else j),
        0.0 if ps is None else j - e_h,
        Q_R * (c_b - c_rv),
        Q_S * (c_b - c_s)])


def plasma(route, ps=None, f_vas=0.2, minutes=(1, 2, 3, 5, 10, 20, 60), kp_fast=None):
    y = np.zeros(6)
    y[2 if route == "hai" else 0] = 50.0
    h, t, out = 0.1 / 3600, 0.0, []
    for m in minutes:
        while t < m / 60 - 1e-12:
            k1 = rhs(y, ps, f_vas, kp_fast)
            k2 = rhs(y + h / 2 * k1, ps, f_vas, kp_fast)
            k3 = rhs(y + h / 2 * k2, ps, f_vas, kp_fast)
            k4 = rhs(y + h * k3, ps, f_vas, kp_fast)
            y, t = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), t + h
        out.append(y[0] / V_B)
    return out


def main():
    print("plasma doxorubicin (mg/L) after 50 mg at 1, 2, 3, 5, 10, 20, 60 min")
    print("  IV bolus, flow-limited liver:   ", " ".join(f"{c:.3g}" for c in plasma("iv")))
    print("  HA bolus, flow-limited liver:   ", " ".join(f"{c:.3g}" for c in plasma("hai")))
    for ps in (1000, 100, 50, 20):
        print(f"  HA bolus, PS {ps:4d} L/h, f_vas 0.2:",
              " ".join(f"{c:.3g}" for c in plasma("hai", ps)))
    c3, c10 = plasma("iv", kp_fast=0.3, minutes=(3, 10))
    print("  IV bolus, fast-tissue Kp 0.3:    ",
          " ".join(f"{c:.3g}" for c in plasma("iv", kp_fast=0.3)),
          f"(half-life 3-10 min: {7 * math.log(2) / math.log(c3 / c10):.1f} min)")


if __name__ == "__main__":
    main()
