"""The suite leans on nothing the machine holds: each test gets its own home, XDG folders and
mlgarden state folder, runs in its own tmp_path, and Hypothesis keeps no database
(tests/conftest.py). A session that saves and opens, as test_session's do, touches only those."""

import os
from pathlib import Path

from hypothesis import settings
from hypothesis.configuration import storage_directory

from mlgarden import userstate
from mlgarden.document.graph import Document
from mlgarden.session import Session

ISOLATED = ("HOME", "MLGARDEN_STATE_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
            "XDG_STATE_HOME")


def test_each_test_has_its_own_home_state_and_folder(tmp_path, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    for name in ISOLATED:
        assert Path(os.environ[name]).is_relative_to(base), name
        assert not Path(os.environ[name]).is_relative_to(tmp_path), name  # tmp_path stays the test's
    assert Path.cwd() == tmp_path and Path.home() == Path(os.environ["HOME"])
    assert userstate.state_dir() == Path(os.environ["MLGARDEN_STATE_DIR"])
    assert settings().database is None and settings().deadline is None
    repository = Path(__file__).resolve().parent.parent
    assert not storage_directory("constants", intent_to_write=False).path.is_relative_to(repository)


def test_saving_and_opening_keep_their_state_in_the_test_state_folder(tmp_path):
    session = Session(Document())
    assert session.save(tmp_path / "graph.yaml") and session.open(tmp_path / "graph.yaml")
    assert userstate.recent_files() == [tmp_path / "graph.yaml"]
    assert (Path(os.environ["MLGARDEN_STATE_DIR"]) / "recent.json").is_file()
    assert sorted(os.listdir(tmp_path)) == ["graph.yaml"]
