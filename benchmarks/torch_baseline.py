"""The final-boss network in PyTorch, the usual way, against `mlgarden train` on the same data.

    python benchmarks/torch_baseline.py [--points 2500] [--batch-size 500] [--steps 2000] [--json]

The network is saved_graphs/final-boss.yaml written as PyTorch eager code with `nn.Linear` layers
in float32 (what most people would write): the features x, y, sin(a x + b), sin(c y + d) and
sqrt((x - px)² + (y - py)² + 0.001) with learned a, b, c, d, px, py; a tanh layer of 8 reading the
five features; a tanh layer of 4 reading those 8 and the features again; one tanh output; the mean
squared error against the labels; plain SGD (`torch.optim.SGD`), default threads.

Both sides train on the same spiral (mlgarden's generator with the file's dataset settings and
`--points`), with batches drawn from a permutation of the training points reshuffled every epoch,
for the same number of steps at the same learning rate. mlgarden's figure is the `samples_per_second`
of `mlgarden train --json` (run as a subprocess, as a user would), which counts training steps only;
torch's is timed over its training loop only, with the wall clock. The ratio is mlgarden over torch;
issue 13's goal is at least 2x. Not a test: benchmarks/RESULTS.md records the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FILE = REPO / "saved_graphs" / "final-boss.yaml"
DISTANCE_EPSILON = 1e-3


def training_data(points: int):
    """The file's spiral with `points` points, split as `mlgarden train` splits it."""
    from mlgarden.files.fileformat import load
    from mlgarden.learning.custom_data import document_dataset

    document = load(FILE)
    document.set_dataset(points=points)
    full = document_dataset(document, graph_folder=FILE.parent)
    train, _ = full.split(document.dataset.test_fraction, document.dataset.seed)
    return train, document.training


def torch_samples_per_second(train, learning_rate: float, batch_size: int, steps: int,
                             seed: int) -> float:
    import torch
    from torch import nn

    class FinalBoss(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Parameter(torch.empty(6).uniform_(-1.0, 1.0))  # a, b, c, d, px, py
            self.first = nn.Linear(5, 8)
            self.second = nn.Linear(13, 4)
            self.out = nn.Linear(4, 1)

        def forward(self, xy):
            a, b, c, d, px, py = self.features
            x, y = xy[:, 0:1], xy[:, 1:2]
            distance = torch.sqrt((x - px) ** 2 + (y - py) ** 2 + DISTANCE_EPSILON)
            features = torch.cat([x, y, torch.sin(a * x + b), torch.sin(c * y + d), distance], dim=1)
            first = torch.tanh(self.first(features))
            second = torch.tanh(self.second(torch.cat([first, features], dim=1)))
            return torch.tanh(self.out(second)).squeeze(1)

    torch.manual_seed(seed)
    model = FinalBoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    points = torch.tensor(train.points, dtype=torch.float32)
    labels = torch.tensor(train.labels, dtype=torch.float32)
    rng = np.random.default_rng(seed)
    order, cursor = torch.from_numpy(rng.permutation(len(labels))), 0
    started = time.perf_counter()
    for _ in range(steps):
        batch = order[cursor:cursor + batch_size]
        cursor += len(batch)
        if cursor >= len(order):
            order, cursor = torch.from_numpy(rng.permutation(len(labels))), 0
        optimizer.zero_grad()
        loss = ((model(points[batch]) - labels[batch]) ** 2).mean()
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - started
    return steps * batch_size / seconds


def mlgarden_samples_per_second(points: int, batch_size: int, steps: int) -> float:
    finished = subprocess.run(
        [sys.executable, "-m", "mlgarden", "train", str(FILE), "--points", str(points),
         "--batch-size", str(batch_size), "--optimizer", "sgd", "--steps", str(steps), "--json"],
        capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(finished.stdout)["samples_per_second"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=2500)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--steps", type=int, default=None,
                        help="steps for both (default: the file's, as `mlgarden train` runs it)")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args(argv)
    train, settings = training_data(arguments.points)
    steps = arguments.steps or settings.steps
    import torch

    figures = {
        "points": arguments.points, "batch_size": arguments.batch_size, "steps": steps,
        "torch_threads": torch.get_num_threads(),
        "mlgarden_samples_per_second": mlgarden_samples_per_second(arguments.points,
                                                                   arguments.batch_size, steps),
        "torch_samples_per_second": torch_samples_per_second(
            train, settings.learning_rate, arguments.batch_size, steps, settings.seed),
    }
    figures["ratio"] = figures["mlgarden_samples_per_second"] / figures["torch_samples_per_second"]
    if arguments.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:30} {value:,.1f}" if isinstance(value, float) else f"{name:30} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
