"""The Open, Save As and Export data dialog: a folder's files, sizes in plain bytes, KB and MB.

Dear PyGui's own file dialog formats sizes with the machine's locale and sorts ".." among the
folders; this one is ours. The listing is plain data (`listing`, `size_text`), tested without a
window: ".." first (except at the top of the file system), then the folders, then the graph files
(.yaml, .yml, or the .csv files when exporting data; every file with "all files" ticked), each
group by name. A size is bytes below
1 KB, then KB and MB (1 KB = 1024 bytes) with one decimal and a point, whatever the locale.

The name field has the keyboard when the window opens, its name selected, so what is typed
replaces it. In the window a click on a folder (or on "..") goes there; a click on a file puts
its name in the name field; Open (or Save), the default button, or Enter (in the name field or
not) answers with the folder joined with the name, a name that is a folder goes there instead.
Saving adds ".yaml" (or ".csv") to a name without it. Esc closes the window as Cancel does:
nothing is opened or written. The app hands the window its keys (`key_pressed`) while it is
open, and no other part of the app gets them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dearpygui.dearpygui as dpg

from mlgarden.gui import menus, theme

GRAPH_SUFFIXES = (".yaml", ".yml")
UNITS = ("KB", "MB", "GB")
SIZE = (640, 460)


@dataclass(frozen=True)
class Entry:
    name: str  # as shown: a folder's ends with "/"
    path: Path
    is_folder: bool
    size: str  # "" for a folder


def size_text(size: int) -> str:
    """'512 B', '1.5 KB', '3.2 MB': 1024 per step, one decimal, a point, never the locale's."""
    if size < 1024:
        return f"{size} B"
    value, unit = size / 1024.0, 0
    while value >= 1024.0 and unit < len(UNITS) - 1:
        value, unit = value / 1024.0, unit + 1
    return f"{value:.1f} {UNITS[unit]}"


def listing(folder: Path, all_files: bool = False, suffixes: tuple[str, ...] = GRAPH_SUFFIXES) -> list[Entry]:
    """What the dialog lists for `folder` (see the module's docstring); unreadable entries are
    left out, an unreadable folder lists only "..". Hidden names (starting with '.') are left out."""
    folder = Path(folder)
    entries = []
    if folder.parent != folder:
        entries.append(Entry("..", folder.parent, True, ""))
    folders, files = [], []
    try:
        children = sorted(folder.iterdir(), key=lambda path: path.name.lower())
    except OSError:
        return entries
    for child in children:
        if child.name.startswith("."):
            continue
        try:
            if child.is_dir():
                folders.append(Entry(child.name + "/", child, True, ""))
            elif all_files or child.suffix.lower() in suffixes:
                files.append(Entry(child.name, child, False, size_text(child.stat().st_size)))
        except OSError:
            continue
    return entries + folders + files


class Tags:
    window = "file_browser"
    folder = "file_browser.folder"
    rows = "file_browser.rows"
    name = "file_browser.name"
    all_files = "file_browser.all_files"
    ok = "file_browser.ok"
    cancel = "file_browser.cancel"


def row_tag(index: int) -> str:
    return f"file_browser.row.{index}"


