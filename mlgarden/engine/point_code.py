"""The point route's source: one forward and one backward over Python floats, as straight lines.

At one data point a numpy call costs more than a whole node does in plain Python, so the point
route is a single Python function written once per compile from the op table's templates:

    def run(L, x, y, label):
        v0, v1, v2, = map(float, L)      # the leaves (first in `order`), as Python floats
        v3 = x
        v4 = v0 * v3                     # mul: "{a} * {b}"
        ...
        g9 = 1.0                         # the loss
        g4 = (v1) * g9                   # a share: local derivative times the reader's gradient
        g1 = g1 + (v4) * g9              # a second share is added, never assigned
        return [v0, v1, ...], [g0, g1, ...]

Node i of `order` is v{i}, and its gradient g{i} or, when a reader passes its own gradient on
whole (a sum does), the reader's variable. Leaves become Python floats first: numpy scalars would
follow numpy's error rules, not the ones the scalar functions implement. The text holds only
templates, numbers and these names, so no text from a graph can reach the compiler. The functions
a template calls follow one error policy (see `mlgarden.engine.ops`): inf or NaN, never an exception.
"""

from __future__ import annotations

from mlgarden.engine.ops import DATA_INPUT_OPS, OPS


def times(local: str, gradient: str) -> str:
    """A share's text: the local derivative (filled template) times the reader's gradient."""
    if local == "1.0":
        return gradient
    if local == "-1.0":
        return f"-{gradient}"
    return f"({local}) * {gradient}"


SUM_TERMS_PER_LINE = 64


def _sum_lines(target: str, terms: list[str]) -> list[str]:
    """A sum, left to right, at most SUM_TERMS_PER_LINE terms a line: `a + b + c` is one nested
    expression to Python's compiler, so a sum of thousands of terms on one line exhausts its
    recursion; continuing on the next line (`v9 = v9 + ...`) adds in the same order, same bits."""
    first = terms[:SUM_TERMS_PER_LINE]
    lines = [f"{target} = " + " + ".join(first)]
    for start in range(SUM_TERMS_PER_LINE, len(terms), SUM_TERMS_PER_LINE):
        lines.append(f"{target} = {target} + " + " + ".join(terms[start:start + SUM_TERMS_PER_LINE]))
    return lines


class _Writer:
    def __init__(self, specs, order: list[str], loss: str | None, on_loss_path: set[str], leaf_count: int):
        self.specs, self.order, self.loss = specs, order, loss
        self.on_loss_path, self.leaf_count = on_loss_path, leaf_count
        self.index = {node_id: i for i, node_id in enumerate(order)}

    def names(self, node_id: str) -> dict[str, str]:
        spec = self.specs[node_id]
        names = {"out": f"v{self.index[node_id]}", "exponent": f"({float(spec.exponent)!r})"}
        names.update(zip("ab", (f"v{self.index[source]}" for source in spec.inputs)))
        return names

    def forward_lines(self, node_id: str) -> list[str]:
        spec = self.specs[node_id]
        target = f"v{self.index[node_id]}"
        if spec.op in DATA_INPUT_OPS:
            return [f"{target} = {spec.op}"]
        if OPS[spec.op].is_variadic:
            return _sum_lines(target, [f"v{self.index[source]}" for source in spec.inputs])
        return [f"{target} = " + OPS[spec.op].forward.format(**self.names(node_id))]

    def backward_lines(self) -> list[str]:
        """The shares, readers before what they read. A share equal to the reader's gradient (a sum
        passes its gradient to every pin) is not copied: the pin's gradient is the same variable
        until a second share arrives (`gradient` maps a node to its gradient's variable)."""
        self.gradient = {self.loss: f"g{self.index[self.loss]}"}
        lines = [f"{self.gradient[self.loss]} = 1.0"]  # d loss / d loss
        for node_id in reversed(self.order[self.leaf_count:]):
            if node_id not in self.on_loss_path:
                continue
            op = OPS[self.specs[node_id].op]
            sources = self.specs[node_id].inputs
            derivatives = op.derivatives * len(sources) if op.is_variadic else op.derivatives
            for source, derivative in zip(sources, derivatives):
                share = times(derivative.format(**self.names(node_id)), self.gradient[node_id])
                lines += self._add(source, share)
        return lines

    def _add(self, source: str, share: str) -> list[str]:
        target = f"g{self.index[source]}"
        if source in self.gradient:
            line = f"{target} = {self.gradient[source]} + {share}"
        elif share.isidentifier():  # the reader's own gradient, whole: share its variable
            self.gradient[source] = share
            return []
        else:
            line = f"{target} = {share}"
        self.gradient[source] = target
        return [line]

    def gradient_of(self, node_id: str) -> str:
        return self.gradient.get(node_id, "0.0") if node_id in self.on_loss_path else "0.0"


def point_source(specs, order: list[str], loss: str | None, on_loss_path: set[str], leaf_count: int) -> str:
    """The function (L, x, y, label) -> ([values], [grads]) in `order`, whose first `leaf_count`
    nodes are the leaves. Backprop starts at `loss` (the Program passes the result when the graph
    has no loss; None: every gradient 0); a node off the path to it gets gradient 0."""
    writer = _Writer(specs, order, loss, on_loss_path, leaf_count)
    lines = ["".join(f"v{k}, " for k in range(leaf_count)) + "= map(float, L)"] if leaf_count else []
    for node_id in order[leaf_count:]:
        lines += writer.forward_lines(node_id)
    if loss is not None:
        lines += writer.backward_lines()
    values = ", ".join(f"v{i}" for i in range(len(order)))
    grads = ", ".join(writer.gradient_of(node_id) if loss is not None else "0.0" for node_id in order)
    lines.append(f"return [{values}], [{grads}]")
    return "def run(L, x, y, label):\n" + "".join(f"    {line}\n" for line in lines)


def forward_source(specs, order: list[str], leaf_count: int) -> str:
    """The forward half of `point_source`, line for line the same: (L, x, y, label) -> [values]."""
    writer = _Writer(specs, order, None, set(), leaf_count)
    lines = ["".join(f"v{k}, " for k in range(leaf_count)) + "= map(float, L)"] if leaf_count else []
    for node_id in order[leaf_count:]:
        lines += writer.forward_lines(node_id)
    lines.append("return [" + ", ".join(f"v{i}" for i in range(len(order))) + "]")
    return "def run(L, x, y, label):\n" + "".join(f"    {line}\n" for line in lines)
