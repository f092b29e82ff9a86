"""Runs: a run `nnn train` wrote, loaded in Python, scores what `nnn eval`
scores on the same data (single inputs, and two input cells reading
degraded frames); a network trained from a plain Python loop, saved as a
run, is evaluated by `nnn eval` to the same accuracy."""
import os

import pytest
import torch
import torch.nn.functional as F

import nnn
from conftest import SPIRAL, evaluate, run_nnn


def accuracy_per_step(model, x, y):
    with torch.no_grad():
        predictions = model(x)
    return [(predictions[t].argmax(-1) == y).double().mean().item()
            for t in range(predictions.shape[0])]


def assert_accuracy_equal(ours, theirs, samples):
    # The same operations on the same floats; a near-tie read differently
    # by another BLAS build could move one sample, never more.
    assert len(ours) == len(theirs)
    for t, (a, b) in enumerate(zip(ours, theirs)):
        assert abs(a - b) * samples <= 1.0 + 1e-9, f"step {t + 1}: {ours} vs nnn eval {theirs}"


def test_load_run_scores_what_nnn_eval_scores(spiral_run):
    model = nnn.load_run(spiral_run)
    assert model.steps == 4 and model.hidden == [8, 6, 6, 6, 8]
    assert model.hidden_activation == "tanh" and model.run == spiral_run
    x, y = nnn.load_data(spiral_run)
    assert x.shape == (120, 2) and y.shape == (120,)
    report = evaluate(spiral_run)
    assert_accuracy_equal(accuracy_per_step(model, x, y), report["accuracy"], 120)
    with torch.no_grad():
        loss = F.cross_entropy(model(x)[-1], y).item()
    assert loss == pytest.approx(report["loss"], rel=1e-5)
    # weights.pt holds the same names and tensors.
    saved = torch.load(os.path.join(spiral_run, "weights.pt"), weights_only=True)
    assert list(saved) == list(model.state_dict())
    for name, tensor in model.state_dict().items():
        assert torch.equal(saved[name], tensor), name


def test_frames_and_two_input_cells(frames_run):
    model = nnn.load_run(frames_run)
    assert model.wiring.inputs == [0, 1] and model.steps == 5
    x, y = nnn.load_data(frames_run)
    assert x.shape == (3, 96, 784)
    report = evaluate(frames_run)
    assert_accuracy_equal(accuracy_per_step(model, x, y), report["accuracy"], 96)
    xt, yt = nnn.load_data(frames_run, "train")
    assert xt.shape == (3, 256, 784)
    assert_accuracy_equal(accuracy_per_step(model, xt, yt), evaluate(frames_run, "train")["accuracy"],
                          256)


def test_trained_in_python_evaluated_by_nnn(spiral_run, tmp_path):
    torch.manual_seed(0)
    x, y = nnn.load_data(spiral_run, "train")
    model = nnn.NNN(nnn.wiring.layered([1, 3, 1], 8, feedback=True), 2, 3, hidden=32, steps=4)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    before = accuracy_per_step(model, x, y)[-1]
    for epoch in range(25):
        for batch in torch.randperm(x.shape[0]).split(32):
            optimizer.zero_grad()
            F.cross_entropy(model(x[batch])[-1], y[batch]).backward()
            optimizer.step()
    after = accuracy_per_step(model, x, y)[-1]
    assert after > max(before, 0.8), (before, after)
    out = str(tmp_path / "python-run")
    model.save_run(out, spiral_run)
    test_x, test_y = nnn.load_data(out)
    assert_accuracy_equal(accuracy_per_step(model, test_x, test_y), evaluate(out)["accuracy"], 120)
    assert_accuracy_equal(accuracy_per_step(model, x, y), evaluate(out, "train")["accuracy"], 300)
    again = nnn.load_run(out)
    assert again.wiring == model.wiring and again.hidden == [32] * 5
    for p, q in zip(again.parameters(), model.parameters()):
        assert torch.equal(p, q)
    with pytest.raises(ValueError, match="already"):
        model.save_run(out, spiral_run)


def test_runs_that_are_not_there_are_named(tmp_path):
    with pytest.raises(ValueError, match="no-such-run"):
        nnn.load_run(str(tmp_path / "no-such-run"))
    with pytest.raises(ValueError, match="no-such-run"):
        nnn.load_data(str(tmp_path / "no-such-run"))
    (tmp_path / "config.yaml").write_text(SPIRAL)
    with pytest.raises(ValueError, match="evaluation data"):
        nnn.load_data(str(tmp_path), "validation")


def test_runs_of_other_cells_are_refused_and_dropout_runs_load(tmp_path):
    config = tmp_path / "spiral.yaml"
    config.write_text(SPIRAL)
    dropout = str(tmp_path / "dropout")
    run_nnn("train", str(config), "model.dropout=0.2", "train.epochs=1", "--out", dropout)
    model = nnn.load_run(dropout)  # evaluated without dropout, as nnn eval does
    x, y = nnn.load_data(dropout)
    assert_accuracy_equal(accuracy_per_step(model, x, y), evaluate(dropout)["accuracy"], 120)
    layer_norm = str(tmp_path / "layer_norm")
    run_nnn("train", str(config), "model.cell=layer_norm", "train.epochs=1", "--out", layer_norm)
    with pytest.raises(ValueError, match="cell 0 is a 'layer_norm' cell; nnn's operators run "
                                         "perceptron cells only"):
        nnn.load_run(layer_norm)
