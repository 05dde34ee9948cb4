"""The app never clobbers a file by surprise and never dies on a hostile one, driven by real keys
and clicks: Save As onto an existing file asks first (Cancel keeps it, Replace replaces it); a
read-only file is refused with an error dialog; a hostile graph file opened from the app shows an
error dialog naming its line and leaves the open graph untouched.

The built-in file dialog is shown by the real shortcut and answered through its callback, as Dear
PyGui does when the user picks a file (its own widgets are Dear PyGui's code, not ours).
"""

import os
import sys
from pathlib import Path

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, small_graph  # noqa: F401  (app_on is a fixture)
from mlgarden.files import fileformat
from mlgarden.gui import ids
from mlgarden.gui.file_browser import Tags as FileTags
from mlgarden.session import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hostile_texts import compact_nodes, doubling_functions, nested_functions, node_with_value  # noqa: E402

pytestmark = pytest.mark.gui


def click_button(driver, window, label):
    driver.frames(2)
    group = ids.CONFIRM + ".buttons" if window == ids.CONFIRM else window
    button = next(child for child in dpg.get_item_children(group, 1) if dpg.get_item_label(child) == label)
    driver.click(*driver.item_center(button))
    driver.frames(2)


def choose_in_the_file_dialog(app, driver, path):
    """In mlgarden's file dialog (open): go to the path's folder, type its name (the name field has
    the keyboard), click the button."""
    driver.frames(2)
    assert dpg.is_item_shown(FileTags.window)
    app.dialogs.files.show_folder(path.parent)
    driver.key("ctrl+a")
    driver.type_text(path.name)
    assert dpg.get_value(FileTags.name) == path.name
    driver.click(*driver.item_center(FileTags.ok))
    driver.frames(3)


def save_as_through_the_dialog(app, driver, path):
    driver.key("ctrl+shift+s")
    choose_in_the_file_dialog(app, driver, path)


def test_save_as_onto_an_existing_file_asks_and_cancel_keeps_it(app_on, tmp_path):
    session = Session(small_graph())
    session.path = tmp_path / "mine.yaml"
    app, driver = app_on(session)
    other = tmp_path / "other.yaml"
    other.write_text("someone else's work\n")
    save_as_through_the_dialog(app, driver, other)
    assert dpg.is_item_shown(ids.CONFIRM)
    assert dpg.get_value(ids.CONFIRM_TEXT) == "other.yaml already exists. Replace it?"
    driver.screenshot(tmp_path / "replace-question.png")
    click_button(driver, ids.CONFIRM, "Cancel")
    assert not dpg.is_item_shown(ids.CONFIRM)
    assert other.read_text() == "someone else's work\n"
    assert session.path == tmp_path / "mine.yaml"

    save_as_through_the_dialog(app, driver, tmp_path / "other")  # .yaml is added, then asked
    assert dpg.get_value(ids.CONFIRM_TEXT) == "other.yaml already exists. Replace it?"
    click_button(driver, ids.CONFIRM, "Replace")
    assert fileformat.load(other) == session.document
    assert session.path == other and dpg.get_viewport_title() == "mlgarden — other.yaml"


def test_save_as_to_a_new_name_or_the_open_file_does_not_ask(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    save_as_through_the_dialog(app, driver, tmp_path / "new.yaml")
    assert not dpg.is_item_shown(ids.CONFIRM) and (tmp_path / "new.yaml").is_file()
    session.edit("rename", session.document.result, "changed")
    save_as_through_the_dialog(app, driver, tmp_path / "new.yaml")
    assert not dpg.is_item_shown(ids.CONFIRM)
    assert any(node.label == "changed" for node in fileformat.load(tmp_path / "new.yaml").nodes.values())


def test_a_read_only_file_is_refused_with_an_error_dialog(app_on, tmp_path):
    path = tmp_path / "locked.yaml"
    fileformat.save(small_graph(), path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    session = Session()
    assert session.open(path)
    app, driver = app_on(session)
    session.edit("rename", session.document.result, "changed")
    driver.frames(2)
    driver.key("ctrl+s")
    driver.frames(2)
    assert dpg.is_item_shown(ids.ERROR)
    assert dpg.get_value(ids.ERROR_TEXT) == f"{path}: could not save: the file is read-only"
    driver.screenshot(tmp_path / "read-only.png")
    click_button(driver, ids.ERROR, "OK")
    assert not dpg.is_item_shown(ids.ERROR)
    assert path.read_bytes() == before and session.dirty


HOSTILE = {
    "tagged float": (node_with_value('!!float "abc"'), 4, "!!float 'abc' cannot be read as a number"),
    "long integer": (node_with_value("9" * (sys.get_int_max_str_digits() + 1)), 4, "digits is too long"),
    "nested functions": (nested_functions(1000), 162, "nests functions 33 deep"),
    "doubling functions": (doubling_functions(20), 85, "expands to 32767 nodes"),
    "compact nodes": (compact_nodes(5 * 1024 * 1024 - 1024), 20003, "more than 20000 node entries"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_opened_in_the_app_shows_its_line_and_keeps_the_graph(app_on, tmp_path, name):
    text, line, problem = HOSTILE[name]
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text)
    session = Session(small_graph())
    app, driver = app_on(session)
    before = session.document.copy()
    driver.key("ctrl+o")
    choose_in_the_file_dialog(app, driver, hostile)
    assert dpg.is_item_shown(ids.ERROR)
    message = dpg.get_value(ids.ERROR_TEXT)
    assert message.startswith(f"{hostile}, line {line}: ") and problem in message, message
    if name == "tagged float":
        driver.screenshot(tmp_path / "hostile.png")
    click_button(driver, ids.ERROR, "OK")
    assert session.document == before and len(app.canvas.drawings) == len(before.nodes)


def test_the_app_started_on_a_hostile_file_stays_up_with_an_empty_graph(tmp_path):
    """`mlgarden FILE` once died at start-up on an integer longer than Python's digit limit."""
    from test_files_gui import launch, wait_for_window

    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(node_with_value("9" * (sys.get_int_max_str_digits() + 1)))
    process = launch([str(hostile)], tmp_path)
    try:
        wait_for_window("mlgarden — untitled", process)
        assert process.poll() is None
    finally:
        process.kill()
        process.wait(timeout=10)
