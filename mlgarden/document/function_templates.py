"""Built-in functions a user can insert without building them: the write-up's pieces.

- `perceptron(inputs=2, activation="tanh")`: activation(w1*x1 + ... + wn*xn + b), each weight and
  the bias a param of each instance; activation one of tanh, relu, sigmoid or none.
- `sine_feature()`: sin(a*x + b), an engineered feature with a learned frequency and phase.
- `distance(eps=1e-4)`: sqrt((x - px)^2 + (y - py)^2 + eps), the distance to a learned point
  (px, py); the constant eps keeps the derivative finite at the point itself.

`TEMPLATES` maps each name to a function of its options that returns a FunctionDefinition; `build`
checks the options and names the result. Document.add_template defines one in a graph.
"""

from __future__ import annotations

from mlgarden.document.functions import FunctionDefinition
from mlgarden.document.nodes import ID_PATTERN, ID_RULE, GraphError, Node
from mlgarden.document.layout import COLUMN_WIDTH, ROW_HEIGHT

ACTIVATIONS = ("tanh", "relu", "sigmoid", "none")
MAX_INPUTS = 64


class _Body:
    """Lays nodes out in columns as they are added, in the slots the graph layout uses."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.rows: dict[int, int] = {}

    def add(self, node_id: str, op: str, column: int, inputs=(), label: str = "", value: float = 0.0) -> str:
        row = self.rows.get(column, 0)
        self.rows[column] = row + 1
        self.nodes[node_id] = Node(node_id, op, list(inputs), value, label,
                                   (column * COLUMN_WIDTH, row * ROW_HEIGHT))
        return node_id


def perceptron(inputs: int = 2, activation: str | None = "tanh") -> FunctionDefinition:
    if isinstance(inputs, bool) or not isinstance(inputs, int) or not 1 <= inputs <= MAX_INPUTS:
        raise GraphError(f"a perceptron takes 1 to {MAX_INPUTS} inputs, got {inputs!r}")
    activation = "none" if activation is None else activation
    if activation not in ACTIVATIONS:
        raise GraphError(f"the activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    body = _Body()
    products = []
    for index in range(1, inputs + 1):
        pin = body.add(f"x{index}", "input", 0)
        weight = body.add(f"w{index}", "param", 0, value=0.5)
        products.append(body.add(f"m{index}", "mul", 1, [pin, weight]))
    bias = body.add("b", "param", 1, value=0.0)
    total = body.add("s", "sum", 2, products + [bias])
    if activation != "none":
        total = body.add("a", activation, 3, [total])
    body.add("out", "output", 4, [total])
    terms = [f"w{i}*x{i}" for i in range(1, inputs + 1)]
    weighted = " + ".join(terms if inputs <= 3 else [terms[0], "...", terms[-1]]) + " + b"
    formula = f"{activation}({weighted})" if activation != "none" else weighted
    return FunctionDefinition("perceptron", body.nodes, f"A perceptron: {formula}")


def sine_feature() -> FunctionDefinition:
    body = _Body()
    x = body.add("x", "input", 0)
    frequency = body.add("a", "param", 0, value=1.0)
    phase = body.add("b", "param", 1, value=0.0)
    scaled = body.add("ax", "mul", 1, [frequency, x], label="a*x")
    shifted = body.add("u", "add", 2, [scaled, phase], label="a*x + b")
    wave = body.add("s", "sin", 3, [shifted])
    body.add("out", "output", 4, [wave], label="sin")
    return FunctionDefinition("sine_feature", body.nodes, "An engineered feature: sin(a*x + b)")


def distance(eps: float = 1e-4) -> FunctionDefinition:
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0.0 < eps <= 1.0:
        raise GraphError(f"eps must be a number above 0 and at most 1, got {eps!r}")
    body = _Body()
    x, y = body.add("x", "input", 0), body.add("y", "input", 0)
    px, py = body.add("px", "param", 0, value=0.0), body.add("py", "param", 0, value=0.0)
    dx = body.add("dx", "sub", 1, [x, px], label="x - px")
    dy = body.add("dy", "sub", 1, [y, py], label="y - py")
    sx, sy = body.add("sx", "square", 2, [dx]), body.add("sy", "square", 2, [dy])
    epsilon = body.add("eps", "const", 2, value=float(eps))
    total = body.add("u", "sum", 3, [sx, sy, epsilon])
    root = body.add("d", "sqrt", 4, [total])
    body.add("out", "output", 5, [root], label="distance")
    return FunctionDefinition("distance", body.nodes,
                              "The distance to a learned point: sqrt((x - px)^2 + (y - py)^2 + eps)")


TEMPLATES = {"perceptron": perceptron, "sine_feature": sine_feature, "distance": distance}


def build(template: str, name: str | None = None, **options) -> FunctionDefinition:
    """The template's definition with `options`, named `name` (the template's name by default)."""
    if template not in TEMPLATES:
        raise GraphError(f"unknown template {template!r}; templates: {', '.join(TEMPLATES)}")
    try:
        definition = TEMPLATES[template](**options)
    except TypeError:
        raise GraphError(f"template {template!r} has no option among {', '.join(options)}") from None
    if name is not None:
        if not isinstance(name, str) or not ID_PATTERN.fullmatch(name):
            raise GraphError(f"a function's name {ID_RULE}, got {name!r}")
        definition.name = name
    return definition
