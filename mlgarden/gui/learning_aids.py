"""The app's side of the learning aids: keys, the selection followed onto the plane, and the
step-through's highlight on the canvas.

The aids themselves are the Session's (mlgarden/session_aids.py); this module only connects them
to gestures and to the canvas:

- `key_pressed`: during a step-through → moves on, ← goes back and Escape ends it; otherwise
  Escape returns the Dataset window from a node to the result.
- `follow_selection`: when the canvas's selection becomes one node, the Dataset window shades
  that node (in a function's body, the node of the graph's first instance, as the canvas shows);
  of a call, the output whose row (or pin) was clicked (`Canvas.plane_output`), else its first.
- `StepHighlight`: what the canvas reads from `session.stepthrough` each frame, the current
  node and the link being followed (forward: the links into the node computed)
  (document/scope_ids.py finds which node of the scope shown draws a flat id: a call draws the nodes
  of its body), handed to `Canvas.highlight`, which outlines that node and colours those links. The
  numbers themselves (the gradients known so far) are shown by the canvas's `show_values`.
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg

from mlgarden.document.graph import split_reference
from mlgarden.document.scope_ids import flat_id_shown, shown_node
from mlgarden.learning.stepthrough import BACKWARD, FORWARD

class StepHighlight:
    """Lights up the step-through's current node and link on the canvas (Canvas.highlight)."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.shown: tuple[str | None, list] = (None, [])

    def wanted(self) -> tuple[str | None, list[tuple[str, str, int]]]:
        """The canvas node and the links (their keys) the current step lights up."""
        canvas, walk = self.canvas, self.canvas.session.stepthrough
        if walk is None:
            return None, []
        graph, scope = canvas.session.document, canvas.scope
        instance = canvas.session.scope_instance
        node = shown_node(graph, scope, walk.current.node, instance)
        if walk.kind == FORWARD:  # a value is computed from every input: light up the links in
            return node, sorted(key for key in canvas.links if key[1] == node)
        if walk.current.link is None:
            return node, []
        source, target = (shown_node(graph, scope, flat_id, instance) for flat_id in walk.current.link)
        if source is None or target is None or source == target:
            return node, []
        return node, sorted(key for key in canvas.links
                            if key[1] == target and split_reference(key[0])[0] == source)

    def update(self) -> None:
        wanted = self.wanted()
        if wanted != self.shown:
            self.canvas.highlight(*wanted)
            self.shown = wanted


class LearningAids:
    """Keys and per-frame work of the aids for one App."""

    def __init__(self, app):
        self.app = app
        self.session = app.session
        self.highlight = StepHighlight(app.canvas)
        self._selection: tuple[list[str], str | None] = ([], None)

    def update(self) -> None:
        self.follow_selection()
        self.highlight.update()

    def follow_selection(self) -> None:
        canvas = self.app.canvas
        selected = canvas.selected_nodes()
        output = canvas.plane_output if len(selected) == 1 else None
        if output is not None and split_reference(output)[0] != selected[0]:
            output = None
        if (selected, output) == self._selection:
            return
        self._selection = (selected, output)
        if len(selected) == 1:
            flat_id = flat_id_shown(self.session.document, canvas.scope, output or selected[0],
                                    self.session.scope_instance)
            if flat_id is None:
                self.session.status = "this node has no number to shade (no instance, or a free pin)"
            self.session.show_on_plane(flat_id)

    def key_pressed(self, key: int) -> bool:
        """Handle an arrow or Escape for the aids; True when the key was theirs."""
        walk = self.session.stepthrough
        if walk is not None and key in (dpg.mvKey_Right, dpg.mvKey_Left):
            moved = walk.next() if key == dpg.mvKey_Right else walk.back()
            if not moved:
                last = key == dpg.mvKey_Right
                self.session.status = "the last step: Esc ends" if last else "the first step"
            return True
        if key == dpg.mvKey_Escape:
            if walk is not None:
                self.session.end_stepthrough()
            elif self.session.plane_node() is not None:
                self.session.show_on_plane(None)
                self.session.status = "the Dataset window shows the result again"
            else:
                return False
            return True
        return False

    def step_through(self, kind: str = BACKWARD) -> None:
        self.session.start_stepthrough(kind)

