#!/usr/bin/env bash
# A full disk (here: a file-size limit, RLIMIT_FSIZE, with SIGXFSZ ignored by
# nnn) while a checkpoint is written: a clear one-line error, exit 1, no
# temporary file left, the previous checkpoint intact; resuming without the
# limit then finishes with the metrics of an uninterrupted run.
#   disk_full_test.sh NNN_BINARY SOURCE_DIR
set -uo pipefail
nnn="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$src"
settings=(train.epochs=3 threads=1 device=cpu)
"$nnn" train experiments/spiral.yaml "${settings[@]}" --out "$work/straight" >/dev/null || exit 1
# Stop in the second epoch (29 batches an epoch here): a checkpoint exists.
NNN_TEST_INTERRUPT_AT_BATCH=50 "$nnn" train experiments/spiral.yaml "${settings[@]}" \
  --out "$work/run" >/dev/null
before="$(md5sum <"$work/run/checkpoint.pt")"
size=$(stat -c %s "$work/run/checkpoint.pt")
blocks=$((size / 1024 / 2))  # half a checkpoint fits
err="$work/err"
(ulimit -f "$blocks" && "$nnn" train --resume "$work/run" >/dev/null 2>"$err")
status=$?
fail() { echo "FAIL: $*"; exit 1; }
[[ $status == 1 ]] || fail "exit code $status under a full disk, expected 1 ($(cat "$err"))"
[[ $(wc -l <"$err") == 1 ]] || fail "expected one line on stderr: $(cat "$err")"
grep -q "cannot write .*checkpoint.pt.tmp.*File too large" "$err" || fail "unclear error: $(cat "$err")"
[[ "$(md5sum <"$work/run/checkpoint.pt")" == "$before" ]] || fail "the previous checkpoint changed"
ls "$work/run" | grep -q '\.tmp\.' && fail "a temporary file was left behind: $(ls "$work/run")"
"$nnn" train --resume "$work/run" >/dev/null || fail "resume after the full disk failed"
strip() { awk -F, '{ NF -= 2; print }' OFS=, "$1"; }
diff <(strip "$work/straight/metrics.csv") <(strip "$work/run/metrics.csv") >/dev/null ||
  fail "metrics after the full disk differ from an uninterrupted run"
echo "PASS: full disk: $(cat "$err")"
