"""Proof that tests/gui/driver.py drives Dear PyGui with real X input.

A throwaway app (not mlgarden's): a drag-float and a node editor with node A (an output pin
on a drag-float) and node B (an input pin). Each test gets a fresh Dear PyGui context and
viewport, acts through xdotool, and checks the app's state or the pixels.
"""

import numpy as np
import pytest

import dearpygui.dearpygui as dpg
from driver import Driver
from mlgarden.files import png

pytestmark = pytest.mark.gui

TITLE = "mlgarden harness smoke"
TITLE_COLOUR = (200, 60, 60)
PIN_COLOUR = (250, 220, 40)


class SpikeApp:
    """State lives here; callbacks only record what Dear PyGui reported."""

    def __init__(self):
        self.links = []
        self.delinks = []
        self.deletions = []
        self.saves = 0

    def on_link(self, sender, pins):
        self.links.append(pins)
        dpg.add_node_link(pins[0], pins[1], parent=sender, tag="link")

    def on_delink(self, sender, link):
        self.delinks.append(link)
        dpg.delete_item(link)

    def on_delete_key(self):
        self.deletions.append(dpg.get_selected_nodes("editor"))

    def on_s_key(self):
        if dpg.is_key_down(dpg.mvKey_ModCtrl):
            self.saves += 1

    def build(self):
        with dpg.window(tag="main", label="main", pos=(10, 10), width=800, height=500):
            dpg.add_drag_float(tag="knob", label="knob", width=200)
            with dpg.node_editor(tag="editor", callback=self.on_link, delink_callback=self.on_delink):
                with dpg.node(tag="node_a", label="Node A", pos=(20, 20)):
                    with dpg.node_attribute(tag="a_out", attribute_type=dpg.mvNode_Attr_Output):
                        dpg.add_drag_float(tag="a_value", width=100)
                with dpg.node(tag="node_b", label="Node B", pos=(300, 100)):
                    with dpg.node_attribute(tag="b_in", attribute_type=dpg.mvNode_Attr_Input):
                        dpg.add_text("input")
        with dpg.handler_registry():
            dpg.add_key_press_handler(dpg.mvKey_Delete, callback=lambda: self.on_delete_key())
            dpg.add_key_press_handler(dpg.mvKey_S, callback=lambda: self.on_s_key())
        with dpg.theme() as node_a_theme:
            with dpg.theme_component(dpg.mvAll):
                for colour in (dpg.mvNodeCol_TitleBar, dpg.mvNodeCol_TitleBarHovered,
                               dpg.mvNodeCol_TitleBarSelected):
                    dpg.add_theme_color(colour, TITLE_COLOUR, category=dpg.mvThemeCat_Nodes)
                for colour in (dpg.mvNodeCol_Pin, dpg.mvNodeCol_PinHovered):
                    dpg.add_theme_color(colour, PIN_COLOUR, category=dpg.mvThemeCat_Nodes)
        dpg.bind_item_theme("node_a", node_a_theme)


@pytest.fixture
def spike():
    dpg.create_context()
    driver = None
    try:
        dpg.configure_app(manual_callback_management=True)
        dpg.create_viewport(title=TITLE, width=1280, height=800, x_pos=0, y_pos=0, vsync=False)
        app = SpikeApp()
        app.build()
        dpg.setup_dearpygui()
        dpg.show_viewport()
        driver = Driver(TITLE)
        yield app, driver
    finally:
        try:
            if driver is not None:
                driver.close()
        finally:
            dpg.destroy_context()


def test_dragging_a_drag_float_changes_its_value(spike):
    _, driver = spike
    x, y = driver.item_center("knob")
    driver.drag((x, y), (x + 100, y), steps=5)
    assert dpg.get_value("knob") == pytest.approx(100, abs=10)


def test_dragging_a_node_by_its_title_moves_it(spike):
    _, driver = spike
    before = dpg.get_item_pos("node_b")
    x, y = driver.node_title_point("node_b")
    driver.drag((x, y), (x + 100, y + 50), steps=5)
    assert dpg.get_item_pos("node_b") == [before[0] + 100, before[1] + 50]


def test_dragging_from_output_pin_to_input_pin_links_them_and_ctrl_click_unlinks(spike):
    app, driver = spike
    start, end = driver.pin_point("a_out"), driver.pin_point("b_in")
    driver.drag(start, end, steps=5)
    assert app.links == [("a_out", "b_in")]  # tags come back as the aliases we gave
    assert dpg.does_item_exist("link")

    # A link's bezier passes through the midpoint of its pins.
    driver.key_down("ctrl")
    driver.click((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    driver.key_up("ctrl")
    assert app.delinks == ["link"]
    assert not dpg.does_item_exist("link")


def test_clicking_a_node_then_delete_reaches_the_key_handler_with_it_selected(spike):
    app, driver = spike
    driver.click(*driver.node_title_point("node_b"))
    driver.key("Delete")
    assert app.deletions == [[dpg.get_alias_id("node_b")]]
    driver.key("ctrl+s")
    assert app.saves == 1


def test_typing_into_an_input_text(spike):
    _, driver = spike
    with dpg.window(pos=(700, 30), width=300, height=100):
        dpg.add_input_text(tag="name", width=200)
    driver.frames(2)
    driver.click(*driver.item_center("name"))
    driver.type_text("Hello, Garden 42")
    assert dpg.get_value("name") == "Hello, Garden 42"


def test_screenshot_shows_the_nodes_where_the_driver_says_they_are(spike, tmp_path):
    _, driver = spike
    pixels = driver.screenshot(tmp_path / "spike.png")
    assert pixels.shape == (800, 1280, 3)
    packed = pixels.astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.uint32)
    assert len(np.unique(packed)) > 20  # text, grid, frames: not blank

    def colour_at(point):
        return tuple(int(channel) for channel in pixels[round(point[1]), round(point[0])])

    title_x, title_y = driver.node_title_point("node_a")
    assert colour_at((title_x, title_y)) == TITLE_COLOUR
    node_x, node_y, node_width, _ = driver.item_rect("node_a")
    assert colour_at((node_x + 2, node_y + 4)) == TITLE_COLOUR  # the drawn corner...
    assert colour_at((node_x - 3, node_y + 4)) != TITLE_COLOUR  # ...and just outside it
    assert colour_at((node_x + node_width + 2, node_y + 4)) != TITLE_COLOUR
    assert colour_at(driver.pin_point("a_out")) == PIN_COLOUR
    # the file holds exactly these pixels, written by mlgarden's PNG writer (tests/test_render.py)
    assert (tmp_path / "spike.png").read_bytes() == png.encode(pixels)
