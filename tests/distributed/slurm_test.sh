#!/usr/bin/env bash
# The real Slurm (Debian's slurm-wlm and munge, scripts/slurm-local.sh): a
# one-machine cluster on 127.0.0.1 runs nnn as a user's job would.
#  1. srun's environment: `srun -n 2 nnn train` without MASTER_PORT is
#     refused by each task with one line naming the variable;
#  2. sbatch of experiments/slurm/train.sbatch (2 tasks through srun) trains
#     what one process trains (metrics.csv, weights.pt within 1e-5);
#  3. preemption: a requeue once the first checkpoint exists (Slurm sends
#     SIGTERM, the ranks checkpoint together); the requeued job continues the
#     run by itself and ends at the uninterrupted run's metrics.
# Exits 77 with the reason when the daemons cannot run here (not root, no
# slurm-wlm). Usage: slurm_test.sh NNN_BINARY SOURCE_DIR
set -euo pipefail
nnn="$1"
cd "$2"
src="$PWD"
work="$(mktemp -d)"
cluster="$work/cluster"
# On a failure, what Slurm thought of the jobs and the node, before the
# cluster goes.
diagnose() {
  echo "--- slurm state at the failure"
  squeue -a -o "%i %T %r %S %M" 2>&1 || true
  sinfo -N -o "%N %T %E" 2>&1 || true
  for name in slurmctld slurmd; do
    echo "--- $name.log (tail)"
    tail -n 15 "$cluster/$name.log" 2>&1 || true
  done
  for log in "$work"/*.out; do
    [[ -f "$log" ]] && { echo "--- $log"; tail -n 20 "$log"; }
  done
}
cleanup() {
  local status=$?
  [[ $status != 0 && $status != 77 && -n "${SLURM_CONF:-}" ]] && diagnose
  [[ -n "${SLURM_CONF:-}" ]] && scancel --full --quiet --user root 2>/dev/null || true
  "$src/scripts/slurm-local.sh" stop "$cluster" || true
  [[ -n "${NNN_KEEP:-}" ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
status=0
conf="$("$src/scripts/slurm-local.sh" start "$cluster")" || status=$?
[[ $status == 77 ]] && exit 77
[[ $status == 0 ]] || exit "$status"
eval "$conf"
source "$src/tests/train/same_metrics.sh"
torch_python="$src/.venv-torch2/bin/python"
# Waits for job $1 to leave the queue (bounded by polls; a job never ends by
# time). The bounds of the waits below add up to less than CTest's timeout,
# so a stuck job is reported with diagnose's account, not killed silently.
wait_job() {
  for _ in $(seq 1500); do
    [[ -z "$(squeue -h -j "$1" 2>/dev/null)" ]] && return 0
    sleep 0.2
  done
  echo "job $1 did not leave the queue"
  return 1
}
# A requeued job, once its ranks have stopped (COMPLETING, as long as they
# take: up to KillWait), is held back by Slurm for the credential's lifetime
# (PENDING, reason BeginTime, 20 minutes). Releases it when it is held; an
# earlier StartTime=now, while it still completes, is accepted and ignored.
release_requeued() {
  for _ in $(seq 1500); do
    case "$(squeue -h -j "$1" -o '%T %r' 2>/dev/null)" in
      "PENDING BeginTime") scontrol update jobid="$1" StartTime=now ;;
      RUNNING* | "") return 0 ;;
    esac
    sleep 0.1
  done
  echo "requeued job $1 never ran again"
  return 1
}
common=(experiments/spiral.yaml train.epochs=3 train.batch_size=37 data.train_per_class=100
        data.test_per_class=40)

# 1. srun's own variables, with the master missing.
echo "slurm: 1. srun -n 2 without MASTER_ADDR, then without MASTER_PORT"
status=0
srun --immediate=120 -n 2 "$nnn" train "${common[@]}" --out "$work/nomaster" >"$work/nomaster.log" 2>&1 || status=$?
test "$status" != 0
grep -q "error: environment: MASTER_ADDR is not set for a job of 2 ranks (SLURM_PROCID is set)" \
  "$work/nomaster.log"
status=0
MASTER_ADDR=127.0.0.1 srun --immediate=120 -n 2 "$nnn" train "${common[@]}" --out "$work/noport" \
  >"$work/noport.log" 2>&1 || status=$?
test "$status" != 0
grep -q "error: environment: MASTER_PORT is not set for a job of 2 ranks; under Slurm" "$work/noport.log"

# 2. The batch script, 2 tasks on this one node.
echo "slurm: 2. sbatch of experiments/slurm/train.sbatch, 2 tasks"
"$nnn" train "${common[@]}" threads=1 --out "$work/one" >"$work/one.log"
export NNN="$nnn"
job=$(MASTER_PORT=$(free_port) sbatch --parsable --nodes=1 --ntasks-per-node=2 -o "$work/batch.out" \
  experiments/slurm/train.sbatch "${common[@]}" --out "$work/batch")
wait_job "$job"
grep -q "distributed: 2 ranks (slurm)" "$work/batch.out" || { cat "$work/batch.out"; exit 1; }
same_metrics "$work/one/metrics.csv" "$work/batch/metrics.csv"
same_weights "$work/one/weights.pt" "$work/batch/weights.pt"

# 3. Requeued once its first checkpoint exists; the job runs again and continues.
echo "slurm: 3. a job requeued once its first checkpoint exists"
long=(experiments/spiral.yaml train.epochs=300 train.batch_size=37 data.train_per_class=100
      data.test_per_class=40)
# Over 300 epochs one process and two ranks drift apart by float rounding
# (the sums are taken in another order): the reference has two ranks too.
"$nnn" train "${long[@]}" --nproc 2 --out "$work/long" >"$work/long.log"
job=$(MASTER_PORT=$(free_port) sbatch --parsable --nodes=1 --ntasks-per-node=2 -o "$work/requeue.out" \
  experiments/slurm/train.sbatch "${long[@]}" --out "$work/requeue")
for _ in $(seq 3000); do [[ -f "$work/requeue/checkpoint.pt" ]] && break; sleep 0.05; done
test -f "$work/requeue/checkpoint.pt"
scontrol requeue "$job"
release_requeued "$job"
wait_job "$job"
grep -q "interrupted: checkpoint saved" "$work/requeue.out" || { cat "$work/requeue.out"; exit 1; }
grep -q "restart 1 of this job: continuing the run in $work/requeue from its last checkpoint" \
  "$work/requeue.out"
same_metrics "$work/long/metrics.csv" "$work/requeue/metrics.csv"
same_weights "$work/long/weights.pt" "$work/requeue/weights.pt"
echo "slurm: srun's variables checked, sbatch with 2 tasks equals one process, a requeued job continues to the same metrics"
