"""micrograd running an mlgarden graph: the baseline the engine benchmark compares against.

micrograd (karpathy/micrograd 0.1.0, `pip install micrograd==0.1.0`, the `bench` extra) is the
engine of the lecture this app retells: one Python object per scalar, a closure per op for its
backward, a topological sort per backward call. This module turns any mlgarden Document into
micrograd Values, generically: it walks the compiled graph in topological order and maps each op
to micrograd operations, the way the lecture builds them:

- micrograd's own `+`, `*`, `**` (a number exponent) and `relu`; negation, subtraction and division
  are micrograd's, built from those (`a - b` is `a + (-b)`, `a / b` is `a * b**-1`);
- `square` is `a**2`, `sqrt` is `a**0.5`, `sum` is a chain of `+` (what Python's `sum` does);
- `tanh`, `exp` and `sin`, which micrograd 0.1.0 lacks, are added to its Value class here as the
  lecture writes them (tanh with the lecture's exp formula);
- the losses as micrograd's demo writes them: squared error `(p - t)**2`, hinge `(1 + -t*p).relu()`.

Params become micrograd Values that persist between steps; consts are plain numbers, which micrograd
wraps; x, y and label are fresh Values at each point. The walk happens once, into straight-line
Python that builds the Values (see MicrogradModel), so no driver loop slows micrograd down: on
moons-mlp it builds a forward about as fast as micrograd's own MLP class. Training follows
micrograd's demo: a forward per point of the batch, the mean of their losses, `zero_grad`, one
`backward`, then `p.data -= learning_rate * p.grad` for every trainable param (no L2 term, as the
graphs have none).
"""

from __future__ import annotations

import math

from micrograd.engine import Value

from mlgarden.document import function_edits
from mlgarden.document.graph import Document


def _tanh(self):
    x = self.data
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def _exp(self):
    x = self.data
    out = Value(math.exp(x), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def _sin(self):
    x = self.data
    out = Value(math.sin(x), (self,), "sin")

    def _backward():
        self.grad += math.cos(x) * out.grad

    out._backward = _backward
    return out


Value.tanh = _tanh
Value.exp = _exp
Value.sin = _sin

# Each op as micrograd writes it, over the names {a} and {b} of its inputs' Values.
TEMPLATES = {
    "add": "{a} + {b}",
    "sub": "{a} - {b}",
    "mul": "{a} * {b}",
    "div": "{a} / {b}",
    "neg": "-{a}",
    "pow": "{a}**{exponent}",
    "square": "{a}**2",
    "sqrt": "{a}**0.5",
    "exp": "{a}.exp()",
    "sin": "{a}.sin()",
    "tanh": "{a}.tanh()",
    "relu": "{a}.relu()",
    "squared_error": "({a} - {b})**2",
    "hinge": "(1 + -{b} * {a}).relu()",
}


class MicrogradModel:
    """A Document's computable graph as micrograd Values: params persist, the rest per point.

    The graph is walked once, in topological order, into one straight-line function of
    (params, x, y, label) that builds the loss Value; a driver loop over the nodes would add its own
    time to micrograd's at every point, so this measures micrograd at its best.
    """

    def __init__(self, document: Document):
        document = expanded(document)
        program = document.program()
        if program.loss is None:
            raise ValueError("the graph has no computable loss")
        nodes = document.nodes
        unsupported = {nodes[i].op for i in program.order} - set(TEMPLATES) - {"sum", *LEAVES}
        if unsupported:
            raise ValueError(f"no micrograd mapping for {sorted(unsupported)}")
        params = [i for i in program.order if nodes[i].op == "param"]
        self.params = [Value(nodes[i].value) for i in params]
        self.trainable = [value for i, value in zip(params, self.params) if nodes[i].trainable]
        source = _source(nodes, program.order, {node_id: k for k, node_id in enumerate(params)},
                         program.loss)
        namespace = {"Value": Value}
        exec(compile(source, "<micrograd model>", "exec"), namespace)
        self.loss_at = namespace["loss_at"]

    def zero_grad(self) -> None:
        for param in self.params:
            param.grad = 0

    def nudge(self, x: float, y: float, label: float) -> Value:
        """One forward and backward at one point: every Value's data and grad, as the app shows."""
        loss = self.loss_at(self.params, x, y, label)
        self.zero_grad()
        loss.backward()
        return loss

    def train_step(self, xs, ys, labels, learning_rate: float) -> float:
        """micrograd's demo step: mean loss over the batch, zero_grad, backward, sgd update."""
        losses = [self.loss_at(self.params, x, y, label) for x, y, label in zip(xs, ys, labels)]
        total = sum(losses) * (1.0 / len(losses))
        self.zero_grad()
        total.backward()
        for param in self.trainable:
            param.data -= learning_rate * param.grad
        return total.data


LEAVES = ("param", "const", "x", "y", "label")


def expanded(document: Document) -> Document:
    """A copy of `document` with every function call expanded into its body's plain nodes (the
    same numbers): micrograd gets the network node by node, as the write-up wired it."""
    flat = document.copy()
    while calls := [node_id for node_id, node in flat.nodes.items() if node.op == "call"]:
        function_edits.expand(flat, calls[0])
    return flat


def _source(nodes, order: list[str], param_index: dict[str, int], loss: str) -> str:
    """`def loss_at(P, x, y, label)`: node k of `order` is v{k}; only templates and numbers."""
    names = {node_id: f"v{k}" for k, node_id in enumerate(order)}
    lines = []
    for node_id in order:
        node = nodes[node_id]
        inputs = [names[source] for source in node.inputs]
        if node.op == "param":
            expression = f"P[{param_index[node_id]}]"
        elif node.op == "const":
            expression = repr(float(node.value))
        elif node.op in ("x", "y", "label"):
            expression = f"Value({node.op})"
        elif node.op == "sum":
            expression = " + ".join(inputs)
        else:
            expression = TEMPLATES[node.op].format(a=inputs[0], b=inputs[-1], exponent=float(node.exponent))
        lines.append(f"{names[node_id]} = {expression}")
    lines.append(f"return {names[loss]}")
    return "def loss_at(P, x, y, label):\n" + "".join(f"    {line}\n" for line in lines)
