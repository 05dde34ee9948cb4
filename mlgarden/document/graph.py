"""The graph document: the nodes a user placed, their links, and what the graph is for.

The document is the single truth of an open graph; the canvas only draws it and the file only
stores it. It holds:

- nodes, each with a stable id, an op from the op table, an optional label, a position on the
  canvas, a value (params and consts), a trainable flag (params) and an exponent (`pow`);
- each node's *inputs*: references to the outputs feeding its pins, in pin order, None for a free
  pin. A reference is a node id (`"n"`: the node's output, or output 0 of a call) or `"f1:2"`
  (output 2 of the call node f1); ids never hold ':' so the two cannot be confused, and
  `split_reference` is the one place that tells them apart;
- the *result* node (what the decision surface shows) and the *loss* node (where backprop starts),
  both references too;
- the user's functions (`functions.py`): definitions, whose instances are `call` nodes;
- the training settings and the dataset choice stored with the graph, and free-form view state.

Every change goes through a named edit (add_node, remove_node, connect, disconnect, set_value,
move, rename, set_result, set_loss, ...). An edit checks everything first and raises GraphError
with a message meant for the user if it cannot be done; only then does it change anything, so a
refused edit leaves the document exactly as it was. After a change the document tells its
listeners: `structure` (nodes or links changed, recompile), `values` (a value changed, re-run),
`layout` (positions or labels), `settings`, `data` (the custom points, see custom_points.py), or
`reset` (the whole document was replaced).

Links obey three rules: one link per input pin, no cycles, and a pin index within the op's arity.
A variadic op (`sum`) takes one more pin each time its last one is filled; disconnecting one of its
pins removes that pin. A call node has the pins and outputs its function's body defines.

The shared pieces (Node, references, the rules of ids and values, GraphError) are in nodes.py;
the rules of functions, which the document applies when it checks and expands calls, in
functions.py. The function edits (collapse, expand, insert_function, define_function, ...) are
operations *on* a document, in function_edits.py, which builds on this module: each builds a
changed copy, checks all of it, and only then `adopt`s it. `edits.py` names every edit, the
document's methods and the function edits alike, for Session.edit and for a function's body.
"""

from __future__ import annotations

import copy
import math
import numbers
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

from mlgarden.document import custom_points as points_rules
from mlgarden.document import functions
from mlgarden.document.nodes import (
    ID_PATTERN,
    ID_RULE,
    GraphError,
    Node,
    check_number,
    check_value,
    check_whole,
    fresh_id,
    is_finite,
    make_reference,
    node_of,
    split_reference,
)
from mlgarden.engine.program import NodeSpec, Program, compile_graph
from mlgarden.engine.ops import LEAF_VALUE_OPS, OPS

OPTIMIZERS = ("sgd", "momentum", "adam")


