#!/usr/bin/python3
"""same_sweep.py REF.h5 FILE.h5 - exit 0 when FILE is a complete sweep whose datasets
equal REF's: the same names, numbers equal bit for bit (NaN where REF has NaN), strings
equal once decoded (the MPI build stores fixed-length strings, the serial one
variable-length). Prints one line saying what was compared, or what differs."""
import sys

import h5py
import numpy as np


def values(ds):
    if h5py.check_string_dtype(ds.dtype) is not None:
        return [s.rstrip("\0") for s in ds.asstr()[()].ravel().tolist()]
    return np.ascontiguousarray(ds[()]).tobytes()


def main(ref_path, path):
    with h5py.File(ref_path, "r") as ref, h5py.File(path, "r") as f:
        names = sorted(k for k in ref if isinstance(ref[k], h5py.Dataset))
        other = sorted(k for k in f if isinstance(f[k], h5py.Dataset))
        if names != other:
            return f"datasets differ: only in {ref_path}: {sorted(set(names) - set(other))}, only in {path}: {sorted(set(other) - set(names))}"
        differ = [k for k in names if values(ref[k]) != values(f[k])]
        if differ:
            return f"{len(differ)} of {len(names)} datasets differ, first '{differ[0]}'"
        n, done, complete = (int(f.attrs[a]) for a in ("n_runs", "runs_done", "complete"))
        if complete != 1 or done != n:
            return f"not complete: {done} of {n} runs done, complete = {complete}"
        print(f"same: {path} equals {ref_path} ({len(names)} datasets, {n} runs)")
        return None


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    why = main(sys.argv[1], sys.argv[2])
    if why:
        sys.exit(f"DIFFERENT: {sys.argv[2]} vs {sys.argv[1]}: {why}")
