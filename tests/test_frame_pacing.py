"""The frame pacer (gui/frame_pacing.py): the frames leave one core to training.

Driven by fake clocks: each frame says how much CPU and wall time it took, and the test reads how
long the pacer slept after it.
"""

import pytest

from mlgarden.gui import frame_pacing
from mlgarden.gui.frame_pacing import (
    GAP_SECONDS, MAX_DEBT_SECONDS, MAX_WAIT_SECONDS, FramePacer, frame_budget)


class Clocks:
    """A process's CPU clock and the wall clock, moved by hand; sleeping moves the wall only."""

    def __init__(self):
        self.cpu = 0.0
        self.wall = 0.0
        self.slept: list[float] = []

    def frame(self, cpu: float, wall: float) -> None:
        self.cpu += cpu
        self.wall += wall

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.wall += seconds

    def pacer(self, budget: float) -> FramePacer:
        return FramePacer(budget, cpu_clock=lambda: self.cpu, wall_clock=lambda: self.wall,
                          sleep=self.sleep)

    def settled_pacer(self, frames: int) -> FramePacer:
        """A pacer with a budget of one core after `frames` frames of 20 ms, on one core."""
        pacer = self.pacer(budget=1)
        for _ in range(frames):
            self.frame(cpu=0.020, wall=0.020)
            pacer.wait()
        return pacer


def test_the_frames_may_use_every_core_but_one_and_always_one():
    assert frame_budget(8) == 7
    assert frame_budget(2) == 1
    assert frame_budget(1) == 1


def test_a_frame_drawn_on_two_cores_waits_until_it_has_used_one_on_average():
    clocks = Clocks()
    pacer = clocks.pacer(budget=1)
    clocks.frame(cpu=0.030, wall=0.020)  # drawing threads on both cores
    assert pacer.wait() == pytest.approx(0.010)
    assert clocks.slept == [pytest.approx(0.010)]


def test_frames_in_a_steady_loop_use_the_budget_and_no_more():
    clocks = Clocks()
    pacer = clocks.pacer(budget=1)
    started_cpu, started_wall = clocks.cpu, clocks.wall
    for _ in range(100):
        clocks.frame(cpu=0.040, wall=0.025)
        pacer.wait()
    cores_used = (clocks.cpu - started_cpu) / (clocks.wall - started_wall)
    assert cores_used == pytest.approx(1.0, abs=0.01)


def test_a_frame_that_costs_the_cpu_little_never_waits():
    clocks = Clocks()
    pacer = clocks.pacer(budget=1)
    for _ in range(10):
        clocks.frame(cpu=0.004, wall=0.016)  # a graphics card draws; vsync paces
        assert pacer.wait() == 0.0
    assert clocks.slept == []


def test_a_frame_within_a_bigger_budget_does_not_wait():
    clocks = Clocks()
    pacer = clocks.pacer(budget=3)
    clocks.frame(cpu=0.050, wall=0.025)  # two cores' worth of a machine with four
    assert pacer.wait() == 0.0


def test_a_costly_frames_wait_is_spread_over_the_next_frames_and_none_is_too_long():
    clocks = Clocks()
    pacer = clocks.settled_pacer(frames=20)
    clocks.frame(cpu=0.160, wall=0.040)  # a surface redraw, on both cores: owes 0.12 s
    waits = [pacer.wait()]
    for _ in range(3):
        clocks.frame(cpu=0.020, wall=0.020)
        waits.append(pacer.wait())
    assert waits == pytest.approx([MAX_WAIT_SECONDS, MAX_WAIT_SECONDS, 0.020, 0.0])
    clocks.frame(cpu=10.0, wall=0.1)
    assert pacer.wait() == MAX_WAIT_SECONDS  # and what is owed is bounded
    waited = sum(pacer.wait() for _ in range(10))
    assert waited == pytest.approx(MAX_DEBT_SECONDS - MAX_WAIT_SECONDS)


def test_a_slow_frame_within_the_budget_owes_no_wait():
    """A frame that took long on one core (opening a file, a big Arrange) is not followed by a
    stutter: it used no more than the budget."""
    clocks = Clocks()
    pacer = clocks.settled_pacer(frames=20)
    clocks.frame(cpu=0.300, wall=0.300)
    assert pacer.wait() == 0.0
    clocks.frame(cpu=0.020, wall=0.020)
    assert pacer.wait() == 0.0


def test_a_budget_of_no_cores_is_refused():
    with pytest.raises(ValueError, match="above 0"):
        FramePacer(0)


def test_the_budget_by_default_is_this_machines_cores_but_one(monkeypatch):
    monkeypatch.setattr(frame_pacing, "available_cores", lambda: 6)
    assert FramePacer().budget == 5


def test_after_a_long_gap_the_pacer_starts_afresh_instead_of_paying_the_gap_back():
    clocks = Clocks()
    pacer = clocks.settled_pacer(frames=10)
    clocks.frame(cpu=3.0, wall=2.0)  # two seconds of frames run flat out, unpaced
    assert pacer.wait() == 0.0
    clocks.frame(cpu=0.020, wall=0.020)
    assert pacer.wait() == 0.0  # nothing is owed for the gap
    clocks.frame(cpu=0.030, wall=0.020)
    assert pacer.wait() == pytest.approx(0.010)
    assert GAP_SECONDS < 2.0
