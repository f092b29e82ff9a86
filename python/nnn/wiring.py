"""Wirings: which cell sends how many channels to which, with nnn's own
generators and checks (the C++ library's, through its operators), so a
wiring made here is the one ``nnn train`` would build from the same YAML."""
from ._ops import decode, ops


def _ints(values, what):
    try:
        out = [int(v) for v in values]
    except (TypeError, ValueError):
        raise ValueError(f"{what}: expected a list of integers, got {values!r:.80}") from None
    for v, original in zip(out, values):
        if v != original:
            raise ValueError(f"{what}: {original!r} is not an integer")
    return out


class Wiring:
    """An N x N adjacency matrix of channel counts (A[i][j]: channels from
    cell i to cell j; self-loops allowed), the input cells (default [0])
    and the output cell (default N - 1). Checked by nnn's rules: square,
    entries >= 0, inputs distinct and in range, the output reachable."""

    def __init__(self, adjacency, inputs=None, output=None):
        if hasattr(adjacency, "tolist"):
            adjacency = adjacency.tolist()
        try:
            rows = [list(row) for row in adjacency]
        except TypeError:
            raise ValueError("adjacency: expected a square matrix (a list of rows) of channel "
                             f"counts, got {adjacency!r:.80}") from None
        n = len(rows)
        if n == 0 or any(len(row) != n for row in rows):
            raise ValueError(f"adjacency: expected a square N x N matrix with N >= 1; got {n} rows "
                             f"of lengths {sorted({len(r) for r in rows})}")
        flat = _ints([v for row in rows for v in row], "adjacency")
        inputs = [0] if inputs is None else _ints(inputs, "inputs")
        output = n - 1 if output is None else int(output)
        # nnn's checks, with sizes that leave every rule but the structure's
        # satisfied (the model checks again with its own).
        parts = decode(ops.network_code(flat, inputs, output, 1, 1, [1], 0, 0))
        self._n = n
        self._inputs = parts["inputs"]
        self._output = int(parts["output"])
        self._flat = flat

    @property
    def size(self):
        return self._n

    @property
    def adjacency(self):
        n = self._n
        return [self._flat[i * n:(i + 1) * n] for i in range(n)]

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def output(self):
        return self._output

    def flat(self):
        return list(self._flat)

    def __eq__(self, other):
        return (isinstance(other, Wiring) and self._flat == other._flat
                and self._inputs == other._inputs and self._output == other._output)

    def __repr__(self):
        return f"Wiring({self.adjacency}, inputs={self._inputs}, output={self._output})"

    @staticmethod
    def _from_code(network):
        parts = decode(network)
        return Wiring(parts["adjacency"], parts["inputs"], parts["output"])


def chain(n, channels):
    """0 -> 1 -> ... -> n-1, each edge `channels` wide."""
    return Wiring._from_code(ops.generate_wiring("chain", [int(n)], int(channels), False, 0.0, 0))


def layered(layers, channels, feedback=False):
    """Layers of cells (e.g. [1, 3, 1]): every cell of a layer sends
    `channels` to every cell of the next (and with `feedback` to the one
    before); inputs the first layer, output the last cell."""
    return Wiring._from_code(
        ops.generate_wiring("layered", _ints(layers, "layers"), int(channels), bool(feedback),
                            0.0, 0))


def fully_connected(n, channels, self_loops=False):
    """Every ordered pair of n cells (and each cell to itself with
    `self_loops`); input 0, output n-1."""
    return Wiring._from_code(
        ops.generate_wiring("fully_connected", [int(n)], int(channels), bool(self_loops), 0.0, 0))


def random(n, density, channels, seed=0):
    """Each ordered pair an edge with probability `density`, repaired so
    every cell sends and receives and the output is reachable; the same
    wiring as nnn's `generator: random` for the same seed."""
    return Wiring._from_code(
        ops.generate_wiring("random", [int(n)], int(channels), False, float(density), int(seed)))
