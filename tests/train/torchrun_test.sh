#!/usr/bin/env bash
# The real launcher: PyTorch's own torchrun (2.13, from .venv-torch2) starts
# `nnn train` in each of its forms, and the job trains what one process
# trains (metrics.csv within 1e-5, weights.pt read back by torch.load within
# 1e-5). torchrun's agent hosts the rendezvous store with its own torch's
# c10d, whose protocol changed after LibTorch 1.x: an nnn built on LibTorch
# 2.x (preset torch2) runs every form below; one built on Debian's 1.13
# (preset release) runs the c10d form with TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1
# (rank 0 hosts the store) and is refused with one line naming both ways in
# the agent-store forms. Debian's own torchrun 1.13 fails on Python 3.11
# before starting anything, so it is not used. The forms:
#  1. --standalone (c10d rendezvous, the store of torchrun's agent),
#  2. the static form of docs/distributed.md on one node, and on two "nodes" (two
#     torchrun agents on 127.0.0.1, node ranks 0 and 1),
#  3. --rdzv-backend c10d with an endpoint,
#  4. --max-restarts 1 with rank 1 SIGKILLed mid-run: torchrun restarts the
#     group, the ranks continue from the checkpoint in --out by themselves,
#     and the job ends at the uninterrupted metrics; the same with nnn's own
#     `--nproc 2 --max-restarts 1`;
#  5. a job that torchrun would restart but that has no --out is refused.
# Exits 77 (skipped) without .venv-torch2 (scripts/setup.sh makes it).
# Usage: torchrun_test.sh NNN_BINARY SOURCE_DIR
set -euo pipefail
nnn="$1"
cd "$2"
venv="${NNN_TORCH2_VENV:-.venv-torch2}"
torchrun="$venv/bin/torchrun"
if [[ ! -x "$torchrun" ]]; then
  echo "SKIP: no $torchrun (scripts/setup.sh makes .venv-torch2)"
  exit 77
fi
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
common=(experiments/spiral.yaml train.epochs=3 train.batch_size=37 data.train_per_class=100
        data.test_per_class=40)
source "$(dirname "${BASH_SOURCE[0]}")/same_metrics.sh"
torch_python="$venv/bin/python"
# torchrun's own lines go to stderr; nnn's rank 0 prints to stdout.
# Every torchrun is bounded: a launch that hangs (a rank or node that never
# comes) fails here with its logs, not at CTest's timeout with nothing said.
# 240 s is about ten times what one takes on a loaded 2-core machine.
bounded() { timeout -k 10 240 "$@"; }

launched() {  # NAME torchrun-arguments...
  local name="$1"
  shift
  bounded "$torchrun" --no-python "$@" "$nnn" train "${common[@]}" --out "$work/$name" \
    >"$work/$name.log" 2>"$work/$name.err" || { cat "$work/$name.log" "$work/$name.err"; return 1; }
  grep -q "distributed: 2 ranks (torchrun, store of torchrun's agent)" "$work/$name.log"
  same_metrics "$work/one/metrics.csv" "$work/$name/metrics.csv"
  same_weights "$work/one/weights.pt" "$work/$name/weights.pt"
}

"$nnn" train "${common[@]}" threads=1 --out "$work/one" >"$work/one.log"

# nnn's own launcher restarts like torchrun: rank 1 dies at its 12th batch
# (epoch 2, after epoch 1's checkpoint), all ranks start again and continue.
NNN_TEST_KILL_AT_BATCH=12 NNN_TEST_KILL_RANK=1 "$nnn" train "${common[@]}" --nproc 2 \
  --max-restarts 1 --out "$work/local" >"$work/local.log" 2>&1 || { cat "$work/local.log"; exit 1; }
grep -q "distributed: rank 1 of 2 was killed by signal 9 (Killed); restarting all ranks (restart 1 of 1)" \
  "$work/local.log"
grep -q "restart 1 of this job: continuing the run in $work/local" "$work/local.log"
same_metrics "$work/one/metrics.csv" "$work/local/metrics.csv"

# A job a launcher would restart, without a fixed run directory: refused at once.
status=0
TORCHELASTIC_MAX_RESTARTS=2 RANK=0 WORLD_SIZE=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=1 \
  "$nnn" train "${common[@]}" >"$work/norestart.log" 2>&1 || status=$?
