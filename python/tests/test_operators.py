"""nnn's operators against the spec implementation (experiments/python/
nnn_spec.py, written from the spec alone): outputs and gradients of every
parameter and of the input, on random wirings with self-loops and two input
cells, single inputs and frame sequences; float64 gradcheck through the
operator; torch.library.opcheck of the registrations."""
import random

import pytest
import torch

import nnn
from nnn_spec import SpecNNN


def random_case(seed):
    """A random wiring (self-loops on some cells, one or two input cells)
    with per-cell hidden sizes and activations."""
    rng = random.Random(seed)
    n = rng.randint(2, 6)
    base = nnn.wiring.random(n, 0.4, rng.randint(1, 4), seed)
    a = base.adjacency
    for c in range(n):
        if rng.random() < 0.5:
            a[c][c] = rng.randint(1, 3)
    inputs = [0, rng.randint(1, n - 2)] if n >= 3 and rng.random() < 0.6 else [0]
    wiring = nnn.Wiring(a, inputs, n - 1)
    hidden = [rng.randint(2, 6) for _ in range(n)]
    hidden_activation = rng.choice(["tanh", "sigmoid", "relu", "log_sigmoid", "identity"])
    output_activation = rng.choice(["log_sigmoid", "tanh", "identity"])
    return wiring, hidden, hidden_activation, output_activation


def pair(seed, d_in=5, d_out=3, extra_steps=1):
    wiring, hidden, h_act, o_act = random_case(seed)
    torch.manual_seed(seed)
    model = nnn.NNN(wiring, d_in, d_out, hidden, None, h_act, o_act).double()
    steps = model.distance + 1 + extra_steps
    model.steps = steps
    spec = SpecNNN(wiring.adjacency, wiring.inputs, wiring.output, d_in, d_out, steps, hidden,
                   h_act, o_act).double()
    with torch.no_grad():
        for p in model.parameters():  # biases away from zero (no ReLU kinks)
            p.add_(0.1 * torch.randn_like(p))
    spec.load_state_dict(model.state_dict())
    return model, spec


def assert_same_gradients(model, spec, x, xs, ours, theirs):
    """The gradients of a random weighting of both predictions, for x and
    every parameter, equal."""
    weights = torch.randn_like(ours)
    (ours * weights).sum().backward()
    (theirs * weights).sum().backward()
    torch.testing.assert_close(x.grad, xs.grad, rtol=1e-10, atol=1e-12)
    for (name, p), (_, q) in zip(model.named_parameters(), spec.named_parameters()):
        # The spec's autograd leaves a cell that cannot reach the output by
        # step T without a gradient; nnn's is zero there.
        expected = torch.zeros_like(p) if q.grad is None else q.grad
        torch.testing.assert_close(p.grad, expected, rtol=1e-10, atol=1e-12, msg=name)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("frames", [0, 2, 7])
def test_outputs_and_gradients_equal_the_spec(seed, frames):
    model, spec = pair(seed, extra_steps=seed % 3)
    shape = (9, 5) if frames == 0 else (frames, 9, 5)
    x = torch.randn(*shape, dtype=torch.double, requires_grad=True)
    xs = x.detach().clone().requires_grad_(True)
    ours, theirs = model(x), spec(xs)
    assert ours.shape == (model.steps, 9, 3)
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    assert_same_gradients(model, spec, x, xs, ours, theirs)


@pytest.mark.parametrize("seed,frames", [(1, 0), (4, 3), (7, 2)])
def test_gradcheck_through_the_operator(seed, frames):
    model, _ = pair(seed)
    x = torch.randn(*((4, 5) if frames == 0 else (frames, 4, 5)), dtype=torch.double,
                    requires_grad=True)
    parameters = [p.detach().clone().requires_grad_(True) for p in model.parameter_list()]
    code, steps = model.network_code, model.steps

    def predictions(x, *parameters):
        return torch.ops.nnn.forward_saving(x, list(parameters), code, steps, 1)[0]

    # ReLU and log-sigmoid hidden layers are smooth away from their kinks:
    # the biases above keep the pre-activations off them.
    assert torch.autograd.gradcheck(predictions, (x, *parameters), eps=1e-6, atol=1e-6)


