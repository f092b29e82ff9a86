#!/usr/bin/env bash
# Data-parallel training through the `nnn` binary on loopback (c10d Gloo):
#  1. 2 ranks train exactly what 1 process trains (same global batch, an
#     uneven last batch): every metrics.csv value but the timings equal
#     within 1e-5, weights.pt (nnn eval) the same per-step accuracy;
#  2. 3 ranks interrupted (SIGINT at a batch) resume as 1 process and end
#     where the uninterrupted run ends;
#  3. a rank that dies: the launcher names it, exits non-zero, the others stop,
#     and the job resumes from its checkpoint to the uninterrupted result; a
#     port already taken and a rank that never arrives fail in bounded time;
#  4. SIGTERM to the launcher: the ranks checkpoint together and exit 130.
# Usage: distributed_test.sh NNN_BINARY SOURCE_DIR
set -euo pipefail
nnn="$1"
cd "$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
common=(experiments/spiral.yaml train.epochs=3 train.batch_size=37 data.train_per_class=100
        data.test_per_class=40)

source "$(dirname "${BASH_SOURCE[0]}")/same_metrics.sh"

"$nnn" train "${common[@]}" threads=1 --out "$work/one" >"$work/one.log"
"$nnn" train "${common[@]}" --nproc 2 --out "$work/two" >"$work/two.log"
grep -q "distributed: 2 ranks, rendezvous at 127.0.0.1:" "$work/two.log"
grep -q "distributed: 2 ranks (torchrun)" "$work/two.log"
same_metrics "$work/one/metrics.csv" "$work/two/metrics.csv"
"$nnn" eval "$work/one" >"$work/one.eval"
"$nnn" eval "$work/two" >"$work/two.eval"
diff <(tail -n +2 "$work/one.eval") <(tail -n +2 "$work/two.eval")
# Rank 0 wrote one run directory; the other rank wrote nothing.
test "$(find "$work" -mindepth 1 -maxdepth 1 -type d | wc -l)" = 2  # one/ and two/

# Dropout masks depend on the sample, not on the rank that computes it.
"$nnn" train "${common[@]}" model.dropout=0.3 threads=1 --out "$work/drop1" >"$work/drop1.log"
"$nnn" train "${common[@]}" model.dropout=0.3 --nproc 2 --out "$work/drop2" >"$work/drop2.log"
same_metrics "$work/drop1/metrics.csv" "$work/drop2/metrics.csv"
if same_metrics "$work/one/metrics.csv" "$work/drop1/metrics.csv" >/dev/null; then
  echo "dropout changed nothing" && exit 1
fi

# Frames [F, B, D] on an MNIST slice (when set-up fetched MNIST).
if [[ -f data/mnist/t10k-images-idx3-ubyte.gz ]]; then
  frames=(experiments/blurry_frames.yaml data.limit_train=300 data.limit_test=100 train.epochs=2
          train.batch_size=45 model.hidden=16 model.wiring.adjacency=[[8]])
  "$nnn" train "${frames[@]}" threads=1 --out "$work/frames1" >"$work/frames1.log"
  "$nnn" train "${frames[@]}" --nproc 2 --out "$work/frames2" >"$work/frames2.log"
  same_metrics "$work/frames1/metrics.csv" "$work/frames2/metrics.csv"
else
  echo "distributed: no data/mnist (scripts/setup.sh fetches it): frames check skipped"
fi

# Ranks that disagree: rank 1 runs another config; every rank refuses.
port=$(free_port)
export WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port
RANK=0 "$nnn" train "${common[@]}" --out "$work/mismatch" >"$work/rank0.log" 2>&1 &
rank0=$!
status=0
RANK=1 "$nnn" train "${common[@]}" train.lr=0.5 >"$work/rank1.log" 2>&1 || status=$?
wait "$rank0" || status0=$?
unset WORLD_SIZE MASTER_ADDR MASTER_PORT
test "$status" = 1 && test "${status0:-0}" = 1
grep -q "distributed: rank 1's config differs from rank 0's" "$work/rank0.log"
grep -q "distributed: rank 1's config differs from rank 0's" "$work/rank1.log"

# Interrupted with 3 ranks (every rank asks to stop at its 5th batch; they
# stop together), resumed by a single process.
NNN_TEST_INTERRUPT_AT_BATCH=5 "$nnn" train "${common[@]}" --nproc 3 --out "$work/three" \
  >"$work/three.log" || status=$?
test "${status:-0}" = 130
# The stop request travels with the next batch's all-reduce: all stop after batch 6.
grep -q "interrupted: checkpoint saved at epoch 1, batch 6" "$work/three.log"
"$nnn" train --resume "$work/three" >"$work/resume.log"
same_metrics "$work/one/metrics.csv" "$work/three/metrics.csv"

# A rank killed mid-epoch (batch 12: in epoch 2, after epoch 1's checkpoint):
# the launcher names it and fails within the bound, the checkpoint stays
# readable, and the job resumed with 2 ranks ends where the uninterrupted
# run ends.
status=0
started=$SECONDS
NNN_TEST_KILL_AT_BATCH=12 NNN_TEST_KILL_RANK=1 "$nnn" train "${common[@]}" --nproc 2 \
  --out "$work/dead" >"$work/dead.log" 2>&1 || status=$?
test "$status" = 1
test $((SECONDS - started)) -lt 60
grep -q "distributed run failed: rank 1 of 2 was killed by signal 9" "$work/dead.log"
test -f "$work/dead/checkpoint.pt"
"$nnn" train --resume "$work/dead" --nproc 2 >"$work/dead-resume.log"
same_metrics "$work/one/metrics.csv" "$work/dead/metrics.csv"

