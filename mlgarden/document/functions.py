"""Functions: a group of nodes given a name, used as one node as often as you like.

A graph soon repeats itself: a layer is eight perceptrons that differ only in their weights. A
*function* is such a group written once. It has two parts:

- a **definition**: a name (a valid id) and a *body*, an ordinary graph of nodes that also holds
  pin nodes. An `input` node is a leaf that stands for whatever feeds that pin; its label is the
  pin's name, and the order of the input nodes in the body is the order of the pins. An `output`
  node is an identity on one value that leaves the function; its label names the output, and the
  order of the output nodes is the order of the outputs. Nothing in the body reads an output node.
- **instances**: `call` nodes in the graph (or in another function's body) that name the
  definition. A call has the definition's input pins and outputs; a link from output k of call
  f1 is written `"f1:k"` (and `"f1"` for output 0), a *reference* (nodes.split_reference).

Each instance has its own params: a perceptron inserted twice learns two sets of weights. The
body holds each param's default value; an instance keeps its own values in `values`, keyed by
the param's *path* in the body (`"w1"`, or `"g2/w1"` for param w1 of the nested call g2), and a
path it does not list takes the default. A param marked `shared` has one value, the body's, for
every instance. Editing a definition changes every instance, because nothing is copied: the
program is made from the definition each time it is compiled.

The engine never sees a call. `flat_specs` *expands* every instance into the nodes of its body,
recursively, with ids `"<instance>/<body id>"` (nested: `"f1/g2/w1"`; ids never hold '/', so
these cannot clash with a node's id). An input node is replaced by the node feeding the instance's
pin (a free pin leaves the nodes that read it uncomputed), an output node stays as an identity,
and a shared param becomes the single leaf `"<function>::<param>"`. `leaf_value`, `locate`,
`set_leaf_values` and `describe` turn these *flat ids* back into the graph's nodes and values.

A function may use another, but never itself, directly or through others: `check_definitions`
refuses that, as it refuses every other broken rule of a body and a graph that would expand past
the limits of `function_limits.py`. The edits that make and change
functions (collapse, expand, insert, define, edit a body, share a param) are in
`function_edits.py`; the built-in templates are in `function_templates.py`.

This module sits below the Document (`graph.py`), which applies these rules when it checks and
expands calls: it imports `nodes.py`, never `graph.py`, and its functions take the document as
their first argument.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from mlgarden.document.function_limits import expansion_problem
from mlgarden.engine.program import NodeSpec
from mlgarden.document.nodes import (
    ID_PATTERN,
    ID_RULE,
    VALUE_BOUND,
    GraphError,
    Node,
    check_value,
    split_reference,
)
from mlgarden.engine.ops import LEAF_VALUE_OPS

PIN_OPS = ("input", "output")
SHARED_MARK = "::"  # a shared param's flat id: "<function>::<param id>"


@dataclass
class FunctionDefinition:
    """A function: its name, its body (nodes by id, pins included) and a description."""

    name: str
    nodes: dict[str, Node] = field(default_factory=dict)
    description: str = ""

    def input_ids(self) -> list[str]:
        """The body's input nodes, in pin order."""
        return [node.id for node in self.nodes.values() if node.op == "input"]

    def output_ids(self) -> list[str]:
        """The body's output nodes, in output order."""
        return [node.id for node in self.nodes.values() if node.op == "output"]

    def input_names(self) -> list[str]:
        return [self.nodes[node_id].title for node_id in self.input_ids()]

    def output_names(self) -> list[str]:
        return [self.nodes[node_id].title for node_id in self.output_ids()]

    def copy(self) -> FunctionDefinition:
        return FunctionDefinition(self.name, copy.deepcopy(self.nodes), self.description)


# --- the rules ------------------------------------------------------------------------------------


def check_function_name(functions: dict, name) -> None:
    """A new function's name: a valid id that no function has yet."""
    if not isinstance(name, str) or not ID_PATTERN.fullmatch(name):
        raise GraphError(f"a function's name {ID_RULE}, got {name!r}")
    if name in functions:
        raise GraphError(f"there is already a function {name!r}")


def check_node_in_graph(document, node: Node) -> None:
    """The rules that depend on where a node is: pins and shared params only in a body, a call's
    function, pins and values, and fields only the right ops carry."""
    if node.op in PIN_OPS and document.body_of is None:
        raise GraphError(f"node {node.id!r}: {node.op} nodes are the pins of a function and belong "
                         f"in its body")
    if node.shared and node.op != "param":
        raise GraphError(f"node {node.id!r} is {an(node.op)}; only a param can be shared")
    if node.shared and document.body_of is None:
        raise GraphError(f"param {node.id!r} is marked shared, but only a param inside a "
                         f"function's body can be shared")
    if node.op != "call" and (node.function or node.values):
        raise GraphError(f"node {node.id!r} is {an(node.op)}; only a call names a function")
    if node.op == "call":
        problem = call_problem(document.functions, node)
        if problem is not None:
            raise GraphError(problem[1])


