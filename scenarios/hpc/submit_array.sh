#!/bin/bash
# submit_array.sh - submit array.sbatch as N shards and merge.sbatch to run once every
# shard has finished successfully (--dependency=afterok). Works from any directory:
#
#   scenarios/hpc/submit_array.sh SCENARIO.yaml OUT.h5 [N [SBATCH OPTION...]]
#
# N defaults to 4. The shards and the logs go to OUTDIR, beside OUT (default
# OUT_shards/ for OUT.h5). SBATCH OPTIONs (e.g. --time=4:00:00 -p long) are given to the
# array job after the variables below, so they win. Variables, each unset by default
# (then array.sbatch's #SBATCH lines hold):
#   HS_CPUS, HS_TIME, HS_MEM_PER_CPU   --cpus-per-task, --time, --mem-per-cpu of each task
#   HS_MERGE_OPTS                      extra sbatch options for the merge job (word-split)
#   HS, OUTDIR, HS_REQUEUE             passed to the jobs (see array.sbatch)
# For options of both jobs (partition, account), set SBATCH_PARTITION, SBATCH_ACCOUNT.
# Tested under SLURM 22.05 (docs/hpc.md, "Tested with").
# shellcheck disable=SC2054 # the commas of --export=ALL,... belong to sbatch
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 SCENARIO.yaml OUT.h5 [N [SBATCH OPTION...]]" >&2
  exit 2
fi
[ -f "$1" ] || { echo "error: no scenario file '$1'" >&2; exit 2; }
SCENARIO=$(realpath "$1")
OUT=$(realpath -m "$2")
N=${3:-4}
shift $(($# < 3 ? $# : 3))
case $N in ''|*[!0-9]*|0) echo "error: N must be a positive integer, not '$N'" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
HS=$(realpath -m "${HS:-$ROOT/build/hepatosim}")
OUTDIR=$(realpath -m "${OUTDIR:-${OUT%.h5}_shards}")
[ -x "$HS" ] || { echo "error: $HS is not an executable: run 'make', or set HS" >&2; exit 2; }
mkdir -p "$OUTDIR"

opts=()
[ -n "${HS_CPUS:-}" ] && opts+=(--cpus-per-task="$HS_CPUS")
[ -n "${HS_TIME:-}" ] && opts+=(--time="$HS_TIME")
[ -n "${HS_MEM_PER_CPU:-}" ] && opts+=(--mem-per-cpu="$HS_MEM_PER_CPU")

# --parsable prints "jobid" (or "jobid;cluster"); --array here overrides the script's.
array_args=(--output="$OUTDIR/%x-%A_%a.out" "${opts[@]}" "$@"
  --export=ALL,HS="$HS",SCENARIO="$SCENARIO",OUTDIR="$OUTDIR",SHARDS="$N" "$HERE/array.sbatch")
array_id=$(sbatch --parsable --array=1-"$N" "${array_args[@]}")
array_id=${array_id%%;*}
# shellcheck disable=SC2206 # HS_MERGE_OPTS is a list of options
merge_args=(--dependency=afterok:"$array_id" --output="$OUTDIR/%x-%j.out" ${HS_MERGE_OPTS:-}
  --export=ALL,HS="$HS",OUTDIR="$OUTDIR",OUT="$OUT",SHARDS="$N" "$HERE/merge.sbatch")
merge_id=$(sbatch --parsable "${merge_args[@]}")
merge_id=${merge_id%%;*}

# Arguments as a shell reads them back: plain where that is safe, quoted where not.
words() {
  local w
  for w; do
    if [[ $w =~ ^[A-Za-z0-9_./%:=,@+-]+$ ]]; then printf ' %s' "$w"; else printf ' %q' "$w"; fi
  done
}

echo "array job $array_id: $N shards of $SCENARIO into $OUTDIR/ (logs there too)"
echo "merge job $merge_id: into $OUT once every shard has succeeded (afterok), submitted as"
echo "  sbatch$(words "${merge_args[@]}")"
echo "If a task fails (e.g. stopped by the time limit without HS_REQUEUE=1), the merge job"
echo "stays pending with Reason=DependencyNeverSatisfied. Resubmit the failed tasks (finished"
echo "shards are skipped, partial ones resumed), then point the merge at the new array job:"
echo "  sbatch --array=<failed task ids>$(words "${array_args[@]}")"
echo "  scontrol update JobId=$merge_id Dependency=afterok:<new array job id>"
