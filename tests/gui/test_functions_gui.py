"""User functions in the real app, driven with real input under Xvfb: call nodes with their named
pins and per-output values, collapse (ctrl+G) and expand (ctrl+shift+G), Insert function with the
built-in templates, editing a definition in its own view, and sharing a param.
"""

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on, canvas_text  # noqa: F401  (app_on is a fixture)
from mlgarden.document import function_edits
from mlgarden.document.build import Builder
from mlgarden.document.graph import make_reference
from mlgarden.gui import ids, node_view, theme
from mlgarden.gui.app import MENU_HEIGHT
from mlgarden.gui.dataset_window import DatasetWindow
from mlgarden.gui.training_panel import TrainingPanel
from mlgarden.session import Session

pytestmark = pytest.mark.gui


def two_output_graph():
    """x, y -> an instance 'h' of a function with two outputs (sum, product) -> out = s + p."""
    builder = Builder(seed=3)
    x, y = builder.x(), builder.y()
    s = builder.op("add", x, y, label="s")
    p = builder.op("mul", x, y, label="p")
    out = builder.op("add", s, p, label="out")
    document = builder.finish(result=out, arrange=True)
    function_edits.collapse(document, [s.id, p.id], "pair", ["left", "right"], ["total", "product"])
    return document


def test_a_call_node_shows_its_pins_outputs_values_and_links_from_output_pins(app_on, tmp_path):
    session = Session(two_output_graph())
    app, driver = app_on(session)
    document = session.document
    call = document.instances("pair")[0]
    out = next(n.id for n in document.nodes.values() if n.label == "out")
    assert document.nodes[out].inputs == [call, f"{call}:1"]
    assert canvas_text(ids.call_function_text(call)).endswith("pair")
    evaluation = session.evaluation()
    for k in range(2):
        reference = make_reference(call, k)
        assert canvas_text(ids.value_text(reference)) == theme.number(
            evaluation.values[document.flat_id(reference)])
    # both links are drawn, each from its own output pin
    assert dpg.does_item_exist(ids.link(call, out, 0))
    assert dpg.does_item_exist(ids.link(f"{call}:1", out, 1))
    pixels = driver.screenshot(tmp_path / "call-node.png")
    title = driver.node_title_point(ids.node(call))
    assert tuple(pixels[int(title[1]), int(title[0])]) == theme.KIND_COLOURS["function calls"]
    # rewire with a real drag: output 1 (product) -> out's pin 0
    driver.drag(driver.pin_point(ids.output_pin(f"{call}:1")), driver.pin_point(ids.input_pin(out, 0)))
    driver.frames(2)
    assert document.nodes[out].inputs == [f"{call}:1", f"{call}:1"]
    assert dpg.does_item_exist(ids.link(f"{call}:1", out, 0))
    session.undo()
    driver.frames(2)
    assert document.nodes[out].inputs == [call, f"{call}:1"]


PERCEPTRON = ["param1", "mul1", "param2", "mul2", "param3", "sum1", "tanh1"]  # h1 of the example


def default_example():
    """The write-up's 2-1 network wired flat, node by node (the shipped perceptrons-2-1 is made of
    perceptron calls since layers became functions): the nodes a user collapses by hand."""
    builder = Builder(seed=4)
    x, y = builder.x(), builder.y()
    hidden = builder.layer([x, y], width=2, label="h", flat=True)
    result = builder.perceptron(hidden, label="result")
    document = builder.finish(result=result, loss=builder.loss("squared_error", result))
    document.set_dataset(name="donut", points=200, noise=0.1, seed=4, test_fraction=0.2)
    return Session(document)


def select_by_clicks(driver, node_ids):
    driver.click(*driver.node_title_point(ids.node(node_ids[0])))
    driver.key_down("ctrl")
    for node_id in node_ids[1:]:
        driver.click(*driver.node_title_point(ids.node(node_id)))
    driver.key_up("ctrl")


