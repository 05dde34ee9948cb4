"""Thumbnails on the canvas: each node's value over the plane, in a small square at its corner.

View > Node thumbnails over the plane (off by default). At 100% zoom and above, every node in view
whose value varies over the plane (not a param, a const or the label) shows it as a small picture,
shaded as the Dataset window shades a chosen node: blue-white-red over the node's own symmetric
scale (the result keeps the plane's fixed -1..+1), on a RESOLUTION² grid over the dataset's bounds.

- The values come from the surface route, every node that needs a new picture in one forward pass
  (`Session.nodes_over_plane`, engine `Program.surfaces`); a node inside a function's body shows
  the graph's first instance's node, a call its first output (document/scope_ids.py).
- A picture is a dynamic texture (float32 RGBA) drawn by a `draw_image` inside the node's own draw
  node, above its title bar's right end, so it moves, hides and culls with the node: nodes out of
  view cost nothing and get their picture when they come into view.
- Pace: when the graph's values or the data change, the pictures in view are redrawn at most every
  PLAYING_INTERVAL while training and EDITING_INTERVAL otherwise, as the Dataset window's surface.
"""

from __future__ import annotations

import time

import dearpygui.dearpygui as dpg
import numpy as np

from mlgarden.document.scope_ids import flat_id_shown
from mlgarden.gui import canvas_draw, geometry, ids
from mlgarden.gui.dataset_window import EDITING_INTERVAL, PLAYING_INTERVAL
from mlgarden.learning.surface import colours, symmetric_scale

RESOLUTION = 32
SIZE = 40.0  # document units: 40 pixels at 100%
LOWEST_ZOOM = 1.0
INSET = 6.0  # from the node's right edge
OVERHANG = 22.0  # how far the picture stands above the node's top edge
CONSTANT_OPS = ("param", "const", "label")  # one colour over the whole plane (the label is 0 there)


def picture_rect(box: geometry.NodeBox) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where a node's picture sits, relative to its top-left corner: over the title bar's right
    end, standing above the node (a title bar holds the title at its left)."""
    right = box.width - INSET
    top = -OVERHANG
    return (right - SIZE, top), (right, top + SIZE)


class Picture:
    """One node's texture and the items that draw it, inside the node's draw node."""

    def __init__(self, drawing, registry: str):
        self.drawing = drawing
        blank = np.ones(RESOLUTION * RESOLUTION * 4, dtype=np.float32)
        self.texture = dpg.add_dynamic_texture(RESOLUTION, RESOLUTION, blank, parent=registry)
        pmin, pmax = picture_rect(drawing.box)
        self.image = dpg.draw_image(self.texture, pmin, pmax, parent=drawing.root, show=False)
        self.frame = dpg.draw_rectangle(pmin, pmax, parent=drawing.root, color=canvas_draw.OUTLINE_COLOUR,
                                        thickness=1, show=False)
        self.shown = False
        self.source = None  # what its colours were made from: (evaluation, dataset)

    def show(self, shown: bool) -> None:
        if shown != self.shown:
            for item in (self.image, self.frame):
                dpg.configure_item(item, show=shown)
            self.shown = shown

    def paint(self, values: np.ndarray, scale: float | None) -> None:
        scale = symmetric_scale(values) if scale is None else scale
        dpg.set_value(self.texture, colours(values / np.float32(scale)).ravel())

    def delete(self) -> None:
        """The node's draw node may be gone already (and its items with it); the texture is not."""
        for item in (self.image, self.frame, self.texture):
            if dpg.does_item_exist(item):
                dpg.delete_item(item)


