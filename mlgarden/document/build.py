"""Build graphs from Python: `tanh(w * x + b)` makes the nodes a user would place by hand.

    builder = Builder(seed=1)
    x, y = builder.x(), builder.y()
    hidden = builder.layer([x, y], width=4, activation="tanh")
    out = builder.perceptron(hidden, activation="tanh")
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))

Every arithmetic operator or function on a `Value` adds one node to the builder's document; a
plain number becomes a `const` node. `param()` draws its starting value uniformly from [-1, 1]
with the builder's seed unless given one. A perceptron is the write-up's: one weight param per
input, a `mul` for each, a `sum` of the products and a bias param, then the activation.
`perceptron()` pours those nodes out flat; `neuron()` and `layer()` add instead one call node per
perceptron, an instance of the graph's perceptron function for that many inputs and that
activation (`perceptron_function`: `perceptron5_tanh`, defined from the built-in template the
first time), each instance with weights and a bias of its own. Editing that function changes every
perceptron of that shape at once, and Expand turns a call back into the flat nodes. The shipped
examples, the benchmark and the editor's Insert layer are built with this module.

Functions (mlgarden/functions.py) too: `template("perceptron", "neuron", inputs=2)` defines one,
`call("neuron", x, y)` adds an instance with its own params drawn like `param()`'s and returns a
Value per output, so `builder.call("neuron", x, y)[0]` reads like any other value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mlgarden.document import function_edits
from mlgarden.document.functions import param_paths
from mlgarden.document.graph import Document, GraphError, make_reference
from mlgarden.document.layout import arranged_positions, clear_column_place
from mlgarden.engine.ops import OPS


class Value:
    """A handle on one node of a builder's document; operators add nodes."""

    def __init__(self, builder: Builder, node_id: str):
        self.builder = builder
        self.id = node_id

    def _binary(self, op: str, other, reverse: bool = False) -> Value:
        other = self.builder.as_value(other)
        a, b = (other, self) if reverse else (self, other)
        return self.builder.op(op, a, b)

    def __add__(self, other):
        return self._binary("add", other)

    def __radd__(self, other):
        return self._binary("add", other, reverse=True)

    def __sub__(self, other):
        return self._binary("sub", other)

    def __rsub__(self, other):
        return self._binary("sub", other, reverse=True)

    def __mul__(self, other):
        return self._binary("mul", other)

    def __rmul__(self, other):
        return self._binary("mul", other, reverse=True)

    def __truediv__(self, other):
        return self._binary("div", other)

    def __rtruediv__(self, other):
        return self._binary("div", other, reverse=True)

    def __neg__(self):
        return self.builder.op("neg", self)

    def __pow__(self, exponent: float):
        return self.builder.op("pow", self, exponent=float(exponent))


def _unary(op_name: str):
    def apply(value: Value, label: str = "") -> Value:
        return value.builder.op(op_name, value, label=label)

    apply.__name__ = op_name
    apply.__doc__ = f"Add a `{op_name}` node reading `value`."
    return apply


tanh = _unary("tanh")
relu = _unary("relu")
sigmoid = _unary("sigmoid")
sin = _unary("sin")
cos = _unary("cos")
exp = _unary("exp")
log = _unary("log")
sqrt = _unary("sqrt")
square = _unary("square")
absolute = _unary("abs")