@dataclass
class TrainingSettings:
    optimizer: str = "sgd"
    learning_rate: float = 0.05
    batch_size: int = 16
    lr_decay: float = 0.0  # learning rate = lr / (1 + lr_decay * epoch)
    momentum: float = 0.9
    seed: int = 0
    steps: int = 2000  # what `mlgarden train` runs when not told otherwise

    def check(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise GraphError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        check_number("learning_rate", self.learning_rate, low=0.0, high=100.0, low_open=True)
        check_whole("batch_size", self.batch_size, low=1, high=100_000)
        check_number("lr_decay", self.lr_decay, low=0.0, high=1e6)
        check_number("momentum", self.momentum, low=0.0, high=0.999999)
        check_whole("seed", self.seed, low=0, high=2**32 - 1)
        check_whole("steps", self.steps, low=1, high=10**9)


@dataclass
class DatasetSettings:
    name: str = "linear"
    points: int = 200
    noise: float = 0.1
    seed: int = 0
    test_fraction: float = 0.2

    def check(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise GraphError("dataset name must be a non-empty text")
        check_whole("points", self.points, low=1, high=100_000)
        check_number("noise", self.noise, low=0.0, high=1.0)
        check_whole("seed", self.seed, low=0, high=2**32 - 1)
        check_number("test_fraction", self.test_fraction, low=0.0, high=0.9)


Listener = Callable[[str], None]


class Document:
    """A graph of scalar nodes, edited only through its named edits."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.result: str | None = None
        self.loss: str | None = None
        self.description: str = ""
        self.training = TrainingSettings()
        self.dataset = DatasetSettings()
        self.view: dict = {}
        self.custom_points: tuple[tuple[float, float, float], ...] = ()  # see custom_points.py
        self.functions: dict = {}  # name -> functions.FunctionDefinition, in definition order
        self.body_of: str | None = None  # set on a working copy of a function's body
        self._listeners: list[Listener] = []
        self._program: Program | None = None
        self.trainable_changes = 0  # counts freezes and thaws, which do not recompile (training.py)

    # --- listening ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _changed(self, what: str, program: Program | None = None) -> None:
        """Tell the listeners; a structural change drops the compiled program (or takes
        `program`, compiled from the very nodes and roles the document now has)."""
        if what in ("structure", "reset"):
            self._program = program
        for listener in list(self._listeners):
            listener(what)

    # --- reading -----------------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(f"there is no node {node_id!r}") from None

    def consumers(self, node_id: str) -> list[tuple[str, int]]:
        """(node, pin) pairs that read any output of `node_id`, in document order."""
        return [
            (other.id, pin)
            for other in self.nodes.values()
            for pin, source in enumerate(other.inputs)
            if node_of(source) == node_id
        ]

    def links(self) -> list[tuple[str, str, int]]:
        """Every link as (source reference, target, pin); a call's output k>0 is 'id:k'."""
        return [
            (source, node.id, pin)
            for node in self.nodes.values()
            for pin, source in enumerate(node.inputs)
            if source is not None
        ]

    def source_ids(self, node_id: str) -> list[str | None]:
        """The ids of the nodes feeding each pin of a node (None for a free pin)."""
        return [node_of(s) for s in self.nodes[node_id].inputs]

    def params(self) -> list[Node]:
        return [node for node in self.nodes.values() if node.op == "param"]

    def depends_on(self, node_id: str, ancestor: str) -> bool:
        """True when `node_id`'s value is computed from `ancestor` (or they are the same node)."""
        stack, seen = [node_id], set()
        while stack:
            current = stack.pop()
            if current == ancestor:
                return True
            if current in seen:
                continue
            seen.add(current)
            stack.extend(node_of(s) for s in self.nodes[current].inputs if s is not None)
        return False

    def fresh_id(self, prefix: str) -> str:
        prefix = re.sub(r"[^A-Za-z0-9_]", "_", prefix) or "n"
        if not re.match(r"[A-Za-z_]", prefix):
            prefix = "n" + prefix
        return fresh_id(prefix, self.nodes)

    def pin_count(self, node_id: str) -> int:
        """Pins the canvas shows: the arity (a call's function's inputs), or for `sum` one free
        pin after the filled ones."""
        node = self.node(node_id)
        op = OPS[node.op]
        return len(node.inputs) + 1 if op.is_variadic else self._arity(node)

    def _arity(self, node: Node) -> int:
        if node.op == "call":
            return len(self.definition(node.function).input_ids())
        return OPS[node.op].arity

    def output_count(self, node_id: str) -> int:
        """How many outputs a node has: a call's function's outputs, otherwise one."""
        node = self.node(node_id)
        return len(self.definition(node.function).output_ids()) if node.op == "call" else 1

    def pin_names(self, node_id: str) -> list[str]:
        """The names of a node's input pins (a call's are its function's input labels)."""
        node = self.node(node_id)
        if node.op == "call":
            return self.definition(node.function).input_names()
        return [OPS[node.op].pin_name(pin) for pin in range(self.pin_count(node_id))]

    def output_names(self, node_id: str) -> list[str]:
        """The names of a node's outputs: a call's function's output labels, else ['out']."""
        node = self.node(node_id)
        return self.definition(node.function).output_names() if node.op == "call" else ["out"]

    def definition(self, name: str):
        """The function called `name` (a functions.FunctionDefinition)."""
        try:
            return self.functions[name]
        except (KeyError, TypeError):
            raise GraphError(f"there is no function {name!r}") from None

    def instances(self, name: str) -> list[str]:
        """The call nodes of this graph that are instances of function `name`."""
        return [node.id for node in self.nodes.values() if node.op == "call" and node.function == name]

    # --- compiling ---------------------------------------------------------------------------

    def node_specs(self) -> list[NodeSpec]:
        """The flat node list the engine compiles: every call expanded into its body's nodes, with
        ids 'instance/body id' (see functions.py); a graph without calls maps one to one."""
        return functions.flat_specs(self)

    def program(self) -> Program:
        """The compiled graph, rebuilt only after a structural change."""
        if self._program is None:
            loss = self.flat_id(self.loss) if self.loss is not None else None
            result = self.flat_id(self.result) if self.result is not None else None
            self._program = compile_graph(self.node_specs(), loss, result)
        return self._program

    def leaf_values(self, program: Program | None = None) -> list[float]:
        """The value of each of the program's leaves (params and consts, flat ids) in order."""
        program = program or self.program()
        if not self.functions:
            return [self.nodes[node_id].value for node_id in program.leaf_ids]
        leaf_value = functions.leaf_value
        return [leaf_value(self, flat_id) for flat_id in program.leaf_ids]

    def flat_id(self, reference: str) -> str:
        """The id in the compiled program (Evaluation.values, .grads) of what a reference names:
        'n' -> 'n'; 'f1:2' -> the flat id of output node 2 of f1's function, such as 'f1/out3'."""
        node_id, output = split_reference(reference)
        node = self.node(node_id)
        self.check_reference(reference)
        if node.op != "call":
            return node_id
        return f"{node_id}/{self.definition(node.function).output_ids()[output]}"

    def flat_node(self, flat_id: str) -> Node:
        """The node a flat id of the program stands for: a node of this graph, or the body node of
        a function ('f1/w1' -> node w1 of f1's function; 'perceptron::b' -> a shared param)."""
        return functions.locate(self, flat_id)[0]

    def describe(self, flat_id: str) -> str:
        """A flat id as the user knows it: "'w1' in perceptron 'f1'", "'h3'"."""
        return functions.describe(self, flat_id)

    # --- edits ---------------------------------------------------------------------------------

    def add_node(self, op: str, node_id: str | None = None, *, pos=(0.0, 0.0), value: float = 0.0,
                 label: str = "", trainable: bool = True, exponent: float = 2.0,
                 inputs: Iterable[str | None] | None = None, function: str = "",
                 values: dict[str, float] | None = None, shared: bool = False) -> str:
        """Add a node (with its input links, if given) and return its id. A `call` node names its
        `function` and may carry its own param `values`; `shared` marks a param of a body."""
        if op not in OPS:
            raise GraphError(f"unknown op {op!r}; known ops: {', '.join(OPS)}")
        calls_a_function = op == "call" and isinstance(function, str) and function
        node_id = node_id or self.fresh_id(function if calls_a_function else op)
        node = Node(node_id, op, list(inputs or []), _real(value, f"the value of {node_id!r}"), label,
                    _position(pos, node_id), bool(trainable),
                    _real(exponent, f"the exponent of {node_id!r}"), function,
                    dict(values or {}), bool(shared))
        if op == "call" and not inputs:
            node.inputs = [None] * self._arity(node)
        elif not OPS[op].is_variadic and not inputs:
            node.inputs = [None] * OPS[op].arity
        _drop_fields_the_op_has_not(node)
        self._check_new_node(node)
        self.nodes[node_id] = node
        self._changed("structure")
        return node_id

    def _check_new_node(self, node: Node) -> None:
        if node.id in self.nodes:
            raise GraphError(f"there is already a node {node.id!r}")
        self._check_node(node)

    def _check_node(self, node: Node) -> None:
        """The rules for one node in this graph: its own fields, where it may be, its links."""
        check_node_fields(node)
        functions.check_node_in_graph(self, node)
        for source in node.inputs:
            if source is not None:
                self.check_reference(source, reader=f"node {node.id!r} reads")

    def check_reference(self, reference: str, reader: str | None = None) -> None:
        """Refuse a reference to a node that does not exist or to an output it does not have;
        `reader` starts the message ("node 'h3' reads", "the result is node")."""
        node_id, output = split_reference(reference)
        if node_id not in self.nodes:
            if reader is None:
                raise GraphError(f"there is no node {node_id!r}")
            raise GraphError(f"{reader} {reference!r}, which does not exist")
        node = self.nodes[node_id]
        said = f"{reader} {reference!r}, which is" if reader else f"{reference!r} is"
        if node.op == "output":
            raise GraphError(f"{said} an output pin of the function: nothing in its body reads one "
                             f"(read the node that feeds it)")
        count = len(self.definition(node.function).output_ids()) if node.op == "call" else 1
        if 0 <= output < count:
            return
        if count == 1:
            raise GraphError(f"{said} not an output: node {node_id!r} has one output, {node_id!r}")
        last = make_reference(node_id, count - 1)
        raise GraphError(f"{said} not an output: {node.function} {node_id!r} has {count} output(s), "
                         f"{node_id} to {last}")

    def remove_node(self, node_id: str) -> None:
        """Remove a node and every link into or out of it."""
        self.node(node_id)
        self._remove_nodes({node_id})

    def remove_nodes(self, node_ids: Iterable[str]) -> None:
        node_ids = set(node_ids)
        for node_id in node_ids:
            self.node(node_id)
        self._remove_nodes(node_ids)

    def _remove_nodes(self, node_ids: set[str]) -> None:
        for node_id in node_ids:
            del self.nodes[node_id]
        for node in self.nodes.values():
            if OPS[node.op].is_variadic:
                node.inputs = [s for s in node.inputs if node_of(s) not in node_ids]
            else:
                node.inputs = [None if node_of(s) in node_ids else s for s in node.inputs]
        if node_of(self.result) in node_ids:
            self.result = None
        if node_of(self.loss) in node_ids:
            self.loss = None
        self._changed("structure")

    def connect(self, source: str, target: str, pin: int) -> None:
        """Link output `source` (a reference: 'n', or 'f1:2' for output 2 of a call) to input `pin`
        of `target`, replacing any link already there."""
        if not isinstance(source, str):
            raise GraphError(f"a link's source must be a node id, got {source!r}")
        source_id, output = split_reference(source)
        self.node(source_id)
        node = self.node(target)
        self.check_reference(source)
        source = make_reference(source_id, output)
        op = OPS[node.op]
        if op.is_leaf or node.op == "call" and not node.inputs:
            raise GraphError(f"node {target!r} ({node.op}) has no inputs")
        highest = len(node.inputs) if op.is_variadic else self._arity(node) - 1
        if isinstance(pin, bool) or not isinstance(pin, int) or not 0 <= pin <= highest:
            raise GraphError(f"node {target!r} ({node.op}) has no input pin {pin}")
        if self.depends_on(source_id, target):
            raise GraphError(f"linking {source!r} into {target!r} would make a cycle")
        if pin == len(node.inputs):
            node.inputs.append(source)
        else:
            node.inputs[pin] = source
        self._changed("structure")

    def disconnect(self, target: str, pin: int) -> None:
        """Remove the link into input `pin` of `target`; a variadic node loses that pin."""
        node = self.node(target)
        if not isinstance(pin, int) or not 0 <= pin < len(node.inputs) or node.inputs[pin] is None:
            raise GraphError(f"input pin {pin} of node {target!r} is not connected")
        if OPS[node.op].is_variadic:
            del node.inputs[pin]
        else:
            node.inputs[pin] = None
        self._changed("structure")

    def set_value(self, node_id: str, value: float) -> None:
        node = self.node(node_id)
        if node.op not in LEAF_VALUE_OPS:
            raise GraphError(f"node {node_id!r} ({node.op}) has no value to set")
        check_value(f"the value of {node_id!r}", value)
        node.value = float(value)
        self._changed("values")

    def set_values(self, values: dict[str, float]) -> None:
        """Set many leaf values at once, by their ids in the program (training writes all params
        in one change): a node's id, 'f1/w1' for an instance's own param, 'perceptron::b' for a
        shared one."""
        if not self.functions:
            for node_id, value in values.items():
                if self.node(node_id).op not in LEAF_VALUE_OPS:
                    raise GraphError(f"node {node_id!r} has no value to set")
                check_value(f"the value of {node_id!r}", value)
            for node_id, value in values.items():
                self.nodes[node_id].value = float(value)
        else:
            functions.set_leaf_values(self, values)
        self._changed("values")

    def set_exponent(self, node_id: str, exponent: float) -> None:
        node = self.node(node_id)
        if node.op != "pow":
            raise GraphError(f"node {node_id!r} ({node.op}) has no exponent")
        check_number(f"the exponent of {node_id!r}", exponent, low=-1e3, high=1e3)
        node.exponent = float(exponent)
        self._changed("structure")

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        node = self.node(node_id)
        if node.op != "param":
            raise GraphError(f"only params can be trained; {node_id!r} is a {node.op}")
        node.trainable = bool(trainable)
        self.trainable_changes += 1
        self._changed("values")

    def move(self, node_id: str, pos) -> None:
        node = self.node(node_id)
        node.pos = _position(pos, node_id)
        self._changed("layout")

    def rename(self, node_id: str, label: str) -> None:
        node = self.node(node_id)
        check_label(label, node_id)
        node.label = label
        self._changed("layout")

    def set_result(self, node_id: str | None) -> None:
        """Show output `node_id` (a reference: 'n' or 'f1:2') on the decision surface."""
        self.result = self._role_reference(node_id)
        self._changed("structure")

    def set_loss(self, node_id: str | None) -> None:
        """Start backpropagation at output `node_id` (a reference: 'n' or 'f1:2')."""
        self.loss = self._role_reference(node_id)
        self._changed("structure")

    def _role_reference(self, reference: str | None) -> str | None:
        if reference is None:
            return None
        if not isinstance(reference, str):
            raise GraphError(f"there is no node {reference!r}")
        if self.body_of is not None:
            raise GraphError("a function's body has no result or loss: mark its outputs instead")
        node_id, output = split_reference(reference)
        self.node(node_id)
        self.check_reference(reference)
        return make_reference(node_id, output)

    def set_training(self, **changes) -> None:
        self._set_settings(self.training, changes)

    def set_dataset(self, **changes) -> None:
        if changes.get("name") == points_rules.CUSTOM and not self.custom_points:
            raise GraphError("the custom dataset has no points yet: add some first")
        self._set_settings(self.dataset, changes)

    # --- your own data (the rules are in custom_points.py) ----------------------------------------

    def add_point(self, x: float, y: float, label: float) -> int:
        """Add a custom point; return its index."""
        self._set_points(lambda points: points_rules.with_point(points, (x, y, label)))
        return len(self.custom_points) - 1

    def remove_point(self, index: int) -> None:
        self._set_points(lambda points: points_rules.without_point(points, index))

    def set_points(self, points) -> None:
        """Replace every custom point (at least one)."""
        self._set_points(lambda _: points_rules.checked_points(points))

    def _set_points(self, change) -> None:
        try:
            self.custom_points = change(self.custom_points)
        except points_rules.PointError as error:
            raise GraphError(str(error)) from None
        self._changed("data")

    def _set_settings(self, settings, changes: dict) -> None:
        candidate = _replaced(settings, changes)
        candidate.check()
        for name, value in changes.items():
            setattr(settings, name, value)
        self._changed("settings")

    def replace_with(self, other: Document) -> None:
        """Take every node, function and setting of `other` (load, undo); listeners get `reset`."""
        self.nodes = other.nodes
        self.functions = other.functions
        self.result, self.loss = other.result, other.loss
        self.description = other.description
        self.training, self.dataset, self.view = other.training, other.dataset, other.view
        self.custom_points = other.custom_points
        self.trainable_changes += 1
        self._changed("reset", other._program)  # a file's load compiled it already: not twice

    def adopt(self, other: Document, what: str = "structure") -> None:
        """Take the nodes, functions and roles of `other`, a changed and fully checked copy of
        this document, as one change (the function edits work this way)."""
        self.nodes, self.functions = other.nodes, other.functions
        self.result, self.loss = other.result, other.loss
        self.trainable_changes += 1  # a body's param may have been frozen
        self._changed(what)

    def copy(self) -> Document:
        """A deep copy: nodes, functions (bodies included), roles and settings."""
        duplicate = Document()
        duplicate.nodes = copy.deepcopy(self.nodes)
        duplicate.functions = {name: definition.copy() for name, definition in self.functions.items()}
        duplicate.body_of = self.body_of
        duplicate.result, duplicate.loss = self.result, self.loss
        duplicate.description = self.description
        duplicate.training = copy.deepcopy(self.training)
        duplicate.dataset = copy.deepcopy(self.dataset)
        duplicate.view = copy.deepcopy(self.view)
        duplicate.custom_points = self.custom_points  # a tuple of tuples: never changed in place
        return duplicate

    # --- function bodies (the edits that change functions are in function_edits.py) -------------

    def body(self, name: str) -> Document:
        """A working copy of function `name`'s body as a document (to draw it; edit it through
        edit_definition)."""
        return self.copy().body_document(name)

    def body_document(self, name: str, copy_nodes: bool = True) -> Document:
        """Function `name`'s body as a document of its own (pins allowed, no result or loss),
        sharing this document's functions; edits to it change only the copy of the nodes unless
        `copy_nodes` is False."""
        definition = self.definition(name)
        body = Document()
        body.body_of = name
        body.functions = self.functions
        body.nodes = copy.deepcopy(definition.nodes) if copy_nodes else definition.nodes
        return body

    # --- whole-document checks ------------------------------------------------------------------

    def check(self) -> None:
        """Raise GraphError for the first broken rule (used on load; edits keep the rules)."""
        if self.body_of is None and self.functions:
            functions.check_definitions(self)
        for node_id, node in self.nodes.items():
            if node_id != node.id:
                raise GraphError(f"node {node.id!r} is stored under another id, {node_id!r}")
            self._check_node(node)
        cycle_node = self.find_cycle()
        if cycle_node is not None:
            raise GraphError(f"a cycle passes through node {cycle_node!r}")
        for role in ("result", "loss"):
            role_node = getattr(self, role)
            if role_node is not None:
                self.check_reference(role_node, reader=f"the {role} is node")
        self.training.check()
        self.dataset.check()
        if self.dataset.name == points_rules.CUSTOM and not self.custom_points:
            raise GraphError("the dataset is 'custom' but the graph has no custom points")

    def find_cycle(self) -> str | None:
        """A node on a cycle, or None: an iterative depth-first search."""
        state: dict[str, int] = {}
        for root in self.nodes:
            if root in state:
                continue
            stack = [(root, iter(self.source_ids(root)))]
            state[root] = 1
            while stack:
                node_id, children = stack[-1]
                for child in children:
                    if child is None:
                        continue
                    if state.get(child) == 1:
                        return child
                    if child not in state:
                        state[child] = 1
                        stack.append((child, iter(self.source_ids(child))))
                        break
                else:
                    state[node_id] = 2
                    stack.pop()
        return None


    def __eq__(self, other) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (
            self.nodes == other.nodes
            and self.functions == other.functions
            and (self.result, self.loss, self.description) == (other.result, other.loss, other.description)
            and self.training == other.training
            and self.dataset == other.dataset
            and self.view == other.view
            and self.custom_points == other.custom_points
        )


def check_node_fields(node: Node) -> None:
    """The rules for one node on its own: id, known op, pin count, finite numbers."""
    if not isinstance(node.id, str) or not ID_PATTERN.fullmatch(node.id):
        raise GraphError(
            f"node id {node.id!r} {ID_RULE}"
        )
    if node.op not in OPS:
        raise GraphError(f"node {node.id!r} has an unknown op {node.op!r}")
    op = OPS[node.op]
    if op.is_variadic:
        if None in node.inputs:
            raise GraphError(f"node {node.id!r} ({node.op}) cannot have an empty input in its list")
    elif node.op == "call":
        pass  # its pins come from its function: the document checks them
    elif len(node.inputs) != op.arity:
        raise GraphError(
            f"node {node.id!r} ({node.op}) takes {op.arity} input(s), got {len(node.inputs)}"
        )
    if any(not isinstance(s, str) for s in node.inputs if s is not None):
        raise GraphError(f"node {node.id!r}: each input must be a node id or null")
    if node.id in map(node_of, node.inputs):
        raise GraphError(f"node {node.id!r} reads itself")
    check_value(f"the value of {node.id!r}", node.value)
    check_number(f"the exponent of {node.id!r}", node.exponent, low=-1e3, high=1e3)
    check_label(node.label, node.id)
    _position(node.pos, node.id)


def check_label(label, node_id: str) -> None:
    if not isinstance(label, str) or len(label) > 64 or "\n" in label:
        raise GraphError(f"the label of {node_id!r} must be one line of at most 64 characters")


def _real(number, what: str) -> float:
    """float(number) for a real number; a GraphError, not a TypeError, for text, None or a bool."""
    if isinstance(number, bool) or not isinstance(number, numbers.Real) or not is_finite(number):
        raise GraphError(f"{what} must be a finite number, got {number!r}")
    return float(number)


def _position(pos, node_id: str) -> tuple[float, float]:
    """The canvas position as two finite floats, or a GraphError naming the node."""
    what = f"the position of {node_id!r}"
    try:
        x, y = pos
    except (TypeError, ValueError):
        raise GraphError(f"{what} must be two finite numbers, got {pos!r}") from None
    x, y = _real(x, f"each coordinate of {what}"), _real(y, f"each coordinate of {what}")
    if not (math.isfinite(x) and math.isfinite(y)):
        raise GraphError(f"{what} must be two finite numbers, got {pos!r}")
    return (x, y)


def _replaced(settings, changes):
    candidate = copy.copy(settings)
    known = {setting.name for setting in fields(settings)}
    for name, value in changes.items():
        if name not in known:
            raise GraphError(f"unknown setting {name!r}")
        setattr(candidate, name, value)
    return candidate


def _drop_fields_the_op_has_not(node: Node) -> None:
    """Only params and consts hold a value, only params a trainable flag and a shared flag, only pow
    an exponent, only calls a function and their own param values."""
    if node.op not in LEAF_VALUE_OPS:
        node.value = 0.0
    if node.op != "param":
        node.trainable = True
        node.shared = False
    if node.op != "pow":
        node.exponent = 2.0
    if node.op != "call":
        node.function = ""
        node.values = {}