# A rendezvous port already taken, and a rank that never arrives: one line
# naming the address, exit 1, within dist.timeout (3 s here).
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$work/held_port" &
holder=$!
for _ in $(seq 100); do [[ -s "$work/held_port" ]] && break; sleep 0.1; done
port="$(cat "$work/held_port")"
for case in "busy:$port" "alone:$(free_port)"; do
  name="${case%%:*}" p="${case##*:}"
  status=0
  started=$SECONDS
  RANK=0 WORLD_SIZE=2 LOCAL_RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT="$p" timeout 120 \
    "$nnn" train "${common[@]}" dist.timeout=3 --out "$work/$name" >"$work/$name.log" 2>&1 ||
    status=$?
  test "$status" = 1
  test $((SECONDS - started)) -lt 60
  grep -q "^error: distributed rank 0 of 2: cannot join the job at 127.0.0.1:$p (" "$work/$name.log"
  test "$(grep -c . "$work/$name.log")" -le 3
done
kill "$holder" 2>/dev/null || true

# Hostile or broken masters, met by rank 1 (a client): one that answers
# with garbage, one that accepts and never answers, a name that does not
# resolve; and a rank launched for another world size. Each ends with one
# line naming the peer, exit 1, within dist.timeout (3 s) and a margin.
for mode in garbage silent; do
  python3 -c 'import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
end = time.monotonic() + 60
while time.monotonic() < end:
    c, _ = s.accept()
    if sys.argv[1] == "garbage":
        c.recv(4096); c.sendall(os.urandom(4096) * 4)
    time.sleep(0.2)' "$mode" >"$work/$mode.port" &
  fake=$!
  for _ in $(seq 100); do [[ -s "$work/$mode.port" ]] && break; sleep 0.1; done
  status=0
  started=$SECONDS
  RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT="$(cat "$work/$mode.port")" timeout 120 \
    "$nnn" train "${common[@]}" dist.timeout=3 >"$work/$mode.log" 2>&1 || status=$?
  kill "$fake" 2>/dev/null || true
  test "$status" = 1 || { echo "$mode: status $status"; cat "$work/$mode.log"; exit 1; }
  test $((SECONDS - started)) -lt 60
  grep -q "^error: distributed rank 1 of 2: cannot join the job at 127.0.0.1:" "$work/$mode.log"
  test "$(grep -c . "$work/$mode.log")" -le 3 || { cat "$work/$mode.log"; exit 1; }
done
status=0
started=$SECONDS
RANK=1 WORLD_SIZE=2 MASTER_ADDR=no-such-host.invalid MASTER_PORT=29500 \
  "$nnn" train "${common[@]}" >"$work/unresolved.log" 2>&1 || status=$?
test "$status" = 1
test $((SECONDS - started)) -lt 30
grep -q "^error: distributed rank 1: MASTER_ADDR is 'no-such-host.invalid', which does not resolve" \
  "$work/unresolved.log"
port=$(free_port)
RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
  "$nnn" train "${common[@]}" dist.timeout=3 --out "$work/ws0" >"$work/ws0.log" 2>&1 &
rank0=$!
status=0
RANK=2 WORLD_SIZE=3 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
  "$nnn" train "${common[@]}" dist.timeout=3 >"$work/ws2.log" 2>&1 || status=$?
wait "$rank0" || true
test "$status" = 1
grep -q "^error: distributed rank 2: this rank was launched with a world of 3 ranks (WORLD_SIZE or SLURM_STEP_NUM_TASKS) but rank 0 with '2'" \
  "$work/ws2.log" || { cat "$work/ws2.log"; exit 1; }
# A config that does not load is reported once, before any rank starts.
status=0
"$nnn" train "${common[@]}" train.lr=-1 --nproc 3 >"$work/badconfig.log" 2>&1 || status=$?
test "$status" != 0
test "$(grep -c "train.lr" "$work/badconfig.log")" = 1
! grep -q "distributed: 3 ranks" "$work/badconfig.log"
# SIGTERM to the launcher (a scheduler cancelling the job): the ranks stop
# together, rank 0 checkpoints, exit 130, no rank left behind.
"$nnn" train "${common[@]}" train.epochs=500 --nproc 2 --out "$work/term" >"$work/term.log" 2>&1 &
launcher=$!
for _ in $(seq 300); do [[ -f "$work/term/checkpoint.pt" ]] && break; sleep 0.1; done
# Built on LibTorch 2.x, the local launcher's store listens on loopback only
# (1.13's c10d cannot be told; it listens on every interface).
port="$(grep -o 'rendezvous at 127.0.0.1:[0-9]*' "$work/term.log" | cut -d: -f2)"
if grep -q "^LibTorch 2\." <<<"$("$nnn" info)" && command -v ss >/dev/null; then
  listening="$(ss -ltnH "sport = :$port" | awk '{print $4}')"
  [[ "$listening" == "127.0.0.1:$port" ]] || { echo "store listens on: $listening"; exit 1; }
fi
kill -TERM "$launcher"
status=0
wait "$launcher" || status=$?
test "$status" = 130
grep -q "interrupted: checkpoint saved" "$work/term.log"
sleep 0.5
! pgrep -f -- "--out $work/term" >/dev/null
"$nnn" eval "$work/term" >/dev/null

echo "distributed: equivalence, mismatch, resume with another N, a dead rank and its resume, a busy port, a missing rank, SIGTERM: ok"
