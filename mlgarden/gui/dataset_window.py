"""The Dataset window: which data the graph learns from, and what the graph makes of the plane.

The window shows the data points over the *decision surface*, the result node evaluated at every
cell of a grid covering the data (blue where it says -1, white at 0, red at +1), with a colour bar
beside it. Training points are circles with a white edge, test points squares with a black edge;
the current sample, the point whose values the canvas shows, has a black ring. A left click in the
plot's area (inside its axes; the frame around them takes no clicks) makes the nearest point the
current sample; on your own data ("custom") a click adds a +1 point, shift+click a -1 point and
ctrl+click removes the nearest (each one undo step), and a right click picks the sample.

A heading above the plot names what is shaded: the result, or the node selected on the canvas
(`Session.plane_node`), whose values get their own symmetric colour scale (the colour bar
follows); "Show the result" or Escape goes back.

Its rules, as in every panel:

- Each widget callback only unpacks its arguments and calls one plain method (`choose_dataset`,
  `set_points`, `pick`, ...), which is what tests call too; data settings go through
  `session.edit('set_dataset', ...)`, which validates them, reloads the data and can be undone.
- `update()` runs once a frame and stays cheap. The surface is the one costly thing here (one
  forward pass of the graph over `SURFACE_RESOLUTION`² points plus the colouring): it is redrawn
  when the session says it is stale, at most every `PLAYING_INTERVAL` seconds while training
  (every step changes the params) and at most every `EDITING_INTERVAL` seconds otherwise, so a
  nudge shows at once and a long drag of a value does not redraw every frame.
- The surface is a dynamic texture of float32 RGBA (a float64 buffer shows garbage), drawn by an
  image series spanning the data bounds. Over it a second image series draws the data points,
  painted into a texture of their own at the plot area's size (gui/plane_picture.py) when the
  data changes (data of over PAINT_AT_ONCE_UP_TO points once it has held for
  RESIZE_SETTLE_SECONDS: 100,000 points take over a second), and when the plot's size changes
  once the new size has held as long (the old picture is shown meanwhile): plot markers would
  cost a software-drawn frame a quarter of its CPU. That texture is a static one, made anew each
  time (Dear PyGui uploads a dynamic texture every frame, changed or not). Only the current
  sample's ring is a plot marker.
"""

from __future__ import annotations

import time

import dearpygui.dearpygui as dpg
import numpy as np

from mlgarden.document.custom_points import CUSTOM
from mlgarden.gui import menus, plane_picture
from mlgarden.gui.plane_picture import TEST_MARKER, TRAIN_MARKER, PictureSize
from mlgarden.learning.datasets import available_datasets
from mlgarden.gui.shown_values import ShownValues, when_left
from mlgarden.session import Session
from mlgarden.learning.surface import BLUE, RED, WHITE, colours, symmetric_scale

SURFACE_RESOLUTION = 128
PLAYING_INTERVAL = 0.2  # seconds between surface redraws while training (5 a second)
EDITING_INTERVAL = 0.05  # seconds between surface redraws while a value is being dragged
COLOUR_BAR_WIDTH = 56
PLOT_SIDE = 300  # the plot's side until the window is measured (_fit_plot)
PLOT_MIN_SIDE = 120
PLOT_BOTTOM_MARGIN = 10  # below the plot, inside the window
# What ImPlot's axes take of a square plot's side, across (twice its 10-pixel padding, the y axis's
# labels, "-1.5" in the bundled font, and 5 pixels) and down (the padding, a line of the x axis's
# labels and 5): the rest is the plot area, which the points' picture fills one texel a pixel
# (ImPlot does not say the area's size; measured by hovering, tests/gui/test_dataset_window.py).
# A picture a few texels smaller than the area is stretched over it, and every marker's edge blurs:
# so do wider labels (your own data far from 0: "-5000").
AXES_ACROSS = 52
AXES_DOWN = 41
RESIZE_SETTLE_SECONDS = 0.1
# New data of at most this many points is painted at once (about 50 ms on this machine's software
# drawing); more, once the data has held for RESIZE_SETTLE_SECONDS, so a noise drag stays smooth.
# By count, not by a timing, so it does the same on every machine and under any load.
PAINT_AT_ONCE_UP_TO = 5000
# Every row of controls fits the window docked in a 900-pixel-wide viewport (360 wide; the widest
# row, points beside the dataset, ends 333 pixels in): "points" and "seed" were cut off there.
CONTROL_WIDTH = 80
COMBO_WIDTH = 140  # "ring_and_disc" and the arrow
KEY_TEXT = "  circles: train, squares: test, ring: sample"
CUSTOM_KEY_TEXT = "  click +1, shift+click -1, ctrl+click removes, right-click: sample"
NO_RESULT_HEADING = "nothing to shade: the graph has no result node"
HEADING_COLOUR = (250, 180, 80, 255)
MUTED_COLOUR = (160, 160, 160, 255)


