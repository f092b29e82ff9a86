#!/usr/bin/env bash
# The GPU acceptance run, one command on a machine with an NVIDIA GPU and a
# CUDA build of PyTorch (whose LibTorch nnn builds against):
#   1. configure (NNN_REQUIRE_CUDA=ON) and build against that LibTorch;
#   2. run the *_CUDA tests (CPU vs CUDA parity, checkpoints across devices,
#      cuda:N), then the whole suite;
#   3. train experiments/mnist_nnn.yaml on cuda and on cpu: final accuracy
#      within 0.5 points;
#   4. nnn bench --device cuda at batch 256 and 4096 (training with the
#      hand-written backward and with autograd), beside the Python spec
#      implementation on the same GPU.
# Writes everything to one report (default build/gpu/gpu-acceptance.md) and
# exits non-zero when a check fails.
#   scripts/gpu-acceptance.sh [REPORT]  (PYTHON=... picks the Python with torch)
# Needs Debian's yaml-cpp, CLI11, nlohmann-json, GoogleTest, zlib and cmake
# (scripts/setup.sh installs them; on a bare machine carry their .deb files).
set -uo pipefail
cd "$(dirname "$0")/.."
build=build/gpu
report="${1:-$build/gpu-acceptance.md}"
python="${PYTHON:-python3}"
mkdir -p "$build" "$(dirname "$report")"
failures=0
note() { echo "$*" | tee -a "$report"; }
check() {  # check NAME COMMAND...: run, record pass/fail
  local name="$1"
  shift
  if "$@" >"$build/$name.log" 2>&1; then
    note "- PASS $name"
  else
    note "- FAIL $name (log: $build/$name.log)"
    tail -20 "$build/$name.log" | sed 's/^/      /' | tee -a "$report"
    failures=$((failures + 1))
  fi
}

: >"$report"
note "# nnn GPU acceptance ($(date -u +%Y-%m-%dT%H:%MZ))"
note ""
if ! "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  note "No CUDA: $python has no torch with a visible GPU. Nothing was checked."
  exit 2
fi
prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
note "- GPU: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1)"
note "- PyTorch: $("$python" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)')"
note ""
note "## Build and tests"
check configure cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DNNN_REQUIRE_CUDA=ON \
  -DCMAKE_PREFIX_PATH="$prefix"
grep -E '^-- nnn:' "$build/configure.log" | sed 's/^/    /' | tee -a "$report"
check build cmake --build "$build" -j "$(nproc)"
check cuda-tests ctest --test-dir "$build" -R '_CUDA' --output-on-failure
grep -E 'tests passed|Skipped|Failed' "$build/cuda-tests.log" | sed 's/^/    /' | tee -a "$report"
check all-tests ctest --test-dir "$build" -j 4 --output-on-failure
grep -E 'tests passed' "$build/all-tests.log" | sed 's/^/    /' | tee -a "$report"

note ""
note "## Training experiments/mnist_nnn.yaml (seed 0)"
nnn="$build/bin/nnn"
accuracy() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["test"]["accuracy"][-1])' "$1/summary.json"; }
for device in cuda cpu; do
  rm -rf "$build/mnist-$device"
  start=$(date +%s.%N)
  check "train-$device" "$nnn" train experiments/mnist_nnn.yaml --device "$device" --out "$build/mnist-$device"
  end=$(date +%s.%N)
  if [[ -f "$build/mnist-$device/summary.json" ]]; then
    note "    $device: test accuracy $(accuracy "$build/mnist-$device") in $(echo "$end - $start" | bc) s"
  fi
done
if [[ -f "$build/mnist-cuda/summary.json" && -f "$build/mnist-cpu/summary.json" ]]; then
  check accuracy-within-half-a-point "$python" -c '
import json, sys
a, b = (json.load(open(p))["test"]["accuracy"][-1] for p in sys.argv[1:])
print(f"cuda {a:.4f} vs cpu {b:.4f}")
sys.exit(0 if abs(a - b) <= 0.005 else 1)' "$build/mnist-cuda/summary.json" "$build/mnist-cpu/summary.json"
fi

note ""
note "## nnn bench --device cuda, beside the Python spec implementation"
check bench-nnn "$nnn" bench --device cuda --batch 256,4096 --seconds 2 --backward both \
  --json "$build/bench-nnn.json"
sed 's/^/    /' "$build/bench-nnn.log" | tee -a "$report" >/dev/null
check bench-python "$python" experiments/python/nnn_spec.py bench --device cuda --seconds 2
sed 's/^/    /' "$build/bench-python.log" | tee -a "$report" >/dev/null
note ""
note "failures: $failures"
exit $((failures > 0))
