"""The canvas's view (mlgarden/gui/view.py) with the real mouse: a file opens showing its graph,
a middle-drag pans, the pan is saved with the file and comes back when it is reopened, F fits.
"""

import shutil

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on  # noqa: F401  (a fixture)
from mlgarden.files import fileformat
from mlgarden.gui import ids
from mlgarden.gui.view import MARGIN
from mlgarden import shipped
from mlgarden.session import Session

pytestmark = pytest.mark.gui


def canvas_box(driver):
    x, y, width, height = driver.item_rect(ids.CANVAS_WINDOW)
    return x, y, x + width, y + height


def inside(rect, box):
    x, y, width, height = rect
    return box[0] <= x and box[1] <= y and x + width <= box[2] and y + height <= box[3]


def nodes_in_view(app, driver):
    box = canvas_box(driver)
    return {node_id for node_id in app.session.document.nodes
            if inside(driver.item_rect(ids.node(node_id)), box)}


def free_spot(app, driver, reach=(0, 0)):
    """A point of the canvas with the empty grid under it (imnodes pans only from there), from
    which a drag by `reach` stays on the canvas."""
    box = canvas_box(driver)
    rects = [driver.item_rect(ids.node(node_id)) for node_id in app.session.document.nodes]
    for y in range(int(box[1]) + 40, int(box[3]) - 40, 37):
        for x in range(int(box[0]) + 40, int(box[2]) - 40, 41):
            if not (box[0] + 20 < x + reach[0] < box[2] - 20 and box[1] + 20 < y + reach[1] < box[3] - 20):
                continue
            if any(r[0] - 12 <= x <= r[0] + r[2] + 12 and r[1] - 12 <= y <= r[1] + r[3] + 12 for r in rects):
                continue
            driver.move(x, y)
            if app.canvas.hovered_link() is None and app.canvas.hovered_node() is None:
                return x, y
    raise AssertionError("no empty spot on the canvas")


def pan(app, driver, dx, dy):
    start = free_spot(app, driver, (dx, dy))
    driver.drag(start, (start[0] + dx, start[1] + dy), steps=4, button=2)
    driver.frames(2)


@pytest.fixture
def final_boss(tmp_path):
    path = tmp_path / "final-boss.yaml"
    shutil.copy(shipped.example_file("final-boss"), path)
    return path


def test_a_file_opens_with_its_graph_in_view(app_on, final_boss):
    app, driver = app_on(Session())
    assert app.open_path(final_boss)
    driver.frames(3)
    document = app.session.document
    assert "origin" not in document.view  # the example has no saved view: it is fitted
    shown = nodes_in_view(app, driver)
    assert len(shown) >= 8, shown
    left = min(node.pos[0] for node in document.nodes.values())
    assert app.canvas.view.origin()[0] == pytest.approx(left - MARGIN, abs=1)  # the inputs' edge
    columns = {document.nodes[node_id].pos[0] for node_id in shown}
    assert left in columns and len(columns) >= 4  # the tall graph is centred: every column has nodes


def test_a_pan_is_saved_with_the_file_and_reopening_shows_the_same_view(app_on, final_boss, tmp_path):
    app, driver = app_on(Session())
    session = app.session
    assert app.open_path(final_boss)
    driver.frames(3)
    fitted = app.canvas.view.origin()
    pan(app, driver, -300, -200)
    assert app.canvas.view.origin() == pytest.approx((fitted[0] + 300, fitted[1] + 200), abs=2)
    assert not session.dirty  # a view change alone is not unsaved work
    seen = nodes_in_view(app, driver)
    assert len(seen) >= 5
    where = {node_id: driver.item_rect(ids.node(node_id))[:2] for node_id in seen}
    driver.screenshot(tmp_path / "panned.png")
    driver.move(*free_spot(app, driver))
    driver.key("ctrl+s")
    origin = app.canvas.view.origin()
    assert fileformat.load(final_boss).view["origin"] == pytest.approx(list(origin))
    assert not session.dirty

    assert app.open_path(shipped.example_file("perceptrons-2-1"))  # another graph, fitted
    driver.frames(3)
    assert app.open_path(final_boss)
    driver.frames(3)
    assert app.canvas.view.origin() == pytest.approx(origin)
    assert nodes_in_view(app, driver) == seen
    for node_id, (x, y) in where.items():
        assert driver.item_rect(ids.node(node_id))[:2] == pytest.approx((x, y), abs=1)
    driver.screenshot(tmp_path / "reopened.png")


def test_f_over_the_canvas_fits_the_graph_again(app_on, final_boss, tmp_path):
    app, driver = app_on(Session())
    assert app.open_path(final_boss)
    driver.frames(3)
    fitted = app.canvas.view.origin()
    first = {node_id: driver.item_rect(ids.node(node_id))[:2] for node_id in nodes_in_view(app, driver)}
    pan(app, driver, -250, -150)
    assert app.canvas.view.origin() != pytest.approx(fitted, abs=10)
    driver.move(400, dpg.get_viewport_client_height() - 10)  # over the status line: not the canvas
    driver.key("f")
    assert app.canvas.view.origin() != pytest.approx(fitted, abs=10)
    driver.move(*free_spot(app, driver))
    driver.key("f")
    driver.frames(2)
    assert app.canvas.view.origin() == pytest.approx(fitted, abs=1)
    for node_id, (x, y) in first.items():
        assert driver.item_rect(ids.node(node_id))[:2] == pytest.approx((x, y), abs=1)
    pan(app, driver, -100, -100)
    driver.key("Home")
    driver.frames(2)
    assert app.canvas.view.origin() == pytest.approx(fitted, abs=1)
    assert not app.session.dirty and not app.session.history.can_undo()


def test_a_node_added_at_the_mouse_after_a_pan_lands_under_the_mouse(app_on, final_boss):
    app, driver = app_on(Session())
    assert app.open_path(final_boss)
    driver.frames(3)
    pan(app, driver, -200, -120)
    spot = free_spot(app, driver)
    driver.click(*spot, button=3)
    assert dpg.is_item_shown(ids.CANVAS_MENU)
    driver.click(*driver.item_center(ids.canvas_menu_op("relu")))
    driver.frames(2)
    added = [n for n in app.session.document.nodes.values() if n.op == "relu"]
    assert len(added) == 1
    assert driver.item_rect(ids.node(added[0].id))[:2] == pytest.approx(spot, abs=2)


def test_saving_while_a_function_body_is_shown_keeps_the_graphs_view(app_on, tmp_path):
    from test_functions_gui import two_output_graph

    session = Session(two_output_graph())
    session.path = tmp_path / "pair.yaml"
    app, driver = app_on(session)
    graph_origin = app.canvas.view.origin()
    app.canvas.open_function("pair")
    driver.frames(3)
    assert app.canvas.view.origin() != pytest.approx(graph_origin)  # the body is fitted on its own
    driver.key("ctrl+s")
    assert fileformat.load(tmp_path / "pair.yaml").view["origin"] == pytest.approx(list(graph_origin))
