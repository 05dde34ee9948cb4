"""The edits that make and change functions (the concept is in functions.py).

- `collapse` turns selected nodes into a new function and puts one instance in their place: the
  links that entered the selection become its input pins, the outputs used outside it (or as the
  result or loss) its outputs, and the selection's param values that instance's own values. The
  graph computes exactly what it computed before.
- `expand` is the inverse: the body's nodes, with fresh ids, in place of one instance.
- `insert_function` adds an instance with its own freshly drawn params and free pins.
- `define_function`, `remove_function`, `rename_function`, `set_function_description`,
  `set_shared`, `add_template`.
- the helpers of `edits.edit_definition`, which applies one named edit to a function's body:
  every instance follows its pins (`follow_the_pins`), a collapse or expand in a body moves the
  instances' own param values with it (`moved_params`, `rename_paths`), and values of params a
  body no longer has are dropped (`forget_stale_values`).

Every edit works on a copy of the document, checks all of it, and only then hands it over with
`Document.adopt`: a refused edit changes nothing. Listeners get one `structure` event (a body's
move or rename is a `layout` event, a body's value change a `values` event).
"""

from __future__ import annotations

import copy
import zlib

import numpy as np

from mlgarden.document import function_templates
from mlgarden.document.functions import (
    FunctionDefinition,
    an,
    check_definitions,
    check_function_name,
    instance_value,
    instance_values,
    param_paths,
    reference_title,
)
from mlgarden.document.function_limits import expansion_problem
from mlgarden.document.graph import Document
from mlgarden.document.nodes import (
    GraphError,
    Node,
    fresh_id,
    id_stem,
    make_reference,
    node_of,
    split_reference,
)
from mlgarden.document.layout import COLUMN_WIDTH, ROW_HEIGHT
from mlgarden.engine.ops import OPS



def _fresh(prefix: str, taken: set[str]) -> str:
    """A fresh id numbered after `prefix`, added to `taken` so the next one differs."""
    new_id = fresh_id(prefix, taken)
    taken.add(new_id)
    return new_id


def hand_over(document: Document, candidate: Document, what: str = "structure") -> None:
    """Check the whole changed copy, then let the document take it."""
    if candidate.body_of is not None:
        check_definitions(candidate)
    candidate.check()
    document.adopt(candidate, what)


def _scopes(document: Document) -> list[dict[str, Node]]:
    """The graph's nodes and every function body: everywhere a call can be."""
    return [document.nodes] + [definition.nodes for definition in document.functions.values()]


def _names(given, count: int, what: str) -> list[str] | None:
    if given is None:
        return None
    given = list(given)
    if len(given) != count:
        raise GraphError(f"the new function has {count} {what}(s); {len(given)} name(s) were given")
    return given


# --- collapse and expand ----------------------------------------------------------------------------


def collapse(document: Document, node_ids, name: str, input_names=None, output_names=None) -> str:
    """Make the selected nodes a new function `name` and one instance of it; return its id."""
    chosen = set(node_ids)
    if not chosen:
        raise GraphError("select the nodes to collapse into a function first")
    for node_id in chosen:
        if document.node(node_id).op in ("input", "output"):
            raise GraphError(f"node {node_id!r} is a pin of this function and cannot go into another")
    check_function_name(document.functions, name)
    position = {node_id: index for index, node_id in enumerate(document.nodes)}
    order = [node_id for node_id in document.nodes if node_id in chosen]
    entering, leaving = _crossing(document, chosen)
    if not leaving:
        raise GraphError("nothing leaves the selection: link one of its nodes to a node outside it, "
                         "or make it the result or loss, before collapsing it")
    _refuse_a_loop_through_the_outside(document, chosen, position)
    input_names = _names(input_names, len(entering), "input") or pin_titles(document, entering)
    output_names = _names(output_names, len(leaving), "output") or pin_titles(document, leaving)

    candidate = document.copy()
    definition = _collapsed_definition(candidate, name, order, entering, leaving, input_names,
                                       output_names)
    candidate.functions[name] = definition
    instance_id = candidate.fresh_id(name)
    left = min(candidate.nodes[node_id].pos[0] for node_id in order)
    top = min(candidate.nodes[node_id].pos[1] for node_id in order)
    instance = Node(instance_id, "call", list(entering), pos=(left, top), function=name)
    instance.values = instance_values(candidate.functions, instance)

    def repoint(reference):
        if node_of(reference) not in chosen:
            return reference
        return make_reference(instance_id, leaving.index(reference))

    nodes = {}
    for node_id, node in candidate.nodes.items():
        if node_id in chosen:
            nodes.setdefault(instance_id, instance)
            continue
        node.inputs = [repoint(source) for source in node.inputs]
        nodes[node_id] = node
    candidate.nodes = nodes
    candidate.result, candidate.loss = repoint(candidate.result), repoint(candidate.loss)
    hand_over(document, candidate)
    return instance_id


