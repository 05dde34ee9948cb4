"""The app's side of the training worker (worker.py): start a run, follow it, pause it, end it.

`BackgroundTraining` owns at most one worker process, started at the first Play and kept while
the graph stays open, so that Play after Pause starts at once; it is ended (joined, and killed if
it does not stop) by `close()`: a NaN stop, New/Open and quitting all call it, so no process
outlives the app (new data while playing is a new run, `start`, on the same worker). The
Session decides when (session.py); this class only speaks to the worker:

- `start(document, trainer)` hands the worker a copy of the document, the trainer's points and its
  progress; `run` numbers the runs and anything from an older run is dropped.
- `send_values`, `send_document`, `send_settings` forward the app's edits while the run plays;
  `edit` numbers them, and an update made before the latest edit reached the worker is ignored,
  so a nudge is never overwritten by params trained from the value it replaced.
- `poll()` returns the newest update and any end of the run (never blocks); `pause()` waits, at
  most PAUSE_TIMEOUT, for the run's last params and progress (one training slice, a few ms).
  A worker that dies (it should not) ends the run with a message that says so.

A spawned process imports the main module of the program again, so a script that plays training
must keep its own work under `if __name__ == "__main__":` (mlgarden's entry points do).
"""

from __future__ import annotations

import multiprocessing
import time

import numpy as np

from mlgarden.learning import worker

PAUSE_TIMEOUT = 5.0  # seconds a pause waits for the worker's answer before giving up on it
JOIN_TIMEOUT = 2.0  # seconds `close` waits for the process to end before killing it


class BackgroundTraining:
    def __init__(self) -> None:
        self._process = None
        self._connection = None
        self.run = 0  # the number of the current run
        self.edit = 0  # the number of the app's latest edit sent to the run
        self.running = False
        self.updates = 0  # updates of the current run received: none yet means nothing trained

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _ensure_process(self) -> None:
        if self.alive():
            return
        self.close()
        context = multiprocessing.get_context("spawn")  # never fork the app's threads and GL state
        ours, theirs = context.Pipe()
        self._process = context.Process(target=worker.serve, args=(theirs,), daemon=True,
                                        name="mlgarden-training")
        self._process.start()
        theirs.close()
        self._connection = ours

    def start(self, document, trainer) -> None:
        """Begin a run: the worker trains a copy of `document` from `trainer`'s progress."""
        self._ensure_process()
        self.run += 1
        self.edit = 0
        self.updates = 0
        self.running = True
        self._send(("start", self.run, document.copy(), _points(trainer.train_x, trainer.train_y),
                    trainer.train_labels, _points(trainer.test_x, trainer.test_y),
                    trainer.test_labels, trainer.export_progress()))

    def send_values(self, values: dict[str, float]) -> None:
        self.edit += 1
        self._send(("values", self.edit, dict(values)))

    def send_document(self, document, what: str) -> None:
        self.edit += 1
        self._send(("document", self.edit, document.copy(), what))

    def send_settings(self, settings) -> None:
        self.edit += 1
        self._send(("settings", self.edit, settings))

    def poll(self) -> tuple[tuple | None, tuple | None]:
        """(the newest update of the run that takes every edit sent into account, or None; the
        run's end, "stopped", or None), without waiting."""
        update = end = None
        while self.running and self._connection is not None and self._connection.poll():
            message = self._receive()
            if message is None:
                break  # the worker is gone: said below, once its process has ended
            if message[1] != self.run:
                continue
            if message[0] == "update":
                self.updates += 1
                if message[2] == self.edit:
                    update = message
            else:
                end, self.running = message, False
        if self.running and not self.alive():
            code = self._process.exitcode if self._process is not None else None
            end, self.running = ("failed", self.run, f"the training process ended unexpectedly "
                                                     f"(exit code {code}); training stopped"), False
        return update, end

    def pause(self) -> tuple | None:
        """Stop the run; return its last ("paused" or "stopped") message, or None when it had
        trained nothing the app saw yet or did not answer in time."""
        if not self.running:
            return None
        self.running = False
        self._send(("pause",))
        if self.updates == 0:
            return None  # it may still be starting: its few steps are forgotten
        deadline = time.monotonic() + PAUSE_TIMEOUT
        while time.monotonic() < deadline and self._connection is not None:
            if not self._connection.poll(max(deadline - time.monotonic(), 0.0)):
                break
            message = self._receive()
            if message is None:
                break
            if message[1] == self.run and message[0] != "update":
                return message
        self.close()  # it did not answer: end it rather than leave it training
        return None

    def close(self) -> None:
        """End the worker process, if any, and wait for it to be gone."""
        self.running = False
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if connection is not None:
            try:
                connection.send(("quit",))
            except (OSError, ValueError):
                pass
            connection.close()
        if process is not None:
            process.join(JOIN_TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join()

    def _send(self, message: tuple) -> None:
        try:
            self._connection.send(message)
        except (OSError, ValueError):  # the worker died: the next Play starts a new one
            self.running = False

    def _receive(self) -> tuple | None:
        try:
            return self._connection.recv()
        except (EOFError, OSError):
            return None  # the worker is gone: `poll` says so


def _points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return np.column_stack([xs, ys]) if len(xs) else np.zeros((0, 2))