def numbers(session):
    evaluation = session.evaluation()
    document = session.document
    return (evaluation.values[document.flat_id(document.result)],
            evaluation.values[document.flat_id(document.loss)])


def collapse_h1_with_keys(app, driver, name="neuron"):
    select_by_clicks(driver, PERCEPTRON)
    assert sorted(app.canvas.selected_nodes()) == sorted(PERCEPTRON)
    driver.key("ctrl+g")
    driver.frames_until(lambda: dpg.is_item_shown(ids.COLLAPSE_DIALOG), "the collapse dialog")
    assert dpg.get_value(ids.collapse_pin_field("out", 0)) == "h1"
    x, y, width, height = driver.item_rect(ids.COLLAPSE_NAME)
    driver.click(x + 20, y + height / 2)
    driver.key("ctrl+a")
    driver.type_text(name)
    driver.key("Return")
    driver.frames(2)


def test_ctrl_g_collapses_a_perceptron_into_one_undo_step_with_the_same_numbers(app_on, tmp_path):
    session = default_example()
    app, driver = app_on(session)
    before = numbers(session)
    collapse_h1_with_keys(app, driver)
    document = session.document
    assert "neuron" in document.functions, session.status
    (instance,) = document.instances("neuron")
    assert not set(PERCEPTRON) & set(document.nodes)
    assert document.definition("neuron").input_names() == ["x1", "y1"]
    driver.frames(2)
    assert numbers(session) == before
    assert dpg.does_item_exist(ids.node(instance))
    driver.screenshot(tmp_path / "collapsed.png")
    driver.key("ctrl+z")
    driver.frames(2)
    assert "neuron" not in session.document.functions and set(PERCEPTRON) <= set(session.document.nodes)
    assert numbers(session) == before


def test_a_refused_collapse_says_why_in_the_status_line(app_on):
    session = default_example()
    app, driver = app_on(session)
    select_by_clicks(driver, ["param1", "mul1"])
    driver.key("ctrl+g")
    driver.frames_until(lambda: dpg.is_item_shown(ids.COLLAPSE_DIALOG), "the collapse dialog")
    x, y, width, height = driver.item_rect(ids.COLLAPSE_NAME)
    driver.click(x + 20, y + height / 2)
    driver.key("ctrl+a")
    driver.type_text("9lives")
    driver.click(*driver.item_center(ids.COLLAPSE_OK))
    driver.frames(2)
    assert "function's name" in dpg.get_value(ids.STATUS_TEXT)
    assert not session.document.functions and "mul1" in session.document.nodes


def test_ctrl_shift_g_expands_the_selected_call(app_on):
    session = default_example()
    app, driver = app_on(session)
    before = numbers(session)
    collapse_h1_with_keys(app, driver)
    (instance,) = session.document.instances("neuron")
    driver.frames(2)
    driver.click(*driver.node_title_point(ids.node(instance)))
    driver.key("ctrl+shift+g")
    driver.frames(2)
    document = session.document
    assert not document.instances("neuron")
    assert not any(node.op == "call" for node in document.nodes.values())
    assert numbers(session) == before


def right_click_menu_entry(driver, node_id, entry):
    driver.click(*driver.node_title_point(ids.node(node_id)), button=3)
    driver.frames_until(lambda: dpg.is_item_shown(ids.NODE_MENU), "the node menu")
    driver.frames(1)
    x, y, width, height = driver.item_rect(ids.node_menu_item(entry))
    driver.click(x + 20, y + height / 2)
    driver.frames(2)


