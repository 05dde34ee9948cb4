"""One node on the canvas: its title, input pins, op and value, gradient, and hover help.

A node view is built once from the document and then only has its texts set: a value change
never rebuilds it (`show` compares each text with the one on screen and sets only what
changed). It is rebuilt only when its *shape* changes, the op or the number of pins (a `sum`
gains a free pin as its last one is filled).

Rows, top to bottom:
- the title bar: the node's title, and "◆ result" / "▲ loss" when it plays that role;
- one input pin per operand, named after the op's pins (a, b, pred, target, ...);
- the output pin, with the op's symbol and the value: a drag field for a param (dragging it
  is the nudge), an input field for a const (both named by their op, since a param's symbol
  "w" would mislabel a bias), a text for every other node;
- the exponent of a `pow` node;
- the gradient d loss / d node, in orange.
A node missing an input shows "—" for both numbers. Hovering the op row shows the op's formula
and its local derivatives.

A `call` node (an instance of a user function) is drawn differently: a row naming its function
(hover it for the function's description and pins), one input pin per input of the definition,
labelled with the pin's name, and one output pin per output, each row with the output's name,
its value and its gradient in orange. Output k's pin tag is `ids.output_pin("f1:k")`, so a link
dragged from it reads that reference. Renaming a pin changes the shape, which rebuilds the view.
"""

from __future__ import annotations

from dataclasses import dataclass

import dearpygui.dearpygui as dpg

from mlgarden.document.graph import Document, Node, make_reference
from mlgarden.gui import ids, theme
from mlgarden.engine.ops import OPS

FIELD_WIDTH = 90
DRAG_SPEED = 0.01


@dataclass
class NodeActions:
    """What a node's widgets call; each is a plain method of the canvas."""

    value_dragged: callable  # (node_id, value) while a param's field is dragged
    value_entered: callable  # (node_id, value) when a const's field is confirmed
    exponent_entered: callable  # (node_id, exponent)


def shape_of(document: Document, node: Node) -> tuple:
    """What forces a rebuild when it changes: the op and the number of pins shown (for a call,
    also its function and the names of its pins and outputs)."""
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


def roles_of(document: Document, node_id: str) -> tuple[str, ...]:
    return tuple(role for role in ("result", "loss") if getattr(document, role) == node_id)


def title_text(node: Node, roles: tuple[str, ...]) -> str:
    return "   ".join([node.title] + [theme.role_mark(role) for role in roles])


def pin_label(node: Node, pin: int, pin_count: int) -> str:
    op = OPS[node.op]
    if op.is_variadic and pin == pin_count - 1:
        return "+"  # the free pin a new operand goes into
    return op.pin_name(pin)


