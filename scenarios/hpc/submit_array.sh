#!/bin/bash
# submit_array.sh - submit array.sbatch as N shards and merge.sbatch to run once every
# shard has finished successfully (--dependency=afterok). Run from the source tree:
#
#   scenarios/hpc/submit_array.sh SCENARIO.yaml OUT.h5 [N]      (N defaults to 16)
#
# TEMPLATE: checked with `bash -n` only; it has not been run under SLURM here.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 SCENARIO.yaml OUT.h5 [N]" >&2
  exit 2
fi
SCENARIO=$1
OUT=$2
N=${3:-16}
OUTDIR=${OUTDIR:-$(basename "$OUT" .h5)_shards}
HERE=$(cd "$(dirname "$0")" && pwd)

# --parsable prints "jobid" (or "jobid;cluster"); --array here overrides the script's.
array_id=$(sbatch --parsable --array=1-"$N" \
  --export=ALL,SCENARIO="$SCENARIO",OUTDIR="$OUTDIR",SHARDS="$N" "$HERE/array.sbatch")
array_id=${array_id%%;*}
merge_id=$(sbatch --parsable --dependency=afterok:"$array_id" \
  --export=ALL,OUTDIR="$OUTDIR",OUT="$OUT",SHARDS="$N" "$HERE/merge.sbatch")
merge_id=${merge_id%%;*}

echo "array job $array_id: $N shards of $SCENARIO into $OUTDIR/"
echo "merge job $merge_id: into $OUT once all shards succeed (afterok)"
echo "If a shard fails (e.g. wall time), the merge job stays pending (DependencyNeverSatisfied):"
echo "  scancel $merge_id; resubmit the failed tasks, e.g."
echo "  sbatch --array=<ids> --export=ALL,SCENARIO=$SCENARIO,OUTDIR=$OUTDIR,SHARDS=$N $HERE/array.sbatch"
echo "  and then merge.sbatch with --dependency=afterok:<new array job id>."
