"""The parts of the graph file that functions add, kept apart from fileformat.py (which alone
imports yaml): nodes and function definitions as plain data, and the rules of functions and
references as *problems* that name the entry at fault, so the reader can give their line.

A problem is (function name or None for the graph's own nodes, node id or None, the entry's key at
fault or None, the message). The reader checks in this order, so that each rule can rely on the
ones before it: no function calls itself; the graph expanded stays within its limits
(function_limits.py); then, in each function's body and then in the graph, each
call names a function and has its pins and values, each node sits where it may, each link reads a
node that exists and an output that node has, and no links make a cycle; each function has an
output.
"""

from __future__ import annotations

from mlgarden.document.functions import (
    FunctionDefinition,
    call_problem,
    check_node_in_graph,
    find_recursion,
    refuse_recursion,
)
from mlgarden.document.function_limits import expansion_problem
from mlgarden.document.graph import Document, GraphError, Node, make_reference, split_reference
from mlgarden.engine.ops import LEAF_VALUE_OPS, OPS

Problem = tuple[str | None, str | None, str | None, str]


# --- writing --------------------------------------------------------------------------------------


def function_to_dict(definition: FunctionDefinition) -> dict:
    entry: dict = {"description": definition.description} if definition.description else {}
    entry["nodes"] = [node_to_dict(node) for node in definition.nodes.values()]
    return entry


def node_to_dict(node: Node) -> dict:
    """One node entry, its keys in the file's order, only the fields that say something."""
    entry: dict = {"id": node.id, "op": node.op}
    if node.op == "call":
        entry["function"] = node.function
    if node.label:
        entry["label"] = node.label
    if node.op in LEAF_VALUE_OPS:
        entry["value"] = node.value
    if node.op == "param" and not node.trainable:
        entry["trainable"] = False
    if node.shared:
        entry["shared"] = True
    if node.op == "pow":
        entry["exponent"] = node.exponent
    if node.values:
        entry["values"] = dict(node.values)
    if not OPS[node.op].is_leaf:
        entry["inputs"] = list(node.inputs)
    if tuple(node.pos) != (0.0, 0.0):
        entry["pos"] = [_compact(coordinate) for coordinate in node.pos]
    return entry


def _compact(coordinate: float) -> int | float:
    """Canvas positions are mostly whole numbers: write 40, not 40.0."""
    if float(coordinate).is_integer() and abs(coordinate) < 2**53:
        return int(coordinate)
    return coordinate


# --- reading ----------------------------------------------------------------------------------------


def first_problem(document: Document) -> Problem | None:
    """The first broken rule of functions and links in a freshly read document, or None. Links
    written 'f1:0' are rewritten 'f1', as the document's edits write them."""
    chain = find_recursion(document.functions)
    if chain is not None:
        try:
            refuse_recursion(document.functions)
        except GraphError as error:
            return chain[0], None, None, str(error)
    too_big = expansion_problem(document.functions, document.nodes)  # before anything expands
    if too_big is not None:
        function, call_id, message = too_big
        return function, call_id, None, message
    for name, definition in document.functions.items():
        problem = _scope_problem(document.body_document(name, copy_nodes=False), name)
        if problem is not None:
            return problem
        if not definition.output_ids():
            return name, None, None, f"function {name!r} has no output node: nothing would leave it"
    return _scope_problem(document, None)


def _scope_problem(document: Document, function: str | None) -> Problem | None:
    where = f"function {function!r}: " if function else ""
    for node in document.nodes.values():
        problem = call_problem(document.functions, node) if node.op == "call" else None
        if problem is not None:
            key = problem[0] if problem[0] != "inputs" else None  # the node's line, as for any op
            return function, node.id, key, where + problem[1]
        try:
            check_node_in_graph(document, node)
        except GraphError as error:
            return function, node.id, "shared" if node.shared else "op", where + str(error)
    for node in document.nodes.values():
        for pin, source in enumerate(node.inputs):
            if source is None:
                continue
            try:
                document.check_reference(source, reader=f"node {node.id!r} reads")
            except GraphError as error:
                return function, node.id, None, where + str(error)
            node.inputs[pin] = make_reference(*split_reference(source))
    on_cycle = document.find_cycle()
    if on_cycle is not None:
        return function, on_cycle, None, f"{where}a cycle passes through node {on_cycle!r}"
    return None


def free_pins(document: Document, calls: list[tuple[str | None, str]]) -> None:
    """Give the call nodes written without `inputs` one free pin per input of their function."""
    for function, node_id in calls:
        nodes = document.functions[function].nodes if function else document.nodes
        node = nodes[node_id]
        if node.function in document.functions:
            node.inputs = [None] * len(document.functions[node.function].input_ids())
