#!/usr/bin/env bash
# A short attack mix (scripts/serve-attack.sh --check) against `nnn serve`
# on a small MNIST run: every normal request answered 200, no 5xx to anyone,
# each hostile class refused with its status, memory under 300 MB above idle.
# Nothing about time is checked. Exits 77 without data/mnist.
#   attack_test.sh NNN_BINARY SOURCE_DIR
set -euo pipefail
nnn="$1"
cd "$2"
if [[ ! -f data/mnist/t10k-images-idx3-ubyte.gz ]]; then
  echo "SKIP: no data/mnist (scripts/setup.sh fetches it)"
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$nnn" train experiments/mnist_nnn.yaml data.limit_train=500 data.limit_test=100 train.epochs=1 \
  threads=1 --out "$work/run" >/dev/null
NNN="$nnn" scripts/serve-attack.sh "$work/run" 4 24 --check
