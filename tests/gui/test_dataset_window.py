"""The Dataset window driven with the real mouse and keyboard under Xvfb.

As in tests/gui/test_training_panel.py: the real app on a small graph, its frame loop stepped.
"""

import time
from types import SimpleNamespace

import dearpygui.dearpygui as dpg
import numpy as np
import pytest

from mlgarden.learning.datasets import available_datasets
from mlgarden.gui import dataset_window
from mlgarden.gui.dataset_window import DatasetWindow, Tags
from mlgarden.gui.plane_picture import PictureSize, texel_positions
from mlgarden.gui.training_panel import Tags as TrainingTags
from driver import Driver
from test_training_panel import (PanelsApp, close_panels, panels, perceptrons_on_donut,  # noqa: F401
                                 type_into)

pytestmark = pytest.mark.gui

# Dear PyGui's default style: a combo's popup starts right under the combo with this padding,
# and its rows are one text line plus this spacing apart.
POPUP_PADDING = 8
ITEM_SPACING = 4


def choose_in_combo(driver, combo, choice, choices):
    """Open `combo` with a click and click the row of `choice` in its popup."""
    x, y, width, height = driver.item_rect(combo)
    row_height = dpg.get_text_size(choice)[1]
    row = choices.index(choice)
    driver.click(x + width / 2, y + height / 2)
    driver.click(x + 30, y + height + POPUP_PADDING + row * (row_height + ITEM_SPACING) + row_height / 2)


def shown_points(session, window: DatasetWindow) -> int:
    """How many of the data's points have a marker over their centre in the Dataset window's
    picture, after checking that the markers' series draws a texture of the picture's size."""
    layer = window.points_layer
    size = PictureSize(width=layer.shape[1], height=layer.shape[0])
    texture = dpg.get_item_configuration(Tags.markers)["texture_tag"]
    assert (dpg.get_item_width(texture), dpg.get_item_height(texture)) == (size.width, size.height)
    columns, rows = np.round(texel_positions(session.dataset.points, session.bounds(), size)).astype(int).T
    return int((layer[rows, columns, 3] > 0.99).sum())


class PlotPixels:
    """Where plot coordinates are drawn: learned by hovering two points and asking the plot."""

    def __init__(self, driver, plot):
        x, y, width, height = driver.item_rect(plot)
        corners = [(x + 0.3 * width, y + 0.7 * height), (x + 0.7 * width, y + 0.3 * height)]
        seen = []
        for corner in corners:
            driver.move(*corner)
            driver.frames(2)
            seen.append(dpg.get_plot_mouse_pos())
        (px0, py0), (px1, py1) = corners
        (x0, y0), (x1, y1) = seen
        self.scale = ((px1 - px0) / (x1 - x0), (py1 - py0) / (y1 - y0))
        self.offset = (px0 - x0 * self.scale[0], py0 - y0 * self.scale[1])

    def __call__(self, x, y):
        return self.offset[0] + x * self.scale[0], self.offset[1] + y * self.scale[1]


def test_choosing_a_dataset_in_the_combo_reloads_the_points(panels):
    app, driver = panels
    choose_in_combo(driver, Tags.name, "spiral", available_datasets())
    driver.frames(2)
    session = app.session
    assert session.document.dataset.name == "spiral"
    assert session.dataset.name == "spiral"
    assert dpg.get_value(Tags.name) == "spiral"
    assert shown_points(session, app.dataset) == len(session.dataset.labels)

    session.undo()
    driver.frames(2)
    assert session.dataset.name == "donut"
    assert dpg.get_value(Tags.name) == "donut"


def test_typing_the_number_of_points_reloads_the_data(panels):
    app, driver = panels
    type_into(driver, Tags.points, "500")
    assert app.session.document.dataset.points == 500
    assert len(app.session.dataset.labels) == 500
    driver.frames(1)
    assert shown_points(app.session, app.dataset) == 500


def test_many_points_are_painted_once_the_data_has_held(panels, monkeypatch):
    """Data of over PAINT_AT_ONCE_UP_TO points (100,000 take over a second to paint) waits until
    it has held for RESIZE_SETTLE_SECONDS, so a noise drag is not a second a step; the old picture
    shows meanwhile. Fewer points are painted in their first frame (the tests above)."""
    app, driver = panels
    session, window = app.session, app.dataset
    old_picture = window.points_layer
    monkeypatch.setattr(dataset_window, "PAINT_AT_ONCE_UP_TO", 400)  # 500 points are "many"
    monkeypatch.setattr(dataset_window, "RESIZE_SETTLE_SECONDS", 60.0)  # not held long enough yet
    session.edit("set_dataset", points=500)
    driver.frames(3)
    assert len(session.dataset.labels) == 500
    assert window.points_layer is old_picture and not window.points_are_current()
    monkeypatch.setattr(dataset_window, "RESIZE_SETTLE_SECONDS", 0.0)  # now it has held
    driver.frames(1)
    assert window.points_layer is not old_picture and window.points_are_current()
    assert shown_points(session, window) == 500


