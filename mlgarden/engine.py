"""The engine: compile a graph of scalar nodes once, then run it forward and backward fast.

A graph is compiled after every structural edit (a node added, a link changed), never after a
value change: param and const values are read from a vector, the *leaf vector*, on every call.
Compiling sorts the nodes that can be computed (every input connected, transitively) into
topological order and writes three straight-line Python functions from the op table's templates:

- the *point* function, over Python floats: one forward and one backward at one data point.
  This is the nudge: every node's value and gradient, with no numpy call overhead.
- the *batch* function, the same code over numpy arrays of shape (batch,): one call runs a whole
  batch of data points forward and backward. A node's gradient is the mean over the batch of
  d(loss)/d(node), so the gradients of the params are those of the mean loss.
- the *surface* function, forward only from the data inputs to the result node, over a whole grid,
  dropping each intermediate array once no later node needs it.

The generated source is built only from the op table's templates, node indices and numbers, never
from text taken from a graph file, so a file can never run code.

Backpropagation visits nodes in reverse order and adds (never assigns) each consumer's share to a
node's gradient: a node used twice, even as both inputs of one `mul`, gets both shares.

Errors follow one policy in both routes: a domain error or overflow gives inf or NaN, which
`first_non_finite` locates; no exception escapes from a compiled function.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from mlgarden.ops import ARRAY_FUNCTIONS, DATA_INPUT_OPS, LEAF_VALUE_OPS, OPS, SCALAR_FUNCTIONS


class CompileError(ValueError):
    """The node list cannot be compiled (a cycle, an unknown op or id, a non-finite exponent); the
    document prevents it."""


@dataclass(frozen=True)
class NodeSpec:
    """What the engine needs to know of one node; the document builds these."""

    id: str
    op: str
    inputs: tuple[str | None, ...] = ()
    exponent: float = 2.0


@dataclass
class Evaluation:
    """Every computed node's value and gradient, keyed by node id."""

    values: dict[str, float]
    grads: dict[str, float]
    loss: float | None = None
    result: float | None = None


@dataclass
class BatchEvaluation:
    """One forward and backward over a batch: the mean loss and the mean gradient of each leaf."""

    loss: float
    leaf_grads: np.ndarray
    values: list = field(repr=False)
    losses: np.ndarray | None = field(default=None, repr=False)


def _computable_order(specs: dict[str, NodeSpec]) -> list[str]:
    """Topological order of the nodes whose inputs are all connected to computable nodes."""
    order: list[str] = []
    state: dict[str, str] = {}  # "visiting" or "done" or "blocked"

    def visit(root: str) -> None:
        stack = [(root, 0)]
        while stack:
            node_id, next_input = stack.pop()
            spec = specs[node_id]
            if next_input == 0:
                if state.get(node_id) in ("done", "blocked"):
                    continue
                state[node_id] = "visiting"
            if next_input < len(spec.inputs):
                stack.append((node_id, next_input + 1))
                child = spec.inputs[next_input]
                if child is None:
                    continue
                if child not in specs:
                    raise CompileError(f"node {node_id!r} reads {child!r}, which does not exist")
                if state.get(child) == "visiting":
                    raise CompileError(f"a cycle passes through node {child!r}")
                if child not in state:
                    stack.append((child, 0))
                continue
            complete = _has_all_inputs(spec) and all(state[c] == "done" for c in spec.inputs)
            state[node_id] = "done" if complete else "blocked"
            if complete:
                order.append(node_id)

    for node_id in specs:
        visit(node_id)
    return order


def _has_all_inputs(spec: NodeSpec) -> bool:
    op = OPS[spec.op]
    if op.is_variadic:
        return len(spec.inputs) >= 1 and None not in spec.inputs
    return len(spec.inputs) == op.arity and None not in spec.inputs


def _ancestors(specs: dict[str, NodeSpec], target: str | None, computable: set[str]) -> set[str]:
    if target is None or target not in computable:
        return set()
    seen = {target}
    stack = [target]
    while stack:
        for child in specs[stack.pop()].inputs:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def _fill(template: str, names: dict[str, str]) -> str:
    return template.format(**names)


