"""The graph document: the nodes a user placed, their links, and what the graph is for.

The document is the single truth of an open graph; the canvas only draws it and the file only
stores it. It holds:

- nodes, each with a stable id, an op from the op table, an optional label, a position on the
  canvas, a value (params and consts), a trainable flag (params) and an exponent (`pow`);
- each node's *inputs*: the ids of the nodes feeding its pins, in pin order, None for a free pin;
- the *result* node (what the decision surface shows) and the *loss* node (where backprop starts);
- the training settings and the dataset choice stored with the graph, and free-form view state.

Every change goes through a named edit (add_node, remove_node, connect, disconnect, set_value,
move, rename, set_result, set_loss, ...). An edit checks everything first and raises GraphError
with a message meant for the user if it cannot be done; only then does it change anything, so a
refused edit leaves the document exactly as it was. After a change the document tells its
listeners: `structure` (nodes or links changed, recompile), `values` (a value changed, re-run),
`layout` (positions or labels), `settings`, or `reset` (the whole document was replaced).

Links obey three rules: one link per input pin, no cycles, and a pin index within the op's arity.
A variadic op (`sum`) takes one more pin each time its last one is filled; disconnecting one of its
pins removes that pin.
"""

from __future__ import annotations

import copy
import math
import numbers
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields

from mlgarden.engine import NodeSpec, Program, compile_graph
from mlgarden.ops import LEAF_VALUE_OPS, OPS

OPTIMIZERS = ("sgd", "momentum", "adam")
ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")


class GraphError(ValueError):
    """An edit or a document that breaks a rule; the message names the node and the rule."""


@dataclass
class Node:
    id: str
    op: str
    inputs: list[str | None] = field(default_factory=list)
    value: float = 0.0
    label: str = ""
    pos: tuple[float, float] = (0.0, 0.0)
    trainable: bool = True
    exponent: float = 2.0

    @property
    def title(self) -> str:
        """What the canvas calls the node: its label, or its id when it has none."""
        return self.label or self.id


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
        _check_number("learning_rate", self.learning_rate, low=0.0, high=100.0, low_open=True)
        _check_whole("batch_size", self.batch_size, low=1, high=100_000)
        _check_number("lr_decay", self.lr_decay, low=0.0, high=1e6)
        _check_number("momentum", self.momentum, low=0.0, high=0.999999)
        _check_whole("seed", self.seed, low=0, high=2**32 - 1)
        _check_whole("steps", self.steps, low=1, high=10**9)


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
        _check_whole("points", self.points, low=1, high=100_000)
        _check_number("noise", self.noise, low=0.0, high=1.0)
        _check_whole("seed", self.seed, low=0, high=2**32 - 1)
        _check_number("test_fraction", self.test_fraction, low=0.0, high=0.9)


