"""The Dataset window's data points as one picture (gui/plane_picture.py): markers painted into
a texture laid over the surface, headless (numpy only)."""

import numpy as np
import pytest

from mlgarden.gui.plane_picture import (
    BLACK_EDGE, TEST_MARKER, TRAIN_MARKER, WHITE_EDGE, PictureSize, overlay_texels, points_layer,
    texel_positions)
from mlgarden.learning.surface import BLUE, RED

SIZE = PictureSize(width=40, height=30)
BOUNDS = (-2.0, 2.0, -1.5, 1.5)  # 0.1 units a texel both ways: texel (column, row) is centred at
# x = -1.95 + 0.1 column, y = 1.45 - 0.1 row


def at(column: int, row: int) -> tuple[float, float]:
    """The plane's point at the centre of texel (column, row)."""
    return -1.95 + 0.1 * column, 1.45 - 0.1 * row


def layer_of(*point_sets):
    return points_layer(SIZE, BOUNDS, point_sets)


def test_texel_positions_put_the_bounds_on_the_pictures_edges_and_row_0_at_the_top():
    corners = np.array([[-2.0, 1.5], [2.0, -1.5], at(7, 3)])
    positions = texel_positions(corners, BOUNDS, SIZE)
    np.testing.assert_allclose(positions, [[-0.5, -0.5], [39.5, 29.5], [7, 3]], atol=1e-9)


@pytest.mark.parametrize("label, fill", [(1.0, RED), (-1.0, BLUE)])
def test_a_training_point_is_a_circle_of_its_labels_colour_with_a_white_edge(label, fill):
    rgba = layer_of((np.array([at(20, 15)]), np.array([label]), TRAIN_MARKER))
    np.testing.assert_allclose(rgba[15, 20], [*fill, 1.0], atol=1e-6)  # the centre
    edge = int(TRAIN_MARKER.radius - TRAIN_MARKER.edge / 2)  # the texel in the middle of the edge
    np.testing.assert_allclose(rgba[15, 20 + edge], [*WHITE_EDGE, 1.0], atol=1e-6)
    np.testing.assert_allclose(rgba[15 - edge, 20], [*WHITE_EDGE, 1.0], atol=1e-6)
    assert rgba[15 + 3, 20 + 3, 3] < 0.5  # a circle: its bounding square's corner is left clear
    assert rgba[15, 20 + 6, 3] == 0.0 and rgba[0, 0, 3] == 0.0  # nothing beyond it


def test_a_test_point_is_a_square_with_a_black_edge():
    rgba = layer_of((np.array([at(10, 10)]), np.array([1.0]), TEST_MARKER))
    np.testing.assert_allclose(rgba[10, 10], [*RED, 1.0], atol=1e-6)
    corner = int(TEST_MARKER.radius - TEST_MARKER.edge / 2)
    np.testing.assert_allclose(rgba[10 + corner, 10 + corner], [*BLACK_EDGE, 1.0], atol=1e-6)
    assert rgba[10 + corner + 1, 10 + corner + 1, 3] == 0.0


def test_a_point_between_texels_is_shaded_in_between():
    rgba = layer_of((np.array([(at(20, 15)[0] + 0.05, at(20, 15)[1])]), np.array([1.0]), TRAIN_MARKER))
    np.testing.assert_allclose(rgba[15, 20], rgba[15, 21], atol=1e-6)  # symmetric about the gap
    assert 0.0 < rgba[15, 24, 3] < 1.0 and 0.0 < rgba[15, 17, 3] < 1.0  # its soft edges


def test_where_markers_overlap_one_is_whole_in_front_and_test_points_are_in_front_of_training():
    same_place = np.array([at(20, 15), at(20, 15)])
    layer = layer_of((same_place, np.array([1.0, -1.0]), TRAIN_MARKER))
    np.testing.assert_allclose(layer[15, 20, :3], BLUE, atol=1e-6)  # the later one
    layer = layer_of((same_place[:1], np.array([-1.0]), TRAIN_MARKER),
                     (same_place[:1], np.array([1.0]), TEST_MARKER))
    np.testing.assert_allclose(layer[15, 20, :3], RED, atol=1e-6)


def test_many_points_laid_in_rounds_match_a_painter_laying_them_one_by_one():
    """Points far enough apart not to overlap: the picture is the sum of each marker alone."""
    columns, rows = np.meshgrid(np.arange(4, 40, 9), np.arange(4, 30, 9))
    points = np.array([at(column, row) for column, row in zip(columns.ravel(), rows.ravel())])
    labels = np.where(np.arange(len(points)) % 3 == 0, 1.0, -1.0)
    together = layer_of((points, labels, TRAIN_MARKER))
    one_by_one = sum(layer_of((points[i:i + 1], labels[i:i + 1], TRAIN_MARKER))
                     for i in range(len(points)))
    np.testing.assert_allclose(together, one_by_one, atol=1e-6)


def test_dense_points_are_each_painted_once_whole_or_under_whole_markers():
    rng = np.random.default_rng(3)
    points = rng.uniform([-2, -1.5], [2, 1.5], size=(600, 2))
    layer = layer_of((points, rng.choice([-1.0, 1.0], 600), TRAIN_MARKER))
    assert layer[..., 3].max() <= 1.0 + 1e-6 and layer.min() >= 0.0
    assert (layer[..., :3] <= layer[..., 3:] + 1e-6).all()  # premultiplied
    centres = np.round(texel_positions(points, BOUNDS, SIZE)).astype(int)
    inside = (centres >= 0).all(axis=1) & (centres < [SIZE.width, SIZE.height]).all(axis=1)
    assert (layer[centres[inside, 1], centres[inside, 0], 3] > 0.99).all()


def test_points_far_outside_the_plane_are_not_painted_those_on_its_edge_are():
    layer = layer_of((np.array([[-2.0, 0.0], [30.0, 0.0], [0.0, -40.0]]), np.ones(3), TRAIN_MARKER))
    assert layer[15, 0, 3] > 0.99  # half a marker, on the left edge
    covered_columns = np.flatnonzero(layer[..., 3].any(axis=0))
    covered_rows = np.flatnonzero(layer[..., 3].any(axis=1))
    assert covered_columns.max() <= 4 and covered_rows.min() >= 11 and covered_rows.max() <= 19


def test_no_points_make_an_empty_layer():
    layer = layer_of((np.zeros((0, 2)), np.zeros(0), TRAIN_MARKER))
    assert layer.shape == (30, 40, 4) and not layer.any()


def test_the_texture_has_straight_alpha_and_clear_texels_take_the_colour_beside_them():
    layer = layer_of((np.array([(at(20, 15)[0] + 0.05, at(20, 15)[1])]), np.array([1.0]), TRAIN_MARKER))
    texels = overlay_texels(layer).reshape(30, 40, 4)
    assert texels.dtype == np.float32
    np.testing.assert_allclose(texels[..., 3], layer[..., 3])
    soft = layer[15, 24]  # half covered, by the white edge
    assert 0.0 < soft[3] < 1.0
    np.testing.assert_allclose(texels[15, 24, :3], soft[:3] / soft[3], atol=1e-6)  # white, not grey
    np.testing.assert_allclose(texels[15, 25], [*WHITE_EDGE, 0.0], atol=1e-6)  # clear, but white
    np.testing.assert_allclose(texels[15, 20], [*RED, 1.0], atol=1e-6)
    assert not texels[0, 0].any()  # far from every marker: clear black