class Tags:
    """Every widget tag of the window, prefixed so none can collide with another window's."""

    window = "dataset_window"
    name = "dataset_name"
    points = "dataset_points"
    noise = "dataset_noise"
    seed = "dataset_seed"
    test_fraction = "dataset_test_fraction"
    sample = "dataset_sample"
    textures = "dataset_textures"
    texture = "dataset_surface_texture"
    colormaps = "dataset_colormaps"
    colormap = "dataset_colormap"
    colour_bar = "dataset_colour_bar"
    plot = "dataset_plot"
    x_axis = "dataset_x_axis"
    y_axis = "dataset_y_axis"
    surface = "dataset_surface_series"
    markers = "dataset_markers_series"  # the data points, painted into one texture
    current = "dataset_current_sample"
    plot_handlers = "dataset_plot_handlers"
    key = "dataset_key"
    heading = "dataset_heading"
    show_result = "dataset_show_result"
    slider_handlers = "dataset_slider_handlers"


def _rgba255(colour: np.ndarray, alpha: int = 255) -> list[int]:
    return [int(round(255 * channel)) for channel in colour] + [alpha]


def _ring_theme():
    """The current sample's look: a black ring, no fill."""
    with dpg.theme() as theme:
        with dpg.theme_component(dpg.mvScatterSeries):
            dpg.add_theme_color(dpg.mvPlotCol_MarkerFill, [0, 0, 0, 0], category=dpg.mvThemeCat_Plots)
            dpg.add_theme_color(dpg.mvPlotCol_MarkerOutline, [0, 0, 0, 255], category=dpg.mvThemeCat_Plots)
            dpg.add_theme_style(dpg.mvPlotStyleVar_Marker, dpg.mvPlotMarker_Circle,
                                category=dpg.mvThemeCat_Plots)
            dpg.add_theme_style(dpg.mvPlotStyleVar_MarkerSize, 8.0, category=dpg.mvThemeCat_Plots)
            dpg.add_theme_style(dpg.mvPlotStyleVar_MarkerWeight, 2.5, category=dpg.mvThemeCat_Plots)
    return theme


def _see_through_theme():
    """No background for the plot and the colour bar: the picture covers the plot area, and the
    window's own backdrop shows around them (fewer pixels painted each frame)."""
    with dpg.theme() as theme:
        with dpg.theme_component(dpg.mvAll):
            for colour in (dpg.mvPlotCol_FrameBg, dpg.mvPlotCol_PlotBg):
                dpg.add_theme_color(colour, [0, 0, 0, 0], category=dpg.mvThemeCat_Plots)
    return theme


def picture_size(plot_side: int) -> PictureSize:
    """The plot area of a square plot of `plot_side` pixels, as the picture's texels."""
    return PictureSize(width=max(plot_side - AXES_ACROSS, 16), height=max(plot_side - AXES_DOWN, 16))


