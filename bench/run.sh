#!/usr/bin/env bash
# make bench (not part of make test): single-run timings, the standard sweep (s2 over a
# 100 x 100 grid of f_HA and tumour perfusion) at -j 1 and -j 2 with its accuracy, and a
# 10^6- and a 10^7-run Latin-hypercube sweep of the default scenario, and the matched benchmark
# (bench/matched.py: all 10,000 runs of the standard sweep against the shared reference
# file, at the loosest tolerances keeping the error <= 1e-6). Writes bench/results.json.
# and the exact solution of linear drugs against CVODE (bench/exact.py).
# HS_BENCH_ONLY=matched (or exact, lhs_1e7): only that part, merged into the existing
# results.json.
# HS_BENCH_REF: the reference file (default ../shared/reference/sweep_s2_reference.csv).
# HS_BENCH_BIN: the binary (default build/hepatosim).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${HS_BENCH_BIN:-build/hepatosim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)
ref=${HS_BENCH_REF:-../shared/reference/sweep_s2_reference.csv}

# the python parts: NAME SCRIPT ARGS... -> $tmp/NAME.json
part() {
  local name=$1
  shift
  /usr/bin/python3 "$@" > "$tmp/$name.json"
}
only=${HS_BENCH_ONLY:-}
if [ -z "$only" ] || [ "$only" = matched ]; then
  echo "matched benchmark: s2 grid against $ref (several minutes)..." >&2
  part matched bench/matched.py "$bin" scenarios/sweeps/s2_grid.yaml "$ref"
fi
if [ -z "$only" ] || [ "$only" = exact ]; then
  echo "exact solution vs CVODE on the FUDR LHS (2000 and 10,000 runs; efficiency on 10^5)..." >&2
  part exact bench/exact.py "$bin" scenarios/sweeps/default_lhs.yaml
