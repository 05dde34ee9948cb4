"""The canvas's view with the real mouse: a file opens fitted, the wheel zooms about the mouse,
a middle-drag and space+drag pan, the view (origin and zoom) is saved with the file and comes back,
F fits the graph or the selection, the minimap moves the view.
"""

import shutil

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, canvas_text  # noqa: F401  (a fixture)
from mlgarden.files import fileformat
from mlgarden.gui import ids
from mlgarden import shipped
from mlgarden.session import Session

pytestmark = pytest.mark.gui


def canvas_box(app):
    x, y, width, height = app.canvas.canvas_rect
    return x, y, x + width, y + height


def inside(rect, box):
    x, y, width, height = rect
    return box[0] <= x and box[1] <= y and x + width <= box[2] and y + height <= box[3]


def nodes_in_view(app, driver):
    box = canvas_box(app)
    return {node_id for node_id in app.session.document.nodes
            if inside(driver.item_rect(ids.node(node_id)), box)}


def free_spot(app, driver, reach=(0, 0)):
    """A point of the canvas with nothing under it, from which a drag by `reach` stays on it."""
    box = canvas_box(app)
    for y in range(int(box[1]) + 40, int(box[3]) - 40, 37):
        for x in range(int(box[0]) + 40, int(box[2]) - 200, 41):
            if not (box[0] + 20 < x + reach[0] < box[2] - 200 and box[1] + 20 < y + reach[1] < box[3] - 20):
                continue
            if app.canvas.input.hit((x, y)) == (None, None):
                return x, y
    raise AssertionError("no empty spot on the canvas")


def pan(app, driver, dx, dy, button=2):
    start = free_spot(app, driver, (dx, dy))
    driver.drag(start, (start[0] + dx, start[1] + dy), steps=4, button=button)
    driver.frames(2)


def wheel(driver, point, notches):
    driver.move(*point)
    button = 4 if notches > 0 else 5
    for _ in range(abs(notches)):
        from driver import xdotool
        xdotool("click", button)
        driver.frames(2)


@pytest.fixture
def final_boss(tmp_path):
    path = tmp_path / "final-boss.yaml"
    shutil.copy(shipped.example_file("final-boss"), path)
    return path


def test_a_file_opens_with_the_whole_graph_in_view(app_on, final_boss, tmp_path):
    app, driver = app_on(Session())
    assert app.open_path(final_boss)
    driver.frames(3)
    document = app.session.document
    assert "origin" not in document.view  # the example has no saved view: it is fitted
    assert nodes_in_view(app, driver) == set(document.nodes)  # every node's rectangle
    assert app.canvas.view.zoom < 0.6  # the final network only fits zoomed out
    assert canvas_text(ids.ZOOM_TEXT) == f"zoom {round(app.canvas.view.zoom * 100)}%"
    driver.screenshot(tmp_path / "final-boss-fitted.png")


def test_the_wheel_zooms_about_the_mouse(app_on, final_boss, tmp_path):
    app, driver = app_on(Session())
    assert app.open_path(final_boss)
    driver.frames(3)
    canvas = app.canvas
    point = (300, 300)
    under = canvas.to_document(*point)
    zoom = canvas.view.zoom
    wheel(driver, point, 3)
    assert canvas.view.zoom == pytest.approx(zoom * 1.15 ** 3, rel=1e-6)
    assert canvas.to_document(*point) == pytest.approx(under, abs=1e-6)  # it stays put
    assert canvas_text(ids.ZOOM_TEXT) == f"zoom {round(canvas.view.zoom * 100)}%"
    wheel(driver, point, -5)
    assert canvas.view.zoom == pytest.approx(zoom * 1.15 ** -2, rel=1e-6)
    assert canvas.to_document(*point) == pytest.approx(under, abs=1e-6)
    for _ in range(30):
        canvas.zoom_to(canvas.view.zoom * 2)
    assert canvas.view.zoom == 4.0  # 400% at most
    driver.move(*free_spot(app, driver))
    driver.key("ctrl+0")
    assert canvas.view.zoom == 1.0
    driver.key("ctrl+minus")
    assert canvas.view.zoom == pytest.approx(0.8)
    driver.key("ctrl+equal")
    assert canvas.view.zoom == pytest.approx(1.0)
    assert not app.session.dirty and not app.session.history.can_undo()


