"""Editing many nodes at once with the real mouse and keyboard: box and ctrl+click selection, copy,
cut, paste, duplicate, Insert layer (its buttons, Enter and Esc), Arrange, and undoing every kind of
edit.

The small graph of app_fixture is drawn with its top-left node 20 pixels in from the canvas's
corner (the fitted view), so its nodes sit at fixed viewport points; helpers find them by label.
"""

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, small_graph  # noqa: F401  (app_on is a fixture)
from driver import xdotool
from mlgarden.gui import ids, theme
from mlgarden.gui.app import MENU_HEIGHT
from mlgarden.document.layout import CALL_NODE_WIDTH, arranged_positions
from mlgarden.session import Session
from test_dataset_window import choose_in_combo

pytestmark = pytest.mark.gui

EMPTY = (300, 520)  # a point of the canvas with nothing under it
ACTIVATIONS = ["tanh", "relu", "sigmoid", "none"]  # the activation combo's rows, top to bottom


def node_named(session, label):
    return next(n.id for n in session.document.nodes.values() if (n.label or n.op) == label)


def box_select(driver, start, end):
    """A left-drag on the empty canvas: imnodes selects every node the box touches."""
    driver.drag(start, end, steps=6)


def select_w_and_x(app, driver):
    box_select(driver, (200, 250), (18, 42))
    session = app.session
    assert sorted(app.canvas.selected_nodes()) == sorted([node_named(session, "w"), node_named(session, "x")])


