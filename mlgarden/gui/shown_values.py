"""ShownValues: a panel's memory of what it last gave each widget, so a frame sets only what changed.

Panels update their widgets once a frame from the Session's plain numbers; `set_value` and
`configure_item` are not free, so each panel keeps one ShownValues and gives a widget a value only
when it differs from the last one given. After a refused edit, `forget` makes the next frame give
every widget the document's value again. Shared by the Training panel, the Dataset window and
the canvas (its function heading).
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
