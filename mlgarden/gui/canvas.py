"""The canvas: mlgarden's own node canvas, drawn on a Dear PyGui drawlist, with pan and zoom.

The canvas holds no state the file would lose. Once a frame (`update`) it:
- reads the mouse and keys through `CanvasInput` (gui/canvas_input.py), which turns gestures into
  the plain methods below (`nudge`, `connect_pins`, `move_nodes`, ...) and those into edits;
- after a `structure` or `reset` event *syncs* the drawing: nodes that appeared are built, nodes
  that went or changed shape are deleted, links are added and deleted to match the document;
- after `layout` sets titles, role marks and positions that differ, and rebuilds the boxes used
  for hit testing (geometry.Boxes, document coordinates);
- when the view moved (pan, zoom) applies it as one transform, shows the nodes and links that
  meet the view and hides the rest (culling), and picks each shown node's level of detail;
- when `Session.evaluation()` is a new object sets the value and gradient texts that changed and
  the links' colours (while training, at most ten times a second);
- with View > Node thumbnails, at 100% and above, shows each node's value over the plane in a small
  picture (gui/canvas_thumbnails.py).

The view (origin and zoom, geometry.ViewTransform) is saved with the file (gui/view.py). When a
graph is opened the canvas shows its saved view, or fits it; `fit` (F, Home) fits the graph or
the selection.

A user function's body can be shown instead of the graph (`open_function`, "Edit definition" on a
call node): the session's scope (session_scope.py) then names the function, the canvas draws
`Session.shown_document`, a copy of the body rebuilt after every change, and sends every edit
through `Session.edit_shown`, which routes it into the definition, so every instance follows and
each edit is one undo step. The numbers shown in a body are those of the graph's
first instance of the function (its flat ids "instance/body id"); with no instance they are "—".
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg

from mlgarden.gui import canvas_draw, canvas_edits, canvas_show, geometry, ids, node_view, theme
from mlgarden.gui.canvas_draw import LinkDrawing, NodeDrawing
from mlgarden.gui.canvas_input import CanvasInput
from mlgarden.gui.canvas_thumbnails import Thumbnails
from mlgarden.gui.geometry import Boxes, ViewTransform
from mlgarden.gui.minimap import CORNER as MINIMAP_CORNER, Minimap
from mlgarden.gui.shown_values import ShownValues
from mlgarden.gui.value_editor import ValueEditor
from mlgarden.gui.view import saved_view, view_to_save
from mlgarden.session import Session

HEADING_HEIGHT = 28
HEADING_BUTTON_WIDTH = 120  # "< Back to graph", before its first frame
HEADING_SPACING = 24  # between that button and the heading, and the heading and the panels


class Canvas(canvas_show.ShowMixin, canvas_edits.EditMixin):
    def __init__(self, session: Session):
        self.session = session
        self.drawings: dict[str, NodeDrawing] = {}
        self.links: dict[tuple[str, str, int], LinkDrawing] = {}
        self.node_boxes: dict[str, geometry.NodeBox] = {}
        self.boxes = Boxes({})
        self.view = ViewTransform()
        self.selection: set[str] = set()
        self.selected_link_set: set[tuple[str, str, int]] = set()
        self.plane_output: str | None = None  # the output of the selected node chosen for the plane
        self.drag_offset: tuple[float, float] | None = None  # nodes being moved, in document units
        self.show_gradients = True
        self.highlight_node: str | None = None
        self.highlight_links: set[tuple[str, str, int]] = set()
        self.input = CanvasInput(self)
        self.editor = ValueEditor(self)
        self.minimap = Minimap(self)
        self.thumbnails = Thumbnails(self)
        self.ask_for_node = None  # set by the app: (on_pick) -> opens the palette
        self._structure_stale = True
        self._layout_stale = True
        self._view_stale = True
        self._shown_view: tuple | None = None
        self._shown_lod: str | None = None
        self._shown_evaluation = None
        self._values_shown_at = 0.0
        self._numbers = None  # reference -> (value, gradient) of the evaluation shown
        self._link_shares = None  # the gradient along each link of that evaluation
        self.largest_gradient = 0.0
        self._gesture = 0
        self._shown_opened: int | None = None
        self._titles_measured = False  # titles cut to their nodes with text measured (a frame on)
        self._graph_view = ViewTransform()
        self._heading_instance: str | None = None  # the instance the function heading names
        self._shown_widgets = ShownValues()  # the heading's wrap: set only when it changes
        self.canvas_rect = (0.0, 0.0, 800.0, 600.0)  # x, y, width, height in viewport pixels
        self._shown_tooltip = None
        session.document.subscribe(self._on_document_change)

    @property
    def document(self):
        """What the canvas draws: the graph, or a copy of the body of the function being edited."""
        return self.session.shown_document

    @property
    def scope(self) -> str | None:
        """The function whose body is shown (the session's scope), or None for the graph."""
        return self.session.scope

    # --- building ------------------------------------------------------------------------------

    def build(self, parent: str) -> None:
        with dpg.group(tag=ids.FUNCTION_HEADING, parent=parent, horizontal=True, show=False):
            dpg.add_button(label="< Back to graph", tag=ids.FUNCTION_BACK,
                           callback=lambda: self.close_function())
            dpg.add_text("", tag=ids.FUNCTION_HEADING_TEXT, color=(255, 200, 120, 255))
        with dpg.drawlist(800, 600, tag=ids.EDITOR, parent=parent):
            with dpg.draw_node(tag=ids.WORLD):
                dpg.add_draw_node(tag=ids.LINK_LAYER)
                dpg.add_draw_node(tag=ids.NODE_LAYER)
                dpg.add_draw_node(tag=ids.OVERLAY_LAYER)
            dpg.add_draw_node(tag=ids.SCREEN_LAYER)
        with dpg.window(tag=ids.CANVAS_TOOLTIP, show=False, no_title_bar=True, no_move=True,
                        no_resize=True, no_collapse=True, autosize=True, no_focus_on_appearing=True):
            dpg.add_text("", tag=ids.CANVAS_TOOLTIP_TEXT)
        with dpg.theme() as no_padding:
            with dpg.theme_component(dpg.mvAll):
                dpg.add_theme_style(dpg.mvStyleVar_WindowPadding, 0, 0)
                dpg.add_theme_style(dpg.mvStyleVar_ItemSpacing, 8, 0)
        dpg.bind_item_theme(parent, no_padding)
        self.input.build()
        self.editor.build()
        self.minimap.build()
        self.thumbnails.build()

    def _on_document_change(self, what: str) -> None:
        if self.scope is not None and what != "layout":
            what = "structure" if what in ("structure", "reset") else "layout"
        if what in ("structure", "reset"):
            self._structure_stale = True
        if what in ("layout", "reset"):
            self._layout_stale = True

    # --- once a frame --------------------------------------------------------------------------

    def update(self) -> None:
        """Input, then structure, layout, view and numbers: each only when it changed."""
        self._measure()
        if self.session.scope_is_stale():
            self.close_function()  # an undo or an open took the function away
        if self._shown_opened != self.session.opened:
            if self.scope is not None:
                self.close_function()
            self._shown_opened = self.session.opened
            self.selection.clear()
            self.selected_link_set.clear()
            self._structure_stale = True
            self.sync_structure()
            self.sync_layout()  # the boxes of this graph, to fit it
            self.set_view(saved_view(self.session.document) or self._fitted_view())
        self._sync_if_stale()  # callbacks (keys, menus) may have edited: hit tests need it now
        self._fit_titles_once_measurable()
        self.input.poll()
        self._sync_if_stale()
        if self.scope is not None and self.session.scope_instance != self._heading_instance:
            self.show_function_heading()
        self.show_view_if_moved()
        self.show_values()
        self.thumbnails.update()
        self.editor.update()
        self.minimap.update()

    def _fit_titles_once_measurable(self) -> None:
        """Text cannot be measured before the app's first frame: cut the titles drawn then again."""
        if not self._titles_measured and canvas_draw.text_width("M", theme.FONT_SIZE):
            self._titles_measured = True
            for drawing in self.drawings.values():
                drawing.refit_title()

    def _measure(self) -> None:
        """Size the drawlist to its window (below the function heading, when a body is shown)
        and learn where it is on the viewport."""
        x, y = dpg.get_item_pos(ids.CANVAS_WINDOW)
        width = dpg.get_item_width(ids.CANVAS_WINDOW) or 800
        heading = 0.0
        if self.scope is not None:
            self._wrap_heading(width)
            drawn = dpg.get_item_rect_size(ids.FUNCTION_HEADING)[1]
            heading = float(drawn) if drawn else HEADING_HEIGHT  # before its first frame: about
        height = int((dpg.get_item_height(ids.CANVAS_WINDOW) or 600) - heading)
        if (dpg.get_item_width(ids.EDITOR), dpg.get_item_height(ids.EDITOR)) != (width, height):
            dpg.configure_item(ids.EDITOR, width=width, height=height)
        rect = (float(x), float(y) + heading, float(width), float(height))
        if rect != self.canvas_rect:
            self.canvas_rect = rect
            self._view_stale = True

    def _wrap_heading(self, width: int) -> None:
        """The function heading wraps beside its button rather than run under the panels."""
        button = dpg.get_item_rect_size(ids.FUNCTION_BACK)[0] or HEADING_BUTTON_WIDTH
        wrap = max(100, int(width - button - HEADING_SPACING))
        self._shown_widgets.set(ids.FUNCTION_HEADING_TEXT, wrap, "wrap")

    def _sync_if_stale(self) -> None:
        if self._structure_stale:
            self.sync_structure()
        if self._layout_stale and self.drag_offset is None:
            self.sync_layout()

    def sync_structure(self) -> None:
        document = self.document
        changed = {node_id for node_id, drawing in self.drawings.items()
                   if node_id not in document.nodes
                   or drawing.shape != node_view.shape_of(document, document.nodes[node_id])}
        wanted = set(document.links())
        for key in list(self.links):
            if key not in wanted:
                self.links.pop(key).delete()
                self.selected_link_set.discard(key)
        for node_id in changed:
            self.drawings.pop(node_id).delete()
            self.node_boxes.pop(node_id, None)
        self.selection &= set(document.nodes)
        for node_id in document.nodes:
            if node_id not in self.drawings:
                drawing = NodeDrawing(node_id, ids.NODE_LAYER)
                self._describe(drawing, document, node_id)
                self.drawings[node_id] = drawing
        for key in wanted - set(self.links):
            self.links[key] = LinkDrawing(key, ids.LINK_LAYER)
        self._structure_stale = False
        self._layout_stale = True
        self._shown_evaluation = None

    def _describe(self, drawing: NodeDrawing, document, node_id: str) -> None:
        node = document.nodes[node_id]
        box = geometry.node_box(document, node_id)
        rows, words = node_view.rows_of(document, node_id, box)
        drawing.texts.update(words)
        roles = node_view.roles_of(document, node_id)
        kind = "function calls" if node.op == "call" else theme.kind_of(node.op)
        drawing.describe(box, theme.KIND_COLOURS.get(kind, (90, 90, 90)),
                         node_view.title_text(node, roles), rows)
        drawing.shape = node_view.shape_of(document, node)
        drawing.roles = roles
        self.node_boxes[node_id] = box

    def sync_layout(self) -> None:
        document = self.document
        for node_id, drawing in self.drawings.items():
            node = document.nodes[node_id]
            roles = node_view.roles_of(document, node_id)
            drawing.set_title(node_view.title_text(node, roles))
            drawing.roles = roles
            self._show_outline(node_id)
            drawing.place(node.pos)
        self.boxes = Boxes({node_id: self.node_rect(node_id) for node_id in self.drawings})
        for key, link in self.links.items():
            link.place(*self.link_ends(key))
        self.minimap.stale = True
        self._layout_stale = False
        self._view_stale = True

    # --- where nodes and pins are (document coordinates) -----------------------------------------

    def node_position(self, node_id: str) -> tuple[float, float]:
        """Where a node is drawn now: its document position, plus the drag while it is moved."""
        x, y = self.document.nodes[node_id].pos
        if self.drag_offset is not None and node_id in self.selection:
            return x + self.drag_offset[0], y + self.drag_offset[1]
        return x, y

    def node_rect(self, node_id: str) -> tuple[float, float, float, float]:
        x, y = self.node_position(node_id)
        box = self.node_boxes[node_id]
        return x, y, x + box.width, y + box.height

    def output_point(self, reference: str) -> tuple[float, float]:
        node_id = reference.split(":")[0]
        box = self.node_boxes[node_id]
        index = next(k for k, (ref, _) in enumerate(box.outputs) if ref == reference)
        x, y = self.node_position(node_id)
        px, py = box.output_pin(index)
        return x + px, y + py

    def input_point(self, node_id: str, pin: int) -> tuple[float, float]:
        x, y = self.node_position(node_id)
        px, py = self.node_boxes[node_id].input_pin(pin)
        return x + px, y + py

    def link_ends(self, key) -> tuple[tuple[float, float], tuple[float, float]]:
        source, target, pin = key
        return self.output_point(source), self.input_point(target, pin)

    # --- the view -------------------------------------------------------------------------------

    def set_view(self, view: ViewTransform) -> None:
        self.view = ViewTransform(view.origin, geometry.clamp_zoom(view.zoom, geometry.FIT_MIN_ZOOM))
        self._view_stale = True

    def show_view(self, origin: tuple[float, float]) -> None:
        """Show document point `origin` at the canvas's top-left corner, at the same zoom."""
        self.set_view(ViewTransform(origin, self.view.zoom))

    def canvas_size(self) -> tuple[float, float]:
        return self.canvas_rect[2], self.canvas_rect[3]

    def _fitted_view(self, chosen=None) -> ViewTransform:
        bounds = self.boxes.bounds(chosen)
        if bounds is None:
            return ViewTransform((0.0, 0.0), 1.0)
        return geometry.fit_view_clear_of_corner(bounds, self.canvas_size(), MINIMAP_CORNER)

    def fit(self) -> None:
        """Fit the selection, or the whole graph, in view (zoom and pan)."""
        if self._layout_stale:
            self.sync_layout()
        chosen = sorted(self.selection) or None
        self.set_view(self._fitted_view(chosen))
        what = f"{len(chosen)} selected node(s)" if chosen else "the graph"
        self.session.status = f"fitted {what} in view ({self.zoom_text()})"

    def zoom_to(self, zoom: float, canvas_point=None) -> None:
        """Zoom about a canvas point (the middle of the canvas by default)."""
        if canvas_point is None:
            canvas_point = (self.canvas_rect[2] / 2, self.canvas_rect[3] / 2)
        self.set_view(self.view.zoomed_about(canvas_point, zoom))

    def zoom_text(self) -> str:
        return f"{round(self.view.zoom * 100)}%"

    def current_view(self) -> dict:
        """The view to save with the graph (what Session.current_view asks for)."""
        if self._shown_opened != self.session.opened:
            return {}  # this graph's view has not been shown yet: keep the one it has
        return view_to_save(self.view if self.scope is None else self._graph_view)

    # --- viewport pixels <-> document -----------------------------------------------------------

    def to_screen(self, point) -> tuple[float, float]:
        x, y = self.view.to_canvas(point)
        return self.canvas_rect[0] + x, self.canvas_rect[1] + y

    def to_document(self, screen_x: float, screen_y: float) -> tuple[float, float]:
        return self.view.to_document((screen_x - self.canvas_rect[0], screen_y - self.canvas_rect[1]))

    def grid_position(self, screen_x: float, screen_y: float) -> tuple[float, float]:
        """The document position whose node corner would be drawn at this viewport point."""
        return self.to_document(screen_x, screen_y)

    def mouse_grid_position(self) -> tuple[float, float]:
        return self.grid_position(*dpg.get_mouse_pos(local=False))

    def visible_centre(self) -> tuple[float, float]:
        """The document position a new node's corner goes to so it sits mid-canvas."""
        x, y, width, height = self.canvas_rect
        centre = self.to_document(x + width / 2, y + height / 2)
        return centre[0] - geometry.NODE_WIDTH / 2, centre[1] - 40.0

    def visible_rect(self) -> tuple[float, float, float, float]:
        return self.view.visible_rect(self.canvas_size())

    def document_position_shown(self, node_id: str) -> tuple[float, float]:
        """Where the node is on the canvas now, in document coordinates (it may be mid-drag)."""
        return self.node_position(node_id)

    def is_hovered(self) -> bool:
        return dpg.is_item_hovered(ids.EDITOR)

    def hovered_node(self) -> str | None:
        return self.boxes.at(self.mouse_grid_position())

    def hovered_link(self) -> tuple[str, str, int] | None:
        return self.link_at(self.mouse_grid_position())

    def link_at(self, point, reach_pixels: float = 6.0) -> tuple[str, str, int] | None:
        reach = reach_pixels / self.view.zoom
        best, best_distance = None, reach
        for key, link in self.links.items():
            if link.mode == "hidden" or link.ends is None:
                continue
            start, end = link.ends
            if not (min(start[0], end[0]) - 60 - reach <= point[0] <= max(start[0], end[0]) + 60 + reach
                    and min(start[1], end[1]) - reach <= point[1] <= max(start[1], end[1]) + reach):
                continue
            points = (geometry.bezier_points(start, end) if link.mode == "curve"
                      else geometry.np.array([start, end]))
            distance = geometry.distance_to_polyline(point, points)
            if distance <= best_distance:
                best, best_distance = key, distance
        return best

    # --- gestures (CanvasInput calls these) -----------------------------------------------------

    def drag_selection(self, offset: tuple[float, float]) -> None:
        """The selected nodes follow the mouse; the document changes when the button goes up."""
        self.drag_offset = offset
        moving = set(self.selection)
        for node_id in moving:
            self.drawings[node_id].place(self.node_position(node_id))
        for key, link in self.links.items():
            if key[0].split(":")[0] in moving or key[1] in moving:
                link.place(*self.link_ends(key))

    def drop_selection(self) -> None:
        offset, self.drag_offset = self.drag_offset, None
        if offset is not None and (offset[0] or offset[1]):
            self.move_selection(offset)
        self._layout_stale = True

    def clear_link_selection(self) -> None:
        if self.selected_link_set:
            self.selected_link_set.clear()
            self.restyle_links()

    def end_gesture(self) -> None:
        """A mouse gesture ended: close its undo step."""
        self.session.end_gesture()
        self._gesture += 1

    def clear(self) -> None:
        """Forget every item (the drawlist is being destroyed with the context)."""
        self.thumbnails.clear()
        self.drawings.clear()
        self.links.clear()
        self.node_boxes.clear()
        self._structure_stale = True
