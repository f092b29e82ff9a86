#!/usr/bin/env bash
# Configures and builds nnn with a CMake preset (default: release).
#   scripts/build.sh            -> build/release
#   scripts/build.sh debug      -> build/debug (AddressSanitizer + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