def click_in_submenu(driver, menu, submenu, index):
    """Open `menu`, hover `submenu` and click its entry `index`: the submenu opens at the right end
    of the hovered row (the end of the row's contiguous hover colour), first entry level with it."""
    from test_files_power_gui import ROW_TEXT_MIDDLE, open_menu
    open_menu(driver, menu)
    menu_x, _ = dpg.get_item_pos(menu)
    sub_x, sub_y = dpg.get_item_pos(submenu)
    row_y = MENU_HEIGHT + sub_y + ROW_TEXT_MIDDLE
    start = int(menu_x + sub_x + 4)
    driver.move(start, row_y)
    driver.frames(3)
    row = driver.screenshot()[int(row_y) - 7].astype(int)  # above the text, inside the row
    right = start
    while right + 1 < len(row) and (row[right + 1] == row[start]).all():
        right += 1
    entries = dpg.get_item_children(submenu, 1)
    entry_y = row_y + dpg.get_item_pos(entries[index])[1] - dpg.get_item_pos(entries[0])[1]
    driver.move(right + 30, row_y)  # along the hovered row into the submenu: it stays open
    driver.click(right + 30, entry_y)


def insert_two_perceptrons(app, driver):
    click_in_submenu(driver, ids.EDIT_MENU, ids.INSERT_FUNCTION_MENU, 0)  # New perceptron…
    driver.frames_until(lambda: dpg.is_item_shown(ids.TEMPLATE_DIALOG), "the template dialog")
    from test_training_panel import type_into
    type_into(driver, ids.TEMPLATE_INPUTS, "3")
    driver.click(*driver.item_center(ids.TEMPLATE_OK))
    driver.frames(2)
    assert app.session.document.instances("perceptron"), app.session.status
    click_in_submenu(driver, ids.EDIT_MENU, ids.INSERT_FUNCTION_MENU, 0)  # perceptron, defined
    driver.frames(2)


def test_insert_function_defines_a_template_once_and_each_instance_has_its_own_params(app_on):
    session = default_example()
    app, driver = app_on(session)
    insert_two_perceptrons(app, driver)
    document = session.document
    first, second = document.instances("perceptron")
    assert document.definition("perceptron").input_names() == ["x1", "x2", "x3"]
    assert document.nodes[first].values.keys() == document.nodes[second].values.keys()
    assert document.nodes[first].values != document.nodes[second].values
    assert canvas_text(ids.call_function_text(second)).endswith("perceptron")
    session.undo()
    assert document.instances("perceptron") == [first]


def test_edit_definition_shows_the_body_and_its_edits_reach_every_instance(app_on, tmp_path):
    session = default_example()
    app, driver = app_on(session)
    insert_two_perceptrons(app, driver)
    document = session.document
    first, second = document.instances("perceptron")
    right_click_menu_entry(driver, second, "edit_definition")
    assert app.canvas.scope == "perceptron"
    assert dpg.is_item_shown(ids.FUNCTION_HEADING)
    assert "Editing function perceptron" in dpg.get_value(ids.FUNCTION_HEADING_TEXT)
    assert set(app.canvas.drawings) == set(document.definition("perceptron").nodes)
    # the bias: shared by all instances, from its menu
    right_click_menu_entry(driver, "b", "shared")
    assert document.definition("perceptron").nodes["b"].shared
    # nudge it with a real drag on its field: both instances move together
    before = session.evaluation().values["perceptron::b"]
    x, y, width, height = driver.item_rect(ids.value_field("b"))
    driver.drag((x + width / 2, y + height / 2), (x + width / 2 + 60, y + height / 2))
    driver.frames(2)
    after = session.evaluation().values["perceptron::b"]
    assert after != before and document.definition("perceptron").nodes["b"].value == after
    driver.screenshot(tmp_path / "body.png")
    # rename the first input pin through its input node's Rename…
    right_click_menu_entry(driver, "x1", "rename")
    driver.frames_until(lambda: dpg.is_item_shown(ids.RENAME), "the rename dialog")
    driver.key("ctrl+a")
    driver.type_text("first")
    driver.key("Return")
    driver.frames(2)
    assert document.definition("perceptron").input_names()[0] == "first"
    driver.click(*driver.item_center(ids.FUNCTION_BACK))
    driver.frames(3)
    assert app.canvas.scope is None and not dpg.is_item_shown(ids.FUNCTION_HEADING)
    assert canvas_text(node_view.label_tag(first, "in0")) == "first"  # the call's pin follows
    driver.screenshot(tmp_path / "back.png")
    session.undo()  # the rename, one step
    assert document.definition("perceptron").input_names()[0] == "x1"


