"""Export a graph as a PyTorch script: `class Model(torch.nn.Module)`, whose autograd backpropagates.

Every param becomes an `nn.Parameter` named after its node, every const a buffer, and every other
node one line of `forward`, written from the op table's forward template over torch tensors (the
backward templates are not needed: autograd derives them). `forward(x, y, label)` takes tensors of
a batch of points and returns (result, loss), one number per point. Each user function is written
once, as a submodule class whose `forward` takes the pins and returns the outputs; each instance is
an attribute of its caller holding its own params, and a param shared by all instances lives on the
Model and is reached through `root`.

`python OUT.py --json` prints what `mlgarden eval --json` prints, computed in float64 with
autograd: `forward` can record every node's tensor under its flat id (`f1/w1`, as the engine names
it) so that the report reads each one's value and `.grad`. A node that only passes a tensor on (an
output pin, a data input) clones it, so that it has a gradient of its own, as in the engine.
"""

from __future__ import annotations

import pprint
import re
from dataclasses import dataclass, field

from mlgarden.document.graph import Document, GraphError, Node, split_reference
from mlgarden.engine.ops import OPS
from mlgarden.engine.report import gradient_root, roles_json
from mlgarden.export.names import NameTable, identifier
from mlgarden.export.python_functions import dependency_order

# The functions forward templates call, over tensors; each agrees with mlgarden's derivative rules
# at the kinks (relu'(0) = 0, abs'(0) = 0, min/max split ties evenly; softplus as logaddexp keeps
# d/du = sigmoid(u) exactly, also at u = 0).
TORCH_FUNCTIONS = {
    "div": "div = torch.div",
    "power": "power = torch.pow",
    "sqrt": "sqrt = torch.sqrt",
    "absolute": "absolute = torch.abs",
    "exp": "exp = torch.exp",
    "log": "log = torch.log",
    "sin": "sin = torch.sin",
    "cos": "cos = torch.cos",
    "minimum": "minimum = torch.minimum",
    "maximum": "maximum = torch.maximum",
    "tanh": "tanh = torch.tanh",
    "relu": "relu = torch.relu",
    "sigmoid": "sigmoid = torch.sigmoid",
    "softplus": "def softplus(u):\n    return torch.logaddexp(u, torch.zeros_like(u))\n",
}
# nn.Module's own attributes (torch 2.13), which a param, buffer or submodule must not replace
MODULE_ATTRIBUTES = frozenset("""add_module apply bfloat16 buffers call_super_init children compile cpu
    cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter
    get_submodule half ipu load_state_dict modules mtia named_buffers named_children named_modules
    named_parameters parameters register_backward_hook register_buffer register_forward_hook
    register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook
    register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module
    register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_
    set_extra_state set_submodule share_memory state_dict to to_empty train training type xpu
    zero_grad T_destination""".split())
FORWARD_NAMES = {"self", "root", "x", "y", "label", "record", "prefix", "torch", "nn", "keep", "batch_of",
                 "DTYPE"}


class ExportError(GraphError):
    """The graph cannot be exported as it is; the message says why."""


@dataclass
class _Scope:
    """The nodes of one body (a function's, or the graph's own) as code: names for everything."""

    nodes: dict[str, Node]
    locals: dict[str, str] = field(default_factory=dict)  # node id (or "id:k" of a call) -> variable
    attributes: dict[str, str] = field(default_factory=dict)  # param/const/call id -> attribute


def export_torch(document: Document, title: str = "graph") -> str:
    """The text of a script defining `Model` for `document`, and a report like `mlgarden eval --json`."""
    program = document.program()
    inside_calls = [flat for flat in program.incomplete if "/" in flat]
    if inside_calls:
        raise ExportError(f"node {document.describe(inside_calls[0])} is not connected: connect or "
                          "delete it before exporting to torch")
    writer = _Writer(document, program)
    return writer.script(_comment_safe(title))


def _comment_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9 _.\-()]", "_", text)[:80]


