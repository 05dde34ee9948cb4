"""The Python export of a graph with functions: each function written once, micrograd style.

A graph without functions exports as the engine's straight-line point route (`python_script`). A
graph with functions would repeat each function's lines once per call there, so instead each
function becomes one Python function, called once per call node with that call's id as prefix:

    def perceptron(tape, at, x1, x2):
        w1 = tape.leaf(at + 'w1')                 # the call's own param, flat id 'f1/w1'
        m1 = tape.node(at + 'm1', 'mul', x1, w1)
        ...
        return (out,)

Every node becomes a `Value` (its flat id, op, inputs, value and gradient) on a `Tape`, as in the
micrograd lecture; the op table's forward templates and local derivatives become one small function
each (`FORWARD`, `SHARES`). `Tape.backward` then visits the nodes in the engine's own order
(`NODE_IDS`) and adds each reader's share to a node's gradient the way the point route does (the
first share assigned, the next ones added in the same order), so the rounding is the same and
`python OUT.py --json` prints exactly what `mlgarden eval --json` prints. A node whose input is
missing (an unconnected pin of one call) is None and is not computed, as in the engine.
"""

from __future__ import annotations

import pprint

from mlgarden.document.graph import Document, Node, split_reference
from mlgarden.engine.ops import OPS, SCALAR_FUNCTIONS
from mlgarden.engine.program import Program
from mlgarden.engine.point_code import times
from mlgarden.export.names import NameTable

# the generated script's own module-level names, which no function may take
SCRIPT_NAMES = frozenset({
    "argparse", "csv", "json", "math", "random", "sys", "INF", "NAN", "LEAVES", "NODE_IDS", "OPS", "LOSS",
    "COPIES", "GRADIENT_ROOT",
    "ROLES", "REPORTS_GRADIENTS", "LEARNING_RATE", "BATCH_SIZE", "STEPS", "finite_or_none",
    "evaluation_json", "evaluation_table", "read_points", "train", "main", "run", "graph", "Tape",
    "Value", "FORWARD", "SHARES"}) | frozenset(SCALAR_FUNCTIONS)
BODY_NAMES = frozenset({"tape", "at"})  # the arguments every function's code reads


def rules_source(ops: set[str]) -> str:
    """FORWARD and SHARES for these ops, from the op table's templates over names a, b, out,
    exponent and g (the reader's gradient), each share written as the point route writes it."""
    forward, shares = [], []
    for op in sorted(ops):
        rule = OPS[op]
        if not rule.forward:
            continue  # leaves and data inputs: no rule
        names = {"a": "a", "b": "b", "out": "out", "exponent": "exponent"}
        if not rule.is_variadic:  # a sum adds its inputs in `Tape.node`
            forward.append(f"    {op!r}: lambda a, b, exponent: {rule.forward.format(**names)},\n")
        indent = " " * (len(repr(op)) + 7)
        lambdas = f",\n{indent}".join(f"lambda a, b, out, exponent, g: {times(local.format(**names), 'g')}"
                                     for local in rule.derivatives)
        shares.append(f"    {op!r}: ({lambdas},),\n")
    return ("\n\n# Each op's value from its inputs a, b (b is a again for one input) and its exponent.\n"
            "FORWARD = {\n" + "".join(forward) + "}\n"
            "# Each op's share of gradient for each input: the local derivative times the reader's\n"
            "# gradient g (out is the op's value). A sum's one rule is for each of its inputs.\n"
            "SHARES = {\n" + "".join(shares) + "}\n")


def copies_source(program: Program) -> str:
    """COPIES and GRADIENT_ROOT: the output copies the engine folds into what they copy (so a
    gradient reaching one reaches the node it copies), and the node whose gradient is 1."""
    root = None if program.backprop_from is None else program.computed_id(program.backprop_from)
    return ("\n\n# Output copies that are the node they copy, as in mlgarden's engine (copy id -> node id).\n"
            f"COPIES = {pprint.pformat(dict(sorted(program.aliases.items())), width=100)}\n"
            "# Backpropagation starts here (gradient 1): the loss, or with no loss the result.\n"
            f"GRADIENT_ROOT = {root!r}\n")


