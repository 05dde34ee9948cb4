"""Tools > Check gradients and File > Export as Python…: thin views over Session's learning aids.

The gradient check runs once when asked (a second or so on the largest example) and its summary
lines, at the current sample and on the first training batch, are shown in a window of their own.
Export asks where with mlgarden's file dialog (gui/file_browser.py) for `.py` files, then
`Session.export_python` writes the script and says so in the status line.
"""

from __future__ import annotations

from pathlib import Path

import dearpygui.dearpygui as dpg

from mlgarden.gui import ids
from mlgarden.gui.file_browser import FileBrowser
from mlgarden.session import Session

WINDOW_SIZE = (640, 300)


class Tools:
    def __init__(self, session: Session, files: FileBrowser):
        self.session = session
        self.files = files  # the app's file dialog

    def build(self) -> None:
        with dpg.window(tag=ids.GRADCHECK_WINDOW, label="Gradient check", show=False,
                        width=WINDOW_SIZE[0], height=WINDOW_SIZE[1], no_collapse=True):
            dpg.add_text("", tag=ids.GRADCHECK_TEXT, wrap=WINDOW_SIZE[0] - 30)
            dpg.add_button(label="Close", width=80, callback=lambda: dpg.hide_item(ids.GRADCHECK_WINDOW))

    # --- export ----------------------------------------------------------------------------------

    def export_python_dialog(self) -> None:
        name = self.session.path.stem if self.session.path is not None else "graph"
        folder = self.session.path.parent if self.session.path is not None else Path.cwd()
        self.files.ask("Export as Python", folder, self.session.export_python, saving=True,
                       name=f"{name}.py", suffixes=(".py",))

    # --- the gradient check -------------------------------------------------------------------------

    def check_gradients(self) -> None:
        checks = self.session.check_gradients()
        lines = [line for check in checks for line in check.summary_lines() + [""]]
        dpg.set_value(ids.GRADCHECK_TEXT, "\n".join(lines) if lines else self.session.status)
        width, height = dpg.get_viewport_client_width(), dpg.get_viewport_client_height()
        position = (max(0, (width - WINDOW_SIZE[0]) // 2), max(0, (height - WINDOW_SIZE[1]) // 3))
        dpg.configure_item(ids.GRADCHECK_WINDOW, show=True, pos=position)
        dpg.focus_item(ids.GRADCHECK_WINDOW)
