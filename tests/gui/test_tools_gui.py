"""Tools > Check gradients and File > Export as Python…, clicked in the real menu bar under Xvfb."""

from __future__ import annotations

import json
import subprocess
import sys

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, small_graph  # noqa: F401 (a fixture)
from test_editing_gui import click_menu_item
from mlgarden.cli import main
from mlgarden.files import fileformat
from mlgarden.gui import ids
from mlgarden.gui.file_browser import Tags as FileTags
from mlgarden.session import Session

pytestmark = pytest.mark.gui


def test_check_gradients_in_the_tools_menu_shows_the_result_in_a_window(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    assert not dpg.is_item_shown(ids.GRADCHECK_WINDOW)
    click_menu_item(driver, ids.TOOLS_MENU, ids.CHECK_GRADIENTS_ITEM)
    driver.frames_until(lambda: dpg.is_item_shown(ids.GRADCHECK_WINDOW), "the gradient check window")
    driver.frames(2)
    x, y, label = session.sample()
    lines = dpg.get_value(ids.GRADCHECK_TEXT).splitlines()
    assert lines[0].startswith(f"gradient check at x={x:g}, y={y:g}, label={label:g}: 2 params, max relative")
    assert lines[0].endswith(": passed")
    batch = min(session.document.training.batch_size, len(session.train_set.labels))
    assert lines[2].startswith(f"gradient check at a batch of {batch} points: 2 params")
    assert dpg.get_value(ids.STATUS_TEXT) == "gradient check passed"
    driver.screenshot(tmp_path / "gradcheck.png")
    close = dpg.get_item_children(ids.GRADCHECK_WINDOW, 1)[-1]
    driver.click(*driver.item_center(close))
    driver.frames_until(lambda: not dpg.is_item_shown(ids.GRADCHECK_WINDOW), "the window to close")


def test_check_gradients_without_a_loss_or_a_result_says_why(app_on):
    document = small_graph()
    document.set_loss(None)
    document.set_result(None)
    session = Session(document)
    app, driver = app_on(session)
    click_menu_item(driver, ids.TOOLS_MENU, ids.CHECK_GRADIENTS_ITEM)
    driver.frames_until(lambda: dpg.is_item_shown(ids.GRADCHECK_WINDOW), "the gradient check window")
    assert "no loss and no result that can be computed" in dpg.get_value(ids.GRADCHECK_TEXT)


def test_export_as_python_asks_where_writes_the_script_and_says_so(app_on, tmp_path, capsys):
    session = Session(small_graph())
    session.path = tmp_path / "graph.yaml"  # the dialog opens in the graph's folder, named after it
    fileformat.save(session.document, session.path)
    app, driver = app_on(session)
    click_menu_item(driver, ids.FILE_MENU, ids.EXPORT_PYTHON_ITEM)
    driver.frames_until(lambda: dpg.is_item_shown(FileTags.window), "the export file dialog")
    assert app.dialog_open()
    assert dpg.get_value(FileTags.name) == "graph.py"
    assert app.dialogs.files.folder == tmp_path.resolve()
    driver.screenshot(tmp_path / "export-dialog.png")
    driver.click(*driver.item_center(FileTags.ok))
    script = tmp_path / "graph.py"
    driver.frames_until(script.is_file, "the exported script")
    driver.frames(2)
    assert not dpg.is_item_shown(FileTags.window)
    assert dpg.get_value(ids.STATUS_TEXT) == f"exported the graph as Python to {script}"
    run = subprocess.run([sys.executable, "-I", "-S", str(script), "--json", "--x", "0.25"],
                         capture_output=True, text=True, check=True)
    assert main(["eval", str(session.path), "--json", "--x", "0.25"]) == 0
    assert run.stdout == capsys.readouterr().out
    assert json.loads(run.stdout)["loss"] == session.document.loss


def test_export_to_a_folder_that_does_not_exist_says_so(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    app.tools.export_python_dialog()
    app.dialogs.files.show_folder(tmp_path)
    (tmp_path / "missing").mkdir()
    app.dialogs.files.show_folder(tmp_path / "missing")
    (tmp_path / "missing").rmdir()  # gone while the dialog was open
    dpg.set_value(FileTags.name, "model")
    app.dialogs.files.answer()
    driver.frames(2)
    assert dpg.get_value(ids.STATUS_TEXT) == "could not write model.py: No such file or directory"


def test_a_kink_is_listed_in_the_window_and_the_check_still_passes(app_on, tmp_path):
    document = small_graph()
    out = next(node.id for node in document.nodes.values() if node.label == "out")
    document.nodes[out].op = "relu"  # relu(w x + b) with w = b = 0: every nudge crosses relu's kink
    for node in document.nodes.values():
        if node.op == "param":
            node.value = 0.0
    session = Session(document)
    app, driver = app_on(session)
    click_menu_item(driver, ids.TOOLS_MENU, ids.CHECK_GRADIENTS_ITEM)
    driver.frames_until(lambda: dpg.is_item_shown(ids.GRADCHECK_WINDOW), "the gradient check window")
    driver.frames(2)
    text = dpg.get_value(ids.GRADCHECK_TEXT)
    assert "at a kink (relu at 0, node 'out')" in text and "FAILED" not in text  # named by its label
    assert dpg.get_value(ids.STATUS_TEXT) == "gradient check passed"
    driver.screenshot(tmp_path / "gradcheck-kink.png")
