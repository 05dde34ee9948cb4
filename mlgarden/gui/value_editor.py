"""Typing a value on the canvas: a small text field, read as a float64, over the value edited.

The canvas draws values as text, so typing one is a small window with a text field put over the
value's row (a double-click on a param's value, a click on a const's value or a pow's exponent).
Enter sets the value (one undo step); Escape or a click elsewhere closes the field and changes
nothing. What is typed is read as Python reads a float (`number_text.typed_number`: 0.5, -2e-3,
1_000), so it is saved exactly; text that is no number ("1/3") changes nothing and the status line
says so. The field shows 10 significant digits, so Enter with nothing typed keeps the value as it
was (one trained to 17 digits is not rounded by a look at it).
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg

from mlgarden.gui import ids
from mlgarden.number_text import typed_number

FORMAT = "%.10g"


class ValueEditor:
    def __init__(self, canvas):
        self.canvas = canvas
        self.node_id: str | None = None
        self.kind = "value"  # or "exponent"
        self.was_active = False
        self.shown = ""  # the text the field opened with

    def build(self) -> None:
        with dpg.window(tag=ids.VALUE_EDITOR, show=False, no_title_bar=True, no_move=True,
                        no_resize=True, no_collapse=True, no_scrollbar=True, no_background=True,
                        min_size=(40, 10)):
            dpg.add_input_text(tag=ids.VALUE_EDITOR_FIELD, width=100, on_enter=True,
                               callback=lambda sender, text: self.entered(text))
        with dpg.theme() as tight:
            with dpg.theme_component(dpg.mvAll):
                dpg.add_theme_style(dpg.mvStyleVar_WindowPadding, 0, 0)
                dpg.add_theme_style(dpg.mvStyleVar_WindowMinSize, 20, 10)
        dpg.bind_item_theme(ids.VALUE_EDITOR, tight)

    def is_open(self) -> bool:
        return self.node_id is not None

    def open(self, node_id: str, kind: str) -> None:
        node = self.canvas.document.nodes[node_id]
        tag = ids.exponent_field(node_id) if kind == "exponent" else ids.value_field(node_id)
        rect = self.canvas.screen_rect(tag)
        if rect is None:
            return
        self.node_id, self.kind, self.was_active = node_id, kind, False
        x, y, width, height = rect
        value = node.exponent if kind == "exponent" else self.canvas.session.shown_value(node_id)
        self.shown = FORMAT % value
        dpg.set_value(ids.VALUE_EDITOR_FIELD, self.shown)
        dpg.configure_item(ids.VALUE_EDITOR_FIELD, width=int(max(80, width)))
        dpg.configure_item(ids.VALUE_EDITOR, show=True, pos=(int(x), int(y + height / 2 - 11)))
        dpg.focus_item(ids.VALUE_EDITOR)
        dpg.focus_item(ids.VALUE_EDITOR_FIELD)

    def entered(self, text: str) -> None:
        node_id, kind = self.node_id, self.kind
        self.close()
        if node_id is None or node_id not in self.canvas.document.nodes or text == self.shown:
            return  # Enter on the field as shown: the value keeps its digits past the 10 shown
        value = typed_number(text)
        if value is None:
            self.canvas.session.status = (f"'{text.strip()}' is not a number, so nothing changed: "
                                           f"type one like 0.5, -3 or 2e-4")
            return
        if kind == "exponent":
            self.canvas.set_exponent(node_id, value)
        else:
            self.canvas.set_const(node_id, value)

    def update(self) -> None:
        """Close once the field lost the keyboard (Escape, a click elsewhere)."""
        if self.node_id is None:
            return
        active = dpg.is_item_active(ids.VALUE_EDITOR_FIELD)
        if self.was_active and not active:
            self.close()
        self.was_active = active

    def close(self) -> None:
        if self.node_id is not None:
            self.node_id = None
            dpg.configure_item(ids.VALUE_EDITOR, show=False)