class Builder:
    """Accumulates nodes into a fresh Document."""

    def __init__(self, seed: int = 0, document: Document | None = None):
        self.document = document if document is not None else Document()
        self.rng = np.random.default_rng(seed)
        self._data_inputs: dict[str, Value] = {}

    def as_value(self, thing) -> Value:
        return thing if isinstance(thing, Value) else self.const(float(thing))

    def op(self, name: str, *inputs: Value, label: str = "", **fields) -> Value:
        node_id = self.document.add_node(name, label=label, inputs=[v.id for v in inputs], **fields)
        return Value(self, node_id)

    def param(self, value: float | None = None, label: str = "", trainable: bool = True) -> Value:
        if value is None:
            value = float(self.rng.uniform(-1.0, 1.0))
        return self.op("param", label=label, value=value, trainable=trainable)

    def const(self, value: float, label: str = "") -> Value:
        return self.op("const", label=label, value=value)

    def _data_input(self, name: str) -> Value:
        if name not in self._data_inputs:
            self._data_inputs[name] = self.op(name)
        return self._data_inputs[name]

    def x(self) -> Value:
        return self._data_input("x")

    def y(self) -> Value:
        return self._data_input("y")

    def label(self) -> Value:
        return self._data_input("label")

    def total(self, values: Sequence[Value], label: str = "") -> Value:
        return self.op("sum", *values, label=label)

    def perceptron(self, inputs: Sequence[Value], activation: str | None = "tanh",
                   label: str = "") -> Value:
        """activation(w1*in1 + ... + wn*inn + b), each weight and the bias a fresh param."""
        products = [self.param(label="w") * value for value in inputs]
        weighted = self.total(products + [self.param(label="b")])
        if activation is None:
            return weighted
        return self.op(activation, weighted, label=label)

    def neuron(self, inputs: Sequence[Value], activation: str | None = "tanh", label: str = "") -> Value:
        """One perceptron as a call of the graph's perceptron function, with its own weights and
        bias drawn as `param()` draws them (in the same order as `perceptron()`: w1..wn, b)."""
        function = perceptron_function(self.document, len(inputs), activation)
        return self.call(function, *inputs, label=label)[0]

    def layer(self, inputs: Sequence[Value], width: int, activation: str | None = "tanh",
              label: str = "h", flat: bool = False) -> list[Value]:
        """`width` perceptrons labelled label1, label2, ..., each reading every input: calls of
        one perceptron function, or with `flat` each perceptron's plain nodes."""
        make = self.perceptron if flat else self.neuron
        return [make(inputs, activation, label=f"{label}{i + 1}") for i in range(width)]

    def template(self, template: str, name: str | None = None, **options) -> str:
        """Define a built-in function (function_templates.TEMPLATES) and return its name."""
        return function_edits.add_template(self.document, template, name, **options)

    def call(self, function: str, *inputs: Value, label: str = "") -> list[Value]:
        """An instance of `function` reading `inputs`, each trainable param of its own drawn from
        [-1, 1]; one Value per output of the function."""
        values = {path: float(self.rng.uniform(-1.0, 1.0))
                  for path, param in param_paths(self.document.functions, function).items()
                  if param.trainable}
        node_id = self.document.add_node("call", label=label, function=function, values=values,
                                         inputs=[value.id for value in inputs] or None)
        return [Value(self, make_reference(node_id, k)) for k in range(self.document.output_count(node_id))]

    def loss(self, kind: str, prediction: Value, target: Value | None = None) -> Value:
        """A loss node of `kind` comparing `prediction` with `target` (the data label by default)."""
        return self.op(kind, prediction, target if target is not None else self.label(), label="loss")

    def finish(self, result: Value | None = None, loss: Value | None = None,
               description: str = "", arrange: bool = True) -> Document:
        document = self.document
        if result is not None:
            document.set_result(result.id)
        if loss is not None:
            document.set_loss(loss.id)
        document.description = description
        if arrange:
            for node_id, pos in arranged_positions(document).items():
                document.move(node_id, pos)
        return document


def perceptron_name(inputs: int, activation: str | None) -> str:
    """The name a layer gives its perceptron function: perceptron5_tanh, perceptron16_linear."""
    return f"perceptron{inputs}_{activation or 'linear'}"


def perceptron_function(document: Document, inputs: int, activation: str | None) -> str:
    """The graph's perceptron function of `inputs` inputs and `activation`, reused when the graph
    has it (edited or not), defined from the built-in template when it has not."""
    name = perceptron_name(inputs, activation)
    existing = document.functions.get(name)
    if existing is None:
        return function_edits.add_template(document, "perceptron", name, inputs=inputs,
                                           activation=activation or "none")
    if len(existing.input_ids()) != inputs:
        raise GraphError(f"function {name!r} now takes {len(existing.input_ids())} input(s), not "
                         f"{inputs}: rename it to insert a layer of {inputs}-input perceptrons")
    return name


def _layer_letter(document: Document) -> str:
    """The label of a new layer's perceptrons, before their number: the first of a, b, c, ...
    that no node uses yet (a1..a8 for the first layer, b1..b4 for the next), else h."""
    labels = {node.label for node in document.nodes.values()}
    return next((letter for letter in "abcdefg" if f"{letter}1" not in labels), "h")


def insert_layer(document: Document, input_ids: Sequence[str], width: int,
                 activation: str | None = "tanh", at: tuple[float, float] = (0.0, 0.0),
                 seed: int = 0, flat: bool = False) -> list[str]:
    """Add `width` perceptrons, each reading every node in `input_ids`, and return the references
    of their outputs (the layer's activations). They are calls of one perceptron function (see
    `perceptron_function`) in one column whose top-left is `at`, or lower where nodes are already
    there; with `flat`, each perceptron's plain nodes, laid out in tidy columns from `at`."""
    if not input_ids:
        raise GraphError("choose the nodes the layer reads (for example x and y) first")
    if not 1 <= width <= 64:
        raise GraphError(f"a layer's width must be between 1 and 64, got {width}")
    if activation is not None and activation not in OPS:
        raise GraphError(f"unknown activation {activation!r}")
    for reference in input_ids:
        document.check_reference(reference)
    existing = set(document.nodes)
    builder = Builder(seed=seed, document=document)
    inputs = [Value(builder, reference) for reference in input_ids]
    outputs = builder.layer(inputs, width, activation, label=_layer_letter(document), flat=flat)
    added = [node_id for node_id in document.nodes if node_id not in existing]
    if not flat:
        at = clear_column_place(document, added, at)
    for node_id, pos in arranged_positions(document, added, origin=at).items():
        document.move(node_id, pos)
    return [value.id for value in outputs]
