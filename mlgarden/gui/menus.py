"""The menu bar, the canvas's right-click menus and the keyboard shortcuts.

Every menu item and shortcut calls one plain method of the app (or of its canvas), so a test can
call the same method, and a shortcut does exactly what its menu item does. Shortcuts are ignored
while the user types in a field (Dear PyGui's key handlers fire while a field has the keyboard,
so the handler checks what has focus first): ctrl+Z there is the field's own undo, and Delete
there deletes a character, not the selected nodes.

Right-click on the canvas opens one of three menus, chosen by what is under the mouse: a node
(rename, set as result or loss, trainable, disconnect its inputs, delete), a link (disconnect),
or empty canvas (add a node there: one column per category of the op table). Their entries are
selectables rather than menu items because a selectable reports where it is drawn, which the
GUI tests need to click it; the app clears a selectable's "selected" state after each use.
"""

from __future__ import annotations

from dataclasses import dataclass

import dearpygui.dearpygui as dpg

from mlgarden import userstate
from mlgarden.gui import ids, theme
from mlgarden.engine.ops import CATEGORIES, ops_in_category
from mlgarden import shipped
from mlgarden.story import story_examples

CATEGORY_TITLES = {
    "inputs": "Inputs",
    "values": "Values",
    "arithmetic": "Arithmetic",
    "functions": "Functions",
    "activations": "Activations",
    "losses": "Losses",
}
MUTED = (170, 170, 170, 255)
CANVAS_MENU_SIZE = (700, 290)  # about what the menu measures; used to keep it on screen


def _brighter(colour):
    return tuple(min(255, channel + 90) for channel in colour[:3]) + (255,)

NODE_MENU_ITEMS = (
    ("rename", "Rename…"),
    ("result", "Set as result"),
    ("loss", "Set as loss"),
    ("trainable", "Trainable"),
    ("disconnect", "Disconnect inputs"),
    ("collapse", "Collapse into function…"),
    ("expand", "Expand function"),
    ("edit_definition", "Edit definition"),
    ("shared", "Shared by all instances"),
    ("delete", "Delete"),
)
FUNCTION_MENU_ITEMS = ("collapse", "expand", "edit_definition", "shared")  # gui/function_dialogs.py


ENTER_KEYS = (dpg.mvKey_Return, dpg.mvKey_NumPadEnter)  # a dialog's Enter: its default button
EQUAL_KEY = dpg.mvKey_Minus + 4  # ImGuiKey_Equal: Dear PyGui's mvKey_Plus is an old key code


@dataclass(frozen=True)
class Shortcut:
    key: int
    ctrl: bool
    shift: bool
    action: str  # the name of an App method
    text: str  # as shown in the menu
    on_canvas: bool = False  # only while the mouse is over the canvas (a plain letter key)


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
    Shortcut(dpg.mvKey_C, True, False, "copy", "Ctrl+C"),
    Shortcut(dpg.mvKey_X, True, False, "cut", "Ctrl+X"),
    Shortcut(dpg.mvKey_V, True, False, "paste", "Ctrl+V"),
    Shortcut(dpg.mvKey_D, True, False, "duplicate", "Ctrl+D"),
    Shortcut(dpg.mvKey_L, True, False, "insert_layer_dialog", "Ctrl+L"),
    Shortcut(dpg.mvKey_G, True, False, "collapse_selection", "Ctrl+G"),
    Shortcut(dpg.mvKey_G, True, True, "expand_selection", "Ctrl+Shift+G"),
    Shortcut(dpg.mvKey_B, True, False, "step_through_backprop", "Ctrl+B"),
    Shortcut(dpg.mvKey_B, True, True, "step_through_forward", "Ctrl+Shift+B"),
    Shortcut(dpg.mvKey_Delete, False, False, "delete_selection", "Delete"),
    Shortcut(dpg.mvKey_F, False, False, "fit_view", "F", on_canvas=True),
    Shortcut(dpg.mvKey_Home, False, False, "fit_view", "Home", on_canvas=True),
    Shortcut(dpg.mvKey_0, True, False, "zoom_reset", "Ctrl+0"),
    Shortcut(EQUAL_KEY, True, False, "zoom_in", "Ctrl+="),
    Shortcut(dpg.mvKey_Add, True, False, "zoom_in", "Ctrl+Keypad +"),
    Shortcut(dpg.mvKey_Minus, True, False, "zoom_out", "Ctrl+-"),
    Shortcut(dpg.mvKey_Subtract, True, False, "zoom_out", "Ctrl+Keypad -"),
)


