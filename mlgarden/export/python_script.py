"""Export a graph as a standalone Python script that needs nothing but the standard library.

The script's heart is the engine's own point route (`Program.point_source`): straight-line Python
over floats, one line per node forward and one per gradient share backward, written from the op
table's templates. The exporter renames its variables after the node ids (`v12` -> `h1`, `g12` ->
`grad_h1`) and copies the few functions the templates call from the op table's float versions, so
the script computes bit for bit what `mlgarden eval` computes, and prints the same JSON
(`mlgarden.engine.report` decides which nodes and whether gradients are reported). Around it: the
leaf values, a table or JSON printer, and a small SGD trainer over a CSV file (`x,y,label`).
"""

from __future__ import annotations

import inspect
import pprint
import re

from mlgarden.document.graph import Document
from mlgarden.engine.ops import SCALAR_FUNCTIONS
from mlgarden.engine.program import Program
from mlgarden.engine.report import reports_gradients, roles_json
from mlgarden.export.names import NameTable
from mlgarden.export.python_functions import (TAPE, body_source, copies_source, function_names, ops_used,
                                              rules_source)

_VARIABLE = re.compile(r"\b([vg])(\d+)\b")  # the point route's names: v<row> values, g<row> gradients
RUN_PARAMETERS = ("L", "x", "y", "label")  # the point route's function reads these names


def export_python(document: Document, title: str = "graph") -> str:
    """The text of a script computing `document` as `mlgarden eval` does, and training it with SGD.
    A graph that calls functions gets each function once (`python_functions`), any other graph
    the point route's straight lines."""
    program = document.program()
    if any(node.op == "call" for node in document.nodes.values()):
        code = (rules_source(ops_used(document)) + copies_source(program) + TAPE
                + body_source(document, function_names(document)))
        about, heading = _ABOUT_FUNCTIONS, ""
    else:
        code = _renamed_point_route(program)
        about, heading = _ABOUT_LINES, _STRAIGHT_LINES
    return "".join([
        _HEADER.format(title=_comment_safe(title), about=about),
        _helpers(code),
        _graph_constants(document, program),
        heading,
        code,
        _MAIN,
    ])


_STRAIGHT_LINES = ("\n\n# The graph: forward, one line per node, then backward, d loss / d node for "
                   "every node.\n"
                   "# A node read by several others adds up one share per reader, as micrograd's `+=` "
                   "does.\n")
_ABOUT_LINES = ("`run` computes every node: its value, then its gradient (d loss / d node), each line "
                "named after\nthe node's id in mlgarden.")
_ABOUT_FUNCTIONS = ("Each function of the graph is one Python function, run once per call with that "
                    "call's params;\n"
                    "`graph` runs the graph's own nodes. Every node is a `Value` on a `Tape` (micrograd's "
                    "idea), named\n"
                    "after the node's id in mlgarden; `run` computes every node's value, then its gradient.")


def _renamed_point_route(program: Program) -> str:
    table = NameTable(reserved=set(SCALAR_FUNCTIONS) | set(RUN_PARAMETERS) | {"map", "float"})
    values = [table.take(node_id) for node_id in program.order]
    grads = [table.take(node_id, prefix="grad_") for node_id in program.order]
    names = {"v": values, "g": grads}
    return _VARIABLE.sub(lambda match: names[match.group(1)][int(match.group(2))], program.point_source)


def _comment_safe(text: str) -> str:
    """A title for the docstring: printable ASCII letters, digits and simple punctuation only."""
    return re.sub(r"[^A-Za-z0-9 _.\-()]", "_", text)[:80]


def _helpers(run_source: str) -> str:
    """The functions `run` calls, copied from the op table's float versions under their template names."""
    lines = ["\n# The functions the op table's rules call, with mlgarden's error policy: a domain error or\n"
             "# an overflow gives inf or NaN, never an exception (copied from mlgarden/engine/ops.py).\n"
             "INF = math.inf\nNAN = math.nan\n"]
    for name, function in SCALAR_FUNCTIONS.items():
        if not re.search(rf"\b{name}\(", run_source):
            continue
        if inspect.isbuiltin(function):
            module = "" if function.__module__ == "builtins" else f"{function.__module__}."
            lines.append(f"{name} = {module}{function.__name__}\n")
        else:
            source = inspect.getsource(function)
            lines.append("\n" + source.replace(f"def {function.__name__}(", f"def {name}(", 1) + "\n")
    return "".join(lines)


def _graph_constants(document: Document, program: Program) -> str:
    leaves = document.leaf_values(program)
    rows = []
    for leaf_id, value in zip(program.leaf_ids, leaves):
        node = document.flat_node(leaf_id)
        trained = node.op == "param" and node.trainable
        rows.append(f"    ({leaf_id!r}, {float(value)!r}, {trained}),  # {node.op}\n")
    training = document.training
    return "".join([
        "\n\n# The params and consts in the order `run` reads them: (node id, value, trained by --train).\n",
        "LEAVES = [\n", *rows, "]\n",
        "# Every computed node, in computation order, and its op.\n",
        f"NODE_IDS = {_wrapped(program.order)}\n",
        f"OPS = {_wrapped([program.specs[node_id].op for node_id in program.order])}\n",
        f"LOSS = {program.loss!r}\n",
        f"ROLES = {roles_json(program)!r}  # the report's keys beside the nodes\n",
        f"REPORTS_GRADIENTS = {reports_gradients(program)!r}\n",
        f"LEARNING_RATE = {float(training.learning_rate)!r}  # the graph's training settings\n",
        f"BATCH_SIZE = {int(training.batch_size)!r}\n",
        f"STEPS = {int(training.steps)!r}\n",
    ])


