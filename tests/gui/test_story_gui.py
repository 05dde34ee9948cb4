"""The write-up's story in the real app, with real input: the Examples menu in the story's order,
the About this graph panel, the getting-started shortcut table inside its window, gradients of a
result with no loss, and the Training panel's Reset and Re-initialise with the loss curve."""

import dearpygui.dearpygui as dpg
import numpy as np
import pytest

from app_fixture import app_on, canvas_text  # noqa: F401  (app_on is a fixture)
from mlgarden.document.build import Builder
from mlgarden.gui import ids
from mlgarden.gui.app import MENU_HEIGHT
from mlgarden.gui.help_panel import HelpPanel
from mlgarden.gui.help_panel import Tags as HelpTags
from mlgarden.gui.training_panel import Tags, TrainingPanel
from mlgarden import shipped
from mlgarden.session import Session
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
    assert [label.split(":")[0] for label in labels] == [name for name, _ in STORY] == [
        "arithmetic", "fit-ten", "line", "linear", "perceptrons-2-1", "donut-distance", "mlp-2x4",
        "final-boss", "final-boss-built", "moons-mlp"]  # issue 11's order
    assert labels[0] == "arithmetic: (5 + 3) * 2 as a graph, and the gradients of its result"
    final_boss = [name for name, _ in STORY].index("final-boss")
    click_in_submenu(driver, ids.FILE_MENU, ids.EXAMPLES_MENU, final_boss)
    driver.frames(3)
    assert (session.path, session.example) == (None, "final-boss")  # an untitled copy
    assert dpg.is_item_shown(ids.ABOUT_WINDOW)
    assert dpg.get_item_label(ids.ABOUT_WINDOW) == "About this graph: final-boss (example)"
    text = dpg.get_value(ids.ABOUT_TEXT)
    assert text.startswith("The final boss: the spiral.") and "Try next:" in text
    driver.screenshot(tmp_path / "about-final-boss.png")
    x, y, width, height = driver.item_rect(ids.ABOUT_WINDOW)
    x, y, width, height = int(x), int(y), int(width), int(height)
    strip = (slice(y + height - 30, y + height - 8), slice(x + 10, x + width - 10))  # under the text
    unfolded = driver.screenshot()[strip].astype(int)
    assert unfolded.std() < 2  # the window's plain background
    driver.click(x + 13, y + 9)  # the arrow left of the title folds the window to its title bar
    driver.frames(2)
    folded = driver.screenshot(tmp_path / "about-folded.png")[strip].astype(int)
    assert (np.abs(folded - unfolded).sum(axis=2) > 6).mean() > 0.5  # the canvas shows there now
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
    keys = [dpg.get_value(dpg.get_item_children(row, 1)[0])
            for row in dpg.get_item_children(HelpTags.shortcuts, 1)]
    for text in keys:  # "Ctrl+= / Ctrl+=" named the keypad's + as the = key again
        assert len(set(text.split(" / "))) == len(text.split(" / ")), text
    assert "Ctrl+= / Ctrl+Keypad +" in keys and "Ctrl+- / Ctrl+Keypad -" in keys


def test_a_graph_with_a_result_and_no_loss_shows_the_gradients_of_the_result(app_on):
    """The write-up's first graph, (5 + 3) * 2: 'Set as result' alone gives every node its
    gradient, the result's own being 1; setting a loss moves the start of backprop there."""
    session = Session()
    app, driver = app_on(session)
    assert app.open_path(shipped.example_file("arithmetic"))
    driver.frames(3)
    assert session.document.loss is None
    shown = {node_id: canvas_text(ids.gradient_text(node_id)) for node_id in session.document.nodes}
    assert shown == {"a": "grad 2", "b": "grad 2", "c": "grad 8", "s": "grad 2", "r": "grad 1"}