class FileBrowser:
    """One modal window for Open and Save As; `ask` shows it, `on_path` gets the chosen path."""

    def __init__(self) -> None:
        self.folder = Path.cwd()
        self.saving = False
        self.entries: list[Entry] = []
        self._on_path: Callable[[Path], None] | None = None
        self._frames_to_show = 0
        self._answer: tuple[Callable[[Path], None], Path] | None = None
        self._frames_to_answer = 0
        self.suffixes = GRAPH_SUFFIXES

    def build(self) -> None:
        with dpg.window(tag=Tags.window, modal=True, show=False, no_close=True, width=SIZE[0],
                        height=SIZE[1], no_saved_settings=True):
            dpg.add_text("", tag=Tags.folder)
            with dpg.child_window(height=-60):
                with dpg.table(tag=Tags.rows, header_row=True, policy=dpg.mvTable_SizingStretchProp,
                               borders_innerH=False):
                    dpg.add_table_column(label="name", width_stretch=True, init_width_or_weight=4)
                    dpg.add_table_column(label="size", width_stretch=True, init_width_or_weight=1)
            dpg.add_input_text(tag=Tags.name, label="name", width=-60)  # Enter: key_pressed
            with dpg.group(horizontal=True):
                dpg.add_button(tag=Tags.ok, label="Open", width=90, callback=lambda: self.answer())
                dpg.add_button(tag=Tags.cancel, label="Cancel", width=90, callback=lambda: self.close())
                dpg.add_checkbox(tag=Tags.all_files, label="all files",
                                 callback=lambda: self.show_folder(self.folder))
        theme.mark_default_button(Tags.ok)

    def is_open(self) -> bool:
        return bool(self._frames_to_show or self._frames_to_answer) or dpg.is_item_shown(Tags.window)

    def ask(self, title: str, folder: Path, on_path: Callable[[Path], None], saving: bool = False,
            name: str = "", suffixes: tuple[str, ...] = GRAPH_SUFFIXES) -> None:
        """Show the dialog for `folder`; `on_path(path)` gets the answer. `suffixes`: the files
        listed, and the first is added to a saved name without one."""
        self._on_path, self.saving, self.suffixes = on_path, saving, suffixes
        dpg.configure_item(Tags.window, label=title)
        dpg.configure_item(Tags.ok, label="Save" if saving else "Open")
        dpg.set_value(Tags.name, name)
        self.show_folder(folder)
        self._frames_to_show = 2  # this frame's update, then the next one's

    def update(self) -> None:
        """Once a frame: give the answer, and show the window asked for, each a frame later. Not at
        once: a modal dialog opened in the frame another one closes would close with it (the
        answer's Overwrite? or error after this window; this window after Discard changes?)."""
        if self._frames_to_answer:
            self._frames_to_answer -= 1
            if not self._frames_to_answer:
                on_path, path = self._answer
                on_path(path)
        if self._frames_to_show:
            self._frames_to_show -= 1
            if self._frames_to_show:
                return
            width, height = dpg.get_viewport_client_width(), dpg.get_viewport_client_height()
            dpg.configure_item(Tags.window, show=True, pos=(max(0, (width - SIZE[0]) // 2),
                                                            max(0, (height - SIZE[1]) // 3)))
            dpg.focus_item(Tags.name)  # typing replaces the name at once, as in a desktop dialog

    def show_folder(self, folder: Path) -> None:
        self.folder = Path(folder).resolve()
        self.entries = listing(self.folder, bool(dpg.get_value(Tags.all_files)), self.suffixes)
        dpg.set_value(Tags.folder, str(self.folder))
        for row in dpg.get_item_children(Tags.rows, 1):
            dpg.delete_item(row)
        for index, entry in enumerate(self.entries):
            with dpg.table_row(parent=Tags.rows):
                dpg.add_selectable(label=entry.name, tag=row_tag(index), span_columns=True,
                                   user_data=index, callback=lambda sender, data, chosen: self.pick(chosen))
                dpg.add_text(entry.size)

    def pick(self, index: int) -> None:
        """A click on a row: go into a folder, or take a file's name."""
        dpg.set_value(row_tag(index), False)
        entry = self.entries[index]
        if entry.is_folder:
            self.show_folder(entry.path)
        else:
            dpg.set_value(Tags.name, entry.name)

    def answer(self) -> None:
        """Open (or Save) with the name given; no name, or a folder's (then the dialog goes there),
        leaves the name field the keyboard for the next name (ImGui's Enter takes it away)."""
        name = dpg.get_value(Tags.name).strip()
        if not name:
            dpg.focus_item(Tags.name)
            return
        path = self.folder / name
        if path.is_dir():
            dpg.set_value(Tags.name, "")
            self.show_folder(path)
            dpg.focus_item(Tags.name)
            return
        if self.saving and path.suffix.lower() not in self.suffixes:
            path = path.with_name(path.name + self.suffixes[0])
        on_path = self._on_path
        self.close()
        if on_path is not None:  # after the window has closed: the answer may open another dialog
            self._answer, self._frames_to_answer = (on_path, path), 2

    def key_pressed(self, key: int) -> None:
        """Enter answers as Open (or Save) does, Esc closes as Cancel does; only once the window is
        shown (not in the frames it waits to open, or to give its answer)."""
        if not dpg.is_item_shown(Tags.window):
            return
        if key in menus.ENTER_KEYS:
            self.answer()
        elif key == dpg.mvKey_Escape:
            self.close()

    def close(self) -> None:
        dpg.configure_item(Tags.window, show=False)
        self._on_path = None
