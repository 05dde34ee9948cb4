"""Shared helpers for the core tests: tiny graphs, finite differences, an independent evaluator.

The oracle for every derivative is a finite difference of a forward pass, never the engine's own
backward code. For node gradients (d loss / d an inner node) the forward pass is `reference_values`
below, a plain interpreter written from the textbook formulas, independent of the op table, and
`held_loss`, which holds one node at a chosen value and recomputes everything downstream of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from mlgarden.document.build import Builder
from mlgarden.document.graph import Document, Node
from mlgarden.engine.program import NodeSpec, Program, compile_graph
from mlgarden.engine.ops import OPS

# --- finite differences ---------------------------------------------------------------------------


def step_for(value: float, scale: float = 1e-3) -> float:
    return scale * max(1.0, abs(value))


def five_point_derivative(function, value: float, step: float | None = None) -> float:
    """f'(value) by the five-point central stencil; its error is O(step**4)."""
    h = step_for(value) if step is None else step
    return (
        -function(value + 2 * h) + 8 * function(value + h) - 8 * function(value - h) + function(value - 2 * h)
    ) / (12 * h)


def close(actual: float, expected: float, rel: float = 1e-6, abs_: float = 1e-7) -> bool:
    return math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_)


def same_number(first: float, second: float, rel: float = 0.0, abs_: float = 0.0) -> bool:
    """Equal (NaN equals NaN, inf equals inf of the same sign), or within rel/abs when finite."""
    first, second = float(first), float(second)
    if math.isnan(first) or math.isnan(second):
        return math.isnan(first) and math.isnan(second)
    if math.isinf(first) or math.isinf(second):
        return first == second
    return math.isclose(first, second, rel_tol=rel, abs_tol=abs_)


def replaced(values, index: int, value: float) -> list[float]:
    changed = list(values)
    changed[index] = value
    return changed


# --- tiny graphs ------------------------------------------------------------------------------------


def op_program(op: str, leaves: tuple[str, ...], exponent: float = 2.0) -> Program:
    """One `op` node 'out' reading the given leaf ops in order (named in0, in1, ...).

    'out' is both the loss and the result, so every route can run it.
    """
    specs = [NodeSpec(f"in{k}", leaf) for k, leaf in enumerate(leaves)]
    inputs = tuple(f"in{k}" for k in range(len(leaves)))
    specs.append(NodeSpec("out", op, inputs, exponent))
    return compile_graph(specs, loss="out", result="out")


def batch_of_one(program: Program, leaves, x=0.0, y=0.0, label=1.0):
    arrays = [np.array([float(v)]) for v in (x, y, label)]
    return program.evaluate_batch(np.array(leaves, dtype=float), *arrays)


def batch_node_grads(program: Program, leaves, x=0.0, y=0.0, label=1.0) -> dict[str, float]:
    arrays = [np.array([float(v)]) for v in (x, y, label)]
    return program.batch_grads(np.array(leaves, dtype=float), *arrays)


def batch_value(evaluation, program: Program, node_id: str) -> float:
    value = np.broadcast_to(evaluation.values[program.index[node_id]], (1,))
    return float(value[0])


# --- an independent interpreter ----------------------------------------------------------------------


def _sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


REFERENCE = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "neg": lambda a: -a,
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "sigmoid": _sigmoid,
    "square": lambda a: a * a,
    "exp": math.exp,
    "squared_error": lambda p, t: (p - t) ** 2,
    "sum": lambda *terms: math.fsum(terms),
}


@dataclass
class RandomGraph:
    """A random DAG in topological order, with its leaf values and one data point."""

    specs: list[NodeSpec]
    leaf_values: dict[str, float]
    loss: str
    result: str

    def program(self) -> Program:
        return compile_graph(self.specs, loss=self.loss, result=self.result)

    def leaves_for(self, program: Program) -> list[float]:
        return [self.leaf_values[node_id] for node_id in program.leaf_ids]


def reference_values(graph: RandomGraph, x: float, y: float, label: float) -> dict[str, float]:
    """Every node's value by the textbook formulas."""
    data = {"x": x, "y": y, "label": label}
    values: dict[str, float] = {}
    for spec in graph.specs:
        if spec.op in ("param", "const"):
            values[spec.id] = graph.leaf_values[spec.id]
        elif spec.op in data:
            values[spec.id] = data[spec.op]
        else:
            values[spec.id] = REFERENCE[spec.op](*(values[i] for i in spec.inputs))
    return values


def downstream(graph: RandomGraph, node_id: str) -> list[NodeSpec]:
    """The nodes computed from `node_id`, in topological order (not the node itself)."""
    consumers: dict[str, list[int]] = {}
    for position, spec in enumerate(graph.specs):
        for source in set(spec.inputs):
            consumers.setdefault(source, []).append(position)
    reached, stack = set(), [node_id]
    while stack:
        for position in consumers.get(stack.pop(), ()):
            if position not in reached:
                reached.add(position)
                stack.append(graph.specs[position].id)
    return [graph.specs[position] for position in sorted(reached)]


def held_loss(graph: RandomGraph, values: dict[str, float], node_id: str, held: float,
              later: list[NodeSpec]) -> float:
    """The loss when node `node_id` is held at `held`: only the nodes `later` are recomputed."""
    changed = dict(values)
    changed[node_id] = held
    for spec in later:
        changed[spec.id] = REFERENCE[spec.op](*(changed[i] for i in spec.inputs))
    return changed[graph.loss]


# --- random DAGs --------------------------------------------------------------------------------------