def test_a_pan_and_zoom_are_saved_with_the_file_and_reopening_shows_the_same_view(
        app_on, final_boss, tmp_path):
    app, driver = app_on(Session())
    session = app.session
    assert app.open_path(final_boss)
    driver.frames(3)
    fitted = app.canvas.view.origin
    app.canvas.zoom_to(1.0)
    driver.frames(2)
    origin = app.canvas.view.origin
    pan(app, driver, -300, -200)
    assert app.canvas.view.origin == pytest.approx((origin[0] + 300, origin[1] + 200), abs=2)
    assert app.canvas.view.origin != pytest.approx(fitted, abs=5)
    assert not session.dirty  # a view change alone is not unsaved work
    seen = nodes_in_view(app, driver)
    assert len(seen) >= 3
    where = {node_id: driver.item_rect(ids.node(node_id))[:2] for node_id in seen}
    driver.move(*free_spot(app, driver))
    driver.key("ctrl+s")
    saved = fileformat.load(final_boss).view
    assert saved["origin"] == pytest.approx(list(app.canvas.view.origin), abs=0.01)
    assert saved["zoom"] == 1
    assert not session.dirty

    assert app.open_path(shipped.example_file("perceptrons-2-1"))  # another graph, fitted
    driver.frames(3)
    assert app.open_path(final_boss)
    driver.frames(3)
    assert app.canvas.view.zoom == 1.0
    assert nodes_in_view(app, driver) == seen
    for node_id, (x, y) in where.items():
        assert driver.item_rect(ids.node(node_id))[:2] == pytest.approx((x, y), abs=1)


def test_space_and_left_drag_pans(app_on, final_boss):
    app, driver = app_on(Session())
    assert app.open_path(final_boss)
    driver.frames(3)
    app.canvas.zoom_to(1.0)
    driver.frames(2)
    origin = app.canvas.view.origin
    driver.key_down("space")
    pan(app, driver, 120, 80, button=1)
    driver.key_up("space")
    assert app.canvas.view.origin == pytest.approx((origin[0] - 120, origin[1] - 80), abs=2)
    assert app.canvas.selected_nodes() == []


def test_f_over_the_canvas_fits_the_graph_and_then_the_selection(app_on, final_boss, tmp_path):
    app, driver = app_on(Session())
    assert app.open_path(final_boss)
    driver.frames(3)
    fitted = (app.canvas.view.origin, app.canvas.view.zoom)
    app.canvas.zoom_to(2.0)
    pan(app, driver, -250, -150)
    driver.move(400, dpg.get_viewport_client_height() - 10)  # over the status line: not the canvas
    driver.key("f")
    assert app.canvas.view.zoom == 2.0
    driver.move(*free_spot(app, driver))
    driver.key("f")
    assert app.canvas.view.origin == pytest.approx(fitted[0])
    assert app.canvas.view.zoom == pytest.approx(fitted[1])
    node_id = sorted(app.session.document.nodes)[0]
    app.canvas.select([node_id])
    driver.key("Home")
    assert app.canvas.view.zoom == 1.0  # a single node is shown at 100%, not blown up
    assert inside(driver.item_rect(ids.node(node_id)), canvas_box(app))
    assert not app.session.dirty and not app.session.history.can_undo()


def test_a_click_on_the_minimap_centres_the_view_there(app_on, final_boss):
    app, driver = app_on(Session())
    assert app.open_path(final_boss)
    driver.frames(3)
    canvas = app.canvas
    canvas.zoom_to(1.0)
    driver.frames(2)
    x, y, width, height = canvas.canvas_rect
    corner = canvas.minimap.corner
    spot = (x + corner[0] + 20, y + corner[1] + 60)
    driver.click(*spot)
    middle = canvas.to_document(x + width / 2, y + height / 2)
    expected = (canvas.minimap.bounds[0] + 20 / canvas.minimap.scale,
                canvas.minimap.bounds[1] + 60 / canvas.minimap.scale)
    assert middle == pytest.approx(expected, abs=2)


def test_a_node_added_at_the_mouse_after_a_pan_lands_under_the_mouse(app_on, final_boss):
    app, driver = app_on(Session())
    assert app.open_path(final_boss)
    driver.frames(3)
    app.canvas.zoom_to(1.0)
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
    graph_origin = app.canvas.view.origin
    app.canvas.open_function("pair")
    driver.frames(3)
    app.canvas.show_view((graph_origin[0] + 300, graph_origin[1] + 200))  # look around the body
    driver.frames(2)
    driver.key("ctrl+s")
    saved_origin = fileformat.load(tmp_path / "pair.yaml").view["origin"]
    assert saved_origin == pytest.approx(list(graph_origin), abs=0.01)