class Thumbnails:
    """The pictures of the canvas's nodes in view (Canvas.thumbnails)."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.enabled = False  # the View toggle
        self.pictures: dict[str, Picture] = {}
        self.refresh_count = 0  # forward passes made, for tests
        self._source = None
        self._painted_from: dict[str, object] = {}  # node -> the source it was last painted from
        self._due_at = 0.0

    def build(self) -> None:
        dpg.add_texture_registry(tag=ids.THUMBNAIL_TEXTURES)

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self._source, self._due_at = None, 0.0  # draw at once

    def update(self) -> None:
        """Once a frame: show the pictures of the nodes in view at 100% and above, hide the rest,
        and repaint those whose values are old when it is time to."""
        canvas = self.canvas
        self._forget_deleted()
        wanted = self.enabled and canvas.view.zoom >= LOWEST_ZOOM
        in_view = {node_id for node_id, drawing in canvas.drawings.items()
                   if wanted and drawing.visible and drawing.detail is not None}
        for node_id, picture in self.pictures.items():
            if node_id not in in_view:
                picture.show(False)
        if not in_view:
            return
        now = time.perf_counter()
        session = canvas.session
        if now >= self._due_at:
            source = (session.evaluation(), session.dataset)
            if self._source is None or any(a is not b for a, b in zip(source, self._source)):
                self._source = source
        old = sorted(node_id for node_id in in_view if self._painted_from.get(node_id) is not self._source)
        if old:
            self._paint(old)
            interval = PLAYING_INTERVAL if session.playing else EDITING_INTERVAL
            self._due_at = now + interval
        for node_id in in_view:
            picture = self.pictures.get(node_id)
            if picture is not None:
                picture.show(picture.source is not None)

    def _paint(self, node_ids: list[str]) -> None:
        canvas, session = self.canvas, self.canvas.session
        graph = session.document
        instance = session.scope_instance
        flat_ids = {node_id: self._varying(flat_id_shown(graph, canvas.scope, node_id, instance))
                    for node_id in node_ids}
        values = session.nodes_over_plane(sorted({f for f in flat_ids.values() if f is not None}),
                                          RESOLUTION)
        self.refresh_count += 1
        result = graph.flat_id(graph.result) if canvas.scope is None and graph.result else None
        for node_id, flat_id in flat_ids.items():
            self._painted_from[node_id] = self._source  # picture or none: not again until it changes
            picture = self.pictures.get(node_id)
            if flat_id not in values:
                if picture is not None:
                    picture.source = None  # nothing to shade: no picture
                continue
            if picture is None:
                picture = self.pictures[node_id] = Picture(canvas.drawings[node_id], ids.THUMBNAIL_TEXTURES)
            picture.paint(values[flat_id], 1.0 if flat_id == result else None)
            picture.source = self._source

    def _varying(self, flat_id: str | None) -> str | None:
        """The flat id, unless it is a param or a const: the same everywhere on the plane."""
        if flat_id is None or self.canvas.session.document.flat_node(flat_id).op in CONSTANT_OPS:
            return None
        return flat_id

    def _forget_deleted(self) -> None:
        """A node deleted or rebuilt (its shape changed) takes its picture with it."""
        drawings = self.canvas.drawings
        for node_id in [n for n, picture in self.pictures.items() if drawings.get(n) is not picture.drawing]:
            self.pictures.pop(node_id).delete()
            self._painted_from.pop(node_id, None)
        for node_id in [n for n in self._painted_from if n not in drawings]:
            del self._painted_from[node_id]

    def shown_nodes(self) -> list[str]:
        """The nodes whose picture is drawn now (their draw node shown, the picture shown)."""
        return sorted(node_id for node_id, picture in self.pictures.items()
                      if picture.shown and picture.drawing.visible)

    def screen_rect(self, node_id: str) -> tuple[float, float, float, float]:
        """(x, y, width, height) of a node's picture in viewport pixels."""
        canvas = self.canvas
        (left, top), (right, bottom) = picture_rect(canvas.node_boxes[node_id])
        x, y = canvas.node_position(node_id)
        sx, sy = canvas.to_screen((x + left, y + top))
        zoom = canvas.view.zoom
        return sx, sy, (right - left) * zoom, (bottom - top) * zoom

    def clear(self) -> None:
        """Forget every picture (the context is being destroyed with them)."""
        self.pictures.clear()
