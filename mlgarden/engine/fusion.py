"""The fused array plan: run the alike nodes of one level as one numpy operation.

A network drawn from scalar nodes repeats itself side by side: a layer is eight products of a
weight with an input, eight sums, eight tanh. One numpy call per node costs about a microsecond of
overhead whatever the batch size, and at a batch of a few hundred points that overhead is most of
the time. One call per *group* of alike nodes pays it once for the whole group. This module plans
the groups; `mlgarden.engine.fused_steps` runs them over a value matrix V with one row per node and one
column per data point.

Levels. Leaves and data inputs are at level 0. Every other node sits as late as it can: one level
before the earliest node that reads it (a node nobody reads stays at its depth, the longest chain
of links from a leaf). Placing nodes late puts all products of a layer at the level just before its
sums, even when their inputs (x, a sin feature, a distance) were ready at different depths.

Groups. The nodes of one level with the same op (and exponent, for `pow`) and the same pattern of
pins reading leaves, that all do or all do not lie on the path to the loss, form a group. Its
members are sorted by where the nodes that read them sit, so that the next group reads one
contiguous block of rows.

Layers. A group of sums whose members all read, at the same pins, products of a leaf weight and the
same inputs (each product read by its sum alone) is a dense layer: its sums are one matrix product
of the weights with the inputs, and so are its gradients. The products, which neither direction
needs, move next to the sums, member by member, and are computed only for whoever reads them; a
forward-only plan gives them no rows at all.

Rows. The plan's row order is the leaves, the data inputs, then the groups level by level (a
layer's products just before its sums): a topological order, which the Program adopts as `order`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlgarden.engine.fused_steps import Constants, LayerStep, OpStep, SumStep
from mlgarden.engine.ops import ARRAY_FUNCTIONS, DATA_INPUT_OPS, LEAF_VALUE_OPS, OPS


def _is_input(op: str) -> bool:
    """Leaves and data inputs: nodes with no pins, at level 0."""
    return op in LEAF_VALUE_OPS or op in DATA_INPUT_OPS


# --- levels and groups ---------------------------------------------------------------------------


def _readers(specs, order: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    """For each node, the (reader, pin) pairs of the computed nodes that read it."""
    readers = defaultdict(list)
    for node_id in order:
        for pin, source in enumerate(specs[node_id].inputs):
            readers[source].append((node_id, pin))
    return readers


def _levels(specs, order: Sequence[str], readers) -> dict[str, int]:
    """Level 0 for inputs, else one before the earliest reader (a node nobody reads: its depth)."""
    depth = {}
    for node_id in order:
        depth[node_id] = 1 + max((depth[c] for c in specs[node_id].inputs), default=-1)
    level = {}
    for node_id in reversed(order):
        nearest = [level[reader] for reader, _ in readers[node_id]]
        stays = _is_input(specs[node_id].op) or not nearest
        level[node_id] = depth[node_id] if stays else min(nearest) - 1
    return level


def group_nodes(specs, order: Sequence[str], on_loss_path: set[str]) -> list[list[str]]:
    """The non-input nodes of `order` (a topological order) in groups, in running order."""
    readers = _readers(specs, order)
    level = _levels(specs, order, readers)
    groups: dict[tuple, list[str]] = {}
    for node_id in order:
        spec = specs[node_id]
        if _is_input(spec.op):
            continue
        pattern = tuple(specs[source].op in LEAF_VALUE_OPS for source in spec.inputs)
        exponent = spec.exponent if spec.op == "pow" else None  # compiled in as a number
        key = (level[node_id], spec.op, pattern, exponent, node_id in on_loss_path)
        groups.setdefault(key, []).append(node_id)
    ordered = sorted(groups.values(), key=lambda members: level[members[0]])
    _sort_members(ordered, readers, {node_id: i for i, node_id in enumerate(order)})
    return ordered


def _sort_members(groups: list[list[str]], readers, position: dict[str, int]) -> None:
    """Sort each group's members by where their first reader sits, from the last group back."""
    rank: dict[str, tuple[int, int]] = {}
    unread = (len(groups), 0, 0)
    for number in range(len(groups) - 1, -1, -1):
        members = groups[number]

        def first_reader(node_id):
            places = [rank[reader] + (pin,) for reader, pin in readers[node_id]]
            return min(places, default=unread), position[node_id]

        members.sort(key=first_reader)
        for place, node_id in enumerate(members):
            rank[node_id] = (number, place)


# --- dense layers -----------------------------------------------------------------------------------


@dataclass
class Layer:
    """Sums i = sum_j weights[i][j] * inputs[j] + others[i]: products[i][j] is that product node."""

    sums: list[str]
    products: list[list[str]]
    weights: list[list[int]]
    inputs: list[str]
    others: list[list[str]]


def _weighted_product(specs, source: str, leaf_index, read_count) -> tuple[int, str] | None:
    """(weight leaf, input) when `source` is a mul of one leaf and one other node, read once."""
    spec = specs[source]
    if spec.op != "mul" or read_count[source] != 1:
        return None
    leaf_pins = [pin for pin, s in enumerate(spec.inputs) if s in leaf_index]
    if len(leaf_pins) != 1:
        return None
    return leaf_index[spec.inputs[leaf_pins[0]]], spec.inputs[1 - leaf_pins[0]]