def call_problem(functions: dict, node: Node) -> tuple[str, str] | None:
    """The first problem of a call node as (the file key at fault, the message), or None."""
    if not isinstance(node.function, str) or node.function not in functions:
        known = ", ".join(functions) or "none is defined"
        return "function", (f"node {node.id!r} calls {node.function!r}, which is not a function "
                            f"of this graph (functions: {known})")
    definition = functions[node.function]
    count = len(definition.input_ids())
    if len(node.inputs) != count:
        return "inputs", (f"node {node.id!r} ({node.function}) takes {count} input(s), "
                          f"got {len(node.inputs)}")
    if not isinstance(node.values, dict):
        return "values", f"node {node.id!r}: values must map param paths to numbers"
    paths = param_paths(functions, node.function)
    for path, value in node.values.items():
        if path not in paths:
            known = ", ".join(paths) or "none"
            return "values", (f"node {node.id!r} has a value for {path!r}, which is not a param of "
                              f"{node.function!r} of its own (its params: {known})")
        try:
            check_value(f"the value of {path!r} in {node.id!r}", value)
        except GraphError as error:
            return "values", str(error)
    return None


def find_recursion(functions: dict) -> list[str] | None:
    """A chain of functions that calls its own start (['f', 'g', 'f']), or None."""
    calls = {name: [node.function for node in definition.nodes.values()
                    if node.op == "call" and node.function in functions]
             for name, definition in functions.items()}
    done: set[str] = set()
    for root in functions:
        trail: list[str] = []
        stack = [(root, iter(calls[root]))]
        trail.append(root)
        while stack:
            name, callees = stack[-1]
            for callee in callees:
                if callee in trail:
                    return trail[trail.index(callee):] + [callee]
                if callee not in done:
                    stack.append((callee, iter(calls[callee])))
                    trail.append(callee)
                    break
            else:
                done.add(name)
                stack.pop()
                trail.pop()
    return None


def refuse_recursion(functions: dict, start: str | None = None) -> None:
    """Refuse a function that uses itself, naming the chain from `start` when it is on it."""
    chain = find_recursion(functions)
    if chain is not None:
        if start in chain:
            cycle = chain[:-1]
            cycle = cycle[cycle.index(start):] + cycle[:cycle.index(start)]
            chain = cycle + [start]
        how = "itself" if len(chain) == 2 else "itself through " + ", ".join(repr(n) for n in chain[1:-1])
        raise GraphError(f"function {chain[0]!r} would call {how} ({' -> '.join(chain)}); "
                         f"a function cannot use itself")


def check_definitions(document) -> None:
    """Every function of the document: its name, no recursion, and its body's own rules."""
    functions = document.functions
    for name, definition in functions.items():
        if not isinstance(definition, FunctionDefinition) or definition.name != name:
            raise GraphError(f"function {name!r} is stored under another name")
        check_function_name({}, name)
        if not isinstance(definition.description, str):
            raise GraphError(f"the description of function {name!r} must be text")
    refuse_recursion(functions)
    too_big = expansion_problem(functions, document.nodes)
    if too_big is not None:
        raise GraphError(too_big[2])
    for name, definition in functions.items():
        try:
            document.body_document(name, copy_nodes=False).check()
        except GraphError as error:
            raise GraphError(f"in function {name!r}: {error}") from None
        if not definition.output_ids():
            raise GraphError(f"function {name!r} has no output node: nothing would leave it")


# --- params and their paths -------------------------------------------------------------------------


def param_paths(functions: dict, name: str, _trail: tuple = ()) -> dict[str, Node]:
    """Each param an instance of `name` has of its own (not shared), by path, with its body node."""
    if name in _trail:
        raise GraphError(f"function {name!r} would call itself")
    paths: dict[str, Node] = {}
    for node in functions[name].nodes.values():
        if node.op == "param" and not node.shared:
            paths[node.id] = node
        elif node.op == "call" and node.function in functions:
            for path, param in param_paths(functions, node.function, _trail + (name,)).items():
                paths[f"{node.id}/{path}"] = param
    return paths


def instance_value(functions: dict, call: Node, path: str) -> float:
    """The value an instance gives its param at `path`: its own, or the body's default."""
    value = call.values.get(path)
    if value is not None:
        return value
    head, _, rest = path.partition("/")
    body_node = functions[call.function].nodes[head]
    return instance_value(functions, body_node, rest) if rest else body_node.value


def instance_values(functions: dict, call: Node) -> dict[str, float]:
    """Every per-instance param value of a call, by path (its own or the default)."""
    return {path: instance_value(functions, call, path) for path in param_paths(functions, call.function)}


# --- expansion into the engine's flat node list ------------------------------------------------------


def flat_specs(document) -> list[NodeSpec]:
    """The document's nodes with every call expanded, recursively, for the engine."""
    specs: list[NodeSpec] = []
    _expand(document, document.nodes, "", None, document.body_of or "", specs, set())
    return specs


