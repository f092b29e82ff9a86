#!/usr/bin/env bash
# Data-parallel training through the `nnn` binary on loopback (c10d Gloo):
#  1. 2 ranks train exactly what 1 process trains (same global batch, an
#     uneven last batch): every metrics.csv value but the timings equal
#     within 1e-5, weights.pt (nnn eval) the same per-step accuracy;
#  2. 3 ranks interrupted (SIGINT at a batch) resume as 1 process and end
#     where the uninterrupted run ends;
#  3. a rank that dies: the launcher names it, exits non-zero, the others stop;
#  4. SIGTERM to the launcher: the ranks checkpoint together and exit 130.
# Usage: distributed_test.sh NNN_BINARY SOURCE_DIR
set -euo pipefail
nnn="$1"
cd "$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
common=(experiments/spiral.yaml train.epochs=3 train.batch_size=37 data.train_per_class=100
        data.test_per_class=40)

# Every column but samples_per_s and seconds, numbers compared within 1e-5.
same_metrics() {
  awk -F, 'NR == FNR { a[FNR] = $0; n = FNR; next }
    {
      split(a[FNR], x, ",");
      if (FNR == 1) { if (a[FNR] != $0) { print "headers differ"; bad = 1 }; next }
      for (i = 1; i <= NF - 2; ++i) {
        d = x[i] - $i; if (d < 0) d = -d;
        s = ($i < 0 ? -$i : $i); if (s < 1) s = 1;
        if (d > 1e-5 * s) { printf "row %d column %d: %s vs %s\n", FNR, i, x[i], $i; bad = 1 }
      }
    }
    END { if (FNR != n) { print "row counts differ"; bad = 1 }; exit bad }' "$1" "$2"
}

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
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
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

# A rank killed mid-epoch: the launcher names it and fails.
status=0
NNN_TEST_KILL_AT_BATCH=3 NNN_TEST_KILL_RANK=1 "$nnn" train "${common[@]}" --nproc 2 \
  --out "$work/dead" >"$work/dead.log" 2>&1 || status=$?
test "$status" = 1
grep -q "distributed run failed: rank 1 of 2 was killed by signal 9" "$work/dead.log"
# SIGTERM to the launcher (a scheduler cancelling the job): the ranks stop
# together, rank 0 checkpoints, exit 130, no rank left behind.
"$nnn" train "${common[@]}" train.epochs=500 --nproc 2 --out "$work/term" >"$work/term.log" 2>&1 &
launcher=$!
for _ in $(seq 300); do [[ -f "$work/term/checkpoint.pt" ]] && break; sleep 0.1; done
kill -TERM "$launcher"
status=0
wait "$launcher" || status=$?
test "$status" = 130
grep -q "interrupted: checkpoint saved" "$work/term.log"
sleep 0.5
! pgrep -f -- "--out $work/term" >/dev/null
"$nnn" eval "$work/term" >/dev/null

echo "distributed: equivalence, mismatch, resume with another N, a dead rank, SIGTERM: ok"
