"""The canvas's view: which part of the document's plane the node editor shows.

The node editor (imnodes) pans with a middle-drag but has no API to read or set that pan (design
fact 3). So the canvas keeps two kinds of position apart:

- document positions (`node.pos`): the truth, saved in the file;
- grid positions: where the editor is told to put a node, `grid = document - offset`.

The editor draws grid point g at its top-left corner + g + pan. The hidden origin node, kept at
grid (0, 0), is drawn at corner + pan, which reveals the pan; the corner itself is read once, on
the first rendered frame, before the user can have panned. The *view origin* V is the document
point drawn at the editor's top-left corner: V = offset - pan. To show V the canvas sets
offset = V + pan and places every node again; the user's middle-drag (or a click in the minimap)
changes the pan, and so V, without touching the document.

Fitting shows the graph's left edge (its inputs, where reading starts), MARGIN in from the
canvas's edge, and its top edge likewise when the graph is short enough; a graph taller than the
canvas is centred vertically instead, since the layout centres its columns on the tallest one,
so the middle rows are where every column has nodes. There is no zoom (design fact 3).

The view origin is saved with the graph as `view: {origin: [x, y]}`: the Session folds it in just
before each save and recovery copy (a view change alone is not an unsaved change). A file without
one opens fitted (below).
Offsets are whole pixels, as Dear PyGui reports node positions.
"""

from __future__ import annotations

import math

import dearpygui.dearpygui as dpg

from mlgarden.document.graph import Document
from mlgarden.gui import ids, theme
from mlgarden.document.layout import node_height

MARGIN = 20.0
NODE_PADDING = theme.NODE_PADDING  # a node's rect_min is its drawn corner plus this


def fitted_origin(document: Document, canvas_height: float) -> tuple[float, float]:
    """The view origin that shows the graph (see the module's docstring)."""
    if not document.nodes:
        return 0.0, 0.0
    left = min(node.pos[0] for node in document.nodes.values())
    top = min(node.pos[1] for node in document.nodes.values())
    bottom = max(node.pos[1] + node_height(document, node_id) for node_id, node in document.nodes.items())
    if bottom - top + 2 * MARGIN > canvas_height:
        top = (top + bottom - canvas_height) / 2 + MARGIN
    return float(math.floor(left - MARGIN)), float(math.floor(top - MARGIN))


def saved_origin(document: Document) -> tuple[float, float] | None:
    """The view origin stored in the file, or None when there is none (or it is not two numbers)."""
    origin = document.view.get("origin") if isinstance(document.view, dict) else None
    if not isinstance(origin, (list, tuple)) or len(origin) != 2:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               for v in origin):
        return None
    return float(origin[0]), float(origin[1])


class View:
    def __init__(self) -> None:
        self.offset = (0.0, 0.0)  # document position - grid position
        self.corner: tuple[float, float] | None = None  # where the origin node is drawn unpanned

    def measure_corner(self) -> None:
        """Once a frame has been drawn, learn where grid (0, 0) is drawn with no pan."""
        if self.corner is None and dpg.get_item_state(ids.ORIGIN_NODE).get("visible"):
            self.corner = self._origin_node_corner()

    @staticmethod
    def _origin_node_corner() -> tuple[float, float]:
        x, y = dpg.get_item_rect_min(ids.ORIGIN_NODE)
        return float(x - NODE_PADDING[0]), float(y - NODE_PADDING[1])

    def pan(self) -> tuple[float, float]:
        """How far the user has panned the editor (by its last drawn frame)."""
        if self.corner is None:
            return 0.0, 0.0  # nothing drawn yet: nothing panned
        x, y = self._origin_node_corner()
        return x - self.corner[0], y - self.corner[1]

    def origin(self) -> tuple[float, float]:
        """The document point now drawn at the editor's top-left corner."""
        pan_x, pan_y = self.pan()
        return self.offset[0] - pan_x, self.offset[1] - pan_y

    def show(self, origin: tuple[float, float]) -> None:
        """Make `origin` the document point at the top-left corner (the caller re-places nodes)."""
        pan_x, pan_y = self.pan()
        self.offset = (float(round(origin[0] + pan_x)), float(round(origin[1] + pan_y)))

    def to_grid(self, pos: tuple[float, float]) -> tuple[float, float]:
        return pos[0] - self.offset[0], pos[1] - self.offset[1]

    def to_document(self, grid: tuple[float, float]) -> tuple[float, float]:
        return grid[0] + self.offset[0], grid[1] + self.offset[1]

    def document_point(self, screen_x: float, screen_y: float) -> tuple[float, float]:
        """The document position whose node corner would be drawn at this viewport point."""
        corner_x, corner_y = self._origin_node_corner()
        return self.to_document((screen_x - corner_x, screen_y - corner_y))