def collapse_pins(document: Document, node_ids) -> tuple[list[str], list[str]]:
    """The names collapse would give the new function's input pins and outputs by default (the
    titles of what feeds the selection and of what leaves it), for a dialog to offer."""
    chosen = set(node_ids)
    for node_id in chosen:
        document.node(node_id)
    entering, leaving = _crossing(document, chosen)
    return pin_titles(document, entering), pin_titles(document, leaving)


def pin_titles(document: Document, references: list[str]) -> list[str]:
    """Default names for the pins of these references: their titles, told apart where two are
    alike (four perceptron calls' outputs are each 'out'): a call's output named after its call
    ('b1 out', or by the call's id where calls' labels are alike too), another node by its id."""
    titles = [reference_title(document, reference) for reference in references]
    for name_of_call in (lambda node: node.title, lambda node: node.id):
        alike = {title for title in titles if titles.count(title) > 1}
        for index, reference in enumerate(references):
            if titles[index] in alike:
                node = document.nodes[node_of(reference)]
                output = reference_title(document, reference)
                titles[index] = f"{name_of_call(node)} {output}" if node.op == "call" else node.id
    return titles


def _crossing(document: Document, chosen: set[str]) -> tuple[list[str], list[str]]:
    """The references that enter the selection and those that leave it (read outside it, or the
    result or loss), each once, in the order of their nodes in the document."""
    position = {node_id: index for index, node_id in enumerate(document.nodes)}

    def in_document_order(reference):
        node_id, output = split_reference(reference)
        return position[node_id], output

    entering = {source for node_id in chosen for source in document.nodes[node_id].inputs
                if source is not None and node_of(source) not in chosen}
    leaving = {source for node in document.nodes.values() if node.id not in chosen
               for source in node.inputs if node_of(source) in chosen}
    leaving |= {role for role in (document.result, document.loss) if node_of(role) in chosen}
    return sorted(entering, key=in_document_order), sorted(leaving, key=in_document_order)


def _collapsed_definition(document, name, order, entering, leaving, input_names, output_names):
    """The body of a collapse: input nodes, copies of the selected nodes, output nodes."""
    taken = set(order)
    xs = [document.nodes[node_id].pos[0] for node_id in order]
    ys = [document.nodes[node_id].pos[1] for node_id in order]
    body: dict[str, Node] = {}
    pin_of: dict[str, str] = {}
    for index, source in enumerate(entering):
        node_id = _fresh("in", taken)
        label = input_names[index]
        body[node_id] = Node(node_id, "input", label=label,
                             pos=(min(xs) - COLUMN_WIDTH, min(ys) + index * ROW_HEIGHT))
        pin_of[source] = node_id
    for node_id in order:
        node = copy.deepcopy(document.nodes[node_id])
        node.inputs = [pin_of.get(source, source) for source in node.inputs]
        body[node_id] = node
    for index, source in enumerate(leaving):
        node_id = _fresh("out", taken)
        label = output_names[index]
        body[node_id] = Node(node_id, "output", [source], label=label,
                             pos=(max(xs) + COLUMN_WIDTH, min(ys) + index * ROW_HEIGHT))
    return FunctionDefinition(name, body)


def _refuse_a_loop_through_the_outside(document: Document, chosen: set[str], position) -> None:
    """A node outside the selection that both reads from it and feeds it would make the new
    instance read its own output."""
    readers: dict[str, list[str]] = {}
    for node in document.nodes.values():
        for source in node.inputs:
            if source is not None:
                readers.setdefault(node_of(source), []).append(node.id)
    downstream, stack = set(), [reader for node_id in chosen for reader in readers.get(node_id, ())]
    while stack:
        node_id = stack.pop()
        if node_id not in chosen and node_id not in downstream:
            downstream.add(node_id)
            stack.extend(readers.get(node_id, ()))
    upstream, stack = set(), [node_of(s) for node_id in chosen for s in document.nodes[node_id].inputs]
    while stack:
        node_id = stack.pop()
        if node_id is not None and node_id not in chosen and node_id not in upstream:
            upstream.add(node_id)
            stack.extend(node_of(s) for s in document.nodes[node_id].inputs)
    both = downstream & upstream
    if both:
        culprit = min(both, key=position.__getitem__)
        raise GraphError(f"node {culprit!r} is outside the selection but reads from it and feeds it: "
                         f"select it too, or the function would read its own output")


