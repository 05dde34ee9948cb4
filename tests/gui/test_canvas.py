"""The canvas driven with the real mouse and keyboard: nudge, move, link, unlink, delete, menus.

Each test opens the app on a small graph, acts through xdotool, steps the app's own frames, and
checks the document (the truth) and the canvas texts (what the user reads). Screenshots of a
few states are written to the test's tmp_path for a person to look at.
"""

import time

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, canvas_text, on_canvas, small_graph  # noqa: F401  (app_on is a fixture)
from mlgarden.gui import ids, theme
from mlgarden.session import Session

pytestmark = pytest.mark.gui


def text(tag):
    return canvas_text(tag)


def number_on_canvas(tag):
    return float(text(tag).split()[-1])


def test_dragging_a_param_nudges_every_value_and_gradient(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    weight = next(n.id for n in session.document.params() if n.label == "w")
    out = session.document.result
    before_value = number_on_canvas(ids.value_text(out))
    before_grad = number_on_canvas(ids.gradient_text(weight))
    x, y, width, height = driver.item_rect(ids.value_field(weight))
    driver.drag((x + width / 2, y + height / 2), (x + width / 2 + 60, y + height / 2), steps=6)
    new_weight = session.document.nodes[weight].value
    assert new_weight == pytest.approx(0.5 + 0.6, abs=0.05)  # 0.01 per pixel
    evaluation = session.evaluation()
    assert number_on_canvas(ids.value_text(out)) == pytest.approx(evaluation.values[out], rel=1e-3)
    assert number_on_canvas(ids.value_text(out)) != pytest.approx(before_value)
    assert number_on_canvas(ids.gradient_text(weight)) == pytest.approx(evaluation.grads[weight], rel=1e-3)
    assert number_on_canvas(ids.gradient_text(weight)) != pytest.approx(before_grad)
    driver.screenshot(tmp_path / "nudged.png")
    session.undo()  # the whole drag is one step
    driver.frames(2)
    assert session.document.nodes[weight].value == 0.5
    assert number_on_canvas(ids.value_text(out)) == pytest.approx(before_value, rel=1e-3)
    driver.screenshot(tmp_path / "undone.png")


def node_named(session, label):
    return next(n.id for n in session.document.nodes.values() if (n.label or n.op) == label)


def test_dragging_a_node_by_its_title_moves_it_in_the_document(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    out = node_named(session, "out")
    start = driver.node_title_point(ids.node(out))
    driver.drag(start, (start[0] + 40, start[1] + 100), steps=5)
    assert session.document.nodes[out].pos == pytest.approx((560 + 40, 60 + 100), abs=1.0)
    assert session.dirty and session.title.endswith(" *")
    session.undo()
    driver.frames(2)
    assert session.document.nodes[out].pos == (560.0, 60.0)
    assert app.canvas.document_position_shown(out) == pytest.approx((560, 60), abs=1.0)


def test_dragging_from_an_output_pin_to_an_input_pin_links_them(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    bias, total = node_named(session, "b"), node_named(session, "z")
    session.edit("disconnect", total, 1)
    driver.frames(2)
    assert session.document.nodes[total].inputs[1] is None
    assert text(ids.value_text(total)) == "—"  # an input is missing
    driver.drag(driver.pin_point(ids.output_pin(bias)), driver.pin_point(ids.input_pin(total, 1)))
    assert session.document.nodes[total].inputs[1] == bias
    assert dpg.does_item_exist(ids.link(bias, total, 1))
    assert text(ids.value_text(total)) != "—"


def link_midpoint(driver, source, target, pin):
    x1, y1 = driver.pin_point(ids.output_pin(source))
    x2, y2 = driver.pin_point(ids.input_pin(target, pin))
    return (x1 + x2) / 2, (y1 + y2) / 2


def test_ctrl_click_on_a_link_disconnects_it(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    product, total = node_named(session, "wx"), node_named(session, "z")
    point = link_midpoint(driver, product, total, 0)
    driver.move(*point)
    driver.key_down("ctrl")
    driver.press()
    driver.release()
    driver.key_up("ctrl")
    driver.frames(2)
    assert session.document.nodes[total].inputs[0] is None
    assert not dpg.does_item_exist(ids.link(product, total, 0))


def test_delete_key_deletes_the_clicked_node(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    bias = node_named(session, "b")
    driver.click(*driver.node_title_point(ids.node(bias)))
    driver.key("Delete")
    assert bias not in session.document.nodes
    assert not dpg.does_item_exist(ids.node(bias))
    assert session.document.nodes[node_named(session, "z")].inputs[1] is None


def test_a_link_that_would_make_a_cycle_is_refused_with_the_reason(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    out, product = node_named(session, "out"), node_named(session, "wx")
    before = session.document.copy()
    driver.drag(driver.pin_point(ids.output_pin(out)), driver.pin_point(ids.input_pin(product, 0)))
    assert "cycle" in session.status
    assert session.document == before
    assert "cycle" in text(ids.STATUS_TEXT)
    assert not session.history.can_undo()
    driver.screenshot(tmp_path / "cycle.png")


def test_right_click_on_the_canvas_adds_a_node_at_the_mouse(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    driver.click(300, 460, button=3)
    assert dpg.is_item_shown(ids.CANVAS_MENU)
    driver.screenshot(tmp_path / "canvas_menu.png")
    driver.click(*driver.item_center(ids.canvas_menu_op("relu")))
    added = [n for n in session.document.nodes.values() if n.op == "relu"]
    assert len(added) == 1
    driver.frames(2)
    x, y, _, _ = driver.item_rect(ids.node(added[0].id))
    assert (x, y) == pytest.approx((300, 460), abs=2)
    assert not dpg.is_item_shown(ids.CANVAS_MENU)


def open_node_menu(driver, node_id):
    driver.click(*driver.node_title_point(ids.node(node_id)), button=3)
    assert dpg.is_item_shown(ids.NODE_MENU)


def test_rename_from_the_node_menu(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    bias = node_named(session, "b")
    open_node_menu(driver, bias)
    driver.click(*driver.item_center(ids.node_menu_item("rename")))
    assert dpg.is_item_shown(ids.RENAME)
    driver.key("ctrl+a")
    driver.type_text("bias")
    driver.key("Return")
    assert session.document.nodes[bias].label == "bias"
    assert dpg.get_item_label(ids.node(bias)).startswith("bias")
    assert not dpg.is_item_shown(ids.RENAME)


def test_a_long_name_is_cut_with_an_ellipsis_to_its_node_at_every_zoom(app_on, tmp_path):
    """A long label ran out of the title bar over the canvas and the nodes beside it. The title is
    cut to the node with an ellipsis, the result's mark kept; the node's label stays whole."""
    document = small_graph()
    long_name = "the output of the whole network, squashed by tanh"
    document.nodes[document.result].label = long_name
    session = Session(document)
    app, driver = app_on(session)
    drawing = app.canvas.drawings[document.result]
    assert dpg.get_item_label(ids.node(document.result)).startswith(long_name)  # whole
    drawn = dpg.get_item_configuration(drawing.detail_texts["title"])["text"]
    assert drawn.startswith("the out") and drawn.endswith("…   " + theme.role_mark("result"))
    assert dpg.get_text_size(drawn)[0] <= drawing.box.width - 12
    driver.screenshot(tmp_path / "long-title.png")
    app.canvas.zoom_to(0.5)  # compact boxes: the title in smaller letters, no role mark
    driver.frames(3)
    drawn = dpg.get_item_configuration(drawing.compact_items["title"])["text"]
    assert drawn.startswith("the") and drawn.endswith("…")
    assert dpg.get_text_size(drawn)[0] * 11 / theme.FONT_SIZE <= drawing.box.width * 0.5 - 6
    driver.screenshot(tmp_path / "long-title-50.png")


def test_set_result_from_the_node_menu_marks_the_node(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    total = node_named(session, "z")
    open_node_menu(driver, total)
    driver.click(*driver.item_center(ids.node_menu_item("result")))
    assert session.document.result == total
    assert "result" in dpg.get_item_label(ids.node(total))
    assert "result" not in dpg.get_item_label(ids.node(node_named(session, "out")))


def test_ctrl_z_and_ctrl_y_undo_and_redo(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    bias = node_named(session, "b")
    driver.click(*driver.node_title_point(ids.node(bias)))
    driver.key("Delete")
    assert bias not in session.document.nodes
    driver.key("ctrl+z")
    assert bias in session.document.nodes
    assert dpg.does_item_exist(ids.node(bias))
    assert dpg.does_item_exist(ids.link(bias, node_named(session, "z"), 1))
    driver.key("ctrl+y")
    assert bias not in session.document.nodes
    driver.key("ctrl+z")
    driver.key("ctrl+shift+z")
    assert bias not in session.document.nodes


def test_the_title_shows_a_star_after_an_edit(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    assert not dpg.get_viewport_title().endswith("*")
    driver.drag(*[driver.node_title_point(ids.node(node_named(session, "out")))] * 2)
    bias = node_named(session, "b")
    x, y, width, height = driver.item_rect(ids.value_field(bias))
    driver.drag((x + width / 2, y + height / 2), (x + width / 2 + 20, y + height / 2))
    assert dpg.get_viewport_title() == "mlgarden — untitled *"


def window_rect(tag):
    (x, y), (width, height) = dpg.get_item_pos(tag), dpg.get_item_rect_size(tag)
    return x, y, width, height


def overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_canvas_and_panels_tile_the_viewport_at_any_size(app_on, tmp_path):
    from mlgarden.gui.dataset_window import RESIZE_SETTLE_SECONDS, DatasetWindow, picture_size
    from mlgarden.gui.dataset_window import Tags as DatasetTags
    from mlgarden.gui.help_panel import HelpPanel
    from mlgarden.gui.training_panel import TrainingPanel

    session = Session(small_graph())
    app, driver = app_on(session, [TrainingPanel(session), DatasetWindow(session)], HelpPanel(session))
    for width, height in ((1280, 800), (1000, 640)):
        dpg.set_viewport_width(width)
        dpg.set_viewport_height(height)
        driver.frames(6)
        windows = [ids.CANVAS_WINDOW, ids.STATUS_WINDOW] + app.panel_windows
        rects = [window_rect(tag) for tag in windows]
        for i, first in enumerate(rects):
            assert first[0] >= 0 and first[1] >= 0
            assert first[0] + first[2] <= width + 1 and first[1] + first[3] <= height + 1, windows[i]
            for second in rects[i + 1:]:
                assert not overlap(first, second), (first, second)
        canvas = rects[0]
        assert canvas[2] == pytest.approx(0.6 * width, abs=2)
        dataset = app.panels[1]  # its picture of the data points follows the plot's new size,
        time.sleep(RESIZE_SETTLE_SECONDS)  # once the size has held
        driver.frames(2)
        texture = dpg.get_item_configuration(DatasetTags.markers)["texture_tag"]
        shown = picture_size(dpg.get_item_width(DatasetTags.plot))
        assert (dpg.get_item_width(texture), dpg.get_item_height(texture)) == (shown.width, shown.height)
        assert dataset.points_layer.shape[:2] == (shown.height, shown.width)
        driver.screenshot(tmp_path / f"layout-{width}x{height}.png")


def test_the_palette_adds_the_op_typed_with_enter(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    driver.move(400, 500)
    driver.key("ctrl+space")
    assert dpg.is_item_shown(ids.PALETTE)
    driver.type_text("sigm")
    assert dpg.is_item_shown(ids.palette_entry("sigmoid"))
    assert not dpg.is_item_shown(ids.palette_entry("tanh"))
    driver.key("Return")
    assert not dpg.is_item_shown(ids.PALETTE)
    assert [n.op for n in session.document.nodes.values()].count("sigmoid") == 1


@pytest.mark.parametrize("typed, op", [("ta", "tanh"), ("re", "relu"), ("co", "const"), ("ex", "exp")])
def test_the_palette_lists_the_ops_named_by_what_is_typed_first(app_on, tmp_path, typed, op):
    """"ta" is also in the formulas of x, y and label ("the data point"): the op whose name starts
    with what is typed is drawn at the top of the list, and Enter adds it."""
    session = Session(small_graph())
    app, driver = app_on(session)
    before = [n.op for n in session.document.nodes.values()].count(op)
    driver.move(400, 500)
    driver.key("ctrl+space")
    driver.type_text(typed)
    shown = [entry for entry in dpg.get_item_children(ids.PALETTE_LIST, 1) if dpg.is_item_shown(entry)]
    assert len(shown) > 1
    tops = {dpg.get_item_alias(entry): driver.item_rect(entry)[1] for entry in shown}
    assert min(tops, key=tops.get) == ids.palette_entry(op)
    driver.screenshot(tmp_path / f"palette-{typed}.png")
    driver.key("Return")
    assert not dpg.is_item_shown(ids.PALETTE)
    assert [n.op for n in session.document.nodes.values()].count(op) == before + 1


def test_hovering_a_node_shows_its_formula_and_derivative(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    out = node_named(session, "out")
    x, y, _, height = driver.item_rect(ids.value_text(out))
    driver.move(x + 5, y + height / 2)
    driver.frames(3)
    assert dpg.is_item_shown(ids.CANVAS_TOOLTIP)
    tip = dpg.get_value(ids.CANVAS_TOOLTIP_TEXT)
    assert "tanh" in tip and "1 - out²" in tip
    driver.screenshot(tmp_path / "tooltip.png")


def test_the_link_menu_disconnects_the_link_under_the_mouse(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    product, total = node_named(session, "wx"), node_named(session, "z")
    driver.click(*link_midpoint(driver, product, total, 0), button=3)
    assert dpg.is_item_shown(ids.LINK_MENU)
    driver.click(*driver.item_center(ids.LINK_MENU_DISCONNECT))
    assert session.document.nodes[total].inputs[0] is None
    assert not dpg.does_item_exist(ids.link(product, total, 0))


def test_a_sum_gains_a_free_pin_as_its_last_one_is_filled(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    total = session.edit("add_node", "sum", pos=(250.0, 420.0))
    bias = node_named(session, "b")
    driver.frames(2)
    assert on_canvas(ids.input_pin(total, 0))
    assert not on_canvas(ids.input_pin(total, 1))
    driver.drag(driver.pin_point(ids.output_pin(bias)), driver.pin_point(ids.input_pin(total, 0)))
    assert session.document.nodes[total].inputs == [bias]
    assert on_canvas(ids.input_pin(total, 1))
    assert text(ids.value_text(total)) == "0.1"


def test_copy_and_paste_with_keys_put_a_copy_at_the_mouse(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    bias = node_named(session, "b")
    driver.click(*driver.node_title_point(ids.node(bias)))
    driver.key("ctrl+c")
    driver.move(120, 560)
    driver.key("ctrl+v")
    pasted = [n for n in session.document.nodes.values() if n.op == "param" and n.id != bias
              and n.label == "b"]
    assert len(pasted) == 1
    driver.frames(2)
    x, y, _, _ = driver.item_rect(ids.node(pasted[0].id))
    assert (x, y) == pytest.approx((120, 560), abs=2)
    driver.key("ctrl+z")
    assert pasted[0].id not in session.document.nodes


def test_training_moves_the_numbers_and_the_param_fields(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    weight = node_named(session, "w")
    before = session.document.nodes[weight].value
    session.play()
    driver.frames_until_trained(lambda: session.document.nodes[weight].value != before, "a step")
    driver.frames(8)
    session.pause()
    driver.frames(2)
    value = session.document.nodes[weight].value
    assert value != before
    assert text(ids.value_text(weight)) == theme.number(value)
    out = node_named(session, "out")
    assert number_on_canvas(ids.value_text(out)) == pytest.approx(session.evaluation().values[out], rel=1e-3)


def test_delete_while_typing_in_a_field_edits_the_field_not_the_graph(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    const = session.edit("add_node", "const", pos=(220.0, 420.0), value=2.5)
    driver.frames(2)
    driver.click(*driver.item_center(ids.value_field(const)))
    driver.key("End")
    driver.key("BackSpace")
    driver.key("Delete")
    assert const in session.document.nodes
    driver.type_text("75")
    driver.key("Return")
    assert session.document.nodes[const].value == pytest.approx(2.75)
    assert const in session.document.nodes


def test_a_second_link_into_a_pin_replaces_the_first(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    x, bias, total = node_named(session, "x"), node_named(session, "b"), node_named(session, "z")
    driver.drag(driver.pin_point(ids.output_pin(x)), driver.pin_point(ids.input_pin(total, 1)))
    assert session.document.nodes[total].inputs[1] == x
    assert dpg.does_item_exist(ids.link(x, total, 1))
    assert not dpg.does_item_exist(ids.link(bias, total, 1))


def test_a_release_in_the_same_frame_as_an_undo_records_no_move(app_on):
    """Edit > Undo clicked with the mouse: the undo and the button's release share one frame."""
    session = Session(small_graph())
    app, driver = app_on(session)
    out = node_named(session, "out")
    start = driver.node_title_point(ids.node(out))
    driver.drag(start, (start[0] + 40, start[1] + 40))
    session.undo()
    app.canvas.end_gesture()  # before the canvas has shown the undo
    driver.frames(2)
    assert session.document.nodes[out].pos == (560.0, 60.0)
    assert session.history.can_redo()
    assert app.canvas.document_position_shown(out) == pytest.approx((560, 60), abs=1)


def test_a_position_with_a_fraction_is_not_taken_for_a_move(app_on):
    document = small_graph()
    out = next(n.id for n in document.nodes.values() if n.label == "out")
    document.nodes[out].pos = (560.7, 60.6)
    session = Session(document)
    app, driver = app_on(session)
    driver.click(700, 600)  # a click on empty canvas: a left release
    assert session.document.nodes[out].pos == (560.7, 60.6)
    assert not session.dirty
