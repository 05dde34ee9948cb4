"""Tools > Check gradients and File > Export as Python…: thin views over Session's learning aids.

The gradient check runs once when asked (a second or so on the largest example) and its summary
lines, at the current sample and on the first training batch, are shown in a window of their own.
Export asks where with a file dialog for `.py` files, then `Session.export_python` writes the script
and says so in the status line.
"""

from __future__ import annotations

from pathlib import Path

import dearpygui.dearpygui as dpg

from mlgarden.gui import ids
from mlgarden.gui.dialogs import clean_path
from mlgarden.session import Session

WINDOW_SIZE = (640, 300)


def python_path(path_name: str) -> Path | None:
    """The script a file dialog meant, or None; it always ends in .py."""
    path = clean_path(path_name, for_saving=False)
    if path is None or path.suffix.lower() == ".py":
        return path
    return path.with_name(path.name + ".py")


class Tools:
    def __init__(self, session: Session):
        self.session = session

    def build(self) -> None:
        with dpg.file_dialog(tag=ids.EXPORT_DIALOG, label="Export as Python", show=False, modal=True,
                             width=720, height=460, directory_selector=False, default_filename="graph",
                             callback=lambda sender, data: self.export_chosen(data)):
            dpg.add_file_extension(".py", color=(120, 200, 240, 255))
            dpg.add_file_extension(".*")
        with dpg.window(tag=ids.GRADCHECK_WINDOW, label="Gradient check", show=False,
                        width=WINDOW_SIZE[0], height=WINDOW_SIZE[1], no_collapse=True):
            dpg.add_text("", tag=ids.GRADCHECK_TEXT, wrap=WINDOW_SIZE[0] - 30)
            dpg.add_button(label="Close", width=80, callback=lambda: dpg.hide_item(ids.GRADCHECK_WINDOW))

    def is_open(self) -> bool:
        return dpg.is_item_shown(ids.EXPORT_DIALOG)

    # --- export ----------------------------------------------------------------------------------

    def export_python_dialog(self) -> None:
        name = self.session.path.stem if self.session.path is not None else "graph"
        dpg.configure_item(ids.EXPORT_DIALOG, default_filename=name)
        if self.session.path is not None:
            dpg.configure_item(ids.EXPORT_DIALOG, default_path=str(self.session.path.parent))
        dpg.show_item(ids.EXPORT_DIALOG)

    def export_chosen(self, data: dict) -> None:
        path = python_path(data.get("file_path_name", ""))
        if path is None:
            self.session.status = "no file was chosen: nothing exported"
            return
        self.session.export_python(path)

    # --- the gradient check -------------------------------------------------------------------------

    def check_gradients(self) -> None:
        checks = self.session.check_gradients()
        lines = [line for check in checks for line in check.summary_lines() + [""]]
        dpg.set_value(ids.GRADCHECK_TEXT, "\n".join(lines) if lines else self.session.status)
        width, height = dpg.get_viewport_client_width(), dpg.get_viewport_client_height()
        position = (max(0, (width - WINDOW_SIZE[0]) // 2), max(0, (height - WINDOW_SIZE[1]) // 3))
        dpg.configure_item(ids.GRADCHECK_WINDOW, show=True, pos=position)
        dpg.focus_item(ids.GRADCHECK_WINDOW)
