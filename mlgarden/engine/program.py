"""The engine: compile a graph of scalar nodes once, then run it forward and backward fast.

A graph is compiled after every structural edit (a node added, a link changed), never after a
value change: param and const values are read from a vector, the *leaf vector*, on every call.
Compiling keeps the nodes that can be computed (every input connected, transitively) and puts them
in a topological order, `order`: the leaves (in `leaf_ids` order), the data inputs, then the other
nodes level by level, alike nodes of one level side by side (see `mlgarden.engine.fusion`). Every route
numbers nodes by their place in `order`, and there are three routes:

- the *point* route, straight-line Python over floats written from the op table's templates: one
  forward and one backward at one data point, every node's value and gradient. This is the nudge,
  and a numpy call costs more than a whole node here, so there are none. The per-node numbers come
  back as read-only mappings over the function's lists: no dict is built per call.
- the *fused* route, for batches: the value matrix V holds one row per node and one column per data
  point, and each group of alike nodes runs as one numpy operation forward and backward. A node's
  gradient is the mean over the batch of d(loss)/d(node), so the params get the gradient of the mean
  loss. A small batch goes through the point route once per point instead, which is faster while
  the batch is smaller than the fused plan's overhead; both give the same numbers (`route=` forces
  one, for tests).
- the *surface* route: the fused forward pass alone, over the nodes the result needs, in the grid's
  float type, one cache-sized chunk of grid points at a time into one reused buffer. Any other
  node can be shaded over the grid the same way (`surface(..., node=...)`): its plan covers that
  node's ancestors and is compiled the first time it is asked for, then kept with the program.

The generated point source is built only from the op table's templates, node indices and numbers,
and the fused plan only from templates and row numbers, never from text taken from a graph file,
so a file can never run code.

Backpropagation visits nodes in reverse order and adds each consumer's share to a node's gradient:
a node used twice, even as both inputs of one `mul`, gets both shares. Where it starts, with
gradient 1, is `backprop_from`: the loss, or with no loss the result, as in the write-up's first
graph, (5 + 3) * 2, whose gradients are those of the result. The point route (the numbers every
node shows, `mlgarden eval`) follows that rule; training needs a loss and its batch route starts
at the loss only.

Errors follow one policy in every route: a domain error or overflow gives inf or NaN, which
`first_non_finite` locates; no exception escapes from a compiled function.
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mlgarden.engine.fusion import FusedPlan, group_nodes
from mlgarden.engine.ops import DATA_INPUT_OPS, LEAF_VALUE_OPS, OPS, SCALAR_FUNCTIONS
from mlgarden.engine.point_code import forward_source, point_source

# A batch goes through the point route while running the point function once per point costs less
# than one fused call, whose cost is mostly a microsecond or so per numpy statement. Fitted to the
# routes measured on final-boss and moons-mlp by benchmarks/bench_engine.py (seconds):
POINT_SECONDS = (10e-6, 0.14e-6)  # per point: fixed, and per node
FUSED_SECONDS = (70e-6, 1.0e-6)  # per call: fixed, and per statement of the fused plan
SURFACE_CHUNK = 4096  # grid points per surface pass: the rows of one pass stay in the CPU's cache
# OpenBLAS runs a matrix product on all cores from 2**18 multiply-adds (m * n * k) up; on a busy
# two-core machine its spinning threads cost more than they save and take the GUI's core, so a
# surface pass over a wide layer takes fewer points.
SINGLE_THREAD_PRODUCT = 2**18 - 1
KEPT_SURFACE_ROUTES = 32  # surface plans kept with the program: one per node shaded, and sets


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


class NodeNumbers(Mapping):
    """A read-only mapping node id -> number over a list in the Program's order."""

    __slots__ = ("_index", "_numbers")

    def __init__(self, index: dict[str, int], numbers: list):
        self._index = index
        self._numbers = numbers

    def __getitem__(self, node_id: str):
        return self._numbers[self._index[node_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class NodeRows(Sequence):
    """A batch's values: row i is node order[i] at every point of the batch (a numpy array).

    The rows that neither training nor backprop reads, the leaves and the products of dense
    layers, are filled in the first time one of them (or the whole matrix) is read.
    """

    __slots__ = ("_matrix", "_complete", "_lazy")

    def __init__(self, matrix: np.ndarray, complete=None, lazy: np.ndarray | None = None):
        self._matrix, self._complete, self._lazy = matrix, complete, lazy

    def __getitem__(self, index):
        if self._complete is not None and (not isinstance(index, int) or self._lazy[index]):
            self._finish()
        return self._matrix[index]

    def __len__(self) -> int:
        return len(self._matrix)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return np.asarray(self.matrix, dtype=dtype)

    @property
    def matrix(self) -> np.ndarray:
        """All the values, as one (nodes, points) array."""
        self._finish()
        return self._matrix

    def _finish(self) -> None:
        if self._complete is not None:
            complete, self._complete = self._complete, None
            complete()


@dataclass
class Evaluation:
    """Every computed node's value and gradient, keyed by node id."""

    values: Mapping[str, float]
    grads: Mapping[str, float]
    loss: float | None = None
    result: float | None = None
    backprop_from: str | None = None  # the node whose gradient is 1 (loss, else result); None: no gradients


@dataclass
class BatchEvaluation:
    """One forward and backward over a batch: the mean loss and the mean gradient of each leaf.

    `values` has one row per node of `order` and one column per point.
    """

    loss: float
    leaf_grads: np.ndarray
    values: NodeRows = field(repr=False)
    losses: np.ndarray | None = field(default=None, repr=False)


@dataclass
class _SurfaceRoute:
    """A forward-only plan over a grid for some target nodes, and how to fill its rows."""

    plan: FusedPlan
    data_rows: list[tuple[int, int]]  # (row, which of DATA_INPUT_OPS)
    leaf_rows: tuple[np.ndarray, np.ndarray]  # the rows of the leaves, and their leaf indices
    chunk: int  # grid points per pass
    target_rows: dict[str, int]  # each target's computed id -> its row


class _Scratch:
    """Arrays kept from call to call and reused while nobody else holds them.

    A fresh array of a few hundred kilobytes costs more in page faults on first touch than the
    whole fused forward pass, so the value and gradient matrices are reused. A BatchEvaluation
    still held by a caller keeps its matrix: the next call then takes a new one.
    """

    def __init__(self):
        self._arrays: dict[str, np.ndarray] = {}

    def take(self, name: str, shape: tuple[int, ...], dtype=float) -> np.ndarray:
        array = self._arrays.get(name)
        # three references when free: this dict, the local name and getrefcount's argument
        if array is None or array.shape != shape or array.dtype != dtype or sys.getrefcount(array) > 3:
            array = np.empty(shape, dtype)
            self._arrays[name] = array
        return array


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


def _fold_outputs(specs: dict[str, NodeSpec], keep: set) -> tuple[dict[str, NodeSpec], dict[str, str]]:
    """Drop every `output` node (an identity: a function's output in the flat list) whose source
    nothing else reads; its readers read the source instead. Such a node's value and gradient are
    its source's exactly, so it costs nothing: a layer of perceptron calls runs as fast as the
    same layer wired flat. The nodes in `keep` (the loss and the result) stay, so the report of
    every node (`order`, mlgarden eval, the exported scripts) names them. Return the specs left
    and each dropped node -> the node computing it."""
    readers = Counter(source for spec in specs.values() for source in spec.inputs if source is not None)
    copies = {spec.id: spec.inputs[0] for spec in specs.values()
              if spec.op == "output" and len(spec.inputs) == 1 and spec.inputs[0] in specs
              and readers[spec.inputs[0]] == 1 and spec.id not in keep}

    def canonical(node_id):
        """The node computing `node_id`; each chain of copies is walked once (a function
        made of functions can make one chain of thousands), later walks stop where it ended."""
        chain = []
        while node_id in copies:
            chain.append(node_id)
            node_id = copies[node_id]
        for copy in chain:
            copies[copy] = node_id
        return node_id

    kept = {node_id: replace(spec, inputs=tuple(canonical(s) for s in spec.inputs))
            for node_id, spec in specs.items() if node_id not in copies}
    return kept, {node_id: canonical(node_id) for node_id in copies}


def _with_aliases(rows: dict[str, int], aliases: dict[str, str]) -> dict[str, int]:
    """The row of every node: the computed ones, each followed by the folded nodes it stands for."""
    standing_for = defaultdict(list)
    for alias, node_id in aliases.items():
        standing_for[node_id].append(alias)
    index = {}
    for node_id, row in rows.items():
        index[node_id] = row
        index.update((alias, row) for alias in standing_for[node_id])
    return index


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


class Program:
    """A compiled graph. Build it with `compile_graph`; call it as often as you like."""

    def __init__(self, nodes: Sequence[NodeSpec], loss: str | None, result: str | None):
        self.specs = {spec.id: spec for spec in nodes}
        for spec in nodes:
            if spec.op not in OPS:
                raise CompileError(f"node {spec.id!r} has an unknown op {spec.op!r}")
            if not math.isfinite(float(spec.exponent)):  # repr gives inf or nan: no Python names
                raise CompileError(f"node {spec.id!r} has a non-finite exponent {spec.exponent!r}")
        self.specs, self.aliases = _fold_outputs(self.specs, keep={loss, result})
        computable = _computable_order(self.specs)
        self.leaf_ids = [s.id for s in nodes if s.op in LEAF_VALUE_OPS]
        self.leaf_index = {node_id: k for k, node_id in enumerate(self.leaf_ids)}
        self.loss = loss if self.computed_id(loss) in computable else None
        self.result = result if self.computed_id(result) in computable else None
        self.backprop_from = self.loss if self.loss is not None else self.result
        # A graph classifies when it has a result to take the sign of and a label to compare it with.
        self.classifies = self.result is not None and any(
            spec.op == "label" for spec in self.specs.values())
        self._loss, self._result = self.computed_id(self.loss), self.computed_id(self.result)
        self.needs_gradient = _ancestors(self.specs, self._loss, set(computable))
        self._root = self.computed_id(self.backprop_from)
        self.gradient_path = _ancestors(self.specs, self._root, set(computable))  # the point route's
        groups = group_nodes(self.specs, computable, self.needs_gradient)
        inputs = self.leaf_ids + [i for i in computable if self.specs[i].op in DATA_INPUT_OPS]
        roles = frozenset({self._loss, self._result} - {None})  # a dense layer must not absorb them
        self._batch_plan = FusedPlan(self.specs, inputs, groups, self.leaf_index, self.needs_gradient,
                                     self._loss, keep=roles)
        self.order = list(self._batch_plan.rows)
        self.index = _with_aliases(self._batch_plan.rows, self.aliases)
        self.incomplete = [spec.id for spec in nodes if spec.id not in self.index]
        self._inputs, self._groups = inputs, groups
        self._surface_routes: dict[frozenset, _SurfaceRoute] = {}
        self._surface_plan = self._surface_route({self._result}).plan if self._result is not None else None
        self._compile_routes()

    def computed_id(self, node_id: str | None) -> str | None:
        """The node the engine computes for `node_id`: itself, or what a folded output node copies."""
        return self.aliases.get(node_id, node_id)

    def _compile_routes(self) -> None:
        point = point_source(self.specs, self.order, self._root, self.gradient_path,
                             len(self.leaf_ids))
        self.point_source = point  # the point route's text, which `mlgarden export` writes out
        self._point = _build(point, SCALAR_FUNCTIONS)
        self._point_batch_limit = _point_batch_limit(len(self.order), self._batch_plan.statements)
        self._data_rows = self._rows_of(DATA_INPUT_OPS, self._batch_plan.rows)
        self._eager_leaves = np.array(self._batch_plan.leaf_rows_read, dtype=int)  # leaf k is row k
        self._lazy_rows = np.zeros(len(self.order), dtype=bool)
        self._lazy_rows[:len(self.leaf_ids)] = True
        self._lazy_rows[self._batch_plan.lazy_rows] = True
        surface_source = self._surface_plan.source if self._surface_plan else ""
        self.source = point + self._batch_plan.source + surface_source  # what runs, to inspect
        self._scratch = _Scratch()
        self._forward_point = None  # compiled the first time `forward_values` runs

    def _surface_route(self, targets) -> _SurfaceRoute:
        """The forward plan of the nodes the targets need, sums of products as matrix products
        (compiled once per set of targets and kept; the sets of many are forgotten first)."""
        targets = frozenset(self.computed_id(target) for target in targets)
        route = self._surface_routes.get(targets)
        if route is None:
            computable = set(self._batch_plan.rows)
            needed = set().union(*(_ancestors(self.specs, target, computable) for target in targets))
            plan = FusedPlan(self.specs, [i for i in self._inputs if i in needed],
                             [[i for i in group if i in needed] for group in self._groups],
                             self.leaf_index, set(), keep_products=False, keep=targets)
            pairs = [(row, self.leaf_index[i]) for i, row in plan.rows.items() if i in self.leaf_index]
            leaf_rows = tuple(np.array([pair[k] for pair in pairs], dtype=int) for k in (0, 1))
            chunk = min(SURFACE_CHUNK, SINGLE_THREAD_PRODUCT // max(plan.largest_layer, 1))
            route = _SurfaceRoute(plan, self._rows_of(DATA_INPUT_OPS, plan.rows), leaf_rows, chunk,
                                  {target: plan.rows[target] for target in targets})
            if len(self._surface_routes) >= KEPT_SURFACE_ROUTES:  # the canvas's sets change as it pans
                for key in [key for key in self._surface_routes if len(key) > 1]:
                    del self._surface_routes[key]
            self._surface_routes[targets] = route
        return route

    def _rows_of(self, ops: tuple[str, ...], rows: dict[str, int]) -> list[tuple[int, int]]:
        """(row, which of `ops`) for the nodes of these ops in a numbering."""
        return [(row, ops.index(self.specs[i].op)) for i, row in rows.items() if self.specs[i].op in ops]

    # --- running -----------------------------------------------------------------------------

    def evaluate_point(self, leaf_values: Sequence[float], x: float = 0.0, y: float = 0.0,
                       label: float = 1.0) -> Evaluation:
        """Every node's value and gradient at one data point, over Python floats."""
        leaves = leaf_values.tolist() if isinstance(leaf_values, np.ndarray) else leaf_values
        values, grads = self._point(leaves, float(x), float(y), float(label))
        evaluation = Evaluation(NodeNumbers(self.index, values), NodeNumbers(self.index, grads),
                                backprop_from=self.backprop_from)
        if self.loss is not None:
            evaluation.loss = values[self.index[self.loss]]
        if self.result is not None:
            evaluation.result = values[self.index[self.result]]
        return evaluation

    def evaluate_batch(self, leaf_values: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                       labels: np.ndarray, route: str | None = None) -> BatchEvaluation:
        """Forward and backward over a batch at once; needs a loss node.

        `route` is "point" or "fused" to force one; by default the faster one for the batch size.
        """
        if self.loss is None:
            raise CompileError("the graph has no computable loss node to train")
        with np.errstate(all="ignore"):
            values, leaf_grads, _ = self._run_batch(leaf_values, xs, ys, labels, route, False)
            losses = values[self.index[self.loss]]
            return BatchEvaluation(float(np.add.reduce(losses) / losses.size), leaf_grads, values, losses)

    def batch_grads(self, leaf_values: np.ndarray, xs, ys, labels,
                    route: str | None = None) -> dict[str, float]:
        """Every node's mean gradient over a batch, keyed by id (for tests and displays)."""
        with np.errstate(all="ignore"):
            _, _, node_grads = self._run_batch(leaf_values, xs, ys, labels, route, True)
        grads = dict(zip(self.order, node_grads.tolist()))
        return {node_id: grads[self.computed_id(node_id)] for node_id in self.index}

    def _run_batch(self, leaf_values, xs, ys, labels, route: str | None, node_grads: bool):
        """(values, mean leaf gradients, mean node gradients or None) by the chosen route."""
        leaves = np.asarray(leaf_values, dtype=float).reshape(-1)
        columns = [np.asarray(c, dtype=float).reshape(-1) for c in (xs, ys, labels)]
        if route is None:
            route = "point" if columns[0].size <= self._point_batch_limit else "fused"
        if route == "point":
            return self._pointwise_batch(leaves, *columns)
        if route == "fused":
            return self._fused_batch(leaves, columns, node_grads)
        raise ValueError(f"route must be 'point' or 'fused', got {route!r}")

    def forward_values(self, leaf_values: list[float], x: float, y: float, label: float) -> list[float]:
        """Every node's value at one point, in `order`: the point route's forward half alone."""
        if self._forward_point is None:
            self._forward_point = _build(forward_source(self.specs, self.order, len(self.leaf_ids)),
                                         SCALAR_FUNCTIONS)
        return self._forward_point(leaf_values, x, y, label)

    def forward_rows(self, leaf_values, xs, ys, labels, rows: np.ndarray,
                     route: str | None = None) -> np.ndarray:
        """The values at `rows` (places in `order`) over a batch, from the forward pass alone: the
        numbers `evaluate_batch(...).values[rows]` gives by the same route, at about half its cost
        (what finite differences need)."""
        leaves = np.asarray(leaf_values, dtype=float).reshape(-1)
        columns = [np.asarray(c, dtype=float).reshape(-1) for c in (xs, ys, labels)]
        if route is None:
            route = "point" if columns[0].size <= self._point_batch_limit else "fused"
        with np.errstate(all="ignore"):
            if route == "point":
                leaf_list = leaves.tolist()
                runs = [self.forward_values(leaf_list, *point)
                        for point in zip(columns[0].tolist(), columns[1].tolist(), columns[2].tolist())]
                return np.array(runs, dtype=float).reshape(len(runs), len(self.order)).T[rows]
            values = self._scratch.take("values", (len(self.order), columns[0].size))
            values[:len(leaves)] = leaves[:, None]
            for row, column in self._data_rows:
                values[row] = columns[column]
            self._batch_plan.forward(values, leaves)
            if self._lazy_rows[rows].any():  # a leaf, or a product of a dense layer
                self._batch_plan.complete(values, leaves)
            return values[rows]

    def _pointwise_batch(self, leaves: np.ndarray, xs, ys, labels):
        leaf_list = leaves.tolist()
        runs = [self._point(leaf_list, *point) for point in zip(xs.tolist(), ys.tolist(), labels.tolist())]
        shape = (len(runs), len(self.order))
        values = np.array([run[0] for run in runs], dtype=float).reshape(shape).T
        node_grads = np.add.reduce(np.array([run[1] for run in runs], dtype=float).reshape(shape)) / len(runs)
        return NodeRows(values), node_grads[:len(leaf_list)], node_grads

    def _fused_batch(self, leaves: np.ndarray, columns: list[np.ndarray], node_grads: bool):
        size = columns[0].size
        values = self._scratch.take("values", (len(self.order), size))
        leaf_count = len(self.leaf_ids)
        if self._eager_leaves.size:  # the leaves a sum reads from V; the others come when read
            values[self._eager_leaves] = leaves[self._eager_leaves, None]
        for row, column in self._data_rows:
            values[row] = columns[column]
        grads = self._scratch.take("grads", values.shape)  # no zeroing: see FusedPlan.run
        leaf_gradient = np.zeros(leaf_count)
        if self._loss in self.leaf_index:
            leaf_gradient[self.leaf_index[self._loss]] = size
        elif self._loss is not None:
            grads[self.index[self._loss]] = 1.0
        self._batch_plan.run(values, grads, leaves, leaf_gradient)
        leaf_gradient /= size
        rows = NodeRows(values, _completion(self._batch_plan, values, leaves.copy()), self._lazy_rows)
        if not node_grads:
            return rows, leaf_gradient, None
        self._batch_plan.finish_gradients(grads)
        means = np.concatenate((leaf_gradient, grads[leaf_count:].mean(axis=1)))
        return rows, leaf_gradient, means

    def surface(self, leaf_values: Sequence[float], xs: np.ndarray, ys: np.ndarray,
                node: str | None = None) -> np.ndarray | None:
        """The result node (or the computable node `node`) over a grid of points (xs, ys of one
        shape), in xs' float dtype; None when there is no such node to compute."""
        target = self.result if node is None else node
        if target is None:
            return None
        return self.surfaces(leaf_values, xs, ys, [target]).get(target)

    def surfaces(self, leaf_values: Sequence[float], xs: np.ndarray, ys: np.ndarray,
                 nodes) -> dict[str, np.ndarray]:
        """Each computable node of `nodes` over a grid of points, all in one forward pass (the
        canvas's thumbnails); the nodes that cannot be computed are left out."""
        targets = [node for node in nodes if node in self.index]
        if not targets:
            return {}
        route = self._surface_route(targets)
        dtype = xs.dtype if np.issubdtype(xs.dtype, np.floating) else np.dtype(float)
        flat_x, flat_y = (np.asarray(c, dtype=dtype).reshape(-1) for c in (xs, ys))
        out = {target: np.empty(flat_x.size, dtype=dtype) for target in targets}
        with np.errstate(all="ignore"):
            leaves = np.asarray(leaf_values, dtype=dtype).reshape(-1)
            buffer = self._surface_buffer(route, leaves, min(route.chunk, flat_x.size))
            for start in range(0, flat_x.size, route.chunk):
                stop = min(start + route.chunk, flat_x.size)
                values = buffer[:, :stop - start]
                columns = (flat_x[start:stop], flat_y[start:stop], 0.0)  # the label is 0 on the grid
                for row, column in route.data_rows:
                    values[row] = columns[column]
                route.plan.forward(values, leaves)
                for target in targets:
                    out[target][start:stop] = values[route.target_rows[self.computed_id(target)]]
        return {target: values.reshape(xs.shape) for target, values in out.items()}

    def _surface_buffer(self, route: _SurfaceRoute, leaves: np.ndarray, width: int) -> np.ndarray:
        """Rows for the route's nodes, the leaf rows already filled (they come first)."""
        buffer = self._scratch.take("surface", (len(route.plan.rows), width), leaves.dtype)
        rows, leaf_indices = route.leaf_rows
        buffer[rows] = leaves[leaf_indices][:, None]  # one assignment, however many params
        return buffer

    def first_non_finite(self, values: Sequence) -> str | None:
        """The first node, in computation order, whose value is inf or NaN anywhere."""
        if isinstance(values, NodeRows):
            bad = np.flatnonzero(~np.isfinite(values.matrix).all(axis=1))
            return self.order[bad[0]] if bad.size else None
        for node_id, value in zip(self.order, values):
            if not np.all(np.isfinite(value)):
                return node_id
        return None


def _completion(plan: FusedPlan, values: np.ndarray, leaves: np.ndarray):
    """What fills in the rows a fused run skips: the leaves, and the products of dense layers."""
    def complete():
        values[:len(leaves)] = leaves[:, None]
        with np.errstate(all="ignore"):
            plan.complete(values, leaves)
    return complete


def _point_batch_limit(node_count: int, statements: int) -> int:
    """The largest batch that the point route, run once per point, runs faster than fused."""
    fused = FUSED_SECONDS[0] + FUSED_SECONDS[1] * statements
    return int(fused / (POINT_SECONDS[0] + POINT_SECONDS[1] * node_count))


def _build(source: str, functions: dict) -> callable:
    namespace = dict(functions)
    exec(compile(source, "<mlgarden graph>", "exec"), namespace)
    return namespace["run"]


def compile_graph(nodes: Sequence[NodeSpec], loss: str | None = None, result: str | None = None) -> Program:
    """Compile a list of nodes; `loss` is where backprop starts (with no loss, `result`), `result`
    what the surface shows. Whatever stops Python's own compiler (a graph too big for it) is a
    CompileError too."""
    try:
        return Program(nodes, loss, result)
    except (RecursionError, MemoryError, SyntaxError) as error:
        raise CompileError(f"the graph is too large to compile ({type(error).__name__})") from None
