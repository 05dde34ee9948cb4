"""The canvas: the node editor that draws the document and turns gestures into session edits.

The canvas holds no state the file would lose. It keeps a view per node and a tag per link,
and once a frame (`update`) brings them in line with the document:

- after a `structure` or `reset` event it *syncs* the items: nodes that appeared are built,
  nodes that went or changed shape are deleted (their links first: design fact 2), links are
  added and deleted to match the document's links;
- after `layout` (and `reset`) it sets titles, role marks and positions that differ;
- whenever the session's evaluation is a new one (a value changed, training stepped, the data
  point moved) it sets the texts of values and gradients that changed, and nothing else; while
  training plays, at most ten times a second.

Gestures become edits through plain methods (what the callbacks and the tests call):
`nudge`, `connect_pins`, `disconnect_link`, `delete_selection`, `add_node`, `rename`, `set_role`,
`disconnect_inputs`, `commit_moves`. Node moves fire no callback (design fact 8): on mouse release
the canvas compares each node's position with the document and records the moved ones as one
step. Everything one mouse press does (a drag, a rewire that arrives as delink + link) shares a
merge key, so it undoes as one step.

There is no API for the editor's pan (design fact 3), so the canvas keeps its own view
(gui/view.py): a node is put at grid position = document position - offset, and a hidden,
transparent node kept at grid (0, 0) reveals the pan, which turns the mouse position into a
document position (nodes added or pasted at the mouse) and gives the view origin saved with the
file. When a graph is opened the canvas shows its saved view origin, or fits the graph; `fit`
(View > Fit graph, F) fits it again.

A user function's body can be shown instead of the graph (`open_function`, "Edit definition" on a
call node): the canvas then draws `document.body(name)`, a copy rebuilt after every change, and
routes every edit through `Document.edit_definition(name, ...)` (`_edit`), so every instance
follows and each edit is one undo step. A heading names the function and has a "Back to graph"
button (`close_function`). The numbers shown in a body are those of the graph's first instance of
the function (its flat ids "instance/body id"); with no instance they are "—".
"""

from __future__ import annotations

import time

import dearpygui.dearpygui as dpg

from mlgarden.document.graph import make_reference
from mlgarden.gui import ids, theme
from mlgarden.gui.node_view import NodeActions, NodeView, shape_of
from mlgarden.gui.view import View, fitted_origin, saved_origin
from mlgarden.session import Session

POSITION_TOLERANCE = 1.0  # Dear PyGui reports a node's position in whole pixels
TRAINING_REFRESH_SECONDS = 0.1


