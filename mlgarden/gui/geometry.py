"""The canvas's geometry, with no window in it: node boxes, the view, hit tests, fit, free space.

Everything here is in *document coordinates* (the positions saved in the file) unless a name says
`screen`; nothing imports Dear PyGui, so all of it is tested headless (tests/test_canvas_geometry.py).

- A node's box (`node_box`): its size and where its rows and pins are, relative to its top-left
  corner. The sizes match `document.layout.node_height`, so Arrange packs boxes without overlap.
- The view (`ViewTransform`): the document point drawn at the canvas's top-left corner (the
  *origin*) and the zoom; screen = canvas corner + (document - origin) * zoom. Zooming about a
  point keeps the document point under it where it is.
- `Boxes`: every node's rectangle in numpy arrays, so "which node is under the mouse", "which
  nodes are in this box" and "which nodes are in view" are each one vectorised test.
- `fit_view`: the origin and zoom that show a set of rectangles whole (`fit_view_clear_of_corner`:
  and off the minimap); `free_position`: the spot nearest a wanted one where a new box covers no
  other; `level_of_detail`: what to draw per zoom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mlgarden.document.graph import Document, make_reference

NODE_WIDTH = 150.0
CALL_NODE_WIDTH = 270.0  # an output row: its name, a value and "grad" with a gradient of 10 characters
TITLE_HEIGHT = 24.0
ROW_HEIGHT = 18.0
PADDING = 3.0  # above the first row and below the last
PIN_RADIUS = 5.0
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0  # what the wheel and ctrl+= / ctrl+- reach
FIT_MIN_ZOOM = 0.02  # fitting a very tall graph (moons-mlp) may go further out
COMPACT_BELOW = 0.6  # zoom under which a node is a compact box: title, value, gradient bar
BLOCK_BELOW = 0.25  # zoom under which a node is a coloured block
FIT_MARGIN = 30.0  # screen pixels left free around a fitted graph
SMALL_MARGIN = 20.0  # screen pixels above and left of a graph that fits at 100%
GAP = 20.0  # the least space kept between a new box and the others


@dataclass
class NodeBox:
    """Where a node's parts are, relative to its top-left corner (document units)."""

    width: float
    height: float
    input_rows: list[float]  # the y of each input pin's row centre
    outputs: list[tuple[str, float]]  # (reference, y of its row centre): pins on the right edge
    value_row: float | None = None  # the y of the value row's centre (not for a call)
    exponent_row: float | None = None  # a pow's exponent row
    gradient_row: float | None = None
    function_row: float | None = None  # a call's row naming its function
    output_rows: list[float] = field(default_factory=list)  # a call's output rows

    def input_pin(self, pin: int) -> tuple[float, float]:
        return 0.0, self.input_rows[pin]

    def output_pin(self, index: int = 0) -> tuple[float, float]:
        return self.width, self.outputs[index][1]


def node_box(document: Document, node_id: str) -> NodeBox:
    node = document.nodes[node_id]
    pins = document.pin_count(node_id)
    row = TITLE_HEIGHT + PADDING  # the top of the next row
    centre = lambda index: row + ROW_HEIGHT * (index + 0.5)  # noqa: E731
    if node.op == "call":
        outputs = document.output_count(node_id)
        box = NodeBox(CALL_NODE_WIDTH, row + ROW_HEIGHT * (1 + pins + outputs) + PADDING,
                      [centre(1 + pin) for pin in range(pins)], [], function_row=centre(0))
        box.output_rows = [centre(1 + pins + k) for k in range(outputs)]
        box.outputs = [(make_reference(node_id, k), y) for k, y in enumerate(box.output_rows)]
        return box
    extra = 1 if node.op == "pow" else 0
    box = NodeBox(NODE_WIDTH, row + ROW_HEIGHT * (pins + 2 + extra) + PADDING,
                  [centre(pin) for pin in range(pins)], [], value_row=centre(pins),
                  gradient_row=centre(pins + 1 + extra))
    box.outputs = [(node_id, box.value_row)]
    if extra:
        box.exponent_row = centre(pins + 1)
    return box


def level_of_detail(zoom: float) -> str:
    """'full' (every row), 'compact' (title, value, gradient bar) or 'block' (a coloured box)."""
    if zoom < BLOCK_BELOW:
        return "block"
    return "compact" if zoom < COMPACT_BELOW else "full"


def clamp_zoom(zoom: float, lowest: float = MIN_ZOOM) -> float:
    return float(min(MAX_ZOOM, max(lowest, zoom)))


