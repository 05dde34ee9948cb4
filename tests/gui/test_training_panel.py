"""The Training panel driven with the real mouse and keyboard under Xvfb.

Each test opens the real app (mlgarden.gui.app.App) on a small graph, clicks and types through
xdotool (tests/gui/driver.py), steps the app's own frame loop (callbacks, the training worker's news, the
canvas and panels' update, render), and checks the Session, the document and the pixels.
"""

import os

import numpy as np
import pytest

import dearpygui.dearpygui as dpg
from driver import Driver
from mlgarden.document import build
from mlgarden.document.build import Builder
from mlgarden.document.graph import Document
from mlgarden.files import fileformat
from mlgarden.gui.app import HEIGHT, WIDTH, App
from mlgarden.gui.dataset_window import PLOT_MIN_SIDE, DatasetWindow
from mlgarden.gui.dataset_window import Tags as DatasetTags
from mlgarden.gui.file_browser import Tags as FileTags
from mlgarden.gui.help_panel import HelpPanel
from mlgarden.gui.training_panel import CURVE_MIN_HEIGHT, Tags, TrainingPanel, loss_curve, loss_text
from mlgarden.session import Session

pytestmark = pytest.mark.gui



def perceptrons_on_donut():
    """Two tanh perceptrons feeding a third, on the donut, with a brisk learning rate."""
    builder = Builder(seed=3)
    hidden = builder.layer([builder.x(), builder.y()], width=3)
    out = builder.perceptron(hidden)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.dataset.name = "donut"
    document.training.learning_rate = 0.1
    return document


def log_of_a_line():
    """log(w x + b) against the label: fine while w x + b > 0, NaN once a big step crosses 0."""
    builder = Builder(seed=0)
    line = builder.param(0.1, label="w") * builder.x() + builder.param(1.0, label="b")
    prediction = build.log(line, label="log")
    return builder.finish(result=prediction, loss=builder.loss("squared_error", prediction))


class PanelsApp:
    """The real app (canvas, menus, status line and the panels) over a Session of `document`."""

    def __init__(self, document):
        self.session = Session(document)
        self.training = TrainingPanel(self.session)
        self.dataset = DatasetWindow(self.session)
        self.help = HelpPanel(self.session)
        self.app = App(self.session, [self.training, self.dataset], self.help)


def open_panels(document, size=(WIDTH, HEIGHT)):
    """Build the app and a Driver stepping its frame loop; the caller must call close_panels."""
    panels = PanelsApp(document)
    panels.app.build(*size)
    driver = Driver(panels.session.title, frame=panels.app.run_frame)
    driver.frames(3)
    return panels, driver


def close_panels(panels, driver):
    if driver is not None:
        driver.close()  # before destroy_context: see tests/gui/driver.py
    if panels is not None:
        panels.app.close()


@pytest.fixture
def panels():
    app = driver = None
    try:
        app, driver = open_panels(perceptrons_on_donut())
        yield app, driver
    finally:
        close_panels(app, driver)


def type_into(driver, field, text):
    """Click a field, select what it holds, type `text` and press Enter.

    The click goes near the field's left end: its rect also holds the label and any +/- buttons.
    """
    x, y, width, height = driver.item_rect(field)
    driver.click(x + min(20, width / 4), y + height / 2)
    driver.key("ctrl+a")
    driver.type_text(text)
    driver.key("Return")


def crop(pixels, driver, item):
    x, y, width, height = (round(v) for v in driver.item_rect(item))
    return pixels[y:y + height, x:x + width].astype(int)


