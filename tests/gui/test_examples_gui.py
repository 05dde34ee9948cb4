"""Every shipped example opened in the real app: no node is drawn over another; and an example,
chosen from the Examples menu with the mouse or opened at start, is an untitled copy whose ctrl+S
asks where to save, so the shipped file is never written.

The layout (mlgarden/layout.py) stacks nodes by `node_height`, an estimate of how tall the canvas
draws each one; these tests open each file through the app's own open path, render, and read the
drawn rects back, so the estimate and the theme cannot drift apart unnoticed.
"""

import itertools

import dearpygui.dearpygui as dpg

import pytest

from app_fixture import app_on  # noqa: F401  (a fixture)
from driver import Driver
from mlgarden import shipped
from mlgarden.files import fileformat
from mlgarden.gui import ids, minimap
from mlgarden.gui.app import App, start_session
from mlgarden.gui.dataset_window import DatasetWindow
from mlgarden.gui.file_browser import Tags as FileTags
from mlgarden.gui.training_panel import TrainingPanel
from mlgarden.document.layout import node_height
from mlgarden.session import DEFAULT_EXAMPLE, Session
from test_files_power_gui import click_in_submenu

pytestmark = pytest.mark.gui

EXAMPLES = shipped.example_files()


def drawn_rect(app, node_id):
    """(x, y, width, height) in document units: the node's position and its drawn size."""
    left, top, right, bottom = app.canvas.node_rect(node_id)
    return left, top, right - left, bottom - top


def overlapping(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_no_shipped_example_draws_a_node_over_another(app_on, tmp_path):
    app, driver = app_on(Session())
    assert len(EXAMPLES) >= 9
    for path in EXAMPLES:
        assert app.open_path(path), path
        driver.frames(3)
        document = app.session.document
        rects = {node_id: drawn_rect(app, node_id) for node_id in document.nodes}
        assert all(rect[3] > 0 for rect in rects.values()), f"{path.name}: a node was not drawn"
        for node_id, rect in rects.items():
            if document.nodes[node_id].op != "call":  # a call is as tall as its rows
                assert rect[3] == node_height(document, node_id), (path.name, node_id, rect)
        # Sort by x, so only nodes that can share a column are compared (moons-mlp has 710 nodes).
        ordered = sorted(rects.items(), key=lambda item: item[1][0])
        for index, (first, a) in enumerate(ordered):
            for second, b in itertools.takewhile(lambda item: item[1][0] < a[0] + a[2],
                                                 ordered[index + 1:]):
                assert not overlapping(a, b), f"{path.name}: {first} {a} overlaps {second} {b}"
        if path.stem == "perceptrons-2-1":
            driver.screenshot(tmp_path / "perceptrons-2-1.png")


def shipped_bytes():
    return {path.name: path.read_bytes() for path in shipped.example_files()}


def drag_a_node(session, driver):
    """Move the first node a little with the mouse: an unsaved change."""
    node_id = next(iter(session.document.nodes))
    start = driver.node_title_point(ids.node(node_id))
    driver.drag(start, (start[0] + 30, start[1] + 40))
    driver.frames(2)
    assert session.dirty


def assert_ctrl_s_asks_where(app, driver, name, folder):
    driver.key("ctrl+s")
    driver.frames(2)
    assert dpg.is_item_shown(FileTags.window)
    assert dpg.get_value(FileTags.name) == f"{name}.yaml"
    assert app.dialogs.files.folder == folder.resolve()
    assert app.session.path is None


def type_file_name(driver, name):
    """Type a name into the file dialog's name field and press Enter, as its OK."""
    x, y, width, height = driver.item_rect(FileTags.name)
    driver.click(x + 20, y + height / 2)
    driver.key("ctrl+a")
    driver.type_text(name)
    driver.key("Return")


def test_an_example_from_the_menu_is_an_untitled_copy_saved_where_the_user_says(
        app_on, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = shipped_bytes()
    session = Session()
    app, driver = app_on(session)
    labels = [dpg.get_item_label(entry) for entry in dpg.get_item_children(ids.EXAMPLES_MENU, 1)]
    names = [label.split(":")[0] for label in labels]
    assert len(names) == len(set(names)) and set(names) == set(shipped.example_names())
    click_in_submenu(driver, ids.FILE_MENU, ids.EXAMPLES_MENU, names.index("arithmetic"))
    driver.frames(3)
    assert (session.path, session.example) == (None, "arithmetic")
    assert dpg.get_viewport_title() == "mlgarden — arithmetic (example)"
    driver.screenshot(tmp_path / "arithmetic-copy.png")
    drag_a_node(session, driver)
    assert_ctrl_s_asks_where(app, driver, "arithmetic", tmp_path)
    type_file_name(driver, "mine")  # ".yaml" is added
    driver.frames(2)
    assert session.path == tmp_path / "mine.yaml" and not session.dirty
    assert fileformat.load(tmp_path / "mine.yaml") == session.document
    assert dpg.get_viewport_title() == "mlgarden — mine.yaml"
    assert shipped_bytes() == before


def test_the_first_start_opens_the_built_in_example_as_an_untitled_copy(app_on, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = shipped_bytes()
    session, error = start_session(None)
    assert error is None and (session.path, session.example) == (None, DEFAULT_EXAMPLE)
    app, driver = app_on(session)
    assert dpg.get_viewport_title() == f"mlgarden — {DEFAULT_EXAMPLE} (example)"
    drag_a_node(session, driver)
    assert_ctrl_s_asks_where(app, driver, DEFAULT_EXAMPLE, tmp_path)
    driver.screenshot(tmp_path / "save-dialog.png")
    assert shipped_bytes() == before


def test_at_900x600_every_example_opens_with_no_node_under_the_minimap(monkeypatch, tmp_path):
    """The docked panels leave the canvas 540 pixels wide: the fitted final-boss ran under the
    minimap in the canvas's corner. The fit keeps the graph off it."""
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    session = Session()
    app = App(session, [TrainingPanel(session), DatasetWindow(session)])
    driver = None
    try:
        app.build(900, 600)
        driver = Driver(session.title, frame=app.run_frame, canvas=app.canvas)
        for path in EXAMPLES:
            assert app.open_path(path), path
            driver.frames(3)
            canvas_x, canvas_y, _, _ = app.canvas.canvas_rect
            corner_x, corner_y = app.canvas.minimap.corner
            map_rect = (canvas_x + corner_x, canvas_y + corner_y, minimap.WIDTH, minimap.HEIGHT)
            under = [node_id for node_id in session.document.nodes
                     if overlapping(app.canvas.screen_rect(ids.node(node_id)), map_rect)]
            assert not under, f"{path.stem}: {under[:5]} under the minimap at {map_rect}"
            if path.stem == "final-boss":
                driver.screenshot(tmp_path / "final-boss-900x600.png")
    finally:
        if driver is not None:
            driver.close()
        app.close()
