"""ShownValues: a panel's memory of what it last gave each widget, so a frame sets only what changed.

Panels update their widgets once a frame from the Session's plain numbers; `set_value` and
`configure_item` are not free, so each panel keeps one ShownValues and gives a widget a value only
when it differs from the last one given. After a refused edit, `forget` makes the next frame give
every widget the document's value again. Shared by the Training panel, the Dataset window and
the canvas (its function heading).

`when_left(fields, callback)`: the panels' typed numbers are taken when their field is left.
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg


class ShownValues:
    """What each widget was last given, so a frame sets only what changed (set_value is not free)."""

    def __init__(self) -> None:
        self._given: dict[tuple[str, str], object] = {}

    def set(self, tag: str, value, what: str = "value") -> None:
        """Give widget `tag` a value, or a configuration item such as its label, if it changed."""
        key = (tag, what)
        if key in self._given and self._given[key] == value:
            return
        self._given[key] = value
        if what == "value":
            dpg.set_value(tag, value)
        else:
            dpg.configure_item(tag, **{what: value})

    def forget(self) -> None:
        """Give every widget its value again on the next call (after a refused edit)."""
        self._given.clear()


def when_left(fields, callback) -> None:
    """Call `callback(field)` when a field edited by typing is left: by Enter, Tab or a click
    elsewhere, such as on Play (an on_enter field drops what was typed unless Enter ends it).
    Esc puts the field back as it was, and no call comes."""
    for field in fields:
        with dpg.item_handler_registry() as handlers:
            dpg.add_item_deactivated_after_edit_handler(
                user_data=field, callback=lambda sender, data, left: callback(left))
        dpg.bind_item_handler_registry(field, handlers)
