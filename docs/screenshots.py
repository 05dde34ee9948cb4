"""Regenerate the README's screenshots from the real app.

    xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshots.py [--out docs/images]

One app, one viewport of 1280 x 800, driven by its own frame loop and, where a person would
use the mouse, by real input through xdotool (tests/gui/driver.py), as the GUI tests do:

1. `nudge-closeup.png`: the write-up's first example, (a + b) * c fitted to 10, after a drag on
   `a`'s value: every node shows its value and, in orange, its gradient. Cropped to the nodes.
2. `app-training-spiral.png`: the "final boss" (saved_graphs/final-boss.yaml), fitted in view
   (zoomed out: each node a coloured block, each link coloured by the gradient flowing back along
   it, blue negative, red positive, wider where it is larger), after training through frames
   until it has taken `--steps` steps: the whole window.
3. `dataset-window.png`: the Dataset window of that same frame, the spiral's decision surface.

Frames are taken with `dpg.output_frame_buffer`, which hands over the next frame as float32
RGBA in 0..1; crops are cut from it with numpy and written as RGB PNGs. The script prints what
it trained and how fast the frames ran, so a regenerated picture comes with its numbers.
"""

from __future__ import annotations

import argparse
import struct
import sys
import time
import zlib
from pathlib import Path

import dearpygui.dearpygui as dpg
import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere in the checkout
    sys.path.insert(0, str(REPO))

from mlgarden.gui import ids  # noqa: E402
from mlgarden.gui.app import App  # noqa: E402
from mlgarden.gui.dataset_window import DatasetWindow  # noqa: E402
from mlgarden.gui.dataset_window import Tags as DatasetTags  # noqa: E402
from mlgarden.gui.help_panel import HelpPanel  # noqa: E402
from mlgarden.gui.training_panel import TrainingPanel  # noqa: E402
from mlgarden.session import Session  # noqa: E402

sys.path.insert(0, str(REPO / "tests" / "gui"))
from driver import Driver  # noqa: E402  (real xdotool input, as in the GUI tests)

EXAMPLES_DIR = REPO / "saved_graphs"  # opened as untitled copies, like any shipped example
NUDGE_EXAMPLE = EXAMPLES_DIR / "fit-ten.yaml"
SPIRAL_EXAMPLE = EXAMPLES_DIR / "final-boss.yaml"
NUDGED_NODE_LABEL = "a"
NUDGE_DRAG_PIXELS = 60
CROP_MARGIN = 16
SETTLE_FRAMES = 10  # frames for the layout, the fonts and the canvas to settle after a change


class Shooter:
    """The app, built once, and the means to grab its frames."""

    def __init__(self):
        self.session = Session()
        self.app = App(self.session, [TrainingPanel(self.session), DatasetWindow(self.session)],
                       HelpPanel(self.session))
        self.driver: Driver | None = None

    def build(self) -> None:
        self.app.build()
        self.driver = Driver(self.session.title, frame=self.app.run_frame, canvas=self.app.canvas)
        self.frames(SETTLE_FRAMES)

    def close(self) -> None:
        if self.driver is not None:
            self.driver.close()  # before destroy_context: see tests/gui/driver.py
        self.app.close()

    def frames(self, count: int) -> None:
        for _ in range(count):
            self.app.run_frame()

    def grab(self) -> np.ndarray:
        """The next frame as a (height, width, 4) float32 RGBA array."""
        received = []
        dpg.output_frame_buffer(callback=lambda sender, buffer: received.append(buffer))
        while not received:
            self.app.run_frame()
        buffer = received[0]
        pixels = np.frombuffer(memoryview(buffer), dtype=np.float32)
        return pixels.reshape(buffer.get_height(), buffer.get_width(), 4).copy()

    def open(self, path: Path) -> None:
        if not self.session.open(path):
            raise SystemExit(f"cannot open {path}: {self.session.status}")
        self.frames(SETTLE_FRAMES)


