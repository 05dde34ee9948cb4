"""What the canvas shows of the view and the numbers: culling, level of detail, texts, link colours.

Part of the Canvas (gui/canvas.py), kept apart to keep each module short:
- `show_view_if_moved`: after a pan, zoom, resize or layout change, one `apply_transform` moves
  the whole world; the nodes and links that meet the view (plus a margin) are shown and the rest
  hidden, so what is out of view costs nothing to draw; each shown node gets the level of detail
  of the zoom (full, compact, block), links are curves at full detail and straight lines below;
- `show_values`: the value and gradient texts that changed, the compact boxes' gradient bars, and
  each link's colour and width: the gradient flowing back along that link, the share of its
  target's gradient that goes through that input, grad(target) * d target/d input
  (learning/link_gradients.py), so two links out of one node can differ; on the Dataset window's
  blue-white-red scale (blue negative, red positive), the width growing with its size on a log
  scale relative to the largest gradient (View > Gradient-coloured links turns it off);
- `show_tooltip`: the op's formula and local derivatives over a node's value row (a call's
  function over its function row), in a small window beside the mouse;
- `screen_rect` / `text_of`: where a part of a node is drawn and what a text reads, for tests and
  for the value editor.
"""

from __future__ import annotations

import time

import dearpygui.dearpygui as dpg

from mlgarden.document.graph import make_reference
from mlgarden.gui import canvas_draw, geometry, ids, node_view, theme
from mlgarden.learning.link_gradients import LinkGradients, link_gradient

TRAINING_REFRESH_SECONDS = 0.2  # numbers and link colours while training: five refreshes a second
BLOCK_LINK_WIDTH = 2.0  # the widest link when nodes are blocks
CULL_MARGIN = 40.0  # document units kept drawn around the view, so a small pan shows no gap


