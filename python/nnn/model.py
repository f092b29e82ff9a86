"""``nnn.NNN``: a network of cells as a ``torch.nn.Module`` whose passes are
nnn's C++ operators, and ``load_run`` / ``save_run`` / ``load_data`` for
nnn's run directories."""
import torch

from ._ops import NetworkFunction, decode, describe, ops
from .wiring import Wiring

_ACTIVATIONS = None


def activation_names():
    """The activations nnn knows, in its own order."""
    global _ACTIVATIONS
    if _ACTIVATIONS is None:
        _ACTIVATIONS = list(ops.activations())
    return list(_ACTIVATIONS)


def _activation(name, what):
    names = activation_names()
    if name not in names:
        raise ValueError(f"{what}: {name!r} is not an activation; expected one of {', '.join(names)}")
    return names.index(name)


class _Cell(torch.nn.Module):
    """One cell's parameters under nnn's names: w1 [in, H], b1 [H],
    w2 [H, out], b2 [out] (weights.pt's cells.i.w1 ...)."""

    def __init__(self, w1, b1, w2, b2):
        super().__init__()
        self.w1 = torch.nn.Parameter(w1)
        self.b1 = torch.nn.Parameter(b1)
        self.w2 = torch.nn.Parameter(w2)
        self.b2 = torch.nn.Parameter(b2)


class NNN(torch.nn.Module):
    """A network of perceptron cells wired by `wiring` (a ``nnn.Wiring``, or
    an adjacency matrix with input cell 0 and output cell N-1), unrolled
    over `steps` thinking steps (default: the fewest that reach the output,
    distance + 1).

    ``forward(x)`` takes [B, D_in] or frames [F, B, D_in] and returns every
    step's prediction [T, B, D_out] (frame t at step t, the last frame
    after F), through nnn's operators: the direct path forward and, when
    gradients are asked for, its hand-written backward. Parameters start as
    nnn initialises them (seeded by ``torch.manual_seed``); ``state_dict``
    keys are weights.pt's (``cells.0.w1``, ...). Any torch optimizer trains
    it. Perceptron cells, no dropout.
    """

    def __init__(self, wiring, input_size, output_size, hidden=32, steps=None,
                 hidden_activation="relu", output_activation="log_sigmoid", _parameters=None):
        super().__init__()
        if not isinstance(wiring, Wiring):
            wiring = Wiring(wiring)
        hidden = [hidden] if isinstance(hidden, int) else list(hidden)
        self._code = list(ops.network_code(
            wiring.flat(), wiring.inputs, wiring.output, int(input_size), int(output_size),
            [int(h) for h in hidden], _activation(hidden_activation, "hidden_activation"),
            _activation(output_activation, "output_activation")))
        self._info = describe(self._code)
        self.wiring = wiring
        self.input_size, self.output_size = int(input_size), int(output_size)
        self.hidden_activation, self.output_activation = hidden_activation, output_activation
        self.distance = self._info[3]
        self.steps = self.distance + 1 if steps is None else self._checked_steps(steps)
        tensors = list(ops.initial_parameters(self._code)) if _parameters is None else _parameters
        self.cells = torch.nn.ModuleList(
            _Cell(*tensors[4 * c:4 * c + 4]) for c in range(wiring.size))

    @property
    def hidden(self):
        return [self._info[4 + 4 * c + 1] for c in range(self.wiring.size)]

    @property
    def network_code(self):
        """The integer code nnn's operators take for this network."""
        return list(self._code)

    def parameter_list(self):
        """w1, b1, w2, b2 of every cell, in order: the operators' list."""
        return [p for cell in self.cells for p in (cell.w1, cell.b1, cell.w2, cell.b2)]

    def _checked_steps(self, steps):
        steps = int(steps)
        if steps < self.distance + 1 or steps > 100000:
            raise ValueError(f"steps is {steps}; the output cell is {self.distance} edges from the "
                             f"input, so steps must be {self.distance + 1}..100000")
        return steps

    def _steps(self, steps):
        return self.steps if steps is None else self._checked_steps(steps)

    def forward(self, x, steps=None, from_step=None):
        """Predictions [T, B, D_out] of every step; with `from_step` only
        those of steps from_step..T ([T - from_step + 1, B, D_out]), and the
        cells whose messages cannot reach them are not computed, forward or
        backward (``model(x, from_step=model.steps)[-1]`` for a loss on the
        last step: what torch.compile and XLA drop as dead code)."""
        steps = self._steps(steps)
        if from_step is None:
            from_step = 1
        elif not 1 <= int(from_step) <= steps:
            raise ValueError(f"from_step is {from_step}; expected 1..{steps} (the steps)")
        parameters = self.parameter_list()
        if torch.is_grad_enabled() and (x.requires_grad or any(p.requires_grad for p in parameters)):
            return NetworkFunction.apply(x, self._code, steps, int(from_step), *parameters)
        return ops.forward(x, parameters, self._code, steps, int(from_step))

    def trace(self, x, steps=None):
        """The predictions [T, B, D_out] and every cell's message at every
        step (a list of [T, B, out_dim(i)]), without gradients."""
        steps = self._steps(steps)
        with torch.no_grad():
            predictions, saved = ops.forward_saving(x, self.parameter_list(), self._code, steps, 1)
        batch, width = predictions.shape[1], self._info[1]
        buffers = saved[:, :batch * width].view(steps, batch, width)
        messages = []
        for c in range(self.wiring.size):
            out_dim, offset = self._info[4 + 4 * c + 2], self._info[4 + 4 * c + 3]
            messages.append(buffers[:, :, offset:offset + out_dim])
        return predictions, messages

    def to_dot(self):
        """The wiring in Graphviz DOT, as `nnn wiring` draws it."""
        return ops.dot(self._code)

    def save_run(self, path, config):
        """Writes a new run directory at `path` that nnn's commands read
        (``nnn eval``, ``lesion``, ``serve``, ...): the experiment file
        `config` (or a run directory's config.yaml) with its model section
        replaced by this network, and the parameters as weights.pt."""
        ops.save_run(str(path), self._code, self.steps,
                     [p.detach() for p in self.parameter_list()], str(config))

    def extra_repr(self):
        return (f"cells={self.wiring.size}, input_size={self.input_size}, "
                f"output_size={self.output_size}, hidden={self.hidden}, steps={self.steps}")


def _from_code(code, steps, parameters):
    parts = decode(code)
    names = activation_names()
    wiring = Wiring._from_code(code)
    return NNN(wiring, parts["input_size"], parts["output_size"], parts["hidden"], steps,
               names[parts["hidden_activation"]], names[parts["output_activation"]],
               _parameters=parameters)


def load_run(path):
    """The network of a run directory (its weights.pt, or the model in
    checkpoint.pt before the first epoch ends) as an ``nnn.NNN`` on the CPU,
    with the run's steps; ``model.run`` is the path."""
    code, steps, parameters = ops.load_run(str(path))
    model = _from_code(list(code), steps, [p.clone() for p in parameters])
    model.run = str(path)
    return model


def load_data(path, split="test"):
    """The samples ``nnn eval RUN --data SPLIT`` scores (split: test, train,
    or IMAGES:LABELS, two IDX files) as the run's model reads them:
    inputs [N, D_in] (frames [F, N, D_in] for frame runs) and labels [N]."""
    inputs, labels = ops.load_data(str(path), str(split))
    return inputs, labels
