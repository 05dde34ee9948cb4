"""The Insert layer dialog: a layer of perceptrons reading the selected nodes, in one step.

Edit > Insert layer… (ctrl+L) and the canvas's right-click menu open it (`ask`). It says which
nodes the layer will read: the selection when it opened, top to bottom as the user sees them;
with none selected it does not open, and the status line says what to do. It asks for the width
(1 to 64 perceptrons) and the activation (tanh, relu, sigmoid or none); Insert calls
`Session.insert_layer`: one undo step, each perceptron reading every selected node. Each
perceptron is one call of the graph's perceptron function for that many inputs and that
activation (made the first time), unless "as plain nodes" is ticked: then each perceptron's
weights, products, sum and activation are nodes of their own, as the write-up wired them.

Keys, as in any desktop dialog: Enter inserts the layer with the dialog's current choices (like
Insert, the default button, drawn brighter), also from the width field, whose typed number is the
one used; Esc closes it and changes nothing (like Cancel). The app hands the dialog every key
while it is open (`key_pressed`), so no shortcut or canvas key (Delete, ctrl+Z, the canvas's Esc)
acts behind it.

Where the layer goes: where the canvas menu was opened; from the key, at the mouse when it is over
the canvas; else (the Edit menu) right of the selection, below the nodes already in the columns
the layer will take.
"""

from __future__ import annotations

from collections.abc import Callable

import dearpygui.dearpygui as dpg

from mlgarden.document.graph import Document
from mlgarden.gui import ids, menus, theme
from mlgarden.document.layout import COLUMN_WIDTH, ROW_GAP, node_height

ACTIVATIONS = ("tanh", "relu", "sigmoid", "none")
DEFAULT_WIDTH = 4
MAX_WIDTH = 64
WIDTH = 360
SHOWN_NAMES = 6  # list at most this many of the selected nodes by name
LAYER_COLUMNS = 4  # an inserted layer's columns: weights, products, sums, activations


def reads_text(titles: list[str]) -> str:
    """What the dialog says about its inputs: 'Each perceptron reads the 2 selected nodes: x, y.'"""
    names = ", ".join(titles[:SHOWN_NAMES])
    if len(titles) > SHOWN_NAMES:
        names += f" and {len(titles) - SHOWN_NAMES} more"
    selected = "the selected node" if len(titles) == 1 else f"the {len(titles)} selected nodes"
    return f"Each perceptron reads {selected}: {names}."


def free_place_right_of(document: Document, selected: list[str]) -> tuple[float, float]:
    """A top-left for a layer reading `selected`: one column right of them, below the nodes
    already in the columns the layer will take."""
    left = max(document.nodes[node_id].pos[0] for node_id in selected) + COLUMN_WIDTH
    top = min(document.nodes[node_id].pos[1] for node_id in selected)
    right = left + LAYER_COLUMNS * COLUMN_WIDTH
    bottoms = [node.pos[1] + node_height(document, node_id) + ROW_GAP
               for node_id, node in document.nodes.items() if left - COLUMN_WIDTH < node.pos[0] < right]
    return left, max([top] + bottoms)


class LayerDialog:
    def __init__(self, session, canvas) -> None:
        self.session = session
        self.canvas = canvas
        self._on_ok: Callable[[int, str | None, bool], None] | None = None

    def build(self) -> None:
        with dpg.window(tag=ids.INSERT_LAYER, label="Insert layer", modal=True, show=False,
                        no_resize=True, autosize=True, no_close=True):
            dpg.add_text("", tag=ids.INSERT_LAYER_TEXT, wrap=WIDTH)
            dpg.add_input_int(tag=ids.INSERT_LAYER_WIDTH, label="width (perceptrons)",
                              default_value=DEFAULT_WIDTH, min_value=1, max_value=MAX_WIDTH,
                              min_clamped=True, max_clamped=True, width=120)
            dpg.add_combo(ACTIVATIONS, tag=ids.INSERT_LAYER_ACTIVATION, label="activation",
                          default_value=ACTIVATIONS[0], width=120)
            dpg.add_checkbox(tag=ids.INSERT_LAYER_FLAT, label="as plain nodes (no perceptron function)",
                             default_value=False)
            with dpg.group(horizontal=True):
                dpg.add_button(label="Insert", tag=ids.INSERT_LAYER_OK, width=90,
                               callback=lambda: self.answer())
                dpg.add_button(label="Cancel", tag=ids.INSERT_LAYER_CANCEL, width=90,
                               callback=lambda: self.close())
        theme.mark_default_button(ids.INSERT_LAYER_OK)

    def is_open(self) -> bool:
        return dpg.is_item_shown(ids.INSERT_LAYER)

    def ask(self, at: tuple[float, float] | None = None) -> None:
        """Open the dialog for a layer reading the selected nodes, its top-left at `at` (or
        where the module's docstring says)."""
        document = self.session.document
        if getattr(self.canvas, "scope", None) is not None:
            self.session.status = "Insert layer works on the graph: go back to the graph first"
            return
        selected = sorted(self.canvas.selected_nodes(),
                          key=lambda node_id: tuple(reversed(document.nodes[node_id].pos)))
        if not selected:
            self.session.status = ("select the nodes the layer reads first (drag a box around them, "
                                   "or click one and ctrl+click more)")
            return
        if at is None:
            at = (self.canvas.mouse_grid_position() if self.canvas.is_hovered()
                  else free_place_right_of(document, selected))
        titles = [document.nodes[node_id].title for node_id in selected]
        self.open(titles, lambda width, activation, flat: self.insert(selected, width, activation, at, flat))

    def insert(self, selected: list[str], width: int, activation: str | None,
               at: tuple[float, float], flat: bool = False) -> None:
        before = set(self.session.document.nodes)
        if self.session.insert_layer(selected, width, activation, at, flat):
            self.canvas.make_room_for(sorted(set(self.session.document.nodes) - before))
            kind = "plain" if flat else "call(s) of a"
            self.session.status = (f"inserted a layer of {width} {kind} {activation or 'linear'} "
                                   f"perceptron(s) reading {len(selected)} node(s)")

    def open(self, titles: list[str], on_ok: Callable[[int, str | None, bool], None]) -> None:
        """Ask for a layer over the nodes titled `titles`; `on_ok(width, activation or None,
        as plain nodes)`."""
        self._on_ok = on_ok
        dpg.set_value(ids.INSERT_LAYER_TEXT, reads_text(titles))
        viewport_width = dpg.get_viewport_client_width()
        dpg.configure_item(ids.INSERT_LAYER, show=True,
                           pos=(max(0, (viewport_width - WIDTH) // 2), 160))
        dpg.focus_item(ids.INSERT_LAYER_WIDTH)

    def close(self) -> None:
        dpg.configure_item(ids.INSERT_LAYER, show=False)
        self._on_ok = None

    def key_pressed(self, key: int) -> None:
        """A key while the dialog is open: Enter answers, Esc cancels, any other is the fields'."""
        if key in menus.ENTER_KEYS:
            self.answer()
        elif key == dpg.mvKey_Escape:
            self.close()

    def answer(self) -> None:
        width = int(dpg.get_value(ids.INSERT_LAYER_WIDTH))
        activation = dpg.get_value(ids.INSERT_LAYER_ACTIVATION)
        flat = bool(dpg.get_value(ids.INSERT_LAYER_FLAT))
        on_ok = self._on_ok
        self.close()
        if on_ok is not None:
            on_ok(width, None if activation == "none" else activation, flat)
