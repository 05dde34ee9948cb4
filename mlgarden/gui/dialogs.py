"""Modal dialogs: a question with buttons, an error, a line of text, the node palette, files.

Each dialog is built once, hidden, and shown with its content and the action to run when the
user answers; the action is a plain method of the app or the canvas. Only one dialog is open at
a time, so the pending action lives here until the dialog closes.

Dear PyGui's file dialog can hand back a path without the extension, or with the filter's
wildcard appended (design fact 10): `clean_path` repairs it, and saving appends `.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dearpygui.dearpygui as dpg

from mlgarden.gui import ids, theme
from mlgarden.engine.ops import CATEGORIES, ops_in_category

DIALOG_WIDTH = 420


def clean_path(path_name: str, for_saving: bool) -> Path | None:
    """The file a file dialog meant, or None; a save path always ends in .yaml or .yml."""
    text = (path_name or "").strip()
    if text.endswith(".*"):
        text = text[:-2]
    if not text or text.endswith(("/", "\\")):
        return None
    path = Path(text)
    if for_saving and path.suffix.lower() not in (".yaml", ".yml"):
        path = path.with_name(path.name + ".yaml")
    return path


def palette_matches(text: str) -> list[str]:
    """Ops whose name, symbol or category contain every word typed, in category order."""
    words = text.lower().split()
    found = []
    for category in CATEGORIES:
        for op in ops_in_category(category):
            haystack = f"{op.name} {op.symbol} {op.category} {op.formula}".lower()
            if all(word in haystack for word in words):
                found.append(op.name)
    return found


class Dialogs:
    def __init__(self) -> None:
        self._on_text: Callable[[str], None] | None = None
        self._on_pick: Callable[[str], None] | None = None
        self._on_open_path: Callable[[Path], None] | None = None
        self._on_save_path: Callable[[Path], None] | None = None
        self._on_csv_path: Callable[[Path], None] | None = None

    def build(self) -> None:
        with dpg.window(tag=ids.CONFIRM, modal=True, show=False, no_resize=True, autosize=True,
                        label="mlgarden", no_close=True):
            dpg.add_text("", tag=ids.CONFIRM_TEXT, wrap=DIALOG_WIDTH)
            dpg.add_group(tag=ids.CONFIRM + ".buttons", horizontal=True)
        with dpg.window(tag=ids.ERROR, modal=True, show=False, no_resize=True, autosize=True,
                        label="Could not do that", no_close=True):
            dpg.add_text("", tag=ids.ERROR_TEXT, wrap=DIALOG_WIDTH)
            dpg.add_button(label="OK", width=80, callback=lambda: self.close(ids.ERROR))
        with dpg.window(tag=ids.RENAME, modal=True, show=False, no_resize=True, autosize=True,
                        label="Rename", no_close=True):
            dpg.add_input_text(tag=ids.RENAME_INPUT, width=260, on_enter=True,
                               callback=lambda sender, text: self.answer_text(text))
            with dpg.group(horizontal=True):
                dpg.add_button(label="OK", width=80,
                               callback=lambda: self.answer_text(dpg.get_value(ids.RENAME_INPUT)))
                dpg.add_button(label="Cancel", width=80, callback=lambda: self.close(ids.RENAME))
        self._build_palette()
        self._build_file_dialogs()

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

    def _build_file_dialogs(self) -> None:
        for tag, label, saving in ((ids.OPEN_DIALOG, "Open graph", False),
                                   (ids.SAVE_DIALOG, "Save graph as", True)):
            with dpg.file_dialog(tag=tag, label=label, show=False, modal=True, width=720, height=460,
                                 directory_selector=False, default_filename="" if not saving else "graph",
                                 user_data=saving,
                                 callback=lambda sender, data, saving_: self.file_chosen(data, saving_)):
                dpg.add_file_extension(".yaml", color=(120, 220, 120, 255))
                dpg.add_file_extension(".yml", color=(120, 220, 120, 255))
                dpg.add_file_extension(".*")
        with dpg.file_dialog(tag=ids.EXPORT_DATA_DIALOG, label="Export data as CSV", show=False, modal=True,
                             width=720, height=460, directory_selector=False, default_filename="data",
                             callback=lambda sender, data: self.csv_chosen(data)):
            dpg.add_file_extension(".csv", color=(120, 220, 120, 255))
            dpg.add_file_extension(".*")

    # --- showing ---------------------------------------------------------------------------------

    def is_open(self) -> bool:
        return any(dpg.is_item_shown(tag) for tag in
                   (ids.CONFIRM, ids.ERROR, ids.RENAME, ids.PALETTE, ids.OPEN_DIALOG, ids.SAVE_DIALOG,
                    ids.EXPORT_DATA_DIALOG))

    def close(self, tag: str) -> None:
        dpg.configure_item(tag, show=False)

    def _show_centred(self, tag: str, width: int = DIALOG_WIDTH, height: int = 140) -> None:
        viewport_width = dpg.get_viewport_client_width()
        viewport_height = dpg.get_viewport_client_height()
        dpg.configure_item(tag, show=True, pos=(max(0, (viewport_width - width) // 2),
                                               max(0, (viewport_height - height) // 3)))

    def ask(self, question: str, choices: list[tuple[str, Callable[[], None] | None]]) -> None:
        """A modal question; each choice is (button label, action or None to just close)."""
        dpg.set_value(ids.CONFIRM_TEXT, question)
        buttons = ids.CONFIRM + ".buttons"
        dpg.delete_item(buttons, children_only=True)
        for label, action in choices:
            dpg.add_button(label=label, width=90, parent=buttons, user_data=action,
                           callback=lambda sender, data, chosen: self.answer(chosen))
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
        shown = set(palette_matches(text))
        for name in palette_matches(""):  # the menu's ops: a function's pins and calls have no entry
            dpg.configure_item(ids.palette_entry(name), show=name in shown)

    def pick_first(self) -> None:
        """Enter in the filter field adds the first op that matches."""
        matches = palette_matches(dpg.get_value(ids.PALETTE_FILTER))
        if matches:
            self.pick(matches[0])

    def pick(self, op_name: str) -> None:
        self.close(ids.PALETTE)
        if self._on_pick is not None:
            on_pick, self._on_pick = self._on_pick, None
            on_pick(op_name)

    # --- files -------------------------------------------------------------------------------------

    def choose_file_to_open(self, on_path: Callable[[Path], None], folder: Path | None) -> None:
        self._on_open_path = on_path
        if folder is not None:
            dpg.configure_item(ids.OPEN_DIALOG, default_path=str(folder))
        dpg.show_item(ids.OPEN_DIALOG)

    def choose_file_to_save(self, on_path: Callable[[Path], None], folder: Path | None,
                            name: str) -> None:
        self._on_save_path = on_path
        if folder is not None:
            dpg.configure_item(ids.SAVE_DIALOG, default_path=str(folder))
        dpg.configure_item(ids.SAVE_DIALOG, default_filename=name)
        dpg.show_item(ids.SAVE_DIALOG)

    def choose_csv_to_save(self, on_path: Callable[[Path], None], folder: Path | None, name: str) -> None:
        """The file to export data to (File > Export data); ".csv" is added when missing."""
        self._on_csv_path = on_path
        if folder is not None:
            dpg.configure_item(ids.EXPORT_DATA_DIALOG, default_path=str(folder))
        dpg.configure_item(ids.EXPORT_DATA_DIALOG, default_filename=name)
        dpg.show_item(ids.EXPORT_DATA_DIALOG)

    def csv_chosen(self, data: dict) -> None:
        path = clean_path(data.get("file_path_name", ""), for_saving=False)
        callback, self._on_csv_path = self._on_csv_path, None
        if path is None:
            self.show_error("No file was chosen: pick a file, or type a name.")
        elif callback is not None:
            callback(path if path.suffix.lower() == ".csv" else path.with_name(path.name + ".csv"))

    def file_chosen(self, data: dict, saving: bool) -> None:
        path = clean_path(data.get("file_path_name", ""), saving)
        callback = self._on_save_path if saving else self._on_open_path
        self._on_save_path = self._on_open_path = None
        if path is None:
            self.show_error("No file was chosen: pick a file, or type a name.")
        elif callback is not None:
            callback(path)