def _check_number(name, value, low, high, low_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
        raise GraphError(f"{name} must be a finite number, got {value!r}")
    if value < low or value > high or (low_open and value == low):
        bound = f"above {low}" if low_open else f"at least {low}"
        raise GraphError(f"{name} must be {bound} and at most {high}, got {value!r}")


def _finite(value) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _check_whole(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int):
        raise GraphError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise GraphError(f"{name} must be between {low} and {high}, got {value}")


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
        self._listeners: list[Listener] = []
        self._program: Program | None = None

    # --- listening ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _changed(self, what: str) -> None:
        if what in ("structure", "reset"):
            self._program = None
        for listener in list(self._listeners):
            listener(what)

    # --- reading -----------------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(f"there is no node {node_id!r}") from None

    def consumers(self, node_id: str) -> list[tuple[str, int]]:
        """(node, pin) pairs that read `node_id`, in document order."""
        return [
            (other.id, pin)
            for other in self.nodes.values()
            for pin, source in enumerate(other.inputs)
            if source == node_id
        ]

    def links(self) -> list[tuple[str, str, int]]:
        """Every link as (source, target, pin)."""
        return [
            (source, node.id, pin)
            for node in self.nodes.values()
            for pin, source in enumerate(node.inputs)
            if source is not None
        ]

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
            stack.extend(s for s in self.nodes[current].inputs if s is not None)
        return False

    def fresh_id(self, prefix: str) -> str:
        prefix = re.sub(r"[^A-Za-z0-9_]", "_", prefix) or "n"
        if not re.match(r"[A-Za-z_]", prefix):
            prefix = "n" + prefix
        number = 1
        while f"{prefix}{number}" in self.nodes:
            number += 1
        return f"{prefix}{number}"

    def pin_count(self, node_id: str) -> int:
        """Pins the canvas shows: the arity, or for `sum` one free pin after the filled ones."""
        node = self.node(node_id)
        op = OPS[node.op]
        return len(node.inputs) + 1 if op.is_variadic else op.arity

    # --- compiling ---------------------------------------------------------------------------

    def node_specs(self) -> list[NodeSpec]:
        return [
            NodeSpec(n.id, n.op, tuple(n.inputs), float(n.exponent)) for n in self.nodes.values()
        ]

    def program(self) -> Program:
        """The compiled graph, rebuilt only after a structural change."""
        if self._program is None:
            self._program = compile_graph(self.node_specs(), self.loss, self.result)
        return self._program

    def leaf_values(self, program: Program | None = None) -> list[float]:
        program = program or self.program()
        return [self.nodes[node_id].value for node_id in program.leaf_ids]

    # --- edits ---------------------------------------------------------------------------------

    def add_node(self, op: str, node_id: str | None = None, *, pos=(0.0, 0.0), value: float = 0.0,
                 label: str = "", trainable: bool = True, exponent: float = 2.0,
                 inputs: Iterable[str | None] | None = None) -> str:
        """Add a node (with its input links, if given) and return its id."""
        if op not in OPS:
            raise GraphError(f"unknown op {op!r}; known ops: {', '.join(OPS)}")
        node_id = node_id or self.fresh_id(op)
        node = Node(node_id, op, list(inputs or []), _real(value, f"the value of {node_id!r}"), label,
                    _position(pos, node_id), bool(trainable),
                    _real(exponent, f"the exponent of {node_id!r}"))
        if not OPS[op].is_variadic and not inputs:
            node.inputs = [None] * OPS[op].arity
        _drop_fields_the_op_has_not(node)
        self._check_new_node(node)
        self.nodes[node_id] = node
        self._changed("structure")
        return node_id

    def _check_new_node(self, node: Node) -> None:
        check_node_fields(node)
        if node.id in self.nodes:
            raise GraphError(f"there is already a node {node.id!r}")
        for source in node.inputs:
            if source is not None and source not in self.nodes:
                raise GraphError(f"node {node.id!r} reads {source!r}, which does not exist")

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
                node.inputs = [s for s in node.inputs if s not in node_ids]
            else:
                node.inputs = [None if s in node_ids else s for s in node.inputs]
        if self.result in node_ids:
            self.result = None
        if self.loss in node_ids:
            self.loss = None
        self._changed("structure")

    def connect(self, source: str, target: str, pin: int) -> None:
        """Link `source`'s output to input `pin` of `target`, replacing any link already there."""
        self.node(source)
        node = self.node(target)
        op = OPS[node.op]
        if op.is_leaf:
            raise GraphError(f"node {target!r} ({node.op}) has no inputs")
        highest = len(node.inputs) if op.is_variadic else op.arity - 1
        if isinstance(pin, bool) or not isinstance(pin, int) or not 0 <= pin <= highest:
            raise GraphError(f"node {target!r} ({node.op}) has no input pin {pin}")
        if self.depends_on(source, target):
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
        _check_number(f"the value of {node_id!r}", value, low=-1e12, high=1e12)
        node.value = float(value)
        self._changed("values")

    def set_values(self, values: dict[str, float]) -> None:
        """Set many leaf values at once (training writes all params in one change)."""
        for node_id, value in values.items():
            if self.node(node_id).op not in LEAF_VALUE_OPS:
                raise GraphError(f"node {node_id!r} has no value to set")
            _check_number(f"the value of {node_id!r}", value, low=-1e12, high=1e12)
        for node_id, value in values.items():
            self.nodes[node_id].value = float(value)
        self._changed("values")

    def set_exponent(self, node_id: str, exponent: float) -> None:
        node = self.node(node_id)
        if node.op != "pow":
            raise GraphError(f"node {node_id!r} ({node.op}) has no exponent")
        _check_number(f"the exponent of {node_id!r}", exponent, low=-1e3, high=1e3)
        node.exponent = float(exponent)
        self._changed("structure")

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        node = self.node(node_id)
        if node.op != "param":
            raise GraphError(f"only params can be trained; {node_id!r} is a {node.op}")
        node.trainable = bool(trainable)
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
        if node_id is not None:
            self._check_role_node(node_id)
        self.result = node_id
        self._changed("structure")

    def set_loss(self, node_id: str | None) -> None:
        if node_id is not None:
            self._check_role_node(node_id)
        self.loss = node_id
        self._changed("structure")

    def _check_role_node(self, node_id: str) -> None:
        self.node(node_id)

    def set_training(self, **changes) -> None:
        self._set_settings(self.training, changes)

    def set_dataset(self, **changes) -> None:
        self._set_settings(self.dataset, changes)

    def _set_settings(self, settings, changes: dict) -> None:
        candidate = _replaced(settings, changes)
        candidate.check()
        for name, value in changes.items():
            setattr(settings, name, value)
        self._changed("settings")

    def replace_with(self, other: Document) -> None:
        """Take every node and setting of `other` (load, undo); listeners get `reset`."""
        self.nodes = other.nodes
        self.result, self.loss = other.result, other.loss
        self.description = other.description
        self.training, self.dataset, self.view = other.training, other.dataset, other.view
        self._changed("reset")

    def copy(self) -> Document:
        duplicate = Document()
        duplicate.nodes = copy.deepcopy(self.nodes)
        duplicate.result, duplicate.loss = self.result, self.loss
        duplicate.description = self.description
        duplicate.training = copy.deepcopy(self.training)
        duplicate.dataset = copy.deepcopy(self.dataset)
        duplicate.view = copy.deepcopy(self.view)
        return duplicate

    # --- whole-document checks ------------------------------------------------------------------

    def check(self) -> None:
        """Raise GraphError for the first broken rule (used on load; edits keep the rules)."""
        for node_id, node in self.nodes.items():
            if node_id != node.id:
                raise GraphError(f"node {node.id!r} is stored under another id, {node_id!r}")
            check_node_fields(node)
            for source in node.inputs:
                if source is not None and source not in self.nodes:
                    raise GraphError(f"node {node.id!r} reads {source!r}, which does not exist")
        cycle_node = self.find_cycle()
        if cycle_node is not None:
            raise GraphError(f"a cycle passes through node {cycle_node!r}")
        for role in ("result", "loss"):
            role_node = getattr(self, role)
            if role_node is not None and role_node not in self.nodes:
                raise GraphError(f"the {role} is node {role_node!r}, which does not exist")
        self.training.check()
        self.dataset.check()

    def find_cycle(self) -> str | None:
        """A node on a cycle, or None: an iterative depth-first search."""
        state: dict[str, int] = {}
        for root in self.nodes:
            if root in state:
                continue
            stack = [(root, iter(self.nodes[root].inputs))]
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
                        stack.append((child, iter(self.nodes[child].inputs)))
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
            and (self.result, self.loss, self.description) == (other.result, other.loss, other.description)
            and self.training == other.training
            and self.dataset == other.dataset
            and self.view == other.view
        )


