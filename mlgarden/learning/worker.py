"""The training worker: a process of its own that trains while the app draws.

A separate process is the sure way past Python's GIL: the canvas and the panels never wait for a
training step, and training never waits for a frame. The worker reads only the core (the Document,
the Trainer), never Dear PyGui. It is started with the 'spawn' method (a fresh interpreter, never a
fork of the app's threads and GL state) and talks over one Pipe, in plain picklable tuples:

The app sends (background.py is its side)
    ("start", run, document, train_points, train_labels, test_points, test_labels, progress)
        train a copy of the document on these points, going on from `progress`
        (Trainer.export_progress); `run` numbers the run, and every answer carries it
    ("values", edit, {flat id: value})   a nudge or typed value while playing
    ("document", edit, document, what)   a frozen param ("values") or a structural edit
                                         ("structure": the next slice recompiles)
    ("settings", edit, TrainingSettings) learning rate, batch size, optimiser...
    ("pause",)                           stop training and answer "paused"
    ("quit",)                            end the process (so does the app's end of the pipe closing)
`edit` numbers the app's edits; an update says which edit it has seen, so the app can ignore one
made before its latest edit reached the worker.

The worker answers
    ("update", run, edit, params, metrics, history, history_replaced)   about 25 times a second:
        the trainable params by flat id, the Metrics, and the loss curve's new points (all of it,
        `history_replaced`, after the curve was thinned)
    ("paused", run, params, progress)              the run's last params and its whole progress
    ("stopped", run, params, progress, message)    training stopped itself (a NaN, no loss...)

Between messages the worker trains in slices of SLICE_SECONDS, so a pause is answered within one.
It lowers its own priority (os.nice) so that the app's frames come first on a busy machine.
"""

from __future__ import annotations

import os
import time

import numpy as np

from mlgarden.document.graph import GraphError
from mlgarden.learning.training import Trainer, TrainingError

SLICE_SECONDS = 0.005  # training between two looks at the pipe: a pause waits at most about this
UPDATE_SECONDS = 0.04  # params and metrics to the app 25 times a second
NICENESS = 5  # the worker yields to the app's frames when both want the CPU, and still trains


class Run:
    """One Play..Pause of training in the worker."""

    def __init__(self, number: int, document, train_points, train_labels, test_points,
                 test_labels, progress: dict):
        self.number = number
        self.trainer = Trainer(document, train_points, train_labels, test_points, test_labels)
        self.trainer.adopt_progress(progress)
        self.trainer.hold_params()  # written into the document only before an edit changes it
        self.edit = 0
        self._history_sent = 0
        self._thinnings_sent = self.trainer.history_thinnings
        self._sent_at = time.perf_counter()

    @property
    def document(self):
        return self.trainer.document

    def apply(self, message: tuple) -> None:
        """An edit the app made while this run plays (already checked by the app's document)."""
        kind, self.edit = message[0], message[1]
        self.trainer.release_params()
        try:
            if kind == "values":
                self.document.set_values(message[2])
            elif kind == "document":
                self.document.adopt(message[2], message[3])
            elif kind == "settings":
                self.document.training = message[2]
        except GraphError:
            pass  # cannot happen for an edit the app's own document took; never end the run for it

    def update_due(self) -> bool:
        return time.perf_counter() - self._sent_at >= UPDATE_SECONDS

    def update(self) -> tuple:
        trainer = self.trainer
        replaced = trainer.history_thinnings != self._thinnings_sent
        start = 0 if replaced else self._history_sent
        history = trainer.history[start:]
        self._history_sent, self._thinnings_sent = len(trainer.history), trainer.history_thinnings
        self._sent_at = time.perf_counter()
        return ("update", self.number, self.edit, trainer.trained_values(), trainer.metrics,
                history, replaced)

    def final(self, kind: str, *extra) -> tuple:
        return (kind, self.number, self.trainer.trained_values(), self.trainer.export_progress(),
                *extra)


def serve(connection) -> None:
    """The worker process's main loop: wait for a run, train it, follow the app's edits."""
    try:
        os.nice(NICENESS)
    except OSError:
        pass  # not allowed here: train at the app's priority
    np.seterr(all="ignore")  # the Trainer checks every step's numbers itself
    run: Run | None = None
    try:
        while True:
            if run is None or connection.poll():
                message = connection.recv()
                if message[0] == "quit":
                    return
                run = _handle(message, run, connection)
                continue
            try:
                run.trainer.run_for(SLICE_SECONDS)
            except TrainingError as error:
                connection.send(run.final("stopped", str(error)))
                run = None
                continue
            if run.update_due():
                connection.send(run.update())
    except (EOFError, ConnectionError, KeyboardInterrupt):  # a closed or reset pipe, a ctrl+C
        return  # the app has gone: so does its worker


def _handle(message: tuple, run: Run | None, connection) -> Run | None:
    kind = message[0]
    if kind == "start":
        return Run(*message[1:])
    if kind == "pause":
        if run is not None:
            connection.send(run.final("paused"))
        return None
    if run is not None:
        run.apply(message)
    return run
