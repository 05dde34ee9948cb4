"""The canvas zoomed: level of detail, culling, gradient-coloured links, and gestures that still
work when the canvas is not at 100% (a nudge and a link at 50%, a wire dropped on empty canvas).
"""

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, canvas_text, small_graph  # noqa: F401  (a fixture)
from mlgarden.gui import canvas_draw, ids, theme
from mlgarden.session import Session

pytestmark = pytest.mark.gui


def node_named(session, label):
    return next(n.id for n in session.document.nodes.values() if (n.label or n.op) == label)


def shown_items(item):
    """How many drawing items under `item` Dear PyGui will draw (hidden ones skip their children)."""
    count = 0
    for child in dpg.get_item_children(item, 2):
        if dpg.get_item_configuration(child)["show"]:
            count += 1 + shown_items(child)
    return count


def drawn_count():
    return shown_items(ids.NODE_LAYER) + shown_items(ids.LINK_LAYER)


def zoom(app, driver, value):
    app.canvas.zoom_to(value, (0.0, 0.0))
    driver.frames(2)


def app_with_weight(app_on, value):
    """The small graph with its param 'w' set to `value`, in the app: (session, app, driver, w)."""
    document = small_graph()
    weight = next(node.id for node in document.nodes.values() if node.label == "w")
    document.nodes[weight].value = value
    session = Session(document)
    app, driver = app_on(session)
    return session, app, driver, weight


def open_value_field(driver, node_id):
    """Double-click the node's value: the field to type it opens over it."""
    x, y, width, height = driver.item_rect(ids.value_field(node_id))
    driver.click(x + width / 2, y + height / 2)
    driver.click(x + width / 2, y + height / 2)
    driver.frames(2)
    assert dpg.is_item_shown(ids.VALUE_EDITOR)


