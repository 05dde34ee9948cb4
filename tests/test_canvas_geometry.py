"""The canvas's geometry without a window (mlgarden/gui/geometry.py, gui/view.py): zoom about a
point, fit, hit tests, free space, node boxes that match the layout's heights, the saved view."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgarden.document.build import Builder
from mlgarden.document.graph import Document
from mlgarden.document.layout import node_height
from mlgarden.files import fileformat
from mlgarden.gui import geometry
from mlgarden.gui.geometry import Boxes, ViewTransform
from mlgarden.gui.view import saved_view, view_to_save
from mlgarden import shipped

coordinate = st.floats(-5000, 5000, allow_nan=False)
zooms = st.floats(geometry.MIN_ZOOM, geometry.MAX_ZOOM)
canvas_points = st.tuples(st.floats(0, 1200), st.floats(0, 800))


@given(coordinate, coordinate, zooms, canvas_points, st.floats(0.01, 10))
def test_zooming_about_a_point_keeps_the_document_point_under_it(x, y, zoom, point, factor):
    view = ViewTransform((x, y), zoom)
    zoomed = view.zoomed_about(point, zoom * factor)
    assert geometry.MIN_ZOOM <= zoomed.zoom <= geometry.MAX_ZOOM
    assert zoomed.to_document(point) == pytest.approx(view.to_document(point), abs=1e-6)


@given(coordinate, coordinate, zooms, canvas_points)
def test_canvas_and_document_points_are_inverses(x, y, zoom, point):
    view = ViewTransform((x, y), zoom)
    assert view.to_canvas(view.to_document(point)) == pytest.approx(point, abs=1e-6)


@given(st.lists(st.tuples(coordinate, coordinate, st.floats(10, 300), st.floats(10, 300)),
                min_size=1, max_size=40),
       st.tuples(st.floats(300, 1600), st.floats(200, 900)))
def test_fit_shows_every_rectangle_inside_the_canvas(rects, size):
    boxes = Boxes({f"n{i}": (x, y, x + w, y + h) for i, (x, y, w, h) in enumerate(rects)})
    view = geometry.fit_view(boxes.bounds(), size)
    left, top, right, bottom = view.visible_rect(size)
    if view.zoom > geometry.FIT_MIN_ZOOM:
        assert boxes.bounds()[0] >= left - 1e-6 and boxes.bounds()[1] >= top - 1e-6
        assert boxes.bounds()[2] <= right + 1e-6 and boxes.bounds()[3] <= bottom + 1e-6
    assert view.zoom <= 1.0


@given(st.lists(st.tuples(coordinate, coordinate, st.floats(10, 300), st.floats(10, 300)),
                min_size=1, max_size=40),
       st.tuples(st.floats(300, 1600), st.floats(200, 900)))
def test_a_fit_keeps_the_graph_off_the_minimap_in_the_corner(rects, size):
    """At 900x600 the fitted final-boss ran under the minimap (its bottom-right corner)."""
    corner = (190.0, 130.0)
    boxes = Boxes({f"n{i}": (x, y, x + w, y + h) for i, (x, y, w, h) in enumerate(rects)})
    bounds = boxes.bounds()
    view = geometry.fit_view_clear_of_corner(bounds, size, corner)
    plain = geometry.fit_view(bounds, size)
    right, bottom = plain.to_canvas(bounds[2:])
    if right <= size[0] - corner[0] or bottom <= size[1] - corner[1]:
        assert view == plain  # clear of it already: the fit as ever
    elif view.zoom > geometry.FIT_MIN_ZOOM:
        left, top = view.to_canvas(bounds[:2])
        right, bottom = view.to_canvas(bounds[2:])
        assert left >= -1e-6 and top >= -1e-6 and right <= size[0] + 1e-6 and bottom <= size[1] + 1e-6
        assert right <= size[0] - corner[0] + 1e-6 or bottom <= size[1] - corner[1] + 1e-6


def test_a_wide_graph_is_fitted_above_the_minimap_and_a_tall_one_beside_it():
    corner = (190.0, 130.0)
    wide, tall, canvas = (0, 0, 2000, 1600), (0, 0, 1600, 2000), (540, 546)  # canvas at 900x600
    for bounds in (wide, tall):  # the plain fit, centred, runs under the minimap
        right, bottom = geometry.fit_view(bounds, canvas).to_canvas(bounds[2:])
        assert right > 540 - 190 and bottom > 546 - 130
    right, bottom = geometry.fit_view_clear_of_corner(wide, canvas, corner).to_canvas(wide[2:])
    assert bottom <= 546 - 130 and right > 540 - 190  # above it
    right, bottom = geometry.fit_view_clear_of_corner(tall, canvas, corner).to_canvas(tall[2:])
    assert right <= 540 - 190 and bottom > 546 - 130  # beside it


def test_a_small_graph_is_fitted_at_full_size_with_its_corner_in_view():
    view = geometry.fit_view((40, 60, 400, 300), (800, 600))
    assert view.zoom == 1.0
    assert view.to_canvas((40, 60)) == (geometry.SMALL_MARGIN, geometry.SMALL_MARGIN)


def test_hit_tests_find_the_topmost_node_and_the_nodes_a_box_touches():
    boxes = Boxes({"a": (0, 0, 100, 50), "b": (80, 40, 200, 120), "c": (500, 500, 600, 560)})
    assert boxes.at((90, 45)) == "b"  # drawn last, on top
    assert boxes.all_at((90, 45)) == ["b", "a"]
    assert boxes.at((300, 300)) is None
    assert boxes.at((-3, 10), slack=5) == "a"
    assert sorted(boxes.touching((150, 100, 520, 510))) == ["b", "c"]
    assert boxes.bounds(["a", "c"]) == (0, 0, 600, 560)
    assert Boxes({}).bounds() is None


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=0, max_size=25),
       st.tuples(coordinate, coordinate))
def test_a_free_position_covers_no_box(corners, wanted):
    boxes = Boxes({f"n{i}": (x * 50, y * 50, x * 50 + 150, y * 50 + 100)
                   for i, (x, y) in enumerate(corners)})
    x, y = geometry.free_position(boxes, (150, 100), wanted)
    assert not boxes.touching((x + 1, y + 1, x + 149, y + 99))


def test_a_free_position_is_the_wanted_one_when_it_is_free_and_stays_in_view():
    boxes = Boxes({"a": (0, 0, 150, 100)})
    assert geometry.free_position(boxes, (150, 100), (400, 400)) == (400, 400)
    x, y = geometry.free_position(boxes, (150, 100), (10, 10), view_rect=(-500, -500, 800, 800))
    assert not boxes.touching((x, y, x + 150, y + 100))
    assert -500 <= x and x + 150 <= 800 and -500 <= y and y + 100 <= 800


def test_the_level_of_detail_by_zoom():
    assert geometry.level_of_detail(1.0) == "full"
    assert geometry.level_of_detail(0.6) == "full"
    assert geometry.level_of_detail(0.5) == "compact"
    assert geometry.level_of_detail(0.25) == "compact"
    assert geometry.level_of_detail(0.2) == "block"


def test_node_boxes_are_as_tall_as_the_layout_thinks_in_every_example():
    for path in shipped.example_files():
        document = fileformat.load(path)
        for node_id, node in document.nodes.items():
            box = geometry.node_box(document, node_id)
            if node.op != "call":
                assert box.height == node_height(document, node_id), (path.name, node_id)
            assert len(box.input_rows) == document.pin_count(node_id)
            assert len(box.outputs) == document.output_count(node_id)


def test_a_link_is_near_its_curve_and_not_far_from_it():
    points = geometry.bezier_points((0, 0), (200, 100))
    assert geometry.distance_to_polyline((100, 50), points) < 1.0  # the curve's middle
    assert geometry.distance_to_polyline((100, 300), points) > 150


def test_link_widths_grow_with_the_gradient_on_a_log_scale():
    assert geometry.link_width(None, 1.0) == 1.0
    assert geometry.link_width(0.0, 1.0) == 1.0
    widths = [geometry.link_width(g, 1.0) for g in (1e-6, 1e-3, 1e-2, 1.0)]
    assert widths == sorted(widths) and widths[0] == 1.0 and widths[-1] == 5.0
    assert geometry.link_width(-1.0, 1.0) == 5.0  # the size, not the sign


def test_the_view_is_saved_with_its_zoom_and_read_back():
    document = Document()
    assert saved_view(document) is None
    document.view = view_to_save(ViewTransform((12.5, -40.0), 0.5))
    assert document.view == {"origin": [12.5, -40], "zoom": 0.5}
    assert saved_view(document) == ViewTransform((12.5, -40.0), 0.5)
    document.view = {"origin": [10, 20]}  # written before there was zoom: 100%
    assert saved_view(document) == ViewTransform((10.0, 20.0), 1.0)
    document.view = {"origin": [10, 20], "zoom": "close"}
    assert saved_view(document).zoom == 1.0
    document.view = {"origin": [10, 20], "zoom": 99}
    assert saved_view(document).zoom == geometry.MAX_ZOOM
    document.view = {"origin": ["a", 20]}
    assert saved_view(document) is None


def test_a_saved_view_survives_the_file(tmp_path):
    builder = Builder(seed=1)
    builder.param(0.5, label="w")
    document = builder.finish(arrange=True)
    document.view = view_to_save(ViewTransform((-30.25, 14.0), 1.75))
    fileformat.save(document, tmp_path / "g.yaml")
    assert saved_view(fileformat.load(tmp_path / "g.yaml")) == ViewTransform((-30.25, 14.0), 1.75)


def test_a_canvas_no_taller_than_the_minimap_keeps_the_plain_fit():
    """No room above the minimap: the 'above' fit had a negative height and, at the least zoom,
    centred the graph off the canvas's top."""
    corner, bounds = (190.0, 130.0), (0, 0, 100_000, 100_000)  # the least zoom, whatever the fit
    for canvas in ((180, 120), (540, 120), (150, 500)):
        assert geometry.fit_view_clear_of_corner(bounds, canvas, corner) == geometry.fit_view(bounds, canvas)