class DatasetWindow:
    """The Dataset window over one Session."""

    def __init__(self, session: Session, resolution: int = SURFACE_RESOLUTION):
        self.session = session
        self.resolution = resolution
        self.last_refresh_seconds = 0.0  # what the last surface redraw cost
        self.refresh_count = 0
        self._due_at = 0.0  # perf_counter time at which a stale surface may be redrawn
        self._shown = ShownValues()
        self._shown_data = None  # the session's dataset object whose bounds the plot shows
        self._shown_sample: tuple | None = None
        self._plot_side = PLOT_SIDE
        self._resized_at = 0.0  # perf_counter time of the plot's last change of size
        self._painted: tuple | None = None  # (dataset, PictureSize) the points' texture shows
        self._data_shown_at = 0.0  # perf_counter time the plot's bounds took the data shown
        self.points_layer: np.ndarray | None = None  # the markers painted, premultiplied RGBA
        self._points_texture: int | None = None
        self._mouse_seen: tuple | None = None  # (screen, plot) mouse positions at the last frame
        self._over_plot_area = False  # where a click means a point: see _follow_the_mouse

    # --- building ---------------------------------------------------------------------------

    def build(self) -> str:
        blank = np.ones(self.resolution * self.resolution * 4, dtype=np.float32)
        with dpg.texture_registry(tag=Tags.textures):
            dpg.add_dynamic_texture(self.resolution, self.resolution, blank, tag=Tags.texture)
            self._points_texture = dpg.add_static_texture(1, 1, [0.0] * 4)  # until the data shows
        with dpg.colormap_registry(tag=Tags.colormaps):
            dpg.add_colormap([_rgba255(BLUE), _rgba255(WHITE), _rgba255(RED)], qualitative=False,
                             tag=Tags.colormap)
        with dpg.window(label="Dataset", tag=Tags.window, no_close=True):
            self._build_controls()
            with dpg.group(horizontal=True):
                self._build_plot()
                dpg.add_colormap_scale(tag=Tags.colour_bar, colormap=Tags.colormap, min_scale=-1.0,
                                       max_scale=1.0, width=COLOUR_BAR_WIDTH, format="%+.1f")
        see_through = _see_through_theme()
        dpg.bind_item_theme(Tags.plot, see_through)
        dpg.bind_item_theme(Tags.colour_bar, see_through)
        with dpg.item_handler_registry(tag=Tags.plot_handlers):
            dpg.add_item_clicked_handler(dpg.mvMouseButton_Left,
                                         callback=lambda: self.clicked_at_mouse(*menus.modifiers()))
            dpg.add_item_clicked_handler(dpg.mvMouseButton_Right,
                                         callback=lambda: self.pick_at_mouse())
        dpg.bind_item_handler_registry(Tags.plot, Tags.plot_handlers)
        with dpg.item_handler_registry(tag=Tags.slider_handlers):
            dpg.add_item_deactivated_handler(callback=lambda: self.session.end_gesture())
        for slider in (Tags.noise, Tags.test_fraction):
            dpg.bind_item_handler_registry(slider, Tags.slider_handlers)
        when_left((Tags.points, Tags.seed), self.field_left)
        self._show_settings()
        return Tags.window

    def _build_controls(self) -> None:
        with dpg.group(horizontal=True):
            dpg.add_combo(available_datasets() + [CUSTOM], tag=Tags.name, width=COMBO_WIDTH,
                          label="dataset", height_mode=dpg.mvComboHeight_Large,
                          callback=lambda sender, name: self.choose_dataset(name))
            dpg.add_input_int(tag=Tags.points, label="points", width=CONTROL_WIDTH, step=0)
        with dpg.group(horizontal=True):
            dpg.add_slider_float(tag=Tags.noise, label="noise", width=CONTROL_WIDTH,
                                 min_value=0.0, max_value=1.0, clamped=True, format="%.2f",
                                 callback=lambda sender, noise: self.set_noise(noise))
            dpg.add_slider_float(tag=Tags.test_fraction, label="test", width=CONTROL_WIDTH,
                                 min_value=0.0, max_value=0.9, clamped=True, format="%.2f",
                                 callback=lambda sender, fraction: self.set_test_fraction(fraction))
            dpg.add_input_int(tag=Tags.seed, label="seed", width=CONTROL_WIDTH // 2 + 10, step=0)
        with dpg.group(horizontal=True):
            dpg.add_input_int(tag=Tags.sample, label="sample", width=CONTROL_WIDTH,
                              callback=lambda sender, index: self.set_sample(index))
            dpg.add_text(KEY_TEXT, tag=Tags.key, color=MUTED_COLOUR, wrap=0)  # at the window edge
        with dpg.group(horizontal=True):  # the button first: a long heading cannot push it away
            dpg.add_button(label="Show the result (Esc)", tag=Tags.show_result, show=False,
                           callback=lambda: self.show_result())
            dpg.add_text("", tag=Tags.heading, color=HEADING_COLOUR, wrap=0)  # at the window edge

    def _build_plot(self) -> None:
        with dpg.plot(tag=Tags.plot, width=PLOT_SIDE, height=PLOT_SIDE, no_menus=True,
                      no_box_select=True, no_mouse_pos=True):
            dpg.add_plot_axis(dpg.mvXAxis, tag=Tags.x_axis, no_gridlines=True)
            with dpg.plot_axis(dpg.mvYAxis, tag=Tags.y_axis, no_gridlines=True):
                dpg.add_image_series(Tags.texture, (-1.0, -1.0), (1.0, 1.0), tag=Tags.surface)
                dpg.add_image_series(self._points_texture, (-1.0, -1.0), (1.0, 1.0), tag=Tags.markers)
                dpg.add_scatter_series([], [], tag=Tags.current)
                dpg.bind_item_theme(Tags.current, _ring_theme())

    # --- what the widgets do ----------------------------------------------------------------

    def choose_dataset(self, name: str) -> None:
        if name == CUSTOM and not self.session.document.custom_points:
            self.session.use_custom_points()  # your own data starts as the points shown
            self._show_settings()
            return
        self._edit(name=name)

    def field_left(self, field: str) -> None:
        """Take the number typed in the points or seed field once the field is left (`when_left`)."""
        typed = int(dpg.get_value(field))
        settings = self.session.document.dataset
        if field == Tags.points and typed != settings.points:
            self.set_points(typed)
        elif field == Tags.seed and typed != settings.seed:
            self.set_seed(typed)

    def set_points(self, count: int) -> None:
        self._edit(points=int(count))

    def set_noise(self, noise: float) -> None:
        self._edit(noise=round(float(noise), 3), merge_key=Tags.noise)

    def set_seed(self, seed: int) -> None:
        self._edit(seed=int(seed))

    def set_test_fraction(self, fraction: float) -> None:
        self._edit(test_fraction=round(float(fraction), 3), merge_key=Tags.test_fraction)

    def set_sample(self, index: int) -> None:
        self.session.set_sample(int(index))

    def pick(self, x: float, y: float) -> None:
        """Make the data point nearest to plot coordinates (x, y) the current sample."""
        self.session.set_sample(self.session.nearest_sample(x, y))

    def pick_at_mouse(self) -> None:
        self._follow_the_mouse()  # the click's frame may have moved it
        if self._over_plot_area:
            self.pick(*dpg.get_plot_mouse_pos())

    def clicked(self, x: float, y: float, ctrl: bool, shift: bool) -> None:
        """A left click at plot coordinates (x, y): on your own data, click adds a +1 point,
        shift+click a -1 point and ctrl+click removes the nearest; elsewhere it picks the sample."""
        if self.session.document.dataset.name != CUSTOM:
            self.pick(x, y)
        elif ctrl:
            self.session.remove_nearest_point(x, y)
        else:
            self.session.add_point(x, y, -1.0 if shift else 1.0)

    def clicked_at_mouse(self, ctrl: bool, shift: bool) -> None:
        self._follow_the_mouse()  # the click's frame may have moved it, onto the frame
        if self._over_plot_area:  # not the frame around the axes: a stray point at the last place
            self.clicked(*dpg.get_plot_mouse_pos(), ctrl, shift)

    def show_result(self) -> None:
        self.session.show_on_plane(None)

    def _edit(self, merge_key: object = None, **changes) -> None:
        if self.session.edit("set_dataset", merge_key=merge_key, **changes) is None:
            self._shown.forget()  # refused: show the document's values again
        self._show_settings()

    # --- each frame -------------------------------------------------------------------------

    def update(self) -> None:
        self._follow_the_mouse()
        self._show_settings()
        self._show_heading()
        self._fit_plot()
        if self.session.dataset is not self._shown_data:
            self._show_data()
        self._paint_points_when_due()
        self._show_sample()
        if self._surface_due():
            self.refresh_surface()

    def _follow_the_mouse(self) -> None:
        """Learn whether the mouse is over the plot's area, inside its axes. ImPlot gives the plot
        coordinates of the mouse only there: over the frame around the axes get_plot_mouse_pos
        keeps the last ones, so a mouse that moved while they stood still is outside the area.
        They follow a frame late a mouse come from another window, so coordinates that change
        while it stands still mean it is over the area (as do axes that change under it). Called
        each frame and before a click is taken: a click's frame may have moved the mouse. A click
        in the very frame the mouse came from another window is not taken (its coordinates are
        not known yet)."""
        screen, plot = tuple(dpg.get_mouse_pos(local=False)), tuple(dpg.get_plot_mouse_pos())
        if self._mouse_seen is not None:
            if plot != self._mouse_seen[1]:
                self._over_plot_area = True
            elif screen != self._mouse_seen[0]:
                self._over_plot_area = False
        self._mouse_seen = (screen, plot)

    def _show_settings(self) -> None:
        settings = self.session.document.dataset
        self._shown.set(Tags.name, settings.name)
        self._shown.set(Tags.points, settings.points)
        self._shown.set(Tags.seed, settings.seed)
        for tag, value in ((Tags.noise, settings.noise), (Tags.test_fraction, settings.test_fraction)):
            if not dpg.is_item_active(tag):
                self._shown.set(tag, value)

    def _show_heading(self) -> None:
        """What the plane shows; a node's own colour scale is given by `refresh_surface`."""
        shaded = self.session.plane_heading()
        self._shown.set(Tags.heading, f"shading the {shaded}" if shaded else NO_RESULT_HEADING)
        self._shown.set(Tags.show_result, self.session.plane_node() is not None, "show")
        custom = self.session.document.dataset.name == CUSTOM
        self._shown.set(Tags.key, CUSTOM_KEY_TEXT if custom else KEY_TEXT)

    def _fit_plot(self) -> None:
        """Keep the plot square (so a circle looks round) and as big as the window allows."""
        width, height = dpg.get_item_rect_size(Tags.window)
        top = dpg.get_item_pos(Tags.plot)[1]  # relative to the window
        side = int(min(width - COLOUR_BAR_WIDTH - 32, height - top - PLOT_BOTTOM_MARGIN))
        side = max(side, PLOT_MIN_SIDE)
        if side != self._plot_side:
            self._plot_side = side
            self._resized_at = time.perf_counter()
            dpg.configure_item(Tags.plot, width=side, height=side)
            dpg.configure_item(Tags.colour_bar, height=side)

    def min_height(self) -> int:
        """The window's height that shows the controls and the plot at its smallest."""
        return int(dpg.get_item_pos(Tags.plot)[1]) + PLOT_MIN_SIDE + PLOT_BOTTOM_MARGIN

    def _show_data(self) -> None:
        session = self.session
        self._shown_data, self._data_shown_at = session.dataset, time.perf_counter()
        xmin, xmax, ymin, ymax = session.bounds()
        for series in (Tags.surface, Tags.markers):
            dpg.configure_item(series, bounds_min=(xmin, ymin), bounds_max=(xmax, ymax))
        dpg.set_axis_limits(Tags.x_axis, xmin, xmax)
        dpg.set_axis_limits(Tags.y_axis, ymin, ymax)

    def _paint_points_when_due(self) -> None:
        """Paint the points again for new data at once (data of over PAINT_AT_ONCE_UP_TO points
        once it has held for RESIZE_SETTLE_SECONDS); for a new plot size once the size has held
        as long. Meanwhile the old picture is shown, so a resize drag or a noise drag over many
        points does not paint every frame. Called after `_show_data`, which notes when the data
        came."""
        wanted = (self.session.dataset, picture_size(self._plot_side))
        if wanted == self._painted:
            return
        now = time.perf_counter()
        if self._painted is None or self._painted[0] is not wanted[0]:
            due = (len(wanted[0].labels) <= PAINT_AT_ONCE_UP_TO
                   or now - self._data_shown_at >= RESIZE_SETTLE_SECONDS)
        else:
            due = now - self._resized_at >= RESIZE_SETTLE_SECONDS
        if due:
            self._paint_points(wanted[1])
            self._painted = wanted

    def points_are_current(self) -> bool:
        """Whether the points' picture shows the session's data (it may wait, see above)."""
        return self._painted is not None and self._painted[0] is self.session.dataset

    def _paint_points(self, size: PictureSize) -> None:
        """Paint the data's markers at `size` into a new texture for their series."""
        session = self.session
        self.points_layer = plane_picture.points_layer(size, session.bounds(), (
            (session.train_set.points, session.train_set.labels, TRAIN_MARKER),
            (session.test_set.points, session.test_set.labels, TEST_MARKER)))
        texels = plane_picture.overlay_texels(self.points_layer)
        old = self._points_texture
        self._points_texture = dpg.add_static_texture(size.width, size.height, texels, parent=Tags.textures)
        dpg.configure_item(Tags.markers, texture_tag=self._points_texture)
        dpg.delete_item(old)

    def _show_sample(self) -> None:
        session = self.session
        x, y, _ = session.sample()
        shown = (session.dataset, session.sample_index)
        if shown != self._shown_sample:
            self._shown_sample = shown
            dpg.set_value(Tags.current, [[x], [y]])
            self._shown.set(Tags.sample, session.sample_index)

    def _surface_due(self) -> bool:
        return self.session.surface_stale and time.perf_counter() >= self._due_at

    def refresh_surface(self) -> None:
        """Recompute the decision surface and give the texture its colours."""
        started = time.perf_counter()
        values = self.session.surface(self.resolution)
        if values is None:  # no computable result node: a grey plane
            values = np.full((self.resolution, self.resolution), np.nan, dtype=np.float32)
        scale = 1.0 if self.session.plane_node() is None else symmetric_scale(values)
        dpg.set_value(Tags.texture, colours(values / np.float32(scale)).ravel())
        self._shown.set(Tags.colour_bar, -scale, "min_scale")
        self._shown.set(Tags.colour_bar, scale, "max_scale")
        self.last_refresh_seconds = time.perf_counter() - started
        self.refresh_count += 1
        self._plan_next_refresh(started)

    def _plan_next_refresh(self, now: float) -> None:
        """The next redraw is due one interval after this one was due, so slow frames do not
        stretch the interval; after an idle spell it is one interval from now."""
        interval = PLAYING_INTERVAL if self.session.playing else EDITING_INTERVAL
        on_time = now - self._due_at < interval
        self._due_at = (self._due_at if on_time else now) + interval
