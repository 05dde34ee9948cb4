"""The canvas's aids, driven with real input: node thumbnails over the plane, any output of a call
on the plane, links coloured by the gradient flowing back along each one, and the view scrolling
by itself while something is dragged near the canvas's edge."""

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, small_graph  # noqa: F401  (a fixture)
from mlgarden.document import function_edits
from mlgarden.document.build import Builder
from mlgarden.document.layout import arranged_positions
from mlgarden.gui import ids
from mlgarden.gui.app import MENU_HEIGHT
from mlgarden.gui.dataset_window import DatasetWindow
from mlgarden.gui.training_panel import TrainingPanel
from mlgarden.gui import theme
from mlgarden.session import Session

pytestmark = pytest.mark.gui


def node_named(session, label):
    return next(n.id for n in session.document.nodes.values() if (n.label or n.op) == label)


def click_menu_item(driver, menu, item):
    """Open a menu of the menu bar and click one of its items."""
    x, _ = dpg.get_item_pos(menu)
    driver.click(x + 12, MENU_HEIGHT / 2)
    driver.frames(2)
    item_x, item_y = dpg.get_item_pos(item)
    driver.click(x + item_x + 20, MENU_HEIGHT + item_y + theme.FONT_SIZE // 2)


def shown_images(item=ids.NODE_LAYER):
    """The draw_image items Dear PyGui draws under `item` (a hidden parent hides its children)."""
    count = 0
    for child in dpg.get_item_children(item, 2):
        if not dpg.get_item_configuration(child)["show"]:
            continue
        if dpg.get_item_type(child) == "mvAppItemType::mvDrawImage":
            count += 1
        count += shown_images(child)
    return count


def picture_pixel(driver, pixels, node_id, across):
    """The colour a node's thumbnail shows `across` (0..1) of its width along its middle row."""
    x, y, width, height = driver.canvas.thumbnails.screen_rect(node_id)
    return pixels[int(y + height / 2), int(x + 2 + (width - 4) * across)].astype(int)


def test_node_thumbnails_show_each_value_over_the_plane_from_100_percent(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    thumbnails = app.canvas.thumbnails
    x, product, total, out, loss = (node_named(session, label) for label in ("x", "wx", "z", "out", "loss"))
    assert thumbnails.shown_nodes() == [] and shown_images() == 0  # off by default
    click_menu_item(driver, ids.VIEW_MENU, ids.THUMBNAILS_ITEM)
    driver.move(700, 650)
    assert dpg.get_value(ids.THUMBNAILS_ITEM)
    # every node whose value varies over the plane; params, consts and the label do not
    assert thumbnails.shown_nodes() == sorted([x, product, total, out, loss])
    assert shown_images() == 5
    painted = thumbnails.refresh_count
    driver.frames(10)  # nothing changed: no repainting (the params and the label in view included)
    assert thumbnails.refresh_count == painted
    pixels = driver.screenshot(tmp_path / "thumbnails.png")
    red, _, blue = picture_pixel(driver, pixels, x, 0.05)  # x over the plane: blue left, red right
    assert blue > red + 80
    red, _, blue = picture_pixel(driver, pixels, x, 0.95)
    assert red > blue + 80
    red, _, blue = picture_pixel(driver, pixels, out, 0.05)  # out = tanh(0.5 x + 0.1): w > 0
    assert blue > red + 30
    weight = node_named(session, "w")
    rx, ry, width, height = driver.item_rect(ids.value_field(weight))
    driver.drag((rx + width / 2, ry + height / 2), (rx + width / 2 - 100, ry + height / 2), steps=5)
    assert session.document.nodes[weight].value == -0.5
    driver.move(700, 650)
    driver.frames_until(lambda: thumbnails.pictures[out].source[0] is session.evaluation(),
                        "the thumbnail painted from the last value (at most every 0.05 s)")
    pixels = driver.screenshot(tmp_path / "thumbnails-nudged.png")
    red, _, blue = picture_pixel(driver, pixels, out, 0.05)  # w < 0 now: the picture follows
    assert red > blue + 30
    app.canvas.zoom_to(0.9)
    driver.frames(3)
    assert thumbnails.shown_nodes() == [] and shown_images() == 0  # below 100%: none
    app.canvas.zoom_to(2.0, (0.0, 0.0))
    driver.frames(3)
    assert out in thumbnails.shown_nodes()
    driver.screenshot(tmp_path / "thumbnails-200.png")
    click_menu_item(driver, ids.VIEW_MENU, ids.THUMBNAILS_ITEM)  # off again
    driver.frames(2)
    assert thumbnails.shown_nodes() == [] and shown_images() == 0


def test_thumbnails_follow_training(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    app.toggle_thumbnails()
    driver.frames(2)
    painted = app.canvas.thumbnails.refresh_count
    session.play()
    driver.frames_until_trained(lambda: app.canvas.thumbnails.refresh_count >= painted + 2,
                                "the thumbnails repainted while training")
    session.pause()


def two_output_graph():
    """x² and y² as one function with two outputs, whose sum is the result."""
    document = Builder(seed=3).finish(arrange=False)
    x, y = document.add_node("x"), document.add_node("y")
    xx, yy = document.add_node("mul", inputs=[x, x]), document.add_node("mul", inputs=[y, y])
    document.set_result(document.add_node("add", inputs=[xx, yy]))
    call = function_edits.collapse(document, [xx, yy], "squares")
    for node_id, position in arranged_positions(document).items():
        document.move(node_id, position)
    return document, call


def test_a_click_on_any_output_of_a_call_shades_that_output_on_the_plane(app_on, tmp_path):
    document, call = two_output_graph()
    session = Session(document)
    app, driver = app_on(session)
    second = f"{call}:1"
    rx, ry, width, height = driver.item_rect(ids.value_text(second))
    driver.click(rx + width / 2, ry + height / 2)  # the second output's row
    driver.frames(2)
    assert app.canvas.selected_nodes() == [call]
    assert session.plane_node() == document.flat_id(second)
    assert not session.history.can_undo()  # choosing is not an edit
    driver.screenshot(tmp_path / "second-output.png")
    driver.click(*driver.node_title_point(ids.node(call)))  # the node itself: its first output
    driver.frames(2)
    assert session.plane_node() == document.flat_id(call)
    driver.click(*driver.pin_point(ids.output_pin(second)))  # a click on an output pin
    driver.frames(2)
    assert session.plane_node() == document.flat_id(second)
    assert session.document.links() == document.links()  # and no wire was made


def link_pixel(driver, pixels, source, target, pin):
    """The colour in the middle of a link (a link's curve passes through its ends' midpoint)."""
    (x1, y1) = driver.pin_point(ids.output_pin(source))
    (x2, y2) = driver.pin_point(ids.input_pin(target, pin))
    return pixels[int(round((y1 + y2) / 2)), int(round((x1 + x2) / 2))].astype(int)


def test_two_links_out_of_one_node_are_coloured_by_the_gradient_each_carries(app_on, tmp_path):
    builder = Builder(seed=1)
    x = builder.x()
    up, down = builder.param(1.0, label="up"), builder.param(-0.05, label="down")
    a, b = builder.op("mul", up, x, label="a"), builder.op("mul", down, x, label="b")
    total = builder.op("add", a, b, label="total")
    document = builder.finish(result=total, arrange=False)
    places = {x: (40, 200), up: (260, 40), down: (260, 330), a: (460, 80), b: (460, 300), total: (680, 190)}
    for value, (left, top) in places.items():
        document.nodes[value.id].pos = (float(left), float(top))
    session = Session(document)
    app, driver = app_on(session)
    driver.move(700, 650)
    assert session.evaluation().grads[x.id] == pytest.approx(0.95)  # the node's own gradient
    pixels = driver.screenshot(tmp_path / "two-links.png")
    red, _, blue = link_pixel(driver, pixels, x.id, a.id, 1)  # carries grad(a) * up = +1: red
    assert red > blue + 60
    red, _, blue = link_pixel(driver, pixels, x.id, b.id, 1)  # carries grad(b) * down = -0.05: blue
    assert blue > red + 20
    wide = app.canvas.links[(x.id, a.id, 1)].style[1]
    assert wide > app.canvas.links[(x.id, b.id, 1)].style[1]  # 1 > 0.05: a wider link


def test_a_node_dropped_past_the_canvas_edge_is_brought_back_into_view(app_on):
    """Dragged onto the Dataset panel and held, the node followed the scrolling view and was
    dropped under the panel, out of sight."""
    session = Session(small_graph())
    app, driver = app_on(session, panels=[TrainingPanel(session), DatasetWindow(session)])
    canvas = app.canvas
    out = node_named(session, "out")
    left, top, width, height = canvas.canvas_rect
    grab = driver.node_title_point(ids.node(out))
    driver.move(*grab)
    driver.press()
    driver.move(grab[0] + 20, grab[1])
    driver.move(left + width + 120, grab[1])  # over the Training panel beside the canvas
    driver.frames(10)
    driver.release()
    driver.frames(2)
    x, y = session.document.nodes[out].pos
    box = canvas.node_boxes[out]
    view_left, view_top, view_right, view_bottom = canvas.visible_rect()
    assert x > grab[0]  # it moved right, as dragged
    assert view_left <= x and x + box.width <= view_right
    assert view_top <= y and y + box.height <= view_bottom


def test_dragging_a_node_or_a_wire_to_the_edge_scrolls_the_view(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    canvas = app.canvas
    out = node_named(session, "out")
    before = session.document.copy()
    left, top, width, height = canvas.canvas_rect
    start_origin = canvas.view.origin
    start_pos = session.document.nodes[out].pos
    grab = driver.node_title_point(ids.node(out))
    driver.move(*grab)
    driver.press()
    driver.move(grab[0] + 20, grab[1])
    edge = (left + width - 4, grab[1])
    driver.move(*edge)
    driver.frames(20)  # held at the right edge: the view scrolls right, the node with it
    scrolled = canvas.view.origin[0] - start_origin[0]
    assert scrolled > 0 and canvas.view.origin[1] == start_origin[1]
    assert dpg.get_item_configuration(ids.node(out))["show"]  # drawn under the mouse, not culled
    driver.screenshot(tmp_path / "scrolling.png")
    driver.release()  # (frames rendered until then scrolled on)
    moved = session.document.nodes[out].pos[0] - start_pos[0]
    scrolled = canvas.view.origin[0] - start_origin[0]
    assert moved == pytest.approx(edge[0] - grab[0] + scrolled)  # still under the mouse
    driver.key("ctrl+z")
    assert session.document == before  # one undo step
    canvas.show_view(start_origin)  # back where it started
    driver.frames(2)
    scrolled_to = canvas.view.origin
    source = driver.pin_point(ids.output_pin(node_named(session, "z")))
    driver.move(*source)
    driver.press()
    driver.move(source[0], source[1] + 20)
    driver.move(source[0], top + height - 3)  # a wire held at the bottom edge
    driver.frames(20)
    assert canvas.view.origin[1] > scrolled_to[1]
    driver.move(left + width / 2, top + height / 2)  # out of the band: the scrolling stops
    held = canvas.view.origin
    driver.frames(5)
    assert canvas.view.origin == held
    canvas.show_view(scrolled_to)  # as a pan back would
    driver.frames(2)
    driver.move(*driver.pin_point(ids.input_pin(node_named(session, "out"), 0)))
    driver.release()  # the wire still links
    assert session.document.nodes[node_named(session, "out")].inputs[0] == node_named(session, "z")