class Canvas:
    def __init__(self, session: Session):
        self.session = session
        self.views: dict[str, NodeView] = {}
        self.link_tags: dict[tuple[str, str, int], str] = {}
        self.themes: dict = {}
        self.actions = NodeActions(self.nudge, self.set_const, self.set_exponent)
        self._structure_stale = True
        self._layout_stale = True
        self._shown_evaluation = None
        self._values_shown_at = 0.0
        self._gesture = 0
        self._released = False
        self.view = View()
        self._shown_opened: int | None = None  # the session's `opened` whose view is shown
        self.last_sync_seconds = 0.0
        self.last_values_seconds = 0.0
        self.scope: str | None = None  # the function whose body is shown, or None for the graph
        self._body = None
        self._graph_origin = (0.0, 0.0)
        session.document.subscribe(self._on_document_change)

    @property
    def document(self):
        """What the canvas draws: the graph, or a copy of the body of the function being edited."""
        if self.scope is None:
            return self.session.document
        if self._body is None:
            self._body = self.session.document.body(self.scope)
        return self._body

    def _edit(self, name: str, *args, **kwargs):
        """A named edit of what is shown: of the graph, or of the function's body (one undo step)."""
        if self.scope is None:
            return self.session.edit(name, *args, **kwargs)
        return self.session.edit("edit_definition", self.scope, name, *args, **kwargs)

    # --- building ------------------------------------------------------------------------------

    def build(self, parent: str) -> None:
        self.themes = theme.create_node_themes()
        with dpg.group(tag=ids.FUNCTION_HEADING, parent=parent, horizontal=True, show=False):
            dpg.add_button(label="< Back to graph", tag=ids.FUNCTION_BACK,
                           callback=lambda: self.close_function())
            dpg.add_text("", tag=ids.FUNCTION_HEADING_TEXT, color=(255, 200, 120, 255))
        dpg.add_node_editor(tag=ids.EDITOR, parent=parent, minimap=True,
                            minimap_location=dpg.mvNodeMiniMap_Location_BottomRight,
                            callback=lambda sender, pins: self.connect_pins(*pins),
                            delink_callback=lambda sender, link: self.disconnect_link(link))
        dpg.bind_item_theme(parent, theme.create_editor_theme())  # editors skip their own theme
        dpg.add_node(tag=ids.ORIGIN_NODE, label="", pos=(0, 0), parent=ids.EDITOR, draggable=False)
        dpg.bind_item_theme(ids.ORIGIN_NODE, theme.create_origin_theme())

    def _on_document_change(self, what: str) -> None:
        self._body = None
        if self.scope is not None and what != "layout":
            what = "structure" if what in ("structure", "reset") else "layout"
        if what in ("structure", "reset"):
            self._structure_stale = True
        if what in ("layout", "reset"):
            self._layout_stale = True

    # --- once a frame --------------------------------------------------------------------------

    def update(self) -> None:
        """Bring the items in line with the document: view, structure, layout, then numbers."""
        self.view.measure_corner()
        if self.scope is not None and self.scope not in self.session.document.functions:
            self.close_function()  # an undo or an open took the function away
        if self._shown_opened != self.session.opened:
            if self.scope is not None:
                self.close_function()
            self._shown_opened = self.session.opened
            document = self.session.document
            self.show_view(saved_origin(document) or self._fitted_origin())
        if self._structure_stale:
            self.sync_structure()
        if self._layout_stale:
            self.sync_layout()
        self.show_values()

    def sync_structure(self) -> None:
        started = time.perf_counter()
        document = self.document
        changed = {node_id for node_id, view in self.views.items()
                   if node_id not in document.nodes
                   or view.shape != shape_of(document, document.nodes[node_id])}
        wanted = set(document.links())
        for key, tag in list(self.link_tags.items()):
            if key not in wanted or key[0] in changed or key[1] in changed:
                dpg.delete_item(tag)
                del self.link_tags[key]
        for node_id in changed:
            self.views.pop(node_id).delete()
        for node_id in document.nodes:
            if node_id not in self.views:
                view = NodeView(node_id, self.actions, self.themes)
                view.build(document, ids.EDITOR, self.view.to_grid)
                self.views[node_id] = view
        for source, target, pin in wanted - set(self.link_tags):
            tag = ids.link(source, target, pin)
            dpg.add_node_link(ids.output_pin(source), ids.input_pin(target, pin), tag=tag,
                              parent=ids.EDITOR)
            self.link_tags[(source, target, pin)] = tag
        self._structure_stale = False
        self._layout_stale = True
        self._shown_evaluation = None
        self.last_sync_seconds = time.perf_counter() - started

    def sync_layout(self) -> None:
        document = self.document
        for view in self.views.values():
            view.show_layout(document, self.view.to_grid)
        self._layout_stale = False

    def show_values(self) -> None:
        """Set every value and gradient text that differs from the session's evaluation."""
        started = time.perf_counter()
        if self.session.playing and started - self._values_shown_at < TRAINING_REFRESH_SECONDS:
            return  # training changes every number every frame: ten refreshes a second are enough
        evaluation = self.session.evaluation()
        walk = self.session.stepthrough  # a step-through shows only the numbers known so far
        shown = (evaluation, walk, walk.position if walk else None)
        last = self._shown_evaluation
        if last is not None and last[0] is evaluation and last[1] is walk and last[2] == shown[2]:
            return
        values, grads = (walk.shown_values(), walk.shown_gradients()) if walk else (evaluation.values,
                                                                                  evaluation.grads)
        document = self.document
        has_loss = evaluation.loss is not None
        missing = theme.missing()
        prefix, pins = self._flat_prefix()

        def numbers(flat_id):
            value = values.get(flat_id) if flat_id is not None else None
            gradient = grads.get(flat_id) if flat_id is not None and has_loss else None
            return (theme.number(value) if value is not None else missing,
                    theme.number(gradient) if gradient is not None else missing)

        for node_id, view in self.views.items():
            node = document.nodes[node_id]
            if node.op == "call":
                references = [make_reference(node_id, k) for k in range(document.output_count(node_id))]
                view.show_call_numbers([(reference, *numbers(self._flat_id(reference, prefix)))
                                        for reference in references])
            else:
                flat_id = pins.get(node_id, None if prefix is None else prefix + node_id)
                if self.scope is not None and node.op == "param" and node.shared:
                    flat_id = f"{self.scope}::{node_id}"  # one value for every instance
                view.show_numbers(node, *numbers(flat_id))
        self._shown_evaluation = shown
        self._values_shown_at = started
        self.last_values_seconds = time.perf_counter() - started

    def _flat_prefix(self) -> tuple[str | None, dict]:
        """How a shown node's id becomes a flat id of the program: '' for the graph; in a body,
        'instance/' of the graph's first instance (None with no instance), and for each input
        node the flat id of what feeds that pin of the instance."""
        if self.scope is None:
            return "", {}
        graph = self.session.document
        instances = graph.instances(self.scope)
        if not instances:
            return None, {}
        call = graph.nodes[instances[0]]
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

    # --- values --------------------------------------------------------------------------------

    def nudge(self, node_id: str, value: float) -> None:
        """A param's field is being dragged: set the value and show the new numbers at once."""
        self.views[node_id].field_changed_by_user(value)
        self._edit("set_value", node_id, float(value), merge_key=("value", node_id))
        self.show_values()

    def set_const(self, node_id: str, value: float) -> None:
        self.views[node_id].field_changed_by_user(value)
        self._edit("set_value", node_id, float(value))
        self.show_values()

    def set_exponent(self, node_id: str, exponent: float) -> None:
        self._edit("set_exponent", node_id, float(exponent))

    # --- links ---------------------------------------------------------------------------------

    def connect_pins(self, first_pin: str, second_pin: str) -> None:
        """A drag from an output pin to an input pin (either way round) links them."""
        first, second = ids.pin_of(first_pin), ids.pin_of(second_pin)
        if first is None or second is None:
            return
        if first[1] is not None:
            first, second = second, first
        (source, source_pin), (target, pin) = first, second
        if source_pin is not None or pin is None:
            self.session.status = "drag from an output pin (right side) to an input pin (left side)"
            return
        self._edit("connect", source, target, pin, merge_key=("wire", self._gesture))

    def disconnect_link(self, link_tag: str) -> None:
        key = ids.link_of(link_tag)
        if key is not None:
            self._edit("disconnect", key[1], key[2], merge_key=("wire", self._gesture))

    def disconnect_inputs(self, node_id: str) -> None:
        node = self.document.nodes.get(node_id)
        if node is None:
            return
        key = ("disconnect inputs", self._gesture)
        for pin in reversed(range(len(node.inputs))):
            if node.inputs[pin] is not None:
                self._edit("disconnect", node_id, pin, merge_key=key)
        self.session.end_gesture()

    # --- selection and deleting -----------------------------------------------------------------

    def selected_nodes(self) -> list[str]:
        chosen = (ids.node_of(dpg.get_item_alias(item) or item)
                  for item in dpg.get_selected_nodes(ids.EDITOR))
        return [node_id for node_id in chosen if node_id in self.views]

    def selected_links(self) -> list[tuple[str, str, int]]:
        chosen = (ids.link_of(dpg.get_item_alias(item) or item)
                  for item in dpg.get_selected_links(ids.EDITOR))
        return [key for key in chosen if key in self.link_tags]

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
                self._edit("disconnect", target, pin, merge_key=key)
        if nodes:
            self._edit("remove_nodes", nodes, merge_key=key)
        self.session.end_gesture()
        dpg.clear_selected_nodes(ids.EDITOR)
        dpg.clear_selected_links(ids.EDITOR)
        self.session.status = f"deleted {len(nodes)} node(s) and {len(links)} link(s)"

    def delete_node(self, node_id: str) -> None:
        self._edit("remove_node", node_id)

    # --- adding, naming, roles -----------------------------------------------------------------

    def add_node(self, op: str, pos: tuple[float, float]) -> str | None:
        node_id = self._edit("add_node", op, pos=(float(pos[0]), float(pos[1])))
        if node_id:
            self.session.status = f"added {node_id}"
        return node_id

    def rename(self, node_id: str, label: str) -> None:
        if self._edit("rename", node_id, label.strip()):
            self.session.status = f"renamed {node_id} to {label.strip() or node_id}"

    def set_role(self, node_id: str, role: str) -> None:
        if self._edit(f"set_{role}", node_id):
            self.session.status = f"{self.document.nodes[node_id].title} is the {role}"

    def toggle_trainable(self, node_id: str) -> None:
        node = self.document.nodes.get(node_id)
        if node is not None and node.op == "param":
            self._edit("set_trainable", node_id, not node.trainable)

    # --- a function's body -------------------------------------------------------------------------

    def open_function(self, name: str) -> None:
        """Show the body of function `name` in place of the graph, to edit its definition."""
        if name not in self.session.document.functions:
            self.session.status = f"there is no function {name!r}"
            return
        if self.scope is None:
            self._graph_origin = self.view.origin()
        self._clear_items()
        self.scope = name
        self._body = None
        instances = self.session.document.instances(name)
        shown = f"values of instance {instances[0]}" if instances else "values — (no instance in the graph)"
        dpg.set_value(ids.FUNCTION_HEADING_TEXT,
                      f"Editing function {name} — every instance follows; {shown}")
        dpg.configure_item(ids.FUNCTION_HEADING, show=True)
        self.show_view(fitted_origin(self.document, dpg.get_item_height(ids.CANVAS_WINDOW) or 600))
        self.session.status = f"editing function {name}: Back to graph returns"

    def close_function(self) -> None:
        """Show the graph again, where it was before the body was opened."""
        if self.scope is None:
            return
        name = self.scope
        self._clear_items()
        self.scope = None
        self._body = None
        dpg.configure_item(ids.FUNCTION_HEADING, show=False)
        self.show_view(self._graph_origin)
        self.session.status = f"back to the graph from function {name}"

    def _clear_items(self) -> None:
        """Delete every node and link item (the ids of a body and of the graph may clash)."""
        for tag in self.link_tags.values():
            dpg.delete_item(tag)
        self.link_tags.clear()
        for view in self.views.values():
            view.delete()
        self.views.clear()
        dpg.clear_selected_nodes(ids.EDITOR)
        self._structure_stale = True

    # --- moves and gestures ----------------------------------------------------------------------

    def commit_moves(self) -> None:
        """Record the nodes the user dragged as one step: the mouse button went up.

        A node was dragged when it is no longer where the canvas last put it. Comparing with the
        document instead would take an undo or an open in this frame's callbacks, not yet shown,
        for a drag, and undo it again.
        """
        document = self.document
        key = ("move", self._gesture)
        moved = 0
        for node_id, view in self.views.items():
            x, y = view.position_on_canvas()
            shown_x, shown_y = view.shown_pos
            if abs(x - shown_x) < POSITION_TOLERANCE and abs(y - shown_y) < POSITION_TOLERANCE:
                continue
            view.shown_pos = (x, y)
            if node_id in document.nodes:
                self._edit("move", node_id, self.view.to_document((x, y)), merge_key=key)
                moved += 1
        if moved:
            self.session.status = f"moved {moved} node(s)"

    def released(self) -> None:
        """The left button went up. The gesture ends after the rest of this frame's callbacks:
        imnodes queues the link a pin drag made after the release, and it belongs to the drag."""
        self._released = True

    def end_gesture_if_released(self) -> None:
        if self._released:
            self._released = False
            self.end_gesture()

    def end_gesture(self) -> None:
        """The left button went up: store moves, close the gesture's undo step."""
        self.commit_moves()
        self.session.end_gesture()
        self._gesture += 1

    # --- the view --------------------------------------------------------------------------------

    def show_view(self, origin: tuple[float, float]) -> None:
        """Draw document point `origin` at the editor's top-left corner (moves no node)."""
        self.view.show(origin)
        self._layout_stale = True

    def fit(self) -> None:
        """Bring the whole graph's top-left corner into view."""
        self.show_view(self._fitted_origin())
        self.session.status = "fitted the graph in view"

    def _fitted_origin(self) -> tuple[float, float]:
        return fitted_origin(self.document, dpg.get_item_height(ids.CANVAS_WINDOW) or 600)

    def current_view(self) -> dict:
        """The view to save with the graph (what Session.current_view asks for)."""
        if self._shown_opened != self.session.opened:
            return {}  # this graph's view has not been shown yet: keep the one it has
        x, y = self.view.origin() if self.scope is None else self._graph_origin  # not a body's
        return {"origin": [_plain_number(x), _plain_number(y)]}

    # --- where things are ------------------------------------------------------------------------

    def grid_position(self, screen_x: float, screen_y: float) -> tuple[float, float]:
        """The document position whose node corner would be drawn at this viewport point."""
        return self.view.document_point(screen_x, screen_y)

    def mouse_grid_position(self) -> tuple[float, float]:
        return self.grid_position(*dpg.get_mouse_pos(local=False))

    def visible_centre(self) -> tuple[float, float]:
        """The document position at the middle of the canvas window, for nodes from the palette."""
        x, y = dpg.get_item_pos(ids.CANVAS_WINDOW)
        width, height = dpg.get_item_rect_size(ids.CANVAS_WINDOW)
        return self.grid_position(x + width / 2 - 60, y + height / 2 - 40)

    def document_position_shown(self, node_id: str) -> tuple[float, float]:
        """Where the node is on the canvas now, in document coordinates (it may be mid-drag)."""
        return self.view.to_document(self.views[node_id].position_on_canvas())

    def hovered_node(self) -> str | None:
        for node_id in self.views:
            if dpg.is_item_hovered(ids.node(node_id)):
                return node_id
        return None

    def hovered_link(self) -> tuple[str, str, int] | None:
        for key, tag in self.link_tags.items():
            if dpg.is_item_hovered(tag):
                return key
        return None

    def is_hovered(self) -> bool:
        return dpg.is_item_hovered(ids.EDITOR)

    def clear(self) -> None:
        """Forget every item (the editor is being destroyed with the context)."""
        self.views.clear()
        self.link_tags.clear()
        self._structure_stale = True


def _plain_number(value: float) -> int | float:
    """A whole number as an int, so a file says `[40, 60]`, not `[40.0, 60.0]`."""
    return int(value) if float(value).is_integer() else float(value)
