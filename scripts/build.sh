#!/usr/bin/env bash
# Configures and builds nnn with a CMake preset (default: release), all
# targets or only those named after the preset.
#   scripts/build.sh                  -> build/release, everything (tests too)
#   scripts/build.sh release nnn_cli  -> build/release, only the `nnn` command
#   scripts/build.sh debug            -> build/debug (AddressSanitizer + UBSan)
# Configure output stays visible: it says which LibTorch was found.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --preset "$preset" | grep -E '^-- nnn:|Error|error|Warning' || true
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
