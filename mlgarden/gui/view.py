"""The view saved with a graph: which part of the document the canvas showed, and how close.

The view is `view: {origin: [x, y], zoom: z}` in the file: the document point at the canvas's
top-left corner and the zoom (1 is 100%). It is not an edit: panning and zooming mark nothing
dirty and make no undo step (it is where the user looks, not what they made). The canvas owns it
while a graph is open; the Session asks it (`Session.current_view`) and folds it into
`document.view` just before each save and each recovery copy, so a file reopens showing what the
user saw. A file without an origin opens fitted (geometry.fit_view); one with an origin but no
zoom (written before there was zoom) opens at 100%. No Dear PyGui here: tested headless.
"""

from __future__ import annotations

import math

from mlgarden.document.graph import Document
from mlgarden.gui.geometry import FIT_MIN_ZOOM, ViewTransform, clamp_zoom


def _finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def saved_view(document: Document) -> ViewTransform | None:
    """The view stored in the file, or None when there is none (or it is not numbers)."""
    view = document.view if isinstance(document.view, dict) else {}
    origin = view.get("origin")
    if not isinstance(origin, (list, tuple)) or len(origin) != 2:
        return None
    if not all(_finite_number(v) for v in origin):
        return None
    zoom = view.get("zoom", 1.0)
    zoom = clamp_zoom(float(zoom), FIT_MIN_ZOOM) if _finite_number(zoom) and zoom > 0 else 1.0
    return ViewTransform((float(origin[0]), float(origin[1])), zoom)


def view_to_save(view: ViewTransform) -> dict:
    """The `view` mapping to write: whole numbers stay whole, the zoom rounded to 4 places."""
    return {"origin": [_plain_number(round(view.origin[0], 2)),
                       _plain_number(round(view.origin[1], 2))],
            "zoom": _plain_number(round(view.zoom, 4))}


def _plain_number(value: float) -> int | float:
    """A whole number as an int, so a file says `[40, 60]`, not `[40.0, 60.0]`."""
    value = float(value)
    return int(value) if value.is_integer() else value
