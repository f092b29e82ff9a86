#!/usr/bin/env bash
# Generates the API reference of the public headers with Doxygen into
# build/docs/html (open index.html). Fails on any Doxygen warning.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v doxygen >/dev/null; then
  echo "docs: doxygen is not installed (Debian: apt-get install doxygen)" >&2
  exit 77
fi
mkdir -p build/docs
if ! doxygen docs/Doxyfile; then
  cat build/docs/warnings.log >&2
  exit 1
fi
echo "docs: build/docs/html/index.html ($(find build/docs/html -name '*.html' | wc -l) pages, 0 warnings)"
