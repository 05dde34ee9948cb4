"""Tidy placement of nodes: columns by depth, left to right, with no overlaps.

A node's depth is the length of the longest chain of links from a leaf to it, so every link
points rightwards. A leaf (a param, a const, x, y, label) then moves right to the column just
before its nearest reader: a weight of the second layer sits beside its product, not in one tall
column with every other leaf. Within a column, nodes are ordered by the mean row of the nodes that
feed them (one barycentre pass), and a leaf by the mean row of the other inputs of its readers,
which keeps most links short and uncrossed. Used by the graph builder and by the editor's Arrange
command.

Rows are as tall as their nodes: a node is stacked below the one above it in its column with
`ROW_GAP` between them, by `node_height`, the height the canvas draws it at (a title bar of 24,
an 18-pixel row per input pin, the value row, the gradient row, 3 above and below: gui/geometry.py
draws exactly this, and tests/test_canvas_geometry.py checks it for every shipped example). Each
column is centred on the tallest one. Columns stand COLUMN_WIDTH apart, further after a column that
holds a function call, whose node is wider.
"""

from __future__ import annotations

from collections.abc import Iterable

from mlgarden.document.graph import Document

COLUMN_WIDTH = 210.0
ROW_HEIGHT = 120.0  # the slot of an ordinary two-input node with its gap (102 + ROW_GAP, rounded)
ROW_GAP = 24.0
NODE_BASE_HEIGHT = 66.0  # title bar, value row, gradient row
NODE_ROW_HEIGHT = 18.0  # each input pin, and a pow's exponent field
CALL_NODE_WIDTH = 280.0  # a function call shows each output's name, value and gradient on one row


def node_height(document: Document, node_id: str) -> float:
    """About how tall the canvas draws the node, in pixels (see the module's docstring)."""
    rows = document.pin_count(node_id) + (1 if document.nodes[node_id].op == "pow" else 0)
    return NODE_BASE_HEIGHT + NODE_ROW_HEIGHT * rows


def depths(document: Document, node_ids: Iterable[str] | None = None) -> dict[str, int]:
    """Longest-path depth of each chosen node, counting only links among the chosen nodes."""
    chosen = set(document.nodes if node_ids is None else node_ids)
    depth: dict[str, int] = {}
    for node_id in topological_order(document, chosen):
        sources = [s for s in document.source_ids(node_id) if s in chosen]
        depth[node_id] = 1 + max((depth[s] for s in sources), default=-1)
    return depth


def topological_order(document: Document, chosen: set[str]) -> list[str]:
    order, placed = [], set()
    for root in document.nodes:
        if root not in chosen or root in placed:
            continue
        stack = [(root, False)]
        while stack:
            node_id, expanded = stack.pop()
            if node_id in placed:
                continue
            if expanded:
                placed.add(node_id)
                order.append(node_id)
                continue
            stack.append((node_id, True))
            stack.extend((s, False) for s in document.source_ids(node_id)
                         if s in chosen and s not in placed)
    return order


def arranged_positions(document: Document, node_ids: Iterable[str] | None = None,
                       origin: tuple[float, float] = (40.0, 40.0)) -> dict[str, tuple[float, float]]:
    """New positions for the chosen nodes (all by default), without changing the document."""
    depth = depths(document, node_ids)
    readers = _readers(document, depth)
    for node_id, level in depth.items():
        if level == 0 and readers[node_id]:
            depth[node_id] = min(depth[reader] for reader in readers[node_id]) - 1
    columns: dict[int, list[str]] = {}
    for node_id, level in depth.items():
        columns.setdefault(level, []).append(node_id)
    row_of: dict[str, float] = {}
    ordered = {}
    for level in sorted(columns):
        column = columns[level]
        column.sort(key=lambda n: _mean_source_row(document, n, row_of))
        for row, node_id in enumerate(column):  # provisional rows, to place the leaves by
            row_of[node_id] = row
        column.sort(key=lambda n: _leaf_row(document, n, readers, row_of, depth))
        offset = (max(len(c) for c in columns.values()) - len(column)) / 2.0
        for row, node_id in enumerate(column):
            row_of[node_id] = row + offset
        ordered[level] = column
    return _stacked(document, ordered, origin)


def _stacked(document: Document, columns: dict[int, list[str]],
             origin: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """Each column's nodes top to bottom, each as tall as it is drawn, centred on the tallest."""
    heights = {level: [node_height(document, n) for n in column] for level, column in columns.items()}
    totals = {level: sum(column) + ROW_GAP * (len(column) - 1) for level, column in heights.items()}
    tallest = max(totals.values(), default=0.0)
    lefts = _column_lefts(document, columns, origin[0])
    positions = {}
    for level, column in columns.items():
        y = origin[1] + round((tallest - totals[level]) / 2.0)
        for node_id, height in zip(column, heights[level]):
            positions[node_id] = (lefts[level], y)
            y += height + ROW_GAP
    return positions


def _column_lefts(document: Document, columns: dict[int, list[str]], left: float) -> dict[int, float]:
    """Each column's x: COLUMN_WIDTH apart, further where a column holds a wide function call."""
    lefts = {}
    for level in range(min(columns, default=0), max(columns, default=0) + 1):
        lefts[level] = left
        widest = max((CALL_NODE_WIDTH for n in columns.get(level, ())
                      if document.nodes[n].op == "call"), default=0.0)
        left += max(COLUMN_WIDTH, widest + ROW_GAP)
    return lefts


def _readers(document: Document, depth: dict[str, int]) -> dict[str, list[str]]:
    readers: dict[str, list[str]] = {node_id: [] for node_id in depth}
    for node_id in depth:
        for source in document.source_ids(node_id):
            if source in depth and node_id not in readers[source]:
                readers[source].append(node_id)
    return readers


def _mean_source_row(document: Document, node_id: str, row_of: dict[str, float]) -> float:
    rows = [row_of[s] for s in document.source_ids(node_id) if s in row_of]
    return sum(rows) / len(rows) if rows else -1.0


def _leaf_row(document, node_id, readers, row_of, depth) -> float:
    """A leaf's row: beside the other inputs of its readers (already placed); others keep theirs."""
    if any(source in depth for source in document.source_ids(node_id)):
        return row_of[node_id]
    partners = [row_of[s] for reader in readers[node_id] for s in document.source_ids(reader)
                if s != node_id and s in row_of and depth.get(s, -1) <= depth[node_id]]
    return sum(partners) / len(partners) if partners else row_of[node_id]


def clear_column_place(document: Document, column: list[str],
                       at: tuple[float, float]) -> tuple[float, float]:
    """Where to put a column of the nodes `column` whose top-left would be `at`: there, or lower,
    below the nodes outside it that would overlap it."""
    left, top = at
    width = max((_node_width(document, n) for n in column), default=COLUMN_WIDTH)
    height = sum(node_height(document, n) + ROW_GAP for n in column)
    others = [(node.pos, _node_width(document, node_id), node_height(document, node_id))
              for node_id, node in document.nodes.items() if node_id not in set(column)]
    moved = True
    while moved:
        moved = False
        for (x, y), other_width, other_height in others:
            beside = x < left + width + ROW_GAP and left < x + other_width + ROW_GAP
            if beside and y < top + height and top < y + other_height + ROW_GAP:
                top, moved = y + other_height + ROW_GAP, True
    return left, top


def _node_width(document: Document, node_id: str) -> float:
    return CALL_NODE_WIDTH if document.nodes[node_id].op == "call" else COLUMN_WIDTH - ROW_GAP
