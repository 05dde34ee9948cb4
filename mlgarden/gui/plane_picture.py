"""The Dataset window's data points as one picture: markers painted into a texture.

The points are painted into a texture laid over the decision surface instead of being drawn as
plot markers, because on software drawing (Mesa's llvmpipe) markers are what a frame pays most
for: ImPlot draws each outlined circle as a few dozen thin triangles, and the 400 points of
final-boss cost about a quarter of a whole frame's CPU. The texture costs one quad.

The picture is made at the plot area's size in screen pixels, one texel a pixel (`PictureSize`),
painted once per dataset and size (`points_layer`), and handed over as texels (`overlay_texels`).
Each point is an anti-aliased marker: training points are circles with a white edge, test points
squares with a black edge, in front of the training points; where two markers overlap, one is
whole in front of the other.

Row 0 is the top of the picture (the largest y), as in learning/surface.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mlgarden.learning.surface import BLUE, RED

SUBTEXEL_STEPS = 4  # markers are placed to a quarter of a texel
WHITE_EDGE = np.array([1.0, 1.0, 1.0], dtype=np.float32)
BLACK_EDGE = np.array([0.0, 0.0, 0.0], dtype=np.float32)


@dataclass(frozen=True, eq=False)  # compared by identity: a key of the stamps made
class Marker:
    """A point's look in screen pixels: a circle (or a square) of `radius` (half its side) whose
    outer `edge` pixels are the edge colour."""
    square: bool
    radius: float
    edge: float
    edge_colour: np.ndarray


# Radii of a whole texel and a half: a marker centred on a texel has its edge on whole texels.
TRAIN_MARKER = Marker(square=False, radius=3.5, edge=1.0, edge_colour=WHITE_EDGE)
TEST_MARKER = Marker(square=True, radius=3.5, edge=1.0, edge_colour=BLACK_EDGE)


@dataclass(frozen=True)
class PictureSize:
    """The picture's texels across and down; each texel is one screen pixel of the plot area."""
    width: int
    height: int


def marker_stamp(marker: Marker, fill: np.ndarray, offset_x: float, offset_y: float,
                 reach: int) -> np.ndarray:
    """One marker on a (2 reach + 1)² patch of texels, premultiplied RGBA: its centre is `offset`
    texels right and down of the patch's middle texel's centre."""
    steps = np.arange(-reach, reach + 1, dtype=np.float32)
    dx = steps[None, :] - np.float32(offset_x)
    dy = steps[:, None] - np.float32(offset_y)
    distance = np.maximum(np.abs(dx), np.abs(dy)) if marker.square else np.hypot(dx, dy)
    outer = np.clip(marker.radius + 0.5 - distance, 0.0, 1.0)
    inner = np.clip(marker.radius - marker.edge + 0.5 - distance, 0.0, 1.0)
    rgb = inner[..., None] * fill + (outer - inner)[..., None] * marker.edge_colour
    return np.concatenate([rgb, outer[..., None]], axis=-1).astype(np.float32)


def texel_positions(points: np.ndarray, bounds, size: PictureSize) -> np.ndarray:
    """Points (x, y) as texel coordinates (column, row) of their centres in the picture."""
    xmin, xmax, ymin, ymax = bounds
    columns = (points[:, 0] - xmin) / (xmax - xmin) * size.width - 0.5
    rows = (ymax - points[:, 1]) / (ymax - ymin) * size.height - 0.5
    return np.stack([columns, rows], axis=1)


