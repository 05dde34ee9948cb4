"""The canvas's edits: what a gesture or a menu entry changes in the document, as session edits.

Part of the Canvas (gui/canvas.py). Each method is one plain action, called by the gestures
(gui/canvas_input.py), the menus and the tests. Everything one mouse press does (a drag, a
rewire, a nudge) shares a merge key made from the gesture's number, so it undoes as one step;
`Session.edit_shown` sends an edit to the graph, or to the definition of the function being
edited (session_scope.py).
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg

from mlgarden.gui import geometry, ids
from mlgarden.gui.geometry import ViewTransform

NUDGE_DIGITS = 12  # a nudge's value is rounded here: 0.5 + 60 * 0.01 is 1.1, not 1.1000000000000001


class EditMixin:
    # --- values --------------------------------------------------------------------------------

    def nudge(self, node_id: str, value: float) -> None:
        """A param's value is being dragged: set it and show the new numbers at once."""
        value = round(float(value), NUDGE_DIGITS)
        self.session.set_shown_value(node_id, value, merge_key=("value", node_id, self._gesture))
        self.show_values(force=True)

    def set_const(self, node_id: str, value: float) -> None:
        """A typed value of a param or const (in a body, a param's is the shown instance's)."""
        self.session.set_shown_value(node_id, float(value))
        self.show_values(force=True)

    def set_exponent(self, node_id: str, exponent: float) -> None:
        self.session.edit_shown("set_exponent", node_id, float(exponent))

    # --- links ---------------------------------------------------------------------------------

    def connect_pins(self, first_pin: str, second_pin: str) -> None:
        """Link an output pin and an input pin, given by their tags, either way round."""
        first, second = ids.pin_of(first_pin), ids.pin_of(second_pin)
        if first is None or second is None:
            return
        if first[1] is not None:
            first, second = second, first
        (source, source_pin), (target, pin) = first, second
        if source_pin is not None or pin is None:
            self.session.status = "drag from an output pin (right side) to an input pin (left side)"
            return
        self.session.edit_shown("connect", source, target, pin, merge_key=("wire", self._gesture))

    def disconnect_link(self, link) -> None:
        """Cut a link, given by its key (source, target, pin) or its tag."""
        key = ids.link_of(link) if isinstance(link, str) else link
        if key is not None:
            self.session.edit_shown("disconnect", key[1], key[2], merge_key=("wire", self._gesture))

    def disconnect_inputs(self, node_id: str) -> None:
        node = self.document.nodes.get(node_id)
        if node is None:
            return
        key = ("disconnect inputs", self._gesture)
        for pin in reversed(range(len(node.inputs))):
            if node.inputs[pin] is not None:
                self.session.edit_shown("disconnect", node_id, pin, merge_key=key)
        self.session.end_gesture()

    def add_linked_node(self, source: str, op: str, at) -> str | None:
        """A wire dropped on empty canvas: add `op` there and feed its first pin from `source`."""
        key = ("add linked", self._gesture)
        node_id = self.session.edit_shown("add_node", op, pos=self.free_spot_for(op, at), merge_key=key)
        if not node_id:
            return None
        if self.document.pin_count(node_id):
            self.session.edit_shown("connect", source, node_id, 0, merge_key=key)
        self.session.end_gesture()
        self.session.status = f"added {node_id}, fed by {source}"
        return node_id

    # --- selection and deleting -----------------------------------------------------------------

    def selected_nodes(self) -> list[str]:
        return [node_id for node_id in self.drawings if node_id in self.selection]

    def selected_links(self) -> list[tuple[str, str, int]]:
        return [key for key in self.links if key in self.selected_link_set]

    def select_link(self, key, add: bool = False) -> None:
        if not add:
            self.select(())
            self.selected_link_set.clear()
        self.selected_link_set.add(key)
        self.restyle_links()

    def select_new(self, node_ids) -> None:
        """Make the nodes a paste or a duplicate just added the selection, as a drawing program
        does: the next drag moves them and Delete deletes them, not the nodes they were copied
        from. Nothing changes when the edit was refused (None)."""
        if not node_ids:
            return
        self._sync_if_stale()  # draw them first: only drawn nodes can be selected
        self.clear_selection()
        self.select(node_ids)

    def delete_selection(self) -> None:
        """Delete the selected links, then the selected nodes, as one undo step."""
        nodes, links = self.selected_nodes(), self.selected_links()
        if not nodes and not links:
            self.session.status = "select nodes or links to delete (click a node, ctrl+click to add)"
            return
        key = ("delete", self._gesture)
        doomed = set(nodes)
        for source, target, pin in sorted(links, key=lambda link: (link[1], -link[2])):
            if target not in doomed:
                self.session.edit_shown("disconnect", target, pin, merge_key=key)
        if nodes:
            self.session.edit_shown("remove_nodes", nodes, merge_key=key)
        self.session.end_gesture()
        self.clear_selection()
        self.session.status = f"deleted {len(nodes)} node(s) and {len(links)} link(s)"

    def delete_node(self, node_id: str) -> None:
        self.session.edit_shown("remove_node", node_id)

    # --- adding, naming, roles -----------------------------------------------------------------

    def add_node(self, op: str, pos: tuple[float, float], find_space: bool = False) -> str | None:
        """Add a node of `op` with its corner at `pos` (or the free spot nearest it)."""
        if find_space:
            pos = self.free_spot_for(op, pos)
        node_id = self.session.edit_shown("add_node", op, pos=(float(pos[0]), float(pos[1])))
        if node_id:
            self.session.status = f"added {node_id}"
        return node_id

    def free_spot_for(self, op: str, wanted) -> tuple[float, float]:
        """The free spot nearest `wanted` for a new node of `op`, inside the view if it can be."""
        size = (geometry.NODE_WIDTH, 130.0 if op == "call" else 102.0)
        return geometry.free_position(self.boxes, size, wanted, self.visible_rect())

    def free_spot_for_fragment(self, fragment, wanted) -> tuple[float, float]:
        """Where a paste's top-left corner goes: the free spot nearest `wanted` for its block."""
        if not fragment:
            return wanted
        xs = [node.pos[0] for node in fragment.nodes]
        ys = [node.pos[1] for node in fragment.nodes]
        size = (max(xs) - min(xs) + geometry.CALL_NODE_WIDTH, max(ys) - min(ys) + 110.0)
        return geometry.free_position(self.boxes, size, wanted, self.visible_rect())

    def free_offset_for(self, node_ids) -> tuple[float, float]:
        """How far to move new nodes so they cover none of the others and stay in view."""
        new = set(node_ids)
        others = geometry.Boxes({n: self.node_rect(n) for n in self.drawings if n not in new})
        rects = [self.node_rect(n) for n in node_ids if n in self.drawings]
        if not rects:
            return 0.0, 0.0
        block = (min(r[0] for r in rects), min(r[1] for r in rects),
                 max(r[2] for r in rects), max(r[3] for r in rects))
        return geometry.free_offset(others, block, block[:2], self.visible_rect())

    def make_room_for(self, node_ids) -> None:
        """Move nodes an edit just added (collapse, expand, insert function, insert layer) off
        the others, as part of that edit's undo step, and bring them into view."""
        if not node_ids or self.scope is not None:
            return  # inside a body the edit went to the definition: it is placed as it is
        if self._structure_stale:
            self.sync_structure()
        self.sync_layout()
        node_ids = [n for n in node_ids if n in self.document.nodes]
        dx, dy = self.free_offset_for(node_ids)
        if dx or dy:
            for node_id in node_ids:
                x, y = self.document.nodes[node_id].pos
                self.session.amend("move", node_id, (x + dx, y + dy))
            self.sync_layout()
        self.keep_in_view(node_ids)

    def keep_in_view(self, node_ids) -> None:
        """Pan, at the same zoom, so the new nodes are in view: whole if they fit, else their
        top-left corner first (where reading starts)."""
        bounds = self.boxes.bounds(node_ids)
        if bounds is None:
            return
        left, top, right, bottom = self.visible_rect()
        if bounds[0] >= left and bounds[1] >= top and bounds[2] <= right and bounds[3] <= bottom:
            return
        margin = geometry.SMALL_MARGIN / self.view.zoom
        width, height = right - left, bottom - top
        x = bounds[0] - margin if bounds[2] - bounds[0] + 2 * margin > width \
            else min(max(left, bounds[2] + margin - width), bounds[0] - margin)
        y = bounds[1] - margin if bounds[3] - bounds[1] + 2 * margin > height \
            else min(max(top, bounds[3] + margin - height), bounds[1] - margin)
        self.show_view((x, y))

    def rename(self, node_id: str, label: str) -> None:
        if self.session.edit_shown("rename", node_id, label.strip()):
            self.session.status = f"renamed {node_id} to {label.strip() or node_id}"

    def set_role(self, node_id: str, role: str) -> None:
        if self.session.edit_shown(f"set_{role}", node_id):
            self.session.status = f"{self.document.nodes[node_id].title} is the {role}"

    def toggle_trainable(self, node_id: str) -> None:
        node = self.document.nodes.get(node_id)
        if node is not None and node.op == "param":
            self.session.edit_shown("set_trainable", node_id, not node.trainable)

    # --- moves -----------------------------------------------------------------------------------

    def move_selection(self, offset: tuple[float, float]) -> None:
        """The selected nodes were dragged by `offset` (document units): one undo step."""
        key = ("move", self._gesture)
        moved = 0
        for node_id in self.selected_nodes():
            x, y = self.document.nodes[node_id].pos
            if self.session.edit_shown("move", node_id, (x + offset[0], y + offset[1]), merge_key=key):
                moved += 1
        if moved:
            self.session.status = f"moved {moved} node(s)"

    # --- a function's body -------------------------------------------------------------------------

    def open_function(self, name: str, instance: str | None = None) -> None:
        """Show the body of function `name` in place of the graph, to edit its definition, with
        the numbers of call `instance` (by default the first instance)."""
        graph_view = self.view if self.scope is None else self._graph_view
        if not self.session.open_function(name, instance):
            return
        self._graph_view = graph_view
        self._clear_items()
        self.show_function_heading()
        dpg.configure_item(ids.FUNCTION_HEADING, show=True)
        self._measure()
        self.sync_structure()
        self.sync_layout()
        self.set_view(self._fitted_view())

    def show_function_heading(self) -> None:
        """Name the function shown and the instance whose numbers it shows; again whenever that
        instance changes (the chosen call deleted, or back after an undo)."""
        shown = self.session.scope_instance
        self._heading_instance = shown
        numbers = (f"numbers and param values of instance {shown}" if shown
                   else "numbers — (no instance in the graph)")
        dpg.set_value(ids.FUNCTION_HEADING_TEXT, f"Editing function {self.scope} — every instance "
                                                 f"follows its nodes and links; {numbers}")

    def close_function(self) -> None:
        """Show the graph again, where it was before the body was opened."""
        if self.scope is None:
            return
        self._clear_items()
        self.session.close_function()
        dpg.configure_item(ids.FUNCTION_HEADING, show=False)
        self.set_view(ViewTransform(self._graph_view.origin, self._graph_view.zoom))

    def _clear_items(self) -> None:
        """Delete every node and link item (the ids of a body and of the graph may clash)."""
        for link in self.links.values():
            link.delete()
        self.links.clear()
        for drawing in self.drawings.values():
            drawing.delete()
        self.drawings.clear()
        self.node_boxes.clear()
        self.selection.clear()
        self.selected_link_set.clear()
        self._structure_stale = True
