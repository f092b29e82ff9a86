"""nnn for Python: Networks of Neural Networks on nnn's C++ fast path.

    import nnn
    model = nnn.load_run("runs/mnist_nnn-...")      # a trained run
    x, y = nnn.load_data(model.run)                  # its test digits
    accuracy = (model(x).argmax(-1) == y).float().mean(-1)   # per step

    net = nnn.NNN(nnn.wiring.layered([1, 3, 1], 16, feedback=True),
                  input_size=784, output_size=10, hidden=64, steps=4)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

The passes are torch operators (``torch.ops.nnn``), so ``torch.compile``
traces through them without a graph break.
"""
from . import wiring
from ._ops import ops
from .model import NNN, activation_names, load_data, load_run
from .wiring import Wiring

__version__ = "0.1.0"
__all__ = ["NNN", "Wiring", "activation_names", "load_data", "load_run", "ops", "wiring"]
