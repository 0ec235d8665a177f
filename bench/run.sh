#!/usr/bin/env bash
# make bench: time single runs of the reference and default scenarios; writes
# bench/results.json with the machine's CPU model. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)
out=bench/results.json
{
  printf '{\n  "cpu_model": "%s",\n  "cores": %s,\n  "single_runs": [\n' "$cpu" "$(nproc)"
  first=1
  for s in scenarios/reference/s1.yaml scenarios/reference/s2.yaml scenarios/reference/s3.yaml \
           scenarios/reference/s4.yaml scenarios/default.yaml; do
    [ $first = 1 ] || printf ',\n'
    first=0
    printf '    %s' "$(build/bench_run "$s" 200)"
  done
  printf '\n  ]\n}\n'
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