def save(pixels: np.ndarray, path: Path) -> None:
    """Write RGBA in 0..1 as an opaque 8-bit RGB PNG, top row first.

    Not `dpg.save_image`: after an `output_frame_buffer` it writes rows bottom-up.
    """
    height, width, _ = pixels.shape
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # each row: filter byte 0, then RGB
    rows[:, 1:] = np.round(np.clip(pixels[:, :, :3], 0.0, 1.0) * 255).reshape(height, 3 * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b""))
    print(f"wrote {path} ({width}x{height})")


def crop(pixels: np.ndarray, left: float, top: float, right: float, bottom: float) -> np.ndarray:
    height, width, _ = pixels.shape
    left, top = max(int(left), 0), max(int(top), 0)
    right, bottom = min(int(right), width), min(int(bottom), height)
    return pixels[top:bottom, left:right]


def item_box(tag: str, canvas=None) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of an item in viewport pixels; windows report pos, not rect;
    what the canvas draws (a node) is asked of the canvas."""
    if canvas is not None and canvas.screen_rect(tag) is not None:
        x, y, width, height = canvas.screen_rect(tag)
        return x, y, x + width, y + height
    state = dpg.get_item_state(tag)
    left, top = state["rect_min"] if "rect_min" in state else dpg.get_item_pos(tag)
    width, height = state["rect_size"]
    return left, top, left + width, top + height


def shoot_nudge(shooter: Shooter, out: Path) -> None:
    shooter.open(NUDGE_EXAMPLE)  # a file opens fitted: the whole small graph is in view
    document = shooter.session.document
    nudged = next(node.id for node in document.nodes.values() if node.label == NUDGED_NODE_LABEL)
    x, y = shooter.driver.item_center(ids.value_field(nudged))
    shooter.driver.drag((x, y), (x + NUDGE_DRAG_PIXELS, y))  # a real drag on a's value
    shooter.frames(SETTLE_FRAMES)
    print(f"nudged {NUDGED_NODE_LABEL} to {document.nodes[nudged].value:.4g}")
    boxes = [item_box(ids.node(node_id), shooter.app.canvas) for node_id in document.nodes]
    canvas = item_box(ids.CANVAS_WINDOW)
    left = max(min(box[0] for box in boxes) - CROP_MARGIN, canvas[0])
    top = max(min(box[1] for box in boxes) - CROP_MARGIN, canvas[1])
    right = min(max(box[2] for box in boxes) + CROP_MARGIN, canvas[2])
    bottom = min(max(box[3] for box in boxes) + CROP_MARGIN, canvas[3])
    save(crop(shooter.grab(), left, top, right, bottom), out / "nudge-closeup.png")


def shoot_training(shooter: Shooter, out: Path, steps: int, timeout: float) -> None:
    shooter.open(SPIRAL_EXAMPLE)
    shooter.app.canvas.fit()  # the whole network in view, zoomed out
    shooter.frames(SETTLE_FRAMES)
    session = shooter.session
    session.play()
    started, frames = time.perf_counter(), 0
    while session.trainer.metrics.steps < steps and time.perf_counter() - started < timeout:
        shooter.app.run_frame()
        frames += 1
        if not session.playing:
            raise SystemExit(f"training stopped: {session.status}")
    seconds = time.perf_counter() - started
    pixels = shooter.grab()  # still training: the panel shows Pause and the steps per second
    session.pause()
    metrics = session.trainer.metrics
    print(f"trained {SPIRAL_EXAMPLE.name}: {metrics.steps} steps in {seconds:.1f} s over {frames} "
          f"frames ({frames / seconds:.1f} frames/s); train accuracy {metrics.train_accuracy}, "
          f"test accuracy {metrics.test_accuracy}")
    save(pixels, out / "app-training-spiral.png")
    save(crop(pixels, *item_box(DatasetTags.window)), out / "dataset-window.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    parser.add_argument("--steps", type=int, default=600, help="train the spiral this many steps")
    parser.add_argument("--timeout", type=float, default=180.0, help="give up training after this")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    shooter = Shooter()
    try:
        shooter.build()
        shoot_nudge(shooter, args.out)
        shoot_training(shooter, args.out, args.steps, args.timeout)
    finally:
        shooter.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