def expand(document: Document, instance_id: str) -> list[str]:
    """Replace a call node by a copy of its function's body; return the new nodes' ids."""
    instance = document.node(instance_id)
    if instance.op != "call":
        raise GraphError(f"node {instance_id!r} ({instance.op}) is not an instance of a function")
    functions = document.functions
    definition = document.definition(instance.function)
    pins = dict(zip(definition.input_ids(), instance.inputs))
    inner = [node for node in definition.nodes.values() if node.op not in ("input", "output")]
    taken = set(document.nodes) - {instance_id}
    new_id = {node.id: _fresh(id_stem(node.id, node.op), taken) for node in inner}

    def inside(reference):
        if reference is None:
            return None
        node_id, output = split_reference(reference)
        return pins[node_id] if node_id in pins else make_reference(new_id[node_id], output)

    left = min((node.pos[0] for node in inner), default=0.0)
    top = min((node.pos[1] for node in inner), default=0.0)
    created: dict[str, Node] = {}
    for body_node in inner:
        node = copy.deepcopy(body_node)
        node.id = new_id[body_node.id]
        node.inputs = _without_free_sum_pins(node, [inside(s) for s in body_node.inputs])
        node.pos = (instance.pos[0] + body_node.pos[0] - left, instance.pos[1] + body_node.pos[1] - top)
        if node.op == "param" and not node.shared:
            node.value = instance_value(functions, instance, body_node.id)
        node.shared = False  # a shared param becomes a plain one holding the function's value
        if node.op == "call":
            node.values = {path: instance_value(functions, instance, f"{body_node.id}/{path}")
                           for path in param_paths(functions, node.function)}
        created[node.id] = node
    outputs = [inside(definition.nodes[node_id].inputs[0]) for node_id in definition.output_ids()]

    def outside(reference):
        if node_of(reference) != instance_id:
            return reference
        return outputs[split_reference(reference)[1]]

    candidate = document.copy()
    nodes = {}
    for node_id, node in candidate.nodes.items():
        if node_id == instance_id:
            nodes.update(created)
            continue
        node.inputs = _without_free_sum_pins(node, [outside(s) for s in node.inputs])
        nodes[node_id] = node
    candidate.nodes = nodes
    candidate.result, candidate.loss = outside(candidate.result), outside(candidate.loss)
    hand_over(document, candidate)
    return list(created)


def _without_free_sum_pins(node: Node, inputs: list) -> list:
    """A sum holds no free pins: one whose source went away is dropped, as a delete does."""
    return [s for s in inputs if s is not None] if OPS[node.op].is_variadic else inputs


# --- instances and definitions ----------------------------------------------------------------------


def insert_function(document: Document, name: str, at=(0.0, 0.0)) -> str:
    """A new instance of `name` at `at`, pins free, each trainable param of its own drawn uniformly
    from [-1, 1] (seeded by the training seed and the instance's id, so instances differ)."""
    document.definition(name)
    instance_id = document.fresh_id(name)
    too_big = expansion_problem(document.functions, {**document.nodes,
                                                     instance_id: Node(instance_id, "call", function=name)})
    if too_big is not None:
        raise GraphError(too_big[2])
    rng = np.random.default_rng([document.training.seed, zlib.crc32(instance_id.encode())])
    values = {path: float(rng.uniform(-1.0, 1.0))
              for path, param in param_paths(document.functions, name).items() if param.trainable}
    return document.add_node("call", instance_id, pos=at, function=name, values=values)


def define_function(document: Document, definition: FunctionDefinition) -> str:
    if not isinstance(definition, FunctionDefinition):
        raise GraphError(f"a function definition is needed, got {definition!r}")
    check_function_name(document.functions, definition.name)
    candidate = document.copy()
    candidate.functions[definition.name] = definition.copy()
    hand_over(document, candidate)
    return definition.name


def remove_function(document: Document, name: str) -> None:
    """Forget a function no node uses."""
    document.definition(name)
    for place, nodes in [("the graph", document.nodes)] + [
            (f"function {other!r}", d.nodes) for other, d in document.functions.items()]:
        users = [node.id for node in nodes.values() if node.op == "call" and node.function == name]
        if users:
            raise GraphError(f"function {name!r} is still used by node {users[0]!r} in {place}; "
                             f"expand or delete its instances first")
    candidate = document.copy()
    del candidate.functions[name]
    hand_over(document, candidate)


def rename_function(document: Document, name: str, new_name: str) -> None:
    document.definition(name)
    check_function_name(document.functions, new_name)
    candidate = document.copy()
    candidate.functions = {(new_name if key == name else key): definition
                           for key, definition in candidate.functions.items()}
    candidate.functions[new_name].name = new_name
    for nodes in _scopes(candidate):
        for node in nodes.values():
            if node.op == "call" and node.function == name:
                node.function = new_name
    hand_over(document, candidate)


