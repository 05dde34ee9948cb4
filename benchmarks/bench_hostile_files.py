"""How long hostile graph files take to be refused, and how long the largest honest ones take.

    python benchmarks/bench_hostile_files.py

Each file is written to a temporary folder and read with `fileformat.load` (what `mlgarden check`
and the app's Open do), best of three, wall clock; the goal is about a second for any file under the
5 MB limit. The texts are the test suite's (tests/hostile_texts.py).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile_texts import (  # noqa: E402
    big_sum,
    compact_nodes,
    doubling_functions,
    nested_functions,
    node_with_value,
    scalar_flood,
)

from mlgarden.files import fileformat  # noqa: E402

FILES = {
    "!!float 'abc'": node_with_value('!!float "abc"'),
    "a 5000-digit integer": node_with_value("9" * 5000),
    "functions nested 1000 deep": nested_functions(1000),
    "functions doubling 40 times": doubling_functions(40),
    "a sum of 5000 inputs (loads)": big_sum(5000),
    "a sum of 20000 inputs (loads)": big_sum(20_000),
    "a sum of 300000 inputs": big_sum(300_000),
    "5 MB of compact nodes": compact_nodes(5 * 1024 * 1024 - 1024),
    "a flood of values past the bound": scalar_flood(fileformat.MAX_YAML_ITEMS + 10),
    "20000 compact nodes (loads)": compact_nodes(None, count=fileformat.MAX_NODES),
}


def seconds_to_read(path: Path) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(3):
        started = time.perf_counter()
        try:
            fileformat.load(path)
            outcome = "loaded"
        except fileformat.FileFormatError as error:
            outcome = str(error).split(": ", 1)[1][:70]
        best = min(best, time.perf_counter() - started)
    return best, outcome


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print("| file | bytes | seconds | outcome |\n|---|---|---|---|")
        for name, text in FILES.items():
            path = Path(folder) / "graph.yaml"
            path.write_text(text, encoding="utf-8")
            seconds, outcome = seconds_to_read(path)
            print(f"| {name} | {len(text.encode())} | {seconds:.2f} | {outcome} |")


if __name__ == "__main__":
    main()
