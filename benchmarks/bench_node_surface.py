"""Benchmark shading one node over the plane: what the Dataset window does for a selected node.

    python benchmarks/bench_node_surface.py [--resolution 128] [--clock wall]

For the shipped final-boss and moons-mlp graphs, at the Dataset window's 128x128 grid:

- the result's shade, as before (`Session.surface` plus `surface.colours`), for comparison;
- a node's shade: one hidden unit of the first layer and one of the last layer before the output,
  each the node's values over the grid (`Program.surface(..., node=...)`, its forward plan
  already compiled), its colour scale (`surface.symmetric_scale`) and its colours; the budget is
  10 ms;
- the first shade of a node, which compiles that node's forward plan (once per structural edit).

A time is the best over several blocks of calls, per call, CPU time of this process by default.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mlgarden.files.fileformat import load  # noqa: E402
from mlgarden.learning.surface import colours, grid, symmetric_scale  # noqa: E402
from mlgarden.session import Session  # noqa: E402

NETWORKS = ("final-boss", "moons-mlp")
BUDGET_MS = 10.0
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def best_per_call(action, clock, calls: int = 10, blocks: int = 5) -> float:
    best = float("inf")
    for _ in range(blocks):
        started = clock()
        for _ in range(calls):
            action()
        best = min(best, (clock() - started) / calls)
    return best


def hidden_units(session: Session) -> tuple[str, str]:
    """The first and the last activation (tanh or relu) in computation order, before the result."""
    program = session.document.program()
    activations = [node_id for node_id in program.order if program.specs[node_id].op in ("tanh", "relu")
                   and node_id != program.result]
    return activations[0], activations[-1]


def shade(session: Session, resolution: int, node: str | None) -> np.ndarray:
    session.show_on_plane(node)
    values = session.surface(resolution)
    scale = 1.0 if node is None else symmetric_scale(values)
    return colours(values / np.float32(scale))


def first_shade_seconds(path: Path, node: str, resolution: int, clock) -> float:
    """A fresh program: compiling the node's plan is part of the first shade."""
    document = load(path)
    program = document.program()
    xs, ys = grid((-1.5, 1.5, -1.5, 1.5), resolution)
    leaves = document.leaf_values(program)
    started = clock()
    program.surface(leaves, xs, ys, node)
    return clock() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=128)
    parser.add_argument("--clock", choices=CLOCKS, default="cpu")
    args = parser.parse_args(argv)
    clock = CLOCKS[args.clock]
    print(f"{args.resolution}x{args.resolution} grid, {args.clock} time, best per call")
    print(f"{'graph':<12} {'what':<28} {'ms':>8}  budget {BUDGET_MS:g} ms")
    for name in NETWORKS:
        path = REPO / "saved_graphs" / f"{name}.yaml"
        session = Session(load(path))
        first, last = hidden_units(session)
        rows = [("result", None), (f"first hidden {first}", first), (f"last hidden {last}", last)]
        for label, node in rows:
            shade(session, args.resolution, node)  # compile once
            seconds = best_per_call(lambda: shade(session, args.resolution, node), clock)
            mark = "" if node is None else ("  ok" if seconds * 1e3 < BUDGET_MS else "  OVER")
            print(f"{name:<12} {label:<28} {seconds * 1e3:8.2f}{mark}")
        compile_seconds = first_shade_seconds(path, last, args.resolution, clock)
        print(f"{name:<12} {'first shade (compiles)':<28} {compile_seconds * 1e3:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
