#!/usr/bin/env bash
# The compiled peers of the benchmark (experiments/python/peers.py) compute
# the spec's loss and gradients: torch.compile and JAX jit against the eager
# spec implementation in float64, on layered[1,3,1] (both losses); and a
# peer whose weights differ by 1e-3 in one entry is caught. Exits 77
# (skipped) without .venv-torch2 or jax in it (scripts/setup.sh installs them).
#   python_peers.sh SOURCE_DIR
set -euo pipefail
src="$1"
python="$src/.venv-torch2/bin/python"
if ! "$python" -c 'import torch, yaml, jax' 2>/dev/null; then
  echo "SKIP: $python has no torch / yaml / jax (scripts/setup.sh installs them)"
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TORCHINDUCTOR_CACHE_DIR="$work/inductor"
"$python" "$src/experiments/python/peers.py" check --only "layered[1,3,1]" | tee "$work/ok.txt"
grep -q "every peer equals the spec" "$work/ok.txt"
[[ $(grep -c " ok$" "$work/ok.txt") == 4 ]] || { echo "FAIL: expected 4 peer checks"; exit 1; }
if "$python" "$src/experiments/python/peers.py" check --only "layered[1,3,1]" --peers jax \
  --mismatch >"$work/bad.txt" 2>&1; then
  cat "$work/bad.txt"
  echo "FAIL: a peer with a moved weight passed the check"
  exit 1
fi
grep -q "DIFFERS" "$work/bad.txt" && grep -q "error: a peer differs from the spec" "$work/bad.txt"
echo "PASS"
