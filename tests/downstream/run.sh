#!/usr/bin/env bash
# Installs nnn from BUILD_DIR into a temporary prefix, then configures, builds
# and runs tests/downstream against it, as an experiment app outside the
# source tree would.
#   run.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"
build="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/nnn/nnn.h"
test -f "$work/prefix/include/nnn/version.h"
test ! -e "$work/prefix/include/nnn/config/yaml_reader.h"  # an internal header
# A library built with sanitizers (the debug preset) needs an app built with
# them too: pass the build's sanitizer flags on.
flags=()
sanitize=$(sed -n 's/^CMAKE_CXX_FLAGS:STRING=\(.*-fsanitize.*\)$/\1/p' "$build/CMakeCache.txt")
if [[ -n "$sanitize" ]]; then
  flags=(-DCMAKE_CXX_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="$sanitize")
fi
cmake -S "$src/tests/downstream" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release "${flags[@]}" | grep -E 'downstream:|Error' || true
cmake --build "$work/build" -j "$(nproc)" >/dev/null
"$work/build/downstream_baseline"
"$work/build/downstream"
echo "PASS: an outside project built and ran against the installed package"
