#!/usr/bin/env bash
# Two ranks on two GPUs over c10d NCCL (dist.backend auto on cuda) train
# what one process on one GPU trains: metrics.csv within 1e-5. Skipped (77)
# unless this nnn has CUDA and NCCL (the cuda preset) and the machine has two
# GPUs. Usage: nccl_test.sh NNN_BINARY SOURCE_DIR
set -euo pipefail
nnn="$1"
cd "$2"
if ! grep -q "^CUDA available: yes" <<<"$("$nnn" info)"; then
  echo "SKIP: this nnn sees no CUDA device"
  exit 77
fi
gpus="$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)"
if [[ "${gpus:-0}" -lt 2 ]]; then
  echo "SKIP: two GPUs needed, found ${gpus:-0}"
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source tests/train/same_metrics.sh
common=(experiments/spiral.yaml train.epochs=3 train.batch_size=37 data.train_per_class=100
        data.test_per_class=40 device=cuda)
"$nnn" train "${common[@]}" --out "$work/one" >"$work/one.log"
status=0
"$nnn" train "${common[@]}" --nproc 2 --out "$work/two" >"$work/two.log" 2>&1 || status=$?
if [[ $status != 0 ]] && grep -q "built without c10d NCCL" "$work/two.log"; then
  echo "SKIP: this nnn was built without c10d NCCL (build the cuda preset)"
  exit 77
fi
[[ $status == 0 ]] || { cat "$work/two.log"; exit 1; }
grep -q "gradients all-reduced over c10d NCCL" "$work/two.log"
same_metrics "$work/one/metrics.csv" "$work/two/metrics.csv"
echo "nccl: 2 ranks on 2 GPUs equal one process"
