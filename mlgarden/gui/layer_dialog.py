"""The Insert layer dialog: a layer of perceptrons reading the selected nodes, in one step.

Edit > Insert layer… (ctrl+L) and the canvas's right-click menu open it. It says which nodes the
layer will read (the selection when it opened; with none selected the app refuses before opening
it and says why in the status line), asks for the width (1 to 64 perceptrons) and the activation
(tanh, relu, sigmoid or none), and on OK hands them to the app, which calls
`Session.insert_layer`: one undo step, each perceptron reading every selected node.
"""

from __future__ import annotations

from collections.abc import Callable

import dearpygui.dearpygui as dpg

from mlgarden.gui import ids

ACTIVATIONS = ("tanh", "relu", "sigmoid", "none")
DEFAULT_WIDTH = 4
MAX_WIDTH = 64
WIDTH = 360
SHOWN_NAMES = 6  # list at most this many of the selected nodes by name


def reads_text(titles: list[str]) -> str:
    """What the dialog says about its inputs: 'Each perceptron reads the 2 selected nodes: x, y.'"""
    names = ", ".join(titles[:SHOWN_NAMES])
    if len(titles) > SHOWN_NAMES:
        names += f" and {len(titles) - SHOWN_NAMES} more"
    selected = "the selected node" if len(titles) == 1 else f"the {len(titles)} selected nodes"
    return f"Each perceptron reads {selected}: {names}."


class LayerDialog:
    def __init__(self) -> None:
        self._on_ok: Callable[[int, str | None], None] | None = None

    def build(self) -> None:
        with dpg.window(tag=ids.INSERT_LAYER, label="Insert layer", modal=True, show=False,
                        no_resize=True, autosize=True, no_close=True):
            dpg.add_text("", tag=ids.INSERT_LAYER_TEXT, wrap=WIDTH)
            dpg.add_input_int(tag=ids.INSERT_LAYER_WIDTH, label="width (perceptrons)",
                              default_value=DEFAULT_WIDTH, min_value=1, max_value=MAX_WIDTH,
                              min_clamped=True, max_clamped=True, width=120)
            dpg.add_combo(ACTIVATIONS, tag=ids.INSERT_LAYER_ACTIVATION, label="activation",
                          default_value=ACTIVATIONS[0], width=120)
            with dpg.group(horizontal=True):
                dpg.add_button(label="Insert", tag=ids.INSERT_LAYER_OK, width=90,
                               callback=lambda: self.answer())
                dpg.add_button(label="Cancel", tag=ids.INSERT_LAYER_CANCEL, width=90,
                               callback=lambda: self.close())

    def is_open(self) -> bool:
        return dpg.is_item_shown(ids.INSERT_LAYER)

    def open(self, titles: list[str], on_ok: Callable[[int, str | None], None]) -> None:
        """Ask for a layer over the nodes titled `titles`; `on_ok(width, activation or None)`."""
        self._on_ok = on_ok
        dpg.set_value(ids.INSERT_LAYER_TEXT, reads_text(titles))
        viewport_width = dpg.get_viewport_client_width()
        dpg.configure_item(ids.INSERT_LAYER, show=True,
                           pos=(max(0, (viewport_width - WIDTH) // 2), 160))
        dpg.focus_item(ids.INSERT_LAYER_WIDTH)

    def close(self) -> None:
        dpg.configure_item(ids.INSERT_LAYER, show=False)
        self._on_ok = None

    def answer(self) -> None:
        width = int(dpg.get_value(ids.INSERT_LAYER_WIDTH))
        activation = dpg.get_value(ids.INSERT_LAYER_ACTIVATION)
        on_ok = self._on_ok
        self.close()
        if on_ok is not None:
            on_ok(width, None if activation == "none" else activation)
