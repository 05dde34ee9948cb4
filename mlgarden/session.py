"""A session: one open graph in the app, with its file, its data, its trainer and its history.

The app's windows draw a Session and call its methods; everything here is plain Python, so every
behaviour a user sees (edit, undo, nudge, train, open, save) is tested without a window.

- Edits go through `edit(name, ...)`, which records an undo step, applies the named edit
  (document/edits.py), and turns a refused edit (GraphError) into a status message: nothing
  changes, nothing raises. What the app shows and edits may be a function's body instead of the
  graph (`scope`, session_scope.py).
- The current data point (the `sample`) feeds the x, y and label nodes of the point evaluation
  that the canvas shows; `evaluation()` recomputes it only after a change.
- Play trains in a worker process beside the app (learning/worker.py, through
  learning/background.py): `poll_training()`, called once a frame, shows the params, metrics and
  loss curve the worker sends about 25 times a second, and forwards the edits made meanwhile (a
  value to the worker's params, a structural edit to be recompiled there). `pause()` takes the
  worker's last params and progress, so Play..Pause is one undo step and gives the numbers
  `mlgarden train` gives for as many steps. A training stop (a NaN...) pauses and says why;
  a stop, New/Open and `close()` end the worker process; new data while playing starts a new
  run on the same worker (a new process costs a second of imports, each step of a slider drag).
- `open` and `save` never lose work: a file that fails to load leaves the open graph untouched,
  and `dirty` tells the app to ask before discarding unsaved changes; undo or redo back to the
  graph as it was opened or last saved makes it clean again.
- The view (where the canvas is panned) is not an edit: moving it marks nothing dirty and makes
  no undo step. The canvas owns it while the graph is open; `current_view`, set by the app, hands
  it over to be folded into `document.view` just before each save and recovery copy, so a file
  reopens where the user left it. `opened` counts the graphs opened, so the canvas knows when to
  show a new graph's saved view instead of keeping its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path

import numpy as np

from mlgarden.files import fileformat
from mlgarden import shipped, userstate
from mlgarden.document.build import insert_layer
from mlgarden.document.clipboard import Fragment, copy_fragment
from mlgarden.document.edits import apply_edit, step_words
from mlgarden.document.history import History
from mlgarden.learning.custom_data import document_dataset
from mlgarden.learning.datasets import DatasetError, load_dataset
from mlgarden.engine.program import Evaluation
from mlgarden.document.graph import Document, GraphError
from mlgarden.document.layout import arranged_positions
from mlgarden.learning.background import BackgroundTraining
from mlgarden.learning.surface import SURFACE_MARGIN, decision_values
from mlgarden.learning.training import Trainer, TrainingError
from mlgarden.session_aids import SessionAids
from mlgarden.session_scope import SessionScope
from mlgarden.session_tools import SessionTools

DEFAULT_EXAMPLE = "perceptrons-2-1"  # what the app opens when it is given no file
AUTOSAVE_SECONDS = 3.0
# While training, the params change on every update from the worker: a recovery copy for each
# would cost about a tenth of the app's frames (the YAML writer). Training alone is copied this
# often; an edit by the user is still copied within AUTOSAVE_SECONDS.
TRAINING_AUTOSAVE_SECONDS = 30.0
PASTE_OFFSET = 40.0
STATUS_LIMIT = 110  # characters of an error the status line shows; the dialog shows it all
# A Step press measures the test set too when it has at most this many points (about 6 ms on
# final-boss), so the test figures shown are the step's own; a bigger test set waits for its turn
# on the schedule (learning/progress.py), and the panel says at which step it was measured.
STEP_MEASURES_TEST_UP_TO = 5000


class Session(SessionAids, SessionTools, SessionScope):
    def __init__(self, document: Document | None = None, path: Path | None = None):
        self.document = document if document is not None else Document()
        self.path = path
        self.example: str | None = None  # the shipped example this untitled graph is a copy of
        self.dirty = False
        self._saved_content = self._content()  # the graph as opened or last saved
        self.status = ""
        self.history = History()
        self.playing = False
        self.training_error = ""
        self.sample_index = 0
        self._evaluation: Evaluation | None = None
        self._surface_stale = True
        self.clipboard = Fragment(())
        self.save_conflict = False
        self._disk_stamp = _stamp(path)
        self._unsaved_since: float | None = None
        self._edited_since_copy = False  # a change by the user, not by training, since the last copy
        self._last_autosave = 0.0
        self.training_start: dict[str, float] | None = None  # the params when training started
        self.open_error = ""  # the whole message of the last file that could not be opened
        self.opened = 0
        self.current_view: Callable[[], dict] | None = None
        self._background = BackgroundTraining()
        self._applying_trained = False  # the worker's params are being shown: not an edit to send
        self._unsent: set[str] = set()  # kinds of edit made while playing, to send to the worker
        self._sent_values: dict[str, float] = {}  # the leaf values the worker was given or gave
        self._sent_trainable_changes = 0
        self.data_problem: str | None = None  # why the dataset shown is a stand-in, set by _load_data
        self.document.subscribe(self._on_document_change)
        self._load_data()

    # --- the document ------------------------------------------------------------------------

    def _on_document_change(self, what: str) -> None:
        if self.playing and not self._applying_trained:
            self._unsent.add(what)
        self._evaluation = None
        self._forget_shown_body()
        if what in ("structure", "values", "reset"):
            self._surface_stale = True
        if what in ("structure", "values", "reset", "data"):
            self._stepthrough_outdated()
        if what != "reset":
            self._mark_dirty()
            if not self._applying_trained:
                self._edited_since_copy = True

    def _mark_dirty(self) -> None:
        self.dirty = True
        if self._unsaved_since is None:
            self._unsaved_since = time.monotonic()

    def edit(self, name: str, /, *args, merge_key: object = None, **kwargs):
        """Apply the document's edit `name`; a refused edit only sets `status` and returns None."""
        recorded = self.history.record(self.document, step_words(name, args), merge_key)
        if recorded:  # a new step; the later parts of a gesture keep what its first part said
            self._clear_old_status()
        try:
            outcome = apply_edit(self.document, name, *args, **kwargs)
        except GraphError as error:
            if recorded:
                self.history.discard_last()
            self.status = str(error)
            return None
        self._load_data_if_changed()
        return outcome if outcome is not None else True

    def amend(self, name: str, /, *args, **kwargs):
        """A follow-up edit that belongs to the step just made, with no undo step of its own (the
        canvas moving what a paste or an expand added off the nodes it would cover)."""
        try:
            outcome = apply_edit(self.document, name, *args, **kwargs)
        except GraphError as error:
            self.status = str(error)
            return None
        return outcome if outcome is not None else True

    def apply(self, label: str, change):
        """Run `change(document)`, a composite of several named edits, as one undo step.

        If any part is refused, the document goes back to how it was before the first part.
        """
        before = self.document.copy()
        self.history.record(self.document, step_words(label))
        self._clear_old_status()
        try:
            outcome = change(self.document)
        except GraphError as error:
            self.history.discard_last()
            self.document.replace_with(before)
            self.status = str(error)
            return None
        self._load_data_if_changed()
        return outcome if outcome is not None else True

    def _clear_old_status(self) -> None:
        """A new step leaves no word of an earlier action in the status line (a refusal, "added
        add1"). Cleared before the edit is applied: what the edit itself brings about says so
        ("step-through ended", from the document's events), and so does a caller after it."""
        self.status = "training" if self.playing else ""

    def end_gesture(self) -> None:
        self.history.end_gesture()

    # --- clipboard and bigger edits --------------------------------------------------------------

    def copy(self, node_ids) -> None:
        """Copy the chosen nodes of what is shown: the graph, or the body being edited."""
        self.clipboard = copy_fragment(self.shown_document, node_ids)
        self.status = f"copied {len(self.clipboard.nodes)} node(s)"

    def cut(self, node_ids) -> None:
        node_ids = list(node_ids)
        self.copy(node_ids)
        removed = self.apply("cut", lambda document: self.edit_of_shown(document, "remove_nodes", node_ids))
        if removed is not None:
            self.status = f"cut {len(self.clipboard.nodes)} node(s)"

    def paste(self, at: tuple[float, float]) -> list[str] | None:
        """Paste into what is shown: the graph, or the body being edited (every instance follows)."""
        clipboard = self.clipboard
        return self.apply("paste", lambda document: self.edit_of_shown(document, "paste", clipboard, at))

    def duplicate(self, node_ids) -> list[str] | None:
        fragment = copy_fragment(self.shown_document, node_ids)
        if not fragment:
            self.status = "select nodes to duplicate"
            return None
        left = min(node.pos[0] for node in fragment.nodes) + PASTE_OFFSET
        top = min(node.pos[1] for node in fragment.nodes) + PASTE_OFFSET
        return self.apply("duplicate",
                          lambda document: self.edit_of_shown(document, "paste", fragment, (left, top)))

    def insert_layer(self, input_ids, width: int, activation: str | None,
                     at: tuple[float, float], flat: bool = False) -> list[str] | None:
        """A layer of perceptron calls (with `flat`, plain nodes) reading `input_ids`: one step."""
        seed = self.document.training.seed + len(self.document.nodes)
        return self.apply("insert_layer", lambda document: insert_layer(
            document, list(input_ids), width, activation, at, seed, flat))

    def arrange(self, node_ids=None):
        """Lay the chosen nodes (all by default) of what is shown, the graph or the body being
        edited, out left to right by depth, without overlaps."""
        shown = self.shown_document
        chosen = list(node_ids) if node_ids else None
        origin = (40.0, 40.0)
        if chosen:
            origin = (min(shown.node(n).pos[0] for n in chosen),
                      min(shown.node(n).pos[1] for n in chosen))
        positions = arranged_positions(shown, chosen, origin)
        return self.apply("arrange", lambda document: [self.edit_of_shown(document, "move", n, p)
                                                       for n, p in positions.items()])

    def undo(self) -> None:
        label = self.history.undo(self.document)
        self.status = f"undid {label}" if label else "nothing to undo"
        self._after_history_move()

    def redo(self) -> None:
        label = self.history.redo(self.document)
        self.status = f"redid {label}" if label else "nothing to redo"
        self._after_history_move()

    def _after_history_move(self) -> None:
        """After an undo or redo: unsaved unless the graph is back as it was opened or saved."""
        if self._content() == self._saved_content:
            self.dirty = False
            self._unsaved_since = None
        else:
            self._mark_dirty()
        self._load_data_if_changed()

    def _content(self) -> dict:
        """The graph as its file holds it, less the view (moving the view is not an edit)."""
        content = fileformat.document_to_dict(self.document)
        content.pop("view", None)
        return content

    # --- files ---------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        name = self.path.name if self.path else f"{self.example} (example)" if self.example else "untitled"
        return f"mlgarden — {name}{' *' if self.dirty else ''}"

    def open(self, path: str | Path) -> bool:
        """Load `path` in place of the open graph; on error keep the graph and set `status`.

        A shipped example, by its file or by its name where no such file exists, opens as an
        untitled copy (`open_example`)."""
        example = shipped.example_named_by(path)
        if example is not None:
            return self.open_example(example)
        try:
            loaded = fileformat.load(path)
        except fileformat.FileFormatError as error:
            self.open_error = str(error)  # the dialog names the file by its full path; the status
            # line by its name, so a deep folder never pushes the name and the line out of it
            self.status = short_form(self.open_error.replace(str(path), Path(path).name, 1))
            return False
        self._replace(loaded, Path(path))
        userstate.add_recent_file(Path(path))
        opened = f"opened {Path(path).name}"
        self.status = f"{opened}, but {self.data_problem}" if self.data_problem else opened
        return True

    def open_example(self, name: str) -> bool:
        """Open the shipped example `name` as an untitled copy: Save asks where, and the shipped
        file is never written."""
        path = shipped.example_file(name)
        if path is None:
            self.status = f"there is no example called {name!r}"
            return False
        try:
            loaded = fileformat.load(path)
        except fileformat.FileFormatError as error:
            self.status = str(error)
            return False
        self._replace(loaded, None)
        self.example = path.stem
        self.status = f"opened the example {path.stem} as an untitled copy: Save As keeps your changes"
        return True

    def new(self) -> None:
        self._replace(Document(), None)
        self.status = "new graph"

    def _replace(self, document: Document, path: Path | None) -> None:
        self.pause()
        self._background.close()
        self.show_on_plane(None)
        self.end_stepthrough()
        self.training_error = ""  # it was the old graph's
        self.document.replace_with(document)
        self.path = path
        self.example = None
        self.opened += 1
        self._saved()
        self.history.clear()
        self._load_data()

    def _saved(self) -> None:
        self.dirty = False
        self._unsaved_since = None
        self._saved_content = self._content()
        self._disk_stamp = _stamp(self.path)
        self.save_conflict = False

    def save(self, path: str | Path | None = None, overwrite_changed: bool = False) -> bool:
        """Save to `path` (or the open file). Saving over the open file after another program
        changed it is refused with `save_conflict` set, until `overwrite_changed` says go."""
        target = graph_path(path) if path is not None else self.path
        if target is None:
            self.status = "choose a file name first (Save As)"
            return False
        if shipped.is_example(target):
            self.status = f"{target.name} is a shipped example, never overwritten: save your copy elsewhere"
            return False
        if self._changed_on_disk(target) and not overwrite_changed:
            self.save_conflict = True
            self.status = f"{target.name} was changed on disk by another program since it was opened"
            return False
        self._fold_view()
        try:
            fileformat.save(self.document, target)
        except fileformat.FileFormatError as error:
            self.status = str(error)
            return False
        self.path = target
        self.example = None
        self._saved()
        userstate.remove_recovery()
        userstate.add_recent_file(target)
        self.status = f"saved {target.name}"
        return True

    def _changed_on_disk(self, target: Path) -> bool:
        same_file = self.path is not None and target.resolve() == self.path.resolve()
        return same_file and self._disk_stamp is not None and _stamp(target) != self._disk_stamp

    # --- recovery of unsaved work ----------------------------------------------------------------

    def autosave(self, now: float | None = None) -> bool:
        """Write the recovery copy if there are unsaved changes and the last copy is old enough."""
        now = time.monotonic() if now is None else now
        only_trained = self.playing and not self._edited_since_copy
        interval = TRAINING_AUTOSAVE_SECONDS if only_trained else AUTOSAVE_SECONDS
        if self._unsaved_since is None or now - self._last_autosave < interval:
            return False
        recovery_file = userstate.own_recovery().graph  # this instance's: never another's
        open_view = self.document.view  # the copy carries the view; the open graph does not change
        self._fold_view()
        try:
            recovery_file.parent.mkdir(parents=True, exist_ok=True)
            fileformat.save(self.document, recovery_file)
            userstate.write_recovery_note(self.path)
        except (OSError, fileformat.FileFormatError) as error:
            self.status = f"could not write the recovery copy: {error}"
            return False
        finally:
            self.document.view = open_view
        self._last_autosave = now
        self._unsaved_since = None
        self._edited_since_copy = False
        return True

    def _fold_view(self) -> None:
        """Store the canvas's view in the document (no event: a view is not an unsaved change)."""
        if self.current_view is not None:
            self.document.view = {**self.document.view, **self.current_view()}

    def discard_recovery(self, copy: userstate.RecoveryCopy | None = None) -> None:
        """Drop a recovery copy: this instance's own, or an orphan the user chose not to restore."""
        userstate.remove_recovery(copy)

    def restore_recovery(self, copy: userstate.RecoveryCopy | None = None) -> bool:
        """Open a recovery copy (by default the newest orphan) as unsaved changes to the file it
        belongs to. The orphan is removed only once this instance's own copy holds the work."""
        if copy is None:
            orphans = userstate.orphaned_recoveries()
            if not orphans:
                self.status = "there is no unsaved work to restore"
                return False
            copy = orphans[0]
        try:
            recovered = fileformat.load(copy.graph)
        except fileformat.FileFormatError as error:
            self.status = f"the recovery copy could not be read: {error}"
            return False
        self._replace(recovered, copy.original)
        self._mark_dirty()
        self._last_autosave = -AUTOSAVE_SECONDS
        if self.autosave() and copy.graph != userstate.own_recovery().graph:
            userstate.remove_recovery(copy)
        self.status = "restored the unsaved work of the last session"
        return True

    # --- data and the current point ----------------------------------------------------------------

    def _load_data_if_changed(self) -> None:
        points = self.document.custom_points
        if astuple(self.document.dataset) != self._data_settings or points is not self._data_points:
            self._load_data()

    def _load_data(self) -> None:
        """Make the dataset and a new trainer; training that plays goes on with them in a new run
        of the same worker (the old run is over; a new process would hold up every frame of a
        noise slider's drag for its start)."""
        was_playing, status = self.playing, self.status
        if was_playing:
            self.pause()
        settings = self.document.dataset
        self._data_settings = astuple(settings)
        self._data_points = self.document.custom_points
        self._stepthrough_outdated()
        try:
            full = document_dataset(self.document,
                                    graph_folder=self.path.parent if self.path else None)
            self.data_problem = None
        except DatasetError as error:  # e.g. a graph whose CSV file was moved: it still opens
            self.data_problem = f"{error}: showing the linear data instead"
            self.status = self.data_problem
            full = load_dataset("linear", 200, 0.1, 0)
        self.dataset = full
        self.train_set, self.test_set = full.split(settings.test_fraction, settings.seed)
        self.trainer = Trainer(self.document, self.train_set.points, self.train_set.labels,
                               self.test_set.points, self.test_set.labels)
        self.training_start = None  # a new trainer: training starts anew
        self.sample_index = min(self.sample_index, len(full.labels) - 1)
        self._evaluation = None
        self._surface_stale = True
        if was_playing:
            self._start_run()
            if self.playing and not self.data_problem:
                self.status = status  # training goes on: the pause for the new data said "paused"

    def bounds(self) -> tuple[float, float, float, float]:
        return self.dataset.bounds(SURFACE_MARGIN)

    def set_sample(self, index: int) -> None:
        index = int(index) % len(self.dataset.labels)
        if index != self.sample_index:
            self._stepthrough_outdated()
        self.sample_index = index
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
        """The result node (or the node `plane_node()` names) over the dataset's bounds; None when
        there is no such computable node."""
        program = self.document.program()
        self._surface_stale = False
        return decision_values(program, self.document.leaf_values(program), self.bounds(), resolution,
                               self.plane_node())

    @property
    def surface_stale(self) -> bool:
        return self._surface_stale

    # --- training --------------------------------------------------------------------------------

    def play(self) -> None:
        self.end_stepthrough()
        if not self.playing:
            self.history.record(self.document, step_words("training"))
            self._remember_training_start()
            self._start_run()
        if self.playing:
            self.status = "training"

    def _start_run(self) -> None:
        """Hand the document, the data and the progress to the worker; it trains from now on."""
        self._train(self.trainer.check)
        if self.training_error:
            return  # refused (no loss): `training_error` says why
        self._background.start(self.document, self.trainer)
        self.playing = True
        self._unsent.clear()
        self._sent_values = self._leaf_values()
        self._sent_trainable_changes = self.document.trainable_changes

    def pause(self) -> None:
        """Stop training: the document gets the worker's last params, the trainer its progress."""
        if not self.playing:
            return
        self._send_edits()
        self._finish(self._background.pause())
        self.playing = False
        if not self.training_error:
            self.status = "paused"

    def poll_training(self) -> int:
        """Show what the worker sent since the last call and send it the edits made meanwhile;
        return the steps it took. Called once a frame; never waits."""
        if not self.playing:
            return 0
        steps = self.trainer.metrics.steps
        self._send_edits()
        update, end = self._background.poll()
        if update is not None:
            _, _, _, params, metrics, history, replaced = update
            self._show_trained(params)
            self.trainer.show_progress(metrics, history, replaced)
        if end is not None:
            self._finish(end)
            self.playing = False
            self._background.close()  # a stopped run ends its worker
        return self.trainer.metrics.steps - steps

    def close(self) -> None:
        """The graph is closed or the app quits: end training and its worker process."""
        self.pause()
        self._background.close()

    @property
    def training_worker_pid(self) -> int | None:
        """The worker process's id while there is one (tests make sure none outlives the app)."""
        return self._background.pid

    def _finish(self, end: tuple | None) -> None:
        """Take a run's last message: its params, its progress and, after a stop, its reason."""
        if end is None:
            return
        if end[0] == "failed":
            self.status = self.training_error = end[2]
            return
        kind, _, params, progress, *message = end
        self._show_trained(params)
        self.trainer.adopt_progress(progress)
        if kind == "stopped":
            self.status = self.training_error = message[0]

    def _show_trained(self, params: dict[str, float]) -> None:
        self._applying_trained = True
        try:
            self.document.set_values(params)
        except GraphError:
            return  # an edit changed the graph since: the next update fits it
        finally:
            self._applying_trained = False
        self._sent_values.update(params)

    def _leaf_values(self) -> dict[str, float]:
        program = self.document.program()
        return dict(zip(program.leaf_ids, self.document.leaf_values(program)))

    def _send_edits(self) -> None:
        """Forward the edits made while playing: a structural change (or an undo) as a copy of
        the document to recompile, a frozen param likewise (without recompiling), changed values
        alone (so the params the worker trained meanwhile are kept), new settings."""
        unsent, self._unsent = self._unsent, set()
        if not unsent:
            return
        background, document = self._background, self.document
        if unsent & {"structure", "reset"}:
            background.send_document(document, "structure")
            background.send_settings(document.training)
        elif document.trainable_changes != self._sent_trainable_changes:
            background.send_document(document, "values")
        elif "values" in unsent:
            current = self._leaf_values()
            changed = {flat_id: value for flat_id, value in current.items()
                       if self._sent_values.get(flat_id) != value}
            if changed:
                background.send_values(changed)
        if "settings" in unsent:
            background.send_settings(document.training)
        self._sent_values = self._leaf_values()
        self._sent_trainable_changes = document.trainable_changes

    def step(self) -> None:
        self.history.record(self.document, step_words("training_step"), merge_key="training step")
        self._remember_training_start()
        self._train(self._step_and_measure)

    def _step_and_measure(self) -> None:
        self.trainer.step()
        if len(self.trainer.test_labels) <= STEP_MEASURES_TEST_UP_TO:
            self.trainer.measure_test()

    def reset(self) -> None:
        """Put the params back where they were when training started, and forget the metrics
        and the loss curve: one undo step. Before any training it only clears the numbers."""
        self.pause()
        if self.training_start is not None:
            self.history.record(self.document, step_words("reset"))
            self.status = "reset: the params are back where training started"
        else:
            self.status = "reset the numbers; the params have not been trained since the graph was opened"
        self._restore_training_start()
        self.trainer.clear_progress()
        self.training_error = ""

    def reinitialise(self) -> None:
        """Draw every trainable param anew from the training seed, and forget the metrics and the
        loss curve: one undo step."""
        self.pause()
        self.history.record(self.document, step_words("reinitialise"))
        self._train(self._reinitialise_and_measure)
        self.training_start = None
        if not self.training_error:
            self.status = "re-initialised the params from the training seed"

    def _reinitialise_and_measure(self) -> None:
        self.trainer.reset_params()
        self.trainer.measure_test()

    def _remember_training_start(self) -> None:
        """Keep the trainable params' values when training starts (after an open, a reset)."""
        if self.training_start is None:
            program = self.document.program()
            values = dict(zip(program.leaf_ids, self.document.leaf_values(program)))
            self.training_start = {flat_id: value for flat_id, value in values.items()
                                   if self.document.flat_node(flat_id).op == "param"}

    def _restore_training_start(self) -> None:
        """Give the params that still exist their values from the start of training."""
        if self.training_start is not None:
            leaves = set(self.document.program().leaf_ids)
            self.document.set_values({flat_id: value for flat_id, value in self.training_start.items()
                                      if flat_id in leaves})
        self.training_start = None

    def _train(self, action):
        """Run a training action; a TrainingError pauses and becomes `training_error` and status."""
        self.training_error = ""
        try:
            return action()
        except TrainingError as error:
            self.playing = False
            self.status = self.training_error = str(error)
            return None


def graph_path(path: str | Path) -> Path:
    """The file a save to `path` writes: `.yaml` is added unless it ends in .yaml or .yml."""
    target = Path(path)
    return target if target.suffix.lower() in (".yaml", ".yml") else target.with_name(target.name + ".yaml")


def short_form(message: str, limit: int = STATUS_LIMIT) -> str:
    """A message cut to one line of the status line (the app shows the whole in a dialog)."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    if len(line) <= limit and "\n" not in message.strip():
        return line
    return line[:limit - 1].rstrip() + "…"


def _stamp(path: Path | None) -> tuple[int, int] | None:
    """What tells us a file changed: its modification time and size, or None if it is missing."""
    try:
        status = Path(path).stat() if path is not None else None
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size) if status else None
