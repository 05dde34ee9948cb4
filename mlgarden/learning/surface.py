"""The decision surface: the result node over a grid of points, and its colours.

The Dataset window shades the plane by what the result node says at every point: blue where it
says -1, white at 0, red at +1 (a diverging colour map, values clipped to [-1, 1]). The grid
covers the dataset's bounds; row 0 is the top of the picture (the largest y), as images are
stored. The whole grid goes through the compiled graph in one vectorised forward pass, in float32,
which is ample for colours and halves the memory traffic.

Any other node can be shaded the same way (the Dataset window does it for the selected node): its
values are divided by `symmetric_scale`, so white stays at 0 and each node uses all the colours.
The canvas's thumbnails shade many nodes at once the same way (`node_values`: one forward pass).
"""

from __future__ import annotations

import numpy as np

from mlgarden.engine.program import Program

BLUE = np.array([0.16, 0.40, 0.80], dtype=np.float32)
WHITE = np.array([1.0, 1.0, 1.0], dtype=np.float32)
RED = np.array([0.84, 0.19, 0.15], dtype=np.float32)
SURFACE_MARGIN = 0.1  # the plane shown extends the data's bounds by this share on each side


def grid(bounds: tuple[float, float, float, float], resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """xs, ys of shape (resolution, resolution), float32, cell centres, row 0 at the top."""
    xmin, xmax, ymin, ymax = bounds
    step_x = (xmax - xmin) / resolution
    step_y = (ymax - ymin) / resolution
    columns = xmin + step_x * (np.arange(resolution, dtype=np.float32) + 0.5)
    rows = ymax - step_y * (np.arange(resolution, dtype=np.float32) + 0.5)
    xs, ys = np.meshgrid(columns.astype(np.float32), rows.astype(np.float32))
    return xs, ys


def decision_values(program: Program, leaf_values, bounds, resolution: int,
                    node: str | None = None) -> np.ndarray | None:
    """The result node (or the computable node `node`, a flat id) at every grid cell, or None
    when there is no such node."""
    xs, ys = grid(bounds, resolution)
    return program.surface(leaf_values, xs, ys, node)


def node_values(program: Program, leaf_values, bounds, resolution: int, nodes) -> dict[str, np.ndarray]:
    """Several nodes (flat ids) at every grid cell, in one forward pass; the nodes that cannot be
    computed are left out (the canvas's thumbnails)."""
    xs, ys = grid(bounds, resolution)
    return program.surfaces(leaf_values, xs, ys, nodes)


def symmetric_scale(values: np.ndarray) -> float:
    """The colour scale for any node's values: the largest magnitude of its finite values, so
    0 is white and the largest value is full red or blue (1.0 when all are 0 or none is finite)."""
    finite = np.abs(values[np.isfinite(values)])
    largest = float(finite.max()) if finite.size else 0.0
    return largest if largest > 0.0 else 1.0


def colours(values: np.ndarray) -> np.ndarray:
    """RGBA float32 in [0, 1] for each value: blue at -1, white at 0, red at +1; NaN is grey."""
    clipped = np.clip(np.nan_to_num(values, nan=0.0), -1.0, 1.0)[..., None]
    towards = np.where(clipped > 0, RED, BLUE)
    rgb = WHITE + (towards - WHITE) * np.abs(clipped)
    rgb = np.where(np.isnan(values)[..., None], np.float32(0.5), rgb)
    alpha = np.ones(values.shape + (1,), dtype=np.float32)
    return np.concatenate([rgb, alpha], axis=-1).astype(np.float32)


def colour_bar(steps: int = 64) -> np.ndarray:
    """A vertical strip of the colour map from +1 (top) to -1 (bottom), as RGBA float32."""
    return colours(np.linspace(1.0, -1.0, steps, dtype=np.float32)[:, None])
