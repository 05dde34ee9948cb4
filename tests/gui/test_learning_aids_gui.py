"""The learning aids driven with the real mouse and keyboard under Xvfb: a selected node shaded
over the plane, backprop step by step, and points of your own placed by clicking.

As in tests/gui/test_training_panel.py: the real app with both panels, its frame loop stepped.
"""

import dearpygui.dearpygui as dpg
import numpy as np
import pytest

from app_fixture import canvas_text, small_graph, track
from driver import Driver, xdotool
from mlgarden.document import function_edits
from mlgarden.gui import canvas_draw, ids, theme
from mlgarden.gui.app import MENU_HEIGHT, App
from mlgarden.gui.dataset_window import DatasetWindow
from mlgarden.gui.dataset_window import Tags as DatasetTags
from mlgarden.gui.file_browser import Tags as FileTags
from mlgarden.gui.help_panel import HelpPanel
from mlgarden.gui.training_panel import Tags as TrainingTags
from mlgarden.gui.training_panel import TrainingPanel, sentence_lines
from mlgarden.learning.datasets import available_datasets, read_csv_dataset
from mlgarden.learning.surface import symmetric_scale
from mlgarden.session import Session
from test_dataset_window import PlotPixels, choose_in_combo, shown_points

pytestmark = pytest.mark.gui


@pytest.fixture
def open_app(monkeypatch, tmp_path):
    """A factory: open_app(document) -> (app, driver), the whole app with both panels."""
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    opened, forgets = [], []

    def open_on(document):
        session = Session(document)
        app = App(session, [TrainingPanel(session), DatasetWindow(session)], HelpPanel(session))
        app.build()
        opened.append(app)
        forgets.append(track(app))
        driver = Driver(session.title, frame=app.run_frame, canvas=app.canvas)
        opened.append(driver)
        driver.frames(3)
        return app, driver

    yield open_on
    for forget in forgets:
        forget()
    if len(opened) == 2:
        try:
            opened[1].close()
        finally:
            opened[0].close()
    elif opened:
        opened[0].close()


def node_with_label(document, label):
    return next(node.id for node in document.nodes.values() if node.label == label)


def gradient_text(node_id):
    return canvas_text(ids.gradient_text(node_id))


def lit(app, node_id):
    """The canvas outlines this node as the step-through's current one."""
    drawing = app.canvas.drawings[node_id]
    return app.canvas.highlight_node == node_id and drawing.outline[0] == canvas_draw.HIGHLIGHT_COLOUR


def lit_links(app, keys):
    return all(key in app.canvas.highlight_links
               and app.canvas.links[key].style[0] == canvas_draw.HIGHLIGHT_COLOUR for key in keys)


# --- a node over the plane -------------------------------------------------------------------------


def test_deleting_the_result_says_there_is_nothing_to_shade(open_app, tmp_path):
    """It read 'shading the no result'."""
    app, driver = open_app(small_graph())
    session = app.session
    out = node_with_label(session.document, "out")
    driver.click(*driver.node_title_point(ids.node(out)))
    driver.key("Delete")
    driver.frames_until(lambda: out not in session.document.nodes, "the result deleted")
    driver.frames(2)
    assert dpg.get_value(DatasetTags.heading) == "nothing to shade: the graph has no result node"
    driver.screenshot(tmp_path / "no-result.png")


def test_selecting_a_node_shades_it_over_the_plane_until_escape(open_app, tmp_path):
    app, driver = open_app(small_graph())
    session = app.session
    driver.frames_until(lambda: not session.surface_stale, "the result's surface")
    result_texture = np.array(dpg.get_value(DatasetTags.texture))
    assert dpg.get_value(DatasetTags.heading) == "shading the result 'out'"

    z = node_with_label(session.document, "z")
    driver.click(*driver.node_title_point(ids.node(z)))
    driver.frames_until(lambda: not session.surface_stale, "the node's surface")
    assert session.plane_node() == z
    assert dpg.get_value(DatasetTags.heading) == "shading the node 'z' (add)"
    assert dpg.is_item_shown(DatasetTags.show_result)
    scale = symmetric_scale(session.surface(app.panels[1].resolution))
    assert dpg.get_item_configuration(DatasetTags.colour_bar)["max_scale"] == pytest.approx(scale)
    node_texture = np.array(dpg.get_value(DatasetTags.texture))
    assert not np.allclose(node_texture, result_texture)
    driver.screenshot(tmp_path / "node-over-the-plane.png")

    driver.key("Escape")
    driver.frames_until(lambda: not session.surface_stale, "the result again")
    assert session.plane_node() is None
    assert dpg.get_value(DatasetTags.heading) == "shading the result 'out'"
    assert dpg.get_item_configuration(DatasetTags.colour_bar)["max_scale"] == 1.0
    np.testing.assert_allclose(np.array(dpg.get_value(DatasetTags.texture)), result_texture, atol=1e-6)


