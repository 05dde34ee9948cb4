"""Tools of a Session: the gradient check and the export as a Python script.

`Session` takes these methods from `SessionTools`; each reports in the session's `status` line, as
every other session action does, and never raises for a reason meant for the user.

- `check_gradients()` runs the gradient check (learning/gradcheck.py) at the current sample and on
  the first batch of the training points, and returns both checks for a window to show.
- `export_python(path)` writes the graph as a standalone Python script (export/python_script.py).
"""

from __future__ import annotations

from pathlib import Path

from mlgarden.document.graph import GraphError
from mlgarden.export import export_script
from mlgarden.learning.gradcheck import GradientCheck, check_at_point, check_on_batch


class SessionTools:
    """Mixed into Session: it uses the session's document, sample, training points and status."""

    def check_gradients(self) -> list[GradientCheck]:
        """The gradient check at the current sample and, when the graph has a loss, on the first
        training batch (empty, with the reason in `status`, when it has no loss and no result)."""
        self._load_data_if_changed()
        try:
            checks = [check_at_point(self.document, *self.sample())]
            count = min(self.document.training.batch_size, len(self.train_set.labels))
            if count and self.document.program().loss is not None:
                points, labels = self.train_set.points[:count], self.train_set.labels[:count]
                checks.append(check_on_batch(self.document, points[:, 0], points[:, 1], labels))
        except GraphError as error:
            self.status = str(error)
            return []
        passed = all(check.passed for check in checks)
        self.status = "gradient check passed" if passed else "gradient check FAILED: see the window"
        return checks

    def export_python(self, path: str | Path) -> bool:
        """Write the graph as a standalone Python script; `status` says where, or why not."""
        path = Path(path)
        try:
            path.write_text(export_script(self.document, "python", path.stem), encoding="utf-8")
        except GraphError as error:
            self.status = f"could not export: {error}"
            return False
        except OSError as error:
            self.status = f"could not write {path.name}: {error.strerror or error}"
            return False
        self.status = f"exported the graph as Python to {path}"
        return True

