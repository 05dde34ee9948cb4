"""The canvas's mouse: gestures read once a frame and turned into the canvas's plain methods.

Dear PyGui's drawlist knows nothing of nodes, so hit testing is ours: the mouse position goes
through the inverse of the view into document coordinates, then `hit` finds, in this order, a
pin, a value field, a node (geometry.Boxes: one vectorised test) or a link (distance to its
curve). A press on the canvas starts one gesture, which lasts until the button goes up:

- on a node's output pin: a wire; released on an input pin it links them (a second link into an
  input replaces the first), released on empty canvas it opens the palette and links the node
  picked; on a linked input pin: the link is picked up and moves with the mouse (dropped on
  another input it rewires, on empty canvas it is cut); on a free input pin: a wire back to an
  output;
- on a param's value: a nudge, 0.01 per pixel to the right, live; a double-click types a value
  (gui/value_editor.py), as does a click on a const's value or a pow's exponent;
- on a node: select it (ctrl+click adds or removes it) and drag the selection; on a call's output
  row, or a click (no drag) on any output pin, the same, and that output goes on the Dataset
  window's plane (`Canvas.plane_output`; gui/learning_aids.py);
- on a link: ctrl+click cuts it, a click selects it (Delete deletes it);
- on empty canvas: a box selects every node it touches (ctrl adds to the selection);
- with the middle button, or the left with space held: pan.
While a node, a wire or a box is dragged near the canvas's edge, the view scrolls that way (as in a
desktop editor), and what is dragged stays under the mouse. The mouse wheel zooms about the mouse.
Everything one press does is one undo step.
"""

from __future__ import annotations

import time

import dearpygui.dearpygui as dpg

from mlgarden.document.graph import split_reference
from mlgarden.gui import canvas_draw, geometry, ids

DRAG_SPEED = 0.01  # value per pixel of a nudge
WHEEL_STEP = 1.15  # zoom factor per wheel notch
DOUBLE_CLICK_SECONDS = 0.4
DOUBLE_CLICK_FRAMES = 6
PIN_REACH = 9.0  # pixels around a pin that grab it
EDGE_BAND = 32.0  # pixels along the canvas's edge where a drag scrolls the view
EDGE_SPEED = 700.0  # pixels a second at the edge itself
MAX_SCROLL_STEP = 0.1  # seconds: a slow frame scrolls no further than this
DRAG_START = 4.0  # pixels the mouse moves before a press is a drag that may scroll
BOX_COLOUR = (120, 170, 255, 200)
WIRE_COLOUR = (230, 230, 120, 255)

LEFT, MIDDLE = dpg.mvMouseButton_Left, dpg.mvMouseButton_Middle


