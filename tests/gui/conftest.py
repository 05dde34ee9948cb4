"""GUI tests run only where there is an X display to draw on and xdotool to drive it.

`scripts/test.sh` provides both (it runs pytest under xvfb-run). Anywhere else, tests marked
`gui` are skipped with the reason, and the rest of the suite runs as usual. Running them on
your own desktop display works but moves your real pointer: prefer scripts/test.sh.
"""

import os
import shutil

import pytest


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
