"""What one node shows on the canvas, row by row, with no drawing in it.

Rows, top to bottom (their places come from geometry.node_box):
- the title bar: the node's title, and "◆ result" / "▲ loss" when it plays that role;
- one row per input pin, named after the op's pins (a, b, pred, target, ...; "+" for the free
  pin a variadic op gains as its last one is filled);
- the value row with the output pin: the op's symbol and the value; a param's value sits in a
  field (drag it to nudge, double-click to type), as does a const's (click to type);
- a pow's exponent (a field: click to type);
- the gradient d loss / d node, in orange.
A node missing an input shows "—" for both numbers. Hovering the value row shows the op's
formula and its local derivatives (`tooltip_text`).

A `call` node (an instance of a user function) has a row naming its function (hover it for the
function's description and pins), one input pin per input of the definition, named after it, and
one output row per output: its name, value and gradient, with its pin on the right edge. Output k's
numbers are tagged by its reference `f1:k` (ids.value_text("f1:1")).

A node's drawing is rebuilt only when its *shape* changes (`shape_of`): the op or the number of
pins, and for a call its function and the names of its pins and outputs.
"""

from __future__ import annotations

from mlgarden.document.graph import Document, Node, make_reference
from mlgarden.engine.ops import OPS
from mlgarden.gui import ids, theme
from mlgarden.gui.geometry import NodeBox

VALUE_X = 62.0  # where a value (or its field) starts, after the op's symbol
TEXT_X = 10.0
TITLE_SEPARATOR = "   "  # between a node's title and its role marks
CALL_VALUE_X = 72.0  # a call's output row: the name, its value, then its gradient
CALL_GRADIENT_X = 154.0  # "grad -1.234e+05", the widest, ends 111 pixels on, clear of the pin


def shape_of(document: Document, node: Node) -> tuple:
    """What forces a rebuild when it changes (see the module's docstring)."""
    if node.op != "call":
        return node.op, document.pin_count(node.id)
    return (node.op, document.pin_count(node.id), node.function,
            tuple(document.pin_names(node.id)), tuple(document.output_names(node.id)))


def call_tooltip(document: Document, node: Node) -> str:
    """What hovering a call's function row says: the function, its description and its pins."""
    definition = document.definition(node.function)
    lines = [f"function {node.function}"]
    if definition.description:
        lines.append(definition.description)
    lines.append("inputs: " + (", ".join(definition.input_names()) or "none"))
    lines.append("outputs: " + ", ".join(definition.output_names()))
    lines.append("right-click: Expand, Edit definition")
    return "\n".join(lines)


def tooltip_text(document: Document, node_id: str) -> str:
    """The hover help of a node: the op's formula and derivatives, or a call's function."""
    node = document.nodes[node_id]
    if node.op == "call":
        return call_tooltip(document, node)
    op = OPS[node.op]
    return f"{node.op}: {op.formula}\n{op.derivative_text}"


def roles_of(document: Document, node_id: str) -> tuple[str, ...]:
    return tuple(role for role in ("result", "loss") if getattr(document, role) == node_id)


def title_text(node: Node, roles: tuple[str, ...]) -> str:
    return TITLE_SEPARATOR.join([node.title] + [theme.role_mark(role) for role in roles])


def pin_label(node: Node, pin: int, pin_count: int) -> str:
    op = OPS[node.op]
    if op.is_variadic and pin == pin_count - 1:
        return "+"  # the free pin a new operand goes into
    return op.pin_name(pin)


def label_tag(node_id: str, row: str) -> str:
    """The tag of a fixed label of a node (a pin's name, the op's symbol)."""
    return f"label:{node_id}:{row}"


def rows_of(document: Document, node_id: str, box: NodeBox) -> tuple[dict, dict[str, str]]:
    """The texts a node draws at full detail, and the words its labels start with.

    Returns ({"texts": [(tag, (x, row centre), colour, is_field)], "compact_value": tag},
    {tag: text}) for canvas_draw.NodeDrawing.describe."""
    node = document.nodes[node_id]
    texts, words = [], {}
    missing = theme.missing()
    muted = (175, 175, 185, 255)
    plain = (230, 230, 230, 255)

    def add(tag, x, y, text, colour=plain, field=False):
        texts.append((tag, (x, y), colour, field))
        words[tag] = text

    if node.op == "call":
        symbol = "ƒ" if theme.unicode_font() else "f"
        add(ids.call_function_text(node_id), TEXT_X, box.function_row,
            f"{symbol} {node.function}", muted)
        for pin, name in enumerate(document.pin_names(node_id)):
            add(label_tag(node_id, f"in{pin}"), TEXT_X, box.input_rows[pin], name, muted)
        for output, name in enumerate(document.output_names(node_id)):
            reference = make_reference(node_id, output)
            y = box.output_rows[output]
            add(label_tag(node_id, f"out{output}"), TEXT_X, y, name, muted)
            add(ids.value_text(reference), CALL_VALUE_X, y, missing)
            add(ids.gradient_text(reference), CALL_GRADIENT_X, y, missing, theme.GRADIENT_COLOUR)
        first = make_reference(node_id, 0) if document.output_count(node_id) else None
        return {"texts": texts, "compact_value": ids.value_text(first) if first else None}, words
    pins = box.input_rows
    for pin, y in enumerate(pins):
        add(label_tag(node_id, f"in{pin}"), TEXT_X, y, pin_label(node, pin, len(pins)), muted)
    symbol = node.op if node.op in ("param", "const") else theme.symbol(node.op)
    add(label_tag(node_id, "op"), TEXT_X, box.value_row, symbol, muted)
    field = node.op in ("param", "const")
    add(ids.value_text(node_id), VALUE_X, box.value_row,
        theme.number(node.value) if field else missing, field=field)
    if box.exponent_row is not None:
        add(label_tag(node_id, "n"), TEXT_X, box.exponent_row, "n", muted)
        add(ids.exponent_field(node_id), VALUE_X, box.exponent_row, theme.number(node.exponent),
            field=True)
    add(ids.gradient_text(node_id), TEXT_X, box.gradient_row, missing, theme.GRADIENT_COLOUR)
    return {"texts": texts, "compact_value": ids.value_text(node_id)}, words