class CanvasInput:
    def __init__(self, canvas):
        self.canvas = canvas
        self.was_down = {LEFT: False, MIDDLE: False}
        self.gesture: str | None = None  # "pan", "move", "nudge", "wire", "box"
        self.pressed_at = (0.0, 0.0)  # viewport pixels
        self.detail = None
        self.wheel = 0.0
        self.overlay = None  # the box or the wire being drawn
        self.frame = 0  # frames polled, for double clicks at a low frame rate
        self.last_press = (None, 0.0, -100)

    def build(self) -> None:
        with dpg.handler_registry(tag=ids.CANVAS_HANDLERS):
            dpg.add_mouse_wheel_handler(callback=lambda sender, delta: self._wheel(delta))

    def _wheel(self, delta) -> None:
        self.wheel += float(delta)

    # --- once a frame ------------------------------------------------------------------------------

    def poll(self) -> None:
        canvas = self.canvas
        self.frame += 1
        mouse = tuple(dpg.get_mouse_pos(local=False))
        hovered = canvas.is_hovered() or self.gesture is not None
        if self.wheel and canvas.is_hovered() and not canvas.minimap.contains(mouse):
            factor = WHEEL_STEP ** self.wheel
            canvas.zoom_to(canvas.view.zoom * factor,
                           (mouse[0] - canvas.canvas_rect[0], mouse[1] - canvas.canvas_rect[1]))
        self.wheel = 0.0
        for button in (LEFT, MIDDLE):
            down = dpg.is_mouse_button_down(button)
            if down and not self.was_down[button] and hovered and self.gesture is None:
                self.press(button, mouse)
            elif down and self.gesture is not None and self.detail is not None \
                    and self.detail.get("button") == button:
                self.scroll_at_edge(mouse)
                self.drag(mouse)
            elif not down and self.was_down[button] and self.gesture is not None \
                    and self.detail is not None and self.detail.get("button") == button:
                self.release(mouse)
            self.was_down[button] = down
        canvas.show_tooltip(mouse if self.gesture is None and canvas.is_hovered() else None)

    # --- what is under the mouse ------------------------------------------------------------------

    def hit(self, mouse) -> tuple[str | None, object]:
        """('output', reference), ('input', (node, pin)), ('value'|'exponent', node), ('node', id),
        ('link', key) or (None, None) for empty canvas."""
        canvas = self.canvas
        point = canvas.to_document(*mouse)
        reach = PIN_REACH / canvas.view.zoom
        pins = []  # (distance, kind, what): the nearest pin in reach wins, before any body
        for node_id in canvas.boxes.all_at(point, slack=reach):
            left, top, right, _ = canvas.node_rect(node_id)
            box = canvas.node_boxes[node_id]
            pins += [(abs(point[0] - right) + abs(point[1] - top - y), "output", reference)
                     for reference, y in box.outputs]
            pins += [(abs(point[0] - left) + abs(point[1] - top - y), "input", (node_id, pin))
                     for pin, y in enumerate(box.input_rows)]
        in_reach = [pin for pin in pins if pin[0] <= reach]
        if in_reach:
            _, kind, what = min(in_reach, key=lambda pin: pin[0])
            return kind, what
        node_id = canvas.boxes.at(point)
        if node_id is not None:
            left, top, _, _ = canvas.node_rect(node_id)
            return self._inside_node(node_id, point[0] - left, point[1] - top)
        key = canvas.link_at(point)
        if key is not None:
            return "link", key
        return None, None

    def _inside_node(self, node_id: str, x: float, y: float):
        canvas = self.canvas
        box = canvas.node_boxes[node_id]
        node = canvas.document.nodes[node_id]
        half = geometry.ROW_HEIGHT / 2
        lod = geometry.level_of_detail(canvas.view.zoom)
        if lod == "compact" and node.op == "param" and y >= canvas_draw.compact_value_top(canvas.view.zoom):
            return "value", node_id  # a compact box's value line: nudge it there too
        if lod == "full" and node.op == "call":
            for (reference, _), row in zip(box.outputs, box.output_rows):
                if abs(y - row) <= half:
                    return "output row", reference  # its number goes on the plane
        if lod == "full" and x > 50:
            if node.op in ("param", "const") and abs(y - box.value_row) <= half:
                return "value", node_id
            if box.exponent_row is not None and abs(y - box.exponent_row) <= half:
                return "exponent", node_id
        return "node", node_id

    # --- gestures -------------------------------------------------------------------------------------

    def press(self, button: int, mouse) -> None:
        canvas = self.canvas
        self.pressed_at = mouse
        self.detail = {"button": button, "view": canvas.view, "anchor": canvas.to_document(*mouse),
                       "scrolled_at": time.perf_counter()}
        if canvas.minimap.contains(mouse):
            self.gesture = "minimap"
            canvas.minimap.move_view_to(mouse)
            return
        if button == MIDDLE or dpg.is_key_down(dpg.mvKey_Spacebar):
            self.gesture = "pan"
            return
        canvas.editor.close()
        ctrl = dpg.is_key_down(dpg.mvKey_ModCtrl)
        kind, what = self.hit(mouse)
        double = self._second_click((kind, what))
        if kind == "link" and ctrl:
            canvas.disconnect_link(what)
            self.gesture = "done"
        elif kind == "link":
            canvas.select_link(what)
            self.gesture = "done"
        elif kind == "output":
            self.gesture = "wire"
            self.detail.update(source=what, target=None)
        elif kind == "input":
            self._press_input(*what)
        elif kind == "value" and canvas.document.nodes[what].op == "param" and not double:
            self.gesture = "nudge"
            self.detail.update(node=what, start=canvas.session.shown_value(what))
        elif kind in ("value", "exponent"):
            canvas.editor.open(what, kind)
            self.gesture = "done"
        elif kind == "output row" and not ctrl:
            self._press_node(split_reference(what)[0], output=what)
        elif kind in ("node", "output row"):
            what = split_reference(what)[0]
            if ctrl:
                if what in canvas.selection:
                    canvas.select(set(canvas.selection) - {what})
                else:
                    canvas.select([what], add=True)
                self.gesture = "done"
            else:
                self._press_node(what)
        else:
            if not ctrl:
                canvas.clear_selection()
            self.gesture = "box"
            self.detail.update(add=ctrl)

    def _press_node(self, node_id: str, output: str | None = None) -> None:
        """Select the node (unless it is selected: the selection moves) and drag it; a press on
        a call's output row also puts that output on the plane (None: its first)."""
        canvas = self.canvas
        if node_id not in canvas.selection:
            canvas.select([node_id])
            canvas.clear_link_selection()
        canvas.plane_output = output
        self.gesture = "move"

    def _second_click(self, target) -> bool:
        """A press on what the last press hit, soon after it: within DOUBLE_CLICK_SECONDS, or
        within DOUBLE_CLICK_FRAMES frames when frames are slow (a big graph, a loaded machine)."""
        now = time.perf_counter()
        previous, at, frame = self.last_press
        self.last_press = (target, now, self.frame)
        return previous == target and (now - at <= DOUBLE_CLICK_SECONDS
                                       or self.frame - frame <= DOUBLE_CLICK_FRAMES)

    def _press_input(self, node_id: str, pin: int) -> None:
        source = self.canvas.document.nodes[node_id].inputs[pin]
        self.gesture = "wire"
        if source is not None:  # pick the link up: it follows the mouse from its source
            self.detail.update(source=source, target=None, lifted=(node_id, pin))
        else:
            self.detail.update(source=None, target=(node_id, pin))

    def drag(self, mouse) -> None:
        canvas = self.canvas
        dx, dy = mouse[0] - self.pressed_at[0], mouse[1] - self.pressed_at[1]
        if self.gesture == "pan":
            canvas.set_view(self.detail["view"].panned(dx, dy))
        elif self.gesture == "minimap":
            canvas.minimap.move_view_to(mouse)
        elif self.gesture == "move":
            point, anchor = canvas.to_document(*mouse), self.detail["anchor"]
            if point != anchor:  # in document units, so the view may scroll under the drag
                canvas.drag_selection((point[0] - anchor[0], point[1] - anchor[1]))
        elif self.gesture == "nudge" and dx:
            value = self.detail["start"] + dx * DRAG_SPEED
            if value != canvas.session.shown_value(self.detail["node"]):
                canvas.nudge(self.detail["node"], value)
        elif self.gesture == "wire":
            start = (canvas.output_point(self.detail["source"]) if self.detail["source"] is not None
                     else canvas.input_point(*self.detail["target"]))
            self._draw_overlay("wire", start, canvas.to_document(*mouse))
        elif self.gesture == "box":
            self._draw_overlay("box", self.detail["anchor"], canvas.to_document(*mouse))

    def scroll_at_edge(self, mouse) -> None:
        """While a node, a wire or a box is dragged near the canvas's edge (or past it), the view
        scrolls that way, faster the deeper in: EDGE_SPEED pixels a second at the edge itself."""
        now = time.perf_counter()
        seconds = min(now - self.detail["scrolled_at"], MAX_SCROLL_STEP)
        self.detail["scrolled_at"] = now
        if self.gesture not in ("move", "wire", "box"):
            return
        moved = abs(mouse[0] - self.pressed_at[0]) + abs(mouse[1] - self.pressed_at[1])
        self.detail["dragging"] = self.detail.get("dragging") or moved > DRAG_START
        if not self.detail["dragging"]:
            return  # a press held still near the edge is not a drag
        left, top, width, height = self.canvas.canvas_rect
        push_x = _edge_push(mouse[0] - left, width)
        push_y = _edge_push(mouse[1] - top, height)
        if push_x or push_y:
            step = EDGE_SPEED * seconds
            self.canvas.set_view(self.canvas.view.panned(-push_x * step, -push_y * step))

    def release(self, mouse) -> None:
        canvas = self.canvas
        gesture, detail = self.gesture, self.detail
        self.gesture, self.detail = None, None
        self._clear_overlay()
        if gesture == "move":
            canvas.drop_selection()
            if not _inside(mouse, canvas.canvas_rect):  # dropped past the edge, under a panel
                canvas.sync_layout()
                canvas.keep_in_view(canvas.selected_nodes())
        elif gesture == "wire":
            self._drop_wire(detail, mouse)
        elif gesture == "box":
            start, end = detail["anchor"], canvas.to_document(*mouse)
            rect = (min(start[0], end[0]), min(start[1], end[1]),
                    max(start[0], end[0]), max(start[1], end[1]))
            if rect[2] - rect[0] > 2 / canvas.view.zoom or rect[3] - rect[1] > 2 / canvas.view.zoom:
                canvas.select(canvas.boxes.touching(rect), add=detail.get("add", False))
        canvas.end_gesture()

    def _drop_wire(self, detail, mouse) -> None:
        canvas = self.canvas
        kind, what = self.hit(mouse)
        source, lifted = detail.get("source"), detail.get("lifted")
        if source is None:  # dragged from a free input pin
            if kind == "output":
                canvas.connect_pins(ids.output_pin(what), ids.input_pin(*detail["target"]))
            return
        if lifted is not None and (kind, what) == ("input", lifted):
            return  # put back where it was
        if kind == "input":
            if lifted is not None:
                canvas.disconnect_link((source, *lifted))
            canvas.connect_pins(ids.output_pin(source), ids.input_pin(*what))
        elif kind == "output" and what == source and lifted is None:
            canvas.select([split_reference(what)[0]])  # a click on an output pin: it goes on the plane
            canvas.plane_output = what
        elif kind == "output":
            canvas.session.status = "drag from an output pin (right side) to an input pin (left side)"
        elif lifted is not None:
            canvas.disconnect_link((source, *lifted))
        elif kind is None and canvas.ask_for_node is not None:
            at = canvas.to_document(*mouse)
            canvas.ask_for_node(lambda op: canvas.add_linked_node(source, op, (at[0], at[1] - 30)))

    # --- what a gesture draws ---------------------------------------------------------------------

    def _draw_overlay(self, kind: str, start, end) -> None:
        self._clear_overlay()
        if kind == "wire":
            self.overlay = dpg.draw_line(start, end, parent=ids.OVERLAY_LAYER, color=WIRE_COLOUR,
                                         thickness=2)
        else:
            self.overlay = dpg.draw_rectangle(start, end, parent=ids.OVERLAY_LAYER, color=BOX_COLOUR,
                                              fill=BOX_COLOUR[:3] + (40,))

    def _clear_overlay(self) -> None:
        if self.overlay is not None:
            dpg.delete_item(self.overlay)
            self.overlay = None


def _edge_push(position: float, size: float) -> float:
    """-1..1: how far into the band at the start (-) or end (+) of [0, size] a position is."""
    band = min(EDGE_BAND, size / 4)
    if position < band:
        return -min(1.0, (band - position) / band)
    if position > size - band:
        return min(1.0, (position - (size - band)) / band)
    return 0.0


def _inside(point, rect) -> bool:
    left, top, width, height = rect
    return left <= point[0] <= left + width and top <= point[1] <= top + height
