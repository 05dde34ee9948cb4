"""How smooth a noise drag is in the Dataset window when the data has many points.

Run under a display, e.g.

    xvfb-run -a -s "-screen 0 1280x800x24" python benchmarks/bench_noise_drag.py [--points 100000]

It opens the app as `mlgarden FILE` does (moons-mlp by default), sets the dataset's number of
points, then changes the noise once a frame for `--frames` frames, as dragging the noise slider
does (one merged undo step), and times each frame (`App.run_frame`: the edit's new data, the
surface, the points' picture when due, render). Then it runs frames until the points' picture
shows the last data, and times that. With `--json` it prints `drag_frame_median_s`,
`drag_frame_max_s` and `settle_s`.

It is not a test: the figures depend on the machine; benchmarks/RESULTS.md records them. The
state folder is a temporary one, so no recent-file list or recovery copy of the user's is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def measure(path: Path, points: int, frames: int) -> dict:
    from bench_gui import open_app

    app = open_app(path)
    session, window = app.session, app.panels[1]
    session.edit("set_dataset", points=points)
    for _ in range(5):
        app.run_frame()
    durations = []
    for frame in range(frames):
        session.edit("set_dataset", noise=0.1 + 0.005 * frame, merge_key="noise")
        started = time.perf_counter()
        app.run_frame()
        durations.append(time.perf_counter() - started)
    session.end_gesture()
    started = time.perf_counter()
    while not window.points_are_current():
        app.run_frame()
    return {"file": str(path), "points": points, "drag_frame_median_s": statistics.median(durations),
            "drag_frame_max_s": max(durations), "settle_s": time.perf_counter() - started}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=REPO / "saved_graphs" / "moons-mlp.yaml")
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as state:
        os.environ["MLGARDEN_STATE_DIR"] = state
        result = measure(arguments.file, arguments.points, arguments.frames)
    if arguments.json:
        print(json.dumps(result))
    else:
        print(f"{result['points']} points: a drag frame {result['drag_frame_median_s'] * 1000:.0f} ms "
              f"(median), {result['drag_frame_max_s'] * 1000:.0f} ms (max); "
              f"painted {result['settle_s']:.2f} s after the drag")
    return 0


if __name__ == "__main__":
    sys.exit(main())
