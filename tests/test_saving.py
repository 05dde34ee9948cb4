"""Saving never clobbers a user's file by surprise: through a symlink it writes the file the link
points to, it keeps the file's permissions, it refuses a read-only file in one clear line, and it
cleans the temporary files a killed save left behind (mlgarden/atomic.py under fileformat.save)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from mlgarden.document.graph import Document
from mlgarden import atomic
from mlgarden.files import fileformat
from mlgarden.files.fileformat import FileFormatError


def graph(value: float = 0.5) -> Document:
    document = Document()
    document.add_node("param", "w", value=value)
    return document


def test_saving_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "graph.yaml"
    fileformat.save(graph(0.5), target)
    link = tmp_path / "graph.yaml"
    link.symlink_to(target)
    fileformat.save(graph(0.25), link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert fileformat.load(target).nodes["w"].value == 0.25
    assert sorted(os.listdir(tmp_path / "real")) == ["graph.yaml"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
def test_saving_keeps_the_files_permissions(tmp_path, mode):
    path = tmp_path / "graph.yaml"
    fileformat.save(graph(), path)
    os.chmod(path, mode)
    fileformat.save(graph(0.25), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


def test_a_new_file_gets_the_usual_mode(tmp_path):
    fileformat.save(graph(), tmp_path / "new.yaml")
    assert stat.S_IMODE(os.stat(tmp_path / "new.yaml").st_mode) == 0o644


def test_a_read_only_file_is_refused_in_one_line_and_left_as_it_was(tmp_path):
    path = tmp_path / "graph.yaml"
    fileformat.save(graph(0.5), path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    with pytest.raises(FileFormatError) as refused:
        fileformat.save(graph(0.25), path)
    assert str(refused.value) == f"{path}: could not save: the file is read-only"
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["graph.yaml"]


def test_the_leftovers_of_a_killed_save_are_cleaned_by_the_next_save(tmp_path):
    path = tmp_path / "graph.yaml"
    fileformat.save(graph(), path)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True, cwd=tmp_path)
    gone = int(finished.stdout)  # a process that has ended: its half-written file is rubbish
    leftover = tmp_path / f".graph.yaml.{gone}.k1ll3d.tmp"
    leftover.write_text("mlgarden: 1\nnodes: [")
    in_progress = tmp_path / f".graph.yaml.{os.getppid()}.busy0.tmp"  # a running process's save
    in_progress.write_text("mlgarden: 1\n")
    other = tmp_path / f".other.yaml.{gone}.k1ll3d.tmp"  # another file's: not ours to clean
    other.write_text("")
    fileformat.save(graph(0.25), path)
    assert not leftover.exists()
    assert in_progress.exists() and other.exists()
    assert fileformat.load(path).nodes["w"].value == 0.25


def test_a_process_check_knows_the_living_from_the_gone():
    assert atomic.process_is_running(os.getpid())
    assert not atomic.process_is_running(0)
    assert not atomic.process_is_running(2**22 + 12345)  # above Linux's largest pid


def test_the_pidless_leftovers_of_earlier_versions_are_cleaned_once_stale(tmp_path):
    """Before the pid was in the name a temporary file was `.NAME.RANDOM.tmp`: nothing says whose
    it is, so it is removed only once no save could still be writing it."""
    path = tmp_path / "graph.yaml"
    fileformat.save(graph(), path)
    stale = tmp_path / ".graph.yaml.k1ll3d_0.tmp"
    stale.write_text("mlgarden: 1\nnodes: [")
    long_ago = os.stat(stale).st_mtime - atomic.STALE_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))
    recent = tmp_path / ".graph.yaml.busy_123.tmp"  # perhaps a save in progress right now
    recent.write_text("mlgarden: 1\n")
    fileformat.save(graph(0.25), path)
    assert not stale.exists() and recent.exists()
    assert fileformat.load(path).nodes["w"].value == 0.25
