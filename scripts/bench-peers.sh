#!/usr/bin/env bash
# nnn against its compiled peers, side by side in one run (issue 33): checks
# that torch.compile and JAX compute the spec's loss and gradients, then
# times `nnn bench` (1 and 2 threads; the loss on the last step, with and
# without skipping what cannot reach it, and over every step) and the peers
# (experiments/python/peers.py: eager PyTorch, torch.compile, JAX jit; 1
# thread under taskset, then 2), and prints one table with the ratios.
#   scripts/bench-peers.sh [SECONDS] [OUT_DIR]     (defaults: 2, bench-peers/)
# Needs build/release (scripts/build.sh release) and .venv-torch2 with jax
# (scripts/setup.sh installs both). Each peer compiles with an empty
# inductor cache, so its compile time is a cold one.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-2}"
out="${2:-bench-peers}"
nnn="$root/build/release/bin/nnn"
python="$root/.venv-torch2/bin/python"
peers="$root/experiments/python/peers.py"
[[ -x "$nnn" ]] || { echo "error: $nnn not found; run scripts/build.sh release" >&2; exit 1; }
[[ -x "$python" ]] || { echo "error: $python not found; run scripts/setup.sh" >&2; exit 1; }
"$python" -c 'import jax' 2>/dev/null || { echo "error: jax is not in .venv-torch2; run scripts/setup.sh" >&2; exit 1; }
mkdir -p "$out"
cores=$(nproc)
(( cores >= 2 )) || { echo "error: the 2-thread columns need 2 cores; this machine has $cores" >&2; exit 1; }

echo "== the peers against the spec (float64)"
"$python" "$peers" check --only "${NNN_PEERS_ONLY:-}"

for threads in 1 2; do
  echo "== nnn bench, $threads thread(s)"
  "$nnn" bench --threads "$threads" --seconds "$seconds" --skip-unreachable both \
    --only "${NNN_PEERS_ONLY:-}" --json "$out/nnn-last-$threads.json"
  "$nnn" bench --threads "$threads" --seconds "$seconds" --loss all \
    --only "${NNN_PEERS_ONLY:-}" --json "$out/nnn-all-$threads.json"
done
for threads in 1 2; do
  cpus=$(seq -s, 0 $((threads - 1)))
  for loss in last all; do
    echo "== peers, $threads thread(s), loss $loss"
    TORCHINDUCTOR_CACHE_DIR="$(mktemp -d)" OMP_NUM_THREADS=$threads \
      XLA_FLAGS="--xla_cpu_multi_thread_eigen=$([[ $threads == 1 ]] && echo false || echo true)" \
      taskset -c "$cpus" "$python" "$peers" bench --loss "$loss" --seconds "$seconds" \
      --only "${NNN_PEERS_ONLY:-}" --json "$out/peers-$loss-$threads.json"
  done
done
echo "== side by side"
"$python" "$peers" table "$out"/nnn-*.json "$out"/peers-*.json | tee "$out/table.md"
