"""The Training panel driven with the real mouse and keyboard under Xvfb.

Each test builds a small window holding the Training panel and the Dataset window over a
Session, clicks and types through xdotool (tests/gui/driver.py), steps frames the way the app's
frame loop does (callbacks, a training slice, the panels' update, render), and checks the
Session, the document and the pixels.
"""

import numpy as np
import pytest

import dearpygui.dearpygui as dpg
from driver import Driver
from mlgarden import build
from mlgarden.build import Builder
from mlgarden.gui.dataset_window import DatasetWindow
from mlgarden.gui.dataset_window import Tags as DatasetTags
from mlgarden.gui.training_panel import Tags, TrainingPanel
from mlgarden.session import Session

pytestmark = pytest.mark.gui

TITLE = "mlgarden panels test"
TRAINING_SLICE = 0.004  # seconds of training per frame, as a time-boxed frame loop would do


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


class PanelApp:
    """The panels in a viewport, with a frame loop like the app's."""

    def __init__(self, document):
        self.session = Session(document)
        self.training = TrainingPanel(self.session)
        self.dataset = DatasetWindow(self.session)

    def build(self):
        dpg.configure_app(manual_callback_management=True)
        dpg.create_viewport(title=TITLE, width=1280, height=800, x_pos=0, y_pos=0, vsync=False)
        for panel, y in ((self.training, 0), (self.dataset, 400)):
            dpg.configure_item(panel.build(), pos=(780, y), width=500, height=400)
        dpg.setup_dearpygui()
        dpg.show_viewport()

    def frame(self):
        dpg.run_callbacks(dpg.get_callback_queue())
        self.session.tick(TRAINING_SLICE)
        self.training.update()
        self.dataset.update()
        dpg.render_dearpygui_frame()


def open_panels(document):
    """Create the context, the app and a Driver; the caller must call close_panels."""
    dpg.create_context()
    app = PanelApp(document)
    app.build()
    driver = Driver(TITLE, frame=app.frame)
    driver.frames(3)
    return app, driver


def close_panels(driver):
    if driver is not None:
        driver.close()  # before destroy_context: see tests/gui/driver.py
    dpg.destroy_context()


@pytest.fixture
def panels():
    app = driver = None
    try:
        app, driver = open_panels(perceptrons_on_donut())
        yield app, driver
    finally:
        close_panels(driver)


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
    driver.frames(10)
    early_loss = app.session.trainer.metrics.train_loss
    driver.frames(60)
    metrics = app.session.trainer.metrics
    assert metrics.train_loss < 0.8 * early_loss
    assert dpg.get_value(Tags.train_loss) == f"{metrics.train_loss:.4f}"
    assert dpg.get_value(Tags.steps) == f"step {metrics.steps}"
    train_line = dpg.get_value(Tags.train_series)
    assert len(train_line[0]) == len(app.session.trainer.history) > 10

    texture_after = np.array(dpg.get_value(DatasetTags.texture))
    assert np.abs(texture_after - texture_before).max() > 0.2
    plot_after = crop(driver.screenshot(), driver, DatasetTags.plot)
    assert np.abs(plot_after - plot_before).max(axis=2).mean() > 5  # the picture really changed

    driver.click(*driver.item_center(Tags.play))
    assert not app.session.playing
    assert dpg.get_item_label(Tags.play) == "Play"


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
        driver.frames_until(lambda: not app.session.playing, "training stop")
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
        close_panels(driver)
