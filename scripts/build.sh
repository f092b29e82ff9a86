#!/usr/bin/env bash
# Configures and builds nnn with a CMake preset (default: release), all
# targets or only those named after the preset.
#   scripts/build.sh                  -> build/release, Debian's LibTorch 1.13, everything
#   scripts/build.sh release nnn_cli  -> build/release, only the `nnn` command
#   scripts/build.sh debug            -> build/debug (AddressSanitizer + UBSan)
#   scripts/build.sh torch2           -> build/torch2, pip's LibTorch 2.13 (CPU) in .venv-torch2
#   scripts/build.sh cuda             -> build/cuda, the CUDA LibTorch in .venv-cuda (NNN_CUDA_VENV)
# The configure lines that say which LibTorch and fmt were found stay visible.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
targets=()
for t in "$@"; do targets+=(--target "$t"); done
venv=""
case "$preset" in
  torch2) venv="${NNN_TORCH2_VENV:-.venv-torch2}" ;;
  cuda) venv="${NNN_CUDA_VENV:-.venv-cuda}" ;;
esac
if [[ -n "$venv" ]]; then
  if [[ ! -x "$venv/bin/python" ]]; then
    echo "build: no Python venv at $venv; run scripts/setup.sh (torch2) or see README (cuda)" >&2
    exit 1
  fi
  NNN_TORCH_PREFIX="$("$venv/bin/python" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null)"
  export NNN_TORCH_PREFIX
fi
cmake --preset "$preset" | grep -E '^-- nnn:|Error|error|Warning' || true
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
