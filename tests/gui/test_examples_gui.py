"""Every shipped example opened in the real app: no node is drawn over another.

The layout (mlgarden/layout.py) stacks nodes by `node_height`, an estimate of how tall the canvas
draws each one; these tests open each file through the app's own open path, render, and read the
drawn rects back, so the estimate and the theme cannot drift apart unnoticed.
"""

import itertools

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import app_on  # noqa: F401  (a fixture)
from mlgarden.gui import ids
from mlgarden.document.layout import node_height
from mlgarden.session import EXAMPLES_DIR, Session

pytestmark = pytest.mark.gui

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yaml"))


def drawn_rect(node_id):
    """(x, y, width, height) in editor grid pixels: the node's position and its drawn size."""
    (x, y), (width, height) = dpg.get_item_pos(ids.node(node_id)), dpg.get_item_rect_size(ids.node(node_id))
    return x, y, width, height


def overlapping(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_no_shipped_example_draws_a_node_over_another(app_on, tmp_path):
    app, driver = app_on(Session())
    assert len(EXAMPLES) >= 9
    for path in EXAMPLES:
        assert app.open_path(path), path
        driver.frames(3)
        document = app.session.document
        rects = {node_id: drawn_rect(node_id) for node_id in document.nodes}
        assert all(rect[3] > 0 for rect in rects.values()), f"{path.name}: a node was not drawn"
        for node_id, rect in rects.items():
            assert rect[3] <= node_height(document, node_id), (path.name, node_id, rect)
        # Sort by x, so only nodes that can share a column are compared (moons-mlp has 710 nodes).
        ordered = sorted(rects.items(), key=lambda item: item[1][0])
        for index, (first, a) in enumerate(ordered):
            for second, b in itertools.takewhile(lambda item: item[1][0] < a[0] + a[2],
                                                 ordered[index + 1:]):
                assert not overlapping(a, b), f"{path.name}: {first} {a} overlaps {second} {b}"
        if path.stem == "perceptrons-2-1":
            driver.screenshot(tmp_path / "perceptrons-2-1.png")
