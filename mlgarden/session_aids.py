"""The learning aids of a Session: any node over the plane, a step-through, your own data.

`Session` takes these methods from `SessionAids`, so each aid is plain Python the app's windows
call and the tests call without a window:

- **Any node over the plane.** `show_on_plane(flat_id)` makes the Dataset window shade that
  node's value over the plane instead of the result's; `show_on_plane(None)` returns to the
  result. `plane_node()` is the node shaded now (None: the result), or None again once an edit
  took the node away; `plane_heading()` names it. A node's colours are scaled to its own range
  (`surface.symmetric_scale`); the result keeps the fixed -1..+1 of the decision surface.
  `nodes_over_plane(flat_ids, resolution)` gives several nodes at once (the canvas's thumbnails).
- **Step through** (learning/stepthrough.py). `start_stepthrough(BACKWARD or FORWARD)` pauses
  training and builds the steps from the current sample's evaluation; `stepthrough` is the Walk
  (None when none is under way): the canvas shows its numbers and lights up its current node and
  link. Any change to the graph, its values or the sample ends it, since its numbers would be old.
- **Your own data** (document/custom_points.py). `add_point` and `remove_nearest_point` are
  document edits, one undo step each. `use_custom_points` (and a point placed while another
  dataset is chosen) switches to the graph's own points in the same step; with none yet they
  start as a copy of the points shown, so the user edits what they see.
  `export_data(path)` writes the points as CSV.
"""

from __future__ import annotations

import numpy as np

from mlgarden.document.custom_points import CUSTOM
from mlgarden.learning.custom_data import write_csv
from mlgarden.learning.datasets import DatasetError
from mlgarden.learning.stepthrough import BACKWARD, StepError, Walk, flat_name, start_walk
from mlgarden.learning.surface import node_values


class SessionAids:
    """Mixed into Session: it uses the session's document, dataset, evaluation and edits."""

    _plane_node: str | None = None
    stepthrough: Walk | None = None

    # --- any node over the plane ------------------------------------------------------------------

    def show_on_plane(self, flat_id: str | None) -> None:
        """Shade node `flat_id` (a flat id of the program) over the plane; None: the result."""
        if flat_id is not None and flat_id not in self.document.program().index:
            self.status = "that node cannot be computed yet (a pin is free): the plane shows the result"
            flat_id = None
        if flat_id != self._plane_node:
            self._plane_node = flat_id
            self._surface_stale = True

    def plane_node(self) -> str | None:
        """The node shaded over the plane, or None for the result (also once the node is gone)."""
        node = self._plane_node
        if node is not None and node not in self.document.program().index:
            self._plane_node = node = None
        return node

    def plane_heading(self) -> str | None:
        """What the plane shades ('result 'out'', 'node 'z' (add)'); None with no result to shade."""
        node = self.plane_node()
        if node is None:
            result = self.document.result
            if not result:
                return None
            return f"result {self.document.describe(self.document.flat_id(result))}"
        return f"node {self.document.describe(node)} ({self.document.flat_node(node).op})"

    def nodes_over_plane(self, flat_ids, resolution: int) -> dict[str, np.ndarray]:
        """Each computable node of `flat_ids` over the dataset's bounds, in one forward pass."""
        program = self.document.program()
        return node_values(program, self.document.leaf_values(program), self.bounds(), resolution,
                           flat_ids)

    # --- step through -------------------------------------------------------------------------

    def start_stepthrough(self, kind: str = BACKWARD) -> bool:
        self.pause()
        document = self.document
        try:
            self.stepthrough = start_walk(kind, document.program(), self.evaluation(),
                                          lambda flat_id: flat_name(document, flat_id))
        except StepError as error:
            self.stepthrough = None
            self.status = str(error)
            return False
        self.status = f"stepping through {kind}: → next, ← back, Esc ends"
        return True

    def end_stepthrough(self) -> None:
        if self.stepthrough is not None:
            self.stepthrough = None
            self.status = "step-through ended"

    def _stepthrough_outdated(self) -> None:
        if self.stepthrough is not None:
            self.stepthrough = None
            self.status = "step-through ended: the graph or the sample changed"

    # --- your own data --------------------------------------------------------------------------

    def add_point(self, x: float, y: float, label: float) -> bool:
        """Place a point labelled `label` (one undo step), starting the custom dataset if needed."""
        def place(document):
            if document.dataset.name != CUSTOM:
                self._start_custom_points(document)
            document.add_point(float(x), float(y), float(label))
        return self.apply("add_point", place) is not None

    def use_custom_points(self) -> bool:
        """Choose your own data (one undo step); with none yet, it starts as the points shown."""
        return self.apply("use_your_own_data", self._start_custom_points) is not None

    def _start_custom_points(self, document) -> None:
        if not document.custom_points:
            document.set_points(self._shown_points())
        document.set_dataset(name=CUSTOM)

    def remove_nearest_point(self, x: float, y: float) -> bool:
        """Remove the point nearest (x, y) from the custom dataset (one undo step)."""
        if self.document.dataset.name != CUSTOM:
            self.status = "only your own points can be removed: click to add one first"
            return False
        return self.edit("remove_point", self.nearest_sample(x, y)) is not None

    def _shown_points(self) -> list[tuple[float, float, float]]:
        table = np.column_stack([self.dataset.points, self.dataset.labels])
        return [tuple(row) for row in table.tolist()]

    def export_data(self, path) -> bool:
        try:
            written = write_csv(self.dataset, path)
        except DatasetError as error:
            self.status = str(error)
            return False
        self.status = f"exported {len(self.dataset)} points to {written.name}"
        return True