@dataclass
class ViewTransform:
    """Which part of the document the canvas shows: `origin` at its top-left corner, at `zoom`."""

    origin: tuple[float, float] = (0.0, 0.0)
    zoom: float = 1.0

    def to_canvas(self, point) -> tuple[float, float]:
        """Document point -> canvas pixels (from the canvas's top-left corner)."""
        return ((point[0] - self.origin[0]) * self.zoom, (point[1] - self.origin[1]) * self.zoom)

    def to_document(self, canvas_point) -> tuple[float, float]:
        return (self.origin[0] + canvas_point[0] / self.zoom,
                self.origin[1] + canvas_point[1] / self.zoom)

    def zoomed_about(self, canvas_point, zoom: float) -> ViewTransform:
        """The view at `zoom` that keeps the document point under `canvas_point` where it is."""
        zoom = clamp_zoom(zoom, min(MIN_ZOOM, self.zoom))  # from a fit below 10%, zoom on from there
        anchor = self.to_document(canvas_point)
        origin = (anchor[0] - canvas_point[0] / zoom, anchor[1] - canvas_point[1] / zoom)
        return ViewTransform(origin, zoom)

    def panned(self, canvas_dx: float, canvas_dy: float) -> ViewTransform:
        """The view after the content was dragged by (dx, dy) canvas pixels."""
        return ViewTransform((self.origin[0] - canvas_dx / self.zoom,
                              self.origin[1] - canvas_dy / self.zoom), self.zoom)

    def visible_rect(self, canvas_size) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the document shown in a canvas of `canvas_size`."""
        return (self.origin[0], self.origin[1], self.origin[0] + canvas_size[0] / self.zoom,
                self.origin[1] + canvas_size[1] / self.zoom)


class Boxes:
    """Node rectangles in arrays: ids[i] covers (left[i], top[i]) .. (right[i], bottom[i])."""

    def __init__(self, rects: dict[str, tuple[float, float, float, float]]):
        self.ids = list(rects)
        values = np.array(list(rects.values()), dtype=np.float64).reshape(-1, 4)
        self.left, self.top, self.right, self.bottom = values.T

    def __len__(self) -> int:
        return len(self.ids)

    def at(self, point, slack: float = 0.0) -> str | None:
        """The node under `point`, the last drawn (topmost) when boxes overlap."""
        hits = self.all_at(point, slack)
        return hits[0] if hits else None

    def all_at(self, point, slack: float = 0.0) -> list[str]:
        """Every node whose box, grown by `slack`, holds `point`: the topmost first."""
        x, y = point
        inside = ((self.left - slack <= x) & (x <= self.right + slack)
                  & (self.top - slack <= y) & (y <= self.bottom + slack))
        return [self.ids[i] for i in np.flatnonzero(inside)[::-1]]

    def touching(self, rect) -> list[str]:
        """The nodes whose box meets rect = (left, top, right, bottom)."""
        left, top, right, bottom = rect
        mask = ((self.left <= right) & (self.right >= left)
                & (self.top <= bottom) & (self.bottom >= top))
        return [self.ids[i] for i in np.flatnonzero(mask)]

    def bounds(self, chosen=None) -> tuple[float, float, float, float] | None:
        """The rectangle around the chosen nodes (all by default), or None for none."""
        if chosen is None:
            mask = np.ones(len(self.ids), dtype=bool)
        else:
            wanted = set(chosen)
            mask = np.array([node_id in wanted for node_id in self.ids], dtype=bool)
        if not mask.any():
            return None
        return (float(self.left[mask].min()), float(self.top[mask].min()),
                float(self.right[mask].max()), float(self.bottom[mask].max()))


def fit_view(bounds, canvas_size, margin: float = FIT_MARGIN, max_zoom: float = 1.0) -> ViewTransform:
    """The view that shows `bounds` whole, no closer than `max_zoom`: centred when it had to zoom
    out, else with its top-left corner SMALL_MARGIN in from the canvas's."""
    left, top, right, bottom = bounds
    width, height = max(right - left, 1.0), max(bottom - top, 1.0)
    room_x = max(canvas_size[0] - 2 * margin, 10.0)
    room_y = max(canvas_size[1] - 2 * margin, 10.0)
    zoom = clamp_zoom(min(room_x / width, room_y / height, max_zoom), FIT_MIN_ZOOM)
    if zoom >= max_zoom:  # it fits as it is: its top-left corner a small margin in, where reading starts
        return ViewTransform((left - SMALL_MARGIN / zoom, top - SMALL_MARGIN / zoom), zoom)
    centre = ((left + right) / 2, (top + bottom) / 2)
    origin = (centre[0] - canvas_size[0] / 2 / zoom, centre[1] - canvas_size[1] / 2 / zoom)
    return ViewTransform(origin, zoom)


