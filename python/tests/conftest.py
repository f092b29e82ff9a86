"""Shared pieces of the Python package's tests: the repository, nnn's
command line (NNN_BIN, else the torch2 or release build's), the spec
implementation in experiments/python, and small runs trained by nnn."""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

# torch.compile's cache in a folder of this run's own: a cache left by an
# earlier build of the operators would replay calls of their old schema.
os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="nnn-inductor-")
atexit.register(shutil.rmtree, os.environ["TORCHINDUCTOR_CACHE_DIR"], True)

import pytest  # noqa: E402
import torch  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "experiments", "python"))


def nnn_binary():
    for candidate in (os.environ.get("NNN_BIN"), os.path.join(REPO, "build/torch2/bin/nnn"),
                      os.path.join(REPO, "build/release/bin/nnn")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("nnn's command line is not built (scripts/build.sh torch2, or set NNN_BIN)")


def run_nnn(*args, timeout=600):
    """Runs `nnn ARGS` (one thread: tests share a loaded machine) and
    returns its standard output; a failure shows nnn's messages."""
    done = subprocess.run([nnn_binary(), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, f"nnn {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return done.stdout


def evaluate(run, data="test"):
    """`nnn eval RUN --json` as a dict."""
    return json.loads(run_nnn("eval", run, "--data", data, "--json"))


SPIRAL = """
name: spiral
seed: 3
threads: 1
model:
  input_size: 2
  output_size: 3
  steps: 4
  hidden: [8, 6, 6, 6, 8]
  hidden_activation: tanh
  wiring:
    generator: layered
    layers: [1, 3, 1]
    channels: 4
    feedback: true
data:
  dataset: spiral
  classes: 3
  train_per_class: 100
  test_per_class: 40
  noise: 0.2
train:
  epochs: 3
  batch_size: 32
  optimizer: adam
  lr: 0.02
"""

FRAMES = """
name: frames
seed: 1
threads: 1
model:
  input_size: 784
  output_size: 10
  steps: 5
  hidden: 24
  wiring:
    adjacency: [[0, 6], [3, 2]]
    inputs: [0, 1]
    output: 1
data:
  dataset: mnist
  path: {mnist}
  normalize: unit
  limit_train: 256
  limit_test: 96
  frames: 3
  feed: sequence
  degrade:
    blur_sigma: 1.0
    noise_std: 0.3
train:
  epochs: 1
  batch_size: 64
  optimizer: adam
  lr: 0.001
loss:
  steps: all
"""


@pytest.fixture(scope="session")
def spiral_run(tmp_path_factory):
    """A spiral run trained by `nnn train` (3 epochs, seconds)."""
    folder = tmp_path_factory.mktemp("spiral")
    config = folder / "spiral.yaml"
    config.write_text(SPIRAL)
    run = str(folder / "run")
    run_nnn("train", str(config), "--out", run)
    return run


@pytest.fixture(scope="session")
def frames_run(tmp_path_factory):
    """A run of two input cells reading 3 degraded MNIST frames over 5 steps
    (set-up's MNIST digits; 256 training samples, 1 epoch)."""
    mnist = os.path.join(REPO, "data", "mnist")
    if not os.path.isdir(mnist):
        pytest.fail(f"no MNIST digits in {mnist}: run scripts/setup.sh")
    folder = tmp_path_factory.mktemp("frames")
    config = folder / "frames.yaml"
    config.write_text(FRAMES.format(mnist=mnist))
    run = str(folder / "run")
    run_nnn("train", str(config), "--out", run)
    return run


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)
