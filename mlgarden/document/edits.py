"""The named edits: every change to a document, by name, in one table.

An edit is named by a string so that the app can record it (`Session.edit` takes one undo step per
named edit), replay it into a function's body (`edit_definition`) and refuse a name it does not
know. Two kinds share the table:

- the Document's own edits, its methods (`add_node`, `connect`, `set_value`, ...): they change the
  nodes, links and settings of one graph;
- the function edits (`collapse`, `expand`, `insert_function`, `define_function`, ...): operations
  *on* a document, in function_edits.py, which builds on the Document and so is not imported by it.

`apply_edit(document, name, ...)` runs either kind the same way. Every edit validates before it
changes anything and raises GraphError with a message for the user when it cannot be done.
"""

from __future__ import annotations

from mlgarden.document import function_edits
from mlgarden.document.clipboard import paste_fragment
from mlgarden.document.functions import refuse_recursion
from mlgarden.document.graph import Document
from mlgarden.document.nodes import GraphError

DOCUMENT_EDITS = ("add_node", "remove_node", "remove_nodes", "connect", "disconnect", "set_value",
                  "set_values", "set_exponent", "set_trainable", "move", "rename", "set_result",
                  "set_loss", "set_training", "set_dataset", "add_point", "remove_point",
                  "set_points")
FUNCTION_EDITS = {
    "collapse": function_edits.collapse,
    "expand": function_edits.expand,
    "insert_function": function_edits.insert_function,
    "define_function": function_edits.define_function,
    "remove_function": function_edits.remove_function,
    "rename_function": function_edits.rename_function,
    "set_function_description": function_edits.set_function_description,
    "set_shared": function_edits.set_shared,
    "add_template": function_edits.add_template,
    "paste": paste_fragment,
}
# The edits that make sense inside a function's body (a body has no result, loss or settings).
BODY_EDITS = ("add_node", "remove_node", "remove_nodes", "connect", "disconnect", "set_value",
              "set_values", "set_exponent", "set_trainable", "move", "rename", "insert_function",
              "collapse", "expand", "paste")
# What an undo step did, in the user's words: the status line says "undid moving". The keys are
# the edits above and the Session's own steps (Play..Pause is one "training" step).
STEP_WORDS = {
    "add_node": "adding a node", "remove_node": "deleting a node", "remove_nodes": "deleting",
    "connect": "linking", "disconnect": "unlinking", "set_value": "changing a value",
    "set_values": "changing values", "set_exponent": "changing an exponent",
    "set_trainable": "freezing or unfreezing a param", "move": "moving", "rename": "renaming",
    "set_result": "choosing the result", "set_loss": "choosing the loss",
    "set_training": "changing a training setting", "set_dataset": "changing the dataset",
    "add_point": "adding a point", "remove_point": "removing a point",
    "set_points": "changing your own points", "collapse": "collapsing into a function",
    "expand": "expanding a call", "insert_function": "inserting a function",
    "define_function": "defining a function", "remove_function": "removing a function",
    "rename_function": "renaming a function",
    "set_function_description": "describing a function", "set_shared": "sharing a param",
    "add_template": "adding a function", "paste": "pasting", "cut": "cutting",
    "duplicate": "duplicating", "insert_layer": "inserting a layer", "arrange": "arranging",
    "use_your_own_data": "using your own data", "training": "training",
    "training_step": "a training step", "reset": "resetting to the start of training",
    "reinitialise": "re-initialising the params",
}


def step_words(name: str, args: tuple = ()) -> str:
    """The words for the step `name` (with its arguments: an edit in a body names the function)."""
    if name == "edit_definition" and len(args) >= 2:
        return f"{step_words(args[1])} in function {args[0]}"
    return STEP_WORDS.get(name, name.replace("_", " "))


_EVENT_WEIGHT = {"layout": 1, "values": 2, "settings": 2, "structure": 3, "reset": 3}


def apply_edit(document: Document, name: str, /, *args, **kwargs):
    """Apply the edit called `name` to `document` and return what it returns."""
    if name == "edit_definition":
        return edit_definition(document, *args, **kwargs)
    if name in FUNCTION_EDITS:
        return FUNCTION_EDITS[name](document, *args, **kwargs)
    if name in DOCUMENT_EDITS:
        return getattr(document, name)(*args, **kwargs)
    raise GraphError(f"there is no edit called {name!r}")


def edit_definition(document: Document, name: str, edit: str, *args, **kwargs):
    """Apply the edit called `edit` to the body of function `name` and return what it returns;
    the instances follow the body's pins, and the whole document is checked before it changes."""
    if edit not in BODY_EDITS:
        raise GraphError(f"{edit!r} is not an edit of a function's body; these are: "
                         f"{', '.join(BODY_EDITS)}")
    definition = document.definition(name)
    inputs_before, outputs_before = definition.input_ids(), definition.output_ids()
    candidate = document.copy()
    body = candidate.body_document(name)
    events: list[str] = []
    body.subscribe(events.append)
    outcome = apply_edit(body, edit, *args, **kwargs)
    candidate.functions = body.functions
    candidate.functions[name].nodes = body.nodes
    refuse_recursion(candidate.functions, name)
    function_edits.follow_the_pins(candidate, name, inputs_before, outputs_before)
    moved = function_edits.moved_params(document, name, edit, args, kwargs, outcome)
    if moved is not None:
        function_edits.rename_paths(candidate, name, moved)
    function_edits.forget_stale_values(candidate)
    what = max(events, key=_EVENT_WEIGHT.get, default="structure")
    function_edits.hand_over(document, candidate, "structure" if what == "reset" else what)
    return outcome