def fit_view_clear_of_corner(bounds, canvas_size, corner_size) -> ViewTransform:
    """`fit_view`, keeping the fitted bounds off a box of `corner_size` in the canvas's bottom-right
    corner (the minimap) that they would reach under: fitted above it or left of it, whichever
    shows them larger (above, when both do at 100%)."""
    view = fit_view(bounds, canvas_size)
    width, height = canvas_size
    right, bottom = view.to_canvas((bounds[2], bounds[3]))
    if right <= width - corner_size[0] or bottom <= height - corner_size[1]:
        return view
    if width <= corner_size[0] or height <= corner_size[1]:  # the corner fills a side: no room
        return view
    above = fit_view(bounds, (width, height - corner_size[1]))
    beside = fit_view(bounds, (width - corner_size[0], height))
    return beside if beside.zoom > above.zoom else above


def free_position(boxes: Boxes, size, wanted, view_rect=None, gap: float = GAP,
                  step: float = 20.0, rings: int = 60) -> tuple[float, float]:
    """The top-left corner nearest `wanted` where a box of `size` keeps `gap` from every box.

    Candidates lie on square rings around `wanted`, nearest first; one inside `view_rect`
    (left, top, right, bottom) is preferred, so what the user adds stays in sight."""
    width, height = size
    fallback = None
    for ring in range(rings + 1):
        for dx, dy in _ring(ring):
            x, y = wanted[0] + dx * step, wanted[1] + dy * step
            if boxes.touching((x - gap, y - gap, x + width + gap, y + height + gap)):
                continue
            if view_rect is None or _inside((x, y, x + width, y + height), view_rect):
                return float(x), float(y)
            if fallback is None:
                fallback = (float(x), float(y))
    return fallback if fallback is not None else (float(wanted[0]), float(wanted[1]))


def free_offset(boxes: Boxes, block, wanted, view_rect=None) -> tuple[float, float]:
    """How far to move a group of new boxes (`block` = their bounds) so it lands near `wanted`
    (its top-left corner) and covers no box in `boxes`."""
    left, top, right, bottom = block
    x, y = free_position(boxes, (right - left, bottom - top), wanted, view_rect)
    return x - left, y - top


def _ring(radius: int):
    """Integer offsets on the square ring at `radius`, nearest to the centre first."""
    if radius == 0:
        return [(0, 0)]
    points = [(dx, dy) for dx in range(-radius, radius + 1) for dy in range(-radius, radius + 1)
              if max(abs(dx), abs(dy)) == radius]
    return sorted(points, key=lambda p: (math.hypot(*p), p))


def _inside(rect, outer) -> bool:
    return (rect[0] >= outer[0] and rect[1] >= outer[1] and rect[2] <= outer[2]
            and rect[3] <= outer[3])


# --- links ---------------------------------------------------------------------------------------

def bezier_points(start, end, samples: int = 16) -> np.ndarray:
    """Points along the S-shaped curve a link draws from an output to an input pin."""
    handle = max(abs(end[0] - start[0]) * 0.5, 40.0)
    control1, control2 = (start[0] + handle, start[1]), (end[0] - handle, end[1])
    t = np.linspace(0.0, 1.0, samples)[:, None]
    points = ((1 - t) ** 3 * np.array(start) + 3 * (1 - t) ** 2 * t * np.array(control1)
              + 3 * (1 - t) * t ** 2 * np.array(control2) + t ** 3 * np.array(end))
    return points


def bezier_controls(start, end) -> tuple[tuple[float, float], tuple[float, float]]:
    handle = max(abs(end[0] - start[0]) * 0.5, 40.0)
    return (start[0] + handle, start[1]), (end[0] - handle, end[1])


def distance_to_polyline(point, points: np.ndarray) -> float:
    """The shortest distance from `point` to the polyline through `points`."""
    a, b = points[:-1], points[1:]
    segment = b - a
    length2 = np.maximum((segment ** 2).sum(axis=1), 1e-12)
    t = np.clip(((np.array(point) - a) * segment).sum(axis=1) / length2, 0.0, 1.0)
    nearest = a + segment * t[:, None]
    return float(np.sqrt(((nearest - np.array(point)) ** 2).sum(axis=1)).min())


def link_width(gradient: float | None, scale: float) -> float:
    """A link's width in whole pixels (thin whole-pixel lines are the cheapest to draw): 1 with no
    gradient, growing with log10 of |gradient| / scale up to 5 for the largest."""
    if gradient is None or not math.isfinite(gradient) or scale <= 0 or gradient == 0:
        return 1.0
    return float(round(1.0 + max(0.0, min(4.0, 4.0 + math.log10(abs(gradient) / scale)))))
