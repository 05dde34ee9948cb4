"""Frame pacing: the app's frames leave one of the machine's cores to training.

The frame loop draws as fast as it can. With a graphics card that costs the CPU little (and vsync
paces the frames anyway). With software drawing (Mesa's llvmpipe, which a machine without a GPU
and the tests' Xvfb use) each frame's pixels are painted by CPU threads, and a loop running flat out
takes every core: then Play's training worker (a process of its own, learning/worker.py) can only
take its CPU from the frames, and the canvas slows down the moment training starts.

So after each frame `FramePacer.wait` sleeps just long enough that the app's process, over its
frames and waits, uses at most `budget` cores: the machine's cores less one (at least one). The
frame rate is then the same idle and training, and the worker has a core of its own. Where frames
are cheap for the CPU the pacer never waits.

It keeps a debt: each frame adds the wall time its CPU time asks for (CPU / budget) less the wall
time it took, never below nothing (a slow frame that used no more than the budget owes nothing),
and each wait pays it back. A wait is never longer than MAX_WAIT_SECONDS, so input stays
responsive, and the rest of a costly frame's debt (a surface redraw) is spread over the next
waits; the debt never exceeds MAX_DEBT_SECONDS. After a long gap (frames run unpaced, as tests and
benchmarks do, or a blocking dialog) it starts afresh.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

MAX_WAIT_SECONDS = 0.05
MAX_DEBT_SECONDS = 0.2
GAP_SECONDS = 0.5  # longer since the last wait: frames ran unpaced (or none ran); start afresh


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def frame_budget(cores: int) -> int:
    """The cores the frames may use: all but one, which is training's."""
    return max(1, cores - 1)


class FramePacer:
    """Sleeps after each frame so that the frames use at most `budget` cores on average."""

    def __init__(self, budget: float | None = None,
                 cpu_clock: Callable[[], float] = time.process_time,
                 wall_clock: Callable[[], float] = time.perf_counter,
                 sleep: Callable[[float], None] = time.sleep):
        self.budget = frame_budget(available_cores()) if budget is None else budget
        if self.budget <= 0:
            raise ValueError(f"a frame budget is a number of cores above 0, not {self.budget}")
        self._cpu_clock, self._wall_clock, self._sleep = cpu_clock, wall_clock, sleep
        self._debt = 0.0  # seconds of waiting the frames owe
        self._cpu_at = cpu_clock()
        self._wall_at = wall_clock()

    def wait(self) -> float:
        """Call once after each frame: sleep as the budget asks; return the seconds slept."""
        frame_cpu = self._cpu_clock() - self._cpu_at
        frame_wall = self._wall_clock() - self._wall_at
        if frame_wall > GAP_SECONDS:
            self._debt = 0.0
        else:
            owed = self._debt + frame_cpu / self.budget - frame_wall
            self._debt = min(MAX_DEBT_SECONDS, max(0.0, owed))
        rest = min(MAX_WAIT_SECONDS, self._debt)
        if rest > 0:
            self._sleep(rest)
            self._debt -= rest
        self._cpu_at, self._wall_at = self._cpu_clock(), self._wall_clock()
        return rest