def set_function_description(document: Document, name: str, description: str) -> None:
    document.definition(name)
    if not isinstance(description, str):
        raise GraphError(f"the description of function {name!r} must be text")
    candidate = document.copy()
    candidate.functions[name].description = description
    hand_over(document, candidate, "settings")


def set_shared(document: Document, name: str, param_id: str, shared: bool = True) -> None:
    """Share a param of a function among all its instances (they take the body's value), or give
    each instance its own again (starting from that value)."""
    node = document.definition(name).nodes.get(param_id)
    if node is None:
        raise GraphError(f"function {name!r} has no node {param_id!r}")
    if node.op != "param":
        raise GraphError(f"node {param_id!r} of function {name!r} is {an(node.op)}; only a param can "
                         f"be shared")
    candidate = document.copy()
    candidate.functions[name].nodes[param_id].shared = bool(shared)
    forget_stale_values(candidate)
    hand_over(document, candidate)


def add_template(document: Document, template: str, name: str | None = None, **options) -> str:
    """Define a built-in function (function_templates.TEMPLATES) as `name`; an identical function
    of that name already there is kept, a different one refused."""
    definition = function_templates.build(template, name, **options)
    existing = document.functions.get(definition.name)
    if existing is not None:
        if existing == definition:
            return definition.name
        raise GraphError(f"there is already a different function {definition.name!r}; choose "
                         f"another name")
    return define_function(document, definition)


# --- what follows an edit of a body (edits.edit_definition) ----------------------------------------


def follow_the_pins(document: Document, name: str, inputs_before: list[str],
                     outputs_before: list[str]) -> None:
    """Keep each instance of `name` linked as before, pin by pin (by the pin node's id)."""
    definition = document.functions[name]
    inputs, outputs = definition.input_ids(), definition.output_ids()
    if (inputs, outputs) == (inputs_before, outputs_before):
        return
    new_output = {index: outputs.index(node_id) if node_id in outputs else None
                  for index, node_id in enumerate(outputs_before)}
    for nodes in _scopes(document):
        instances = {node.id for node in nodes.values() if node.op == "call" and node.function == name}
        if not instances:
            continue

        def moved(reference):
            if node_of(reference) not in instances:
                return reference
            node_id, output = split_reference(reference)
            index = new_output.get(output)
            return None if index is None else make_reference(node_id, index)

        for node in nodes.values():
            if node.id in instances:
                by_pin = dict(zip(inputs_before, node.inputs))
                node.inputs = [by_pin.get(node_id) for node_id in inputs]
            node.inputs = _without_free_sum_pins(node, [moved(s) for s in node.inputs])
        if nodes is document.nodes:
            document.result, document.loss = moved(document.result), moved(document.loss)


def moved_params(document: Document, name: str, edit: str, args: tuple, kwargs: dict, outcome):
    """How a collapse or expand in the body of `name` moves its params, as old path -> new path,
    so that every instance keeps its own values; None for the other edits."""
    if edit == "collapse":
        chosen = set(args[0] if args else kwargs["node_ids"])
        return lambda path: f"{outcome}/{path}" if path.partition("/")[0] in chosen else path
    if edit != "expand":
        return None
    instance = args[0] if args else kwargs["instance_id"]
    called = document.functions[document.functions[name].nodes[instance].function]
    inner = [node.id for node in called.nodes.values() if node.op not in ("input", "output")]
    new_id = dict(zip(inner, outcome))

    def moved(path):
        head, _, rest = path.partition("/")
        if head != instance:
            return path
        first, _, deeper = rest.partition("/")
        return new_id[first] + (f"/{deeper}" if deeper else "")

    return moved


def rename_paths(document: Document, name: str, moved) -> None:
    """Apply `moved` to the part of every instance's value paths that lies inside `name`."""

    def renamed(function: str, path: str) -> str:
        if function == name:
            return moved(path)
        head, _, rest = path.partition("/")
        node = document.functions[function].nodes.get(head)
        if not rest or node is None or node.op != "call":
            return path
        return f"{head}/{renamed(node.function, rest)}"

    for nodes in _scopes(document):
        for node in nodes.values():
            if node.op == "call" and node.values:
                node.values = {renamed(node.function, path): value for path, value in node.values.items()}


def forget_stale_values(document: Document) -> None:
    """Drop the instance values of params a body no longer has (removed, or now shared)."""
    for nodes in _scopes(document):
        for node in nodes.values():
            if node.op == "call" and node.function in document.functions:
                paths = param_paths(document.functions, node.function)
                node.values = {path: value for path, value in node.values.items() if path in paths}
