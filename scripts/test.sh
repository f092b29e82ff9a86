#!/usr/bin/env bash
# Builds and runs the whole test suite against each LibTorch: Debian's 1.13
# (preset release) and pip's 2.13 (preset torch2, from .venv-torch2 that
# scripts/setup.sh makes). NNN_TEST_PRESETS="release" limits the presets.
set -euo pipefail
cd "$(dirname "$0")/.."
presets=(${NNN_TEST_PRESETS:-release torch2})
for preset in "${presets[@]}"; do
  echo "== tests against the LibTorch of preset '$preset'"
  scripts/build.sh "$preset"
  ctest --preset "$preset"
done
