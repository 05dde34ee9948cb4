"""How a training run is followed: the loss curve's points, and when the test set is measured.

Measuring must cost little beside training, or the figures lie about the speed:

- The loss curve (`LossHistory`) keeps at most `HISTORY_LIMIT` points. It records every step while
  the run is short; once full it drops every other point and from then on records every second
  step (then every fourth, ...), so a long run keeps an evenly spaced curve of bounded size. The
  points that carry a test loss are halved among themselves, keeping the first: halving by
  position alone could drop every one of them at once (a test at every eighth step sits at every
  eighth position), and the test curve would lose its start.
- The test set is measured (one forward and backward pass over all its points) at the first
  curve point, then at the first curve point after at least `TEST_EVERY_SAMPLES_PER_POINT`
  training samples per test point, so its cost stays a small share of training's at any batch
  size. Never by the clock: a run with the same seed and steps measures at the same steps, in the
  app's worker as on the command line. A curve point carries a test loss only when it was
  measured at its step.
"""

from __future__ import annotations

from dataclasses import dataclass

HISTORY_LIMIT = 2000
TEST_EVERY_SAMPLES_PER_POINT = 20  # train 20 x (test points) samples between two test measures


@dataclass
class HistoryPoint:
    step: int
    train_loss: float
    test_loss: float | None


class LossHistory:
    """The loss curve's points, bounded: see the module's docstring."""

    def __init__(self, limit: int = HISTORY_LIMIT):
        self.limit = limit
        self.points: list[HistoryPoint] = []
        self.every = 1  # record a point every this many steps
        self.thinnings = 0  # how many times the points were halved (the app's copy follows them)

    def due(self, step: int) -> bool:
        return step % self.every == 0

    def add(self, point: HistoryPoint) -> None:
        self.points.append(point)
        if len(self.points) > self.limit:
            self.points = halved(self.points)
            self.every *= 2
            self.thinnings += 1


def halved(points: list[HistoryPoint]) -> list[HistoryPoint]:
    """Every other point: of those with a test loss the first, third, ...; of the others those at
    odd positions (steps 2, 4, ... of a run that recorded every step)."""
    kept, tests = [], 0
    for position, point in enumerate(points):
        if point.test_loss is not None:
            if tests % 2 == 0:
                kept.append(point)
            tests += 1
        elif position % 2 == 1:
            kept.append(point)
    return kept


class TestSchedule:
    """When to measure the test set (see the module's docstring)."""

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, test_points: int):
        self.interval = TEST_EVERY_SAMPLES_PER_POINT * test_points
        self.samples_since: int | None = None  # None: never measured yet

    def count(self, samples: int) -> None:
        if self.samples_since is not None:
            self.samples_since += samples

    def ready(self) -> bool:
        return self.interval > 0 and (self.samples_since is None or self.samples_since >= self.interval)

    def measured(self) -> None:
        self.samples_since = 0