def op_label(op_name: str) -> str:
    """An op's name, and its symbol when that says something more (mul *, sum Σ)."""
    symbol = theme.symbol(op_name)
    return op_name if symbol == op_name else f"{op_name}  {symbol}"


def shortcut_text(action: str) -> str:
    return next((shortcut.text for shortcut in SHORTCUTS if shortcut.action == action), "")


def modifiers() -> tuple[bool, bool]:
    """Ctrl and shift as they were when the frame's click came: down in this frame. ImGui never
    takes a modifier's change after a click in the click's frame (its queue stops at a key change
    once a mouse button changed), so a modifier let go in this frame was let go before the click.
    The app runs the callbacks before the next frame reads input: this is the click's frame."""
    return dpg.is_key_down(dpg.mvKey_ModCtrl), dpg.is_key_down(dpg.mvKey_ModShift)


def shortcut_pressed(key: int) -> Shortcut | None:
    """The shortcut of `key`, pressed in this frame. ImGui takes a quick chord over more than one
    frame, one change of a key per frame, so in a slow frame the key can come with the release of
    the ctrl held for it (seen under load with Ctrl+S tapped: the save was lost). So a modifier let
    go in this frame counts as held when the key has a shortcut with it; else the key goes by the
    modifiers still down (ctrl let go and F pressed in one frame is F, not an unknown ctrl+F)."""
    ctrl, shift = modifiers()
    held_ctrl = ctrl or dpg.is_key_released(dpg.mvKey_ModCtrl)
    held_shift = shift or dpg.is_key_released(dpg.mvKey_ModShift)
    return shortcut_for(key, held_ctrl, held_shift) or shortcut_for(key, ctrl, shift)


BAR_MENUS = (ids.FILE_MENU, ids.EDIT_MENU, ids.VIEW_MENU, ids.TOOLS_MENU, ids.HELP_MENU)
POPUP_MENUS = (ids.CANVAS_MENU, ids.NODE_MENU, ids.LINK_MENU)


def open_bar_menu() -> str | None:
    """The menu bar's open menu: Dear PyGui gives a menu a size only while its popup is drawn."""
    return next((menu for menu in BAR_MENUS if dpg.get_item_state(menu)["rect_size"][1] > 0), None)


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


def _item(label: str, action, shortcut_action: str = "", **kwargs) -> None:
    dpg.add_menu_item(label=label, shortcut=shortcut_text(shortcut_action),
                      callback=lambda: action(), **kwargs)


