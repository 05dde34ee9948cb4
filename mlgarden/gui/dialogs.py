"""Modal dialogs: a question with buttons, an error, a line of text, the node palette, files.

Each dialog is built once, hidden, and shown with its content and the action to run when the
user answers; the action is a plain method of the app or the canvas. Only one dialog is open at
a time, so the pending action lives here until the dialog closes.

Keys, as in any desktop dialog: while one is open the app hands it every key (`key_pressed`), so
no shortcut or canvas key (Delete, ctrl+Z, the canvas's Esc) acts behind it. Esc closes it as its
Cancel does, changing nothing. Enter presses its default button, drawn brighter and outlined
(`theme.mark_default_button`): OK in Rename (from its field or not) and in the error message (whose
Esc closes it too), Open or Save in the file dialog, the first match in the palette. A question
(`ask`) names its default, never the button that loses work: Save in "Discard unsaved changes?",
Restore in the recovery offer, Cancel in "Replace it?" and "Overwrite it?". A question with no
default takes no Enter.

Open and Save As use mlgarden's own file dialog (gui/file_browser.py): Dear PyGui's formats sizes
with the locale and can hand back a path without its extension or with the filter's wildcard.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dearpygui.dearpygui as dpg

from mlgarden.gui import ids, menus, theme
from mlgarden.gui.file_browser import FileBrowser
from mlgarden.engine.ops import CATEGORIES, ops_in_category

DIALOG_WIDTH = 420


def palette_matches(text: str) -> list[str]:
    """Ops whose name, symbol, category or formula contain every word typed: first those whose
    name starts with what is typed, then those whose name or symbol contain every word, then the
    ones matched by their category or formula only ("ta" is in "data": x, y and label read the
    data point), each group in category order. Enter adds the first, so it is the op named."""
    words = text.lower().split()
    typed = " ".join(words)
    found = []
    for category in CATEGORIES:
        for op in ops_in_category(category):
            haystack = f"{op.name} {op.symbol} {op.category} {op.formula}".lower()
            if all(word in haystack for word in words):
                found.append(op)

    def rank(op) -> int:
        if op.name.lower().startswith(typed):
            return 0
        return 1 if all(word in f"{op.name} {op.symbol}".lower() for word in words) else 2

    return [op.name for op in sorted(found, key=rank)]


class Dialogs:
    def __init__(self) -> None:
        self._on_text: Callable[[str], None] | None = None
        self._on_pick: Callable[[str], None] | None = None
        self._choices: dict[str, Callable[[], None] | None] = {}  # the open question's buttons
        self._default_choice: str | None = None
        self.files = FileBrowser()

    def build(self) -> None:
        with dpg.window(tag=ids.CONFIRM, modal=True, show=False, no_resize=True, autosize=True,
                        label="mlgarden", no_close=True):
            dpg.add_text("", tag=ids.CONFIRM_TEXT, wrap=DIALOG_WIDTH)
            dpg.add_group(tag=ids.CONFIRM_BUTTONS, horizontal=True)
        with dpg.window(tag=ids.ERROR, modal=True, show=False, no_resize=True, autosize=True,
                        label="Could not do that", no_close=True):
            dpg.add_text("", tag=ids.ERROR_TEXT, wrap=DIALOG_WIDTH)
            dpg.add_button(label="OK", tag=ids.ERROR_OK, width=80, callback=lambda: self.close(ids.ERROR))
        theme.mark_default_button(ids.ERROR_OK)
        with dpg.window(tag=ids.RENAME, modal=True, show=False, no_resize=True, autosize=True,
                        label="Rename", no_close=True):
            dpg.add_input_text(tag=ids.RENAME_INPUT, width=260)  # Enter: key_pressed
            with dpg.group(horizontal=True):
                dpg.add_button(label="OK", tag=ids.RENAME_OK, width=80,
                               callback=lambda: self.answer_text(dpg.get_value(ids.RENAME_INPUT)))
                dpg.add_button(label="Cancel", width=80, callback=lambda: self.close(ids.RENAME))
        theme.mark_default_button(ids.RENAME_OK)
        self._build_palette()
        self.files.build()

    def _build_palette(self) -> None:
        with dpg.window(tag=ids.PALETTE, modal=True, show=False, no_resize=True, label="Add node",
                        width=360, height=420, no_close=True):
            dpg.add_input_text(tag=ids.PALETTE_FILTER, width=-1, hint="type to filter, Enter adds",
                               callback=lambda sender, text: self.filter_palette(text))
            with dpg.child_window(tag=ids.PALETTE_LIST, height=-30):
                for category in CATEGORIES:
                    for op in ops_in_category(category):
                        dpg.add_selectable(tag=ids.palette_entry(op.name),
                                           label=f"{theme.symbol(op.name):>6}  {op.name}  ({category})",
                                           user_data=op.name,
                                           callback=lambda sender, value, op_name: self.pick(op_name))
            dpg.add_button(label="Cancel", width=80, callback=lambda: self.close(ids.PALETTE))

    # --- showing ---------------------------------------------------------------------------------

    def is_open(self) -> bool:
        return self.files.is_open() or any(dpg.is_item_shown(tag) for tag in
                                           (ids.CONFIRM, ids.ERROR, ids.RENAME, ids.PALETTE))

    def close(self, tag: str) -> None:
        dpg.configure_item(tag, show=False)

    def key_pressed(self, key: int) -> None:
        """A key while one of these dialogs is open (see the module's docstring): Enter is the
        default button, Esc closes; any other key is the dialog's fields' own."""
        enter, escape = key in menus.ENTER_KEYS, key == dpg.mvKey_Escape
        if self.files.is_open():
            self.files.key_pressed(key)
        elif dpg.is_item_shown(ids.PALETTE):
            if enter:
                self.pick_first()
            elif escape:
                self.close(ids.PALETTE)
        elif dpg.is_item_shown(ids.CONFIRM):
            self._question_key(enter, escape)
        elif dpg.is_item_shown(ids.ERROR) and (enter or escape):
            self.close(ids.ERROR)
        elif dpg.is_item_shown(ids.RENAME):
            if enter:
                self.answer_text(dpg.get_value(ids.RENAME_INPUT))
            elif escape:
                self.close(ids.RENAME)

    def _question_key(self, enter: bool, escape: bool) -> None:
        if enter and self._default_choice in self._choices:
            self.answer(self._choices[self._default_choice])
        elif escape and None in self._choices.values():
            self.answer(None)

    def _show_centred(self, tag: str, width: int = DIALOG_WIDTH, height: int = 140) -> None:
        viewport_width = dpg.get_viewport_client_width()
        viewport_height = dpg.get_viewport_client_height()
        dpg.configure_item(tag, show=True, pos=(max(0, (viewport_width - width) // 2),
                                               max(0, (viewport_height - height) // 3)))

    def ask(self, question: str, choices: list[tuple[str, Callable[[], None] | None]],
            default: str | None = None) -> None:
        """A modal question; each choice is (button label, action or None to just close). Enter
        presses the choice labelled `default` (shown as the default), Esc the one that just closes."""
        dpg.set_value(ids.CONFIRM_TEXT, question)
        dpg.delete_item(ids.CONFIRM_BUTTONS, children_only=True)
        self._choices, self._default_choice = dict(choices), default
        for label, action in choices:
            button = dpg.add_button(label=label, width=90, parent=ids.CONFIRM_BUTTONS, user_data=action,
                                    callback=lambda sender, data, chosen: self.answer(chosen))
            if label == default:
                theme.mark_default_button(button)
        self._show_centred(ids.CONFIRM)

    def answer(self, action: Callable[[], None] | None) -> None:
        self.close(ids.CONFIRM)
        if action is not None:
            action()

    def show_error(self, message: str) -> None:
        dpg.set_value(ids.ERROR_TEXT, message)
        self._show_centred(ids.ERROR)

    def ask_text(self, title: str, initial: str, on_text: Callable[[str], None]) -> None:
        self._on_text = on_text
        dpg.configure_item(ids.RENAME, label=title)
        dpg.set_value(ids.RENAME_INPUT, initial)
        self._show_centred(ids.RENAME, 300, 90)
        dpg.focus_item(ids.RENAME_INPUT)

    def answer_text(self, text: str) -> None:
        self.close(ids.RENAME)
        if self._on_text is not None:
            on_text, self._on_text = self._on_text, None
            on_text(text)

    # --- the palette -------------------------------------------------------------------------------

    def open_palette(self, on_pick: Callable[[str], None]) -> None:
        self._on_pick = on_pick
        dpg.set_value(ids.PALETTE_FILTER, "")
        self.filter_palette("")
        self._show_centred(ids.PALETTE, 360, 420)
        dpg.focus_item(ids.PALETTE_FILTER)

    def filter_palette(self, text: str) -> None:
        """Show the ops that match, in the order of `palette_matches`: the top one is Enter's."""
        matches = palette_matches(text)
        every_op = palette_matches("")  # the menu's ops: a function's pins and calls have no entry
        for name in every_op:
            dpg.configure_item(ids.palette_entry(name), show=name in matches)
        order = matches + [name for name in every_op if name not in matches]
        dpg.reorder_items(ids.PALETTE_LIST, 1, [dpg.get_alias_id(ids.palette_entry(name)) for name in order])

    def pick_first(self) -> None:
        """Enter adds the first op that matches; with none, the filter field keeps the keyboard
        (ImGui's Enter takes it from the field) so the typing can be mended."""
        matches = palette_matches(dpg.get_value(ids.PALETTE_FILTER))
        if matches:
            self.pick(matches[0])
        else:
            dpg.focus_item(ids.PALETTE_FILTER)

    def pick(self, op_name: str) -> None:
        self.close(ids.PALETTE)
        if self._on_pick is not None:
            on_pick, self._on_pick = self._on_pick, None
            on_pick(op_name)

    # --- files -------------------------------------------------------------------------------------

    def choose_file_to_open(self, on_path: Callable[[Path], None], folder: Path | None) -> None:
        self.files.ask("Open graph", folder or Path.cwd(), on_path)

    def choose_file_to_save(self, on_path: Callable[[Path], None], folder: Path | None,
                            name: str) -> None:
        self.files.ask("Save graph as", folder or Path.cwd(), on_path, saving=True, name=f"{name}.yaml")

    def choose_csv_to_save(self, on_path: Callable[[Path], None], folder: Path | None, name: str) -> None:
        """The file to export data to (File > Export data); ".csv" is added when missing."""
        self.files.ask("Export data as CSV", folder or Path.cwd(), on_path, saving=True,
                       name=f"{name}.csv", suffixes=(".csv",))
