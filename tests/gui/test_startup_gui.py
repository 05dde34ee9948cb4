"""What the app shows when it starts: the getting-started help on the very first launch only, and
the question about unsaved work of a killed session before it. The state folder is the test's
own (app_fixture sets MLGARDEN_STATE_DIR)."""

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, small_graph, write_orphan_recovery  # noqa: F401  (app_on is a fixture)
from mlgarden import userstate
from mlgarden.gui import ids
from mlgarden.gui.help_panel import HelpPanel
from mlgarden.gui.help_panel import Tags as HelpTags
from mlgarden.session import Session
from test_files_gui import click_confirm_button

pytestmark = pytest.mark.gui


def open_with_help(app_on):
    session = Session(small_graph())
    return app_on(session, help_panel=HelpPanel(session))


def test_the_first_launch_shows_the_getting_started_help(app_on, tmp_path):
    app, driver = open_with_help(app_on)
    assert not userstate.help_seen()
    app.start()
    driver.frames(3)
    assert dpg.is_item_shown(HelpTags.window)
    assert userstate.help_seen()
    driver.screenshot(tmp_path / "first-launch.png")


def test_a_later_launch_starts_without_the_help(app_on):
    userstate.mark_help_seen()
    app, driver = open_with_help(app_on)
    app.start()
    driver.frames(3)
    assert not dpg.is_item_shown(HelpTags.window)


def test_the_recovery_question_comes_before_the_help(app_on):
    userstate.state_dir().mkdir(parents=True, exist_ok=True)
    orphan = write_orphan_recovery(small_graph())
    app, driver = open_with_help(app_on)
    app.start()
    driver.frames(3)
    assert dpg.is_item_shown(ids.CONFIRM) and "Restore" in dpg.get_value(ids.CONFIRM_TEXT)
    assert not dpg.is_item_shown(HelpTags.window)
    click_confirm_button(driver, "Discard")
    driver.frames(2)
    assert not orphan.graph.exists() and userstate.orphaned_recoveries() == []
    assert dpg.is_item_shown(HelpTags.window)


def test_at_a_real_start_the_recovery_question_still_comes_before_the_help(monkeypatch, tmp_path):
    """As run_app does it: start() before the first frame, on the very first launch."""
    from driver import Driver
    from mlgarden.gui.app import App

    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    userstate.state_dir().mkdir(parents=True)
    write_orphan_recovery(small_graph())
    session = Session(small_graph())
    app = App(session, help_panel=HelpPanel(session))
    app.build()
    driver = None
    try:
        app.start()
        driver = Driver(session.title, frame=app.run_frame, canvas=app.canvas)
        driver.frames(3)
        assert dpg.is_item_shown(ids.CONFIRM) and not dpg.is_item_shown(HelpTags.window)
        click_confirm_button(driver, "Not now")
        driver.frames(3)
        assert dpg.is_item_shown(HelpTags.window)
    finally:
        try:
            if driver is not None:
                driver.close()
        finally:
            app.close()
