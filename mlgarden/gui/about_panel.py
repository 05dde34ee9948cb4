"""The "About this graph" panel: the open graph's description, where the story is told.

Each shipped example's description says what the graph shows, in the write-up's words, and what
to try next. Opening an example from the Examples menu shows this panel; Help > About this graph
shows it for any graph. It floats over the canvas's lower left, and like any window it folds to
its title bar with the arrow on the left of the title (or a double-click on the title). When
another graph is opened while it is shown, it shows that graph's description.
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg

from mlgarden.gui import ids
from mlgarden.session import Session

WIDTH = 560
HEIGHT = 240
MARGIN = 12
NO_DESCRIPTION = "This graph has no description. Save one in the file's description field."


def about_text(session: Session) -> tuple[str, str]:
    """(window title, text) for the open graph."""
    name = (session.path.name if session.path is not None
            else f"{session.example} (example)" if session.example else "untitled")
    text = _paragraphs(session.document.description)
    return f"About this graph: {name}", text or NO_DESCRIPTION


def _paragraphs(description: str) -> str:
    """The description with each paragraph's lines joined, so the window wraps it to its width."""
    paragraphs = [" ".join(block.split()) for block in description.strip().split("\n\n")]
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


class AboutPanel:
    def __init__(self, session: Session):
        self.session = session
        self._shown_opened = -1

    def build(self) -> str:
        with dpg.window(tag=ids.ABOUT_WINDOW, label="About this graph", show=False, width=WIDTH,
                        height=HEIGHT, no_saved_settings=True):
            dpg.add_text("", tag=ids.ABOUT_TEXT, wrap=WIDTH - 2 * MARGIN)
        return ids.ABOUT_WINDOW

    def show(self) -> None:
        """Show the open graph's description, unfolded, over the lower left of the canvas."""
        self._fill()
        height = dpg.get_viewport_client_height()
        dpg.configure_item(ids.ABOUT_WINDOW, show=True, collapsed=False,
                           pos=(MARGIN, max(40, height - HEIGHT - 60)))
        dpg.focus_item(ids.ABOUT_WINDOW)

    def is_shown(self) -> bool:
        return dpg.is_item_shown(ids.ABOUT_WINDOW)

    def _fill(self) -> None:
        title, text = about_text(self.session)
        dpg.configure_item(ids.ABOUT_WINDOW, label=title)
        dpg.set_value(ids.ABOUT_TEXT, text)
        self._shown_opened = self.session.opened

    def update(self) -> None:
        """Follow the open graph: a graph opened while the panel is shown replaces its text."""
        if self.session.opened != self._shown_opened and self.is_shown():
            self._fill()