def test_the_level_of_detail_follows_the_zoom(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    canvas = app.canvas
    out = node_named(session, "out")
    assert canvas.drawings[out].shown_lod == "full"
    driver.screenshot(tmp_path / "zoom-100.png")
    full = drawn_count()
    zoom(app, driver, 3.0)
    weight = node_named(session, "w")  # in view at 300%
    assert canvas.drawings[weight].shown_lod == "full"
    title = canvas.drawings[weight].detail_texts["title"]
    assert dpg.get_item_configuration(title)["size"] == pytest.approx(theme.FONT_SIZE * 3.0)
    driver.screenshot(tmp_path / "zoom-300.png")
    zoom(app, driver, 0.4)
    assert canvas.drawings[out].shown_lod == "compact"
    assert canvas_text(ids.value_text(out)) == theme.number(session.evaluation().values[out])
    compact = drawn_count()
    assert compact < full  # fewer items: no pin rows, no per-row texts
    zoom(app, driver, 0.25)
    driver.screenshot(tmp_path / "zoom-25.png")
    zoom(app, driver, 0.2)
    assert canvas.drawings[out].shown_lod == "block"
    pixels = driver.screenshot(tmp_path / "zoom-20.png")
    x, y, width, height = driver.item_rect(ids.node(out))
    assert tuple(pixels[int(y + height / 2), int(x + width / 2)]) == theme.KIND_COLOURS["activations"]
    assert drawn_count() < compact  # one box per node, straight links


def test_a_node_out_of_view_costs_nothing(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    canvas = app.canvas
    out = node_named(session, "out")
    before = drawn_count()
    own = 1 + shown_items(ids.node(out))
    session.edit("move", out, (9000.0, 9000.0))
    driver.frames(2)
    assert not dpg.get_item_configuration(ids.node(out))["show"]
    assert drawn_count() == before - own
    canvas.show_view((20000.0, 20000.0))  # look where nothing is
    driver.frames(2)
    assert drawn_count() == 0


def link_pixel(driver, pixels, source, target, pin):
    x1, y1 = driver.pin_point(ids.output_pin(source))
    x2, y2 = driver.pin_point(ids.input_pin(target, pin))
    return pixels[int(round((y1 + y2) / 2)), int(round((x1 + x2) / 2))].astype(int)


def test_links_are_coloured_by_the_sign_of_the_gradient_and_follow_a_nudge(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    x, product, weight = node_named(session, "x"), node_named(session, "wx"), node_named(session, "w")
    driver.move(700, 650)
    assert session.evaluation().grads[x] < 0  # d loss / d x = d loss / d wx * w, and w > 0
    red, green, blue = link_pixel(driver, driver.screenshot(tmp_path / "blue.png"), x, product, 1)
    assert blue > red + 60
    rx, ry, width, height = driver.item_rect(ids.value_field(weight))
    driver.drag((rx + width / 2, ry + height / 2), (rx + width / 2 - 100, ry + height / 2), steps=5)
    assert session.document.nodes[weight].value == -0.5  # float64 all the way: not -0.49999...
    assert session.evaluation().grads[x] > 0
    driver.move(700, 650)
    red, green, blue = link_pixel(driver, driver.screenshot(tmp_path / "red.png"), x, product, 1)
    assert red > blue + 60
    app.toggle_gradient_links()  # View > Gradient-coloured links, off
    driver.frames(2)
    red, green, blue = link_pixel(driver, driver.screenshot(tmp_path / "plain.png"), x, product, 1)
    assert abs(red - blue) < 20


def test_a_wire_dropped_on_empty_canvas_opens_the_palette_and_links_the_node_picked(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    out = node_named(session, "out")
    before = session.document.copy()
    driver.drag(driver.pin_point(ids.output_pin(out)), (700, 650))
    assert dpg.is_item_shown(ids.PALETTE)
    driver.type_text("relu")
    driver.key("Return")
    added = [n for n in session.document.nodes.values() if n.op == "relu"]
    assert len(added) == 1 and added[0].inputs == [out]
    driver.frames(2)
    x, y, _, _ = driver.item_rect(ids.node(added[0].id))
    assert abs(x - 700) < 60 and abs(y - 620) < 80  # where the wire was dropped
    driver.screenshot(tmp_path / "linked.png")
    driver.key("ctrl+z")
    assert session.document == before  # one undo step


def test_a_nudge_and_a_link_at_half_zoom(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    zoom(app, driver, 0.5)
    weight, bias, total = node_named(session, "w"), node_named(session, "b"), node_named(session, "z")
    x, y, width, height = driver.item_rect(ids.value_field(weight))
    driver.drag((x + width / 2, y + height / 2), (x + width / 2 + 60, y + height / 2), steps=6)
    assert session.document.nodes[weight].value == pytest.approx(1.1, abs=1e-12)
    assert canvas_text(ids.value_text(weight)) == "1.1"
    session.edit("disconnect", total, 1)
    driver.frames(2)
    driver.drag(driver.pin_point(ids.output_pin(bias)), driver.pin_point(ids.input_pin(total, 1)))
    assert session.document.nodes[total].inputs[1] == bias
    driver.screenshot(tmp_path / "half.png")
    session.undo()
    assert session.document.nodes[total].inputs[1] is None
    session.undo()  # the disconnect made by the test
    session.undo()  # the nudge: one step
    assert session.document.nodes[weight].value == 0.5


def overlapping(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_no_overlaps(app, new_ids):
    canvas = app.canvas
    for new in new_ids:
        for other in canvas.drawings:
            if other not in new_ids:
                assert not overlapping(canvas.node_rect(new), canvas.node_rect(other)), (new, other)


def in_view(app, node_id):
    left, top, right, bottom = app.canvas.visible_rect()
    x0, y0, x1, y1 = app.canvas.node_rect(node_id)
    return left <= x0 and top <= y0 and x1 <= right and y1 <= bottom


def test_new_nodes_never_cover_others_and_stay_in_view(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    total = node_named(session, "z")
    driver.move(*driver.node_title_point(ids.node(total)))  # the palette, with the mouse on a node
    driver.key("ctrl+space")
    driver.type_text("relu")
    driver.key("Return")
    driver.frames(2)
    relu = next(n.id for n in session.document.nodes.values() if n.op == "relu")
    assert_no_overlaps(app, [relu])
    assert in_view(app, relu)
    driver.click(*driver.node_title_point(ids.node(total)))  # copy z, paste it onto z
    driver.key("ctrl+c")
    driver.key("ctrl+v")
    driver.frames(2)
    pasted = [n for n in session.document.nodes if n not in small_graph().nodes and n != relu]
    assert len(pasted) == 1
    assert_no_overlaps(app, pasted)
    assert in_view(app, pasted[0])
    driver.key("ctrl+z")  # the paste, placement included, is one step
    assert set(session.document.nodes) == set(small_graph().nodes) | {relu}


def test_a_double_click_on_a_param_types_its_value_in_float64(app_on):
    session, app, driver, weight = app_with_weight(app_on, 0.5)
    open_value_field(driver, weight)
    assert not session.history.can_undo()  # the clicks themselves changed nothing
    driver.key("ctrl+a")
    driver.type_text("0.1")
    driver.key("Return")
    driver.frames(2)
    assert session.document.nodes[weight].value == 0.1  # exactly the float64 0.1
    assert not dpg.is_item_shown(ids.VALUE_EDITOR)
    assert canvas_text(ids.value_text(weight)) == "0.1"
    session.undo()
    assert session.document.nodes[weight].value == 0.5


def test_a_typed_value_is_read_whole_or_refused_with_a_message(app_on):
    """The field read only a leading number: "1/3" became 1 and "1_000" became 1, silently."""
    session, app, driver, weight = app_with_weight(app_on, 0.5)

    def type_value(text):
        open_value_field(driver, weight)
        driver.key("ctrl+a")
        driver.type_text(text)
        driver.key("Return")
        driver.frames(2)
        assert not dpg.is_item_shown(ids.VALUE_EDITOR)

    type_value("1/3")
    assert session.document.nodes[weight].value == 0.5 and not session.history.can_undo()
    assert session.status.startswith("'1/3' is not a number, so nothing changed")
    type_value("1_000")
    assert session.document.nodes[weight].value == 1000.0
    assert canvas_text(ids.value_text(weight)) == "1000"
    type_value("inf")
    assert session.document.nodes[weight].value == 1000.0 and "finite" in session.status


def test_enter_on_a_value_field_left_as_shown_keeps_every_digit(app_on):
    """The field shows 10 significant digits: Enter with nothing typed rounded the value to them."""
    session, app, driver, weight = app_with_weight(app_on, 0.123456789012345)
    open_value_field(driver, weight)
    driver.key("Return")
    driver.frames(2)
    assert not dpg.is_item_shown(ids.VALUE_EDITOR)
    assert session.document.nodes[weight].value == 0.123456789012345
    assert not session.history.can_undo() and not session.dirty


def test_a_clicked_link_is_selected_and_delete_cuts_it_and_highlight_marks_one(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    product, total = node_named(session, "wx"), node_named(session, "z")
    (x1, y1), (x2, y2) = driver.pin_point(ids.output_pin(product)), driver.pin_point(ids.input_pin(total, 0))
    driver.click((x1 + x2) / 2, (y1 + y2) / 2)
    assert app.canvas.selected_links() == [(product, total, 0)]
    driver.key("Delete")
    assert session.document.nodes[total].inputs[0] is None
    session.undo()
    driver.frames(2)
    app.canvas.highlight(total, [(product, total, 0)])
    driver.frames(2)
    colour = dpg.get_item_configuration(ids.link(product, total, 0))["color"]
    assert [round(c * 255) for c in colour[:3]] == list(canvas_draw.HIGHLIGHT_COLOUR[:3])
    app.canvas.highlight()
    driver.frames(2)
    colour = dpg.get_item_configuration(ids.link(product, total, 0))["color"]
    assert [round(c * 255) for c in colour[:3]] != list(canvas_draw.HIGHLIGHT_COLOUR[:3])


def test_a_call_rows_widest_numbers_fit_between_its_name_and_its_output_pin(app_on):
    """At 100% a call's output row holds its name, a value and "grad" with a gradient; the widest
    numbers the canvas writes (four significant digits) end clear of the next text and the pin."""
    from mlgarden.document.graph import make_reference
    from mlgarden.gui import geometry

    session = Session()
    assert session.open_example("final-boss")
    app, driver = app_on(session)
    zoom(app, driver, 1.0)
    call = next(node_id for node_id, node in session.document.nodes.items() if node.op == "call")
    output = make_reference(call, 0)
    value_x = app.canvas.screen_rect(ids.value_text(output))[0]
    gradient_x = app.canvas.screen_rect(ids.gradient_text(output))[0]
    node_x, _, node_width, _ = app.canvas.screen_rect(ids.node(call))
    widest = [theme.number(value) for value in (-0.0002897, -1.234e-05, -1.234e+05, -123.4)]
    assert value_x + max(dpg.get_text_size(text)[0] for text in widest) < gradient_x
    gradient_end = gradient_x + max(dpg.get_text_size(f"grad {text}")[0] for text in widest)
    assert gradient_end <= node_x + node_width - geometry.PIN_RADIUS


def test_a_compact_box_writes_a_long_value_with_fewer_digits_so_it_stays_inside(app_on):
    """At 35% a box is 52 pixels wide: "0.0009001" ran past its edge."""
    session, app, driver, weight = app_with_weight(app_on, 0.000900123)
    zoom(app, driver, 0.35)
    drawing = app.canvas.drawings[weight]
    drawn = dpg.get_item_configuration(drawing.compact_items[ids.value_text(weight)])["text"]
    room = geometry_width(session, weight) * 0.35 - 2 * canvas_draw.COMPACT_INSET_PIXELS
    assert canvas_text(ids.value_text(weight)) == "0.0009001"  # what the full view writes
    assert canvas_draw.compact_width(drawn) <= room < canvas_draw.compact_width("0.0009001")
    assert abs(float(drawn) - 0.000900123) < 0.00005
    zoom(app, driver, 0.55)  # a wider box: more digits again
    drawn_wider = dpg.get_item_configuration(drawing.compact_items[ids.value_text(weight)])["text"]
    assert drawn_wider == "0.0009001"


def geometry_width(session, node_id):
    from mlgarden.gui import geometry

    return geometry.node_box(session.document, node_id).width