def test_the_points_picture_has_one_texel_for_each_pixel_of_the_plot_area(panels, tmp_path):
    """The picture's size is the plot area's (within 2 pixels, what measuring by hovering can
    tell), which ImPlot does not tell: measured here by hovering, as a user's mouse would. A
    picture 4 and 7 texels short of the area (the guesses before) was stretched and blurred."""
    app, driver = panels
    to_pixels = PlotPixels(driver, Tags.plot)
    xmin, xmax, ymin, ymax = app.session.bounds()
    left, top = to_pixels(xmin, ymax)
    right, bottom = to_pixels(xmax, ymin)
    size = dataset_window.picture_size(dpg.get_item_width(Tags.plot))
    assert size.width == pytest.approx(right - left, abs=2)
    assert size.height == pytest.approx(bottom - top, abs=2)
    driver.move(5, 5)  # off the plot
    driver.screenshot(tmp_path / "points.png")


def test_the_markers_show_on_screen_where_the_points_are(panels, tmp_path):
    """The screenshot at each point's place has its marker's colour (the picture is drawn the
    right way up, blended and uploaded), after a change of dataset."""
    app, driver = panels
    choose_in_combo(driver, Tags.name, "spiral", available_datasets())
    driver.frames(3)
    session, layer = app.session, app.dataset.points_layer
    to_pixels = PlotPixels(driver, Tags.plot)
    driver.move(5, 5)  # the mouse away from the points
    pixels = driver.screenshot(tmp_path / "markers.png").astype(float) / 255
    size = PictureSize(width=layer.shape[1], height=layer.shape[0])
    columns, rows = np.round(texel_positions(session.dataset.points, session.bounds(), size)).astype(int).T
    wanted = layer[rows, columns, :3] / layer[rows, columns, 3:]
    places = np.round([to_pixels(x, y) for x, y in session.dataset.points]).astype(int)
    shown = pixels[places[:, 1], places[:, 0]]
    errors = np.abs(shown - wanted).max(axis=1)
    assert np.median(errors) < 0.1
    assert (errors < 0.3).mean() > 0.8  # a few sit under the sample's ring or at a marker's edge


def test_clicking_a_point_in_the_plot_makes_it_the_current_sample(panels):
    app, driver = panels
    session = app.session
    to_pixels = PlotPixels(driver, Tags.plot)
    current = session.dataset.points[session.sample_index]
    target = int(np.argmax(np.hypot(*(session.dataset.points - current).T)))  # the farthest point
    driver.click(*to_pixels(*session.dataset.points[target]))
    driver.frames(2)
    assert session.sample_index == target
    assert dpg.get_value(Tags.sample) == target
    assert dpg.get_value(Tags.current)[0][0] == pytest.approx(session.dataset.points[target, 0])


def test_a_number_typed_in_points_or_seed_is_taken_when_the_field_is_left_without_enter(panels):
    """Typing 300 in points and clicking elsewhere, or typing a seed and pressing
    Tab, used to drop what was typed: only Enter took it."""
    app, driver = panels
    session = app.session
    assert (session.document.dataset.points, session.document.dataset.seed) != (300, 7)
    for field, text, leave in ((Tags.points, "300", "click"), (Tags.seed, "7", "Tab")):
        x, y, width, height = driver.item_rect(field)
        driver.click(x + min(20, width / 4), y + height / 2)
        driver.key("ctrl+a")
        driver.type_text(text)
        if leave == "Tab":
            driver.key("Tab")
        else:
            driver.click(*driver.item_center(Tags.key))  # on the window's plain text
        driver.frames(2)
        assert dpg.get_value(field) == int(text)
    assert session.document.dataset.points == 300
    assert session.document.dataset.seed == 7
    assert len(session.dataset.labels) == 300
    x, y, width, height = driver.item_rect(Tags.points)
    driver.click(x + min(20, width / 4), y + height / 2)
    driver.key("ctrl+a")
    driver.type_text("3")
    driver.key("Escape")  # puts the field back: nothing changes, no undo step
    driver.frames(2)
    assert session.document.dataset.points == 300 and dpg.get_value(Tags.points) == 300
    session.undo()  # the seed's step, not an empty one of the Esc
    assert session.document.dataset.points == 300 and session.document.dataset.seed != 7


