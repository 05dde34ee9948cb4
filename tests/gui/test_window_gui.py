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