def _layer(specs, members: list[str], leaf_index, read_count) -> Layer | None:
    """The group of sums as a Layer, when all members read the same inputs at the same pins."""
    first = [_weighted_product(specs, s, leaf_index, read_count) for s in specs[members[0]].inputs]
    positions = [pin for pin, product in enumerate(first) if product is not None]
    inputs = [first[pin][1] for pin in positions]
    if not positions or len(set(inputs)) != len(inputs):
        return None
    layer = Layer(members, [], [], inputs, [])
    for node_id in members:
        pins = specs[node_id].inputs
        products = [_weighted_product(specs, pins[pin], leaf_index, read_count) for pin in positions]
        if any(product is None or product[1] != u for product, u in zip(products, inputs)):
            return None
        layer.products.append([pins[pin] for pin in positions])
        layer.weights.append([product[0] for product in products])
        layer.others.append([s for pin, s in enumerate(pins) if pin not in positions])
    return layer


def _layers(specs, groups: list[list[str]], leaf_index, keep: frozenset) -> dict[str, Layer]:
    """First member of each group that is a dense layer -> its Layer."""
    read_count = defaultdict(int)
    for members in groups:
        for node_id in members:
            for source in specs[node_id].inputs:
                read_count[source] += 1
    for node_id in keep:
        read_count[node_id] += 1
    layers = {}
    for members in groups:
        if OPS[specs[members[0]].op].is_variadic:
            layer = _layer(specs, members, leaf_index, read_count)
            if layer is not None:
                layers[members[0]] = layer
    return layers


# --- the plan --------------------------------------------------------------------------------------------


class FusedPlan:
    """Groups of nodes in rows of V, compiled into straight-line numpy code.

    `inputs` (leaves and data inputs, filled by the caller) take the first rows; `rows` numbers
    every row. The compiled functions are:

    - `forward(V, L)`;
    - `run(V, G, L, gL)`: forward, then backward through the groups on the loss path. On entry
      G holds only the loss's seed (G[rows[loss]] = 1) and gL zeros; G needs no zeroing, since the
      first share into a row is assigned. Leaves gather their gradients in gL, not in G;
    - `complete(V, L)`: the values of dense layers' products, which forward does not need;
    - `finish_gradients(G)`, after `run`: the rows `run` leaves unset, the products' gradients
      (their sum's) and zero for the nodes off the loss path.

    With `keep_products` False (a forward-only plan) a dense layer's products get no rows. `keep`
    names nodes no layer may absorb as products (the loss, whose row seeds backward, and the
    result, which is read every step).
    """

    def __init__(self, specs, inputs: list[str], groups: list[list[str]], leaf_index: dict[str, int],
                 on_loss_path: set[str], loss: str | None = None, keep_products: bool = True,
                 keep: frozenset = frozenset()):
        groups = [members for members in groups if members]
        layers = _layers(specs, groups, leaf_index, keep)
        moved = {p for layer in layers.values() for products in layer.products for p in products}
        groups = [kept for kept in ([i for i in members if i not in moved] for members in groups) if kept]
        row_order = list(inputs)
        for members in groups:
            if members[0] in layers and keep_products:
                row_order += [p for products in layers[members[0]].products for p in products]
            row_order += members
        self.rows = {node_id: row for row, node_id in enumerate(row_order)}
        constants = Constants()
        self.steps = [self._step(n, constants, specs, members, layers, leaf_index, on_loss_path,
                                 keep_products) for n, members in enumerate(groups)]
        sizes = [len(layer.sums) * len(layer.inputs) for layer in layers.values()]
        self.largest_layer = max(sizes, default=0)
        self.lazy_rows = [row for step in self.steps if isinstance(step, LayerStep)
                          for row in step.product_rows]
        self.leaf_rows_read = sorted({row for step in self.steps if isinstance(step, SumStep)
                                      for row in step.leaf_rows})
        seeded = {self.rows[i] for i in inputs if i in leaf_index}
        if loss in self.rows:
            seeded.add(self.rows[loss])
        self.source, self.statements = _source(self.steps, constants, seeded, len(row_order))
        namespace = {**ARRAY_FUNCTIONS, "multiply": np.multiply, "add_at": np.add.at, **constants.values}
        exec(compile(self.source, "<mlgarden fused plan>", "exec"), namespace)
        self.forward, self.run = namespace["forward"], namespace["run"]
        self.complete, self.finish_gradients = namespace["complete"], namespace["finish_gradients"]

    def _step(self, n, constants, specs, members, layers, leaf_index, on_loss_path, keep_products):
        on_path = members[0] in on_loss_path
        if members[0] in layers:
            return LayerStep(n, constants, layers[members[0]], self.rows, leaf_index, on_path, keep_products)
        kind = SumStep if OPS[specs[members[0]].op].is_variadic else OpStep
        return kind(n, constants, specs, members, self.rows, leaf_index, on_path)


def _source(steps, constants: Constants, written: set[int], row_count: int) -> tuple[str, int]:
    """The plan's source, and how many statements `run` has (its cost is mostly one each).

    `written` holds the rows of G that need no gradient from `run`: the leaves' and the seed's.
    """
    forward = [line for step in steps for line in step.forward]
    backward = [line for step in reversed(steps) if step.on_loss_path
                for line in step.backward_lines(constants, written)]
    layers = [step for step in steps if isinstance(step, LayerStep)]
    written.update(row for step in layers for row in step.product_rows)
    unwritten = np.array(sorted(set(range(row_count)) - written), dtype=int)
    finish = [f"G[{constants.rows(unwritten)}] = 0.0"] if unwritten.size else []  # off the path
    finish += [line for step in layers for line in step.product_gradients]  # after: a sum may be off
    source = (_function("forward(V, L)", forward) + _function("run(V, G, L, gL)", forward + backward)
              + _function("complete(V, L)", [line for step in layers for line in step.complete])
              + _function("finish_gradients(G)", finish))
    return source, len(forward) + len(backward)


def _function(signature: str, lines: list[str]) -> str:
    return f"def {signature}:\n" + "".join(f"    {line}\n" for line in lines or ["pass"])
