"""Training in the worker process, as the app drives it (no window): the worker's lifecycle, edits
while playing, pause, the same numbers as `mlgarden train`, no process left behind."""

from __future__ import annotations

import os

import pytest

from helpers import diverging_graph, play_steps, poll_until
from mlgarden import cli
from mlgarden.document.build import Builder
from mlgarden.files import fileformat
from mlgarden.session import AUTOSAVE_SECONDS, TRAINING_AUTOSAVE_SECONDS, Session


def process_exists(pid: int) -> bool:
    return os.path.exists(f"/proc/{pid}")


def params(session: Session) -> dict:
    program = session.document.program()
    return dict(zip(program.leaf_ids, session.document.leaf_values(program)))


def classifier():
    builder = Builder(seed=4)
    hidden = builder.layer([builder.x(), builder.y()], width=3)
    out = builder.perceptron(hidden)  # plain nodes: params of the graph's own, beside the calls
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.set_training(optimizer="momentum", learning_rate=0.05, batch_size=16)
    return document


@pytest.fixture
def session():
    opened = Session(classifier())
    yield opened
    opened.close()


def test_play_and_pause_train_as_many_steps_as_mlgarden_train_to_the_bit(tmp_path, capsys):
    start = tmp_path / "start.yaml"
    fileformat.save(classifier(), start)
    session = Session()
    assert session.open(start)
    play_steps(session, 40)
    session.step()  # a step by hand between two runs continues the same run
    play_steps(session, 40)
    session.close()
    steps = session.trainer.metrics.steps
    assert steps >= 81
    trained = tmp_path / "trained.yaml"
    assert cli.main(["train", str(start), "--steps", str(steps), "--save", str(trained)]) == 0
    capsys.readouterr()
    headless = fileformat.load(trained)
    program = headless.program()
    assert dict(zip(program.leaf_ids, headless.leaf_values(program))) == params(session)


def test_the_worker_starts_at_play_stays_for_the_next_play_and_ends_with_the_session(session):
    assert session.training_worker_pid is None
    play_steps(session, 5)
    pid = session.training_worker_pid
    assert pid is not None and process_exists(pid) and not session.playing
    play_steps(session, 5)
    assert session.training_worker_pid == pid  # kept between runs: Play starts at once
    session.close()
    assert session.training_worker_pid is None and not process_exists(pid)


@pytest.mark.parametrize("how", ["new", "open"])
def test_new_and_open_end_the_worker(session, tmp_path, how):
    path = tmp_path / "other.yaml"
    fileformat.save(classifier(), path)
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step")
    pid = session.training_worker_pid
    session.new() if how == "new" else session.open(path)
    assert not session.playing and session.training_worker_pid is None
    assert not process_exists(pid)


def test_a_dataset_change_while_playing_goes_on_with_the_new_data_in_the_same_worker(session):
    """Each step of a noise slider's drag is a dataset change: a new worker process for each (a
    fresh interpreter's imports) held the app up for about a second a frame."""
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step")
    pid = session.training_worker_pid
    for noise in (0.2, 0.25, 0.3):  # a drag: one change a frame, the last run not yet heard from
        session.edit("set_dataset", noise=noise, merge_key="noise")
        assert session.trainer.metrics.steps == 0  # a new trainer: training starts anew
        session.poll_training()  # (the new run's first update may come here: no check after it)
    assert session.playing and session.training_worker_pid == pid
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step on the new data")
    assert session.document.dataset.noise == 0.3 and session.training_worker_pid == pid
    session.close()
    assert not process_exists(pid)


def test_a_nan_stop_pauses_says_why_keeps_finite_params_and_ends_the_worker():
    session = Session(diverging_graph())
    session.play()
    poll_until(session, lambda: session.training_error, "the NaN stop")
    assert "log" in session.training_error and "NaN" in session.training_error
    assert session.training_worker_pid is None
    assert all(abs(value) < 1e12 for value in params(session).values())


def test_pause_shows_the_workers_last_params_and_nothing_changes_after_it(session):
    play_steps(session, 20)
    paused = params(session)
    steps = session.trainer.metrics.steps
    for _ in range(20):
        session.poll_training()
    assert params(session) == paused and session.trainer.metrics.steps == steps
    assert session.status == "paused"


