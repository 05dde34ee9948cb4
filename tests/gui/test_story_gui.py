"""The write-up's story in the real app, with real input: the Examples menu in the story's order,
the About this graph panel, the getting-started shortcut table inside its window, gradients of a
result with no loss, and the Training panel's Reset and Re-initialise with the loss curve."""

import dearpygui.dearpygui as dpg
import numpy as np
import pytest

from app_fixture import app_on  # noqa: F401  (a fixture)
from mlgarden.document.build import Builder
from mlgarden.document.graph import Document
from mlgarden.gui import ids
from mlgarden.gui.app import MENU_HEIGHT
from mlgarden.gui.help_panel import HelpPanel
from mlgarden.gui.help_panel import Tags as HelpTags
from mlgarden.gui.training_panel import Tags, TrainingPanel
from mlgarden.session import EXAMPLES_DIR, Session
from mlgarden.story import STORY
from test_files_power_gui import ROW_TEXT_MIDDLE, click_in_submenu, open_menu

pytestmark = pytest.mark.gui


def click_menu_entry(driver, menu, entry):
    """Open a menu of the bar and click one of its entries (entries report their place in the
    popup, which opens under the bar at the menu's left edge)."""
    open_menu(driver, menu)
    menu_x, _ = dpg.get_item_pos(menu)
    _, entry_y = dpg.get_item_pos(entry)
    driver.click(menu_x + 30, MENU_HEIGHT + entry_y + ROW_TEXT_MIDDLE)
    driver.frames(2)


def test_the_examples_menu_tells_the_story_in_order_and_opening_one_shows_its_story(app_on, tmp_path):
    session = Session()
    app, driver = app_on(session)
    entries = dpg.get_item_children(ids.EXAMPLES_MENU, 1)
    labels = [dpg.get_item_label(entry) for entry in entries]
    assert [label.split(":")[0] for label in labels] == [name for name, _ in STORY]
    assert labels[0] == "arithmetic: (5 + 3) * 2 as a graph, and the gradients of its result"
    final_boss = [name for name, _ in STORY].index("final-boss")
    click_in_submenu(driver, ids.FILE_MENU, ids.EXAMPLES_MENU, final_boss)
    driver.frames(3)
    assert session.path == EXAMPLES_DIR / "final-boss.yaml"
    assert dpg.is_item_shown(ids.ABOUT_WINDOW)
    assert dpg.get_item_label(ids.ABOUT_WINDOW) == "About this graph: final-boss.yaml"
    text = dpg.get_value(ids.ABOUT_TEXT)
    assert text.startswith("The final boss: the spiral.") and "Try next:" in text
    driver.screenshot(tmp_path / "about-final-boss.png")
    x, y, width, height = driver.item_rect(ids.ABOUT_WINDOW)
    x, y, width, height = int(x), int(y), int(width), int(height)
    strip = (slice(y + height - 30, y + height - 8), slice(x + 10, x + width - 10))  # under the text
    assert driver.screenshot()[strip].std() < 2  # the window's plain background
    driver.click(x + 13, y + 9)  # the arrow left of the title folds the window to its title bar
    driver.frames(2)
    assert driver.screenshot(tmp_path / "about-folded.png")[strip].std() > 8  # the canvas shows
    dpg.hide_item(ids.ABOUT_WINDOW)
    driver.frames(1)
    click_menu_entry(driver, ids.HELP_MENU, ids.ABOUT_ITEM)
    assert dpg.is_item_shown(ids.ABOUT_WINDOW) and driver.item_rect(ids.ABOUT_WINDOW)[3] > 100


def test_the_getting_started_shortcut_table_fits_its_window(app_on, tmp_path):
    session = Session()
    app, driver = app_on(session, help_panel=HelpPanel(session))
    app.show_help()
    driver.frames(3)
    pixels = driver.screenshot(tmp_path / "help.png")
    window_x, window_y, window_width, window_height = driver.item_rect(HelpTags.window)
    for cell in dpg.get_item_children(HelpTags.shortcuts, 1):  # the rows
        for text in dpg.get_item_children(cell, 1):
            x, y, width, height = driver.item_rect(text)
            assert x + width <= window_x + window_width - 8, dpg.get_value(text)
    assert pixels.shape[0] > 0
