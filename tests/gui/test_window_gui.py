"""The app's window looks the same on every machine: it draws with the font mlgarden ships (never
a font the machine happens to have) and carries mlgarden's icon."""

import re
import shutil
import subprocess

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, small_graph  # noqa: F401  (app_on is a fixture)
from mlgarden import shipped
from mlgarden.gui import ids, theme
from mlgarden.session import Session

pytestmark = pytest.mark.gui


def test_the_canvas_draws_with_the_bundled_font(app_on):
    app, driver = app_on(Session(small_graph()))
    assert theme.unicode_font() and dpg.does_item_exist(ids.FONT)
    assert dpg.get_item_configuration(ids.FONT)["file"] == str(shipped.asset(shipped.FONT_FILE))
    assert theme.role_mark("result") == "◆ result" and theme.symbol("sum") == "Σ"


@pytest.mark.skipif(shutil.which("xprop") is None, reason="xprop (x11-utils) reads the window's icon; "
                    "scripts/test.sh installs it")
def test_the_window_carries_the_shipped_icons(app_on):
    app, driver = app_on(Session(small_graph()))
    window = subprocess.run(["xdotool", "search", "--name", f"^{re.escape(app.session.title)}$"],
                            capture_output=True, text=True, check=True).stdout.split()[-1]
    icons = subprocess.run(["xprop", "-id", window, "_NET_WM_ICON"], capture_output=True, text=True,
                           check=True).stdout
    assert re.findall(r"Icon \((\d+) x (\d+)\)", icons) == [("32", "32"), ("64", "64")]


def test_an_internal_error_in_a_frame_is_logged_said_once_and_the_app_goes_on(app_on, tmp_path):
    """The last line of defence: an error of mlgarden's own (ctrl+C inside a body raised one)
    ended the app with a traceback in the terminal."""
    session = Session(small_graph())
    app, driver = app_on(session)
    real_update = app.canvas.update
    failures = []

    def failing_update():
        if len(failures) < 2:
            failures.append(1)
            raise RuntimeError("a broken canvas")
        real_update()

    app.canvas.update = failing_update
    frames = dpg.get_frame_count()
    app.guarded_frame()
    assert dpg.get_frame_count() == frames + 1  # the frame was still drawn
    message = dpg.get_value(ids.ERROR_TEXT)
    assert dpg.is_item_shown(ids.ERROR)
    assert message.startswith("mlgarden hit an internal error and carried on: RuntimeError: "
                              "a broken canvas.")
    log = tmp_path / "state" / "errors.log"
    assert "Traceback" in log.read_text() and "a broken canvas" in log.read_text()
    dpg.set_value(ids.ERROR_TEXT, "")
    app.guarded_frame()  # the same error again: logged, not said twice
    assert dpg.get_value(ids.ERROR_TEXT) == ""
    assert log.read_text().count("a broken canvas") == 4  # twice each: the message and its line
    app.guarded_frame()
    assert dpg.get_frame_count() == frames + 3 and len(failures) == 2


def test_the_apps_loop_paces_each_frame_to_leave_a_core_to_training(app_on):
    """App.run's frames go through the pacer (gui/frame_pacing.py), after the frame is drawn,
    and the pacer's budget is this machine's cores less one."""
    from mlgarden.gui.frame_pacing import available_cores, frame_budget

    app, driver = app_on(Session(small_graph()))
    assert app.pacer.budget == frame_budget(available_cores())
    waits = []  # the frame count at each wait
    real_wait = app.pacer.wait

    def wait():
        waits.append(dpg.get_frame_count())
        app.quitting = len(waits) == 5
        return real_wait()

    app.pacer.wait = wait
    started = dpg.get_frame_count()
    for _ in range(3):
        app.next_frame()
    app.run()  # two frames more, then quitting ends the loop
    assert waits == [started + 1, started + 2, started + 3, started + 4, started + 5]
