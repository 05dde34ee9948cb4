"""Frame pacing: the app's frames leave one of the machine's cores to training.

The frame loop draws as fast as it can. With a graphics card that costs the CPU little (and vsync
paces the frames anyway). With software drawing (Mesa's llvmpipe, which a machine without a GPU
and the tests' Xvfb use) each frame's pixels are painted by CPU threads, and a loop running flat out
takes every core: then Play's training worker (a process of its own, learning/worker.py) can only
take its CPU from the frames, and the canvas slows down the moment training starts.

So after each frame `FramePacer.wait` sleeps just long enough that the app's process, over a frame
and its wait, uses at most `budget` cores: the machine's cores less one (at least one). The frame
rate is then the same idle and training, and the worker has a core of its own. Where frames are
cheap for the CPU the pacer never waits. The frame's CPU is smoothed over a few frames, so one
costly frame (a surface redraw) does not make one long wait; a wait is never longer than
MAX_WAIT_SECONDS, so input stays responsive whatever a frame cost; after a long gap (frames run
unpaced, as tests and benchmarks do, or a blocking dialog) it starts afresh.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

SMOOTHING = 0.2  # weight of the newest frame in the frame's smoothed CPU time
MAX_WAIT_SECONDS = 0.05
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
        self._cpu_clock, self._wall_clock, self._sleep = cpu_clock, wall_clock, sleep
        self._frame_cpu: float | None = None  # smoothed CPU seconds of one frame
        self._cpu_at = cpu_clock()
        self._wall_at = wall_clock()

    def wait(self) -> float:
        """Call once after each frame: sleep as the budget asks; return the seconds slept."""
        cpu, wall = self._cpu_clock(), self._wall_clock()
        frame_cpu, frame_wall = cpu - self._cpu_at, wall - self._wall_at
        if frame_wall > GAP_SECONDS:
            self._frame_cpu = None
            rest = 0.0
        else:
            self._frame_cpu = frame_cpu if self._frame_cpu is None else (
                SMOOTHING * frame_cpu + (1 - SMOOTHING) * self._frame_cpu)
            rest = min(MAX_WAIT_SECONDS, self._frame_cpu / self.budget - frame_wall)
        if rest > 0:
            self._sleep(rest)
        else:
            rest = 0.0
        self._cpu_at, self._wall_at = self._cpu_clock(), self._wall_clock()
        return rest