fi
# sweep SCENARIO THREADS NAME [LAUNCHER...] -> "wall_s rate hdf5_share_percent peak_rss_kib";
# with a launcher (mpirun ...) the MPI binary runs.
sweep() {
  local scen=$1 j=$2 name=$3 b=$bin line wall rss
  shift 3
  [ $# -gt 0 ] && b=build/hepatosim-mpi
  /usr/bin/time -f '%e %M' -o "$tmp/$name.time" "$@" "$b" sweep "$scen" -o "$tmp/$name.h5" \
    -j "$j" --force 2> "$tmp/$name.log" || { cat "$tmp/$name.log" >&2; exit 1; }
  line=$(grep '^sweep: .* runs done' "$tmp/$name.log")
  read -r wall rss < "$tmp/$name.time"
  echo "$wall $(sed -E 's/.* ([0-9.]+) runs\/s.*/\1/' <<< "$line") \
$(sed -E 's/.*HDF5 writing ([0-9.]+) %.*/\1/' <<< "$line") $rss"
}

# lhs NAME RUNS -> $tmp/NAME.json: the default scenario's Latin hypercube with RUNS runs on
# two threads (wall time, rate, HDF5 share, peak RSS: flat memory means it does not grow
# with the run count)
lhs() {
  local name=$1 runs=$2 w r h m
  sed -E "s/^  runs: .*/  runs: $runs/" scenarios/sweeps/default_lhs.yaml > "$tmp/$name.yaml"
  read -r w r h m <<< "$(sweep "$tmp/$name.yaml" 2 "$name")"
  rm -f "$tmp/$name.h5"
  cat > "$tmp/$name.json" <<JSON
{
    "scenario": "scenarios/sweeps/default_lhs.yaml",
    "runs": $runs,
    "threads": 2,
    "solver": "auto (exact: floxuridine is linear)",
    "wall_s": $w,
    "runs_per_s": $r,
    "hdf5_share": $(awk -v h="$h" 'BEGIN { printf "%.4f", h / 100 }'),
    "peak_rss_mib": $(awk -v v="$m" 'BEGIN { printf "%.1f", v / 1024 }')
  }
JSON
}
if [ -z "$only" ] || [ "$only" = lhs_1e7 ]; then
  echo "10^7-run LHS sweep, -j 2 (about ten minutes)..." >&2
  lhs lhs_1e7 10000000
fi
if [ -n "$only" ]; then
  /usr/bin/python3 - "$tmp/$only.json" "$only" "$cpu" <<'PY'
import json, os, sys, time
r = json.load(open("bench/results.json"))
r[sys.argv[2]] = json.load(open(sys.argv[1]))
r[sys.argv[2]]["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
r[sys.argv[2]]["cpu_model"], r[sys.argv[2]]["cores"] = sys.argv[3], os.cpu_count()
json.dump(r, open("bench/results.json.tmp", "w"), indent=1)
os.replace("bench/results.json.tmp", "bench/results.json")
PY
  echo "written bench/results.json ($only only)"
  exit 0
fi

echo "single runs (one workspace, 200 repeats each)..." >&2
singles=""
for s in scenarios/reference/s1.yaml scenarios/reference/s2.yaml scenarios/reference/s3.yaml \
         scenarios/reference/s4.yaml scenarios/default.yaml; do
  singles="$singles${singles:+,
    }$(build/bench_run "$s" 200)"
done

echo "standard sweep, -j 1 and -j 2..." >&2
read -r w1 r1 h1 m1 <<< "$(sweep scenarios/sweeps/s2_grid.yaml 1 std1)"
read -r w2 r2 h2 m2 <<< "$(sweep scenarios/sweeps/s2_grid.yaml 2 std2)"
acc=$(build/bench_accuracy scenarios/sweeps/s2_grid.yaml 20)
err=$(sed -E 's/.*"max_rel_error": ([0-9.eE+-]+).*/\1/' <<< "$acc")

echo "standard sweep under MPI, 1 and 2 ranks of 1 thread..." >&2
mpi=(mpirun --oversubscribe --allow-run-as-root)
export OMPI_MCA_mpi_yield_when_idle=1 # ranks may share cores here (issue 15, finding 8)
read -r mw1 mr1 mh1 mm1 <<< "$(sweep scenarios/sweeps/s2_grid.yaml 1 mpi1 "${mpi[@]}" -np 1)"
read -r mw2 mr2 mh2 mm2 <<< "$(sweep scenarios/sweeps/s2_grid.yaml 1 mpi2 "${mpi[@]}" -np 2)"
cmp_ok=$(/usr/bin/python3 - "$tmp/std1.h5" "$tmp/mpi2.h5" <<'PY'
import sys, h5py
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
print("true" if all(a[k][()].tobytes() == b[k][()].tobytes() for k in a if a[k].dtype.kind != "O") else "false")
PY
)

echo "10^6-run LHS sweep, -j 2 (a few minutes)..." >&2
lhs lhs_1e6 1000000

eff=$(awk -v a="$r1" -v b="$r2" 'BEGIN { printf "%.3f", b / (2 * a) }')
cat > bench/results.json.tmp <<JSON
{
  "cpu_model": "$cpu",
  "cores": $(nproc),
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "load_average": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "matched": $(cat "$tmp/matched.json"),
  "exact": $(cat "$tmp/exact.json"),
  "standard_sweep": {
    "scenario": "scenarios/sweeps/s2_grid.yaml",
    "runs": 10000,
    "runs_per_s_j1": $r1,
    "runs_per_s_j2": $r2,
    "runs_per_s_per_thread_j2": $(awk -v b="$r2" 'BEGIN { printf "%.1f", b / 2 }'),
    "efficiency_j2": $eff,
    "wall_s_j1": $w1,
    "wall_s_j2": $w2,
    "hdf5_share": $(awk -v h="$h2" 'BEGIN { printf "%.4f", h / 100 }'),
    "peak_rss_mib_j2": $(awk -v m="$m2" 'BEGIN { printf "%.1f", m / 1024 }'),
    "max_rel_error": $err,
    "accuracy_check": $acc
  },
  "mpi_standard_sweep": {
    "launcher": "mpirun --oversubscribe -np N build/hepatosim-mpi sweep ... -j 1",
    "runs_per_s_np1": $mr1,
    "runs_per_s_np2": $mr2,
    "efficiency_np2": $(awk -v a="$mr1" -v b="$mr2" 'BEGIN { printf "%.3f", b / (2 * a) }'),
    "wall_s_np1": $mw1,
    "wall_s_np2": $mw2,
    "datasets_equal_serial": $cmp_ok
  },
  "lhs_1e6": $(cat "$tmp/lhs_1e6.json"),
  "lhs_1e7": $(cat "$tmp/lhs_1e7.json"),
  "single_runs": [
    $singles
  ]
}
JSON
mv bench/results.json.tmp bench/results.json
printf '\n%-34s %12s %12s\n' "measure" "-j 1" "-j 2"
printf '%-34s %12s %12s\n' "standard sweep runs/s" "$r1" "$r2"
printf '%-34s %12s %12s\n' "standard sweep wall s" "$w1" "$w2"
printf '%-34s %12s %12s\n' "parallel efficiency" "" "$eff"
printf '%-34s %12s %12s\n' "HDF5 share of wall time (%)" "$h1" "$h2"
printf '%-34s %12s %12s\n' "MPI ranks x 1 thread runs/s" "$mr1" "$mr2"
printf '%-34s %12s\n' "max rel error vs rtol 1e-10" "$err"
for n in lhs_1e6 lhs_1e7; do
  printf '%-34s %12s %12s\n' "$n wall s / peak RSS MiB" "" "$(/usr/bin/python3 -c \
    "import json,sys; d=json.load(open(sys.argv[1])); print(d['wall_s'], '/', round(d['peak_rss_mib']))" \
    "$tmp/$n.json")"
done
echo "machine: $cpu, $(nproc) cores; written bench/results.json"