def overlapping(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def ctrl_click(driver, point):
    driver.key_down("ctrl")
    driver.click(*point)
    driver.key_up("ctrl")


def type_over(driver, field, text):
    """Click a number field near its left end (its rect also holds the label and the +/- buttons),
    select what it holds and type `text`, without Enter."""
    x, y, width, height = driver.item_rect(field)
    driver.click(x + min(20, width / 4), y + height / 2)
    driver.key("ctrl+a")
    driver.type_text(text)


def layer_corner(document, node_ids):
    """The top-left corner of the nodes, in document coordinates."""
    return (min(document.nodes[n].pos[0] for n in node_ids),
            min(document.nodes[n].pos[1] for n in node_ids))


def assert_corner_in_view(app, driver, node_ids):
    x, y, width, height = app.canvas.canvas_rect
    left = min(driver.item_rect(ids.node(n))[0] for n in node_ids)
    top = min(driver.item_rect(ids.node(n))[1] for n in node_ids)
    assert x <= left < x + width and y <= top < y + height


def click_menu_item(driver, menu, item):
    """Open a menu of the menu bar and click one of its items (items report where they are
    inside the menu's popup, which opens under the bar at the menu's left edge)."""
    x, _ = dpg.get_item_pos(menu)
    driver.click(x + 12, MENU_HEIGHT / 2)
    driver.frames(2)
    item_x, item_y = dpg.get_item_pos(item)
    driver.click(x + item_x + 20, MENU_HEIGHT + item_y + theme.FONT_SIZE // 2)  # the text's middle


def test_a_box_drag_selects_and_ctrl_click_adds_to_the_selection(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    select_w_and_x(app, driver)
    driver.screenshot(tmp_path / "box-selected.png")
    driver.click(*EMPTY)
    assert app.canvas.selected_nodes() == []
    wx, total = node_named(session, "wx"), node_named(session, "z")
    driver.click(*driver.node_title_point(ids.node(wx)))
    ctrl_click(driver, driver.node_title_point(ids.node(total)))
    assert sorted(app.canvas.selected_nodes()) == sorted([wx, total])
    assert not session.history.can_undo()  # selecting is not an edit


def test_copy_and_paste_a_selection_at_the_mouse(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    wx, total = node_named(session, "wx"), node_named(session, "z")
    driver.click(*driver.node_title_point(ids.node(wx)))
    ctrl_click(driver, driver.node_title_point(ids.node(total)))
    driver.key("ctrl+c")
    assert "copied 2" in session.status
    driver.move(*EMPTY)
    driver.key("ctrl+v")
    driver.frames(2)
    new = [n for n in session.document.nodes if n not in small_graph().nodes]
    assert len(new) == 2
    copies = {session.document.nodes[n].label: n for n in new}
    assert session.document.nodes[copies["z"]].inputs[0] == copies["wx"]  # the inner link came too
    x, y, _, _ = driver.item_rect(ids.node(copies["wx"]))  # the copy's top-left node
    assert (x, y) == pytest.approx(EMPTY, abs=2)
    assert dpg.does_item_exist(ids.link(copies["wx"], copies["z"], 0))
    driver.key("ctrl+z")
    assert session.document == small_graph()


def test_cut_removes_the_selection_and_paste_brings_it_back(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    select_w_and_x(app, driver)
    driver.key("ctrl+x")
    assert "w" not in {n.label for n in session.document.nodes.values()}
    assert not dpg.does_item_exist(ids.node(node_named(Session(small_graph()), "w")))
    product = session.document.nodes[node_named(session, "wx")]
    assert product.inputs == [None, None]
    driver.move(*EMPTY)
    driver.key("ctrl+v")
    labels = sorted(n.label or n.op for n in session.document.nodes.values())
    assert labels == sorted(n.label or n.op for n in small_graph().nodes.values())
    driver.key("ctrl+z")
    driver.key("ctrl+z")
    assert session.document == small_graph()


def test_ctrl_d_duplicates_the_selection_beside_it(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    select_w_and_x(app, driver)
    driver.key("ctrl+d")
    duplicates = [n for n in session.document.nodes.values() if n.id not in small_graph().nodes]
    assert sorted(n.label or n.op for n in duplicates) == ["w", "x"]
    weight = next(n for n in duplicates if n.label == "w")
    assert weight.pos == (20.0 + 40.0, 20.0 + 40.0)
    driver.frames(2)
    assert dpg.does_item_exist(ids.node(weight.id))


def test_pasted_and_duplicated_nodes_become_the_selection_even_in_another_graph(app_on, tmp_path):
    """After ctrl+D or ctrl+V the copies are selected, as in a drawing program: Delete then
    deletes them, and a drag moves them. The originals stayed selected, so Delete took the nodes
    copied from, and a paste into another graph selected nothing at all."""
    session = Session(small_graph())
    app, driver = app_on(session)
    select_w_and_x(app, driver)
    originals = sorted(app.canvas.selected_nodes())
    driver.key("ctrl+d")
    duplicates = sorted(n for n in session.document.nodes if n not in small_graph().nodes)
    assert len(duplicates) == 2 and sorted(app.canvas.selected_nodes()) == duplicates
    driver.key("Delete")
    assert all(n in session.document.nodes for n in originals)
    assert not any(n in session.document.nodes for n in duplicates)

    select_w_and_x(app, driver)
    driver.key("ctrl+c")
    other = Session(small_graph())
    other.save(tmp_path / "other graph.yaml")
    assert app.open_path(tmp_path / "other graph.yaml")  # another file: the clipboard stays
    driver.frames(3)
    driver.move(*EMPTY)
    driver.key("ctrl+v")
    pasted = sorted(n for n in session.document.nodes if n not in small_graph().nodes)
    assert len(pasted) == 2 and sorted(app.canvas.selected_nodes()) == pasted
    before = {n: session.document.nodes[n].pos for n in session.document.nodes}
    start = driver.node_title_point(ids.node(pasted[0]))
    driver.drag(start, (start[0] + 40, start[1] + 30))
    moved = {n for n in session.document.nodes if session.document.nodes[n].pos != before[n]}
    assert moved == set(pasted)


def test_insert_layer_reads_the_selected_nodes_in_one_undo_step(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    weight, x = node_named(session, "w"), node_named(session, "x")
    select_w_and_x(app, driver)
    driver.move(*EMPTY)
    at_mouse = app.canvas.grid_position(*EMPTY)
    driver.key("ctrl+l")
    assert dpg.is_item_shown(ids.INSERT_LAYER)
    assert dpg.get_value(ids.INSERT_LAYER_TEXT) == "Each perceptron reads the 2 selected nodes: w, x1."
    choose_in_combo(driver, ids.INSERT_LAYER_ACTIVATION, "relu", ACTIVATIONS)
    type_over(driver, ids.INSERT_LAYER_WIDTH, "3")  # typed, not yet committed with Enter
    driver.screenshot(tmp_path / "insert-layer.png")
    driver.click(*driver.item_center(ids.INSERT_LAYER_OK))
    assert not dpg.is_item_shown(ids.INSERT_LAYER)
    assert session.history.undo_label() == "inserting a layer"
    document = session.document
    calls = [n for n in document.nodes.values() if n.op == "call"]
    assert len(calls) == 3 and {n.function for n in calls} == {"perceptron2_relu"}
    assert all(n.inputs == [weight, x] for n in calls)  # each of the three perceptrons reads both
    assert len({n.values["w1"] for n in calls}) == 3  # each with weights of its own
    driver.frames(2)
    assert all(dpg.does_item_exist(ids.node(n.id)) for n in calls)
    added = [n.id for n in document.nodes.values() if n.id not in small_graph().nodes]
    assert len({document.nodes[n].pos[0] for n in added}) == 1  # one column
    # at the mouse, or as near as the canvas finds room for the column of (wide) call nodes
    assert layer_corner(document, added) == pytest.approx(at_mouse, abs=CALL_NODE_WIDTH)
    assert_corner_in_view(app, driver, added)  # the canvas panned to it
    driver.key("ctrl+z")
    assert session.document == small_graph()


def test_enter_in_the_insert_layer_dialog_inserts_with_the_width_typed_and_the_activation_chosen(
        app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    select_w_and_x(app, driver)
    driver.move(*EMPTY)
    driver.key("ctrl+l")
    choose_in_combo(driver, ids.INSERT_LAYER_ACTIVATION, "sigmoid", ACTIVATIONS)
    type_over(driver, ids.INSERT_LAYER_WIDTH, "7")
    driver.key("Return")
    assert not dpg.is_item_shown(ids.INSERT_LAYER)
    calls = [n for n in session.document.nodes.values() if n.op == "call"]
    assert len(calls) == 7 and {n.function for n in calls} == {"perceptron2_sigmoid"}
    assert len(session.history._undo) == 1 and session.history.undo_label() == "inserting a layer"
    driver.frames(2)
    driver.screenshot(tmp_path / "inserted-with-enter.png")
    driver.key("ctrl+z")
    assert session.document == small_graph()


def test_the_insert_layer_dialog_opens_with_its_width_field_ready_to_type_over(app_on, tmp_path):
    """ctrl+L, 2, Enter: the field has the keyboard, its number selected, so 2 replaces it."""
    session = Session(small_graph())
    app, driver = app_on(session)
    select_w_and_x(app, driver)
    driver.move(*EMPTY)
    driver.key("ctrl+l")
    driver.screenshot(tmp_path / "insert-layer-open.png")
    assert dpg.get_focused_item() == ids.INSERT_LAYER_WIDTH
    driver.type_text("2")
    driver.key("Return")
    calls = [n for n in session.document.nodes.values() if n.op == "call"]
    assert len(calls) == 2 and {n.function for n in calls} == {"perceptron2_tanh"}


def test_a_width_typed_and_entered_before_the_app_draws_a_frame_is_the_width_used(app_on):
    """The keys of '12' and Enter all arrive before the next frame (a quick hand, a slow frame):
    ImGui takes them one a frame, in order, so the field holds 12 when Enter inserts."""
    session = Session(small_graph())
    app, driver = app_on(session)
    select_w_and_x(app, driver)
    driver.move(*EMPTY)
    driver.key("ctrl+l")
    xdotool("type", "--delay", "0", "--", "12")
    xdotool("key", "Return")
    driver.frames(8)
    assert not dpg.is_item_shown(ids.INSERT_LAYER)
    assert len([n for n in session.document.nodes.values() if n.op == "call"]) == 12


def test_esc_closes_the_insert_layer_dialog_with_no_change_and_not_the_canvas_esc(app_on, tmp_path):
    """Esc in the dialog is the dialog's only: the canvas's Esc (show the result on the plane
    again, instead of the selected node) does not act behind it, nor the other canvas keys."""
    session = Session(small_graph())
    app, driver = app_on(session)
    weight = node_named(session, "w")
    driver.click(*driver.node_title_point(ids.node(weight)))
    driver.frames(2)
    assert session.plane_node() == weight  # one node selected: the plane shades it
    driver.move(*EMPTY)
    driver.key("ctrl+l")
    assert dpg.is_item_shown(ids.INSERT_LAYER)
    driver.type_text("9")
    driver.key("Delete")  # the field's own key: no node is deleted
    driver.key("Escape")
    assert not dpg.is_item_shown(ids.INSERT_LAYER)
    assert session.document == small_graph()
    assert not session.history.can_undo()
    assert session.plane_node() == weight
    assert app.canvas.selected_nodes() == [weight]
    driver.screenshot(tmp_path / "after-esc.png")
    driver.key("Escape")  # with the dialog closed, Esc is the canvas's again
    assert session.plane_node() is None


def test_insert_layer_from_the_edit_menu_goes_right_of_the_selection_clear_of_other_nodes(app_on, tmp_path):
    session = Session(small_graph())
    app, driver = app_on(session)
    select_w_and_x(app, driver)
    click_menu_item(driver, ids.EDIT_MENU, ids.INSERT_LAYER_ITEM)
    assert dpg.is_item_shown(ids.INSERT_LAYER)
    x, y, width, height = driver.item_rect(ids.INSERT_LAYER_FLAT)
    driver.click(x + 8, y + height / 2)  # the box, left of its label: "as plain nodes"
    assert dpg.get_value(ids.INSERT_LAYER_FLAT) is True
    driver.click(*driver.item_center(ids.INSERT_LAYER_OK))
    driver.frames(2)
    old = set(small_graph().nodes)
    rects = {n: driver.item_rect(ids.node(n)) for n in session.document.nodes}
    added = [n for n in rects if n not in old]
    assert len(added) == 4 * 7  # per perceptron: two weights, two products, a bias, a sum, a tanh
    assert not session.document.functions
    weight = session.document.nodes[node_named(session, "w")]
    assert min(session.document.nodes[n].pos[0] for n in added) > weight.pos[0]
    for new in added:
        for existing in old:
            assert not overlapping(rects[new], rects[existing]), (new, existing)
    driver.screenshot(tmp_path / "layer-from-menu.png")


def test_insert_layer_with_nothing_selected_says_what_to_do(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    driver.click(*EMPTY)
    driver.key("ctrl+l")
    assert not dpg.is_item_shown(ids.INSERT_LAYER)
    assert "select the nodes the layer reads" in dpg.get_value(ids.STATUS_TEXT)
    assert session.document == small_graph()


def test_insert_layer_from_the_canvas_menu_puts_it_where_the_menu_opened(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    x = node_named(session, "x")
    driver.click(*driver.node_title_point(ids.node(x)))
    at_menu = app.canvas.grid_position(*EMPTY)
    driver.click(*EMPTY, button=3)
    assert dpg.is_item_shown(ids.CANVAS_MENU)
    driver.click(*driver.item_center(ids.CANVAS_MENU_INSERT_LAYER))
    assert dpg.get_value(ids.INSERT_LAYER_TEXT) == "Each perceptron reads the selected node: x1."
    driver.click(*driver.item_center(ids.INSERT_LAYER_OK))
    added = [n for n in session.document.nodes.values() if n.id not in small_graph().nodes]
    assert [n.function for n in added] == ["perceptron1_tanh"] * 4  # the defaults: width 4, tanh
    driver.frames(2)
    corner = layer_corner(session.document, [n.id for n in added])
    assert corner == pytest.approx(at_menu, abs=CALL_NODE_WIDTH)
    assert_corner_in_view(app, driver, [n.id for n in added])


def scrambled():
    document = small_graph()
    for index, node in enumerate(document.nodes.values()):
        node.pos = (40.0 + 60 * (index % 3), 300.0 - 30 * index)
    return document


def test_edit_arrange_lays_out_the_whole_graph_as_one_step(app_on):
    session = Session(scrambled())
    app, driver = app_on(session)
    expected = arranged_positions(session.document)
    click_menu_item(driver, ids.EDIT_MENU, ids.ARRANGE_ITEM)
    assert {n: node.pos for n, node in session.document.nodes.items()} == expected
    assert session.history.undo_label() == "arranging"
    driver.key("ctrl+z")
    assert session.document == scrambled()


def test_arrange_with_a_selection_moves_only_the_selected_nodes(app_on):
    session = Session(small_graph())
    app, driver = app_on(session)
    wx, total = node_named(session, "wx"), node_named(session, "z")
    driver.click(*driver.node_title_point(ids.node(wx)))
    ctrl_click(driver, driver.node_title_point(ids.node(total)))
    click_menu_item(driver, ids.EDIT_MENU, ids.ARRANGE_ITEM)
    moved = {n for n, node in session.document.nodes.items() if node.pos != small_graph().nodes[n].pos}
    assert moved and moved <= {wx, total}
    assert session.document.nodes[total].pos[0] > session.document.nodes[wx].pos[0]


def test_ctrl_z_undoes_every_kind_of_edit_made_with_the_mouse_and_keys(app_on, tmp_path):
    """Ten edits of ten kinds, each one undo step; ctrl+Z ten times gives the original back, and
    ctrl+Y ten times the edited graph again."""
    session = Session(small_graph())
    app, driver = app_on(session)
    original = session.document.copy()
    named = {label: node_named(session, label) for label in ("w", "x", "wx", "b", "z", "out", "label")}
    steps = []

    def done(kind):
        steps.append(kind)
        assert len(session.history._undo) == len(steps), f"{kind} was not one undo step"

    x, y, width, height = driver.item_rect(ids.value_field(named["w"]))
    driver.drag((x + width / 2, y + height / 2), (x + width / 2 + 20, y + height / 2))
    done("value drag")
    start = driver.node_title_point(ids.node(named["out"]))
    driver.drag(start, (start[0] + 40, start[1] + 100))
    done("move")
    driver.click(*driver.node_title_point(ids.node(named["b"])), button=3)
    driver.click(*driver.item_center(ids.node_menu_item("rename")))
    driver.key("ctrl+a")
    driver.type_text("bias")
    driver.key("Return")
    done("rename")
    driver.click(*EMPTY, button=3)
    driver.click(*driver.item_center(ids.canvas_menu_op("relu")))
    added = next(n.id for n in session.document.nodes.values() if n.op == "relu")
    done("add")
    driver.frames(2)
    driver.drag(driver.pin_point(ids.output_pin(named["z"])), driver.pin_point(ids.input_pin(added, 0)))
    assert session.document.nodes[added].inputs == [named["z"]]
    done("connect")
    (x1, y1), (x2, y2) = (driver.pin_point(ids.output_pin(named["wx"])),
                          driver.pin_point(ids.input_pin(named["z"], 0)))
    ctrl_click(driver, ((x1 + x2) / 2, (y1 + y2) / 2))
    assert session.document.nodes[named["z"]].inputs[0] is None
    done("disconnect")
    driver.click(*driver.node_title_point(ids.node(named["label"])))
    driver.key("Delete")
    assert named["label"] not in session.document.nodes
    done("delete")
    driver.click(*driver.node_title_point(ids.node(named["w"])))
    driver.key("ctrl+c")
    driver.move(700, 480)
    driver.key("ctrl+v")
    done("paste")
    driver.click(*driver.node_title_point(ids.node(named["x"])))
    driver.move(820, 100)
    driver.key("ctrl+l")
    driver.click(*driver.item_center(ids.INSERT_LAYER_OK))
    done("insert layer")
    driver.click(1100, 700)  # empty canvas: nothing selected, so Arrange takes the whole graph
    click_menu_item(driver, ids.EDIT_MENU, ids.ARRANGE_ITEM)
    done("arrange")
    edited = session.document.copy()
    driver.screenshot(tmp_path / "edited.png")

    for _ in steps:
        driver.key("ctrl+z")
    assert session.document == original
    assert dpg.get_value(ids.STATUS_TEXT) == "undid changing a value"  # the first step, undone last
    driver.frames(2)
    assert set(app.canvas.drawings) == set(original.nodes)
    shown = app.canvas.document_position_shown(named["out"])
    assert shown == pytest.approx(original.nodes[named["out"]].pos, abs=1)
    driver.key("ctrl+z")
    assert "nothing to undo" in session.status
    for _ in steps:
        driver.key("ctrl+y")
    assert session.document == edited