def test_a_value_typed_while_playing_and_a_freeze_reach_the_worker(session):
    param = next(node.id for node in session.document.params())
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step")
    session.edit("set_trainable", param, False)
    session.edit("set_value", param, 3.0)
    steps = session.trainer.metrics.steps
    poll_until(session, lambda: session.trainer.metrics.steps > steps + 50, "50 more steps")
    assert session.document.nodes[param].value == 3.0  # not put back by params trained before
    session.pause()
    assert session.document.nodes[param].value == 3.0  # the worker used it and did not train it


def test_a_nudge_while_playing_is_trained_on_from_its_value(session):
    param = next(node.id for node in session.document.params())
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step")
    session.edit("set_value", param, 40.0)  # far out: training moves it only a little
    steps = session.trainer.metrics.steps
    poll_until(session, lambda: session.trainer.metrics.steps > steps + 50, "50 more steps")
    session.pause()
    assert 35.0 < session.document.nodes[param].value < 45.0


def test_a_nudge_in_a_body_while_playing_is_trained_on_from_its_value(session):
    """Edit definition opened from one call: a weight nudged there is that call's own, and the
    worker trains on from it while the other calls keep training from theirs."""
    call = next(node for node in session.document.nodes.values() if node.op == "call")
    weight = next(node_id for node_id, node in session.document.definition(call.function).nodes.items()
                  if node.op == "param" and not node.shared)
    session.open_function(call.function, call.id)
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step")
    session.set_shown_value(weight, 40.0, merge_key=("value", weight, 1))
    steps = session.trainer.metrics.steps
    poll_until(session, lambda: session.trainer.metrics.steps > steps + 50, "50 more steps")
    session.pause()
    assert 35.0 < session.shown_value(weight) < 45.0
    assert 35.0 < session.document.nodes[call.id].values[weight] < 45.0


def test_settings_changed_while_playing_reach_the_worker(session):
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step")
    session.edit("set_training", learning_rate=0.0125)
    poll_until(session, lambda: session.trainer.metrics.learning_rate == 0.0125, "the new rate")
    session.pause()


def test_a_structural_edit_while_playing_is_recompiled_by_the_worker(session):
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step")
    session.edit("set_loss", None)  # the worker's next slice recompiles: a graph with no loss
    poll_until(session, lambda: session.training_error, "the stop")
    assert "no loss" in session.training_error
    session.undo()
    play_steps(session, 10)
    assert not session.training_error


def test_play_and_pause_are_one_undo_step_with_edits_in_between(session):
    before = session.document.copy()
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 10, "some steps")
    session.pause()
    assert session.document != before
    session.undo()
    assert session.document == before


def test_training_alone_is_copied_for_recovery_seldom_and_a_users_edit_soon(session):
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step")
    session.autosave(now=1e9)  # the copy of the graph as training found it
    copied = 1e9
    steps = session.trainer.metrics.steps
    poll_until(session, lambda: session.trainer.metrics.steps > steps, "params from a later step")
    assert session.dirty
    assert not session.autosave(now=copied + AUTOSAVE_SECONDS + 1)  # only training changed it
    assert session.autosave(now=copied + TRAINING_AUTOSAVE_SECONDS + 1)
    copied += TRAINING_AUTOSAVE_SECONDS + 1
    param = next(node.id for node in session.document.params())
    session.edit("set_value", param, 0.25)
    assert session.autosave(now=copied + AUTOSAVE_SECONDS + 1)  # a user's edit: soon, as ever
    session.pause()
    assert session.autosave(now=copied + 2 * AUTOSAVE_SECONDS + 2)  # paused: the final params soon


KILLED_APP = """
import os, signal, sys, time
sys.path.insert(0, {tests!r})
from test_training_worker import classifier
from helpers import poll_until
from mlgarden.session import Session

if __name__ == "__main__":  # the worker is spawned: it imports this file as a module
    session = Session(classifier())
    session.play()
    poll_until(session, lambda: session.trainer.metrics.steps > 0, "a step")
    print(session.training_worker_pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_app_leaves_no_worker_and_no_traceback(tmp_path):
    """kill -9 of the app while it plays: its worker sees the pipe close, ends at once, and
    prints nothing (it shares the app's terminal)."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = tmp_path / "killed_app.py"
    script.write_text(KILLED_APP.format(tests=str(Path(__file__).resolve().parent)))
    app = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert app.returncode == -9, app.stderr
    worker = int(app.stdout.split()[0])
    deadline = time.monotonic() + 30
    while process_exists(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_exists(worker)
    assert app.stderr == ""
