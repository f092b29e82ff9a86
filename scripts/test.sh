#!/usr/bin/env bash
# Builds and runs the whole test suite against each LibTorch: Debian's 1.13
# (preset release) and pip's 2.13 (preset torch2, from .venv-torch2 that
# scripts/setup.sh makes), then the Python package's tests (python/tests).
# NNN_TEST_PRESETS="release" limits the presets.
set -euo pipefail
cd "$(dirname "$0")/.."
presets=(${NNN_TEST_PRESETS:-release torch2})
for preset in "${presets[@]}"; do
  echo "== tests against the LibTorch of preset '$preset'"
  scripts/build.sh "$preset"
  ctest --preset "$preset"
done
# The Python package (python/) against pip's torch 2.13 in .venv-torch2:
# installed from this checkout (offline: set-up's scikit-build-core; the
# C++ build is kept in build/python, so only what changed recompiles),
# then its tests, with the torch2 build's command line for `nnn train` and
# `nnn eval`. NNN_TEST_PYTHON=0 skips it.
if [[ "${NNN_TEST_PYTHON:-1}" == 1 ]]; then
  echo "== the Python package (python/) against .venv-torch2's torch"
  venv="${NNN_TORCH2_VENV:-.venv-torch2}"
  if [[ ! -x "$venv/bin/python" ]]; then
    echo "test: no $venv (scripts/setup.sh makes it): the Python package is not tested" >&2
    exit 1
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check --no-build-isolation ./python
  bin=build/torch2/bin/nnn
  [[ -x "$bin" ]] || bin=build/release/bin/nnn
  # -P: the installed package, not python/nnn of the checkout.
  NNN_BIN="$PWD/$bin" "$venv/bin/python" -P -m pytest -q -p no:cacheprovider python/tests
fi
