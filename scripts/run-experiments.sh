#!/usr/bin/env bash
# Runs the experiment configs one after the other (nothing else should load
# the machine meanwhile) into runs/table/<name> and prints the markdown rows
# of experiments/README.md's results table from their summary.json files.
#   scripts/run-experiments.sh [experiments/a.yaml ...]
set -euo pipefail
cd "$(dirname "$0")/.."
nnn=build/release/bin/nnn
configs=("$@")
if ((${#configs[@]} == 0)); then
  configs=(experiments/mnist_nnn.yaml experiments/mnist_mlp.yaml experiments/fashion_nnn.yaml
           experiments/fashion_mlp.yaml experiments/spiral.yaml experiments/toy.yaml)
fi
for config in "${configs[@]}"; do
  name="$(basename "$config" .yaml)"
  rm -rf "runs/table/$name"
  "$nnn" train "$config" --out "runs/table/$name" > "runs/table-$name.log"
  python3 - "$config" "runs/table/$name/summary.json" <<'PY'
import json, sys
config, path = sys.argv[1], sys.argv[2]
s = json.load(open(path))
acc = " / ".join(f"{100 * a:.2f}" for a in s["test"]["accuracy"])
top3 = 100 * s["test"]["top3"][-1]
print(f"| `{config}` | `nnn train {config}` | {s['parameters']:,} | {acc} | {top3:.2f} | "
      f"{s['wall_seconds']:.0f} s |")
PY
done
