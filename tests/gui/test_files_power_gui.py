"""Files with the real mouse and keyboard: File > Open Recent, saving over a file another program
changed, and getting work back after the app was killed mid-edit."""

import os
import signal
import subprocess
import sys
import time

import dearpygui.dearpygui as dpg
import numpy as np
import pytest

from app_fixture import app_on, small_graph  # noqa: F401  (app_on is a fixture)
from driver import Driver
from mlgarden.files import fileformat
from mlgarden import userstate
from mlgarden.gui import ids, menus, theme
from mlgarden.gui.app import MENU_HEIGHT, App, start_session
from mlgarden.session import Session
from test_files_gui import click_confirm_button, wait_for_window

pytestmark = pytest.mark.gui

# A menu row's text middle, below the position Dear PyGui reports for the row: half a line of the
# bundled font, which the app always draws with (gui/theme.py).
ROW_TEXT_MIDDLE = theme.FONT_SIZE // 2


def open_menu(driver, menu):
    x, _ = dpg.get_item_pos(menu)
    driver.click(x + 12, MENU_HEIGHT / 2)
    driver.frames(2)


def click_in_submenu(driver, menu, submenu, index):
    """Open `menu`, hover its `submenu`, and click the submenu's entry number `index`.

    Entries report their place inside their popup only; a popup opens under the menu bar at the
    menu's left edge, and a submenu's popup opens at the right edge of the hovered row with its
    first entry level with that row. That edge is found on screen: the end of the row's hover
    colour."""
    open_menu(driver, menu)
    menu_x, _ = dpg.get_item_pos(menu)
    sub_x, sub_y = dpg.get_item_pos(submenu)
    row_y = MENU_HEIGHT + sub_y + ROW_TEXT_MIDDLE
    driver.move(menu_x + sub_x + 4, row_y)
    driver.frames(3)
    row = driver.screenshot()[int(row_y)].astype(int)
    hover = row[int(menu_x + sub_x)]
    right = int(np.nonzero((np.abs(row - hover).sum(axis=1) == 0))[0].max())
    entries = dpg.get_item_children(submenu, 1)
    first_y = dpg.get_item_pos(entries[0])[1]
    entry_y = row_y + dpg.get_item_pos(entries[index])[1] - first_y
    driver.move(right + 30, row_y)  # along the hovered row into the submenu: it stays open
    driver.click(right + 30, entry_y)


def test_open_recent_opens_the_file_chosen_in_the_menu(app_on, tmp_path):
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    fileformat.save(small_graph(), first)
    other = small_graph()
    other.nodes[other.result].label = "second's result"
    fileformat.save(other, second)
    userstate.add_recent_file(first)
    userstate.add_recent_file(second)  # newest first: second, first
    session = Session()
    app, driver = app_on(session)
    menus.fill_recent_menu(app, userstate.recent_files())
    assert [dpg.get_item_label(e) for e in dpg.get_item_children(ids.RECENT_MENU, 1)] == \
        ["second.yaml", "first.yaml"]
    click_in_submenu(driver, ids.FILE_MENU, ids.RECENT_MENU, 1)
    driver.frames(2)
    assert session.path == first
    assert session.document == fileformat.load(first)
    assert dpg.get_viewport_title() == "mlgarden — first.yaml"
    assert [p.name for p in userstate.recent_files()] == ["first.yaml", "second.yaml"]


def test_a_recent_file_deleted_since_says_so_and_leaves_the_menu(app_on, tmp_path):
    kept, gone = tmp_path / "kept.yaml", tmp_path / "gone.yaml"
    for path in (kept, gone):
        fileformat.save(small_graph(), path)
        userstate.add_recent_file(path)  # newest first: gone, kept
    session = Session(small_graph())
    app, driver = app_on(session)
    gone.unlink()  # after the menu was filled
    click_in_submenu(driver, ids.FILE_MENU, ids.RECENT_MENU, 0)
    driver.frames(2)
    assert dpg.is_item_shown(ids.ERROR) and "gone.yaml: no such file" in dpg.get_value(ids.ERROR_TEXT)
    assert session.document == small_graph()
    driver.key("Return")
    assert [dpg.get_item_label(e) for e in dpg.get_item_children(ids.RECENT_MENU, 1)] == ["kept.yaml"]