def test_play_trains_lowers_the_loss_and_redraws_the_surface(panels):
    app, driver = panels
    texture_before = np.array(dpg.get_value(DatasetTags.texture))
    plot_before = crop(driver.screenshot(), driver, DatasetTags.plot)

    driver.click(*driver.item_center(Tags.play))
    assert app.session.playing
    assert dpg.get_item_label(Tags.play) == "Pause"
    driver.frames_until_trained(lambda: app.session.trainer.metrics.train_loss is not None, "a step")
    early_loss = app.session.trainer.metrics.train_loss
    driver.frames_until_trained(lambda: app.session.trainer.metrics.train_loss < 0.8 * early_loss,
                                "the training loss falling by a fifth")
    refreshes = app.dataset.refresh_count
    driver.frames_until_trained(lambda: app.dataset.refresh_count > refreshes, "the surface redrawn")
    metrics = app.session.trainer.metrics
    assert dpg.get_value(Tags.train_loss) == f"loss {metrics.train_loss:.4f}"
    assert dpg.get_value(Tags.steps) == f"step {metrics.steps}"
    texture_after = np.array(dpg.get_value(DatasetTags.texture))
    assert np.abs(texture_after - texture_before).max() > 0.2
    plot_after = crop(driver.screenshot(), driver, DatasetTags.plot)
    assert np.abs(plot_after - plot_before).max(axis=2).mean() > 5  # the picture really changed

    driver.click(*driver.item_center(Tags.play))
    assert not app.session.playing
    assert dpg.get_item_label(Tags.play) == "Play"
    history = app.session.trainer.history
    whole = loss_curve(history)  # the whole history, a long one as its envelope
    driver.frames_until(lambda: dpg.get_value(Tags.train_series)[0] == whole.steps,
                        "the loss curve showing the whole history")
    assert whole.steps[-1] == history[-1].step and len(history) > 1
    assert dpg.get_value(Tags.train_series)[1][-1] == pytest.approx(history[-1].train_loss)


def test_training_runs_in_a_worker_process_that_quitting_the_app_ends():
    panels, driver = open_panels(perceptrons_on_donut())
    try:
        driver.click(*driver.item_center(Tags.play))
        driver.frames_until_trained(lambda: panels.session.trainer.metrics.steps > 0, "a step")
        pid = panels.session.training_worker_pid
        assert pid is not None and pid != os.getpid() and os.path.exists(f"/proc/{pid}")
        assert panels.session.playing  # quit while playing
    finally:
        close_panels(panels, driver)
    assert not os.path.exists(f"/proc/{pid}")


def test_step_trains_exactly_one_batch_and_is_disabled_while_playing(panels):
    app, driver = panels
    driver.click(*driver.item_center(Tags.step))
    driver.frames(2)
    assert app.session.trainer.metrics.steps == 1
    assert dpg.get_value(Tags.steps) == "step 1"

    driver.click(*driver.item_center(Tags.play))
    assert not dpg.get_item_configuration(Tags.step)["enabled"]
    driver.click(*driver.item_center(Tags.play))
    assert dpg.get_item_configuration(Tags.step)["enabled"]


def test_typing_a_learning_rate_edits_the_document_and_undo_restores_it(panels):
    app, driver = panels
    type_into(driver, Tags.lr_input, "0.0123")
    assert app.session.document.training.learning_rate == pytest.approx(0.0123)
    assert dpg.get_value(Tags.lr_slider) == pytest.approx(np.log10(0.0123))

    app.session.undo()
    driver.frames(2)
    assert app.session.document.training.learning_rate == pytest.approx(0.1)
    assert dpg.get_value(Tags.lr_input) == pytest.approx(0.1)


def test_a_learning_rate_or_batch_typed_is_taken_when_the_field_is_left_without_enter(panels):
    """Typing a learning rate and clicking Play trained with the old one, and a batch size typed
    and left with Tab was dropped: only Enter took what was typed."""
    app, driver = panels
    training = app.session.document.training
    assert (training.learning_rate, training.batch_size) != (0.05, 8)
    for field, text in ((Tags.batch_size, "8"), (Tags.lr_input, "0.05")):
        x, y, width, height = driver.item_rect(field)
        driver.click(x + min(20, width / 4), y + height / 2)
        driver.key("ctrl+a")
        driver.type_text(text)
        if field == Tags.batch_size:
            driver.key("Tab")
        else:
            driver.click(*driver.item_center(Tags.play))
    assert app.session.playing
    assert app.session.document.training.learning_rate == 0.05
    assert app.session.document.training.batch_size == 8
    driver.click(*driver.item_center(Tags.play))
    assert not app.session.playing
    app.session.undo()
    assert app.session.status == "undid training"  # Play..Pause came after the rate's change
    assert app.session.history.undo_label() == "changing a training setting"