def body_source(document: Document, function_names: dict[str, str]) -> str:
    """One Python function per function definition, and `graph(tape)` for the graph's own nodes."""
    parts = []
    for name, definition in document.functions.items():
        code = _Body(document, definition.nodes, name, function_names)
        pins = "".join(f", {code.names[pin]}" for pin in definition.input_ids())
        outputs = "".join(f"{code.names[output]}," for output in definition.output_ids())
        parts.append(f"\n\ndef {function_names[name]}(tape, at{pins}):\n"
                     f'    """The function {name!r}: its nodes, named `at` (the call\'s id and a '
                     'slash) + their id."""\n'
                     + code.lines() + f"    return ({outputs})\n")
    top = _Body(document, document.nodes, document.body_of or "", function_names, prefix=None)
    parts.append('\n\ndef graph(tape):\n'
                 '    """The graph\'s own nodes; each call runs its function\'s code."""\n'
                 + top.lines())
    return "".join(parts)


def function_names(document: Document) -> dict[str, str]:
    table = NameTable(reserved=SCRIPT_NAMES | BODY_NAMES)
    return {name: table.take(name) for name in document.functions}


def ops_used(document: Document) -> set[str]:
    nodes = list(document.nodes.values())
    for definition in document.functions.values():
        nodes += definition.nodes.values()
    return {node.op for node in nodes}


class _Body:
    """The code of one body (a function's, or the graph's own with `prefix` None: plain ids)."""

    def __init__(self, document: Document, nodes: dict[str, Node], function: str,
                 function_names: dict[str, str], prefix: str | None = "at"):
        self.document, self.nodes, self.function = document, nodes, function
        self.function_names, self.prefix = function_names, prefix
        table = NameTable(reserved=BODY_NAMES | set(function_names.values()))
        self.names: dict[str, str] = {}  # node id (or "id:k", a call's output k) -> variable
        for node in nodes.values():
            if node.op == "call":
                for k, output in enumerate(document.functions[node.function].output_ids()):
                    self.names[f"{node.id}:{k}"] = table.take(f"{node.id}_{output}")
            else:
                self.names[node.id] = table.take(node.id)

    def lines(self) -> str:
        lines = [self._line(self.nodes[node_id]) for node_id in dependency_order(self.nodes)
                 if self.nodes[node_id].op != "input"]
        return "".join(f"    {line}\n" for line in lines) or "    pass\n"

    def _flat(self, node_id: str) -> str:
        return repr(node_id) if self.prefix is None else f"{self.prefix} + {node_id!r}"

    def _line(self, node: Node) -> str:
        if node.op == "call":
            definition = self.document.functions[node.function]
            outputs = "".join(f"{self.names[f'{node.id}:{k}']}," for k in range(len(definition.output_ids())))
            pins = "".join(f", {self._read(reference)}" for reference in node.inputs)
            pins += ", None" * (len(definition.input_ids()) - len(node.inputs))
            called = self.function_names[node.function]
            return f"({outputs}) = {called}(tape, {self._flat(node.id + '/')}{pins})"
        target = self.names[node.id]
        if node.op in ("param", "const"):
            flat = repr(f"{self.function}::{node.id}") if node.shared else self._flat(node.id)
            return f"{target} = tape.leaf({flat})"
        if node.op in ("x", "y", "label"):
            return f"{target} = tape.data({self._flat(node.id)}, {node.op!r})"
        inputs = [self._read(reference) for reference in node.inputs]
        if OPS[node.op].arity is not None:
            inputs += ["None"] * (OPS[node.op].arity - len(inputs))
        exponent = f", exponent={float(node.exponent)!r}" if node.op == "pow" else ""
        arguments = "".join(", " + i for i in inputs)
        return f"{target} = tape.node({self._flat(node.id)}, {node.op!r}{arguments}{exponent})"

    def _read(self, reference: str | None) -> str:
        if reference is None:
            return "None"
        node_id, output = split_reference(reference)
        node = self.nodes[node_id]
        if node.op == "input" and self.prefix is None:
            return "None"  # a function's body opened as a graph: its pins are not connected
        return self.names[f"{node_id}:{output}" if node.op == "call" else node_id]


