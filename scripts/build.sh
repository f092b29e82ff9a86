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
configure=()
if [[ "$preset" == cuda ]]; then
  # Caffe2's CUDA lookup derives the toolkit from nvcc's folder, which is
  # wrong when nvcc is linked into /usr/local/bin: name the toolkit.
  cuda_root="${CUDA_HOME:-}"
  if [[ -z "$cuda_root" && -d /usr/local/cuda ]]; then cuda_root=/usr/local/cuda; fi
  if [[ -z "$cuda_root" ]]; then
    cuda_root="$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")"
  fi
  configure+=(-DCUDA_TOOLKIT_ROOT_DIR="$cuda_root")
  # A toolkit of nvcc and the runtime alone lacks NVRTC, which LibTorch's
  # CUDA target links; pip's CUDA wheels bring it.
  if ! ls "$cuda_root"/lib*/libnvrtc.so* >/dev/null 2>&1; then
    nvrtc="$(find "$venv" -name 'libnvrtc.so.*' -not -name '*builtins*' 2>/dev/null | head -1)"
    [[ -n "$nvrtc" ]] && configure+=(-DCUDA_nvrtc_LIBRARY="$(readlink -f "$nvrtc")")
  fi
fi
cmake --preset "$preset" "${configure[@]}" | grep -E '^-- nnn:|Error|error|Warning' || true
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
