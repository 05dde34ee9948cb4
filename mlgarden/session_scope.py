"""What the Session shows and edits: the graph, or the body of one function ("Edit definition").

`Session` takes these methods from `SessionScope`. `scope` is None while the graph is shown, or
the name of the function whose body is being edited. Either way the app edits *what is shown*
through `edit_shown(name, ...)`: in the graph that is `edit(name, ...)`; in a body it is
`edit("edit_definition", scope, name, ...)`, one undo step that changes the definition, so every
instance follows. `shown_document` is what to draw: the graph itself, or a working copy of the
body, made again after any change (it is never edited directly).

- `open_function(name)` shows a body, `close_function()` the graph again; both say so in the
  status line. A scope whose function went away (an undo, a file opened) is left by
  `check_scope()`, which the app calls before it draws.
- `insert_function_shown(name, at, template)` adds an instance where the user is: into the graph,
  or into the body; with a template it defines the function first, in the same undo step.
"""

from __future__ import annotations

from mlgarden.document.edits import apply_edit, edit_definition
from mlgarden.document.graph import Document


class SessionScope:
    """Mixed into Session: it uses the session's document, edits and status line."""

    scope: str | None = None
    _shown_body: Document | None = None
    _scope_opened: int = 0  # the session's `opened` when the scope was chosen

    @property
    def shown_document(self) -> Document:
        """The graph, or a working copy of the body of the function being edited."""
        if self.scope is None:
            return self.document
        if self._shown_body is None:
            self._shown_body = self.document.body(self.scope)
        return self._shown_body

    def _forget_shown_body(self) -> None:
        self._shown_body = None

    def edit_shown(self, name: str, /, *args, **kwargs):
        """The named edit of what is shown (one undo step): of the graph, or of the body."""
        if self.scope is None:
            return self.edit(name, *args, **kwargs)
        return self.edit("edit_definition", self.scope, name, *args, **kwargs)

    def open_function(self, name: str) -> bool:
        """Show the body of function `name` in place of the graph, to edit its definition."""
        if name not in self.document.functions:
            self.status = f"there is no function {name!r}"
            return False
        self.scope = name
        self._scope_opened = self.opened
        self._shown_body = None
        self.status = f"editing function {name}: Back to graph returns"
        return True

    def close_function(self) -> None:
        """Show the graph again."""
        if self.scope is None:
            return
        name, self.scope, self._shown_body = self.scope, None, None
        self.status = f"back to the graph from function {name}"

    def scope_is_stale(self) -> bool:
        """True when the function being edited went away (an undo) or another graph was opened."""
        return self.scope is not None and (self.scope not in self.document.functions
                                           or self._scope_opened != self.opened)

    def check_scope(self) -> None:
        """Leave a body whose function went away or belongs to a graph no longer open."""
        if self.scope_is_stale():
            self.close_function()

    def insert_function_shown(self, name: str, at, template: str | None = None, **options):
        """An instance of `name` at `at` in what is shown, defining template `template` first when
        it is given: one undo step. Returns the new instance's id, or None when refused."""
        scope = self.scope

        def change(document):
            if template is not None:
                apply_edit(document, "add_template", template, name, **options)
            if scope is None:
                return apply_edit(document, "insert_function", name, at)
            return edit_definition(document, scope, "insert_function", name, at)

        instance = self.apply(f"insert function {name}", change)
        if instance:
            self.status = f"inserted {instance}, an instance of function {name}"
        return instance or None
