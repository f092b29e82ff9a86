"""nnn's torch operators (libnnn_ops.so, nnn/ops/operators.cpp in the
repository): loaded once, with the fake kernels torch.compile traces with
and the autograd kernel of forward_saving, which calls nnn's hand-written
backward (registered here rather than in C++: torch.library's registration
is the one torch.compile's every mode, dynamic shapes included, checks).

The operators, under ``torch.ops.nnn``:

- ``forward(x, parameters, network, steps, from_step) -> predictions
  [T - from_step + 1, B, D_out]``: the steps from_step..T; cells that cannot
  reach them are not computed
- ``forward_saving(...) -> (predictions, saved)``: also keeps every message
  buffer and hidden activation ([T, B * saved_width]) for the backward;
  differentiable (the formula below).
- ``backward(d_predictions, x, parameters, saved, network, steps,
  input_gradient, from_step) -> (d_x, d_parameters [P])``

``network`` is the network's integer code and ``parameters`` its cells'
w1, b1, w2, b2 in order (see ``nnn.NNN``).
"""
import os

import torch

_LIBRARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libnnn_ops.so")
if not os.path.exists(_LIBRARY):
    raise ImportError(f"nnn: {_LIBRARY} is missing; install the package with "
                      "`pip install ./python` from nnn's repository")
torch.ops.load_library(_LIBRARY)
ops = torch.ops.nnn

_described = {}


def decode(network):
    """The parts of a network code (nnn/ops/network_code.h): version, N,
    D_in, D_out, the two activations, the output cell, |I|, the input
    cells, each cell's hidden width, the adjacency matrix row by row."""
    n, count = network[1], network[7]
    return {"input_size": network[2], "output_size": network[3],
            "hidden_activation": network[4], "output_activation": network[5],
            "output": network[6], "inputs": list(network[8:8 + count]),
            "hidden": list(network[8 + count:8 + count + n]),
            "adjacency": [list(network[8 + count + n + i * n:8 + count + n + (i + 1) * n])
                          for i in range(n)]}


def describe(network):
    """[P, S, saved width, distance, then per cell in_dim, hidden, out_dim,
    message offset] of a network code; cached (the fake kernels read it)."""
    key = tuple(int(v) for v in network)
    if key not in _described:
        _described[key] = list(ops.describe(list(key)))
    return _described[key]


@torch.library.register_fake("nnn::forward")
def _forward_fake(x, parameters, network, steps, from_step):
    return x.new_empty((steps - from_step + 1, x.shape[-2], network[3]))


@torch.library.register_fake("nnn::forward_saving")
def _forward_saving_fake(x, parameters, network, steps, from_step):
    batch = x.shape[-2]
    width = describe(network)[2]
    return (x.new_empty((steps - from_step + 1, batch, network[3])),
            x.new_empty((steps, batch * width)))


@torch.library.register_fake("nnn::backward")
def _backward_fake(d_predictions, x, parameters, saved, network, steps, input_gradient,
                   from_step):
    d_x = x.new_empty(x.shape) if input_gradient else x.new_empty((0,))
    return d_x, x.new_empty((describe(network)[0],))


def _setup_context(ctx, inputs, output):
    x, parameters, network, steps, from_step = inputs
    ctx.save_for_backward(x, output[1], *parameters)
    ctx.mark_non_differentiable(output[1])
    ctx.network, ctx.steps, ctx.from_step = network, steps, from_step


def _gradients(ctx, d_predictions):
    """nnn::backward on what a forward_saving kept in `ctx`: x's gradient
    (None unless asked for) and each parameter's, shaped like it."""
    x, saved, *parameters = ctx.saved_tensors
    wants_x = ctx.needs_input_grad[0]
    d_x, flat = ops.backward(d_predictions.contiguous(), x, parameters, saved, ctx.network,
                             ctx.steps, wants_x, ctx.from_step)
    sizes = [p.numel() for p in parameters]
    grads = [g.view(p.shape) for g, p in zip(torch.split(flat, sizes), parameters)]
    return (d_x if wants_x else None), grads


def _backward(ctx, d_predictions, d_saved):
    d_x, grads = _gradients(ctx, d_predictions)
    return d_x, grads, None, None, None


torch.library.register_autograd("nnn::forward_saving", _backward, setup_context=_setup_context)


class NetworkFunction(torch.autograd.Function):
    """forward_saving and nnn::backward as one autograd.Function with the
    parameters as separate arguments: what ``nnn.NNN`` calls. The same
    formula as the operator's registered one, without torch.library's
    flattening of the parameter list on every call (a few hundred Python
    objects a step, and the garbage collector's time with them).
    torch.compile traces it like the operator."""

    @staticmethod
    def forward(ctx, x, network, steps, from_step, *parameters):
        predictions, saved = ops.forward_saving(x, list(parameters), network, steps, from_step)
        ctx.save_for_backward(x, saved, *parameters)
        ctx.network, ctx.steps, ctx.from_step = network, steps, from_step
        return predictions

    @staticmethod
    def backward(ctx, d_predictions):
        d_x, grads = _gradients(ctx, d_predictions)
        return (d_x, None, None, None, *grads)