class _Writer:
    def __init__(self, document: Document, program):
        self.document, self.program = document, program
        classes = NameTable(reserved={"Model", "torch", "nn", "keep", "main"} | set(TORCH_FUNCTIONS))
        self.class_names = {name: classes.take(_camel(name)) for name in document.functions}
        self.scopes = {name: self._scope(definition.nodes) for name, definition in document.functions.items()}
        computable = set(program.index)
        top = {node_id: node for node_id, node in document.nodes.items()
               if node.op == "call" or node_id in computable}
        self.top = self._scope(top)
        self.shared = {}  # flat id of a shared param -> attribute on the Model
        model_attributes = NameTable(reserved=MODULE_ATTRIBUTES | set(self.top.attributes.values()))
        for flat_id in program.leaf_ids:
            if "::" in flat_id:
                self.shared[flat_id] = model_attributes.take(flat_id)

    def _scope(self, nodes: dict[str, Node]) -> _Scope:
        scope = _Scope(nodes)
        local_names = NameTable(reserved=FORWARD_NAMES | set(TORCH_FUNCTIONS))
        attribute_names = NameTable(reserved=MODULE_ATTRIBUTES)
        for node in nodes.values():
            if node.op == "call":
                scope.attributes[node.id] = attribute_names.take(_attribute(node.id))
                for k, output in enumerate(self.document.functions[node.function].output_ids()):
                    scope.locals[f"{node.id}:{k}"] = local_names.take(f"{node.id}_{output}")
            else:
                scope.locals[node.id] = local_names.take(node.id)
                if node.op in ("param", "const") and not node.shared:
                    scope.attributes[node.id] = attribute_names.take(_attribute(node.id))
        return scope

    # --- the script ----------------------------------------------------------------------------

    def script(self, title: str) -> str:
        parts = [_HEADER.format(title=title), self._functions_used()]
        for name, definition in self.document.functions.items():
            pins = [self.scopes[name].locals[pin] for pin in definition.input_ids()]
            parts.append(self._class(self.class_names[name], f"The function {name!r}.", self.scopes[name],
                                     pins, definition.output_ids(), name))
        parts.append(self._model())
        parts.append(self._constants())
        parts.append(_MAIN)
        return "".join(parts)

    def _functions_used(self) -> str:
        used = set()
        for node in self._all_nodes():
            used |= set(re.findall(r"\b([a-z_]+)\(", OPS[node.op].forward))
        missing = used - set(TORCH_FUNCTIONS)
        if missing:
            raise ExportError(f"torch export does not know the function {sorted(missing)[0]!r} yet")
        return "".join(TORCH_FUNCTIONS[name] + "\n" for name in sorted(used))

    def _all_nodes(self):
        yield from self.top.nodes.values()
        for definition in self.document.functions.values():
            yield from definition.nodes.values()

    def _class(self, class_name: str, doc: str, scope: _Scope, pins: list[str], outputs: list[str],
               function: str) -> str:
        lines = [f"\n\nclass {class_name}(nn.Module):", f'    """{doc}"""', "", "    def __init__(self):",
                 "        super().__init__()"]
        lines += ["        " + line for line in self._members(scope)]
        arguments = ", ".join(["self", "root", "x", "y", "label", *pins])
        lines += ["", f'    def forward({arguments}, record=None, prefix=""):']
        lines += ["        " + line for line in self._body(scope, function)]
        returned = "".join(f"{scope.locals[output]}, " for output in outputs)
        lines.append(f"        return ({returned})")
        return "\n".join(lines) + "\n"

    def _members(self, scope: _Scope) -> list[str]:
        lines = []
        for node_id, attribute in scope.attributes.items():
            node = scope.nodes[node_id]
            if node.op == "call":
                lines.append(f"self.{attribute} = {self.class_names[node.function]}()")
            elif node.op == "param":
                lines.append(f"self.{attribute} = nn.Parameter(torch.zeros((), dtype=DTYPE), "
                             f"requires_grad={bool(node.trainable)})")
            else:
                lines.append(f"self.register_buffer({attribute!r}, torch.zeros((), dtype=DTYPE))")
        return lines

    def _body(self, scope: _Scope, function: str) -> list[str]:
        """One line per node in dependency order, then the record of every node for the report."""
        lines, recorded = [], []
        for node_id in dependency_order(scope.nodes):
            node = scope.nodes[node_id]
            if node.op == "input":
                continue
            if node.op == "call":
                outputs = "".join(f"{scope.locals[f'{node_id}:{k}']}, "
                                  for k in range(len(self.document.functions[node.function].output_ids())))
                pins = "".join(f"{self._read(scope, reference)}, " for reference in node.inputs)
                lines.append(f"({outputs}) = self.{scope.attributes[node_id]}(root, x, y, label, {pins}"
                             f"record=record, prefix=prefix + {node_id + '/'!r})")
                continue
            lines.append(f"{scope.locals[node_id]} = {self._expression(scope, node, function)}")
            flat = f"{function}::{node_id}" if node.shared else node_id
            recorded.append((flat, scope.locals[node_id], bool(node.shared)))
        lines.append("if record is not None:")
        shared = [f"{flat!r}: {name}" for flat, name, is_shared in recorded if is_shared]
        own = [f"{flat!r}: {name}" for flat, name, is_shared in recorded if not is_shared]
        lines.append(f"    keep(record, prefix, {{{', '.join(own)}}}, {{{', '.join(shared)}}})")
        return lines

    def _expression(self, scope: _Scope, node: Node, function: str) -> str:
        if node.op == "param" and node.shared:
            return f"root.{self.shared[f'{function}::{node.id}']}"
        if node.op in ("param", "const"):
            return f"self.{scope.attributes[node.id]}"
        if node.op in ("x", "y", "label"):
            return f"{node.op}.clone()  # a tensor of its own, with a gradient of its own"
        sources = [self._read(scope, reference) for reference in node.inputs]
        op = OPS[node.op]
        if op.is_variadic:
            text = " + ".join(sources)
        else:
            names = dict(zip("ab", sources), exponent=f"({float(node.exponent)!r})", out="")
            text = op.forward.format(**names)
        return f"{text}.clone()" if text.isidentifier() else text

    def _read(self, scope: _Scope, reference: str) -> str:
        node_id, output = split_reference(reference)
        return scope.locals[f"{node_id}:{output}" if scope.nodes[node_id].op == "call" else node_id]

    # --- the top level -----------------------------------------------------------------------------

    def _model(self) -> str:
        lines = ["\n\nclass Model(nn.Module):",
                 '    """The graph. forward(x, y, label) takes a batch of points (1-d tensors) and returns',
                 '    (result, loss), one number per point (None for a role the graph has not set)."""', "",
                 "    def __init__(self):", "        super().__init__()"]
        lines += ["        " + line for line in self._members(self.top)]
        for flat_id, attribute in self.shared.items():
            trainable = bool(self.document.flat_node(flat_id).trainable)
            lines.append(f"        self.{attribute} = nn.Parameter(torch.zeros((), dtype=DTYPE), "
                         f"requires_grad={trainable})  # {flat_id!r}")
        lines.append("        load_leaves(self, LEAVES)")
        lines += ["", "    def forward(self, x, y, label, record=None):", "        root, prefix = self, ''"]
        lines += ["        " + line for line in self._body(self.top, "")]
        roles = [self._role(self.document.result), self._role(self.document.loss)]
        lines.append(f"        return (batch_of({roles[0]}, x), batch_of({roles[1]}, x))")
        return "\n".join(lines) + "\n"

    def _role(self, reference: str | None) -> str:
        if reference is None or self.document.flat_id(reference) not in self.program.index:
            return "None"
        return self._read(self.top, reference)

    def _constants(self) -> str:
        paths = self._leaf_paths()
        values = self.document.leaf_values(self.program)
        rows = "".join(f"    ({leaf_id!r}, {paths[leaf_id]!r}, {float(value)!r}),\n"
                       for leaf_id, value in zip(self.program.leaf_ids, values))
        return "".join([
            "\n\n# Every param and const: (node id, where it lives in the Model, its value).\n",
            "LEAVES = [\n", rows, "]\n",
            "# Every computed node, in mlgarden's order.\n",
            f"NODE_IDS = {pprint.pformat(list(self.program.order), width=100, compact=True)}\n",
            f"ROLES = {roles_json(self.program)!r}  # the report's keys beside the nodes\n",
            f"GRADIENT_ROOT = {gradient_root(self.program)!r}  # where backpropagation starts\n",
        ])

    def _leaf_paths(self) -> dict[str, str]:
        """Flat id of each param and const -> its dotted path from the Model (for get_parameter)."""
        paths = dict(self.shared)

        def walk(scope: _Scope, flat_prefix: str, path_prefix: str) -> None:
            for node_id, attribute in scope.attributes.items():
                node = scope.nodes[node_id]
                if node.op == "call":
                    walk(self.scopes[node.function], f"{flat_prefix}{node_id}/", f"{path_prefix}{attribute}.")
                else:
                    paths[flat_prefix + node_id] = path_prefix + attribute
        walk(self.top, "", "")
        return paths


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in identifier(name).split("_") if part) or "Function"