LEAF_KINDS = ("param", "param", "const", "x", "y", "label")
OP_KINDS = ("add", "sub", "mul", "neg", "tanh", "sin", "cos", "sigmoid", "square", "sum", "exp",
            "squared_error")
KINDS = LEAF_KINDS + OP_KINDS * 3  # ops are three times as likely as leaves
VALUE_LIMIT = 3.0  # an op whose value could pass this gets a tanh instead: keeps FD meaningful


def _bound(op: str, bounds: list[float]) -> float:
    """An upper bound on |value| of `op` given bounds on |inputs|."""
    if op in ("tanh", "sin", "cos", "sigmoid"):
        return 1.0
    if op == "neg":
        return bounds[0]
    if op in ("add", "sub", "sum"):
        return sum(bounds)
    if op == "mul":
        return bounds[0] * bounds[1]
    if op == "square":
        return bounds[0] ** 2
    if op == "exp":
        return math.exp(bounds[0])
    return (bounds[0] + bounds[1]) ** 2  # squared_error


@st.composite
def random_graphs(draw, max_nodes: int = 300) -> RandomGraph:
    """A DAG of 1..max_nodes nodes: leaves (params, consts, x, y, label) and smooth ops.

    Each node comes from one drawn integer (cheap to draw, shrinks towards small graphs of
    params): its low bits choose the kind, the next ones the inputs and a leaf's value. A pick
    chooses either any earlier node or one of the last three, so long chains appear too. The loss
    is a random node, or a `sum` appended over every node nothing reads (then every node counts).
    """
    size = draw(st.integers(1, max_nodes))
    codes = draw(st.lists(st.integers(0, 2**64 - 1), min_size=size, max_size=size))
    specs, bounds, leaf_values = [], [], {}
    for position, code in enumerate(codes):
        node_id = f"n{position}"
        kind = KINDS[code % len(KINDS)]
        code //= len(KINDS)
        if position == 0 or kind in LEAF_KINDS:
            kind = kind if kind in LEAF_KINDS else "param"
            specs.append(NodeSpec(node_id, kind))
            if kind in ("param", "const"):
                leaf_values[node_id] = (code % 2001 - 1000) / 1000
            bounds.append(1.0)
            continue
        picks = [(code >> (12 * k)) % 4096 for k in range(4)]
        arity = 1 + picks[3] % 4 if kind == "sum" else OPS[kind].arity
        chosen = [_pick(pick, position) for pick in picks[:arity]]
        input_bounds = [bounds[c] for c in chosen]
        if (kind == "exp" and input_bounds[0] > VALUE_LIMIT) or _bound(kind, input_bounds) > VALUE_LIMIT:
            kind, chosen, input_bounds = "tanh", chosen[:1], input_bounds[:1]
        specs.append(NodeSpec(node_id, kind, tuple(f"n{c}" for c in chosen)))
        bounds.append(_bound(kind, input_bounds))
    if size > 1 and draw(st.booleans()):
        used = {source for spec in specs for source in spec.inputs}
        specs.append(NodeSpec("loss", "sum", tuple(s.id for s in specs if s.id not in used)))
        loss = "loss"
    else:
        loss = f"n{draw(st.integers(0, size - 1))}"
    result = f"n{draw(st.integers(0, size - 1))}"
    return RandomGraph(specs, leaf_values, loss, result)


def _pick(pick: int, position: int) -> int:
    if pick % 2:
        return max(0, position - 1 - (pick >> 1) % 3)
    return (pick >> 1) % position


def document_of(graph: RandomGraph):
    """The random graph as a Document: its nodes spread out, its leaf values, result and loss."""
    document = Document()
    for index, spec in enumerate(graph.specs):
        document.nodes[spec.id] = Node(spec.id, spec.op, list(spec.inputs),
                                       graph.leaf_values.get(spec.id, 0.0),
                                       pos=(index * 30.0, index % 7 * 50.0))
    document.result, document.loss = graph.result, graph.loss
    document.check()
    return document


# --- undo ------------------------------------------------------------------------------------------


def assert_undo_and_redo_walk_through(session, snapshots) -> None:
    """Undo steps back through every earlier snapshot of the session's document, redo forward."""
    document = session.document
    for expected in reversed(snapshots[:-1]):
        session.undo()
        assert document == expected
    for expected in snapshots[1:]:
        session.redo()
        assert document == expected


# --- training in the worker process -----------------------------------------------------------------

WORKER_PATIENCE = 120.0  # seconds: only a worker that never answers fails a test, never a slow one


def diverging_graph() -> Document:
    """log(w * x) with a squared-error loss: training drives the log's input below 0, where its
    value is NaN, so Play stops on a NaN naming the log node."""
    builder = Builder(seed=0)
    weight = builder.param(1.0)
    out = builder.op("log", weight * builder.x())
    return builder.finish(result=out, loss=builder.loss("squared_error", out))


def poll_until(session, condition, what: str) -> None:
    """Run the app's per-frame training poll until `condition()` holds (the worker trains)."""
    import time

    deadline = time.monotonic() + WORKER_PATIENCE
    while not condition():
        if not session.playing:
            raise AssertionError(f"training stopped before: {what} ({session.status})")
        session.poll_training()
        if time.monotonic() > deadline:
            raise AssertionError(f"the training worker never got to: {what}")
        time.sleep(0.002)


def play_steps(session, steps: int) -> None:
    """Play until the worker has taken at least `steps` more steps (or stopped), then pause."""
    target = session.trainer.metrics.steps + steps
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps >= target, f"{steps} steps")
    session.pause()
