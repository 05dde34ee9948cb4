"""GUI tests run only where there is an X display to draw on and xdotool to drive it.

`scripts/test.sh` provides both (it runs pytest under xvfb-run). Anywhere else, tests marked
`gui` are skipped with the reason, and the rest of the suite runs as usual. Running them on
your own desktop display works but moves your real pointer: prefer scripts/test.sh.

scripts/test.sh runs the suite on every core with pytest-xdist. The GUI tests move the pointer,
press keys and find windows by name, so two of them on one display would meet: each worker
that runs GUI tests starts an Xvfb display of its own (`display_of_this_worker`), as large as
the one xvfb-run starts, and its tests and the apps they launch draw there.
"""

import ctypes
import os
import select
import shutil
import signal
import subprocess

import pytest

SCREEN = "1280x800x24"  # as scripts/test.sh's xvfb-run: every point the tests click is on it
DISPLAY_START_SECONDS = 30.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def gui_skip_reason():
    if not os.environ.get("DISPLAY"):
        return "no X display (DISPLAY is unset): run scripts/test.sh, which starts Xvfb"
    if shutil.which("xdotool") is None:
        return "xdotool is not installed: run scripts/test.sh, or apt-get install xdotool"
    return None


def pytest_collection_modifyitems(config, items):
    reason = gui_skip_reason()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("gui") is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def display_of_this_worker():
    """Under pytest-xdist, an Xvfb display for this worker alone, for the whole session."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None or gui_skip_reason() is not None:
        yield
        return
    server, number = _start_xvfb()
    shared = os.environ["DISPLAY"]
    os.environ["DISPLAY"] = f":{number}"
    try:
        yield
    finally:
        os.environ["DISPLAY"] = shared
        server.terminate()
        server.wait()


def _start_xvfb() -> tuple[subprocess.Popen, str]:
    """Start Xvfb on a free display number, which it writes to a pipe once it is ready. It ends
    with this worker, however the worker ends (a parent-death signal)."""
    if shutil.which("Xvfb") is None:
        pytest.exit("the GUI tests run in parallel need Xvfb: run scripts/test.sh", returncode=1)
    read_end, write_end = os.pipe()
    try:
        server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", SCREEN,
                                   "-nolisten", "tcp", "-noreset"],
                                  pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, preexec_fn=_end_with_parent)
    finally:
        os.close(write_end)
    written = b""
    try:
        while not written.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], DISPLAY_START_SECONDS)
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                server.kill()
                server.wait()
                pytest.exit("Xvfb did not start a display for a test worker", returncode=1)
            written += chunk
    finally:
        os.close(read_end)
    return server, written.decode().strip()


def _end_with_parent() -> None:
    """In the child before Xvfb runs: Linux sends it SIGTERM when the worker ends."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
