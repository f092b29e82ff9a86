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
cleanup() {
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
# Waits for job $1 to leave the queue (bounded by polls; a job never ends by time).
wait_job() {
  for _ in $(seq 3000); do
    [[ -z "$(squeue -h -j "$1" 2>/dev/null)" ]] && return 0
    sleep 0.2
  done
  echo "job $1 did not end"; squeue; return 1
}
common=(experiments/spiral.yaml train.epochs=3 train.batch_size=37 data.train_per_class=100
        data.test_per_class=40)

# 1. srun's own variables, with the master missing.
status=0
srun -n 2 "$nnn" train "${common[@]}" --out "$work/nomaster" >"$work/nomaster.log" 2>&1 || status=$?
test "$status" != 0
grep -q "error: environment: MASTER_ADDR is not set for a job of 2 ranks (SLURM_PROCID is set)" \
  "$work/nomaster.log"
status=0
MASTER_ADDR=127.0.0.1 srun -n 2 "$nnn" train "${common[@]}" --out "$work/noport" \
  >"$work/noport.log" 2>&1 || status=$?
test "$status" != 0
grep -q "error: environment: MASTER_PORT is not set for a job of 2 ranks; under Slurm" "$work/noport.log"

# 2. The batch script, 2 tasks on this one node.
"$nnn" train "${common[@]}" threads=1 --out "$work/one" >"$work/one.log"
export NNN="$nnn"
job=$(MASTER_PORT=$(free_port) sbatch --parsable --nodes=1 --ntasks-per-node=2 -o "$work/batch.out" \
  experiments/slurm/train.sbatch "${common[@]}" --out "$work/batch")
wait_job "$job"
grep -q "distributed: 2 ranks (slurm)" "$work/batch.out" || { cat "$work/batch.out"; exit 1; }
same_metrics "$work/one/metrics.csv" "$work/batch/metrics.csv"
same_weights "$work/one/weights.pt" "$work/batch/weights.pt"

# 3. Requeued once its first checkpoint exists; the job runs again and continues.
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
# Slurm holds a requeued job back for a while (BeginTime); release it now.
for _ in $(seq 300); do
  [[ "$(squeue -h -j "$job" -o %T)" == PENDING ]] && break
  sleep 0.1
done
scontrol update jobid="$job" StartTime=now
wait_job "$job"
grep -q "interrupted: checkpoint saved" "$work/requeue.out" || { cat "$work/requeue.out"; exit 1; }
grep -q "restart 1 of this job: continuing the run in $work/requeue from its last checkpoint" \
  "$work/requeue.out"
same_metrics "$work/long/metrics.csv" "$work/requeue/metrics.csv"
same_weights "$work/long/weights.pt" "$work/requeue/weights.pt"
echo "slurm: srun's variables checked, sbatch with 2 tasks equals one process, a requeued job continues to the same metrics"