def test_a_nudge_in_a_body_moves_the_param_of_the_instance_it_was_opened_from(app_on, tmp_path):
    """perceptrons-2-1: three calls of one perceptron, each with its own weights. Opened from the
    second call, the body shows that call's weights, and a drag on w1 moves that call's w1 only,
    live, in one undo step; the other calls and the definition keep theirs."""
    from mlgarden import shipped
    from mlgarden.files import fileformat

    session = Session(fileformat.load(shipped.example_file("perceptrons-2-1")))
    app, driver = app_on(session)
    document = session.document
    first, second, third = document.instances("perceptron2_tanh")
    others = {call: dict(document.nodes[call].values) for call in (first, third)}
    default = document.definition("perceptron2_tanh").nodes["w1"].value
    start = document.nodes[second].values["w1"]
    right_click_menu_entry(driver, second, "edit_definition")
    assert app.canvas.scope == "perceptron2_tanh" and session.scope_instance == second
    assert f"instance {second}" in dpg.get_value(ids.FUNCTION_HEADING_TEXT)
    assert canvas_text(ids.value_text("w1")) == theme.number(start)
    x, y, width, height = driver.item_rect(ids.value_field("w1"))
    driver.drag((x + width / 2, y + height / 2), (x + width / 2 + 50, y + height / 2), steps=5)
    driver.frames(2)
    nudged = document.nodes[second].values["w1"]
    assert nudged == pytest.approx(start + 0.5, abs=0.02)
    evaluation = session.evaluation()
    assert canvas_text(ids.value_text("w1")) == theme.number(nudged)
    product = next(n.id for n in document.definition("perceptron2_tanh").nodes.values()
                   if n.op == "mul" and "w1" in n.inputs)
    assert canvas_text(ids.value_text(product)) == theme.number(evaluation.values[f"{second}/{product}"])
    assert {call: document.nodes[call].values for call in (first, third)} == others
    assert document.definition("perceptron2_tanh").nodes["w1"].value == default
    driver.screenshot(tmp_path / "instance-body.png")
    session.undo()  # the whole drag, one step
    assert document.nodes[second].values["w1"] == start
    assert not session.history.can_undo()
    session.edit("remove_node", second)  # the call shown goes: the first one's numbers, named
    driver.frames(2)
    assert f"instance {first}" in dpg.get_value(ids.FUNCTION_HEADING_TEXT)
    assert canvas_text(ids.value_text("w1")) == theme.number(document.nodes[first].values["w1"])
    session.undo()
    driver.frames(2)
    assert f"instance {second}" in dpg.get_value(ids.FUNCTION_HEADING_TEXT)


def test_deleting_and_linking_inside_a_body_changes_every_instance_and_undoes(app_on):
    session = default_example()
    app, driver = app_on(session)
    insert_two_perceptrons(app, driver)
    document = session.document
    instances = document.instances("perceptron")
    original = document.copy()
    right_click_menu_entry(driver, instances[0], "edit_definition")
    assert app.canvas.scope == "perceptron"
    driver.click(*driver.node_title_point(ids.node("a")))  # the activation, then Delete
    driver.key("Delete")
    assert "a" not in document.definition("perceptron").nodes
    assert document.definition("perceptron").nodes["out"].inputs == [None]
    driver.frames(2)
    driver.drag(driver.pin_point(ids.output_pin("s")), driver.pin_point(ids.input_pin("out", 0)))
    assert document.definition("perceptron").nodes["out"].inputs == ["s"], session.status
    program = document.program()
    for instance in instances:  # every instance's output now reads its own sum
        assert document.flat_id(instance) == f"{instance}/out"
        assert program.aliases[f"{instance}/out"] == f"{instance}/s"  # the engine folds the copy
    driver.key("ctrl+z")
    driver.key("ctrl+z")
    assert document == original


