"""Undo and redo: the document as it was before each edit, kept on two stacks.

Every edit the user makes goes through `History.record` just before it changes the document; the
history keeps a copy of the document as it was. Undo swaps the current document for the newest
copy (and keeps the current one for redo), so undo after any sequence of edits restores exactly
the earlier document, whatever the edit was (add, delete, link, collapse, insert layer, ...).

A gesture that makes many small edits, such as dragging a value or a node, passes a `merge_key`:
consecutive edits with the same key make one step, until `end_gesture()` (the mouse is released).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlgarden.document.graph import Document

HISTORY_DEPTH = 200


@dataclass
class _Step:
    label: str
    before: Document


class History:
    def __init__(self) -> None:
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self._open_merge_key: object = None

    def record(self, document: Document, label: str, merge_key: object = None) -> bool:
        """Remember `document` as it is now, before the edit called `label` changes it.

        Returns False when the edit joins the gesture already recorded (same `merge_key`).
        """
        if merge_key is not None and merge_key == self._open_merge_key:
            return False
        self._open_merge_key = merge_key
        self._undo.append(_Step(label, document.copy()))
        del self._undo[:-HISTORY_DEPTH]
        self._redo.clear()
        return True

    def discard_last(self) -> None:
        """Forget the step just recorded: its edit was refused and changed nothing."""
        if self._undo:
            self._undo.pop()
        self._open_merge_key = None

    def end_gesture(self) -> None:
        self._open_merge_key = None

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_label(self) -> str | None:
        return self._undo[-1].label if self._undo else None

    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    def undo(self, document: Document) -> str | None:
        """Put `document` back as it was before the last step; return that step's label."""
        return self._swap(document, self._undo, self._redo)

    def redo(self, document: Document) -> str | None:
        return self._swap(document, self._redo, self._undo)

    def _swap(self, document: Document, source: list[_Step], target: list[_Step]) -> str | None:
        self._open_merge_key = None
        if not source:
            return None
        step = source.pop()
        target.append(_Step(step.label, document.copy()))
        document.replace_with(step.before)
        return step.label

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._open_merge_key = None