def check_node_fields(node: Node) -> None:
    """The rules for one node on its own: id, known op, pin count, finite numbers."""
    if not isinstance(node.id, str) or not ID_PATTERN.fullmatch(node.id):
        raise GraphError(
            f"node id {node.id!r} must start with a letter or _ and use only letters, digits, _ . -"
        )
    if node.op not in OPS:
        raise GraphError(f"node {node.id!r} has an unknown op {node.op!r}")
    op = OPS[node.op]
    if op.is_variadic:
        if None in node.inputs:
            raise GraphError(f"node {node.id!r} ({node.op}) cannot have an empty input in its list")
    elif len(node.inputs) != op.arity:
        raise GraphError(
            f"node {node.id!r} ({node.op}) takes {op.arity} input(s), got {len(node.inputs)}"
        )
    if node.id in node.inputs:
        raise GraphError(f"node {node.id!r} reads itself")
    _check_number(f"the value of {node.id!r}", node.value, low=-1e12, high=1e12)
    _check_number(f"the exponent of {node.id!r}", node.exponent, low=-1e3, high=1e3)
    check_label(node.label, node.id)
    _position(node.pos, node.id)


def check_label(label, node_id: str) -> None:
    if not isinstance(label, str) or len(label) > 64 or "\n" in label:
        raise GraphError(f"the label of {node_id!r} must be one line of at most 64 characters")


def _real(number, what: str) -> float:
    """float(number) for a real number; a GraphError, not a TypeError, for text, None or a bool."""
    if isinstance(number, bool) or not isinstance(number, numbers.Real) or not _finite(number):
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
    """Only params and consts hold a value, only params a trainable flag, only pow an exponent."""
    if node.op not in LEAF_VALUE_OPS:
        node.value = 0.0
    if node.op != "param":
        node.trainable = True
    if node.op != "pow":
        node.exponent = 2.0
