"""Esc closes what floats on top, as in any desktop editor: an open menu of the menu bar, a
right-click menu, and the Getting started, About or Gradient check window while it has the focus.
It closes one thing a press and changes nothing in the graph."""

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, small_graph  # noqa: F401  (app_on is a fixture)
from mlgarden.gui import ids, menus
from mlgarden.gui.app import MENU_HEIGHT
from mlgarden.gui.help_panel import HelpPanel
from mlgarden.gui.help_panel import Tags as HelpTags
from mlgarden.session import Session
from test_editing_gui import EMPTY, click_menu_item

pytestmark = pytest.mark.gui


def open_menu(driver, menu):
    x, _ = dpg.get_item_pos(menu)
    driver.click(x + 12, MENU_HEIGHT / 2)
    driver.frames(2)


@pytest.mark.parametrize("menu", [ids.FILE_MENU, ids.VIEW_MENU])
def test_esc_closes_an_open_menu_of_the_menu_bar_and_it_opens_again(app_on, tmp_path, menu):
    session = Session(small_graph())
    app, driver = app_on(session)
    before = session.document.copy()
    open_menu(driver, menu)
    assert menus.open_bar_menu() == menu
    driver.screenshot(tmp_path / "open.png")
    driver.key("Escape")
    assert menus.open_bar_menu() is None
    assert dpg.get_item_configuration(menu)["enabled"]  # closed, not left disabled
    driver.screenshot(tmp_path / "closed.png")
    assert session.document == before and not session.dirty
    open_menu(driver, menu)
    assert menus.open_bar_menu() == menu


def test_esc_closes_the_right_click_menu_of_the_canvas(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    driver.click(*EMPTY, button=3)
    driver.frames(2)
    assert dpg.is_item_shown(ids.CANVAS_MENU)
    driver.key("Escape")
    assert not dpg.is_item_shown(ids.CANVAS_MENU)
    assert len(session.document.nodes) == len(small_graph().nodes)


def test_esc_closes_getting_started_while_it_has_the_focus_and_only_then(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session, help_panel=HelpPanel(session))
    app.show_help()
    driver.frames(2)
    driver.screenshot(tmp_path / "help.png")
    driver.key("Escape")
    assert not dpg.is_item_shown(HelpTags.window)

    app.show_help()
    driver.frames(2)
    driver.click(1180, 300)  # the canvas, right of the help, takes the focus: the help stays
    driver.key("Escape")
    assert dpg.is_item_shown(HelpTags.window)


def test_esc_closes_the_gradient_check_window_while_it_has_the_focus_and_only_then(app_on):
    """It floats over the canvas like About, and Esc left it open (only its Close button shut it)."""
    session = Session(small_graph())
    app, driver = app_on(session)
    click_menu_item(driver, ids.TOOLS_MENU, ids.CHECK_GRADIENTS_ITEM)
    driver.frames(2)
    assert dpg.is_item_shown(ids.GRADCHECK_WINDOW) and "passed" in session.status
    driver.key("Escape")
    assert not dpg.is_item_shown(ids.GRADCHECK_WINDOW)
    assert session.document == small_graph()

    click_menu_item(driver, ids.TOOLS_MENU, ids.CHECK_GRADIENTS_ITEM)
    driver.frames(2)
    x, y, width, _ = driver.item_rect(ids.GRADCHECK_WINDOW)
    driver.click(x + width + 20 if x + width < 1200 else x - 20, y + 10)  # the canvas takes the focus
    driver.key("Escape")
    assert dpg.is_item_shown(ids.GRADCHECK_WINDOW)


def test_esc_closes_about_this_graph_while_it_has_the_focus_and_only_then(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    app.show_about()
    driver.frames(2)
    assert dpg.is_item_shown(ids.ABOUT_WINDOW)
    driver.key("Escape")
    assert not dpg.is_item_shown(ids.ABOUT_WINDOW)

    app.show_about()
    driver.frames(2)
    driver.click(1180, 100)  # the canvas, right of the window, takes the focus
    driver.key("Escape")
    assert dpg.is_item_shown(ids.ABOUT_WINDOW)