class Program:
    """A compiled graph. Build it with `compile_graph`; call it as often as you like."""

    def __init__(self, nodes: Sequence[NodeSpec], loss: str | None, result: str | None):
        self.specs = {spec.id: spec for spec in nodes}
        for spec in nodes:
            if spec.op not in OPS:
                raise CompileError(f"node {spec.id!r} has an unknown op {spec.op!r}")
            if not math.isfinite(float(spec.exponent)):  # repr gives inf or nan: no Python names
                raise CompileError(f"node {spec.id!r} has a non-finite exponent {spec.exponent!r}")
        self.order = _computable_order(self.specs)
        self.index = {node_id: i for i, node_id in enumerate(self.order)}
        self.incomplete = [node_id for node_id in self.specs if node_id not in self.index]
        self.leaf_ids = [s.id for s in nodes if s.op in LEAF_VALUE_OPS]
        self.leaf_index = {node_id: k for k, node_id in enumerate(self.leaf_ids)}
        self.loss = loss if loss in self.index else None
        self.result = result if result in self.index else None
        self.needs_gradient = _ancestors(self.specs, self.loss, set(self.index))
        source = self._forward_backward_source()
        surface_source = self._surface_source() if self.result else ""
        self.source = source + surface_source  # kept for inspection: tests check what runs
        self._point = _build(source, SCALAR_FUNCTIONS)
        self._batch = _build(source, ARRAY_FUNCTIONS)
        self._surface = _build(surface_source, ARRAY_FUNCTIONS) if self.result else None

    # --- code generation -------------------------------------------------------------------

    def _forward_line(self, node_id: str) -> str:
        spec = self.specs[node_id]
        target = f"v{self.index[node_id]}"
        if spec.op in LEAF_VALUE_OPS:
            return f"{target} = L[{self.leaf_index[node_id]}]"
        if spec.op in DATA_INPUT_OPS:
            return f"{target} = {spec.op}"
        operands = [f"v{self.index[child]}" for child in spec.inputs]
        if OPS[spec.op].is_variadic:
            return f"{target} = " + " + ".join(operands)
        return f"{target} = " + _fill(OPS[spec.op].forward, self._names(spec, operands))

    def _names(self, spec: NodeSpec, operands: list[str]) -> dict[str, str]:
        names = {"out": f"v{self.index[spec.id]}", "exponent": repr(float(spec.exponent))}
        names["exponent"] = f"({names['exponent']})"
        for name, operand in zip(("a", "b"), operands):
            names[name] = operand
        return names

    def _backward_lines(self) -> list[str]:
        lines = [f"g{self.index[self.loss]} = 1.0"]
        assigned = {self.loss}
        for node_id in reversed(self.order):
            spec = self.specs[node_id]
            if node_id not in self.needs_gradient or OPS[spec.op].is_leaf:
                continue
            own_gradient = f"g{self.index[node_id]}"
            operands = [f"v{self.index[child]}" for child in spec.inputs]
            derivatives = OPS[spec.op].derivatives * (len(operands) if OPS[spec.op].is_variadic else 1)
            for child, derivative in zip(spec.inputs, derivatives):
                local = _fill(derivative, self._names(spec, operands))
                share = _times(local, own_gradient)
                target = f"g{self.index[child]}"
                lines.append(f"{target} = {target} + {share}" if child in assigned else f"{target} = {share}")
                assigned.add(child)
        return lines

    def _forward_backward_source(self) -> str:
        lines = [self._forward_line(node_id) for node_id in self.order]
        if self.loss is not None:
            lines += self._backward_lines()
        values = ", ".join(f"v{i}" for i in range(len(self.order)))
        grads = ", ".join(
            f"g{i}" if node_id in self.needs_gradient else "0.0" for i, node_id in enumerate(self.order)
        )
        lines.append(f"return [{values}], [{grads}]")
        return "def run(L, x, y, label):\n" + "".join(f"    {line}\n" for line in lines)

    def _surface_source(self) -> str:
        needed = _ancestors(self.specs, self.result, set(self.index))
        order = [node_id for node_id in self.order if node_id in needed]
        last_use = {}
        for position, node_id in enumerate(order):
            for child in self.specs[node_id].inputs:
                last_use[child] = position
        lines = []
        for position, node_id in enumerate(order):
            lines.append(self._forward_line(node_id))
            dead = sorted({c for c in self.specs[node_id].inputs if last_use.get(c) == position})
            dead = [c for c in dead if c != self.result]
            if dead:
                lines.append("del " + ", ".join(f"v{self.index[c]}" for c in dead))
        lines.append(f"return v{self.index[self.result]}")
        return "def run(L, x, y, label):\n" + "".join(f"    {line}\n" for line in lines)

    # --- running -----------------------------------------------------------------------------

    def evaluate_point(self, leaf_values: Sequence[float], x: float = 0.0, y: float = 0.0,
                       label: float = 1.0) -> Evaluation:
        """Every node's value and gradient at one data point, over Python floats."""
        leaves = [float(v) for v in leaf_values]
        values, grads = self._point(leaves, float(x), float(y), float(label))
        evaluation = Evaluation(dict(zip(self.order, values)), dict(zip(self.order, grads)))
        if self.loss is not None:
            evaluation.loss = evaluation.values[self.loss]
        if self.result is not None:
            evaluation.result = evaluation.values[self.result]
        return evaluation

    def evaluate_batch(self, leaf_values: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                       labels: np.ndarray) -> BatchEvaluation:
        """Forward and backward over a batch at once; needs a loss node."""
        if self.loss is None:
            raise CompileError("the graph has no computable loss node to train")
        with np.errstate(all="ignore"):
            values, grads = self._batch(list(leaf_values), xs, ys, labels)
            leaf_grads = np.array([np.mean(grads[self.index[i]]) for i in self.leaf_ids], dtype=float)
            losses = np.broadcast_to(values[self.index[self.loss]], xs.shape)
            return BatchEvaluation(float(np.mean(losses)), leaf_grads, values, losses)

    def batch_grads(self, leaf_values: np.ndarray, xs, ys, labels) -> dict[str, float]:
        """Every node's mean gradient over a batch, keyed by id (for tests and displays)."""
        with np.errstate(all="ignore"):
            _, grads = self._batch(list(leaf_values), xs, ys, labels)
            return {node_id: float(np.mean(g)) for node_id, g in zip(self.order, grads)}

    def surface(self, leaf_values: Sequence[float], xs: np.ndarray, ys: np.ndarray) -> np.ndarray | None:
        """The result node over a grid of points (xs, ys of one shape), in xs' float dtype."""
        if self._surface is None:
            return None
        leaves = [xs.dtype.type(v) for v in leaf_values]
        with np.errstate(all="ignore"):
            out = self._surface(leaves, xs, ys, xs.dtype.type(0.0))
        return np.broadcast_to(np.asarray(out, dtype=xs.dtype), xs.shape)

    def first_non_finite(self, values: Sequence) -> str | None:
        """The first node, in computation order, whose value is inf or NaN anywhere."""
        for node_id, value in zip(self.order, values):
            if not np.all(np.isfinite(value)):
                return node_id
        return None


def _times(local: str, gradient: str) -> str:
    if local == "1.0":
        return gradient
    if local == "-1.0":
        return f"-{gradient}"
    return f"({local}) * {gradient}"


def _build(source: str, functions: dict) -> callable:
    namespace = dict(functions)
    exec(compile(source, "<mlgarden graph>", "exec"), namespace)
    return namespace["run"]


def compile_graph(nodes: Sequence[NodeSpec], loss: str | None = None, result: str | None = None) -> Program:
    """Compile a list of nodes; `loss` is where backprop starts, `result` what the surface shows."""
    return Program(nodes, loss, result)