def test_dragging_the_log_slider_is_one_undo_step(panels):
    app, driver = panels
    x, y, width, height = driver.item_rect(Tags.lr_slider)
    start = (x + width * (np.log10(0.1) + 5) / 5, y + height / 2)  # the grab, at lr 0.1
    driver.drag(start, (start[0] - width / 5, start[1]), steps=6)  # one decade down
    learning_rate = app.session.document.training.learning_rate
    assert 0.003 < learning_rate < 0.03
    assert dpg.get_value(Tags.lr_input) == pytest.approx(learning_rate)

    app.session.undo()
    driver.frames(2)
    assert app.session.document.training.learning_rate == pytest.approx(0.1)
    assert dpg.get_value(Tags.lr_slider) == pytest.approx(-1.0)


def test_a_refused_learning_rate_leaves_the_document_and_the_field_as_they_were(panels):
    app, driver = panels
    type_into(driver, Tags.lr_input, "-3")
    assert app.session.document.training.learning_rate == pytest.approx(0.1)
    assert "learning_rate" in app.session.status
    driver.frames(2)
    assert dpg.get_value(Tags.lr_input) == pytest.approx(0.1)


def test_a_nan_stop_pauses_and_shows_the_message_in_red():
    app = driver = None
    try:
        app, driver = open_panels(log_of_a_line())
        type_into(driver, Tags.lr_input, "100")
        driver.click(*driver.item_center(Tags.play))
        driver.frames_until_trained(lambda: not app.session.playing, "its stop")
        driver.frames(2)
        assert "training stopped" in app.session.status
        assert dpg.get_value(Tags.message) == app.session.status
        assert dpg.get_item_label(Tags.play) == "Play"

        message = crop(driver.screenshot(), driver, Tags.message)
        reddish = (message[:, :, 0] > 180) & (message[:, :, 1] < 120) & (message[:, :, 2] < 120)
        assert reddish.sum() > 20

        driver.click(*driver.item_center(Tags.reset))
        assert dpg.get_value(Tags.message) == ""
    finally:
        close_panels(app, driver)


def test_reinitialise_and_step_on_a_graph_without_a_loss_say_why_instead_of_failing():
    app = driver = None
    try:
        app, driver = open_panels(Document())
        for button in (Tags.reinitialise, Tags.step, Tags.step):
            driver.click(*driver.item_center(button))
            driver.frames(2)
            assert "loss" in dpg.get_value(Tags.message)
            assert dpg.is_item_shown(Tags.message)
        assert app.session.trainer.metrics.steps == 0
    finally:
        close_panels(app, driver)


def test_opening_another_graph_clears_the_old_graphs_training_error(tmp_path):
    """The red 'no loss' message stayed over the next graph opened, a graph with a loss."""
    fileformat.save(perceptrons_on_donut(), tmp_path / "donut.yaml")
    app = driver = None
    try:
        app, driver = open_panels(Document())
        driver.click(*driver.item_center(Tags.step))
        driver.frames(2)
        assert "loss" in dpg.get_value(Tags.message)
        driver.key("ctrl+o")
        type_into(driver, FileTags.name, str(tmp_path / "donut.yaml"))
        driver.frames(3)
        assert app.session.title == "mlgarden — donut.yaml"
        assert dpg.get_value(Tags.message) == "" and app.session.training_error == ""
        driver.click(*driver.item_center(Tags.play))
        driver.click(*driver.item_center(Tags.play))
        assert app.session.status == "paused"
    finally:
        close_panels(app, driver)


def test_play_twice_on_a_graph_without_a_loss_pauses_with_the_reason():
    app = driver = None
    try:
        app, driver = open_panels(Document())
        for _ in range(2):
            driver.click(*driver.item_center(Tags.play))
            driver.frames(2)
            assert not app.session.playing
            assert "loss" in dpg.get_value(Tags.message)
    finally:
        if app is not None:
            app.session.pause()  # or closing runs a frame that raises again
        close_panels(app, driver)


def assert_loss_curve_whole(driver, under):
    """The loss curve at least CURVE_MIN_HEIGHT high and all of it in the panel (nothing scrolled
    out of sight), and the Dataset window below it whole as well."""
    _, top, _, height = driver.item_rect(Tags.plot)
    _, window_top, _, window_height = driver.item_rect(Tags.window)
    assert height >= CURVE_MIN_HEIGHT, f"the loss curve is {height} pixels high {under}"
    assert top + height <= window_top + window_height and dpg.get_y_scroll_max(Tags.window) == 0, under
    _, dataset_top, _, dataset_height = driver.item_rect(DatasetTags.window)
    _, plane_top, _, plane_height = driver.item_rect(DatasetTags.plot)
    assert dataset_top == window_top + window_height
    assert plane_height >= PLOT_MIN_SIDE and plane_top + plane_height <= dataset_top + dataset_height


