"""Recovery copies belong to one running instance (userstate.py, Session.autosave/restore):
another process's copy is never overwritten, discarded or removed by a save here, and only the
copies whose process is gone are offered. The other instance is a real second process running
Session.autosave through the same code; the GUI test with two app windows and kill -9 is in
tests/gui/test_recovery_instances_gui.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlgarden import userstate
from mlgarden.document.graph import Document
from mlgarden.files import fileformat
from mlgarden.session import AUTOSAVE_SECONDS, Session

OTHER_INSTANCE = """
import sys, time
from mlgarden.document.graph import Document
from mlgarden.session import Session
session = Session(Document(), None)
session.edit("add_node", "param", "theirs", value=7.0)
assert session.autosave(now=time.monotonic() + 100)
print("written", flush=True)
sys.stdin.readline()  # live until told to end
"""


@pytest.fixture(autouse=True)
def state_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def other_instance(tmp_path):
    """A second running process with unsaved work and its recovery copy; ended by the test."""
    process = subprocess.Popen([sys.executable, "-c", OTHER_INSTANCE], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, cwd=tmp_path, env=dict(os.environ))
    try:
        assert process.stdout.readline() == "written\n"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def copies_of(pid: int) -> list[userstate.RecoveryCopy]:
    return [copy for copy in userstate.recovery_copies() if copy.pid == pid]


def edited_session(path: Path | None = None) -> Session:
    session = Session(Document(), path)
    session.edit("add_node", "param", "mine", value=1.0)
    return session


def test_each_instance_writes_its_own_copy_with_its_pid_and_file(other_instance, tmp_path):
    session = edited_session(tmp_path / "mine.yaml")
    assert session.autosave(now=time.monotonic() + AUTOSAVE_SECONDS)
    (theirs,) = copies_of(other_instance.pid)
    (mine,) = copies_of(os.getpid())
    assert mine.graph != theirs.graph
    assert mine.original == tmp_path / "mine.yaml" and theirs.original is None
    assert json.loads(mine.note.read_text()) == {"pid": os.getpid(), "original": str(tmp_path / "mine.yaml")}
    assert "theirs" in fileformat.load(theirs.graph).nodes and "mine" in fileformat.load(mine.graph).nodes


def test_a_clean_save_and_a_discard_here_leave_the_other_instances_copy(other_instance, tmp_path):
    (theirs,) = copies_of(other_instance.pid)
    before = theirs.graph.read_bytes()
    session = edited_session()
    assert session.autosave(now=time.monotonic() + AUTOSAVE_SECONDS)
    assert session.save(tmp_path / "mine.yaml")
    assert copies_of(os.getpid()) == [] and theirs.graph.read_bytes() == before
    session.edit("add_node", "param", "again", value=2.0)
    assert session.autosave(now=time.monotonic() + 2 * AUTOSAVE_SECONDS)
    session.discard_recovery()
    assert copies_of(os.getpid()) == [] and theirs.graph.read_bytes() == before


def test_only_copies_whose_process_is_gone_are_offered(other_instance, tmp_path):
    assert userstate.orphaned_recoveries() == []  # theirs is alive, mine is mine
    session = edited_session()
    assert session.autosave(now=time.monotonic() + AUTOSAVE_SECONDS)
    assert userstate.orphaned_recoveries() == []
    other_instance.send_signal(signal.SIGKILL)
    other_instance.wait(timeout=30)
    (orphan,) = userstate.orphaned_recoveries()
    assert orphan.pid == other_instance.pid


def test_restoring_an_orphan_moves_the_work_into_this_instance_and_removes_it(other_instance):
    other_instance.send_signal(signal.SIGKILL)
    other_instance.wait(timeout=30)
    (orphan,) = userstate.orphaned_recoveries()
    session = Session()
    assert session.restore_recovery()  # the newest orphan
    assert "theirs" in session.document.nodes and session.dirty and session.path is None
    assert not orphan.graph.exists() and not orphan.note.exists()
    (mine,) = copies_of(os.getpid())  # the work is safe in this instance's own copy first
    assert "theirs" in fileformat.load(mine.graph).nodes
    assert userstate.orphaned_recoveries() == []


def test_a_later_process_with_a_reused_pid_never_writes_over_an_orphan(tmp_path, state_folder):
    folder = state_folder / "recovery"
    folder.mkdir(parents=True)
    orphan = folder / f"{os.getpid()}-0ld0ld00.yaml"  # as if an earlier process had this pid
    fileformat.save(Document(), orphan)
    session = edited_session()
    assert session.autosave(now=time.monotonic() + AUTOSAVE_SECONDS)
    assert fileformat.load(orphan).nodes == {}
    assert userstate.own_recovery().graph != orphan


def test_the_single_copy_of_an_older_mlgarden_is_offered_as_an_orphan(state_folder):
    state_folder.mkdir(parents=True)
    fileformat.save(Document(), state_folder / "recovery.yaml")
    (state_folder / "recovery.json").write_text('{"original": "/somewhere/graph.yaml"}')
    (orphan,) = userstate.orphaned_recoveries()
    assert orphan.pid is None and orphan.original == Path("/somewhere/graph.yaml")
