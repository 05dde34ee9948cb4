"""Training: nudge every trainable param against its gradient, one batch at a time.

One step takes the next batch of training points (the order is reshuffled every epoch from the
seed, so a run is reproducible), runs the compiled graph forward and backward over the whole batch
in one call, and moves each trainable param by the optimiser's rule using the gradient of the mean
loss. The write-up's rule is plain `sgd`: value -= learning_rate * gradient; `momentum` and `adam`
are the usual refinements. An optional decay lowers the learning rate as epochs pass:
lr / (1 + lr_decay * epoch).

The Trainer owns no thread and no clock of its own: the app's training worker (worker.py, a
process of its own) calls `run_for(seconds)` in short slices, the command line calls `run_steps(n)`.
The trainer reads the params from the document when it starts a slice (so a nudge by hand is
honoured) and writes them back when it ends (one `values` change per slice, not per step). All of
a run's progress (batch order, optimiser state, metrics, loss curve) travels between the app and
its worker as one picklable dict (`export_progress`, `adopt_progress`), so a run split into Play
and Pause gives the same numbers as one `run_steps` call.

Measuring is kept cheap and apart (progress.py): the test set is measured every so many samples,
not every step, and `Metrics.test_step` says at which step the test figures were measured;
`samples_per_second` counts the time of training steps only; the trainable flags are worked out
once per compiled program and again only when a param is frozen or thawed.

A step whose loss or gradients are not finite is not applied: training stops with a
TrainingError naming the first node, in computation order, that went non-finite, and the params
stay at their last finite values. A param the step would push past the document's limit on a value
(VALUE_LIMIT) counts as diverged in the same way.
"""

from __future__ import annotations

import copy
import math
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from mlgarden.document.graph import Document
from mlgarden.document.nodes import VALUE_BOUND
from mlgarden.learning.progress import HISTORY_LIMIT, HistoryPoint, LossHistory, TestSchedule

__all__ = ["HISTORY_LIMIT", "HistoryPoint", "Metrics", "Trainer", "TrainingError", "VALUE_LIMIT"]

# What a run has done so far: handed from the app to its worker at Play and back at Pause.
PROGRESS_FIELDS = ("metrics", "_history", "_test_schedule", "_rng", "_order", "_cursor", "_window",
                   "_window_totals", "_busy_seconds", "_samples", "_optimizer_state")
VALUE_LIMIT = VALUE_BOUND  # the document refuses a value beyond this, so a param past it has diverged


class TrainingError(RuntimeError):
    """Training cannot go on; `node_id` names the node to blame when there is one."""

    def __init__(self, message: str, node_id: str | None = None):
        super().__init__(message)
        self.node_id = node_id


