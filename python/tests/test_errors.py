"""Bad input from Python: a ValueError with nnn's message naming what was
wrong, never a crash, for wirings, sizes, inputs, parameters and codes."""
import pytest
import torch

import nnn


@pytest.mark.parametrize("adjacency,message", [
    ([[0, 1], [0]], "square N x N"),
    ([], "square N x N"),
    ("abc", "square N x N"),
    ([[0, -1], [0, 0]], "A\\[0\\]\\[1\\] \\(channels\\) is -1"),
    ([[0, 1.5], [0, 0]], "1.5 is not an integer"),
    ([[0, 0], [0, 0]], "out_dim 0"),
    ([[0, 1, 0], [1, 0, 0], [0, 0, 1]], "reach"),
])
def test_bad_wirings(adjacency, message):
    with pytest.raises(ValueError, match=message):
        nnn.NNN(adjacency, 3, 2)


def test_bad_sizes_and_settings():
    chain = nnn.wiring.chain(3, 2)
    with pytest.raises(ValueError, match="D_in is 0"):
        nnn.NNN(chain, 0, 2)
    with pytest.raises(ValueError, match="hidden width of cell 1 is -4"):
        nnn.NNN(chain, 3, 2, hidden=[4, -4, 4])
    with pytest.raises(ValueError, match="hidden: 2 values; expected one, or one per cell"):
        nnn.NNN(chain, 3, 2, hidden=[4, 4])
    with pytest.raises(ValueError, match="'gelu' is not an activation"):
        nnn.NNN(chain, 3, 2, hidden_activation="gelu")
    with pytest.raises(ValueError, match="steps is 2; the output cell is 2 edges"):
        nnn.NNN(chain, 3, 2, steps=2)
    with pytest.raises(ValueError, match="input cell 5 is out of range"):
        nnn.Wiring([[0, 1], [0, 0]], inputs=[5])
    with pytest.raises(ValueError, match="parameters; at most 2\\^31"):
        nnn.NNN([[1 << 20]], 1, 1, hidden=1 << 20)
    with pytest.raises(ValueError, match="N \\(cells\\)|expected 1..1024"):
        nnn.wiring.chain(100000, 1)
    with pytest.raises(ValueError, match="wiring generator 'ring'"):
        nnn.ops.generate_wiring("ring", [3], 1, False, 0.0, 0)


def test_bad_inputs():
    model = nnn.NNN(nnn.wiring.chain(2, 2), 3, 2)
    with pytest.raises(ValueError, match="x has 5 features .* model.input_size is 3"):
        model(torch.randn(4, 5))
    with pytest.raises(ValueError, match="x must be \\[B, D_in\\] or \\[F, B, D_in\\]"):
        model(torch.randn(2, 2, 4, 3))
    with pytest.raises(ValueError, match="x is Long"):
        model(torch.ones(4, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="is Double on cpu but x is Float"):
        model.double()(torch.randn(4, 3))


def test_bad_operator_calls():
    model = nnn.NNN(nnn.wiring.chain(2, 2), 3, 2)
    code, parameters, x = model.network_code, model.parameter_list(), torch.randn(4, 3)
    with pytest.raises(ValueError, match="got 3 parameter tensors; this network of 2 cells has 8"):
        torch.ops.nnn.forward(x, parameters[:3], code, 2, 1)
    wrong = list(parameters)
    wrong[4] = torch.zeros(7, 7)
    with pytest.raises(ValueError, match="cells.1.w1 has shape \\[7, 7\\]"):
        torch.ops.nnn.forward(x, wrong, code, 2, 1)
    with pytest.raises(ValueError, match="version"):
        torch.ops.nnn.forward(x, parameters, [9] + code[1:], 2, 1)
    with pytest.raises(ValueError, match="entries"):
        torch.ops.nnn.forward(x, parameters, code[:-1], 2, 1)
    with pytest.raises(ValueError, match="N \\(cells\\) is -3"):
        torch.ops.nnn.forward(x, parameters, code[:1] + [-3] + code[2:], 2, 1)
    predictions, saved = torch.ops.nnn.forward_saving(x, parameters, code, 2, 1)
    with pytest.raises(ValueError, match="saved has shape"):
        torch.ops.nnn.backward(predictions, x, parameters, saved[:1], code, 2, False, 1)
    with pytest.raises(ValueError, match="the loss gradient has shape"):
        torch.ops.nnn.backward(predictions[:1], x, parameters, saved, code, 2, False, 1)
    with pytest.raises(ValueError, match="from_step is 3; expected 1..2"):
        torch.ops.nnn.forward(x, parameters, code, 2, 3)
    with pytest.raises(ValueError, match="from_step is 0; expected 1..2"):
        model(x, from_step=0)
