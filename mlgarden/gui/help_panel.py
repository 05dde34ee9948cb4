"""The Help window: a short "Getting started" and the keyboard shortcuts.

The app opens it from the Help menu (`show()`) and on the first launch, as a getting-started
overlay the user closes with its close button. The text is plain data: `GETTING_STARTED`, and
`shortcut_rows()`, which reads the keyboard shortcuts from the app's own table
(`menus.SHORTCUTS`, the one the key handler obeys) so the list cannot drift from what the keys
do, and adds the mouse gestures.
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg

from mlgarden.gui import menus
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
     "remove it. Select x and y (drag a box around them) and press ctrl+L to insert a whole layer "
     "of perceptrons reading them; Edit > Arrange tidies the graph."),
    ("Seeing inside",
     "Select one node and the Dataset window shades that node's value over the plane, with its own "
     "colour scale (white at 0); Esc shows the result again; for a call, click the row of the "
     "output to shade. View > Node thumbnails shows each node's value over the plane on the node "
     "itself, at 100% zoom and above. Each link's colour is the gradient flowing back along it "
     "(blue negative, red positive). \"Step through backprop\" in the "
     "Training window (ctrl+B) walks backpropagation from the loss one link at a time: the orange "
     "gradients appear as they are accumulated and the sentence gives the numbers; the right "
     "arrow moves on, the left goes back, Esc ends. ctrl+shift+B does the same for the values."),
    ("Your own data",
     "Choose \"custom\" in the Dataset window (it starts as the points shown), then click in the "
     "plot to add a +1 point, shift+click for -1, ctrl+click to remove the nearest; right-click "
     "picks the sample. The points are saved in the graph file; File > Export data writes CSV."),
)

# What each keyboard shortcut of the app (menus.SHORTCUTS, the table the app itself obeys) does.
ACTION_TEXTS = {
    "new_graph": "new graph",
    "open_dialog": "open a graph",
    "save": "save",
    "save_as_dialog": "save as",
    "request_quit": "quit",
    "undo": "undo",
    "redo": "redo",
    "open_palette": "node palette: add a node by name",
    "copy": "copy the selected nodes",
    "cut": "cut the selected nodes",
    "paste": "paste at the mouse",
    "duplicate": "duplicate the selected nodes",
    "insert_layer_dialog": "insert a layer reading the selected nodes",
    "collapse_selection": "collapse the selected nodes into a function",
    "expand_selection": "expand the selected function call",
    "delete_selection": "delete the selected nodes",
    "fit_view": "fit the graph in view (over the canvas)",
    "step_through_backprop": "step through backprop from the loss",
    "step_through_forward": "step through the forward pass",
}

MOUSE_GESTURES = (
    ("drag a param's value", "nudge it"),
    ("click a node / drag on empty canvas", "select it / the nodes in the box"),
    ("ctrl+click a node", "add it to the selection"),
    ("right-click the canvas", "add a node here"),
    ("right-click a node or link", "its menu"),
    ("drag output pin to input pin", "link them"),
    ("ctrl+click a link", "disconnect it"),
    ("middle-drag the canvas", "pan"),
    ("click a point in the Dataset plot", "make it the current sample"),
    ("select one node", "shade its value over the plane (Esc: the result)"),
    ("click a call's output row", "shade that output over the plane"),
    ("drag to the canvas's edge", "scroll the view"),
    ("right / left arrow, Esc", "next / previous step of a step-through; end it"),
    ("Enter / Esc in a dialog", "its highlighted default button / Cancel, changing nothing"),
    ("Esc over a menu, Getting started, About, Gradient check", "close it"),
    ("custom data: click / shift+click", "add a +1 / -1 point"),
    ("custom data: ctrl+click / right-click", "remove the nearest point / pick the sample"),
)


def shortcut_rows() -> list[tuple[str, str]]:
    """(keys, what they do) for every keyboard shortcut the app obeys, then the mouse gestures;
    the keys of one action share a row ("Ctrl+Y / Ctrl+Shift+Z")."""
    keys: dict[str, list[str]] = {}
    for shortcut in menus.SHORTCUTS:
        keys.setdefault(shortcut.action, []).append(shortcut.text)
    rows = [(" / ".join(texts), ACTION_TEXTS.get(action, action.replace("_", " ")))
            for action, texts in keys.items()]
    return rows + list(MOUSE_GESTURES)


WRAP = 400  # the width of the text column; the keys table stands beside it
HEADING_COLOUR = (250, 180, 80, 255)
POSITION = (40, 40)  # over the canvas, clear of the menu bar
SIZE = (1040, 680)


class Tags:
    """Every widget tag of the window, prefixed so none can collide with another window's."""

    window = "help_window"
    shortcuts = "help_shortcuts"


class HelpPanel:
    """The Help window; hidden until `show()`."""

    def __init__(self, session: Session):
        self.session = session

    def build(self) -> str:
        with dpg.window(label="Getting started", tag=Tags.window, show=False, pos=POSITION,
                        width=SIZE[0], height=SIZE[1], no_collapse=True):
            with dpg.group(horizontal=True, horizontal_spacing=24):
                with dpg.group(width=WRAP):
                    for heading, text in GETTING_STARTED:
                        dpg.add_text(heading, color=HEADING_COLOUR)
                        dpg.add_text(text, wrap=WRAP)
                        dpg.add_spacer(height=4)
                with dpg.group():
                    dpg.add_text("Keys and mouse", color=HEADING_COLOUR)
                    self._build_shortcuts()
        return Tags.window

    def _build_shortcuts(self) -> None:
        """Two columns as wide as the window leaves them: the keys' column fits its widest entry,
        the other takes the rest and wraps, so no row is cut at the window's edge."""
        with dpg.table(tag=Tags.shortcuts, header_row=False, borders_innerH=True, width=-1,
                       policy=dpg.mvTable_SizingStretchProp):
            dpg.add_table_column(width_fixed=True)
            dpg.add_table_column(width_stretch=True)
            for keys, action in shortcut_rows():
                with dpg.table_row():
                    dpg.add_text(keys)
                    dpg.add_text(action, wrap=0)  # 0: wrap at the column's right edge

    def show(self) -> None:
        width = min(SIZE[0], dpg.get_viewport_client_width() - 2 * POSITION[0])
        dpg.configure_item(Tags.window, width=max(width, 600))
        dpg.show_item(Tags.window)
        dpg.focus_item(Tags.window)

    def hide(self) -> None:
        dpg.hide_item(Tags.window)

    def update(self) -> None:
        """Nothing changes per frame; here so every panel answers the same protocol."""