def perceptron_call_graph():
    """The small graph's neuron as an instance of the built-in perceptron function."""
    document = small_graph()
    function_edits.add_template(document, "perceptron", inputs=1, activation="tanh")
    call = function_edits.insert_function(document, "perceptron", at=(210, 330))
    document.connect(next(n.id for n in document.nodes.values() if n.op == "x"), call, 0)
    return document, call


def test_a_call_output_and_a_node_inside_a_body_can_be_shaded(open_app):
    document, call = perceptron_call_graph()
    app, driver = open_app(document)
    session = app.session
    driver.click(*driver.node_title_point(ids.node(call)))
    driver.frames_until(lambda: session.plane_node() == document.flat_id(call), "the call's output")
    assert "perceptron" in dpg.get_value(DatasetTags.heading)

    app.canvas.open_function("perceptron")
    driver.frames(3)
    body = session.document.definition("perceptron")
    inner = next(node_id for node_id, node in body.nodes.items() if node.op == "tanh")
    driver.click(*driver.node_title_point(ids.node(inner)))
    driver.frames_until(lambda: session.plane_node() == f"{call}/{inner}", "the body's tanh")
    described = session.document.describe(f"{call}/{inner}")
    assert dpg.get_value(DatasetTags.heading) == f"shading the node {described} (tanh)"
    driver.click(*driver.item_center(DatasetTags.show_result))
    driver.frames(2)
    assert session.plane_node() is None


def test_the_show_the_result_button_stays_in_the_window_beside_a_long_heading(open_app):
    """A node deep in moons-mlp's calls has a long name: the heading pushed the button past the
    Dataset window's right edge."""
    from mlgarden import shipped
    from mlgarden.files import fileformat

    app, driver = open_app(fileformat.load(shipped.resolve("moons-mlp")))
    session = app.session
    program = session.document.program()
    deep = [node for node in program.order if node not in program.leaf_ids][-5]
    session.show_on_plane(deep)
    driver.frames_until(lambda: dpg.is_item_shown(DatasetTags.show_result), "the button")
    driver.frames(2)
    assert len(dpg.get_value(DatasetTags.heading)) > 45
    x, _, width, _ = driver.item_rect(DatasetTags.show_result)
    window_x, _, window_width, _ = driver.item_rect(DatasetTags.window)
    assert window_x <= x and x + width <= window_x + window_width
    driver.click(*driver.item_center(DatasetTags.show_result))
    driver.frames(2)
    assert session.plane_node() is None


# --- backprop step by step -------------------------------------------------------------------------


def test_step_through_backprop_with_the_button_the_arrows_and_escape(open_app, tmp_path):
    app, driver = open_app(small_graph())
    session, document = app.session, app.session.document
    loss = document.loss
    driver.click(*driver.item_center(TrainingTags.backprop))
    walk = session.stepthrough
    assert walk is not None and walk.position == 0
    driver.frames(2)
    assert dpg.get_value(TrainingTags.step_sentence) == "grad(loss) = 1: backpropagation starts at the loss"
    assert dpg.get_value(TrainingTags.step_heading).startswith("Backward step 1 of ")
    assert gradient_text(loss) == "grad 1"
    others = [node_id for node_id in document.nodes if node_id != loss]
    assert all(gradient_text(node_id) == f"grad {theme.missing()}" for node_id in others)
    assert lit(app, loss)

    for _ in range(3):
        driver.key("Right")
    assert walk.position == 3
    step = walk.current
    assert dpg.get_value(TrainingTags.step_sentence) == sentence_lines(step.sentence)
    assert "\n    = " in sentence_lines(step.sentence)
    assert step.sentence.startswith(f"grad({document.nodes[step.receiver].title}) += ")
    assert gradient_text(step.receiver) == f"grad {theme.number(step.total)}"
    reached = {s.receiver for s in walk.steps[:4]}
    unreached = [node_id for node_id in document.nodes if node_id not in reached]
    assert unreached and all(gradient_text(n) == f"grad {theme.missing()}" for n in unreached)
    source, target = step.link
    link_keys = [key for key in app.canvas.links if key[0] == source and key[1] == target]
    assert link_keys and lit_links(app, link_keys)
    assert lit(app, target)
    driver.screenshot(tmp_path / "backprop-step.png")

    driver.key("Left")
    assert walk.position == 2
    assert dpg.get_value(TrainingTags.step_sentence) == sentence_lines(walk.current.sentence)
    driver.key("Escape")
    assert session.stepthrough is None
    driver.frames(2)
    evaluation = session.evaluation()
    assert gradient_text(loss) == "grad 1"
    w = node_with_label(document, "w")
    assert gradient_text(w) == f"grad {theme.number(evaluation.grads[w])}"
    assert not dpg.is_item_shown(TrainingTags.step_sentence)
    assert not lit(app, target)


