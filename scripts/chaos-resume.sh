#!/usr/bin/env bash
# Chaos resume: trains a config while SIGKILLing it at random moments
# (during batches, evaluations and checkpoint writes alike), resuming after
# each kill, then checks that the final metrics and weights equal an
# uninterrupted run's and that the run directory stayed readable throughout.
#   scripts/chaos-resume.sh [KILLS] [CONFIG] [key=value ...]
#   (default: 20 kills of experiments/mnist_nnn.yaml; CI runs 3 on spiral)
# NNN (default build/release/bin/nnn), SEED (for the kill times) and
# MIN_RESUMED (kills that must come after a first checkpoint, default 1),
# DELAY_MIN / DELAY_MAX (kill moments, per mille of a run, default 50 / 300).
set -uo pipefail
cd "$(dirname "$0")/.."
kills="${1:-20}"
config="${2:-experiments/mnist_nnn.yaml}"
shift 2 2>/dev/null || shift $#
settings=("$@" threads=1 device=cpu)
nnn="${NNN:-build/release/bin/nnn}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
RANDOM="${SEED:-1}"
fail() { echo "FAIL: $*"; exit 1; }

start=$(date +%s.%N)
"$nnn" train "$config" "${settings[@]}" --out "$work/straight" >/dev/null || fail "uninterrupted run"
straight_seconds=$(echo "$(date +%s.%N) - $start" | bc)

run="$work/chaos"
done_kills=0
restarts=0
while ((done_kills < kills)); do
  if [[ -f "$run/checkpoint.pt" ]]; then
    "$nnn" train --resume "$run" >/dev/null 2>&1 &
  else
    rm -rf "$run"  # killed before its first checkpoint: nothing to resume
    restarts=$((restarts + 1))
    "$nnn" train "$config" "${settings[@]}" --out "$run" >/dev/null 2>&1 &
  fi
  pid=$!
  # Progress, not time, makes sure the check below can hold on a loaded
  # machine: until MIN_RESUMED kills have come after a checkpoint, the kill
  # comes right after the run's next checkpoint appears (plus 0-49 ms).
  # Other kills come at a random moment between DELAY_MIN and DELAY_MAX per
  # mille of the uninterrupted run's length (start-up included): by default
  # 5% to 30%, so that KILLS kills fit into one run, before a first
  # checkpoint too.
  if ((done_kills - restarts < ${MIN_RESUMED:-1})); then
    before="$(stat -c %i "$run/checkpoint.pt" 2>/dev/null || true)"
    for _ in $(seq 60000); do
      now="$(stat -c %i "$run/checkpoint.pt" 2>/dev/null || true)"
      [[ -n "$now" && "$now" != "$before" ]] && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.01
    done
    sleep "0.0$((RANDOM % 5))"
  else
    lo="${DELAY_MIN:-50}" hi="${DELAY_MAX:-300}"
    delay=$(echo "scale=3; $straight_seconds * ($lo + $RANDOM % ($hi - $lo)) / 1000" | bc)
    sleep "$delay"
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"
    [[ -f "$run/summary.json" ]] && break  # it finished before the kill
    continue
  fi
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  done_kills=$((done_kills + 1))
  # Whatever the moment, the directory stays readable: a checkpoint, if
  # any, loads (eval reads it when there are no weights yet).
  if [[ -f "$run/checkpoint.pt" ]]; then
    "$nnn" eval "$run" --json >/dev/null 2>"$work/eval.err" ||
      fail "after kill $done_kills the run directory is unreadable: $(cat "$work/eval.err")"
  fi
  ls "$run" 2>/dev/null | grep -q '\.tmp\.' && rm -f "$run"/*.tmp.*  # a killed write's leftover
done
# Finish the run.
while [[ ! -f "$run/summary.json" ]]; do
  if [[ -f "$run/checkpoint.pt" ]]; then
    "$nnn" train --resume "$run" >/dev/null || fail "final resume"
  else
    rm -rf "$run"
    "$nnn" train "$config" "${settings[@]}" --out "$run" >/dev/null || fail "final run"
  fi
done
resumed=$((done_kills - restarts))
((resumed >= ${MIN_RESUMED:-1})) || fail "only $resumed of $done_kills kills came after a checkpoint"
strip() { awk -F, '{ NF -= 2; print }' OFS=, "$1"; }
diff <(strip "$work/straight/metrics.csv") <(strip "$run/metrics.csv") >/dev/null ||
  fail "metrics differ from the uninterrupted run"
cmp -s "$work/straight/weights.pt" "$run/weights.pt" || fail "weights differ from the uninterrupted run"
acc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["test"]["accuracy"][-1])' "$run/summary.json")
echo "PASS: $done_kills kills ($restarts before a first checkpoint), resumed each time:" \
  "metrics and weights equal the uninterrupted run (final accuracy $acc; run $straight_seconds s)"
