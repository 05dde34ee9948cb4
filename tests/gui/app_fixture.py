"""Fixtures that open the whole app window on a session, for tests that drive it under Xvfb.

`open_app(session)` builds the real App (menus, canvas, dialogs, handlers; the panels only when
asked, to keep canvas tests fast), finds its X window and returns a Driver whose frame is the
app's own `run_frame`, so every stepped frame runs callbacks, the training poll, the canvas and
panel updates and a render, exactly as `mlgarden` does. The fixture closes the window and
destroys the context after the test, even when it fails.

Import the fixtures into a test module with `from app_fixture import app_on, small_graph`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dearpygui.dearpygui as dpg
import pytest

from driver import Driver
from mlgarden.document.build import Builder
from mlgarden import userstate
from mlgarden.files import fileformat
from mlgarden.gui.app import App
from mlgarden.session import Session


def write_orphan_recovery(document, original: Path | None = None) -> userstate.RecoveryCopy:
    """A recovery copy as a session that was killed leaves it: written under the pid of a process
    that has ended (a real one, started and finished here)."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True,
                              cwd=userstate.state_dir().parent)
    pid = int(finished.stdout)
    folder = userstate.recovery_folder()
    folder.mkdir(parents=True, exist_ok=True)
    fileformat.save(document, folder / f"{pid}-dead0000.yaml")
    note = {"pid": pid, "original": str(original) if original else None}
    (folder / f"{pid}-dead0000.json").write_text(json.dumps(note))
    (orphan,) = [copy for copy in userstate.orphaned_recoveries() if copy.pid == pid]
    return orphan
_open_apps = []


def track(app):
    """Let canvas_text and on_canvas read this app's canvas (fixtures that build their own app);
    returns a function that forgets it again."""
    _open_apps.append(app)
    return _open_apps.clear


def canvas_text(tag):
    """What a text the canvas draws reads (a value, a gradient, a title), or any widget's value."""
    for app in reversed(_open_apps):
        shown = app.canvas.text_of(tag)
        if shown is not None:
            return shown
    return dpg.get_value(tag)


def on_canvas(tag):
    """True when the open app's canvas draws this node, pin or value."""
    return any(app.canvas.screen_rect(tag) is not None for app in _open_apps)


def small_graph():
    """loss = (tanh(w * x + b) - label)²: a param to nudge, an op chain, a loss."""
    builder = Builder(seed=2)
    x = builder.x()
    weight = builder.param(0.5, label="w")
    bias = builder.param(0.1, label="b")
    product = builder.op("mul", weight, x, label="wx")
    total = builder.op("add", product, bias, label="z")
    out = builder.op("tanh", total, label="out")
    loss = builder.loss("squared_error", out)
    document = builder.finish(result=out, loss=loss, arrange=False)
    for node_id, pos in _compact_positions(document).items():
        document.nodes[node_id].pos = pos
    return document


def _compact_positions(document):
    """Every node of small_graph inside a 760-pixel-wide canvas, none overlapping."""
    by_label = {node.label or node.op: node.id for node in document.nodes.values()}
    places = {"w": (20, 20), "x": (20, 150), "wx": (210, 20), "b": (210, 160), "z": (390, 60),
              "out": (560, 60), "label": (390, 250), "loss": (560, 250)}
    return {by_label[name]: (float(x), float(y)) for name, (x, y) in places.items()}


@pytest.fixture
def app_on(monkeypatch, tmp_path):
    """A factory: app_on(session, panels=()) -> (app, driver), torn down after the test."""
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    opened = []

    def open_app(session: Session, panels=(), help_panel=None):
        app = App(session, panels, help_panel)
        app.build()
        opened.append(app)
        _open_apps.append(app)
        driver = Driver(session.title, frame=app.run_frame, canvas=app.canvas)
        opened.append(driver)
        driver.frames(3)
        return app, driver

    yield open_app
    _open_apps.clear()
    if len(opened) == 2:
        app, driver = opened
        try:
            driver.close()
        finally:
            app.close()
    elif opened:
        opened[0].close()