def test_ctrl_shift_b_steps_through_the_forward_pass(open_app):
    app, driver = open_app(small_graph())
    session = app.session
    driver.key("ctrl+shift+b")
    walk = session.stepthrough
    assert walk is not None and walk.kind == "forward"
    while walk.current.sentence.split(" = ")[0] != "out":
        driver.key("Right")
    out = node_with_label(session.document, "out")
    z = session.evaluation().values[node_with_label(session.document, "z")]
    assert dpg.get_value(TrainingTags.step_sentence).startswith(f"out = tanh(z) = tanh({z:.3g}) = ")
    assert canvas_text(ids.value_text(out)) == theme.number(session.evaluation().values[out])
    loss = session.document.loss
    assert canvas_text(ids.value_text(loss)) == theme.missing()  # not computed yet
    into_out = [key for key in app.canvas.links if key[1] == out]
    assert into_out and lit_links(app, into_out)
    driver.key("Escape")
    assert session.stepthrough is None


# --- your own data ---------------------------------------------------------------------------------


def click_with(driver, key, point):
    driver.key_down(key)
    driver.click(*point)
    driver.key_up(key)


def open_on_custom_data(open_app):
    """The app on a small graph whose 30 linear points have just become your own (custom) data."""
    document = small_graph()
    document.set_dataset(name="linear", points=30, test_fraction=0.0)
    app, driver = open_app(document)
    choose_in_combo(driver, DatasetTags.name, "custom", available_datasets() + ["custom"])
    driver.frames(2)
    return app, driver, app.session


def test_clicks_add_and_remove_your_own_points_and_ctrl_z_undoes_each(open_app):
    app, driver, session = open_on_custom_data(open_app)
    assert session.document.dataset.name == "custom" and len(session.dataset) == 30
    to_pixels = PlotPixels(driver, DatasetTags.plot)

    driver.click(*to_pixels(0.5, 0.5))
    driver.frames(2)
    assert len(session.dataset) == 31
    x, y, label = session.document.custom_points[-1]
    assert (x, y, label) == (pytest.approx(0.5, abs=0.05), pytest.approx(0.5, abs=0.05), 1.0)
    assert shown_points(session, app.panels[1]) == 31
    to_pixels = PlotPixels(driver, DatasetTags.plot)  # the bounds may have grown
    click_with(driver, "shift", to_pixels(-0.4, 0.3))
    driver.frames(2)
    assert session.document.custom_points[-1][2] == -1.0 and len(session.dataset) == 32

    to_pixels = PlotPixels(driver, DatasetTags.plot)
    victim = session.document.custom_points[5]
    click_with(driver, "ctrl", to_pixels(victim[0], victim[1]))
    driver.frames(2)
    assert victim not in session.document.custom_points and len(session.dataset) == 31
    assert shown_points(session, app.panels[1]) == 31

    for expected in (32, 31, 30):
        driver.key("ctrl+z")
        driver.frames(2)
        assert len(session.dataset) == expected and shown_points(session, app.panels[1]) == expected
    assert victim in session.document.custom_points
    driver.key("ctrl+z")
    driver.frames(2)
    assert session.document.dataset.name == "linear"