class ShowMixin:
    # --- view, culling, level of detail ------------------------------------------------------------

    def show_view_if_moved(self) -> None:
        key = (self.view.origin, self.view.zoom, self.canvas_rect)
        if not self._view_stale and key == self._shown_view:
            return
        dpg.apply_transform(ids.WORLD, canvas_draw.view_matrix(self.view))
        lod = geometry.level_of_detail(self.view.zoom)
        if lod != self._shown_lod:  # link widths depend on it
            self._shown_lod = lod
            self.restyle_links()
        self.cull()
        self._shown_view = key
        self._view_stale = False
        if dpg.does_item_exist(ids.ZOOM_TEXT):
            dpg.set_value(ids.ZOOM_TEXT, f"zoom {self.zoom_text()}")

    def cull(self) -> None:
        """Show what meets the view, hide the rest, at the zoom's level of detail."""
        left, top, right, bottom = self.visible_rect()
        margin = CULL_MARGIN
        seen = set(self.boxes.touching((left - margin, top - margin, right + margin, bottom + margin)))
        lod = geometry.level_of_detail(self.view.zoom)
        if self.drag_offset is not None:  # nodes being dragged are where the mouse is
            seen.update(self.selection)
        for node_id, drawing in self.drawings.items():
            visible = node_id in seen
            drawing.set_visible(visible)
            if visible:
                drawing.show_detail(lod, self.view.zoom)
                if drawing.numbers_stale and self._numbers is not None:
                    self._show_node_numbers(node_id)
        link_mode = "curve" if lod == "full" else "line"
        for key, link in self.links.items():
            if link.ends is None:
                continue
            (x1, y1), (x2, y2) = link.ends
            shown = (min(x1, x2) - 60 <= right + margin and max(x1, x2) + 60 >= left - margin
                     and min(y1, y2) <= bottom + margin and max(y1, y2) >= top - margin)
            link.show_as(link_mode if shown else "hidden")
            if shown and link.style_stale and self._numbers is not None:
                self._style_link(key, link)

    # --- numbers ---------------------------------------------------------------------------------

    def show_values(self, force: bool = False) -> None:
        """Show the session's evaluation on the nodes and links in view; the others catch up
        when they come into view (`cull`), so a nudge costs what is seen, not the graph's size."""
        started = time.perf_counter()
        if (not force and self.session.playing
                and started - self._values_shown_at < TRAINING_REFRESH_SECONDS):
            return  # training changes every number every frame: five refreshes a second are enough
        evaluation = self.session.evaluation()
        walk = self.session.stepthrough  # a step-through shows only the numbers known so far
        shown = (evaluation, walk, walk.position if walk else None)
        last = self._shown_evaluation
        if last is not None and last[0] is evaluation and last[1] is walk and last[2] == shown[2]:
            return
        self._shown_evaluation = shown
        values, grads = ((walk.shown_values(), walk.shown_gradients()) if walk
                         else (evaluation.values, evaluation.grads))
        has_gradients = evaluation.backprop_from is not None  # of the loss, else of the result
        self._numbers = self._numbers_of(values, grads, has_gradients)
        self._link_shares = (LinkGradients(self.session.document.program(), values, grads)
                             if has_gradients else None)
        self.largest_gradient = max(
            (abs(g) for g in grads.values() if g == g and abs(g) != float("inf")),
            default=0.0) if has_gradients else 0.0
        for node_id, drawing in self.drawings.items():
            drawing.numbers_stale = True
            if drawing.visible:
                self._show_node_numbers(node_id)
        for key, link in self.links.items():
            link.style_stale = True
            if link.mode != "hidden":
                self._style_link(key, link)
        self._values_shown_at = started

    def _numbers_of(self, values: dict, grads: dict, has_gradients: bool):
        """A function: reference shown -> (value, gradient) at the current point, or Nones."""
        prefix, pins = self._flat_prefix()
        document = self.document

        def numbers(reference):
            node_id = reference.split(":")[0]
            node = document.nodes.get(node_id)
            if node is None:
                return None, None
            if node.op == "call":
                flat_id = self._flat_id(reference, prefix)
            else:
                flat_id = pins.get(node_id, None if prefix is None else prefix + node_id)
                if self.scope is not None and node.op == "param" and node.shared:
                    flat_id = f"{self.scope}::{node_id}"  # one value for every instance
            value = values.get(flat_id) if flat_id is not None else None
            gradient = grads.get(flat_id) if flat_id is not None and has_gradients else None
            return value, gradient

        return numbers

    def _show_node_numbers(self, node_id: str) -> None:
        drawing, node = self.drawings[node_id], self.document.nodes[node_id]
        drawing.numbers_stale = False
        if node.op == "call":
            for k in range(self.document.output_count(node_id)):
                reference = make_reference(node_id, k)
                value, gradient = self._numbers(reference)
                drawing.set_text(ids.value_text(reference), theme.number(value))
                drawing.set_text(ids.gradient_text(reference), theme.number(gradient))
            return
        value, gradient = self._numbers(node_id)
        if node.op in ("param", "const"):
            value = self.session.shown_value(node_id)
        drawing.set_text(ids.value_text(node_id), theme.number(value))
        if node.op == "pow":
            drawing.set_text(ids.exponent_field(node_id), theme.number(node.exponent))
        drawing.set_text(ids.gradient_text(node_id), theme.number(gradient))
        drawing.set_gradient_bar(canvas_draw.signed_log_fraction(gradient, self.largest_gradient))

    def _style_link(self, key, link) -> None:
        link.style_stale = False
        largest = self.largest_gradient
        shares = self._link_shares
        gradient = (link_gradient(self.session.document, self.scope, key, shares, self.session.scope_instance)
                    if shares is not None and self.show_gradients else None)
        if key in self.highlight_links:
            link.set_style(canvas_draw.HIGHLIGHT_COLOUR, 4.0)
        elif key in self.selected_link_set:
            link.set_style(canvas_draw.SELECTED_COLOUR, 3.0)
        elif not self.show_gradients or gradient is None:
            link.set_style(canvas_draw.LINK_COLOUR, 2.0)
        else:
            fraction = canvas_draw.signed_log_fraction(gradient, largest)
            width = geometry.link_width(gradient, largest)
            if self._shown_lod == "block":  # zoomed far out, long wide links are mostly fill
                width = min(width, BLOCK_LINK_WIDTH)
            link.set_style(canvas_draw.link_colour(fraction), width)

    def restyle_links(self) -> None:
        """Selection, highlight or the gradient toggle changed: colour the links again."""
        self._shown_evaluation = None

    def _flat_prefix(self) -> tuple[str | None, dict]:
        """How a shown node's id becomes a flat id of the program: '' for the graph; in a body,
        'instance/' of the instance whose numbers it shows (None with no instance), and for each
        input node the flat id of what feeds that pin of the instance."""
        if self.scope is None:
            return "", {}
        graph = self.session.document
        instance = self.session.scope_instance
        if instance is None:
            return None, {}
        call = graph.nodes[instance]
        pins = {}
        for pin_id, source in zip(graph.definition(self.scope).input_ids(), call.inputs):
            pins[pin_id] = graph.flat_id(source) if source is not None else None
        return f"{call.id}/", pins

    def _flat_id(self, reference: str, prefix: str | None) -> str | None:
        if prefix is None:
            return None
        if prefix == "":
            return self.session.document.flat_id(reference)
        return prefix + self.document.flat_id(reference)

    # --- outlines: selection, roles, highlight ------------------------------------------------------

    def _show_outline(self, node_id: str) -> None:
        drawing = self.drawings[node_id]
        roles = getattr(drawing, "roles", ())
        if node_id == self.highlight_node:
            drawing.set_outline(canvas_draw.HIGHLIGHT_COLOUR, 4.0)
        elif node_id in self.selection:
            drawing.set_outline(canvas_draw.SELECTED_COLOUR, 3.0)
        elif roles:
            role = "loss" if "loss" in roles else "result"
            drawing.set_outline(theme.ROLE_OUTLINES[role], 3.0)
        else:
            drawing.set_outline(canvas_draw.OUTLINE_COLOUR, 1.0)

    def select(self, node_ids, add: bool = False) -> None:
        before = set(self.selection)
        self.selection = (self.selection | set(node_ids)) if add else set(node_ids)
        self.selection &= set(self.drawings)
        for node_id in before ^ self.selection:
            self._show_outline(node_id)

    def clear_selection(self) -> None:
        self.select(())
        if self.selected_link_set:
            self.selected_link_set.clear()
            self.restyle_links()

    def highlight(self, node_id: str | None = None, links=()) -> None:
        """Mark one node and some links, given by their keys (source, target, pin): the
        step-through shows where it is (gui/learning_aids.py); no arguments clear it."""
        previous = self.highlight_node
        self.highlight_node, self.highlight_links = node_id, set(links)
        for changed in {previous, node_id} - {None}:
            if changed in self.drawings:
                self._show_outline(changed)
        self.restyle_links()

    def set_gradient_links(self, shown: bool) -> None:
        self.show_gradients = shown
        self.restyle_links()

    # --- hover help ----------------------------------------------------------------------------

    def show_tooltip(self, mouse) -> None:
        """The op's formula and derivatives over a node's value row; a call's function row."""
        text = None
        if mouse is not None and geometry.level_of_detail(self.view.zoom) == "full":
            point = self.to_document(*mouse)
            node_id = self.boxes.at(point)
            if node_id is not None:
                box = self.node_boxes[node_id]
                row_y = point[1] - self.node_position(node_id)[1]
                row = box.function_row if box.function_row is not None else box.value_row
                if abs(row_y - row) <= geometry.ROW_HEIGHT / 2:
                    text = node_view.tooltip_text(self.document, node_id)
        if text != self._shown_tooltip:
            if text is not None:
                dpg.set_value(ids.CANVAS_TOOLTIP_TEXT, text)
            dpg.configure_item(ids.CANVAS_TOOLTIP, show=text is not None)
            if text is not None:
                dpg.configure_item(ids.CANVAS_TOOLTIP, pos=(int(mouse[0] + 16), int(mouse[1] + 18)))
            self._shown_tooltip = text


    # --- where things are on screen, what they read ------------------------------------------------

    def text_of(self, tag: str) -> str | None:
        """What a node's text reads (ids.value_text, ids.gradient_text, ..., or a node's title);
        a node out of view is brought up to date first."""
        for node_id, drawing in self.drawings.items():
            if tag in drawing.texts and drawing.numbers_stale and self._numbers is not None:
                self._show_node_numbers(node_id)
            if tag in drawing.texts:
                text = drawing.texts[tag]
                return f"grad {text}" if tag.startswith("grad:") else text
        return None

    def screen_rect(self, tag: str) -> tuple[float, float, float, float] | None:
        """(x, y, width, height) in viewport pixels of a node, one of its texts or fields, or a pin
        (a pin's rect is a small square around it); None for a tag the canvas does not draw."""
        kind, _, rest = str(tag).partition(":")
        zoom = self.view.zoom
        if kind == "node" and rest in self.drawings:
            left, top, right, bottom = self.node_rect(rest)
            x, y = self.to_screen((left, top))
            return x, y, (right - left) * zoom, (bottom - top) * zoom
        if kind == "out":
            node_id = rest.split(":")[0]
            if node_id in self.drawings:
                return self._square(self.output_point(rest))
            return None
        if kind == "in":
            node_id, _, pin = rest.rpartition(":")
            rows = self.node_boxes[node_id].input_rows if node_id in self.drawings else ()
            if pin.isdigit() and int(pin) < len(rows):
                return self._square(self.input_point(node_id, int(pin)))
            return None
        if kind in ("field", "value", "grad", "exponent", "function", "label"):
            return self._text_rect(tag)
        return None

    def title_point(self, node_id: str) -> tuple[float, float]:
        """A point on the node's title bar, clear of its pins: grab here to move the node."""
        left, top, right, _ = self.node_rect(node_id)
        return self.to_screen(((left + right) / 2, top + geometry.TITLE_HEIGHT / 2))

    def _square(self, point, half: float = 3.0):
        x, y = self.to_screen(point)
        return x - half, y - half, 2 * half, 2 * half

    def _text_rect(self, tag: str):
        """The row of a node's text: from the text's start to the node's right edge."""
        if tag.startswith("field:"):
            tag = ids.value_text(tag.partition(":")[2])
        zoom = self.view.zoom
        if geometry.level_of_detail(zoom) == "compact":
            for node_id, drawing in self.drawings.items():
                if drawing.lines.get("compact_value") == tag:
                    left, top, right, _ = self.node_rect(node_id)
                    inset = canvas_draw.compact_inset(zoom)
                    x, y = self.to_screen((left + inset, top + canvas_draw.compact_value_top(zoom)))
                    return x, y, (right - left - 2 * inset) * zoom, canvas_draw.COMPACT_TEXT_SIZE + 2
            return None
        for node_id, drawing in self.drawings.items():
            for text_tag, (x, y), _, field in drawing.lines.get("texts", ()):
                if text_tag != tag:
                    continue
                box = self.node_boxes[node_id]
                left, top = self.node_position(node_id)
                start = x - 3 if field else x
                sx, sy = self.to_screen((left + start, top + y - geometry.ROW_HEIGHT / 2))
                width = (box.width - 10 - start) * self.view.zoom
                return sx, sy, width, geometry.ROW_HEIGHT * self.view.zoom
        return None