def test_opcheck_of_the_registrations():
    model, _ = pair(2)
    model = model.float()
    x = torch.randn(2, 6, 5, requires_grad=True)
    parameters = [p.detach().clone().requires_grad_(True) for p in model.parameter_list()]
    code, steps = model.network_code, model.steps
    for from_step in (1, steps):
        torch.library.opcheck(torch.ops.nnn.forward_saving.default,
                              (x, parameters, code, steps, from_step))
    # The pass without saving records no gradient.
    torch.library.opcheck(torch.ops.nnn.forward.default,
                          (x.detach(), [p.detach() for p in parameters], code, steps, 1))
    assert not torch.ops.nnn.forward(x, parameters, code, steps, 1).requires_grad
    predictions, saved = torch.ops.nnn.forward_saving(x.detach(), parameters, code, steps, 1)
    torch.library.opcheck(torch.ops.nnn.backward.default,
                          (torch.randn_like(predictions), x.detach(),
                           [p.detach() for p in parameters], saved, code, steps, True, 1))


def test_trace_holds_every_cells_messages():
    model, spec = pair(5)
    x = torch.randn(3, 4, 5, dtype=torch.double)
    predictions, messages = model.trace(x)
    torch.testing.assert_close(predictions, spec(x))
    assert len(messages) == model.wiring.size
    out = model.wiring.output
    torch.testing.assert_close(messages[out][..., :3], predictions)
    for c, m in enumerate(messages):
        a = model.wiring.adjacency
        expected = sum(a[c]) + (3 if c == out else 0)
        assert m.shape == (model.steps, 4, expected)


def test_state_dict_keys_and_initialisation_follow_nnn():
    torch.manual_seed(0)
    first = nnn.NNN(nnn.wiring.chain(3, 2), 4, 2, hidden=[3, 4, 5])
    assert list(first.state_dict()) == [f"cells.{c}.{n}" for c in range(3)
                                        for n in ("w1", "b1", "w2", "b2")]
    assert first.cells[1].w1.shape == (2, 4) and first.cells[2].w2.shape == (5, 2)
    torch.manual_seed(0)
    second = nnn.NNN(nnn.wiring.chain(3, 2), 4, 2, hidden=[3, 4, 5])
    for p, q in zip(first.parameters(), second.parameters()):
        assert torch.equal(p, q)
    assert first.steps == 3 and first.distance == 2
    # Meeting a network code for the first time draws nothing from torch's
    # random stream (the operators keep a module per code).
    w = nnn.wiring.chain(4, 3)
    code = torch.ops.nnn.network_code(w.flat(), w.inputs, w.output, 4, 2, [7], 0, 3)
    torch.manual_seed(5)
    torch.ops.nnn.describe(code)
    drawn = torch.rand(3)
    torch.manual_seed(5)
    assert torch.equal(torch.rand(3), drawn)
    assert "->" in first.to_dot()


@pytest.mark.parametrize("seed", range(8))
def test_from_step_skips_what_cannot_reach_and_keeps_the_gradient(seed):
    """Predictions of steps from_step..T only: equal to the full pass's, and
    the gradient of a loss on them equal to the spec's (cells that cannot
    reach them are skipped, their gradient exactly zero)."""
    model, spec = pair(seed, extra_steps=1 + seed % 2)
    steps = model.steps
    x = torch.randn(2, 6, 5, dtype=torch.double, requires_grad=True)
    xs = x.detach().clone().requires_grad_(True)
    for from_step in range(1, steps + 1):
        model.zero_grad()
        spec.zero_grad()
        x.grad = xs.grad = None
        ours = model(x, from_step=from_step)
        theirs = spec(xs)[from_step - 1:]
        assert ours.shape == (steps - from_step + 1, 6, 3)
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
        with torch.no_grad():
            torch.testing.assert_close(model(x, from_step=from_step), ours)
        assert_same_gradients(model, spec, x, xs, ours, theirs)