def _expand(document, nodes, prefix, pins, function_name, specs, shared_done) -> None:
    """Append the flat specs of `nodes` (a body when `pins` maps its input ids to flat sources)."""

    def resolve(reference):
        if reference is None:
            return None
        node_id, output = split_reference(reference)
        node = nodes[node_id]
        if node.op == "input":
            return pins.get(node_id) if pins is not None else None
        if node.op == "param" and node.shared:
            return f"{function_name}{SHARED_MARK}{node_id}"
        if node.op == "call":
            return f"{prefix}{node_id}/{document.functions[node.function].output_ids()[output]}"
        return prefix + node_id

    for node in nodes.values():
        if node.op == "input":
            continue
        if node.op == "call":
            definition = document.functions[node.function]
            inner = dict(zip(definition.input_ids(), map(resolve, node.inputs)))
            _expand(document, definition.nodes, f"{prefix}{node.id}/", inner, definition.name,
                    specs, shared_done)
        elif node.op == "param" and node.shared:
            flat = f"{function_name}{SHARED_MARK}{node.id}"
            if flat not in shared_done:
                shared_done.add(flat)
                specs.append(NodeSpec(flat, "param"))
        else:
            inputs = tuple(map(resolve, node.inputs))
            specs.append(NodeSpec(prefix + node.id, node.op, inputs, float(node.exponent)))


def expanded_node_count(functions: dict, nodes: dict[str, Node]) -> int:
    """How many nodes `nodes` would be with every call expanded, recursively, as Expand does it
    (an instance's body without its pin nodes)."""
    return sum(expanded_node_count(functions, functions[node.function].nodes) if node.op == "call"
               else 0 if node.op in PIN_OPS else 1
               for node in nodes.values())


def locate(document, flat_id: str) -> tuple[Node, Node | None, str]:
    """The node a flat id stands for, the top-level call it lies in (or None) and its path there."""
    if not isinstance(flat_id, str):
        raise GraphError(f"there is no node {flat_id!r}")
    if SHARED_MARK in flat_id:
        name, _, param_id = flat_id.partition(SHARED_MARK)
        node = document.definition(name).nodes.get(param_id)
        if node is None or not node.shared:
            raise GraphError(f"function {name!r} has no shared param {param_id!r}")
        return node, None, ""
    head, slash, path = flat_id.partition("/")
    node = document.node(head)
    if not slash:
        return node, None, ""
    if node.op == "call" and "/" not in path:  # a node of an instance's own body: the common case
        inner = document.functions[node.function].nodes.get(path)
        if inner is not None:
            return inner, node, path
    instance = node
    for step in path.split("/"):
        inner = document.definition(node.function).nodes.get(step) if node.op == "call" else None
        if inner is None:
            raise GraphError(f"there is no node {flat_id!r}")
        node = inner
    return node, instance, path


def leaf_value(document, flat_id: str) -> float:
    """The value of a leaf of the program: a node's, an instance's own param's, or a body's."""
    if "/" not in flat_id and SHARED_MARK not in flat_id:
        return document.nodes[flat_id].value
    head, _, path = flat_id.partition("/")
    own = document.nodes[head].values.get(path) if head in document.nodes else None
    if own is not None and SHARED_MARK not in flat_id:  # an instance's own param value, as stored
        return own
    node, instance, path = locate(document, flat_id)
    if instance is None or node.op != "param":
        return node.value
    return instance_value(document.functions, instance, path)


def set_leaf_values(document, values: dict) -> None:
    """Set leaf values by flat id (see Document.set_values); all are checked before any is set."""
    changes = []
    for flat_id, value in values.items():
        node, instance, path = locate(document, flat_id)
        if node.op not in LEAF_VALUE_OPS:
            raise GraphError(f"node {flat_id!r} has no value to set")
        if instance is not None and node.op != "param":
            raise GraphError(f"{describe(document, flat_id)} is a constant of the function; "
                             f"edit the function to change it")
        if not (isinstance(value, float) and -VALUE_BOUND <= value <= VALUE_BOUND):  # else say what is wrong
            check_value(f"the value of {flat_id!r}", value)
        changes.append((node, instance, path, float(value)))
    for node, instance, path, value in changes:
        if instance is not None:
            instance.values[path] = value
        else:
            node.value = value


def describe(document, flat_id: str) -> str:
    """A flat id as the user knows it: "'w1' in perceptron 'f1'", "'b' shared by every
    perceptron", or a plain node's "'h3'"."""
    node, instance, path = locate(document, flat_id)
    if SHARED_MARK in flat_id:
        return f"{node.title!r} shared by every {flat_id.partition(SHARED_MARK)[0]}"
    if instance is None:
        return repr(node.title)
    places, current = [], instance
    for step in path.split("/"):
        places.append(f"{current.function} {current.title!r}")
        current = document.functions[current.function].nodes[step]
    return f"{current.title!r} in " + " in ".join(reversed(places))


def an(word: str) -> str:
    """'a mul', 'an input'."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def reference_title(document, reference: str) -> str:
    """What an output is called: its node's title, or for a call the function's output name."""
    node_id, output = split_reference(reference)
    node = document.nodes[node_id]
    if node.op == "call":
        return document.definition(node.function).output_names()[output]
    return node.title
