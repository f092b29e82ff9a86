"""torch.compile through nnn's operators: no graph break (dynamo's own
explain), and the compiled training step's loss and gradients equal the
eager ones, also when the batch size changes."""
import torch
import torch.nn.functional as F

import nnn


def make_model():
    torch.manual_seed(0)
    return nnn.NNN(nnn.wiring.layered([1, 3, 1], 4, feedback=True), 12, 5, hidden=8, steps=4)


def test_no_graph_break_in_forward_or_loss():
    model = make_model()
    x, y = torch.randn(16, 12), torch.randint(0, 5, (16,))
    explained = torch._dynamo.explain(model)(x)
    assert explained.graph_break_count == 0 and explained.graph_count == 1, explained

    def loss(x, y):
        return F.cross_entropy(model(x)[-1], y)

    explained = torch._dynamo.explain(loss)(x, y)
    assert explained.graph_break_count == 0 and explained.graph_count == 1, explained
    # nnn.NNN's autograd.Function is one node whose forward and backward
    # bodies call nnn's operators.
    ops = [str(node.target) for graph in explained.graphs for _, module in graph.named_modules()
           if hasattr(module, "graph") for node in module.graph.nodes
           if node.op == "call_function"]
    assert any("nnn.forward_saving" in op for op in ops), ops
    assert any("nnn.backward" in op for op in ops), ops


def test_compiled_training_equals_eager():
    torch._dynamo.reset()
    model = make_model()

    def loss(x, y):
        return F.cross_entropy(model(x)[-1], y)

    compiled = torch.compile(loss, fullgraph=True)
    for batch in (16, 16, 24):
        x, y = torch.randn(batch, 12), torch.randint(0, 5, (batch,))
        model.zero_grad()
        got = compiled(x, y)
        got.backward()
        got_grads = [p.grad.clone() for p in model.parameters()]
        model.zero_grad()
        expected = loss(x, y)
        expected.backward()
        torch.testing.assert_close(got, expected)
        for g, p in zip(got_grads, model.parameters()):
            torch.testing.assert_close(g, p.grad)


def test_compiled_inference_equals_eager():
    model = make_model()
    x = torch.randn(3, 10, 12)
    with torch.no_grad():
        torch.testing.assert_close(torch.compile(model, fullgraph=True)(x), model(x))
