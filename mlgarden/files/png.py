"""Write pictures as PNG files, with numpy and zlib only, and draw the dots of a dataset on them.

A PNG file is an 8-byte signature and a list of chunks, each `length, type, data, CRC-32`:
`IHDR` (width, height, bit depth 8, colour type 2 = RGB or 6 = RGBA), one or more `IDAT` holding
the zlib-compressed pixel rows, and `IEND`. Every row starts with a filter byte; we write 0 (no
filter), so a row is that byte followed by the row's bytes as they are. This is the whole format
needed to write a correct, if not the smallest, file.

An image here is a numpy array of shape (height, width, 3 or 4): uint8, or floats in [0, 1] (what
`mlgarden.learning.surface.colours` gives), row 0 at the top. `draw_disc` paints a filled circle with an
outline into a uint8 image in place, and `draw_points` draws a dataset's points with it, placed by
the same bounds as the decision surface under them (y grows upwards, rows downwards).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from mlgarden.atomic import write_atomically

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPES = {3: 2, 4: 6}  # channels -> PNG colour type (RGB, RGBA)
POINT_BLUE = (30, 85, 205)  # a -1 point: deeper than the surface's blue, so it stands out on it
POINT_RED = (215, 45, 35)  # a +1 point
OUTLINE = (25, 25, 25)
WHITE = (255, 255, 255)


def as_bytes(image: np.ndarray) -> np.ndarray:
    """The image as uint8: floats in [0, 1] are scaled and rounded, uint8 is kept."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    return np.round(np.clip(np.nan_to_num(image, nan=0.0), 0.0, 1.0) * 255.0).astype(np.uint8)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode(image: np.ndarray) -> bytes:
    """The PNG file's bytes for an (height, width, 3 or 4) image."""
    pixels = as_bytes(image)
    if pixels.ndim != 3 or pixels.shape[2] not in _COLOUR_TYPES or 0 in pixels.shape[:2]:
        raise ValueError(f"an image must have shape (height, width, 3 or 4), got {pixels.shape}")
    height, width, channels = pixels.shape
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[channels], 0, 0, 0)
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1)
    return (SIGNATURE + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)) + _chunk(b"IEND", b""))


def write(path: Path | str, image: np.ndarray) -> None:
    """Write the PNG atomically: a failed write leaves what was at `path` as it was."""
    write_atomically(path, encode(image))


def draw_disc(image: np.ndarray, centre: tuple[float, float], radius: float,
              fill: tuple[int, ...] | None, outline: tuple[int, ...], outline_width: float = 1.0) -> None:
    """Paint a disc at `centre` (column, row, in pixels) into a uint8 image, in place.

    Pixels within `radius - outline_width` of the centre get `fill` (None leaves them, a hollow
    ring); the rest up to `radius` get `outline`. Parts outside the image are clipped.
    """
    column, row = centre
    height, width = image.shape[:2]
    top, bottom = max(int(row - radius), 0), min(int(row + radius) + 2, height)
    left, right = max(int(column - radius), 0), min(int(column + radius) + 2, width)
    if top >= bottom or left >= right:
        return
    rows, columns = np.mgrid[top:bottom, left:right]
    distance = np.hypot(columns + 0.5 - column, rows + 0.5 - row)
    patch = image[top:bottom, left:right]
    patch[(distance <= radius) & (distance > radius - outline_width)] = _pixel(outline, image.shape[2])
    if fill is not None:
        patch[distance <= radius - outline_width] = _pixel(fill, image.shape[2])


def _pixel(colour: tuple[int, ...], channels: int) -> tuple[int, ...]:
    """An RGB colour fits an RGBA image as opaque."""
    return (tuple(colour) + (255,))[:channels] if len(colour) == 3 else tuple(colour)[:channels]


def draw_points(image: np.ndarray, bounds: tuple[float, float, float, float], points: np.ndarray,
                labels: np.ndarray, hollow: bool = False, radius: float | None = None) -> None:
    """Draw each point as a dot with a dark outline: blue for -1, red for +1, filled, or `hollow`
    (a coloured ring round a white centre, for test points). `bounds` are the
    (xmin, xmax, ymin, ymax) the image spans; row 0 of the image is ymax."""
    height, width = image.shape[:2]
    xmin, xmax, ymin, ymax = bounds
    radius = radius if radius is not None else max(2.5, min(width, height) / 90.0)
    columns = (np.asarray(points)[:, 0] - xmin) / (xmax - xmin) * width
    rows = (ymax - np.asarray(points)[:, 1]) / (ymax - ymin) * height
    for column, row, label in zip(columns, rows, labels):
        colour = POINT_RED if label > 0 else POINT_BLUE
        draw_disc(image, (column, row), radius, colour, OUTLINE)
        if hollow:
            draw_disc(image, (column, row), radius * 0.5, WHITE, WHITE)