def test_saving_over_a_file_changed_on_disk_asks_and_overwrites_only_when_told(app_on, tmp_path):
    path = tmp_path / "graph.yaml"
    fileformat.save(small_graph(), path)
    session = Session()
    assert session.open(path)
    app, driver = app_on(session)
    session.edit("rename", session.document.result, "mine")
    driver.frames(2)
    theirs = small_graph()
    theirs.description = "changed by another program"
    fileformat.save(theirs, path)
    os.utime(path, ns=(time.time_ns() + 10**9,) * 2)  # a later modification time, whatever the clock
    driver.key("ctrl+s")
    assert dpg.is_item_shown(ids.CONFIRM)
    assert dpg.get_value(ids.CONFIRM_TEXT) == "graph.yaml changed on disk since you opened it. Overwrite it?"
    click_confirm_button(driver, "Cancel")
    assert fileformat.load(path).description == "changed by another program"
    assert session.dirty
    driver.key("ctrl+s")
    click_confirm_button(driver, "Overwrite")
    driver.frames(2)
    saved = fileformat.load(path)
    assert saved.nodes[saved.result].label == "mine"
    assert not session.dirty and not dpg.is_item_shown(ids.CONFIRM)
    assert dpg.get_viewport_title() == "mlgarden — graph.yaml"


# --- killed mid-edit -----------------------------------------------------------------------------

W_TITLE = (106, 58)  # small_graph's w opens at (20, 42), 150 wide: its title bar is 24 px tall
MOVE = (100, 400)


def xdotool(*arguments):
    subprocess.run(["xdotool", *map(str, arguments)], check=True, timeout=10)


def drag_in_another_process(start, end, steps=6, pause=0.15):
    """A real drag on a window this process does not draw: one event per pause, so that the
    app, at its own frame rate, sees each (ImGui takes one change of a button per frame)."""
    xdotool("mousemove", *start)
    time.sleep(4 * pause)
    xdotool("mousedown", 1)
    time.sleep(pause)
    for step in range(1, steps + 1):
        xdotool("mousemove", round(start[0] + (end[0] - start[0]) * step / steps),
                round(start[1] + (end[1] - start[1]) * step / steps))
        time.sleep(pause)
    xdotool("mouseup", 1)


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {seconds} s")


def test_after_a_kill_mid_edit_the_next_start_restores_the_work(tmp_path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(state))
    userstate.mark_help_seen()  # not the first launch: no help over the canvas
    path = tmp_path / "graph.yaml"
    original = small_graph()
    fileformat.save(original, path)
    weight = next(n.id for n in original.nodes.values() if n.label == "w")

    process = subprocess.Popen([sys.executable, "-m", "mlgarden", str(path)], env=dict(os.environ),
                               cwd=tmp_path)
    try:
        wait_for_window("mlgarden — graph.yaml", process)
        recovery_file = userstate.recovery_folder() / "none yet"
        drag_in_another_process(W_TITLE, (W_TITLE[0] + MOVE[0], W_TITLE[1] + MOVE[1]))

        def written():
            nonlocal recovery_file
            copies = [copy for copy in userstate.recovery_copies() if copy.pid == process.pid]
            recovery_file = copies[0].graph if copies else recovery_file
            return bool(copies)

        wait_until(written, 10, "no recovery copy was written")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    recovered = fileformat.load(recovery_file)
    expected_pos = (original.nodes[weight].pos[0] + MOVE[0], original.nodes[weight].pos[1] + MOVE[1])
    assert recovered.nodes[weight].pos == pytest.approx(expected_pos, abs=2)
    assert fileformat.load(path) == original  # the file itself was never saved

    session, error = start_session(str(path))  # the next start, as run_app makes it
    app = App(session)
    app.build()
    driver = None
    try:
        driver = Driver(session.title, frame=app.run_frame, canvas=app.canvas)
        app.start(error)
        driver.frames(3)
        assert dpg.is_item_shown(ids.CONFIRM) and "Restore them?" in dpg.get_value(ids.CONFIRM_TEXT)
        click_confirm_button(driver, "Restore")
        driver.frames(2)
        assert session.document.nodes[weight].pos == pytest.approx(expected_pos, abs=2)
        assert session.path == path and session.dirty
        driver.key("ctrl+s")
        saved = fileformat.load(path)
        assert saved.nodes[weight].pos == pytest.approx(expected_pos, abs=2)
        original.nodes[weight].pos = saved.nodes[weight].pos
        original.view = saved.view
        assert saved == original  # the edit, and nothing else
        assert not userstate.recovery_exists() and userstate.recovery_copies() == []
    finally:
        try:
            if driver is not None:
                driver.close()
        finally:
            app.close()
