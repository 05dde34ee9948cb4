"""Draw the app's window icon: a decision surface, blue to red across a tilted line, with a few
labelled points on it, inside a rounded square. Written with mlgarden's own PNG writer.

    python scripts/make_icon.py            # rewrites assets/icon-32.png and assets/icon-64.png
    python scripts/make_icon.py --out DIR  # writes them somewhere else

The icons are drawn from numbers only (no random draws), so the script rewrites the committed
files byte for byte; tests/test_packaging.py checks that.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere in the checkout
    sys.path.insert(0, str(REPO))

from mlgarden.files import png  # noqa: E402  (after the path fix above)
from mlgarden.learning.surface import colours  # noqa: E402

SIZES = (32, 64)
BOUNDS = (-1.0, 1.0, -1.0, 1.0)
POINTS = np.array([[-0.55, -0.35], [-0.2, -0.6], [-0.6, 0.2], [0.5, 0.35], [0.2, 0.62], [0.62, -0.15]])
LABELS = np.array([-1.0, -1.0, -1.0, 1.0, 1.0, 1.0])
CORNER = 0.22  # the rounded corners' radius, as a share of the side


def icon(size: int) -> np.ndarray:
    """An RGBA uint8 image of `size` x `size`."""
    centres = (np.arange(size) + 0.5) / size * 2.0 - 1.0
    xs, ys = np.meshgrid(centres, -centres)
    surface = np.tanh(2.5 * (0.8 * xs + 0.6 * ys))
    image = png.as_bytes(colours(surface))
    rgb = image[..., :3].copy()
    png.draw_points(rgb, BOUNDS, POINTS, LABELS, radius=max(2.0, size / 12))
    image[..., :3] = rgb
    image[..., 3] = np.where(_inside_rounded_square(xs, ys), 255, 0)
    return image


def _inside_rounded_square(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    inner = 1.0 - 2 * CORNER
    dx = np.maximum(np.abs(xs) - inner, 0.0)
    dy = np.maximum(np.abs(ys) - inner, 0.0)
    return np.hypot(dx, dy) <= 2 * CORNER


def write_icons(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        path = folder / f"icon-{size}.png"
        png.write(path, icon(size))
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "assets", help="folder to write the icons to")
    for path in write_icons(parser.parse_args().out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
