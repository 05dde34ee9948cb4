"""What the Session shows and edits: the graph, or the body of one function ("Edit definition").

`Session` takes these methods from `SessionScope`. `scope` is None while the graph is shown, or
the name of the function whose body is being edited. Either way the app edits *what is shown*
through `edit_shown(name, ...)`: in the graph that is `edit(name, ...)`; in a body it is
`edit("edit_definition", scope, name, ...)`, one undo step that changes the definition, so every
instance follows. `shown_document` is what to draw: the graph itself, or a working copy of the
body, made again after any change (it is never edited directly).

- `open_function(name, instance)` shows a body, `close_function()` the graph again; both say so
  in the status line. A body shows the numbers of one instance of the function
  (`scope_instance`: the call it was opened from, else the graph's first instance), and a value
  set on a param of the body (`set_shown_value`: a nudge, a typed value) is that instance's own,
  as the numbers beside it are; a shared param, a const, or a body with no instance sets the
  definition's value. A scope whose function went away (an undo, a file opened) is left by
  `check_scope()`, which the app calls before it draws.
- `insert_function_shown(name, at, template)` adds an instance where the user is: into the graph,
  or into the body; with a template it defines the function first, in the same undo step.
"""

from __future__ import annotations

from mlgarden.document.edits import apply_edit, edit_definition
from mlgarden.document.functions import leaf_value
from mlgarden.document.graph import Document
from mlgarden.document.scope_ids import shown_instance


class SessionScope:
    """Mixed into Session: it uses the session's document, edits and status line."""

    scope: str | None = None
    _chosen_instance: str | None = None  # the call a body was opened from
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

    def edit_of_shown(self, document: Document, name: str, /, *args, **kwargs):
        """Apply the named edit to `document`'s part that is shown (inside `apply`): the graph
        itself, or the body of the function being edited."""
        if self.scope is None:
            return apply_edit(document, name, *args, **kwargs)
        return edit_definition(document, self.scope, name, *args, **kwargs)

    @property
    def scope_instance(self) -> str | None:
        """The call of the graph whose numbers the body shows: the one it was opened from while
        it is still an instance of the function, else the first instance; None for the graph or
        a function with no instance."""
        if self.scope is None:
            return None
        return shown_instance(self.document, self.scope, self._chosen_instance)

    def _instance_param(self, node_id: str) -> str | None:
        """The flat id of the shown instance's own value of body param `node_id`, or None when
        the value shown is the definition's (the graph, a shared param, a const, no instance)."""
        if self.scope is None:
            return None
        node = self.shown_document.nodes.get(node_id)
        instance = self.scope_instance
        if node is None or node.op != "param" or node.shared or instance is None:
            return None
        return f"{instance}/{node_id}"

    def shown_value(self, node_id: str) -> float:
        """The value a leaf node shown on the canvas holds (in a body: the shown instance's)."""
        flat_id = self._instance_param(node_id)
        if flat_id is None:
            return self.shown_document.nodes[node_id].value
        return leaf_value(self.document, flat_id)

    def set_shown_value(self, node_id: str, value: float, merge_key: object = None):
        """Set a leaf node's value as shown (one undo step, or part of the gesture `merge_key`):
        in a body, a param's value is the shown instance's own; see the module's docstring."""
        flat_id = self._instance_param(node_id)
        if flat_id is None:
            return self.edit_shown("set_value", node_id, value, merge_key=merge_key)
        return self.edit("set_values", {flat_id: value}, merge_key=merge_key)

    def open_function(self, name: str, instance: str | None = None) -> bool:
        """Show the body of function `name` in place of the graph, to edit its definition, with
        the numbers of `instance`, a call of `name` shown now (by default the first instance).
        A call shown inside a body is no call of the graph (its id may even be a graph call's):
        opened from there, the body shows the graph's first instance."""
        if name not in self.document.functions:
            self.status = f"there is no function {name!r}"
            return False
        if self.scope is not None:
            instance = None
        self.scope = name
        self._chosen_instance = shown_instance(self.document, name, instance)
        self._scope_opened = self.opened
        self._shown_body = None
        shown = self._chosen_instance
        numbers = f", numbers of {shown}" if shown else ", no instance in the graph"
        self.status = f"editing function {name}{numbers}: Back to graph returns"
        return True

    def close_function(self) -> None:
        """Show the graph again."""
        if self.scope is None:
            return
        name, self.scope, self._shown_body, self._chosen_instance = self.scope, None, None, None
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
