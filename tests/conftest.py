"""Every test runs in a world of its own: nothing it writes lands outside pytest's tmp_path, and
nothing the machine happens to hold (a user's recent files or recovery copy, settings under
HOME or the XDG folders) reaches it.

- `private_home` (autouse): MLGARDEN_STATE_DIR, HOME and every XDG_*_HOME point at fresh folders
  of the test's own in pytest's temporary folder (beside tmp_path, so that a test listing its
  tmp_path sees only what it made), for the test and every process it starts; and the test runs
  in tmp_path: a relative path it writes lands there, and one it reads from the clone fails.
- Hypothesis keeps no example database and writes its caches (constants, unicode data) to a
  temporary folder removed at the end, not to `.hypothesis/` in the current folder; it has no
  deadline and no too_slow health check: how fast a shared or slow machine runs an example
  is no test's business (speed goals live in benchmarks/).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

XDG_FOLDERS = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")

settings.register_profile("hermetic", database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("hermetic")
HYPOTHESIS_HOME = Path(tempfile.mkdtemp(prefix="mlgarden-hypothesis-"))
set_hypothesis_home_dir(HYPOTHESIS_HOME)


def pytest_unconfigure(config):
    shutil.rmtree(HYPOTHESIS_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def private_home(tmp_path, tmp_path_factory, monkeypatch):
    """A new empty home and XDG folders for each test, and a state folder path beside them
    (made by mlgarden when it first writes state)."""
    root = tmp_path_factory.mktemp("private")
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(root / "mlgarden-state"))
    for name, folder in (("HOME", "home"), *((name, name.lower()) for name in XDG_FOLDERS)):
        (root / folder).mkdir(parents=True)
        monkeypatch.setenv(name, str(root / folder))
    monkeypatch.chdir(tmp_path)
    return root
