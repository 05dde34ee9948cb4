"""The write-up's story in the app: its networks in the order it tells them, one line each.

The MLGarden write-up walks from (5 + 3) * 2 to a network that solves the spiral. The Examples
menu and `mlgarden examples` follow it, in the order issue 11 fixes: arithmetic, fit-ten, line,
linear, perceptrons, donut-distance, mlp-2x4, final-boss, final-boss-built, moons-mlp (the donut's
two answers side by side: perceptrons, then the hand-made distance feature that the write-up
tries first and calls "cheating"). `STORY` names each shipped example (the file's stem) with the
one line shown beside it; the file's own `description` tells the rest, and what to try next, in
the About this graph panel. `story_examples(paths)` puts the shipped example files in the story's
order, any file the story does not name after them, by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STORY: tuple[tuple[str, str], ...] = (
    ("arithmetic", "(5 + 3) * 2 as a graph, and the gradients of its result"),
    ("fit-ten", "a loss turns the result into 10: training by gradient descent"),
    ("line", "tanh(w x + b): a classifier that can only draw vertical lines"),
    ("linear", "add y: one perceptron draws any line"),
    ("perceptrons-2-1", "the donut, which no line splits: three perceptrons cut a band out of it"),
    ("donut-distance", "the donut again, solved by a hand-made feature: the distance to the centre"),
    ("mlp-2x4", "the spiral with two layers of 4 perceptrons"),
    ("final-boss", "the spiral solved: engineered features and 8 + 4 + 1 perceptrons"),
    ("final-boss-built", "the final boss rebuilt from an empty canvas in a few actions"),
    ("moons-mlp", "micrograd's 2-16-16-1 network on the moons"),
)


@dataclass(frozen=True)
class Example:
    path: Path
    line: str  # what the menu says about it; empty for a file the story does not name

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def menu_label(self) -> str:
        return f"{self.name}: {self.line}" if self.line else self.name


def story_examples(paths: list[Path]) -> list[Example]:
    """The example files `paths`: the story's in its order, then the others by name."""
    files = {path.stem: path for path in sorted(paths)}
    told = [Example(files.pop(name), line) for name, line in STORY if name in files]
    return told + [Example(path, "") for path in files.values()]