def test_a_click_in_the_frame_shift_is_let_go_adds_a_plus_one_point(open_app):
    """Shift let go, then the plot clicked, in one slow frame: the click came without shift. (ImGui
    takes no modifier's change after a click in the click's frame, so a let-go shift is older.)"""
    app, driver, session = open_on_custom_data(open_app)
    driver.move(*PlotPixels(driver, DatasetTags.plot)(0.5, 0.5))
    driver.key_down("shift")
    driver.let_go("shift", "mousedown", "1")
    driver.frames(2)
    xdotool("mouseup", "1")
    driver.frames(3)
    assert len(session.document.custom_points) == 31
    assert session.document.custom_points[-1][2] == 1.0


def test_a_click_on_the_plots_frame_outside_its_axes_adds_no_point(open_app):
    """ImPlot keeps the last plot coordinates of the mouse while it is over the frame around the
    axes: a click there added a point where the mouse had last been inside (at first, at 0, 0)."""
    app, driver, session = open_on_custom_data(open_app)
    x, y, width, height = driver.item_rect(DatasetTags.plot)
    driver.click(x + 4, y + 4)  # the frame's corner, first from outside the plot
    driver.click(*PlotPixels(driver, DatasetTags.plot)(0.5, 0.5))  # inside: a point
    driver.click(x + 4, y + 4)  # and from inside it
    driver.frames(2)
    assert len(session.dataset) == 31
    assert session.document.custom_points[-1][:2] == (pytest.approx(0.5, abs=0.05),
                                                       pytest.approx(0.5, abs=0.05))


def test_a_click_on_the_plot_right_after_the_mouse_came_from_another_window_adds_its_point(open_app):
    """Over the axes, the mouse's plot coordinates reach the app a frame after a mouse from another
    window came: a click there, the mouse held still since, was taken for one on the frame and
    dropped. A move onto the frame from the axes and a press in one frame, on the other hand,
    added a point where the mouse had last been over them."""
    document = small_graph()
    document.set_dataset(name="linear", points=30, test_fraction=0.0)
    app, driver = open_app(document)
    session = app.session
    choose_in_combo(driver, DatasetTags.name, "custom", available_datasets() + ["custom"])
    inside = PlotPixels(driver, DatasetTags.plot)(0.5, 0.5)  # found by moving over the plot
    x, y, width, height = driver.item_rect(DatasetTags.plot)
    driver.move(*driver.item_center(ids.EDITOR))  # on the canvas, off the Dataset window
    driver.click(*inside)  # in one jump from the canvas, then still
    assert len(session.document.custom_points) == 31
    assert session.document.custom_points[-1][:2] == (pytest.approx(0.5, abs=0.05),
                                                       pytest.approx(0.5, abs=0.05))
    screen = driver.to_screen(x + 4, y + 4)
    xdotool("mousemove", *screen, "mousedown", "1")  # onto the frame and pressed: one frame
    driver.pointer = screen
    driver.frames(3)
    xdotool("mouseup", "1")
    driver.frames(3)
    assert len(session.document.custom_points) == 31


def test_file_export_data_writes_the_points_shown_as_csv(open_app, tmp_path):
    document = small_graph()
    document.set_dataset(name="linear", points=30)
    app, driver = open_app(document)
    menu_x, _ = dpg.get_item_pos(ids.FILE_MENU)
    driver.click(menu_x + 12, MENU_HEIGHT / 2)
    driver.frames(2)
    _, entry_y = dpg.get_item_pos(ids.EXPORT_DATA_ITEM)
    driver.click(menu_x + 40, MENU_HEIGHT + entry_y + 7)
    driver.frames(2)
    assert dpg.is_item_shown(FileTags.window)
    assert dpg.get_value(FileTags.name) == "linear-data.csv"
    app.dialogs.files.show_folder(tmp_path)  # the test's folder, not the working directory
    x, y, width, height = driver.item_rect(FileTags.name)
    driver.click(x + 20, y + height / 2)
    driver.key("ctrl+a")
    driver.type_text("mine")
    driver.key("Return")  # ".csv" is added
    driver.frames(2)
    exported = read_csv_dataset(tmp_path / "mine.csv")
    np.testing.assert_array_equal(exported.points, app.session.dataset.points)
    assert app.session.status == "exported 30 points to mine.csv"