def dependency_order(nodes: dict[str, Node]) -> list[str]:
    """The nodes with every node after the nodes it reads (a body has no cycles: the document checks)."""
    order, done = [], set()
    for root in nodes:
        stack = [(root, False)]
        while stack:
            node_id, expanded = stack.pop()
            if node_id in done:
                continue
            if expanded:
                done.add(node_id)
                order.append(node_id)
                continue
            stack.append((node_id, True))
            for reference in nodes[node_id].inputs:
                source = split_reference(reference)[0] if reference else None
                if source in nodes and source not in done:
                    stack.append((source, False))
    return order


TAPE = '''

class Value:
    """One computed node, as in micrograd: its flat id in mlgarden ('f1/h1' is node h1 of call f1),
    its op, the Values it reads, its value `data` and, after `Tape.backward`, its gradient `grad`
    (d loss / d node; None until a reader gives it a share)."""

    __slots__ = ("id", "op", "inputs", "exponent", "data", "grad")

    def __init__(self, node_id, op, inputs, exponent, data):
        self.id, self.op, self.inputs, self.exponent, self.data = node_id, op, inputs, exponent, data
        self.grad = None


class Tape:
    """The Values of one evaluation at one point (x, y, label), by flat id."""

    def __init__(self, leaves, x, y, label):
        self.leaves, self.point, self.values = leaves, {"x": x, "y": y, "label": label}, {}

    def leaf(self, node_id):
        """A param or const; a param shared by every call of a function is one Value for all."""
        if node_id not in self.values:
            self.values[node_id] = Value(node_id, "leaf", (), 2.0, float(self.leaves[node_id]))
        return self.values[node_id]

    def data(self, node_id, op):
        value = self.values[node_id] = Value(node_id, op, (), 2.0, self.point[op])
        return value

    def node(self, node_id, op, *inputs, exponent=2.0):
        """The node's Value from its inputs' (None when one of them is missing). An output copy
        that mlgarden folds into what it copies (`COPIES`) is that same Value under a second id."""
        if not inputs or None in inputs:
            return None
        if node_id in COPIES:
            self.values[node_id] = inputs[0]
            return inputs[0]
        numbers = [value.data for value in inputs]
        if op == "sum":
            data = numbers[0]
            for number in numbers[1:]:
                data = data + number
        else:
            data = FORWARD[op](numbers[0], numbers[-1], exponent)
        value = self.values[node_id] = Value(node_id, op, inputs, exponent, data)
        return value

    def backward(self, loss_id):
        """Backpropagation from the loss (gradient 1): readers before what they read, in
        mlgarden's order, each input of a node getting its share; a second share is added to the
        first, in the same order as in mlgarden, so that the sums round the same."""
        on_path, stack = {loss_id}, [self.values[loss_id]]
        while stack:
            for source in stack.pop().inputs:
                if source.id not in on_path:
                    on_path.add(source.id)
                    stack.append(source)
        self.values[loss_id].grad = 1.0
        for node_id in reversed(NODE_IDS):
            value = self.values[node_id]
            if node_id not in on_path or not value.inputs:
                continue
            a, b = value.inputs[0].data, value.inputs[-1].data
            shares = SHARES[value.op] * (len(value.inputs) if value.op == "sum" else 1)
            for source, share in zip(value.inputs, shares):
                part = share(a, b, value.data, value.exponent, value.grad)
                source.grad = part if source.grad is None else source.grad + part


def run(leaf_values, x, y, label):
    """Every node's value and gradient at one point, in NODE_IDS order (0 off the loss's path)."""
    tape = Tape({leaf_id: value for (leaf_id, _, _), value in zip(LEAVES, leaf_values)}, x, y, label)
    graph(tape)
    if GRADIENT_ROOT is not None:
        tape.backward(GRADIENT_ROOT)
    values = [tape.values[node_id] for node_id in NODE_IDS]
    return [value.data for value in values], [0.0 if value.grad is None else value.grad for value in values]
'''