def _wrapped(items) -> str:
    """A list literal folded into lines of at most 100 characters."""
    return pprint.pformat(list(items), width=100, compact=True)


_HEADER = '''#!/usr/bin/env python3
"""{title}: a graph exported from mlgarden as plain Python (standard library only).

{about} Usage:

    python THIS.py [--x X] [--y Y] [--label L]      every node's value and gradient at one point
    python THIS.py --json                          the same as JSON, as `mlgarden eval FILE --json`
    python THIS.py --train data.csv [--steps N] [--lr LR] [--batch-size B] [--seed S] [--json]
                                                   train the params with SGD on a CSV file with the
                                                   header x,y,label, then report as above
"""

import argparse
import csv
import json
import math
import random
import sys
'''

_MAIN = '''

# --- reporting --------------------------------------------------------------------------------


def finite_or_none(number):
    return number if number is not None and math.isfinite(number) else None


def evaluation_json(leaf_values, x, y, label):
    """What `mlgarden eval --json` prints: every node's value and gradient, null when not finite."""
    values, grads = run(leaf_values, x, y, label)
    nodes = {node_id: {"value": finite_or_none(value),
                       "grad": finite_or_none(grad) if REPORTS_GRADIENTS else None}
             for node_id, value, grad in zip(NODE_IDS, values, grads)}
    return {"nodes": nodes, **ROLES}


def evaluation_table(leaf_values, x, y, label):
    values, grads = run(leaf_values, x, y, label)
    rows = [("node", "op", "value", "gradient")]
    for node_id, op, value, grad in zip(NODE_IDS, OPS, values, grads):
        rows.append((node_id, op, f"{value:.6g}", f"{grad:.6g}" if REPORTS_GRADIENTS else "-"))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\\n".join("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3]
                     for row in rows)


# --- training ---------------------------------------------------------------------------------


def read_points(path):
    """(x, y, label) rows of a CSV file whose header is x,y,label."""
    try:
        with open(path, newline="") as file:
            rows = [row for row in csv.reader(file) if row and any(cell.strip() for cell in row)]
    except OSError as error:
        raise SystemExit(f"{path}: cannot read it ({error.strerror or error})")
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["x", "y", "label"]:
        raise SystemExit(f"{path}: the first line must be the header x,y,label")
    points = []
    for line, row in enumerate(rows[1:], start=2):
        try:
            point = tuple(float(cell) for cell in row)
        except ValueError:
            raise SystemExit(f"{path}: line {line}: expected three numbers, got {','.join(row)!r}")
        if len(point) != 3 or not all(math.isfinite(number) for number in point):
            raise SystemExit(f"{path}: line {line}: expected three finite numbers x,y,label")
        points.append(point)
    if not points:
        raise SystemExit(f"{path}: no points after the header")
    return points


def train(leaf_values, points, steps, learning_rate, batch_size, seed):
    """Plain SGD: each step moves every trained param against the mean gradient of a batch.
    The points are shuffled (from `seed`) at the start of every pass over them."""
    if LOSS is None:
        raise SystemExit("the graph has no loss node, so there is nothing to train")
    values = list(leaf_values)
    trained = [k for k, (_, _, is_trained) in enumerate(LEAVES) if is_trained]
    loss_row = NODE_IDS.index(LOSS)
    order, position, rng = list(range(len(points))), len(points), random.Random(seed)
    for step in range(1, steps + 1):
        if position >= len(points):
            rng.shuffle(order)
            position = 0
        batch = [points[k] for k in order[position:position + batch_size]]
        position += batch_size
        total_loss, total_grads = 0.0, [0.0] * len(trained)
        for x, y, label in batch:
            node_values, node_grads = run(values, x, y, label)
            total_loss += node_values[loss_row]
            for slot, k in enumerate(trained):
                total_grads[slot] += node_grads[k]
        if not math.isfinite(total_loss):
            raise SystemExit(f"step {step}: the loss is {total_loss}; training stopped")
        for slot, k in enumerate(trained):
            values[k] -= learning_rate * total_grads[slot] / len(batch)
        if step == steps or step % max(1, steps // 10) == 0:
            print(f"step {step}: mean loss of the batch {total_loss / len(batch):.6g}", file=sys.stderr)
    return values


def main(argv=None):
    parser = argparse.ArgumentParser(description="The exported graph: evaluate it, or train it with SGD.")
    parser.add_argument("--x", type=float, default=0.0, help="the point's x (default 0)")
    parser.add_argument("--y", type=float, default=0.0, help="the point's y (default 0)")
    parser.add_argument("--label", type=float, default=1.0, help="the point's label (default 1)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--train", metavar="DATA.csv", help="train first, on these points")
    parser.add_argument("--steps", type=int, default=STEPS, help=f"training steps (default {STEPS})")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE,
                        help=f"the learning rate (default {LEARNING_RATE})")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                        help=f"points per step (default {BATCH_SIZE})")
    parser.add_argument("--seed", type=int, default=0, help="the shuffling seed (default 0)")
    args = parser.parse_args(argv)
    leaf_values = [value for _, value, _ in LEAVES]
    if args.train:
        if args.steps < 1 or args.batch_size < 1 or not args.lr > 0.0:
            parser.error("--steps and --batch-size must be at least 1 and --lr above 0")
        leaf_values = train(leaf_values, read_points(args.train), args.steps, args.lr, args.batch_size,
                            args.seed)
    if args.json:
        print(json.dumps(evaluation_json(leaf_values, args.x, args.y, args.label), allow_nan=False))
    else:
        print(evaluation_table(leaf_values, args.x, args.y, args.label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''
