"""Copy, cut, paste and duplicate: a selection of nodes with the links among them.

A *fragment* is a deep copy of some nodes. Links from inside the selection to inside it are kept;
links that came from outside are cut (the pin becomes free, or, for a `sum`, the pin goes away),
because the pasted copy cannot know what should feed it. Pasting gives every node a fresh id made
from its old one (`w3` may become `w7`) and shifts the group so its top-left node lands where the
user pastes. The result and loss roles are not copied.

A copied call node keeps its function and its own param values; the fragment carries the
definitions of the functions it uses (and those they use), so it can be pasted into another graph:
a function the target lacks is defined there, one it already has under that name is used as it is.
A paste that would make the graph expand past function_limits' bounds is refused (as loading,
function edits and Insert function refuse it), and the caller's undo step puts everything back.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from mlgarden.document import function_edits
from mlgarden.document.function_limits import expansion_problem
from mlgarden.document.functions import refuse_recursion
from mlgarden.document.graph import Document, GraphError, Node, make_reference, split_reference
from mlgarden.document.layout import topological_order
from mlgarden.document.nodes import id_stem
from mlgarden.engine.ops import OPS


@dataclass(frozen=True)
class Fragment:
    nodes: tuple[Node, ...]
    functions: dict = field(default_factory=dict)  # name -> FunctionDefinition the nodes use

    def __bool__(self) -> bool:
        return bool(self.nodes)


def copy_fragment(document: Document, node_ids) -> Fragment:
    """The chosen nodes, in dependency order, with links from outside the selection cut."""
    chosen = set(node_ids)
    for node_id in chosen:
        document.node(node_id)
    nodes = []
    for node_id in topological_order(document, chosen):
        node = copy.deepcopy(document.nodes[node_id])
        inside = [s if s is not None and split_reference(s)[0] in chosen else None for s in node.inputs]
        node.inputs = [s for s in inside if s is not None] if OPS[node.op].is_variadic else inside
        nodes.append(node)
    return Fragment(tuple(nodes), _functions_used(document, nodes))


def _functions_used(document: Document, nodes) -> dict:
    used, stack = {}, [node.function for node in nodes if node.op == "call"]
    while stack:
        name = stack.pop()
        if name not in used:
            used[name] = document.functions[name].copy()
            stack.extend(node.function for node in used[name].nodes.values() if node.op == "call")
    return used


def paste_fragment(document: Document, fragment: Fragment, at: tuple[float, float]) -> list[str]:
    """Add a copy of the fragment with fresh ids, its top-left corner at `at`; return the new ids."""
    if not fragment:
        raise GraphError("there is nothing to paste")
    for name, definition in fragment.functions.items():
        if name not in document.functions and name != document.body_of:
            function_edits.define_function(document, definition)
    left = min(node.pos[0] for node in fragment.nodes)
    top = min(node.pos[1] for node in fragment.nodes)
    new_ids: dict[str, str] = {}

    def renamed(reference):
        if reference is None:
            return None
        node_id, output = split_reference(reference)
        return make_reference(new_ids[node_id], output)

    for node in fragment.nodes:
        new_id = document.fresh_id(id_stem(node.id, node.op))
        new_ids[node.id] = new_id
        document.add_node(
            node.op, new_id, pos=(at[0] + node.pos[0] - left, at[1] + node.pos[1] - top),
            value=node.value, label=node.label, trainable=node.trainable, exponent=node.exponent,
            inputs=[renamed(s) for s in node.inputs], function=node.function,
            values=dict(node.values), shared=node.shared and document.body_of is not None,
        )
    _refuse_too_big(document)
    return list(new_ids.values())


def _refuse_too_big(document: Document) -> None:
    """Raise GraphError when the graph, pasted into, expands past the limits. In a function's body
    being edited, the body stands in for its definition (the whole graph is checked when the body
    is handed back)."""
    functions, nodes = document.functions, document.nodes
    if document.body_of is not None:
        edited = copy.copy(functions[document.body_of])
        edited.nodes = nodes
        functions, nodes = {**functions, document.body_of: edited}, {}
        refuse_recursion(functions, document.body_of)  # a call of the function in its own body
    too_big = expansion_problem(functions, nodes)
    if too_big is not None:
        raise GraphError(too_big[2])