test "$status" = 1
grep -q "^error: environment: TORCHELASTIC_MAX_RESTARTS is '2', but the run has no fixed directory" \
  "$work/norestart.log"

# torchrun --max-restarts 1 with rank 1 SIGKILLed at its 12th batch: torchrun
# restarts the group, the ranks continue by themselves. Extra environment
# for torchrun comes as arguments: elastic NAME=VALUE... -- torchrun-arguments.
elastic() {
  local -a vars=()
  while [[ "$1" != -- ]]; do vars+=("$1"); shift; done
  shift
  bounded env "${vars[@]}" NNN_TEST_KILL_AT_BATCH=12 NNN_TEST_KILL_RANK=1 "$torchrun" --no-python \
    "$@" --max-restarts 1 "$nnn" train "${common[@]}" --out "$work/elastic" \
    >"$work/elastic.log" 2>"$work/elastic.err" || { cat "$work/elastic.log" "$work/elastic.err"; exit 1; }
  grep -q "restart 1 of this job: continuing the run in $work/elastic from its last checkpoint" \
    "$work/elastic.log"
  grep -q "resuming $work/elastic at epoch 2, batch 0" "$work/elastic.log"
  same_metrics "$work/one/metrics.csv" "$work/elastic/metrics.csv"
  same_weights "$work/one/weights.pt" "$work/elastic/weights.pt"
}

if grep -q "^LibTorch 1\." <<<"$("$nnn" info)"; then
  # LibTorch 1.x: rank 0 hosts the store; the agent-store forms are refused clearly.
  TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1 bounded "$torchrun" --no-python --standalone --nproc-per-node 2 \
    "$nnn" train "${common[@]}" --out "$work/own" >"$work/own.log" 2>"$work/own.err" ||
    { cat "$work/own.log" "$work/own.err"; exit 1; }
  grep -q "distributed: 2 ranks (torchrun)," "$work/own.log"
  same_metrics "$work/one/metrics.csv" "$work/own/metrics.csv"
  same_weights "$work/one/weights.pt" "$work/own/weights.pt"
  elastic TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1 -- --standalone --nproc-per-node 2
  status=0
  bounded "$torchrun" --no-python --standalone --nproc-per-node 2 "$nnn" train "${common[@]}" dist.timeout=5 \
    --out "$work/refused" >"$work/refused.log" 2>&1 || status=$?
  test "$status" != 0
  grep -q "^error: distributed rank [01] of 2: cannot join the job at .*the store there is torchrun's agent's, and this nnn's c10d (LibTorch 1.13.0) must speak its torch's store protocol" \
    "$work/refused.log" || { cat "$work/refused.log"; exit 1; }
  echo "torchrun 2.13 with nnn on LibTorch 1.x: rank 0's store (c10d rendezvous) and an elastic restart equal one process; the agent's store is refused with the way out; nnn's --max-restarts: ok"
  exit 0
fi

launched standalone --standalone --nproc-per-node 2
launched static --nnodes 1 --nproc-per-node 2 --rdzv-backend static --node-rank 0 \
  --master-addr 127.0.0.1 --master-port "$(free_port)"
launched c10d --nnodes 1 --nproc-per-node 2 --rdzv-backend c10d \
  --rdzv-endpoint "127.0.0.1:$(free_port)" --rdzv-id nnn-test

# docs/distributed.md's two-node form, both nodes on this machine.
port=$(free_port)
for node in 1 0; do
  bounded "$torchrun" --no-python --nnodes 2 --nproc-per-node 1 --rdzv-backend static \
    --node-rank $node --master-addr 127.0.0.1 --master-port "$port" \
    "$nnn" train "${common[@]}" --out "$work/nodes" >"$work/node$node.log" 2>"$work/node$node.err" &
done
wait %1 && wait %2 || { cat "$work"/node*.log "$work"/node*.err; exit 1; }
grep -q "distributed: 2 ranks (torchrun, store of torchrun's agent)" "$work/node0.log"
same_metrics "$work/one/metrics.csv" "$work/nodes/metrics.csv"
same_weights "$work/one/weights.pt" "$work/nodes/weights.pt"

elastic -- --standalone --nproc-per-node 2

echo "torchrun: standalone, static (1 and 2 nodes), c10d, an elastic restart after a SIGKILL, nnn's --max-restarts: equal to one process"
