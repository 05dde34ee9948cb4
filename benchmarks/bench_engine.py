"""Benchmark the engine against micrograd on the shipped final-boss and moons-mlp graphs.

    python benchmarks/bench_engine.py            # about two minutes; micrograd takes most of it
    python benchmarks/bench_engine.py --clock wall

Everything is measured in one run, mlgarden and micrograd side by side on the same graph, data and
batches (see micrograd_baseline.py for how a graph becomes micrograd Values):

- training samples per second at batch sizes 1, 50 and 500: mlgarden's Trainer (plain sgd, no test
  set, as micrograd's demo) against micrograd's demo step, each on fresh batches of the same data;
- one nudge: every node's value and gradient at one data point (`evaluate_point`) against one
  micrograd forward, zero_grad and backward;
- the decision surface over 128x128 and 256x256 grids (`surface.decision_values`, what the app
  draws), which micrograd has no counterpart for;
- the engine's two batch routes, point-by-point and fused, at each batch size (the trainer picks
  the faster one; this shows where they cross).

A time is the best over several repeats of a block of calls, per call, for both engines alike
(micrograd's batch of 500 gets two repeats of one step: a step takes seconds). The clock is the CPU
time of this process by default: on a shared machine, wall time also counts other programs' turns.
micrograd runs with Python's garbage collector on, as it always does; a best block may escape a
collection, which favours micrograd.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(Path(__file__).resolve().parent)]

from micrograd_baseline import MicrogradModel  # noqa: E402

from mlgarden.learning.datasets import load_dataset  # noqa: E402
from mlgarden.files.fileformat import load  # noqa: E402
from mlgarden.learning.surface import decision_values  # noqa: E402
from mlgarden.learning.training import Trainer  # noqa: E402

NETWORKS = ("final-boss", "moons-mlp")
BATCH_SIZES = (1, 50, 500)
DATA_POINTS = 2000  # the document's dataset generator, with enough points for full batches of 500
LEARNING_RATE = 0.01
MICROGRAD_BLOCKS = {1: (30, 5), 50: (1, 4), 500: (1, 2)}  # micrograd's (steps per block, blocks)
TARGETS = {  # (network, measure): (least ratio over micrograd, or most milliseconds)
    ("final-boss", "train 500"): ("ratio", 3000.0),
    ("final-boss", "nudge"): ("ratio", 20.0),
    ("final-boss", "surface 256"): ("ms", 10.0),
}

CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = time.process_time


def best_seconds(function, number: int, repeat: int) -> float:
    """The best time per call over `repeat` blocks of `number` calls."""
    best = math.inf
    for _ in range(repeat):
        start = clock()
        for _ in range(number):
            function()
        best = min(best, (clock() - start) / number)
    return best


# --- the setting ----------------------------------------------------------------------------------


def network(name: str):
    """(document, points, labels) for a shipped example, its dataset grown to DATA_POINTS."""
    document = load(REPO / "saved_graphs" / f"{name}.yaml")
    settings = document.dataset
    data = load_dataset(settings.name, DATA_POINTS, settings.noise, settings.seed)
    return document, np.array(data.points), np.array(data.labels)


def trainer_for(document, points, labels, batch_size: int) -> Trainer:
    trained = document.copy()
    trained.set_training(optimizer="sgd", learning_rate=LEARNING_RATE, batch_size=batch_size, lr_decay=0.0)
    return Trainer(trained, points, labels)


# --- the measures ------------------------------------------------------------------------------------


def mlgarden_seconds_per_sample(document, points, labels, batch_size: int) -> float:
    trainer = trainer_for(document, points, labels, batch_size)
    steps = max(10, 4000 // batch_size)  # per call, as the app's time slices run many steps
    trainer.run_steps(steps)  # warm up: compile, buffers
    return best_seconds(lambda: trainer.run_steps(steps), 1, 15) / (steps * batch_size)


def micrograd_seconds_per_sample(document, points, labels, batch_size: int) -> float:
    model = MicrogradModel(document)
    steps, blocks = MICROGRAD_BLOCKS[batch_size]
    rows = np.random.default_rng(0).permutation(len(labels))[:blocks * steps * batch_size]
    batches = iter([(points[r, 0].tolist(), points[r, 1].tolist(), labels[r].tolist())
                    for r in rows.reshape(blocks * steps, batch_size)])

    def block():
        for _ in range(steps):
            model.train_step(*next(batches), LEARNING_RATE)

    return best_seconds(block, 1, blocks) / (steps * batch_size)


def nudge_seconds(document, points, labels) -> tuple[float, float]:
    """(mlgarden, micrograd) seconds for every node's value and gradient at one point."""
    program = document.program()
    leaves = document.leaf_values(program)
    x, y, label = float(points[0, 0]), float(points[0, 1]), float(labels[0])
    model = MicrogradModel(document)
    return both(lambda: best_seconds(lambda: program.evaluate_point(leaves, x, y, label), 50, 40),
                lambda: best_seconds(lambda: model.nudge(x, y, label), 5, 30))


