"""The Help window: a short "Getting started" and the keyboard shortcuts.

The app opens it from the Help menu (`show()`) and on the first launch, as a getting-started
overlay the user closes with its close button. The text is plain data (`GETTING_STARTED`,
`SHORTCUTS`) so the window, the README and a test can all read the same list; the canvas
implements the shortcuts, this window only lists them.
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg

from mlgarden.session import Session

GETTING_STARTED = (
    ("What the nodes are",
     "A graph is made of scalar nodes. A param is a number training may change (you can nudge it "
     "by hand); a const is a number that stays put; x, y and label read the current data point; "
     "an op (add, mul, tanh, ...) computes from its inputs; the loss node measures how wrong "
     "the result is, and backpropagation starts there."),
    ("Nudging",
     "Drag a param's value left or right and watch the result and the loss move. The orange "
     "numbers are gradients: how much the loss changes per unit change of each node. Nudge "
     "against the gradient and the loss goes down."),
    ("Training",
     "Pick a dataset in the Dataset window and press Play in the Training window: every param is "
     "nudged against its gradient, batch after batch. Watch the loss curve fall and the coloured "
     "surface (blue -1, red +1) take the shape of the data. Click a point to see its values."),
    ("Building",
     "Right-click the canvas (or press ctrl+space) to add a node. Drag from an output pin on the "
     "right of a node to an input pin on the left of another to link them; ctrl+click a link to "
     "remove it."),
)

SHORTCUTS = (
    ("ctrl+N", "new graph"),
    ("ctrl+O", "open a graph"),
    ("ctrl+S", "save"),
    ("ctrl+shift+S", "save as"),
    ("Delete", "delete the selected nodes"),
    ("ctrl+Z", "undo"),
    ("ctrl+Y / ctrl+shift+Z", "redo"),
    ("ctrl+space", "node palette: add a node by name"),
    ("right-click canvas", "add a node here"),
    ("ctrl+click a link", "disconnect it"),
)

WRAP = 540
POSITION = (40, 40)  # over the canvas, clear of the menu bar


class Tags:
    """Every widget tag of the window, prefixed so none can collide with another window's."""

    window = "help_window"
    shortcuts = "help_shortcuts"


class HelpPanel:
    """The Help window; hidden until `show()`."""

    def __init__(self, session: Session):
        self.session = session

    def build(self) -> str:
        with dpg.window(label="Getting started", tag=Tags.window, show=False, autosize=True, pos=POSITION,
                        no_collapse=True):
            for heading, text in GETTING_STARTED:
                dpg.add_text(heading, color=(250, 180, 80, 255))
                dpg.add_text(text, wrap=WRAP)
                dpg.add_spacer(height=4)
            dpg.add_text("Keyboard and mouse", color=(250, 180, 80, 255))
            with dpg.table(tag=Tags.shortcuts, header_row=False, borders_innerH=True,
                           policy=dpg.mvTable_SizingFixedFit):
                dpg.add_table_column()
                dpg.add_table_column()
                for keys, action in SHORTCUTS:
                    with dpg.table_row():
                        dpg.add_text(keys)
                        dpg.add_text(action)
        return Tags.window

    def show(self) -> None:
        dpg.show_item(Tags.window)
        dpg.focus_item(Tags.window)

    def hide(self) -> None:
        dpg.hide_item(Tags.window)

    def update(self) -> None:
        """Nothing changes per frame; here so every panel answers the same protocol."""
