#!/bin/bash
# run_slurm_test.sh - `make test-slurm`: the templates of scenarios/hpc/ under a real,
# private, single-node SLURM (Debian 12's slurm-wlm 22.05 and munge), as shipped but for
# documented variables and sbatch options. Run as root from the source tree after `make`
# and `make mpi`. Jobs run as root, so OpenMPI is allowed to with OMPI_ALLOW_RUN_AS_ROOT.
#
# The daemons (munged, slurmctld, slurmd) run in the foreground of this script from a
# configuration in a temporary directory, on free TCP ports; they are stopped by their
# process ids when the script ends, whatever way it ends. The directory is removed after
# a pass and kept after a failure (its path is printed), with every job's log.
#
# Checks (each against a serial `hepatosim sweep` of the same scenario, compared dataset by
# dataset with same_sweep.py):
#   1. submit_array.sh, 3 shards, run from another directory, an sbatch option passed
#      through: array + merge equal; the logs beside the output.
#   2. hybrid.sbatch under srun (--mpi=pmix) and 3. under mpirun: equal, written by MPI-IO;
#      mpirun's ranks each bound to a core of their own.
#   4-6. a job stopped by its time limit (--time=1), resumed, equal: hybrid.sbatch under
#      srun resubmitted by hand; under mpirun requeueing itself (HS_REQUEUE=1); an array
#      task requeueing itself only, with the merge running by itself afterwards.
#   7. an array task stopped by its time limit without HS_REQUEUE: the merge job waits with
#      DependencyNeverSatisfied; the commands submit_array.sh prints finish the sweep.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HPC=$ROOT/scenarios/hpc
HS=$ROOT/build/hepatosim
HS_MPI=$ROOT/build/hepatosim-mpi
SMALL=$ROOT/tests/fixtures/sweep/lhs.yaml  # 300 runs in chunks of 32
LONG_SRC=$ROOT/tests/fixtures/sweep/long.yaml
PY=/usr/bin/python3
START=$(date +%s)

