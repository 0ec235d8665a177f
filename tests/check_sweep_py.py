#!/usr/bin/python3
"""Open a sweep file the way researchers do: h5py and xarray (h5netcdf engine), from
Debian's python3-h5py, python3-xarray and python3-h5netcdf. Run by `make test`."""
import os
import subprocess
import tempfile

import h5py
import numpy as np
import xarray as xr

from pycheck import BIN, check, report

with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "lhs.h5")
    subprocess.run([BIN, "sweep", "fixtures/sweep/lhs.yaml", "-o", out, "-j", "2",
                    "--timeseries", "--quiet"], check=True)
    with h5py.File(out, "r") as f:
        check(isinstance(f["auc_tumor"].attrs["units"], str), "units attribute is not str")
        check(f["auc_tumor"].attrs["units"] == "mg*h/L", "auc_tumor units")
        check(f["tumor.perfusion"].attrs["units"] == "1/h", "tumor.perfusion units")
        check(f["plasma"].dtype == np.float32, "time courses are not float32")
        check(int(f.attrs["complete"]) == 1, "file not marked complete")
    ds = xr.open_dataset(out, engine="h5netcdf")
    check(dict(ds.sizes) == {"run": 300, "drug": 1, "time": 49}, f"dims {dict(ds.sizes)}")
    check(ds["auc_tumor"].dims == ("run", "drug"), f"auc_tumor dims {ds['auc_tumor'].dims}")
    check(ds["plasma"].dims == ("run", "drug", "time"), f"plasma dims {ds['plasma'].dims}")
    check(ds["tumor.perfusion"].dims == ("run",), "parameter dims")
    check(list(ds["drug"].values) == ["s1_linear"], f"drug coordinate {ds['drug'].values}")
    check(ds["auc_tumor"].attrs["units"] == "mg*h/L", "xarray units")
    check(bool((ds["status"] == 0).all()), "a run failed")
    check(float(ds["tumor.perfusion"].min()) >= 6.0 - 1e-9, "perfusion below range")
    check(float(ds["time"][-1]) == 48.0, "time axis")
    # the resolved parameters of every run follow the swept perfusion: Q_TA = f_TA p_T V_T,
    # E_L = CL_int / (Q_H - p_T V_T + CL_int) (s1: f_TD 0)
    p_t = ds["tumor.perfusion"].values
    check(ds["q_ta"].dims == ("run", "drug") and ds["q_ta"].attrs["units"] == "L/h",
          "q_ta layout")
    check(np.allclose(ds["q_ta"].values[:, 0], 0.9 * p_t * 0.1, rtol=1e-14, atol=0),
          "q_ta per run")
    e_l = 1664.4 / (90 - p_t * 0.1 + 1664.4)
    check(np.allclose(ds["e_l"].values[:, 0], e_l, rtol=1e-14, atol=0), "e_l per run")
    ds.close()

    # a patient table (scenarios/patients): the ids along run, units as the table wrote them
    out = os.path.join(tmp, "table.h5")
    subprocess.run([BIN, "sweep", "../scenarios/patients/oxaliplatin_patients.yaml", "-o", out,
                    "--quiet"], check=True)
    with h5py.File(out, "r") as f:
        check(list(f["id"].asstr()[:]) == ["P01", "P02", "P03", "P04"], "h5py ids")
        check(f["tumor.volume"].attrs["scenario_units"] == "mL", "scenario_units")
    ds = xr.open_dataset(out, engine="h5netcdf")
    check(ds["id"].dims == ("run",) and list(ds["id"].values) == ["P01", "P02", "P03", "P04"],
          f"xarray ids {ds['id'].values}")
    by_id = ds.set_coords("id").swap_dims(run="id")
    vol = by_id["tumor.volume"] * by_id["tumor.volume"].attrs["scenario_scale"]
    check(np.allclose(vol.sel(id="P03").values, 240.0, rtol=1e-12), f"P03 volume {vol.values}")
    check(by_id["auc_tumor"].sel(id="P02", drug="oxaliplatin").size == 1, "selection by id")
    ds.close()
    # `info` names the ids and gives each parameter's range in the unit the table wrote
    info = subprocess.run([BIN, "info", out], capture_output=True, text=True, check=True).stdout
    check("ids: 4 (P01, P02, P03, P04)\n" in info, f"info ids: {info[:400]}")
    rows = {ln.split()[0]: ln.split()[1:] for ln in info.splitlines() if ln.strip()}
    check(rows.get("tumor.volume") == ["mL", "35", "240"], f"info tumor.volume {rows.get('tumor.volume')}")
    check(rows.get("patient.weight") == ["kg", "58.5", "92"], f"info weight {rows.get('patient.weight')}")

report("python")