@pytest.mark.parametrize("size", [(WIDTH, HEIGHT), (1024, 720)])
def test_the_loss_curve_keeps_its_height_under_the_step_sentence_and_a_two_line_error(size):
    """At 1280x800 the curve was squashed to about 35 pixels, its axis labels on each other,
    once the step-through's sentence or a two-line error stood above it. (1024 pixels wide, the
    panel has a third row of controls: it needs 707 pixels of height to show all with the
    sentence; below that it scrolls.)"""
    app = driver = None
    try:
        app, driver = open_panels(log_of_a_line(), size)
        assert_loss_curve_whole(driver, "at first")
        driver.click(*driver.item_center(Tags.backprop))
        driver.key("Right")
        assert dpg.get_value(Tags.step_sentence).count("\n") == 1  # a gradient's two lines
        driver.frames(2)
        assert_loss_curve_whole(driver, "under the step-through's sentence")

        driver.key("Escape")
        type_into(driver, Tags.lr_input, "100")
        driver.click(*driver.item_center(Tags.play))
        driver.frames_until_trained(lambda: not app.session.playing, "its stop")
        driver.frames(2)
        line_height = driver.item_rect(Tags.steps)[3]
        assert driver.item_rect(Tags.message)[3] >= 2 * line_height  # the error takes two lines
        assert_loss_curve_whole(driver, "under a two-line error")
        driver.click(*driver.item_center(Tags.reset))
        driver.frames(2)
        assert_loss_curve_whole(driver, "once the error is gone")
    finally:
        close_panels(app, driver)


def test_the_test_row_says_at_which_step_its_figures_were_measured(panels):
    """The test set is measured every so many samples while playing: the row names the step its
    figures come from, so an old test loss never passes for the current one. Step measures it."""
    app, driver = panels

    def metrics():  # the trainer's metrics, replaced by each of the worker's updates
        return app.session.trainer.metrics

    assert dpg.get_value(Tags.test_name) == "test"
    for step in (1, 2):
        driver.click(*driver.item_center(Tags.step))
        driver.frames(2)
        assert dpg.get_value(Tags.test_name) == f"test at step {step}"
        assert dpg.get_value(Tags.test_loss) == loss_text(metrics().test_loss)

    driver.click(*driver.item_center(Tags.play))
    driver.frames_until_trained(lambda: metrics().test_step > 2, "a measure while playing")
    driver.click(*driver.item_center(Tags.play))
    driver.frames(2)
    assert 2 < metrics().test_step <= metrics().steps
    assert dpg.get_value(Tags.test_name) == f"test at step {metrics().test_step}"
    assert dpg.get_value(Tags.test_loss) == loss_text(metrics().test_loss)
    driver.click(*driver.item_center(Tags.reset))
    driver.frames(2)
    assert dpg.get_value(Tags.test_name) == "test"


@pytest.mark.parametrize("size", [(WIDTH, HEIGHT), (1024, 700), (900, 600)])
def test_every_control_fits_the_panels_width(size):
    """In a narrow panel the optimiser and the batch size take a row of their own: at 900 and
    1024 pixels wide they were cut off at the panel's edge ('optimiser', 'batch' half shown)."""
    app = driver = None
    try:
        app, driver = open_panels(log_of_a_line(), size)
        driver.frames(2)
        left, _, width, _ = driver.item_rect(Tags.window)
        for control in (Tags.play, Tags.step, Tags.reset, Tags.reinitialise, Tags.optimizer,
                        Tags.lr_slider, Tags.lr_input, Tags.batch_size, Tags.backprop, Tags.forward):
            x, _, control_width, _ = driver.item_rect(control)
            assert x + control_width <= left + width, f"{control} ends past the panel's edge at {size}"
        optimiser_row = dpg.get_item_parent(Tags.optimizer)
        assert (optimiser_row == Tags.buttons_row) == (size == (WIDTH, HEIGHT))
    finally:
        close_panels(app, driver)
