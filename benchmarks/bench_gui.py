"""How fast the real app is on big graphs: frame rates idle and training, training steps, nudges.

Run under a display, e.g.

    xvfb-run -a -s "-screen 0 1280x800x24" python benchmarks/bench_gui.py [--seconds 3] [FILE ...]

With no files it opens the largest shipped example and final-boss. For each it builds the app as
`mlgarden FILE` does (canvas, Training and Dataset panels, Help), runs frames as the app's loop does
(`App.next_frame`: callbacks, the training worker's news, canvas and panel updates, render, then
the frame pacing that leaves a core to training, gui/frame_pacing.py) and measures:

- idle fps: frames per second with nothing happening;
- training fps and steps/s: the same while training plays (in its worker process), and the
  training steps the app received;
- surface ms: the mean time of one redraw of the Dataset window's decision surface while training;
- nudge: one call of `Canvas.nudge`, what dragging a param's field calls once a frame: the edit,
  the point forward and backward pass, and the canvas texts that changed (median of ~50, each on
  a different param, between rendered frames so each starts from a shown state). When every
  param is inside a function (moons-mlp), on the params of the first call's body, opened from
  that call as Edit definition does (each nudge moves that instance's own value).

With `--json` it prints one JSON list, one object per graph, for the canvas (issue 10): `file`,
`nodes`, `empty_fps` (an empty canvas, same process), `idle_fps` (the file as opened),
`unpaced_idle_fps` (the same with frames run flat out, unpaced), `fitted_fps` (after View > Fit:
the whole graph in view), `training_fps` (the file as opened, as idle_fps, while training plays),
and for issue 13
`gui_samples_per_second` (the training samples the app received per second while playing, by
`Metrics.samples`) and `headless_samples_per_second` (the same file, data, batch size and
optimiser through a Trainer alone in this process, measured right after, for as long), and
`nudge_ms` (one nudge),
`nudge_frame_ms` (one nudge and the frame that shows it) and `nudge_shown_in_frame` (whether the
canvas text of a node downstream shows the nudged value after that one frame). `--generated N`
adds a generated graph of about N nodes (perceptron layers of 10) to the files.

It is not a test: the figures depend on the machine (and under Xvfb on Mesa's software OpenGL);
benchmarks/RESULTS.md records them. Each graph is measured in a process of its own (a second
Dear PyGui context in one process can crash on the first one's window: docs/gui-testing.md), with
a temporary state folder, so no recent-file list or recovery copy of the user's is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

NUDGES = 50


def largest_example() -> Path:
    from mlgarden.files.fileformat import load
    from mlgarden import shipped

    return max(shipped.example_files(), key=lambda path: len(load(path).nodes))


def open_app(path: Path | None):
    from mlgarden.gui.app import App
    from mlgarden.gui.dataset_window import DatasetWindow
    from mlgarden.gui.help_panel import HelpPanel
    from mlgarden.gui.training_panel import TrainingPanel
    from mlgarden.session import Session

    session = Session()
    if path is not None and not session.open(path):
        raise SystemExit(session.status)
    app = App(session, [TrainingPanel(session), DatasetWindow(session)], HelpPanel(session))
    app.build()
    for _ in range(10):  # build the nodes, draw the surface once, settle
        app.next_frame()
    return app


def frames_for(app, seconds: float, paced: bool = True) -> dict:
    """Run frames for about `seconds` (as the app's loop does, or unpaced: flat out); return the
    frame rate, the training steps and samples a second the app received, and the mean surface
    redraw."""
    dataset = app.panels[1]
    metrics = app.session.trainer.metrics
    steps, samples, refreshes = metrics.steps, metrics.samples, dataset.refresh_count
    started, frames, surface, counted = time.perf_counter(), 0, 0.0, 0
    while time.perf_counter() - started < seconds:
        if paced:
            app.next_frame()
        else:
            app.run_frame()
        frames += 1
        if dataset.refresh_count > refreshes + counted:
            surface += dataset.last_refresh_seconds
            counted += 1
    elapsed = time.perf_counter() - started
    redraws = dataset.refresh_count - refreshes
    metrics = app.session.trainer.metrics
    return {"fps": frames / elapsed, "steps": metrics.steps - steps,
            "samples_per_second": (metrics.samples - samples) / elapsed,
            "surface": surface / max(redraws, 1)}


def headless_samples_per_second(session, seconds: float) -> float:
    """The session's graph, data and settings trained by a Trainer alone, here, for `seconds`."""
    from mlgarden.learning.training import Trainer

    document = session.document.copy()
    train, test = session.train_set, session.test_set
    trainer = Trainer(document, train.points, train.labels, test.points, test.labels)
    started = time.perf_counter()
    trainer.run_for(seconds)
    return trainer.metrics.samples / (time.perf_counter() - started)


def play_and_settle(app) -> None:
    """Press Play and run frames until the worker's first news arrives (its process starts)."""
    app.session.play()
    steps = app.session.trainer.metrics.steps
    deadline = time.perf_counter() + 30.0
    while app.session.trainer.metrics.steps == steps and time.perf_counter() < deadline:
        app.next_frame()


def nudge_targets(app) -> list[str]:
    """The params a user can drag on the canvas: the graph's own, or when every param is inside a
    function (moons-mlp), those of the body of the first call that has any, opened from that
    call as "Edit definition" opens it (a drag there moves that instance's own value)."""
    session, canvas = app.session, app.canvas
    if session.scope is not None:  # opened already (nudge_seconds ran first): nudge there again
        return [node.id for node in session.shown_document.nodes.values()
                if node.op == "param" and not node.shared]
    if session.document.params():
        return [node.id for node in session.document.params()]
    for node in session.document.nodes.values():
        if node.op != "call":
            continue
        body = session.document.definition(node.function).nodes.values()
        params = [inner.id for inner in body if inner.op == "param" and not inner.shared]
        if params:
            canvas.open_function(node.function, node.id)
            app.run_frame()
            return params
    return []


def nudge_seconds(app) -> float:
    """The median time of one nudge, as a drag on a param's field makes it."""
    session, canvas = app.session, app.canvas
    params = nudge_targets(app)
    if not params:
        return float("nan")  # a graph without params
    times = []
    for index in range(NUDGES):
        node_id = params[index % len(params)]
        value = session.shown_value(node_id) + 0.01
        started = time.perf_counter()
        canvas.nudge(node_id, value)
        times.append(time.perf_counter() - started)
        session.end_gesture()
        app.next_frame()
    return statistics.median(times)


def measure(path: Path, seconds: float) -> dict:
    app = open_app(path)
    try:
        idle = frames_for(app, seconds)
        play_and_settle(app)
        training = frames_for(app, seconds)
        app.session.pause()
        app.next_frame()
        return {
            "graph": path.stem,
            "nodes": len(app.session.document.nodes),
            "batch": app.session.document.training.batch_size,
            "idle fps": idle["fps"],
            "training fps": training["fps"],
            "steps/s": training["steps"] / seconds,
            "gui samples/s": training["samples_per_second"],
            "surface ms": 1000 * training["surface"],
            "nudge ms": 1000 * nudge_seconds(app),
        }
    finally:
        app.close()


def measure_in_a_new_process(path: Path, seconds: float) -> dict:
    environment = dict(os.environ, MLGARDEN_STATE_DIR=tempfile.mkdtemp(prefix="mlgarden-bench-"))
    finished = subprocess.run([sys.executable, __file__, "--one", str(path), "--seconds", str(seconds)],
                              env=environment, capture_output=True, text=True, check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


# --- the canvas's figures (--json, issue 10) -----------------------------------------------------


def canvas_figures(path: Path, seconds: float) -> dict:
    """Frame rates on an empty canvas (a new graph, measured before and after the file, the mean),
    the file as opened, idle and training (the same view), and fitted; the nudge."""
    app = open_app(None)
    try:
        empty = frames_for(app, seconds)["fps"]
        if not app.open_path(path):
            raise SystemExit(app.session.status)
        for _ in range(5):
            app.next_frame()
        idle = frames_for(app, seconds)["fps"]
        unpaced_idle = frames_for(app, seconds, paced=False)["fps"]
        play_and_settle(app)
        training = frames_for(app, seconds)  # the same view as idle: the two are compared
        app.session.pause()
        app.next_frame()
        headless = headless_samples_per_second(app.session, seconds)
        app.canvas.fit()
        app.next_frame()
        fitted = frames_for(app, seconds)["fps"]
        nudge = nudge_seconds(app)
        shown, frame_seconds = nudge_shown_in_one_frame(app)
        nodes = len(app.session.document.nodes)
        app.session.new()  # the empty canvas again, so a drift of the machine's load evens out
        for _ in range(5):
            app.next_frame()
        empty = (empty + frames_for(app, seconds)["fps"]) / 2
        return {"file": str(path), "nodes": nodes, "empty_fps": empty,
                "idle_fps": idle, "unpaced_idle_fps": unpaced_idle, "fitted_fps": fitted,
                "training_fps": training["fps"],
                "gui_samples_per_second": training["samples_per_second"],
                "headless_samples_per_second": headless,
                "nudge_ms": 1000 * nudge, "nudge_frame_ms": 1000 * frame_seconds,
                "nudge_shown_in_frame": shown}
    finally:
        app.close()


def nudge_shown_in_one_frame(app) -> tuple[bool, float]:
    """Nudge the first param and run one frame: does the text of the node downstream (the
    result; in a body, the body's first output) show the new value?"""
    from mlgarden.document.scope_ids import flat_id_shown
    from mlgarden.gui import ids, theme

    session, canvas = app.session, app.canvas
    params = nudge_targets(app)
    if not params:
        return False, float("nan")
    if hasattr(canvas, "zoom_to"):
        canvas.zoom_to(1.0)
    app.run_frame()
    started = time.perf_counter()
    canvas.nudge(params[0], session.shown_value(params[0]) + 0.5)
    app.run_frame()
    seconds = time.perf_counter() - started
    session.end_gesture()
    downstream = (session.document.definition(session.scope).output_ids()[0]
                  if session.scope is not None else session.document.result)
    if downstream is None or not hasattr(canvas, "text_of"):
        return False, seconds  # the node editor (before issue 10) cannot say
    flat_id = flat_id_shown(session.document, session.scope, downstream, session.scope_instance)
    expected = theme.number(session.evaluation().values.get(flat_id))
    return canvas.text_of(ids.value_text(downstream)) == expected, seconds


def generated_graph(nodes: int, folder: Path) -> Path:
    """A graph of about `nodes` top-level nodes: x, y, layers of ten tanh perceptrons as plain
    nodes (as calls it would expand past the node limit), one output, a loss."""
    from mlgarden.document.build import Builder
    from mlgarden.files.fileformat import save

    builder = Builder(seed=3)
    values = [builder.x(), builder.y()]
    while len(builder.document.nodes) < nodes - 40:
        values = builder.layer(values, 10, flat=True)
    out = builder.perceptron(values, label="out")
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    path = folder / f"generated-{len(document.nodes)}.yaml"
    save(document, path)
    return path


def canvas_figures_in_a_new_process(path: Path, seconds: float) -> dict:
    environment = dict(os.environ, MLGARDEN_STATE_DIR=tempfile.mkdtemp(prefix="mlgarden-bench-"))
    finished = subprocess.run([sys.executable, __file__, "--one-canvas", str(path), "--seconds",
                               str(seconds)], env=environment, capture_output=True, text=True,
                              check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--seconds", type=float, default=3.0, help="how long each rate is measured")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # measure one file, print JSON
    parser.add_argument("--json", action="store_true", help="the canvas's figures as one JSON list")
    parser.add_argument("--generated", type=int, default=0,
                        help="also measure a generated graph of about this many nodes")
    parser.add_argument("--one-canvas", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.one is not None:
        print(json.dumps(measure(arguments.one, arguments.seconds)))
        return 0
    if arguments.one_canvas is not None:
        print(json.dumps(canvas_figures(arguments.one_canvas, arguments.seconds)))
        return 0
    from mlgarden import shipped

    files = arguments.files or [largest_example(), shipped.example_file("final-boss")]
    if arguments.generated:
        files = list(files) + [generated_graph(arguments.generated, Path(tempfile.mkdtemp()))]
    if arguments.json:
        print(json.dumps([canvas_figures_in_a_new_process(path, arguments.seconds)
                          for path in files], indent=1))
        return 0
    rows = [measure_in_a_new_process(path, arguments.seconds) for path in files]
    columns = ("graph", "nodes", "batch", "idle fps", "training fps", "steps/s", "gui samples/s",
               "surface ms", "nudge ms")
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        cells = [f"{row[c]:.1f}" if isinstance(row[c], float) else str(row[c]) for c in columns]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