def test_typing_a_sample_index_moves_the_highlight(panels):
    app, driver = panels
    type_into(driver, Tags.sample, "17")
    assert app.session.sample_index == 17
    driver.frames(2)
    x, y = app.session.dataset.points[17]
    shown = dpg.get_value(Tags.current)
    assert (shown[0][0], shown[1][0]) == pytest.approx((x, y))


def test_the_plus_button_steps_to_the_next_sample(panels):
    app, driver = panels
    x, y, width, height = driver.item_rect(Tags.sample)
    driver.click(x + dpg.get_item_width(Tags.sample) - height / 2, y + height / 2)
    driver.frames(2)
    assert app.session.sample_index == 1


def test_a_nudge_redraws_the_surface_at_once(panels):
    app, driver = panels
    before = np.array(dpg.get_value(Tags.texture))
    output_bias = app.session.document.params()[-1]  # the builder made the output's bias last
    app.session.edit("set_value", output_bias.id, 3.0)  # a nudge, as a drag on the canvas makes
    assert app.session.surface_stale
    driver.frames_until(lambda: not app.session.surface_stale, "the surface redrawn")
    after = np.array(dpg.get_value(Tags.texture))
    assert after[0::4].mean() > before[0::4].mean() + 0.05  # redder: the output moved towards +1


def test_while_training_the_surface_redraws_each_time_its_interval_has_passed(panels, monkeypatch):
    """Counted against a clock the test moves, not the wall clock: how many redraws a second the
    machine manages is a benchmark figure (benchmarks/bench_gui.py), not a test."""
    app, driver = panels
    clock = [time.perf_counter()]
    monkeypatch.setattr(dataset_window, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    driver.click(*driver.item_center(TrainingTags.play))
    driver.frames_until_trained(lambda: app.session.trainer.metrics.steps > 0, "its first steps")
    clock[0] += dataset_window.PLAYING_INTERVAL
    driver.frames(2)
    assert app.session.playing
    refreshes = app.dataset.refresh_count
    driver.frames(4)  # the clock stands still: the worker's params leave it stale, none redraws it
    assert app.dataset.refresh_count == refreshes
    for _ in range(5):
        # the worker sends params about 25 times a second: wait for some, then let time pass
        driver.frames_until_trained(lambda: app.session.surface_stale, "new params")
        clock[0] += dataset_window.PLAYING_INTERVAL
        driver.frames(1)
    assert app.dataset.refresh_count == refreshes + 5


def test_the_key_for_your_own_points_wraps_inside_the_window(panels, tmp_path):
    """The key of the custom data's clicks is long: it ran past the window's edge ("right-click:
    sample" cut off). It wraps at the edge instead."""
    app, driver = panels
    choose_in_combo(driver, Tags.name, dataset_window.CUSTOM, available_datasets() + [dataset_window.CUSTOM])
    driver.frames(3)
    assert dpg.get_value(Tags.key) == dataset_window.CUSTOM_KEY_TEXT
    key_x, key_y, key_width, key_height = driver.item_rect(Tags.key)
    window_x, _, window_width, _ = driver.item_rect(Tags.window)
    assert key_x + key_width <= window_x + window_width
    assert key_height > 1.5 * dpg.get_text_size("click")[1]  # on two lines
    driver.screenshot(tmp_path / "custom-key.png")


def test_every_control_fits_the_window_in_a_900_pixel_wide_viewport(monkeypatch, tmp_path):
    """At 900x600 the window is 360 pixels wide: 'points' and 'seed' ran past its edge, cut off."""
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    panels, driver = PanelsApp(perceptrons_on_donut()), None
    try:
        panels.app.build(900, 600)
        driver = Driver(panels.session.title, frame=panels.app.run_frame)
        driver.frames(3)
        left, _ = dpg.get_item_pos(Tags.window)
        right = left + dpg.get_item_width(Tags.window) - 8  # the window's padding
        for control in (Tags.name, Tags.points, Tags.noise, Tags.test_fraction, Tags.seed,
                        Tags.sample, Tags.key):
            x, _, width, _ = driver.item_rect(control)  # the label included
            assert x + width <= right, f"{control} ends at {x + width}, past {right}"
        session = panels.session
        session.edit("rename", session.document.result, "the network's final answer, after every layer")
        driver.frames(2)
        x, _, width, height = driver.item_rect(Tags.heading)  # a long heading wraps at the edge
        assert "the network's final answer, after every layer" in dpg.get_value(Tags.heading)
        assert x + width <= right and height > 1.5 * dpg.get_text_size("shading")[1]
        driver.screenshot(tmp_path / "dataset-900x600.png")
    finally:
        close_panels(panels, driver)
