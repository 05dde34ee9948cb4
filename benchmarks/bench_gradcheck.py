"""Benchmark the gradient check (Tools > Check gradients, `mlgarden gradcheck`).

    python benchmarks/bench_gradcheck.py [--graph moons-mlp] [--batch 100] [--repeat 3]

For each place the check runs, at one point and on the first points of the graph's dataset, it
times `check_at_point` / `check_on_batch` against the way the check used to nudge: a full
`evaluate_batch` (forward and backward, every row of the value matrix copied) per nudge, four
nudges per param, by the same route. Both are timed in the same run; the ratio is what to read on a
shared machine. A time is the best of `--repeat` runs, in seconds of CPU time of this process.
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
from mlgarden.learning.datasets import load_dataset  # noqa: E402
from mlgarden.learning.gradcheck import NUDGES, check_at_point, check_on_batch  # noqa: E402


def full_evaluations(document, batch, route) -> None:
    """What the check cost before: one forward and backward per nudge, the matrix copied."""
    program = document.program()
    leaves = np.asarray(document.leaf_values(program), dtype=float)
    for k, leaf_id in enumerate(program.leaf_ids):
        if document.flat_node(leaf_id).op != "param":
            continue
        for nudge in NUDGES:
            nudged = leaves.copy()
            nudged[k] += nudge * 1e-4
            evaluation = program.evaluate_batch(nudged, *batch, route=route)
            np.array(evaluation.values.matrix, copy=True)


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", default="moons-mlp")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    document = load(REPO / "saved_graphs" / f"{args.graph}.yaml")
    settings = document.dataset
    full = load_dataset(settings.name, settings.points, settings.noise, settings.seed)
    point = ([0.3], [-0.4], [1.0])
    batch = tuple(np.asarray(column[:args.batch], dtype=float)
                  for column in (full.points[:, 0], full.points[:, 1], full.labels))
    params = sum(document.flat_node(i).op == "param" for i in document.program().leaf_ids)
    print(f"{args.graph}: {params} params, {len(document.program().order)} nodes")
    cases = [("at a point", lambda: check_at_point(document, 0.3, -0.4, 1.0),
              lambda: full_evaluations(document, point, "point")),
             (f"on a batch of {args.batch}", lambda: check_on_batch(document, *batch),
              lambda: full_evaluations(document, batch, None))]
    for name, check, before in cases:
        check()  # compiles what the check compiles once per structural edit
        now, then = best(check, args.repeat), best(before, args.repeat)
        print(f"  {name:>18}: check {now * 1e3:7.1f} ms, full evaluation per nudge "
              f"{then * 1e3:7.1f} ms, {then / now:4.1f}x faster")


if __name__ == "__main__":
    main()
