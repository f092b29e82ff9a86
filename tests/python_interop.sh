#!/usr/bin/env bash
# Python interop: a run's weights.pt, read by torch.load in Debian's
# python3-torch and pushed through experiments/python/nnn_spec.py (the spec
# written again in plain PyTorch), must give `nnn eval`'s per-step accuracy.
# Exits 77 (skipped) without that Python's torch or the MNIST data.
#   python_interop.sh NNN_BINARY SOURCE_DIR [PYTHON]
# PYTHON defaults to Debian's /usr/bin/python3 (torch 1.13); the torch2 test
# passes .venv-torch2/bin/python (torch 2.13).
set -euo pipefail
nnn="$1"
src="$2"
python="${3:-/usr/bin/python3}"
if ! "$python" -c 'import torch, yaml' 2>/dev/null; then
  echo "SKIP: $python has no torch / yaml (scripts/setup.sh installs them)"
  exit 77
fi
if [[ ! -f "$src/data/mnist/t10k-labels-idx1-ubyte.gz" ]]; then
  echo "SKIP: no data/mnist (scripts/setup.sh fetches it)"
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$src"
"$nnn" train experiments/mnist_nnn.yaml train.epochs=1 data.limit_train=1000 data.limit_test=300 \
  threads=1 device=cpu --out "$work/run" >/dev/null
ours="$("$nnn" eval "$work/run" --json)"
theirs="$("$python" experiments/python/nnn_spec.py eval "$work/run" --json)"
"$python" - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert ours["samples"] == theirs["samples"], (ours["samples"], theirs["samples"])
for t, (a, b) in enumerate(zip(ours["accuracy"], theirs["accuracy"]), 1):
    # One prediction may flip on a float tie; allow one sample of difference.
    assert abs(a - b) <= 1.0 / ours["samples"] + 1e-12, f"step {t}: nnn {a} vs python {b}"
print("PASS: python reproduces nnn eval:", theirs["accuracy"])
PY