def build_menu_bar(app) -> None:
    with dpg.viewport_menu_bar(tag=ids.MENU_BAR):
        with dpg.menu(label="File", tag=ids.FILE_MENU):
            _item("New", app.new_graph, "new_graph")
            _item("Open…", app.open_dialog, "open_dialog")
            _item("Save", app.save, "save")
            _item("Save As…", app.save_as_dialog, "save_as_dialog")
            dpg.add_menu(label="Open Recent", tag=ids.RECENT_MENU)
            with dpg.menu(label="Examples", tag=ids.EXAMPLES_MENU):
                examples = story_examples(shipped.example_files())  # each opens as an untitled copy
                for example in examples:
                    dpg.add_menu_item(label=example.menu_label, user_data=example.path,
                                      tag=ids.example_item(example.name),
                                      callback=lambda sender, data, chosen:
                                      app.open_example_with_story(chosen))
                if not examples:
                    dpg.add_menu_item(label="(no examples found)", enabled=False)
            dpg.add_separator()
            _item("Export data…", app.export_data_dialog, tag=ids.EXPORT_DATA_ITEM)
            _item("Export as Python…", app.tools.export_python_dialog, tag=ids.EXPORT_PYTHON_ITEM)
            dpg.add_separator()
            _item("Quit", app.request_quit, "request_quit")
        with dpg.menu(label="Edit", tag=ids.EDIT_MENU):
            _item("Undo", app.undo, "undo", tag=ids.UNDO_ITEM)
            _item("Redo", app.redo, "redo", tag=ids.REDO_ITEM)
            dpg.add_separator()
            _item("Cut", app.cut, "cut")
            _item("Copy", app.copy, "copy")
            _item("Paste", app.paste, "paste")
            _item("Duplicate", app.duplicate, "duplicate")
            _item("Delete selection", app.delete_selection, "delete_selection")
            dpg.add_separator()
            _item("Add node…", app.open_palette, "open_palette")
            _item("Insert layer…", app.insert_layer_dialog, "insert_layer_dialog",
                  tag=ids.INSERT_LAYER_ITEM)
            _item("Arrange (selection, or all)", app.arrange, tag=ids.ARRANGE_ITEM)
            dpg.add_separator()
            _item("Collapse into function…", app.collapse_selection, "collapse_selection",
                  tag=ids.COLLAPSE_ITEM)
            _item("Expand function", app.expand_selection, "expand_selection", tag=ids.EXPAND_ITEM)
            dpg.add_menu(label="Insert function", tag=ids.INSERT_FUNCTION_MENU)
        with dpg.menu(label="View", tag=ids.VIEW_MENU):
            _item("Fit graph (or selection)", app.fit_view, "fit_view")
            _item("Zoom in", app.zoom_in, "zoom_in")
            _item("Zoom out", app.zoom_out, "zoom_out")
            _item("Zoom 100%", app.zoom_reset, "zoom_reset")
            _item("Gradient-coloured links", app.toggle_gradient_links, check=True,
                  default_value=True, tag=ids.GRADIENT_LINKS_ITEM)
            _item("Node thumbnails over the plane (100% and above)", app.toggle_thumbnails,
                  check=True, default_value=False, tag=ids.THUMBNAILS_ITEM)
        with dpg.menu(label="Tools", tag=ids.TOOLS_MENU):
            _item("Check gradients", app.tools.check_gradients, tag=ids.CHECK_GRADIENTS_ITEM)
        with dpg.menu(label="Help", tag=ids.HELP_MENU):
            _item("Getting started", app.show_help)
            _item("About this graph", app.show_about, tag=ids.ABOUT_ITEM)


def fill_recent_menu(app, paths) -> None:
    dpg.delete_item(ids.RECENT_MENU, children_only=True)
    for path, name in zip(paths, userstate.distinct_names(paths)):
        dpg.add_menu_item(label=name, parent=ids.RECENT_MENU, user_data=path,
                          callback=lambda sender, data, chosen: app.open_after_asking(chosen))
    if not paths:
        dpg.add_menu_item(label="(none yet)", parent=ids.RECENT_MENU, enabled=False)


def build_context_menus(app) -> None:
    with dpg.window(tag=ids.CANVAS_MENU, popup=True, show=False, no_title_bar=True, autosize=True):
        dpg.add_text("Add a node here", color=MUTED)
        dpg.add_separator()
        with dpg.group(horizontal=True, horizontal_spacing=14):
            for category in CATEGORIES:
                with dpg.group(tag=ids.canvas_menu_category(category)):
                    colour = theme.KIND_COLOURS[theme.kind_of(ops_in_category(category)[0].name)]
                    dpg.add_text(CATEGORY_TITLES[category], color=_brighter(colour))
                    for op in ops_in_category(category):
                        dpg.add_selectable(label=op_label(op.name), width=96,
                                           user_data=op.name, tag=ids.canvas_menu_op(op.name),
                                           callback=lambda sender, data, op_name:
                                           app.add_node_from_menu(op_name))
        dpg.add_separator()
        _item("Search all ops…", app.open_palette, "open_palette")
        dpg.add_selectable(label="Insert a layer here, reading the selected nodes…",
                           tag=ids.CANVAS_MENU_INSERT_LAYER, callback=lambda: app.insert_layer_here())
    with dpg.window(tag=ids.NODE_MENU, popup=True, show=False, no_title_bar=True, autosize=True):
        dpg.add_text("", tag=ids.NODE_MENU_TITLE, color=MUTED)
        dpg.add_separator()
        for action, label in NODE_MENU_ITEMS:
            if action == "delete":
                dpg.add_separator()
            dpg.add_selectable(label=label, tag=ids.node_menu_item(action), user_data=action,
                               callback=lambda sender, data, chosen: app.node_menu_action(chosen))
    with dpg.window(tag=ids.LINK_MENU, popup=True, show=False, no_title_bar=True, autosize=True):
        dpg.add_text("", tag=ids.LINK_MENU_TITLE, color=MUTED)
        dpg.add_separator()
        dpg.add_selectable(label="Disconnect", tag=ids.LINK_MENU_DISCONNECT,
                           callback=lambda: app.disconnect_menu_link())