def points_layer(size: PictureSize, bounds, point_sets) -> np.ndarray:
    """The layer of markers, premultiplied RGBA of shape (height, width, 4): `point_sets` is a
    sequence of (points, labels, Marker), each set painted over the ones before. A marker's
    centre is placed to a quarter of a texel; points whose marker would fall wholly outside the
    picture are left out. A set's markers are laid in rounds of markers that cannot overlap
    (`_rounds`), each round at once: where two overlap, one is whole in front of the other (the
    later of the data, when they share a cell)."""
    reach = int(np.ceil(max((marker.radius for _, _, marker in point_sets), default=0.0) + 1.0))
    pad = 2 * reach  # room for the markers that stand partly outside the picture
    padded = np.zeros((size.height + 2 * pad, size.width + 2 * pad, 4), dtype=np.float32)
    side = 2 * reach + 1
    steps = np.arange(side)
    for points, labels, marker in point_sets:
        if len(points) == 0:
            continue
        quarters = np.round(texel_positions(np.asarray(points, dtype=np.float64), bounds, size)
                            * SUBTEXEL_STEPS).astype(np.int64)
        nearest_texels = (quarters + SUBTEXEL_STEPS // 2) // SUBTEXEL_STEPS
        corners = nearest_texels + pad - reach  # the patches' top-left corners in the padded layer
        inside = np.all((corners >= 0) & (corners <= np.array(padded.shape[1::-1]) - side), axis=1)
        offsets = quarters[inside] - nearest_texels[inside] * SUBTEXEL_STEPS + SUBTEXEL_STEPS // 2
        stamps, uncovered = _stamps(marker, reach)
        stamp_index = ((np.asarray(labels)[inside] > 0) * SUBTEXEL_STEPS ** 2
                       + offsets @ [1, SUBTEXEL_STEPS])
        corners = corners[inside]
        for members in _rounds(corners, side):
            rows = corners[members, 1][:, None, None] + steps[None, :, None]
            columns = corners[members, 0][:, None, None] + steps[None, None, :]
            chosen = stamp_index[members]
            padded[rows, columns] = padded[rows, columns] * uncovered[chosen] + stamps[chosen]
    return padded[pad:pad + size.height, pad:pad + size.width]


def _rounds(corners: np.ndarray, side: int) -> list[np.ndarray]:
    """The markers (indices, in data order) in rounds none of whose patches overlap: the plane is
    cut into cells of a patch's side; two cells apart, patches cannot meet. A round takes one
    marker from each cell of one parity of column and row, the first ones of the data first."""
    cells = corners // side
    parity = (cells[:, 0] % 2) * 2 + cells[:, 1] % 2
    cell_key = cells[:, 0] * (1 << 32) + cells[:, 1]
    order = np.lexsort((np.arange(len(corners)), cell_key))  # by cell, then in data order
    sorted_keys = cell_key[order]
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    round_of = np.empty(len(corners), dtype=np.int64)
    round_of[order] = rank * 4 + parity[order]
    by_round = np.argsort(round_of, kind="stable")
    edges = np.r_[0, np.flatnonzero(np.diff(round_of[by_round])) + 1, len(by_round)]
    return [by_round[start:end] for start, end in zip(edges[:-1], edges[1:])]


@lru_cache(maxsize=8)
def _stamps(marker: Marker, reach: int) -> tuple[np.ndarray, np.ndarray]:
    """Every stamp of a marker, indexed by label (-1: 0, +1: 1) * 16 + the quarter-texel offset
    (row, column, each 0..3 for -2..1 quarters), and what each leaves uncovered of the layer
    under it (1 - its alpha)."""
    stamps = np.stack([
        marker_stamp(marker, RED if positive else BLUE,
                     (column - SUBTEXEL_STEPS // 2) / SUBTEXEL_STEPS,
                     (row - SUBTEXEL_STEPS // 2) / SUBTEXEL_STEPS, reach)
        for positive in (False, True) for row in range(SUBTEXEL_STEPS) for column in range(SUBTEXEL_STEPS)])
    return stamps, 1.0 - stamps[..., 3:]


def overlay_texels(layer: np.ndarray) -> np.ndarray:
    """The layer as a texture's texels, flat float32 RGBA with straight (not premultiplied) alpha,
    as ImGui blends. A clear texel takes the colour of the markers beside it: the graphics card
    blends each pixel from the texels around it, and a clear black texel there would darken
    every marker's soft edge."""
    rgba = layer
    alpha = rgba[..., 3:]
    around_colour = _sum_of_3x3(rgba[..., :3])
    around_alpha = _sum_of_3x3(alpha)
    premultiplied = np.where(alpha > 0, rgba[..., :3], around_colour)
    weight = np.where(alpha > 0, alpha, around_alpha)
    texels = np.zeros(rgba.shape, dtype=np.float32)
    np.divide(premultiplied, weight, out=texels[..., :3], where=weight > 0)
    texels[..., 3:] = alpha
    return texels.ravel()


def _sum_of_3x3(grid: np.ndarray) -> np.ndarray:
    """Each texel's sum over itself and its eight neighbours (zero beyond the edges)."""
    padded = np.pad(grid, ((1, 1), (1, 1), (0, 0)))
    rows = padded[:-2] + padded[1:-1] + padded[2:]
    return rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]
