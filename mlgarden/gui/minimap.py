"""The canvas's minimap: the whole graph small, bottom right, with the part in view outlined.

The graph is painted into a small texture (one filled rectangle per node, in its colour) only
when nodes move or change; the view's rectangle is one drawn rectangle moved as the view moves.
A click or a drag on the minimap centres the view on that point. It maps the graph's bounds
(plus a margin) into its box, centred, keeping the graph's proportions.
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg
import numpy as np

from mlgarden.gui import ids, theme

WIDTH, HEIGHT = 180, 120
EDGE = 10  # pixels from the canvas's bottom-right corner
CORNER = (WIDTH + EDGE, HEIGHT + EDGE)  # what it takes of the canvas: a fit keeps the graph off it
BACKGROUND = np.array([0.12, 0.12, 0.14, 0.85], dtype=np.float32)


class Minimap:
    def __init__(self, canvas):
        self.canvas = canvas
        self.stale = True
        self.bounds = (0.0, 0.0, 1.0, 1.0)  # document rectangle shown
        self.scale = 1.0
        self.shown_key = None
        self.corner = (0.0, 0.0)  # top-left in canvas pixels

    def build(self) -> None:
        pixels = np.tile(BACKGROUND, (HEIGHT, WIDTH, 1))
        with dpg.texture_registry(tag=ids.TEXTURES):
            dpg.add_dynamic_texture(WIDTH, HEIGHT, pixels.ravel(), tag=ids.MINIMAP_TEXTURE)
        with dpg.draw_node(tag=ids.MINIMAP, parent=ids.SCREEN_LAYER):
            dpg.draw_image(ids.MINIMAP_TEXTURE, (0, 0), (WIDTH, HEIGHT))
            dpg.draw_rectangle((0, 0), (WIDTH, HEIGHT), color=(110, 110, 120, 255))
            dpg.draw_rectangle((0, 0), (1, 1), tag=ids.MINIMAP_VIEW, color=(255, 255, 255, 230),
                               thickness=1.5)

    def contains(self, mouse) -> bool:
        x = mouse[0] - self.canvas.canvas_rect[0] - self.corner[0]
        y = mouse[1] - self.canvas.canvas_rect[1] - self.corner[1]
        return 0 <= x <= WIDTH and 0 <= y <= HEIGHT

    def update(self) -> None:
        canvas = self.canvas
        corner = (canvas.canvas_rect[2] - WIDTH - EDGE, canvas.canvas_rect[3] - HEIGHT - EDGE)
        if corner != self.corner:
            self.corner = corner
            dpg.apply_transform(ids.MINIMAP, dpg.create_translation_matrix(list(corner)))
        if self.stale:
            self._paint()
            self.stale = False
            self.shown_key = None
        key = (canvas.view.origin, canvas.view.zoom, canvas.canvas_rect)
        if key != self.shown_key:
            left, top, right, bottom = canvas.visible_rect()
            dpg.configure_item(ids.MINIMAP_VIEW, pmin=self._to_map(left, top),
                               pmax=self._to_map(right, bottom))
            self.shown_key = key

    def _to_map(self, x: float, y: float) -> tuple[float, float]:
        mx = (x - self.bounds[0]) * self.scale
        my = (y - self.bounds[1]) * self.scale
        return float(np.clip(mx, 0, WIDTH)), float(np.clip(my, 0, HEIGHT))

    def _paint(self) -> None:
        canvas = self.canvas
        pixels = np.tile(BACKGROUND, (HEIGHT, WIDTH, 1))
        bounds = canvas.boxes.bounds()
        if bounds is not None:
            margin = 40.0
            left, top, right, bottom = (bounds[0] - margin, bounds[1] - margin,
                                        bounds[2] + margin, bounds[3] + margin)
            self.scale = min(WIDTH / (right - left), HEIGHT / (bottom - top))
            spare_x = (WIDTH / self.scale - (right - left)) / 2  # centre the graph in the box
            spare_y = (HEIGHT / self.scale - (bottom - top)) / 2
            left, top, right, bottom = left - spare_x, top - spare_y, right + spare_x, bottom + spare_y
            self.bounds = (left, top, right, bottom)
            document = canvas.document
            for node_id in canvas.boxes.ids:
                x0, y0, x1, y1 = canvas.node_rect(node_id)
                c0, r0 = int((x0 - left) * self.scale), int((y0 - top) * self.scale)
                c1 = max(c0 + 1, int((x1 - left) * self.scale))
                r1 = max(r0 + 1, int((y1 - top) * self.scale))
                op = document.nodes[node_id].op
                kind = "function calls" if op == "call" else theme.kind_of(op)
                colour = theme.KIND_COLOURS.get(kind, (90, 90, 90))
                pixels[r0:r1, c0:c1, :3] = np.array(colour, dtype=np.float32) / 255.0
                pixels[r0:r1, c0:c1, 3] = 1.0
        dpg.set_value(ids.MINIMAP_TEXTURE, pixels.ravel())

    def move_view_to(self, mouse) -> None:
        """Centre the view on the document point under `mouse` on the minimap."""
        canvas = self.canvas
        x = mouse[0] - canvas.canvas_rect[0] - self.corner[0]
        y = mouse[1] - canvas.canvas_rect[1] - self.corner[1]
        point = (self.bounds[0] + x / self.scale, self.bounds[1] + y / self.scale)
        width, height = canvas.canvas_size()
        zoom = canvas.view.zoom
        canvas.show_view((point[0] - width / 2 / zoom, point[1] - height / 2 / zoom))
