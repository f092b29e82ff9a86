#!/usr/bin/env bash
# `nnn search` shared by several processes decides exactly what one process
# decides: the same candidates (wirings, hidden sizes, validation accuracy,
# warm-start shares) and the same final test accuracy, whether the ranks come
# from `--nproc 2`, from two independent jobs (`--rank R --ranks 2`, the form
# for a cluster's job array), or from PyTorch's own torchrun (skipped without
# .venv-torch2). A rank whose partner never comes fails naming it.
# Usage: search_test.sh NNN_BINARY SOURCE_DIR
set -euo pipefail
nnn="$1"
cd "$2"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
common=(experiments/spiral.yaml data.train_per_class=60 data.test_per_class=20 train.epochs=4
        threads=1 --random 3 --generations 2 --children 2 --population 2 --epochs 2
        --final-seeds 2 --max-cells 4 --no-lesions)

# What a search decided, without its timings.
decided() {
  python3 - "$1" <<'PY'
import csv, glob, json, os, sys
out = sys.argv[1]
for row in csv.DictReader(open(os.path.join(out, "search.csv"))):
    row.pop("seconds")
    print(row)
for f in sorted(glob.glob(os.path.join(out, "final", "*", "summary.json"))):
    print(os.path.basename(os.path.dirname(f)), json.load(open(f))["test"]["accuracy"])
PY
}
same_as_one() {
  if ! diff <(decided "$work/one") <(decided "$work/$1"); then
    echo "FAIL: $1 decided otherwise than one process"
    exit 1
  fi
  echo "ok: $1 equals one process"
}

timeout 300 "$nnn" search "${common[@]}" --out "$work/one" > "$work/one.log"
grep -q "written: $work/one/search.md" "$work/one.log"
[[ $(grep -c '^c0' "$work/one/search.csv" || true) == 0 ]]
[[ $(tail -n +2 "$work/one/search.csv" | wc -l) == 8 ]]

timeout 300 "$nnn" search "${common[@]}" --nproc 2 --out "$work/nproc" > "$work/nproc.log"
same_as_one nproc
# Each rank trained its own half.
grep -q "by rank 1" "$work/nproc.log"

timeout 300 "$nnn" search "${common[@]}" --rank 1 --ranks 2 --out "$work/jobs" > "$work/jobs1.log" &
timeout 300 "$nnn" search "${common[@]}" --rank 0 --ranks 2 --out "$work/jobs" > "$work/jobs0.log"
wait
same_as_one jobs

torchrun=".venv-torch2/bin/torchrun"
if [[ -x "$torchrun" ]]; then
  timeout 300 "$torchrun" --standalone --nproc-per-node 2 --no-python "$nnn" search "${common[@]}" \
    --out "$work/torchrun" > "$work/torchrun.log" 2> "$work/torchrun.err" ||
    { cat "$work/torchrun.log" "$work/torchrun.err"; exit 1; }
  same_as_one torchrun
else
  echo "skipped: torchrun (no $torchrun; scripts/setup.sh makes .venv-torch2)"
fi

# A partner that never comes: named, bounded.
if timeout 120 "$nnn" search "${common[@]}" --rank 0 --ranks 2 --peer-timeout 2 \
  --out "$work/alone" > "$work/alone.log" 2> "$work/alone.err"; then
  echo "FAIL: a rank without its partner succeeded"
  exit 1
fi
grep -q "candidate c0001 (rank 1 of 2) has not finished after 2 s" "$work/alone.err" ||
  { cat "$work/alone.err"; exit 1; }
[[ $(wc -l < "$work/alone.err") == 1 ]]
echo PASS
