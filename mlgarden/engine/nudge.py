"""The forward pass after one leaf moves, at one point: only the nodes that depend on it again.

A finite difference moves one param at a time and reads the loss. At one data point everything
that does not depend on that param keeps its value, and in a layered network most nodes do not
(a weight of the last layer reaches a handful of nodes), so recomputing only the param's
descendants costs a fraction of a whole forward pass. Each node is computed by a small function
made from the same forward template that the point route inlines, in the same order, over the same
Python floats, so the values are the point route's to the last bit.
"""

from __future__ import annotations

from mlgarden.engine.ops import OPS, SCALAR_FUNCTIONS
from mlgarden.engine.program import Program


def _node_function(op: str):
    """(a, b, exponent) -> the op's value; b is a again for a one-input op. None for a sum."""
    rule = OPS[op]
    if rule.is_variadic:
        return None
    text = rule.forward.format(a="a", b="b", exponent="exponent")  # a template, never graph text
    return eval(compile(f"lambda a, b, exponent: {text}", "<mlgarden node>", "eval"), dict(SCALAR_FUNCTIONS))


class PointNudges:
    """The values at one point of a compiled graph with one leaf moved, by descendants alone."""

    def __init__(self, program: Program, leaf_values: list[float], x: float, y: float, label: float):
        self.base = program.forward_values(list(map(float, leaf_values)), float(x), float(y), float(label))
        functions = {op: _node_function(op) for op in {program.specs[i].op for i in program.order}
                     if OPS[op].forward}
        readers: dict[int, list[int]] = {}
        self._steps = {}  # row -> (function or None for a sum, input rows, exponent)
        for row, node_id in enumerate(program.order):
            spec = program.specs[node_id]
            if spec.op in functions:
                inputs = [program.index[source] for source in spec.inputs]
                self._steps[row] = (functions[spec.op], inputs, float(spec.exponent))
                for source in set(inputs):
                    readers.setdefault(source, []).append(row)
        self._readers = readers
        self._descendants: dict[int, list[int]] = {}

    def values(self, leaf: int, value: float) -> list[float]:
        """Every node's value (in the program's order) with leaf number `leaf` (its row) at `value`."""
        values = list(self.base)
        values[leaf] = float(value)
        for row in self._descendants_of(leaf):
            function, inputs, exponent = self._steps[row]
            if function is None:
                total = values[inputs[0]]
                for source in inputs[1:]:
                    total = total + values[source]
                values[row] = total
            else:
                values[row] = function(values[inputs[0]], values[inputs[-1]], exponent)
        return values

    def _descendants_of(self, leaf: int) -> list[int]:
        rows = self._descendants.get(leaf)
        if rows is None:
            seen, stack = set(), [leaf]
            while stack:
                for reader in self._readers.get(stack.pop(), ()):
                    if reader not in seen:
                        seen.add(reader)
                        stack.append(reader)
            rows = self._descendants[leaf] = sorted(seen)
        return rows