def _attribute(node_id: str) -> str:
    name = identifier(node_id)
    return f"n{name}" if name.startswith("_") else name  # nn.Module keeps its own state in _names


_HEADER = '''#!/usr/bin/env python3
"""{title}: a graph exported from mlgarden as a PyTorch module (float64).

    model = Model()                                  # the params as they were in mlgarden
    result, loss = model(x, y, label)                # 1-d tensors in, one number per point out
    loss.mean().backward()                           # gradients in model.parameters()

    python THIS.py [--x X] [--y Y] [--label L] --json
        every node's value and gradient at one point, as `mlgarden eval FILE --json` prints them
"""

import argparse
import json
import math
import sys

import torch
from torch import nn

DTYPE = torch.float64

'''

_MAIN = '''

def keep(record, prefix, own, shared):
    """Note each node's tensor under its mlgarden id (an instance's nodes under 'instance/id')."""
    record.update((prefix + node_id, tensor) for node_id, tensor in own.items())
    record.update(shared)


def batch_of(tensor, x):
    return None if tensor is None else torch.broadcast_to(tensor, x.shape)


def load_leaves(model, leaves):
    with torch.no_grad():
        for _, path, value in leaves:
            owner, _, name = path.rpartition(".")
            getattr(model.get_submodule(owner), name).fill_(value)


def finite_or_none(number):
    return number if number is not None and math.isfinite(number) else None


def evaluation_json(model, x=0.0, y=0.0, label=1.0):
    """What `mlgarden eval --json` prints, computed by autograd from one point."""
    for tensor in [*model.parameters(), *model.buffers()]:
        tensor.requires_grad_(True)  # frozen params and consts get a gradient too, as in mlgarden
    inputs = [torch.tensor([value], dtype=DTYPE, requires_grad=True) for value in (x, y, label)]
    record = {}
    model(*inputs, record=record)
    for tensor in record.values():
        tensor.retain_grad()
    if GRADIENT_ROOT is not None:
        record[GRADIENT_ROOT].sum().backward()
    nodes = {}
    for node_id in NODE_IDS:
        tensor = record[node_id]
        value = float(tensor.detach().reshape(-1)[0])
        grad = None
        if GRADIENT_ROOT is not None:
            grad = 0.0 if tensor.grad is None else float(tensor.grad.reshape(-1)[0])
        nodes[node_id] = {"value": finite_or_none(value), "grad": finite_or_none(grad)}
    return {"nodes": nodes, **ROLES}


def main(argv=None):
    parser = argparse.ArgumentParser(description="The exported graph as a PyTorch module.")
    parser.add_argument("--x", type=float, default=0.0, help="the point's x (default 0)")
    parser.add_argument("--y", type=float, default=0.0, help="the point's y (default 0)")
    parser.add_argument("--label", type=float, default=1.0, help="the point's label (default 1)")
    parser.add_argument("--json", action="store_true", help="print every node's value and gradient")
    args = parser.parse_args(argv)
    model = Model()
    if args.json:
        print(json.dumps(evaluation_json(model, args.x, args.y, args.label), allow_nan=False))
    else:
        x, y, label = (torch.tensor([value], dtype=DTYPE) for value in (args.x, args.y, args.label))
        with torch.no_grad():
            result, loss = model(x, y, label)
        print(f"result {None if result is None else float(result[0])}, "
              f"loss {None if loss is None else float(loss[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''