@dataclass
class Metrics:
    """What the Training panel and `mlgarden train --json` report."""

    train_loss: float | None = None
    train_accuracy: float | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None
    test_step: int | None = None  # the step the test figures were measured at (None: not yet)
    steps: int = 0
    samples: int = 0  # training points seen, counting repeats
    epochs: int = 0
    samples_per_second: float = 0.0
    learning_rate: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class Trainer:
    """Trains a document's params on a training set; measures on a held-out test set."""

    def __init__(self, document: Document, train_points: np.ndarray, train_labels: np.ndarray,
                 test_points: np.ndarray | None = None, test_labels: np.ndarray | None = None):
        self.document = document
        self.train_x, self.train_y = _columns(train_points)
        self.train_labels = np.asarray(train_labels, dtype=float)
        if len(self.train_labels) == 0:
            raise TrainingError("there are no training points")
        self.test_x, self.test_y = _columns(test_points)
        self.test_labels = np.asarray(test_labels if test_labels is not None else [], dtype=float)
        self._program = None
        self._flags_key = None
        self.holds_params = False  # the worker's mode: see hold_params
        self._held: np.ndarray | None = None
        self._forget_progress()

    def _forget_progress(self) -> None:
        self.metrics = Metrics()
        self._history = LossHistory()
        self._test_schedule = TestSchedule(len(self.test_labels))
        self._rng = np.random.default_rng(self.document.training.seed)
        self._order = self._rng.permutation(len(self.train_labels))
        self._cursor = 0
        self._window: deque[tuple[float, int, int]] = deque()  # (loss sum, correct, count) a batch
        self._window_totals = np.zeros(3)
        self._busy_seconds = 0.0
        self._samples = 0
        self._optimizer_state: dict[str, np.ndarray] = {}

    @property
    def history(self) -> list[HistoryPoint]:
        """The loss curve's points, oldest first."""
        return self._history.points

    @property
    def history_thinnings(self) -> int:
        """How many times the loss curve was halved (a copy of it must then be taken anew)."""
        return self._history.thinnings

    def show_progress(self, metrics: Metrics, points: list[HistoryPoint], replace: bool) -> None:
        """Take the metrics and the loss curve's new points of a run trained elsewhere (the
        worker), so the app's panels show them."""
        self.metrics = metrics
        if replace:
            self._history.points = list(points)
        else:
            self._history.points.extend(points)

    def trained_values(self) -> dict[str, float]:
        """The trainable params' values (held, or in the document), by flat id."""
        self._follow_program()
        ids = self._program.leaf_ids
        values = self._held if self._held is not None else self._read_params()
        return {ids[k]: float(values[k]) for k in np.flatnonzero(self._trainable)}

    def check(self) -> None:
        """Raise TrainingError if the graph cannot be trained as it is (it has no loss)."""
        self._sync_program()

    def hold_params(self) -> None:
        """From now on keep the params between runs instead of writing them into the document
        after each (in a graph of functions that costs more than a step): the worker trains in
        slices of a few milliseconds. `release_params` writes them before the document changes."""
        self.holds_params = True

    def release_params(self) -> None:
        """Write the held params into the document; the next run reads them from it again."""
        if self._held is not None:
            self._write_params(self._held)
            self._held = None

    def export_progress(self) -> dict:
        """A copy of everything this run has done (see PROGRESS_FIELDS), to hand to another
        Trainer of the same document and data: the app's worker, or the app back from it."""
        program = self.document.program()
        if program is not self._program:  # a structural edit: as the next step would
            self._optimizer_state = {}
        progress = {name: getattr(self, name) for name in PROGRESS_FIELDS}
        return copy.deepcopy({**progress, "leaf_ids": program.leaf_ids})

    def adopt_progress(self, progress: dict) -> None:
        """Go on from `progress` (an `export_progress` of a Trainer of the same data); the
        optimiser's state is kept only if the graph's params are still the same."""
        self._program = self.document.program()
        for name in PROGRESS_FIELDS:
            setattr(self, name, progress[name])
        if list(progress["leaf_ids"]) != list(self._program.leaf_ids):
            self._optimizer_state = {}

    # --- params in and out of the document --------------------------------------------------

    def _sync_program(self) -> None:
        self._follow_program()
        if self._program.loss is None:  # every time: a refused run must refuse again
            raise TrainingError("the graph has no loss node that can be computed; "
                                "connect every input of the loss and mark it as the loss")

    def _follow_program(self) -> None:
        """The document's program, and which of its leaves are trainable."""
        program = self.document.program()
        if program is not self._program:
            self._program = program
            self._optimizer_state = {}
        # Freezing a param is not a structural change: the document counts them apart.
        key = (program, self.document.trainable_changes)
        if key != self._flags_key:
            leaves = [self.document.flat_node(i) for i in program.leaf_ids]  # a function's too
            self._trainable = np.array([node.op == "param" and node.trainable for node in leaves],
                                       dtype=bool)
            self._flags_key = key

    def _read_params(self) -> np.ndarray:
        return np.array(self.document.leaf_values(self._program), dtype=float)

    def _write_params(self, leaves: np.ndarray) -> None:
        ids = self._program.leaf_ids
        self.document.set_values({ids[k]: float(leaves[k]) for k in np.flatnonzero(self._trainable)})

    def clear_progress(self) -> None:
        """Forget the metrics, the loss curve and the optimiser's state: training starts anew."""
        self._forget_progress()

    def reset_params(self) -> None:
        """Re-initialise every trainable param uniformly in [-1, 1] from the seed; forget progress."""
        self._sync_program()
        rng = np.random.default_rng(self.document.training.seed)
        leaves = self._read_params()
        leaves[self._trainable] = rng.uniform(-1.0, 1.0, size=int(self._trainable.sum()))
        self._write_params(leaves)
        self._forget_progress()

    # --- running ---------------------------------------------------------------------------

    def run_steps(self, count: int) -> None:
        self._run(lambda steps_done, started: steps_done < count)

    def run_for(self, seconds: float) -> int:
        """Train for about `seconds` of wall time (at least one step); return the steps taken."""
        return self._run(lambda steps_done, started: time.perf_counter() - started < seconds)

    def step(self) -> None:
        self.run_steps(1)

    def _run(self, keep_going) -> int:
        """Steps while `keep_going`; only the steps' own time counts towards samples_per_second
        (not the test set's measures, nor the loss curve)."""
        self._sync_program()
        leaves = self._held if self._held is not None else self._read_params()
        started = time.perf_counter()
        steps_done = 0
        try:
            while steps_done == 0 or keep_going(steps_done, started):
                step_started = time.perf_counter()
                leaves, evaluation, batch = self._one_step(leaves)
                self._count(evaluation, batch)
                self._busy_seconds += time.perf_counter() - step_started
                steps_done += 1
                self._record(leaves, len(batch))
        finally:
            if self.holds_params:
                self._held = leaves
            else:
                self._write_params(leaves)
            self.metrics.samples_per_second = self._samples / max(self._busy_seconds, 1e-9)
        return steps_done

    def _next_batch(self) -> np.ndarray:
        size = self.document.training.batch_size
        batch = self._order[self._cursor:self._cursor + size]
        self._cursor += len(batch)
        if self._cursor >= len(self._order):
            self._order = self._rng.permutation(len(self.train_labels))
            self._cursor = 0
            self.metrics.epochs += 1
        return batch

    def _one_step(self, leaves: np.ndarray):
        """One optimiser step: (the new leaves, the batch's evaluation, the batch)."""
        learning_rate = self.current_learning_rate()  # before the batch that may end the epoch
        batch = self._next_batch()
        program = self._program
        evaluation = program.evaluate_batch(leaves, self.train_x[batch], self.train_y[batch],
                                            self.train_labels[batch])
        gradient = evaluation.leaf_grads
        if not math.isfinite(evaluation.loss):
            self._stop_non_finite(program.first_non_finite(evaluation.values) or program.loss)
        if not np.isfinite(gradient[self._trainable]).all():
            first_value = program.first_non_finite(evaluation.values)
            if first_value is not None:  # a value went non-finite without reaching the loss
                self._stop_non_finite(first_value)
            self._stop_non_finite_gradient(leaves, batch)
        updated = self._apply_optimizer(leaves, gradient, learning_rate)
        out_of_range = ~(np.abs(updated) <= VALUE_LIMIT)  # NaN is out of range too
        if out_of_range.any():
            self._stop_non_finite(program.leaf_ids[int(np.flatnonzero(out_of_range)[0])],
                                  f"would become infinite, NaN or larger than {VALUE_LIMIT:g}")
        return updated, evaluation, batch

    def _stop_non_finite(self, node_id: str, what: str = "became infinite or NaN") -> None:
        node = self.document.flat_node(node_id)  # "'w1' in perceptron 'f1'" for a function's node
        raise TrainingError(
            f"training stopped at step {self.metrics.steps + 1}: node {self.document.describe(node_id)} "
            f"({node.op}) {what}; the last finite params are kept", node_id)

    def _stop_non_finite_gradient(self, leaves: np.ndarray, batch: np.ndarray) -> None:
        """The loss and every value are finite but a gradient is not: at the first point of the
        batch where that happens (the point route keeps every node's gradient), name the node whose
        gradient went non-finite first, backprop running from the loss backwards, and the reader
        whose local derivative made it so (sqrt at 0, say)."""
        program = self._program
        for point in batch:
            grads = program.evaluate_point(leaves, self.train_x[point], self.train_y[point],
                                           self.train_labels[point]).grads
            first = next((node_id for node_id in reversed(program.order)
                          if not math.isfinite(grads[node_id])), None)
            if first is not None:
                reader = next((node_id for node_id in program.order if first in
                               program.specs[node_id].inputs and math.isfinite(grads[node_id])), None)
                through = "" if reader is None else (
                    f" from node {self.document.describe(reader)} ({self.document.flat_node(reader).op})")
                self._stop_non_finite(first, f"got an infinite or NaN gradient{through} while the "
                                             f"loss stayed finite")
        self._stop_non_finite(program.loss, "got an infinite or NaN gradient")

    def current_learning_rate(self) -> float:
        settings = self.document.training
        return settings.learning_rate / (1.0 + settings.lr_decay * self.metrics.epochs)

    def _apply_optimizer(self, leaves: np.ndarray, gradient: np.ndarray,
                         learning_rate: float) -> np.ndarray:
        settings = self.document.training
        gradient = np.where(self._trainable, gradient, 0.0)
        state = self._optimizer_state
        if settings.optimizer == "momentum":
            velocity = settings.momentum * state.get("velocity", 0.0) + gradient
            state["velocity"] = velocity
            return leaves - learning_rate * velocity
        if settings.optimizer == "adam":
            count = state.get("count", 0) + 1
            first = 0.9 * state.get("first", 0.0) + 0.1 * gradient
            second = 0.999 * state.get("second", 0.0) + 0.001 * gradient * gradient
            state.update(count=count, first=first, second=second)
            corrected_first = first / (1.0 - 0.9**count)
            corrected_second = second / (1.0 - 0.999**count)
            return leaves - learning_rate * corrected_first / (np.sqrt(corrected_second) + 1e-8)
        return leaves - learning_rate * gradient

    # --- measuring ---------------------------------------------------------------------------

    def _count(self, evaluation, batch: np.ndarray) -> None:
        metrics = self.metrics
        metrics.steps += 1
        metrics.learning_rate = self.current_learning_rate()
        self._samples += len(batch)
        metrics.samples = self._samples
        correct = self._correct(evaluation.values, self.train_labels[batch])
        entry = (evaluation.loss * len(batch), correct, len(batch))
        self._window.append(entry)
        self._window_totals += entry
        while self._window_totals[2] - self._window[0][2] >= len(self.train_labels):
            self._window_totals -= self._window.popleft()
        loss_sum, correct_sum, window_samples = self._window_totals
        metrics.train_loss = float(loss_sum / window_samples)
        if self._program.classifies:
            metrics.train_accuracy = float(correct_sum / window_samples)

    def _correct(self, values, labels: np.ndarray) -> int:
        if not self._program.classifies:
            return 0
        result = values[self._program.index[self._program.result]]  # one value per point
        return int(np.count_nonzero(np.sign(result) == labels))

    def _record(self, leaves: np.ndarray, samples: int) -> None:
        """After a step: measure the test set when it is due, add a curve point when one is due."""
        schedule, steps = self._test_schedule, self.metrics.steps
        schedule.count(samples)
        if not self._history.due(steps):
            return
        tested = schedule.ready()
        if tested:
            self._measure_test(leaves)
            schedule.measured()
        self._history.add(HistoryPoint(steps, self.metrics.train_loss,
                                       self.metrics.test_loss if tested else None))

    def measure_test(self) -> None:
        """Loss and accuracy on the held-out test points, with the document's params."""
        self._sync_program()
        self._measure_test(self._read_params())

    def _measure_test(self, leaves: np.ndarray) -> None:
        if len(self.test_labels) == 0:
            return
        loss, accuracy = self.evaluate(self.test_x, self.test_y, self.test_labels, leaves)
        self.metrics.test_loss, self.metrics.test_accuracy = loss, accuracy
        self.metrics.test_step = self.metrics.steps

    def evaluate(self, xs: np.ndarray, ys: np.ndarray, labels: np.ndarray,
                 leaves: np.ndarray | None = None) -> tuple[float, float | None]:
        """Mean loss and accuracy on some points, with `leaves` or the document's params."""
        self._sync_program()
        leaves = self._read_params() if leaves is None else leaves
        evaluation = self._program.evaluate_batch(leaves, xs, ys, labels)
        accuracy = None  # only a graph with a result and a label classifies
        if self._program.classifies:
            accuracy = self._correct(evaluation.values, labels) / len(labels)
        return evaluation.loss, accuracy


def _columns(points) -> tuple[np.ndarray, np.ndarray]:
    if points is None or len(points) == 0:
        return np.zeros(0), np.zeros(0)
    points = np.asarray(points, dtype=float)
    return np.ascontiguousarray(points[:, 0]), np.ascontiguousarray(points[:, 1])

