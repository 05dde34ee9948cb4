"""Recovery copies belong to one running instance, tried with real app processes under Xvfb:
two windows of `python -m mlgarden`, each with unsaved work from a real drag, write their own
copies; a clean save in one leaves the other's; after kill -9 of one, the next start offers only
the killed one's work (the other is still running), and restores it. A start whose file fails to
load still offers the copy, after its error.

Windows of other processes are driven with plain xdotool and watched through their files, as in
test_files_power_gui.py (their frames run at their own pace)."""

import os
import signal
import subprocess
import sys

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, small_graph, write_orphan_recovery  # noqa: F401  (app_on is a fixture)
from driver import Driver
from mlgarden import userstate
from mlgarden.files import fileformat
from mlgarden.gui import ids
from mlgarden.gui.app import App, start_session
from test_files_gui import click_confirm_button, wait_for_window
from test_files_power_gui import MOVE, W_TITLE, drag_in_another_process, wait_until, xdotool

# Seconds to wait for another instance's recovery copy: it starts a whole app, which takes much
# longer on a loaded machine (10 s was seen to time out with the suite running beside it).
WAIT = 30

pytestmark = pytest.mark.gui


def start_app(path, tmp_path):
    return subprocess.Popen([sys.executable, "-m", "mlgarden", str(path)], cwd=tmp_path,
                            env=dict(os.environ))


def copy_of(process):
    copies = [copy for copy in userstate.recovery_copies() if copy.pid == process.pid]
    return copies[0] if copies else None


def drag_w():
    drag_in_another_process(W_TITLE, (W_TITLE[0] + MOVE[0], W_TITLE[1] + MOVE[1]))


def test_two_instances_keep_their_own_copies_and_a_kill_leaves_one_to_restore(tmp_path, monkeypatch):
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    userstate.mark_help_seen()  # not the first launch: no help over the canvas
    first_path, second_path = tmp_path / "first.yaml", tmp_path / "second.yaml"
    original = small_graph()
    weight = next(n.id for n in original.nodes.values() if n.label == "w")
    for path in (first_path, second_path):
        fileformat.save(original, path)
    first = start_app(first_path, tmp_path)
    second = None
    app = driver = None
    try:
        wait_for_window("mlgarden — first.yaml", first)
        drag_w()
        wait_until(lambda: copy_of(first) is not None, WAIT, "the first instance wrote no copy")
        first_copy = copy_of(first)

        second = start_app(second_path, tmp_path)
        second_window = wait_for_window("mlgarden — second.yaml", second)
        drag_w()  # the newer window is on top: the drag edits the second instance
        wait_until(lambda: copy_of(second) is not None, WAIT, "the second instance wrote no copy")
        assert copy_of(second).graph != first_copy.graph
        assert copy_of(second).original == second_path and first_copy.original == first_path
        first_bytes = first_copy.graph.read_bytes()

        xdotool("windowfocus", "--sync", second_window)
        xdotool("key", "ctrl+s")  # a clean save in the second instance...
        wait_until(lambda: copy_of(second) is None, WAIT, "the second instance kept its copy after saving")
        assert first_copy.graph.read_bytes() == first_bytes  # ...leaves the first one's copy
        assert fileformat.load(second_path) != original

        moved_title = (W_TITLE[0] + MOVE[0], W_TITLE[1] + MOVE[1])
        drag_in_another_process(moved_title, W_TITLE)  # more unsaved work, w dragged back
        wait_until(lambda: copy_of(second) is not None, WAIT, "the second instance wrote no new copy")
        second_copy = copy_of(second)
        assert userstate.orphaned_recoveries() == []  # both instances run: nothing to offer

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert [copy.graph for copy in userstate.orphaned_recoveries()] == [first_copy.graph]

        session, error = start_session(str(first_path))  # a third start, as run_app makes it
        app = App(session)
        app.build()
        driver = Driver(session.title, frame=app.run_frame, canvas=app.canvas)
        app.start(error)
        driver.frames(3)
        assert dpg.is_item_shown(ids.CONFIRM)
        assert dpg.get_value(ids.CONFIRM_TEXT) == ("A session that ended without saving left unsaved "
                                                  "changes to first.yaml. Restore them?")
        driver.screenshot(tmp_path / "offer.png")
        click_confirm_button(driver, "Restore")
        driver.frames(2)
        moved = (original.nodes[weight].pos[0] + MOVE[0], original.nodes[weight].pos[1] + MOVE[1])
        assert session.document.nodes[weight].pos == pytest.approx(moved, abs=2)
        assert session.path == first_path and session.dirty
        assert not first_copy.graph.exists()
        assert second_copy.graph.is_file() and copy_of(second) == second_copy  # never touched
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        try:
            if driver is not None:
                driver.close()
        finally:
            if app is not None:
                app.close()


def test_a_start_whose_file_fails_to_load_still_offers_the_work_after_the_error(app_on, tmp_path):
    userstate.mark_help_seen()
    work = small_graph()
    orphan = write_orphan_recovery(work, original=tmp_path / "work.yaml")
    bad = tmp_path / "broken.yaml"
    bad.write_text("mlgarden: 1\nnodes:\n  - {id: w, op: param, value: !!float abc}\n")
    session, error = start_session(str(bad))
    assert error == f"{bad}, line 3: !!float 'abc' cannot be read as a number"
    app, driver = app_on(session)
    app.start(error)
    driver.frames(3)
    assert dpg.is_item_shown(ids.ERROR) and not dpg.is_item_shown(ids.CONFIRM)
    ok = dpg.get_item_children(ids.ERROR, 1)[-1]
    driver.click(*driver.item_center(ok))
    driver.frames(3)
    assert dpg.is_item_shown(ids.CONFIRM) and "work.yaml. Restore them?" in dpg.get_value(ids.CONFIRM_TEXT)
    click_confirm_button(driver, "Restore")
    driver.frames(2)
    assert session.document.nodes == work.nodes
    assert session.path == tmp_path / "work.yaml" and session.dirty
    assert not orphan.graph.exists()


def test_not_now_keeps_the_copy_for_the_next_start(app_on, tmp_path):
    userstate.mark_help_seen()
    orphan = write_orphan_recovery(small_graph())
    session, error = start_session(None)
    app, driver = app_on(session)
    app.start(error)
    driver.frames(3)
    assert "an untitled graph. Restore them?" in dpg.get_value(ids.CONFIRM_TEXT)
    click_confirm_button(driver, "Not now")
    driver.frames(2)
    assert not dpg.is_item_shown(ids.CONFIRM)
    assert orphan.graph.is_file() and userstate.orphaned_recoveries() == [orphan]
