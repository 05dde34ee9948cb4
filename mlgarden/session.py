"""A session: one open graph in the app, with its file, its data, its trainer and its history.

The app's windows draw a Session and call its methods; everything here is plain Python, so every
behaviour a user sees (edit, undo, nudge, train, open, save) is tested without a window.

- Edits go through `edit(name, ...)`, which records an undo step, calls the document's named edit,
  and turns a refused edit (GraphError) into a status message: nothing changes, nothing raises.
- The current data point (the `sample`) feeds the x, y and label nodes of the point evaluation
  that the canvas shows; `evaluation()` recomputes it only after a change.
- `tick(seconds)` trains for a time slice while playing; a TrainingError pauses and says why.
- `open` and `save` never lose work: a file that fails to load leaves the open graph untouched,
  and `dirty` tells the app to ask before discarding unsaved changes.
"""

from __future__ import annotations

import time
from dataclasses import astuple
from pathlib import Path

import numpy as np

from mlgarden import fileformat
from mlgarden.commands import History
from mlgarden.datasets import DatasetError, load_dataset
from mlgarden.engine import Evaluation
from mlgarden.graph import Document, GraphError
from mlgarden.surface import decision_values
from mlgarden.training import Trainer, TrainingError

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "saved_graphs"
DEFAULT_EXAMPLE = "perceptrons-2-1.yaml"
SURFACE_MARGIN = 0.1


class Session:
    def __init__(self, document: Document | None = None, path: Path | None = None):
        self.document = document if document is not None else Document()
        self.path = path
        self.dirty = False
        self.status = ""
        self.history = History()
        self.playing = False
        self.sample_index = 0
        self._evaluation: Evaluation | None = None
        self._surface_stale = True
        self.document.subscribe(self._on_document_change)
        self._load_data()

    # --- the document ------------------------------------------------------------------------

    def _on_document_change(self, what: str) -> None:
        self._evaluation = None
        if what in ("structure", "values", "reset"):
            self._surface_stale = True
        if what != "reset":
            self.dirty = True

    def edit(self, name: str, *args, merge_key: object = None, **kwargs):
        """Apply the document's edit `name`; a refused edit only sets `status` and returns None."""
        recorded = self.history.record(self.document, name.replace("_", " "), merge_key)
        try:
            outcome = getattr(self.document, name)(*args, **kwargs)
        except GraphError as error:
            if recorded:
                self.history.discard_last()
            self.status = str(error)
            return None
        self._load_data_if_changed()
        return outcome if outcome is not None else True

    def end_gesture(self) -> None:
        self.history.end_gesture()

    def undo(self) -> None:
        label = self.history.undo(self.document)
        self.status = f"undid {label}" if label else "nothing to undo"
        self._after_history_move()

    def redo(self) -> None:
        label = self.history.redo(self.document)
        self.status = f"redid {label}" if label else "nothing to redo"
        self._after_history_move()

    def _after_history_move(self) -> None:
        self.dirty = True
        self._load_data_if_changed()

    # --- files ---------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        name = self.path.name if self.path else "untitled"
        return f"mlgarden — {name}{' *' if self.dirty else ''}"

    def open(self, path: str | Path) -> bool:
        """Load `path` in place of the open graph; on error keep the graph and set `status`."""
        try:
            loaded = fileformat.load(path)
        except fileformat.FileFormatError as error:
            self.status = str(error)
            return False
        self._replace(loaded, Path(path))
        self.status = f"opened {Path(path).name}"
        return True

    def new(self) -> None:
        self._replace(Document(), None)
        self.status = "new graph"

    def _replace(self, document: Document, path: Path | None) -> None:
        self.pause()
        self.document.replace_with(document)
        self.path = path
        self.dirty = False
        self.history.clear()
        self._load_data()

    def save(self, path: str | Path | None = None) -> bool:
        target = Path(path) if path is not None else self.path
        if target is None:
            self.status = "choose a file name first (Save As)"
            return False
        if target.suffix.lower() not in (".yaml", ".yml"):
            target = target.with_name(target.name + ".yaml")
        try:
            fileformat.save(self.document, target)
        except fileformat.FileFormatError as error:
            self.status = str(error)
            return False
        self.path, self.dirty = target, False
        self.status = f"saved {target.name}"
        return True

    # --- data and the current point ----------------------------------------------------------------

    def _load_data_if_changed(self) -> None:
        if astuple(self.document.dataset) != self._data_settings:
            self._load_data()

    def _load_data(self) -> None:
        settings = self.document.dataset
        self._data_settings = astuple(settings)
        try:
            full = load_dataset(settings.name, settings.points, settings.noise, settings.seed)
        except DatasetError as error:
            self.status = str(error)
            full = load_dataset("linear", 200, 0.1, 0)
        self.dataset = full
        self.train_set, self.test_set = full.split(settings.test_fraction, settings.seed)
        self.trainer = Trainer(self.document, self.train_set.points, self.train_set.labels,
                               self.test_set.points, self.test_set.labels)
        self.sample_index = min(self.sample_index, len(full.labels) - 1)
        self._evaluation = None
        self._surface_stale = True

    def bounds(self) -> tuple[float, float, float, float]:
        return self.dataset.bounds(SURFACE_MARGIN)

    def set_sample(self, index: int) -> None:
        self.sample_index = int(index) % len(self.dataset.labels)
        self._evaluation = None

    def nearest_sample(self, x: float, y: float) -> int:
        distances = np.hypot(self.dataset.points[:, 0] - x, self.dataset.points[:, 1] - y)
        return int(np.argmin(distances))

    def sample(self) -> tuple[float, float, float]:
        x, y = self.dataset.points[self.sample_index]
        return float(x), float(y), float(self.dataset.labels[self.sample_index])

    def evaluation(self) -> Evaluation:
        """Every node's value and gradient at the current sample (recomputed after a change)."""
        if self._evaluation is None:
            program = self.document.program()
            self._evaluation = program.evaluate_point(self.document.leaf_values(program), *self.sample())
        return self._evaluation

    def surface(self, resolution: int) -> np.ndarray | None:
        """The result node over the dataset's bounds; None when there is no computable result."""
        program = self.document.program()
        self._surface_stale = False
        return decision_values(program, self.document.leaf_values(program), self.bounds(), resolution)

    @property
    def surface_stale(self) -> bool:
        return self._surface_stale

    # --- training --------------------------------------------------------------------------------

    def play(self) -> None:
        if not self.playing:
            self.history.record(self.document, "training")
        self.playing = True
        self.status = "training"

    def pause(self) -> None:
        if self.playing:
            self.status = "paused"
        self.playing = False

    def step(self) -> None:
        self.history.record(self.document, "training step", merge_key="training step")
        self._train(lambda: self.trainer.step())

    def reset(self) -> None:
        self.pause()
        self.history.record(self.document, "reset params")
        self._train(lambda: self.trainer.reset_params())
        self.trainer.measure_test()

    def tick(self, seconds: float) -> int:
        """Train for a slice of `seconds` if playing; return the steps taken."""
        if not self.playing:
            return 0
        return self._train(lambda: self.trainer.run_for(seconds)) or 0

    def _train(self, action):
        started = time.perf_counter()
        try:
            return action()
        except TrainingError as error:
            self.playing = False
            self.status = str(error)
            return None
        finally:
            self.last_train_seconds = time.perf_counter() - started
