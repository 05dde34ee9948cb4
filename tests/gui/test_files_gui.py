"""Files through the app's window: save with ctrl+S, open, a bad file, unsaved-work questions.

The keys go through xdotool to the real key handler; the built-in file dialog is shown by the
shortcut and then answered by calling its callback with a path, as Dear PyGui does when the
user picks a file (typing into that dialog is Dear PyGui's own code, not ours).
"""

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, small_graph  # noqa: F401  (app_on is a fixture)
from mlgarden.files import fileformat
from mlgarden.gui import ids
from mlgarden.gui.file_browser import Tags as FileTags
from mlgarden.gui.file_browser import row_tag
from mlgarden.session import Session

pytestmark = pytest.mark.gui


def button_in(group, label):
    return next(child for child in dpg.get_item_children(group, 1) if dpg.get_item_label(child) == label)


def click_confirm_button(driver, label):
    driver.frames(2)
    driver.click(*driver.item_center(button_in(ids.CONFIRM + ".buttons", label)))


def test_ctrl_s_saves_and_open_brings_back_the_same_graph(app_on, tmp_path):
    session = Session(small_graph())
    session.path = tmp_path / "graph.yaml"
    app, driver = app_on(session)
    out = next(n.id for n in session.document.nodes.values() if n.label == "out")
    start = driver.node_title_point(ids.node(out))
    driver.drag(start, (start[0] + 30, start[1] + 60))
    moved_to = session.document.nodes[out].pos
    assert dpg.get_viewport_title() == "mlgarden — graph.yaml *"
    driver.key("ctrl+s")
    assert (tmp_path / "graph.yaml").is_file()
    assert not session.dirty and dpg.get_viewport_title() == "mlgarden — graph.yaml"
    saved = session.document.copy()
    assert fileformat.load(tmp_path / "graph.yaml").nodes[out].pos == moved_to
    session.edit("remove_node", out)
    driver.frames(2)
    driver.key("ctrl+o")
    assert dpg.is_item_shown(ids.CONFIRM)  # unsaved work: ask first
    click_confirm_button(driver, "Discard")
    driver.frames(2)
    assert dpg.is_item_shown(FileTags.window)
    names = [entry.name for entry in app.dialogs.files.entries]
    assert names[0] == ".." and "graph.yaml" in names
    driver.click(*driver.item_center(row_tag(names.index("graph.yaml"))))
    assert dpg.get_value(FileTags.name) == "graph.yaml"
    driver.click(*driver.item_center(FileTags.ok))
    driver.frames(3)
    assert not dpg.is_item_shown(FileTags.window)
    assert session.document == saved
    assert dpg.does_item_exist(ids.node(out))
    assert app.canvas.document_position_shown(out) == pytest.approx(moved_to, abs=1)
    driver.screenshot(tmp_path / "reopened.png")


def test_a_file_that_fails_to_load_shows_the_error_and_keeps_the_graph(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    before = session.document.copy()
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes: [this is: not a graph\n")
    assert not app.open_path(bad)
    driver.frames(3)
    assert dpg.is_item_shown(ids.ERROR)
    assert dpg.get_value(ids.ERROR_TEXT) == session.open_error != ""  # the whole message
    named = session.open_error.replace(str(bad), bad.name)  # the status line: short, by name
    assert named.startswith(session.status.rstrip("…")) and session.status.startswith("bad.yaml, line 2")
    driver.screenshot(tmp_path / "error.png")
    assert session.document == before
    assert len(app.canvas.drawings) == len(before.nodes)
    ok = dpg.get_item_children(ids.ERROR, 1)[-1]
    driver.click(*driver.item_center(ok))
    assert not dpg.is_item_shown(ids.ERROR)


def test_new_asks_before_discarding_and_cancel_keeps_everything(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    session.edit("rename", session.document.result, "changed")
    driver.frames(2)
    driver.key("ctrl+n")
    assert dpg.is_item_shown(ids.CONFIRM)
    assert "Discard unsaved changes?" in dpg.get_value(ids.CONFIRM_TEXT)
    click_confirm_button(driver, "Cancel")
    assert not dpg.is_item_shown(ids.CONFIRM)
    assert len(session.document.nodes) == 8 and session.dirty
    driver.key("ctrl+n")
    click_confirm_button(driver, "Discard")
    driver.frames(2)
    assert session.document.nodes == {} and not session.dirty
    assert app.canvas.drawings == {}
    assert dpg.get_viewport_title() == "mlgarden — untitled"


def test_save_in_the_question_saves_then_goes_on(app_on, tmp_path):
    session = Session(small_graph())
    session.path = tmp_path / "kept.yaml"
    app, driver = app_on(session)
    session.edit("rename", session.document.result, "changed")
    driver.frames(2)
    driver.key("ctrl+n")
    click_confirm_button(driver, "Save")
    driver.frames(2)
    saved = fileformat.load(tmp_path / "kept.yaml")
    assert any(node.label == "changed" for node in saved.nodes.values())
    assert session.document.nodes == {}


def test_quit_asks_first_when_there_is_unsaved_work(app_on):
    """ctrl+Q, File > Quit and the window's close button (the exit callback) all ask."""
    session = Session(small_graph())
    app, driver = app_on(session)
    session.edit("rename", session.document.result, "changed")
    driver.frames(2)
    driver.key("ctrl+q")
    assert dpg.is_item_shown(ids.CONFIRM)
    click_confirm_button(driver, "Cancel")
    assert not app.quitting and dpg.is_dearpygui_running()


def launch(arguments, folder):
    """`mlgarden ARGUMENTS` started in `folder`, keeping its state there too."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, MLGARDEN_STATE_DIR=str(folder / "state"))
    return subprocess.Popen([sys.executable, "-m", "mlgarden", *arguments], env=env, cwd=folder)


def wait_for_window(title, process, seconds=30):
    import re
    import subprocess
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app exited before showing its window"
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{re.escape(title)}$"],
                               capture_output=True, text=True).stdout.split()
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no window titled {title!r}")


@pytest.mark.parametrize(("arguments", "name"), [
    ([], "perceptrons-2-1 (example)"), (["linear"], "linear (example)"), (["mine.yaml"], "mine.yaml")])
def test_the_app_starts_on_the_example_or_the_file_and_quits_with_ctrl_q(arguments, name, tmp_path):
    import shutil
    import subprocess

    from mlgarden import shipped

    shutil.copy(shipped.example_file("arithmetic"), tmp_path / "mine.yaml")
    process = launch(arguments, tmp_path)
    try:
        window = wait_for_window(f"mlgarden — {name}", process)
        # XTEST keys go to the focused window (key --window would send synthetic events,
        # which GLFW ignores); without a window manager nobody focuses the new window for us.
        subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True)
        subprocess.run(["xdotool", "mousemove", "--window", window, "300", "300"], check=True)
        for _ in range(3):
            subprocess.run(["xdotool", "key", "ctrl+q"], check=True)
            try:
                assert process.wait(timeout=10) == 0
                break
            except subprocess.TimeoutExpired:
                continue  # the first frames may not poll input yet: press again
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_bad_file_on_the_command_line_opens_an_empty_graph_with_the_error(tmp_path):
    from mlgarden.gui.app import start_session

    bad = tmp_path / "broken.yaml"
    bad.write_text("{{{")
    session, error = start_session(str(bad))
    assert error and "broken.yaml" in error
    assert session.document.nodes == {} and session.path is None