def test_a_long_function_heading_wraps_inside_the_canvas_beside_the_panels(app_on, tmp_path):
    """Opened from a call of final-boss, the heading ran on under the Training panel."""
    session = Session()
    assert session.open_example("final-boss")
    app, driver = app_on(session, panels=[TrainingPanel(session), DatasetWindow(session)])
    call = next(node_id for node_id, node in session.document.nodes.items() if node.op == "call")
    app.canvas.open_function(session.document.nodes[call].function, call)
    driver.frames(4)
    driver.screenshot(tmp_path / "heading.png")
    assert dpg.get_value(ids.FUNCTION_HEADING_TEXT).startswith("Editing function perceptron")
    text_x, text_y, text_width, text_height = driver.item_rect(ids.FUNCTION_HEADING_TEXT)
    canvas_x, _, canvas_width, _ = driver.item_rect(ids.CANVAS_WINDOW)
    assert text_x + text_width <= canvas_x + canvas_width
    assert text_height > 20  # on two lines
    assert app.canvas.canvas_rect[1] >= text_y + text_height  # the drawing starts below it


def test_copy_paste_and_duplicate_in_a_body_edit_the_body_and_undo(app_on):
    session = default_example()
    app, driver = app_on(session)
    collapse_h1_with_keys(app, driver)
    (instance,) = session.document.instances("neuron")
    graph_nodes = set(session.document.nodes)
    driver.click(*driver.node_title_point(ids.node(instance)))
    driver.key("ctrl+c")  # the call itself, from the graph
    right_click_menu_entry(driver, instance, "edit_definition")
    body_before = set(session.document.definition("neuron").nodes)
    driver.move(300, 520)
    driver.key("ctrl+v")  # a call of neuron inside neuron: refused, and nothing lands in the graph
    assert set(session.document.nodes) == graph_nodes
    assert set(session.document.definition("neuron").nodes) == body_before
    assert "neuron" in session.status
    driver.click(*driver.node_title_point(ids.node("mul1")))
    driver.key("ctrl+c")
    assert session.status == "copied 1 node(s)"
    driver.move(300, 520)
    driver.key("ctrl+v")
    driver.key("ctrl+d")
    body = session.document.definition("neuron").nodes
    added = set(body) - body_before
    assert len(added) == 2 and {body[n].op for n in added} == {"mul"}
    assert set(session.document.nodes) == graph_nodes
    driver.frames(2)
    assert all(dpg.does_item_exist(ids.node(n)) for n in added)
    driver.key("ctrl+z")
    driver.key("ctrl+z")
    assert set(session.document.definition("neuron").nodes) == body_before


def test_arrange_in_a_body_lays_out_the_body_and_leaves_the_graph_alone(app_on):
    from test_editing_gui import click_menu_item
    session = default_example()
    app, driver = app_on(session)
    collapse_h1_with_keys(app, driver)
    (instance,) = session.document.instances("neuron")
    graph_places = {node.id: node.pos for node in session.document.nodes.values()}
    right_click_menu_entry(driver, instance, "edit_definition")
    body = session.document.definition("neuron").nodes
    body["mul1"].pos = (900.0, 700.0)  # out of order, as a hand might leave it
    driver.click(*driver.node_title_point(ids.node("sum1")))
    driver.key_down("ctrl")
    driver.click(*driver.node_title_point(ids.node("tanh1")))
    driver.key_up("ctrl")
    click_menu_item(driver, ids.EDIT_MENU, ids.ARRANGE_ITEM)  # the selection: used to raise
    assert session.status == "arranged 2 node(s)"
    driver.click(300, 520)  # nothing selected: the whole body
    click_menu_item(driver, ids.EDIT_MENU, ids.ARRANGE_ITEM)
    body = session.document.definition("neuron").nodes
    assert body["mul1"].pos != (900.0, 700.0)
    assert {node.id: node.pos for node in session.document.nodes.values()} == graph_places
    driver.key("ctrl+z")
    assert session.document.definition("neuron").nodes["mul1"].pos == (900.0, 700.0)