def train_panel_app(app_on):
    builder = Builder(seed=3)
    hidden = builder.layer([builder.x(), builder.y()], width=3)
    out = builder.neuron(hidden)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.set_dataset(name="donut")
    document.set_training(optimizer="adam", learning_rate=0.1, batch_size=16)
    session = Session(document)
    app, driver = app_on(session, panels=[TrainingPanel(session)])
    return session, app, driver


def params(session):
    program = session.document.program()
    return dict(zip(program.leaf_ids, session.document.leaf_values(program)))


def test_reset_goes_back_to_the_start_of_training_and_reinitialise_draws_anew(app_on, tmp_path):
    session, app, driver = train_panel_app(app_on)
    opened = params(session)
    driver.click(*driver.item_center(Tags.play))
    driver.frames_until_trained(lambda: session.trainer.metrics.steps > 200, "200 training steps")
    driver.click(*driver.item_center(Tags.play))  # pause
    driver.frames(8)
    trained_steps = session.trainer.metrics.steps
    x_low, x_high = dpg.get_axis_limits(Tags.x_axis)
    assert x_high >= 200 and trained_steps >= 200
    driver.screenshot(tmp_path / "trained.png")

    driver.click(*driver.item_center(Tags.reset))
    driver.frames(3)
    assert params(session) == opened
    assert session.trainer.metrics.steps == 0 and session.trainer.history == []
    assert dpg.get_value(Tags.train_loss) == "loss -" and dpg.get_value(Tags.steps) == "step 0"

    driver.click(*driver.item_center(Tags.step))
    driver.click(*driver.item_center(Tags.step))
    driver.frames(3)
    x_low, x_high = dpg.get_axis_limits(Tags.x_axis)
    assert x_high <= 10  # the axis follows the new curve, not the old run's 200 steps
    y_low, y_high = dpg.get_axis_limits(Tags.y_axis)
    losses = [point.train_loss for point in session.trainer.history]
    assert y_low < min(losses) and max(losses) < y_high < 10 * max(losses)
    driver.screenshot(tmp_path / "after-reset.png")

    driver.key("ctrl+z")  # the two steps, one undo step each (merged), then the reset
    driver.key("ctrl+z")
    before_reinitialise = params(session)
    driver.click(*driver.item_center(Tags.reinitialise))
    driver.frames(2)
    drawn = params(session)
    assert drawn != before_reinitialise and drawn != opened
    assert session.trainer.metrics.steps == 0
    driver.key("ctrl+z")
    assert params(session) == before_reinitialise


def test_the_open_dialog_lists_dot_dot_first_and_plain_sizes_and_walks_folders(app_on, tmp_path):
    from app_fixture import small_graph
    from mlgarden.files import fileformat
    from mlgarden.gui.file_browser import Tags as FileTags
    from mlgarden.gui.file_browser import row_tag

    (tmp_path / "inner").mkdir()
    fileformat.save(small_graph(), tmp_path / "inner" / "graph.yaml")
    session = Session()
    session.path = tmp_path / "untitled.yaml"  # the dialog opens in the open file's folder
    app, driver = app_on(session)
    driver.key("ctrl+o")
    driver.frames(2)
    assert dpg.is_item_shown(FileTags.window)
    assert [entry.name for entry in app.dialogs.files.entries][:2] == ["..", "inner/"]
    driver.click(*driver.item_center(row_tag(1)))  # into inner/
    driver.frames(2)
    names = [entry.name for entry in app.dialogs.files.entries]
    assert names == ["..", "graph.yaml"]
    size = app.dialogs.files.entries[1].size
    assert size.endswith((" B", " KB")) and "," not in size
    driver.screenshot(tmp_path / "open-dialog.png")
    driver.click(*driver.item_center(row_tag(1)))
    driver.click(*driver.item_center(FileTags.ok))
    driver.frames(2)
    assert session.path == tmp_path / "inner" / "graph.yaml"
    assert not dpg.is_item_shown(FileTags.window)