class NodeView:
    def __init__(self, node_id: str, actions: NodeActions, themes: dict):
        self.node_id = node_id
        self.actions = actions
        self.themes = themes
        self.tag = ids.node(node_id)
        self.shape: tuple[str, int] | None = None
        self.shown_pos: tuple[float, float] | None = None
        self.shown_title = ""
        self.shown_roles: tuple[str, ...] | None = None
        self.shown_texts: dict[str, str] = {}
        self.shown_field: float | None = None
        self.shown_exponent: float | None = None

    # --- building --------------------------------------------------------------------------

    def build(self, document: Document, editor: str, to_grid) -> None:
        """Make the node's items; `to_grid` maps a document position to the editor's grid."""
        node = document.nodes[self.node_id]
        self.shape = shape_of(document, node)
        pin_count = self.shape[1]
        roles = roles_of(document, self.node_id)
        grid_pos = to_grid(node.pos)
        if node.op == "call":
            self._build_call(document, node, title_text(node, roles), editor, grid_pos)
            self.shown_pos = grid_pos
            self.shown_title = node.title
            self.shown_texts = {}
            self._show_roles(roles)
            return
        with dpg.node(tag=self.tag, label=title_text(node, roles), pos=grid_pos, parent=editor):
            for pin in range(pin_count):
                with dpg.node_attribute(tag=ids.input_pin(self.node_id, pin),
                                        attribute_type=dpg.mvNode_Attr_Input):
                    dpg.add_text(pin_label(node, pin, pin_count))
            with dpg.node_attribute(tag=ids.output_pin(self.node_id),
                                    attribute_type=dpg.mvNode_Attr_Output):
                with dpg.group(horizontal=True) as op_row:
                    dpg.add_text(node.op if node.op in ("param", "const") else theme.symbol(node.op))
                    self._build_value(node)
            if node.op == "pow":
                with dpg.node_attribute(attribute_type=dpg.mvNode_Attr_Static):
                    self._build_exponent(node)
            with dpg.node_attribute(attribute_type=dpg.mvNode_Attr_Static):
                dpg.add_text(self._gradient_line(theme.missing()), tag=ids.gradient_text(self.node_id),
                             color=theme.GRADIENT_COLOUR)
        with dpg.tooltip(op_row, tag=ids.tooltip(self.node_id)):
            op = OPS[node.op]
            dpg.add_text(f"{node.op}: {op.formula}\n{op.derivative_text}")
        self.shown_pos = grid_pos
        self.shown_title = node.title
        self.shown_texts = {}
        self._show_roles(roles)

    def _build_call(self, document: Document, node: Node, title: str, editor: str, grid_pos) -> None:
        with dpg.node(tag=self.tag, label=title, pos=grid_pos, parent=editor):
            with dpg.node_attribute(attribute_type=dpg.mvNode_Attr_Static):
                function_row = dpg.add_text(f"ƒ {node.function}" if theme.unicode_font()
                                            else f"f {node.function}",
                                            tag=ids.call_function_text(self.node_id))
            for pin, name in enumerate(document.pin_names(self.node_id)):
                with dpg.node_attribute(tag=ids.input_pin(self.node_id, pin),
                                        attribute_type=dpg.mvNode_Attr_Input):
                    dpg.add_text(name)
            for output, name in enumerate(document.output_names(self.node_id)):
                reference = make_reference(self.node_id, output)
                with dpg.node_attribute(tag=ids.output_pin(reference),
                                        attribute_type=dpg.mvNode_Attr_Output):
                    with dpg.group(horizontal=True):
                        dpg.add_text(name)
                        dpg.add_text(theme.missing(), tag=ids.value_text(reference))
                        dpg.add_text(self._gradient_line(theme.missing()),
                                     tag=ids.gradient_text(reference), color=theme.GRADIENT_COLOUR)
        with dpg.tooltip(function_row, tag=ids.tooltip(self.node_id)):
            dpg.add_text(call_tooltip(document, node))

    def show_call_numbers(self, numbers: list[tuple[str, str, str]]) -> None:
        """Set each output's value and gradient text: (reference, value, gradient), formatted."""
        for reference, value, gradient in numbers:
            self._set_text(ids.value_text(reference), value)
            self._set_text(ids.gradient_text(reference), self._gradient_line(gradient))

    def _build_value(self, node: Node) -> None:
        field = ids.value_field(self.node_id)
        if node.op == "param":
            dpg.add_drag_float(tag=field, default_value=node.value, width=FIELD_WIDTH,
                               speed=DRAG_SPEED, format="%.4g", user_data=self.node_id,
                               callback=lambda sender, value, node_id: self.actions.value_dragged(
                                   node_id, value))
            self.shown_field = node.value
        elif node.op == "const":
            dpg.add_input_float(tag=field, default_value=node.value, width=FIELD_WIDTH, step=0,
                                format="%.4g", on_enter=True, user_data=self.node_id,
                                callback=lambda sender, value, node_id: self.actions.value_entered(
                                    node_id, value))
            self.shown_field = node.value
        else:
            dpg.add_text(theme.missing(), tag=ids.value_text(self.node_id))

    def _build_exponent(self, node: Node) -> None:
        with dpg.group(horizontal=True):
            dpg.add_text("n")
            dpg.add_input_float(tag=ids.exponent_field(self.node_id), default_value=node.exponent,
                                width=FIELD_WIDTH, step=0, format="%.4g", on_enter=True,
                                user_data=self.node_id,
                                callback=lambda sender, value, node_id: self.actions.exponent_entered(
                                    node_id, value))
        self.shown_exponent = node.exponent

    def delete(self) -> None:
        """Remove the node's items; its links must be deleted first (design fact 2)."""
        if dpg.does_item_exist(ids.tooltip(self.node_id)):
            dpg.delete_item(ids.tooltip(self.node_id))
        dpg.delete_item(self.tag)

    # --- showing the document ----------------------------------------------------------------

    def show_layout(self, document: Document, to_grid) -> None:
        """Title, role marks and grid position, when they differ from the document's."""
        node = document.nodes[self.node_id]
        roles = roles_of(document, self.node_id)
        if node.title != self.shown_title or roles != self.shown_roles:
            dpg.configure_item(self.tag, label=title_text(node, roles))
            self.shown_title = node.title
            self._show_roles(roles)
        grid_pos = to_grid(node.pos)
        if grid_pos != self.shown_pos:
            dpg.set_item_pos(self.tag, grid_pos)
            self.shown_pos = grid_pos

    def _show_roles(self, roles: tuple[str, ...]) -> None:
        node_op = self.shape[0]
        role = "loss" if "loss" in roles else ("result" if roles else None)
        dpg.bind_item_theme(self.tag, self.themes[(theme.kind_of(node_op), role)])
        self.shown_roles = roles

    def show_numbers(self, node: Node, value: str, gradient: str) -> None:
        """Set the value and gradient texts (already formatted), and the fields, if they changed."""
        if node.op in ("param", "const"):
            self._show_field(node)
        else:
            self._set_text(ids.value_text(self.node_id), value)
        if node.op == "pow" and node.exponent != self.shown_exponent:
            dpg.set_value(ids.exponent_field(self.node_id), node.exponent)
            self.shown_exponent = node.exponent
        self._set_text(ids.gradient_text(self.node_id), self._gradient_line(gradient))

    def _show_field(self, node: Node) -> None:
        """A value set elsewhere (training, undo) reaches the field, unless the user holds it."""
        field = ids.value_field(self.node_id)
        if node.value != self.shown_field and not dpg.is_item_active(field):
            dpg.set_value(field, node.value)
            self.shown_field = node.value

    def field_changed_by_user(self, value: float) -> None:
        self.shown_field = value

    def _set_text(self, tag: str, text: str) -> None:
        if self.shown_texts.get(tag) != text:
            dpg.set_value(tag, text)
            self.shown_texts[tag] = text

    @staticmethod
    def _gradient_line(gradient: str) -> str:
        return f"grad {gradient}"

    # --- reading what the user did ---------------------------------------------------------------

    def position_on_canvas(self) -> tuple[float, float]:
        x, y = dpg.get_item_pos(self.tag)
        return float(x), float(y)
