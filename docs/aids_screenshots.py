"""Regenerate the README's screenshots of the learning aids from the real app.

    xvfb-run -a -s "-screen 0 1280x800x24" python docs/aids_screenshots.py [--out docs/images]

Built on docs/screenshots.py's Shooter (one app, 1280 x 800, its own frame loop, real input):

1. `node-surface.png`: the "final boss" trained for `--steps` steps, then one unit of its first
   hidden layer selected with a real click: the Dataset window shades that unit's value over the
   plane, with its own colour scale. Cropped to the Dataset window.
2. `backprop-step.png`: saved_graphs/linear.yaml, its output end in view, "Step through backprop"
   clicked and the right arrow pressed three times (the step back through the tanh): the current
   node and link lit up, the gradients known so far in orange, the sentence in the Training panel.
   The whole window.
3. `node-thumbnails.png`: the same trained network at 100%, View > Node thumbnails over the plane
   on: each hidden unit's value over the plane on its own call node, the links coloured by the
   gradient each carries. Cropped to the canvas.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import dearpygui.dearpygui as dpg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import EXAMPLES_DIR, REPO, SETTLE_FRAMES, Shooter, crop, item_box, save  # noqa: E402

from mlgarden.gui import ids  # noqa: E402
from mlgarden.gui.dataset_window import Tags as DatasetTags  # noqa: E402
from mlgarden.gui.geometry import ViewTransform  # noqa: E402
from mlgarden.gui.training_panel import Tags as TrainingTags  # noqa: E402

SPIRAL_EXAMPLE = EXAMPLES_DIR / "final-boss.yaml"
STEP_EXAMPLE = EXAMPLES_DIR / "linear.yaml"
STEPS_SHOWN = 3  # right-arrow presses before the picture: the step back through the tanh
VIEW_SHIFT = 230  # canvas pixels between the loss node and the canvas's right edge


def first_hidden_call(document) -> str:
    """The topmost call of the first layer of perceptron calls (the leftmost column of calls):
    a unit of the first hidden layer (since issue 11 each perceptron is a call)."""
    calls = [node for node in document.nodes.values() if node.op == "call"]
    left = min(node.pos[0] for node in calls)
    return min((node for node in calls if node.pos[0] == left), key=lambda node: node.pos[1]).id


def shoot_node_surface(shooter: Shooter, out: Path, steps: int, timeout: float) -> None:
    shooter.open(SPIRAL_EXAMPLE)
    session = shooter.session
    session.play()
    started = time.perf_counter()
    while session.trainer.metrics.steps < steps and time.perf_counter() - started < timeout:
        shooter.app.run_frame()
    session.pause()
    unit = first_hidden_call(session.document)
    node = session.document.nodes[unit]
    shooter.app.canvas.set_view(ViewTransform((node.pos[0] - 200, node.pos[1] - 200), 1.0))
    shooter.frames(SETTLE_FRAMES)
    shooter.driver.click(*shooter.driver.node_title_point(ids.node(unit)))  # select it
    shooter.driver.move(5, 790)
    shooter.frames(SETTLE_FRAMES)
    print(f"trained {session.trainer.metrics.steps} steps; {dpg.get_value(DatasetTags.heading)}")
    save(crop(shooter.grab(), *item_box(DatasetTags.window)), out / "node-surface.png")


def shoot_node_thumbnails(shooter: Shooter, out: Path) -> None:
    """After `shoot_node_surface`: the trained network's first hidden layer, thumbnails on."""
    canvas = shooter.app.canvas
    canvas.select(())
    shooter.app.toggle_thumbnails()
    unit = shooter.session.document.nodes[first_hidden_call(shooter.session.document)]
    canvas.set_view(ViewTransform((unit.pos[0] - 330, unit.pos[1] - 60), 1.0))
    shooter.driver.move(5, 790)
    shooter.frames(SETTLE_FRAMES)
    print(f"thumbnails on {len(canvas.thumbnails.shown_nodes())} nodes")
    save(crop(shooter.grab(), *item_box(ids.CANVAS_WINDOW)), out / "node-thumbnails.png")


def shoot_backprop_step(shooter: Shooter, out: Path) -> None:
    shooter.open(STEP_EXAMPLE)
    canvas = shooter.app.canvas
    loss = shooter.session.document.nodes[shooter.session.document.loss]
    width, height = canvas.canvas_size()  # at 100%, the loss VIEW_SHIFT pixels from the right edge
    canvas.set_view(ViewTransform((loss.pos[0] - width + VIEW_SHIFT, loss.pos[1] - height / 2), 1.0))
    shooter.frames(SETTLE_FRAMES)
    shooter.driver.click(*shooter.driver.item_center(TrainingTags.backprop))
    for _ in range(STEPS_SHOWN):
        shooter.driver.key("Right")
    shooter.driver.move(5, 790)  # no tooltip over the sentence
    shooter.frames(SETTLE_FRAMES)
    print(dpg.get_value(TrainingTags.step_sentence))
    save(shooter.grab(), out / "backprop-step.png")


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
        shoot_backprop_step(shooter, args.out)
        shoot_node_surface(shooter, args.out, args.steps, args.timeout)
        shoot_node_thumbnails(shooter, args.out)
    finally:
        shooter.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