say() { echo "[slurm-test $(($(date +%s) - START))s] $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || fail "run as root (the test starts its own slurmctld, slurmd and munged)"
for f in "$HS" "$HS_MPI"; do [ -x "$f" ] || fail "$f missing: run make and make mpi first"; done
for c in munged slurmctld slurmd sbatch; do command -v "$c" >/dev/null || fail "$c missing: make test-slurm installs it"; done
[ "$(nproc)" -ge 2 ] || fail "needs at least 2 CPUs (2 MPI ranks), found $(nproc)"

T=$(mktemp -d /tmp/hs-slurm.XXXXXX)
chmod 755 "$T" # munged wants its socket's directories open to all
mkdir -p "$T/munge" "$T/run" "$T/state" "$T/spool" "$T/log" "$T/work"
chmod 700 "$T/munge"
PIDS=()

stop_pid() { # stop one daemon of ours by its pid: TERM, then KILL after 15 s
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? i
  set +e
  if [ -n "${SLURM_CONF:-}" ] && scontrol ping >/dev/null 2>&1; then
    # shellcheck disable=SC2046 # one job id a word
    scancel --full --quiet $(squeue -h -o %A 2>/dev/null) 2>/dev/null
    for i in $(seq 60); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 1; done
  fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  if [ "$rc" = 0 ]; then rm -rf "$T"; else echo "kept for inspection: $T (logs in $T/log, $T/work)" >&2; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- the private cluster ------------------------------------------------------------
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge/munge.key"
munged -F -S "$T/run/munge.sock" --key-file="$T/munge/munge.key" --log-file="$T/log/munged.log" \
  --pid-file="$T/run/munged.pid" --seed-file="$T/munge/seed" 2>>"$T/log/munged.log" &
PIDS+=($!)

node=$(slurmd -C | head -1) # this machine: "NodeName=host CPUs=2 Boards=1 ... RealMemory=..."
cat >"$T/slurm.conf" <<EOF
# private single-node cluster of tests/slurm/run_slurm_test.sh
ClusterName=hstest
SlurmctldHost=$(hostname)(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also delays a requeued job's restart (default 120 s)
AuthInfo=socket=$T/run/munge.sock,cred_expire=10
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
# debug2 logs the controller's time-limit checks (every 30 s), which the test waits on
SlurmctldDebug=debug2
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
MpiDefault=none
ReturnToService=2
MinJobAge=3600
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=hs Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$T/slurm.conf
for i in $(seq 100); do [ -S "$T/run/munge.sock" ] && break; sleep 0.1; done
[ -S "$T/run/munge.sock" ] || fail "munged did not start: $(cat "$T/log/munged.log")"
slurmctld -D -f "$SLURM_CONF" 2>>"$T/log/slurmctld.err" &
PIDS+=($!)
for i in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
scontrol ping | grep -q UP || fail "slurmctld did not start: $(tail -5 "$T/log/slurmctld.log")"
slurmd -D -f "$SLURM_CONF" 2>>"$T/log/slurmd.err" &
PIDS+=($!)
for i in $(seq 150); do [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break; sleep 0.2; done
[ "$(sinfo -h -o %T)" = idle ] || fail "the node is not idle: $(sinfo -h -o '%T %E'); $(tail -5 "$T/log/slurmd.log")"
say "SLURM $(sinfo -V | cut -d' ' -f2) up: $(sinfo -h -N -o '%N %c CPUs %m MB'); $(mpirun --version | head -1)"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$T/work" # submit from outside the source tree

# --- helpers --------------------------------------------------------------------------
field() { # field JOB NAME: one field of `scontrol show job` (the first record's)
  scontrol -o show job "$1" | head -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}
ended() { # ended JOB: fail, saying how the job ended and what it logged
  fail "job $1 ended $(field "$1" JobState) (exit $(field "$1" ExitCode)) $2; log: $(cat "$(field "$1" StdOut)" 2>&1)"
}
wait_field() { # wait_field JOB NAME VALUE...: until the field has one of the values (10 min at most)
  local job=$1 name=$2 v i
  shift 2
  for i in $(seq 1200); do
    v=$(field "$job" "$name")
    for want; do [ "$v" = "$want" ] && return 0; done
    case $(field "$job" JobState) in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY)
      ended "$job" "with $name=$v, expected $*" ;;
    esac
    sleep 0.5
  done
  fail "job $job: $name=$v after 10 min, expected $*"
}
wait_state() { wait_field "$1" JobState "${@:2}"; } # wait_state JOB STATE...
log_has() { # log_has JOB TEXT
  grep -qF -- "$2" "$(field "$1" StdOut)" || fail "job $1: no '$2' in its log: $(cat "$(field "$1" StdOut)")"
}
show() { # what a submit script printed, indented
  local line
  while IFS= read -r line; do echo "  | $line"; done <<<"$1"
}
same() { $PY "$ROOT/tests/slurm/same_sweep.py" "$1" "$2" || fail "$2 differs from $1"; }

# Submit a job with --time=1 just when its early signal will come ~10 s after it starts:
# the controller tests time limits every 30 s (logged at debug2) and, for a 1-minute job
# asking the signal 120 s ahead, signals it at the first test after it starts. So wait
# until the last test is 18-22 s old; the job starts at once on the idle node.
align() {
  local last age i
  for i in $(seq 1200); do
    last=$(grep 'Testing job time limits' "$T/log/slurmctld.log" | tail -1 | sed 's/^\[\([^].]*\).*/\1/')
    if [ -n "$last" ]; then
      age=$(($(date +%s) - $(date -d "$last" +%s)))
      [ "$age" -ge 18 ] && [ "$age" -le 22 ] && return 0
    fi
    sleep 0.5
  done
  fail "the controller logged no time-limit test for 10 min"
}
# A sweep stopped by the signal says where its runs are.
assert_stopped() { log_has "$1" "interrupted: $2 holds"; } # JOB PARTIAL

# --- references ---------------------------------------------------------------------------
"$HS" sweep "$SMALL" -o small_ref.h5 -j 2 --quiet

# 1-3: small sweeps, submitted now; the long reference is computed while they run.
mkdir -p elsewhere
# (an sbatch option passed through: --comment)
out=$(cd elsewhere && "$HPC/submit_array.sh" "$SMALL" ../array/small.h5 3 --comment=passed-through)
show "$out"
array1=$(echo "$out" | sed -n 's/^array job \([0-9]*\):.*/\1/p')
merge1=$(echo "$out" | sed -n 's/^merge job \([0-9]*\):.*/\1/p')
echo "$out" | grep -q -- "--dependency=afterok:" || fail "submit_array.sh did not print the merge command"
hyb_srun=$(sbatch --parsable --export=ALL,HS="$HS_MPI",SCENARIO="$SMALL",OUT=small_srun.h5 "$HPC/hybrid.sbatch")
hyb_mpirun=$(sbatch --parsable --export=ALL,HS="$HS_MPI",SCENARIO="$SMALL",OUT=small_mpirun.h5,HS_LAUNCHER=mpirun,OMPI_MCA_hwloc_base_report_bindings=1 "$HPC/hybrid.sbatch")

# The long sweep: long.yaml with more runs, doubled until the serial sweep on 2 threads
# takes 25 s or more, so that every job below is still running at its early signal.
runs=${HS_SLURM_LONG_RUNS:-60000}
while :; do
  sed "s/^  runs: .*/  runs: $runs/" "$LONG_SRC" >long.yaml
  t0=$(date +%s)
  "$HS" sweep long.yaml -o long_ref.h5 -j 2 --quiet --force
  secs=$(($(date +%s) - t0))
  say "serial reference: $runs runs in $secs s"
  [ "$secs" -ge 25 ] && break
  runs=$((runs * 2))
done

wait_state "$merge1" COMPLETED
same small_ref.h5 array/small.h5
ls array/small_shards/hs-shard-*_[123].out >/dev/null || fail "no shard logs beside the output"
[ "$(field "${array1}_3" Comment)" = passed-through ] || fail "the sbatch option did not reach the array job"
say "1 ok: submit_array.sh from another directory (an sbatch option passed), 3 shards + merge = serial"
for j in "$hyb_srun" "$hyb_mpirun"; do wait_state "$j" COMPLETED; done
same small_ref.h5 small_srun.h5
same small_ref.h5 small_mpirun.h5
for f in small_srun.h5 small_mpirun.h5; do
  [ "$($PY -c "import h5py,sys; print(h5py.File(sys.argv[1]).attrs['hdf5_driver'])" "$f")" = mpio ] ||
    fail "$f was not written by the MPI engine (2 ranks)"
done
# mpirun's binding report: each rank on a core of its own ("[B/.]" and "[./B]" on 2 cores)
b0=$(sed -n 's/.*MCW rank 0 bound to .*: \[\(.*\)\]$/\1/p' "$(field "$hyb_mpirun" StdOut)")
b1=$(sed -n 's/.*MCW rank 1 bound to .*: \[\(.*\)\]$/\1/p' "$(field "$hyb_mpirun" StdOut)")
if [ "$(tr -cd B <<<"$b0")" != B ] || [ "$(tr -cd B <<<"$b1")" != B ] || [ "$b0" = "$b1" ]; then
  fail "mpirun ranks not each on a core of their own: rank 0 [$b0], rank 1 [$b1]"
fi
say "2,3 ok: hybrid.sbatch under srun --mpi=pmix and under mpirun (2 ranks on cores [$b0] and [$b1], MPI-IO) = serial"

# 4: srun, stopped by the time limit, resubmitted as the template says.
align
j=$(sbatch --parsable --time=1 --export=ALL,HS="$HS_MPI",SCENARIO=long.yaml,OUT=long_srun.h5 "$HPC/hybrid.sbatch")
wait_state "$j" FAILED
[ "$(field "$j" ExitCode)" = 143:0 ] || fail "job $j exit $(field "$j" ExitCode), expected 143:0"
log_has "$j" "SIGTERM: the time limit is near"
assert_stopped "$j" long_srun.h5.partial
[ -e long_srun.h5.partial ] || fail "no long_srun.h5.partial after the stop"
j2=$(sbatch --parsable --export=ALL,HS="$HS_MPI",SCENARIO=long.yaml,OUT=long_srun.h5 "$HPC/hybrid.sbatch")
wait_state "$j2" COMPLETED
log_has "$j2" "resuming long_srun.h5.partial"
same long_ref.h5 long_srun.h5
say "4 ok: hybrid.sbatch under srun stopped by --time=1 (exit 143), resubmitted: = serial"

# 5: mpirun, stopped by the time limit, requeues itself; the test then gives the requeued
# job 10 minutes so that it is not stopped again.
align
j=$(sbatch --parsable --time=1 --export=ALL,HS="$HS_MPI",SCENARIO=long.yaml,OUT=long_mpirun.h5,HS_LAUNCHER=mpirun,HS_REQUEUE=1 "$HPC/hybrid.sbatch")
wait_field "$j" Restarts 1
scontrol update JobId="$j" TimeLimit=10
wait_state "$j" COMPLETED
log_has "$j" "SIGTERM: the time limit is near"
log_has "$j" "requeueing job $j"
log_has "$j" "resuming long_mpirun.h5.partial"
assert_stopped "$j" long_mpirun.h5.partial
same long_ref.h5 long_mpirun.h5
say "5 ok: hybrid.sbatch under mpirun stopped by --time=1, requeued itself (restart 1): = serial"

# Two shards, one task a CPU: task 1 gets 10 minutes, task 2 (which holds the array's own
# job id) stays at 1 minute and is stopped.
long_array() { # long_array OUT REQUEUE -> sets aid, merge
  align
  out=$(HS_CPUS=1 HS_TIME=1 HS_REQUEUE=$2 "$HPC/submit_array.sh" long.yaml "$1" 2)
  show "$out"
  aid=$(echo "$out" | sed -n 's/^array job \([0-9]*\):.*/\1/p')
  merge=$(echo "$out" | sed -n 's/^merge job \([0-9]*\):.*/\1/p')
  scontrol update JobId="${aid}_1" TimeLimit=10
}

# 6: the stopped task requeues itself, and only itself; the merge then runs by itself.
long_array array/long_rq.h5 1
wait_field "${aid}_2" Restarts 1
[ "$(field "${aid}_2" JobId)" = "$aid" ] || say "note: task 2 does not hold the array's job id here"
scontrol update JobId="${aid}_2" TimeLimit=10
wait_state "$merge" COMPLETED
[ "$(field "${aid}_1" Restarts)" = 0 ] || fail "task 1 was restarted: the requeue hit the whole array"
log_has "${aid}_2" "requeueing task ${aid}_2"
log_has "${aid}_2" "resuming"
assert_stopped "${aid}_2" "$T/work/array/long_rq_shards/shard_2.h5.partial"
same long_ref.h5 array/long_rq.h5
say "6 ok: array task stopped by --time=1 requeued itself only (task 1: 0 restarts), merge ran: = serial"

# 7: without HS_REQUEUE the task fails, the merge waits with DependencyNeverSatisfied, and
# the printed commands finish the sweep.
long_array array/long_manual.h5 0
wait_state "${aid}_2" FAILED
assert_stopped "${aid}_2" "$T/work/array/long_manual_shards/shard_2.h5.partial"
wait_field "$merge" Reason DependencyNeverSatisfied
# (with 10 minutes instead of the 1 that stopped it)
resub=$(echo "$out" | sed -n 's/^  sbatch --array=<failed task ids>/sbatch --parsable --array=2/p' | sed 's/ --time=1 / --time=10 /')
[ -n "$resub" ] || fail "submit_array.sh printed no resubmission command"
new=$(eval "$resub")
upd=$(echo "$out" | sed -n "s/^  scontrol update JobId=$merge Dependency=afterok:<new array job id>/scontrol update JobId=$merge Dependency=afterok:$new/p")
[ -n "$upd" ] || fail "submit_array.sh printed no scontrol update command"
eval "$upd"
wait_state "$merge" COMPLETED
log_has "$new" "resuming"
same long_ref.h5 array/long_manual.h5
say "7 ok: array task stopped by --time=1 without requeue: merge DependencyNeverSatisfied; printed resubmit + scontrol update: = serial"

say "all SLURM checks passed in $(($(date +%s) - START)) s"