def both(ours, theirs) -> tuple[float, float]:
    """(ours, theirs), ours timed before and after theirs and the better kept: a burst of load
    from other programs during our few milliseconds should not decide the ratio."""
    first = ours()
    other = theirs()
    return min(first, ours()), other


def surface_seconds(document, points, resolution: int) -> float:
    program = document.program()
    leaves = document.leaf_values(program)
    xmin, ymin = points.min(axis=0)
    xmax, ymax = points.max(axis=0)
    bounds = (float(xmin), float(xmax), float(ymin), float(ymax))
    return best_seconds(lambda: decision_values(program, leaves, bounds, resolution), 3, 10)


def route_seconds(document, points, labels, batch_size: int, route: str) -> float:
    program = document.program()
    leaves = np.array(document.leaf_values(program))
    xs, ys, batch_labels = points[:batch_size, 0], points[:batch_size, 1], labels[:batch_size]
    number = max(1, 1000 // batch_size) if route == "fused" else max(1, 100 // batch_size)
    return best_seconds(lambda: program.evaluate_batch(leaves, xs, ys, batch_labels, route=route), number, 7)


# --- the report ------------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        model = names[0] if names else model
    load_average = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{datetime.date.today()}  {os.cpu_count()} CPUs ({model}), load average {load_average}\n"
            f"Python {platform.python_version()}, numpy {np.__version__}, clock: "
            f"{'CPU time of this process' if clock is time.process_time else 'wall time'}")


def verdict(name: str, measure: str, ratio: float | None, milliseconds: float | None) -> str:
    kind, bound = TARGETS.get((name, measure), (None, None))
    if kind == "ratio":
        return f">= {bound:.0f}x: {'met' if ratio >= bound else 'MISSED'}"
    if kind == "ms":
        return f"<= {bound:.0f} ms: {'met' if milliseconds <= bound else 'MISSED'}"
    return ""


def run(names) -> list[tuple]:
    rows = []
    for name in names:
        document, points, labels = network(name)
        nodes = len(document.program().order)
        print(f"measuring {name} ({nodes} nodes) ...", file=sys.stderr, flush=True)
        ours, theirs = nudge_seconds(document, points, labels)
        rows.append((name, "nudge", f"{theirs * 1e6:,.0f} us", f"{ours * 1e6:,.1f} us", theirs / ours, None))
        for batch_size in BATCH_SIZES:
            ours, theirs = both(lambda: mlgarden_seconds_per_sample(document, points, labels, batch_size),
                                lambda: micrograd_seconds_per_sample(document, points, labels, batch_size))
            rows.append((name, f"train {batch_size}", f"{1 / theirs:,.0f} /s", f"{1 / ours:,.0f} /s",
                         theirs / ours, None))
        for resolution in (128, 256):
            seconds = surface_seconds(document, points, resolution)
            rows.append((name, f"surface {resolution}", "-", f"{seconds * 1e3:.2f} ms", None, seconds * 1e3))
        for batch_size in BATCH_SIZES:
            point = route_seconds(document, points, labels, batch_size, "point")
            fused = route_seconds(document, points, labels, batch_size, "fused")
            rows.append((name, f"route {batch_size}", f"point {point * 1e6:,.0f} us",
                         f"fused {fused * 1e6:,.0f} us", point / fused, None))
    return rows


def table(rows) -> str:
    header = ("network", "measure", "micrograd", "mlgarden", "ratio", "target")
    lines = [header]
    for name, measure, theirs, ours, ratio, milliseconds in rows:
        shown_ratio = f"{ratio:,.1f}x" if ratio is not None else "-"
        lines.append((name, measure, theirs, ours, shown_ratio, verdict(name, measure, ratio, milliseconds)))
    widths = [max(len(line[k]) for line in lines) for k in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines)


def main(argv=None) -> int:
    global clock
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    parser.add_argument("--network", choices=NETWORKS, action="append", help="default: both")
    args = parser.parse_args(argv)
    clock = CLOCKS[args.clock]
    started = time.perf_counter()
    rows = run(args.network or NETWORKS)
    print(machine())
    print("route rows: the engine's evaluate_batch by each route; ratio = point time / fused time\n")
    print(table(rows))
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
