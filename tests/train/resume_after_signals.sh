#!/usr/bin/env bash
# A run killed with SIGKILL mid-epoch, or interrupted with SIGINT (Ctrl-C)
# mid-epoch, and resumed must end with the same metrics as an uninterrupted
# run with the same seed (CPU).
#   resume_after_signals.sh NNN_BINARY SOURCE_DIR
set -euo pipefail
nnn="$1"
config="$2/experiments/spiral.yaml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
settings=(train.epochs=4 threads=1 device=cpu)

"$nnn" train "$config" "${settings[@]}" --out "$work/straight" >/dev/null
# 900 samples / batch 32 = 29 batches an epoch: batch 100 is inside epoch 4,
# after the checkpoint of epoch 3.
set +e
NNN_TEST_KILL_AT_BATCH=100 "$nnn" train "$config" "${settings[@]}" --out "$work/killed" >/dev/null 2>&1
status=$?
set -e
if [[ $status -ne 137 ]]; then
  echo "FAIL: the run should have died of SIGKILL (exit 137), got $status"
  exit 1
fi
if [[ -f "$work/killed/summary.json" ]]; then
  echo "FAIL: the killed run wrote a summary"
  exit 1
fi
"$nnn" train --resume "$work/killed" >/dev/null

# Ctrl-C inside epoch 2 (batch 40 of the session): a mid-epoch checkpoint, exit 130.
set +e
NNN_TEST_INTERRUPT_AT_BATCH=40 "$nnn" train "$config" "${settings[@]}" --out "$work/interrupted" \
  >"$work/interrupted.log" 2>&1
status=$?
set -e
if [[ $status -ne 130 ]] || ! grep -q "interrupted: checkpoint saved at epoch 2, batch 11" "$work/interrupted.log"; then
  echo "FAIL: SIGINT should save a checkpoint at epoch 2, batch 11 and exit 130; got $status:"
  cat "$work/interrupted.log"
  exit 1
fi
"$nnn" train --resume "$work/interrupted" >/dev/null

# Everything but the timing columns (the last two) must agree.
strip_timing() { awk -F, '{ NF -= 2; print }' OFS=, "$1"; }
test_of() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["test"])' "$1/summary.json"; }
for run in killed interrupted; do
  if ! diff <(strip_timing "$work/straight/metrics.csv") <(strip_timing "$work/$run/metrics.csv"); then
    echo "FAIL: metrics differ after resuming the $run run"
    exit 1
  fi
  if [[ "$(test_of "$work/straight")" != "$(test_of "$work/$run")" ]]; then
    echo "FAIL: final test metrics differ: $(test_of "$work/straight") vs $(test_of "$work/$run")"
    exit 1
  fi
done
echo "PASS: the killed and the interrupted runs, resumed, equal the uninterrupted one: $(test_of "$work/killed")"
