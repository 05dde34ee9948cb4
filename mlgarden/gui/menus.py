"""The menu bar, the canvas's right-click menus and the keyboard shortcuts.

Every menu item and shortcut calls one plain method of the app (or of its canvas), so a test can
call the same method, and a shortcut does exactly what its menu item does. Shortcuts are ignored
while the user types in a field (design fact 9): ctrl+Z there is the field's own undo, and
Delete there deletes a character, not the selected nodes.

Right-click on the canvas opens one of three menus, chosen by what is under the mouse: a node
(rename, set as result or loss, trainable, disconnect its inputs, delete), a link (disconnect),
or empty canvas (add a node there, grouped by the op table's categories).
"""

from __future__ import annotations

from dataclasses import dataclass

import dearpygui.dearpygui as dpg

from mlgarden.gui import ids, theme
from mlgarden.ops import CATEGORIES, ops_in_category
from mlgarden.session import EXAMPLES_DIR

CATEGORY_TITLES = {
    "inputs": "Inputs (data point)",
    "values": "Values (params, constants)",
    "arithmetic": "Arithmetic",
    "functions": "Functions",
    "activations": "Activations",
    "losses": "Losses",
}


@dataclass(frozen=True)
class Shortcut:
    key: int
    ctrl: bool
    shift: bool
    action: str  # the name of an App method
    text: str  # as shown in the menu


SHORTCUTS = (
    Shortcut(dpg.mvKey_N, True, False, "new_graph", "Ctrl+N"),
    Shortcut(dpg.mvKey_O, True, False, "open_dialog", "Ctrl+O"),
    Shortcut(dpg.mvKey_S, True, False, "save", "Ctrl+S"),
    Shortcut(dpg.mvKey_S, True, True, "save_as_dialog", "Ctrl+Shift+S"),
    Shortcut(dpg.mvKey_Q, True, False, "request_quit", "Ctrl+Q"),
    Shortcut(dpg.mvKey_Z, True, False, "undo", "Ctrl+Z"),
    Shortcut(dpg.mvKey_Y, True, False, "redo", "Ctrl+Y"),
    Shortcut(dpg.mvKey_Z, True, True, "redo", "Ctrl+Shift+Z"),
    Shortcut(dpg.mvKey_Spacebar, True, False, "open_palette", "Ctrl+Space"),
    Shortcut(dpg.mvKey_Delete, False, False, "delete_selection", "Delete"),
)


def shortcut_text(action: str) -> str:
    return next((shortcut.text for shortcut in SHORTCUTS if shortcut.action == action), "")


def modifiers() -> tuple[bool, bool]:
    ctrl = dpg.is_key_down(dpg.mvKey_LControl) or dpg.is_key_down(dpg.mvKey_RControl)
    shift = dpg.is_key_down(dpg.mvKey_LShift) or dpg.is_key_down(dpg.mvKey_RShift)
    return ctrl, shift


def shortcut_for(key: int, ctrl: bool, shift: bool) -> Shortcut | None:
    for shortcut in SHORTCUTS:
        if (shortcut.key, shortcut.ctrl, shortcut.shift) == (key, ctrl, shift):
            return shortcut
    return None


def typing() -> bool:
    """True while a text or number field has the keyboard."""
    focused = dpg.get_focused_item()
    if not focused or not dpg.does_item_exist(focused):
        return False
    kind = dpg.get_item_type(focused)
    return ("Input" in kind or "Drag" in kind) and dpg.is_item_active(focused)


def example_files() -> list:
    return sorted(EXAMPLES_DIR.glob("*.yaml")) if EXAMPLES_DIR.is_dir() else []


def _item(label: str, action, shortcut_action: str = "", **kwargs) -> None:
    dpg.add_menu_item(label=label, shortcut=shortcut_text(shortcut_action),
                      callback=lambda: action(), **kwargs)


def build_menu_bar(app) -> None:
    with dpg.viewport_menu_bar(tag=ids.MENU_BAR):
        with dpg.menu(label="File"):
            _item("New", app.new_graph, "new_graph")
            _item("Open…", app.open_dialog, "open_dialog")
            _item("Save", app.save, "save")
            _item("Save As…", app.save_as_dialog, "save_as_dialog")
            with dpg.menu(label="Examples", tag=ids.EXAMPLES_MENU):
                examples = example_files()
                for path in examples:
                    dpg.add_menu_item(label=path.stem, user_data=path,
                                      callback=lambda sender, data, chosen: app.open_example(chosen))
                if not examples:
                    dpg.add_menu_item(label="(no examples found)", enabled=False)
            dpg.add_separator()
            _item("Quit", app.request_quit, "request_quit")
        with dpg.menu(label="Edit"):
            _item("Undo", app.undo, "undo", tag=ids.UNDO_ITEM)
            _item("Redo", app.redo, "redo", tag=ids.REDO_ITEM)
            dpg.add_separator()
            _item("Add node…", app.open_palette, "open_palette")
            _item("Delete selection", app.delete_selection, "delete_selection")
        with dpg.menu(label="Help"):
            _item("Getting started", app.show_help)


def build_context_menus(app) -> None:
    with dpg.window(tag=ids.CANVAS_MENU, popup=True, show=False, no_title_bar=True, autosize=True):
        dpg.add_text("Add a node here", color=(170, 170, 170, 255))
        dpg.add_separator()
        for category in CATEGORIES:
            with dpg.menu(label=CATEGORY_TITLES[category]):
                for op in ops_in_category(category):
                    dpg.add_menu_item(label=f"{op.name}   {theme.symbol(op.name)}", user_data=op.name,
                                      callback=lambda sender, data, op_name: app.add_node_from_menu(op_name))
        dpg.add_separator()
        _item("Search all ops…", app.open_palette, "open_palette")
    with dpg.window(tag=ids.NODE_MENU, popup=True, show=False, no_title_bar=True, autosize=True):
        dpg.add_text("", tag=ids.NODE_MENU_TITLE, color=(170, 170, 170, 255))
        dpg.add_separator()
        _item("Rename…", lambda: app.node_menu_action("rename"))
        _item("Set as result", lambda: app.node_menu_action("result"))
        _item("Set as loss", lambda: app.node_menu_action("loss"))
        dpg.add_menu_item(label="Trainable", tag=ids.NODE_MENU_TRAINABLE, check=True,
                          callback=lambda: app.node_menu_action("trainable"))
        _item("Disconnect inputs", lambda: app.node_menu_action("disconnect"))
        dpg.add_separator()
        _item("Delete", lambda: app.node_menu_action("delete"))
    with dpg.window(tag=ids.LINK_MENU, popup=True, show=False, no_title_bar=True, autosize=True):
        dpg.add_text("", tag=ids.LINK_MENU_TITLE, color=(170, 170, 170, 255))
        dpg.add_separator()
        _item("Disconnect", app.disconnect_menu_link)
